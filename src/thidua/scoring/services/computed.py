"""Computed criteria: the target formula (RULES.md 15), the award bonus (RULES.md 11) and
values imported from other systems."""

from dataclasses import replace
from fractions import Fraction

from django.db import transaction

from thidua.core import audit
from thidua.core.errors import DomainError
from thidua.core.numbers import half_up
from thidua.core.text import search_key, tidy
from thidua.law.award_forms import AwardForm, label_in
from thidua.org.models import BlocYear, Unit
from thidua.org.rules import Actor
from thidua.pledges.models import Registration, Target
from thidua.scoring.domain.methods import (
    AWARD_FORMS,
    IMPORTED,
    TARGET_FORMULA,
    CriterionSpec,
    ScoringError,
    TargetFact,
    best_actuals,
    is_award_bonus,
    is_computed,
    points_for,
    target_criterion_points,
)
from thidua.scoring.models import (
    CriteriaTable,
    ImportedValue,
    ScoreSheet,
)
from thidua.scoring.ports import last_year_awards
from thidua.scoring.services.common import Status, members_of, province_id_of, require_runner
from thidua.scoring.services.entries import Entry, Loaded, load_table, write_entries
from thidua.scoring.services.tables import require_latest


def _target_facts(bloc_year: BlocYear) -> dict[int, list[TargetFact]]:
    """Each member's registered targets with their latest reported actual (submitted
    registrations only: a draft registers nothing)."""
    facts: dict[int, list[TargetFact]] = {}
    for unit_id, indicator, target, actual in Target.objects.filter(
            registration__bloc_year=bloc_year,
            registration__status=Registration.Status.SUBMITTED,
    ).values_list("registration__unit_id", "indicator", "target_value", "latest_actual"):
        facts.setdefault(unit_id, []).append(TargetFact(
            search_key(indicator), Fraction(target),
            None if actual is None else Fraction(actual), indicator))
    return facts


def _award_bonus_entry(spec: CriterionSpec, year: int, held: list, bonus,
                       kind_word: str) -> Entry:
    """RULES.md 11 from its one source, `awards.services.next_year_bonus` (the rulebook's
    values, the best award of the previous year counted once; through scoring.ports) — the
    figure the unit page and the API show. This criterion carries it when it lists the
    award form the bonus is for; any other award criterion is 0."""
    forms = spec.params.get(AWARD_FORMS) or []
    form = bonus.award.award_form if bonus.award is not None else None
    if form in forms:
        return Entry(Fraction(bonus.points), {
            "count": 1, "awards": [text for f, text in held if f == form],
            "bonus": str(bonus)})
    raw = {"count": 0, "awards": []}
    names = " hoặc ".join(label_in(f, kind_word) if f in AwardForm.values else str(f)
                          for f in forms)
    if form is not None and any(f in forms for f, _ in held):
        raw["why"] = (f"Điểm thưởng năm {year} đã tính một lần theo "
                      f"{label_in(form, kind_word)} năm {year - 1} (Quy tắc 11).")
    else:
        raw["why"] = (f"Năm {year - 1} đơn vị không được tặng {names}: không cộng điểm "
                      "thưởng (Quy tắc 11).")
    return Entry(Fraction(0), raw)


def computed_entries(loaded: Loaded, unit_id: int, *, strict: bool) -> dict[str, Entry]:
    """The points of the computed criteria for a unit. `strict`: raise naming what is
    missing; otherwise leave such cells empty (when a sheet opens)."""
    entries, problems = computed_values(loaded, unit_id)
    if strict and problems:
        raise DomainError(*problems.values())
    return entries


def computed_values(loaded: Loaded, unit_id: int) -> tuple[dict[str, Entry], dict[str, str]]:
    """The points of the computed criteria the data allows for a unit, and for the others
    what is missing ({code: sentence}: a progress report, an imported figure)."""
    computed = [c for c in loaded.leaves if is_computed(c.scoring_method, c.params)]
    if not computed:
        return {}, {}
    entries, problems = {}, {}
    facts = bests = imported = held = bonus = None
    for criterion in computed:
        spec = loaded.spec(criterion.code)
        if is_award_bonus(criterion.scoring_method, criterion.params):
            bloc_year = loaded.table.bloc_year
            if held is None:
                held, bonus = last_year_awards(unit_id, bloc_year.emulation_year.year)
            entries[criterion.code] = _award_bonus_entry(
                spec, bloc_year.emulation_year.year, held, bonus,
                bloc_year.bloc.province.kind_word)
        elif criterion.scoring_method == TARGET_FORMULA:
            if facts is None:
                facts = _target_facts(loaded.table.bloc_year)
                bests = best_actuals([f for unit_facts in facts.values() for f in unit_facts])
            mine = facts.get(unit_id, [])
            if spec.params.get("indicator"):
                spec = replace(spec, params={
                    **spec.params, "indicator": search_key(spec.params["indicator"])})
            try:
                exact = target_criterion_points(spec, mine, bests)
            except ScoringError as exc:
                problems[criterion.code] = str(exc)
                continue
            wanted = spec.params.get("indicator")
            chosen = [f for f in mine if not wanted or f.indicator == wanted]
            entries[criterion.code] = Entry(exact, {
                "exact": f"{exact.numerator}/{exact.denominator}",
                **({} if chosen else {"why": "Đơn vị không có chỉ tiêu đã đăng ký: 0 điểm "
                                             "(Quy tắc 7, 15)."}),
                "targets": [{"indicator": f.label, "target": str(f.target),
                             "actual": str(f.actual), "best": str(bests.get(f.indicator))}
                            for f in chosen]})
        else:
            if imported is None:
                imported = {(v.criterion_id, v.unit_id): v for v in ImportedValue.objects.filter(
                    criterion__table=loaded.table, unit_id=unit_id)}
            value = imported.get((criterion.id, unit_id))
            if value is None:
                problems[criterion.code] = (f"Tiêu chí {spec.label}: chưa có số liệu nhập từ hệ "
                                            "thống khác cho đơn vị.")
                continue
            entries[criterion.code] = Entry(Fraction(value.points), {
                "points": str(value.points), "source": value.source})
    return entries, problems


def missing_data(sheet: ScoreSheet) -> dict[str, str]:
    """The computed criteria of a sheet's scored unit whose data is missing, each with its
    sentence (the sheet shows it, and what the scorer may do instead)."""
    return computed_values(load_table(sheet.table), sheet.scored_unit_id)[1]


@transaction.atomic
def import_values(actor: Actor, table: CriteriaTable, code: str, values: dict,
                  source: str) -> int:
    """Values from another agency's system (e.g. the PAR INDEX) for an imported criterion:
    all checked first, all written or none; draft sheets take them at once."""
    require_runner(actor, table.bloc_year, "nhập số liệu từ hệ thống khác")
    require_latest(table)
    loaded = load_table(table)
    criterion = loaded.by_code.get(code)
    if criterion is None or criterion.scoring_method != IMPORTED:
        raise DomainError(f"Bảng không có tiêu chí {code} lấy số liệu từ hệ thống khác.")
    if not source.strip():
        raise DomainError("Ghi rõ nguồn số liệu.")
    if not values:
        raise DomainError(f"Chưa nhập số liệu {code} cho đơn vị nào.")
    members = members_of(table.bloc_year)
    names = dict(Unit.objects.filter(id__in=members).values_list("id", "name"))
    spec, problems, checked = loaded.spec(code), [], {}
    for unit_id, raw in values.items():
        if unit_id not in members:
            problems.append(f"Đơn vị #{unit_id} không thuộc khối năm này.")
            continue
        try:
            checked[unit_id] = points_for(spec, {"points": str(raw)})
        except ScoringError as exc:
            problems.append(f"{names[unit_id]}: {exc}")
    if problems:
        raise DomainError(*problems)
    for unit_id, points in checked.items():
        ImportedValue.objects.update_or_create(
            criterion=criterion, unit_id=unit_id,
            defaults={"points": half_up(points), "source": tidy(source)})
    for sheet in ScoreSheet.objects.select_for_update(of=("self",)).filter(
            table=table, status=Status.DRAFT, scored_unit_id__in=list(checked)):
        sheet.table = table
        entry = Entry(checked[sheet.scored_unit_id],
                      {"points": str(half_up(checked[sheet.scored_unit_id])),
                       "source": tidy(source)})
        write_entries(actor, sheet, loaded, {code: entry}, action="scoring.score.import")
    audit.record(actor, "scoring.imported.set", criterion,
                 province_id=province_id_of(table.bloc_year),
                 after={"source": source, "values": {str(u): half_up(p)
                                                     for u, p in checked.items()}})
    return len(checked)
