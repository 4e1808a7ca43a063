"""Scoring services: the imperative shell around scoring.domain.

Each function checks the actor against scoring.rules, validates with the functional core,
writes in one transaction and records the audit event. A sheet's totals (in the table,
bonus, penalty, final, per section) are updated in the same transaction as its scores,
under a row lock on the sheet, so they are always exactly the sum of its cells.
"""

import datetime
import hashlib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction

from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from thidua.core import audit
from thidua.core.errors import Conflict, DomainError, Forbidden, NotFound
from thidua.core.text import nfc, search_key
from thidua.law.award_forms import AwardForm
from thidua.law.rulebooks import RulebookNotFound, rulebook_for
from thidua.org.models import BlocYear, Membership, Role, RoleAssignment, Unit
from thidua.org.rules import Actor, can_act_for_unit
from thidua.pledges.domain.evidence import classify
from thidua.pledges.models import Registration, Target
from thidua.scoring import rules
from thidua.scoring.domain import aggregation, ranking
from thidua.scoring.domain.assignments import peer_pairs
from thidua.scoring.domain.methods import (
    AWARD_FORMS,
    GRADED,
    IMPORTED,
    TARGET_FORMULA,
    CriterionSpec,
    ScoringError,
    TargetFact,
    best_actuals,
    grades,
    is_award_bonus,
    is_computed,
    points_for,
    target_criterion_points,
    to_hundredths,
)
from thidua.scoring.domain.table import SheetFigures, TableShape, table_errors
from thidua.scoring.models import (
    ConflictDeclaration,
    CriteriaTable,
    Criterion,
    ImportedValue,
    PeerAssignment,
    PublishedRanking,
    RankingRow,
    Reminder,
    Score,
    ScoreChange,
    ScoreEvidence,
    ScoreSheet,
    SectionScore,
)
from thidua.scoring.ports import last_year_awards

Kind, Status = ScoreSheet.Kind, ScoreSheet.Status


# --- settings from the rulebook -----------------------------------------------------------

@dataclass(frozen=True)
class ScoringSettings:
    aggregation: str
    tie_break_chain: tuple
    source: str  # shown beside the ranking: which rulebook (or the default) decided


DEFAULT_SETTINGS = ScoringSettings(
    aggregation.APPRAISED, ranking.DEFAULT_CHAIN,
    "Mặc định (Quy tắc 14, 16): điểm thẩm định, nếu chưa có thì trung bình điểm chấm chéo; "
    "phân định bằng điểm nhóm I, rồi ít điểm trừ hơn, rồi hội nghị biểu quyết.")


def scoring_settings(bloc_year: BlocYear, on_date: datetime.date | None = None
                     ) -> ScoringSettings:
    """The aggregation method and tie-break chain for a bloc year: RULES.md 14 and 16, read
    from the rulebook in force for the province on `on_date` (default today: the ranking
    is decided when it is published). Without a rulebook in force the RULES.md defaults
    apply, and `source` says so. A broken rulebook is not papered over: its error
    propagates."""
    province_code = bloc_year.bloc.province.code
    try:
        book = rulebook_for(province_code, on_date or timezone.localdate())
        method = book.value("scoring.aggregation")
        chain = tuple(book.value("scoring.tie_break_chain"))
    except (RulebookNotFound, KeyError):
        return DEFAULT_SETTINGS
    return ScoringSettings(method, chain, f"Theo {_book_title(book, 'scoring.aggregation')}.")


def _book_title(book, key: str) -> str:
    """The file a setting came from: the province's override if it sets it, else the
    national book (so the ranking page can cite where its method comes from)."""
    provincial = getattr(book, "provincial", None)
    if provincial is not None and key in getattr(provincial, "settings", {}):
        return provincial.title
    national = getattr(book, "national", None)
    return getattr(national, "title", "") or "bộ quy tắc hiện hành"


# --- criteria tables ----------------------------------------------------------------------

@dataclass(frozen=True)
class CriterionInput:
    code: str
    title: str
    max_points: Decimal
    method: str = ""  # empty for a section
    parent: str | None = None
    params: dict = field(default_factory=dict)
    evidence_required: bool = False
    is_section: bool = False

    def spec(self) -> CriterionSpec:
        return CriterionSpec(code=self.code, title=self.title, is_section=self.is_section,
                             max_points=Fraction(self.max_points), method=self.method,
                             params=self.params, parent=self.parent,
                             evidence_required=self.evidence_required)


def _clean(item: CriterionInput) -> CriterionInput:
    return CriterionInput(
        code=nfc(item.code.strip()), title=nfc(item.title.strip()),
        max_points=Decimal(item.max_points), method="" if item.is_section else item.method,
        parent=nfc(item.parent.strip()) if item.parent else None, params=dict(item.params),
        evidence_required=item.evidence_required and not item.is_section,
        is_section=item.is_section)


def _checked(total: Decimal, criteria) -> list[CriterionInput]:
    cleaned = [_clean(c) for c in criteria]
    errors = table_errors(Fraction(total), [c.spec() for c in cleaned])
    if errors:
        raise DomainError(*errors)
    return cleaned


def _write_criteria(table: CriteriaTable, criteria: list[CriterionInput]):
    """Parents first (inputs list sections before their leaves or not: we sort)."""
    created: dict[str, Criterion] = {}
    pending = list(enumerate(criteria))
    while pending:
        rest = []
        for position, item in pending:
            if item.parent and item.parent not in created:
                rest.append((position, item))
                continue
            created[item.code] = Criterion.objects.create(
                table=table, parent=created.get(item.parent) if item.parent else None,
                code=item.code, title=item.title, is_section=item.is_section,
                max_points=item.max_points, scoring_method=item.method, params=item.params,
                evidence_required=item.evidence_required, position=position)
        pending = rest


def criteria_inputs(table: CriteriaTable) -> list[CriterionInput]:
    """A table's criteria as inputs (to copy, or to edit into a new version)."""
    rows = list(table.criteria.select_related("parent").order_by("position", "id"))
    return [CriterionInput(code=c.code, title=c.title, max_points=c.max_points,
                           method=c.scoring_method, parent=c.parent.code if c.parent else None,
                           params=c.params, evidence_required=c.evidence_required,
                           is_section=c.is_section) for c in rows]


def table_snapshot(table: CriteriaTable) -> dict:
    return {"version": table.version, "name": table.name, "total": table.total,
            "locked": table.is_locked,
            "criteria": [[c.code, c.parent, str(c.max_points), c.method]
                         for c in criteria_inputs(table)]}


def _province_id(bloc_year: BlocYear) -> int:
    return bloc_year.bloc.province_id


def _require_runner(actor: Actor, bloc_year: BlocYear, what: str):
    if not rules.can_run_scoring(actor, bloc_year):
        raise Forbidden(f"Chỉ đơn vị Trưởng khối hoặc Thường trực thi đua tỉnh được {what}.")


def current_table(bloc_year: BlocYear) -> CriteriaTable | None:
    return (CriteriaTable.objects.select_related("bloc_year__bloc__province")
            .filter(bloc_year=bloc_year).order_by("-version").first())


@transaction.atomic
def create_table(actor: Actor, bloc_year: BlocYear, *, name: str, total: Decimal,
                 criteria) -> CriteriaTable:
    """The bloc year's first criteria table, checked whole (RULES.md 9) before writing."""
    _require_runner(actor, bloc_year, "lập bảng tiêu chí")
    if bloc_year.phase not in rules.TABLE_EDITABLE:
        raise Conflict("Đã qua giai đoạn chấm điểm; không lập bảng tiêu chí mới.")
    if CriteriaTable.objects.filter(bloc_year=bloc_year).exists():
        raise Conflict("Khối đã có bảng tiêu chí năm này; hãy sửa bảng hoặc lập phiên bản mới.")
    cleaned = _checked(total, criteria)
    table = CriteriaTable.objects.create(bloc_year=bloc_year, name=nfc(name.strip()),
                                         total=total, created_by=_user(actor))
    _write_criteria(table, cleaned)
    audit.record(actor, "scoring.table.create", table, province_id=_province_id(bloc_year),
                 after=table_snapshot(table))
    return table


def copy_table(actor: Actor, source: CriteriaTable, bloc_year: BlocYear) -> CriteriaTable:
    """Last year's table (or another bloc's) as this bloc year's first version."""
    if not rules.can_view_table(actor, source):
        raise NotFound("Không tìm thấy bảng tiêu chí.")
    with transaction.atomic():
        table = create_table(actor, bloc_year, name=source.name, total=source.total,
                             criteria=criteria_inputs(source))
        CriteriaTable.objects.filter(pk=table.pk).update(copied_from=source)
        table.copied_from = source
    return table


@transaction.atomic
def replace_criteria(actor: Actor, table: CriteriaTable, *, criteria, total=None,
                     name=None) -> CriteriaTable:
    """Edit an unlocked table: its criteria replaced as a whole, checked whole."""
    table = CriteriaTable.objects.select_for_update(of=("self",)).select_related(
        "bloc_year__bloc").get(pk=table.pk)
    if table.is_locked:
        raise Conflict("Bảng tiêu chí đã khóa vì đã bắt đầu chấm điểm; muốn thay đổi phải lập "
                       "phiên bản mới và ghi rõ lý do.")
    _require_runner(actor, table.bloc_year, "sửa bảng tiêu chí")
    _require_latest(table)
    before = table_snapshot(table)
    total = table.total if total is None else Decimal(total)
    cleaned = _checked(total, criteria)
    table.criteria.all().delete()
    table.total = total
    table.name = nfc(name.strip()) if name else table.name
    table.save(update_fields=["total", "name"])
    _write_criteria(table, cleaned)
    audit.record(actor, "scoring.table.edit", table, province_id=_province_id(table.bloc_year),
                 before=before, after=table_snapshot(table))
    return table


def validate_table(table: CriteriaTable) -> list[str]:
    """The table's problems (RULES.md 9), each naming its criterion; [] when valid."""
    return table_errors(Fraction(table.total), [c.spec() for c in criteria_inputs(table)])


def _lock(actor, table: CriteriaTable):
    errors = validate_table(table)
    if errors:
        raise DomainError("Bảng tiêu chí chưa hợp lệ, chưa thể bắt đầu chấm điểm:", *errors)
    table.is_locked = True
    table.locked_at = timezone.now()
    table.save(update_fields=["is_locked", "locked_at"])
    audit.record(actor, "scoring.table.lock", table,
                 province_id=_province_id(table.bloc_year), after=table_snapshot(table))
    previous = (CriteriaTable.objects.filter(bloc_year=table.bloc_year,
                                             version__lt=table.version, is_locked=True)
                .order_by("-version").first())
    if previous is not None:
        _carry_over(actor, previous, table)


@transaction.atomic
def lock_table(actor: Actor, table: CriteriaTable) -> CriteriaTable:
    """Freeze the table: from now on a change needs a new version with a reason. Scoring
    locks it by itself when the first sheet is opened."""
    table = CriteriaTable.objects.select_for_update(of=("self",)).select_related(
        "bloc_year__bloc").get(pk=table.pk)
    _require_runner(actor, table.bloc_year, "khóa bảng tiêu chí")
    _require_latest(table)
    if table.is_locked:
        raise Conflict("Bảng tiêu chí đã khóa.")
    _lock(actor, table)
    return table


@transaction.atomic
def new_version(actor: Actor, table: CriteriaTable, *, reason: str, criteria=None,
                total=None) -> CriteriaTable:
    """A locked table that must change: a new, unlocked version, with the reason. When it
    is locked, sheets carry over to it (scores of unchanged criteria kept, sheets back to
    draft so each author checks and submits again)."""
    table = CriteriaTable.objects.select_for_update(of=("self",)).select_related(
        "bloc_year__bloc").get(pk=table.pk)
    _require_runner(actor, table.bloc_year, "lập phiên bản mới của bảng tiêu chí")
    _require_latest(table)
    if not table.is_locked:
        raise Conflict("Bảng tiêu chí chưa khóa: sửa trực tiếp, không cần phiên bản mới.")
    if not reason.strip():
        raise DomainError("Lập phiên bản mới của bảng tiêu chí đã khóa phải ghi rõ lý do.")
    total = table.total if total is None else Decimal(total)
    cleaned = _checked(total, criteria if criteria is not None else criteria_inputs(table))
    try:
        with transaction.atomic():
            fresh = CriteriaTable.objects.create(
                bloc_year=table.bloc_year, version=table.version + 1, name=table.name,
                total=total, reason=nfc(reason.strip()), copied_from=table,
                created_by=_user(actor))
    except IntegrityError as exc:
        raise Conflict("Vừa có người lập phiên bản mới của bảng; hãy tải lại.") from exc
    _write_criteria(fresh, cleaned)
    audit.record(actor, "scoring.table.new_version", fresh,
                 province_id=_province_id(table.bloc_year), before=table_snapshot(table),
                 after=table_snapshot(fresh), reason=fresh.reason)
    return fresh


def _require_latest(table: CriteriaTable):
    if CriteriaTable.objects.filter(bloc_year_id=table.bloc_year_id,
                                    version__gt=table.version).exists():
        raise Conflict(f"Bảng tiêu chí phiên bản {table.version} đã được thay bằng phiên bản "
                       "mới hơn.")


def _user(actor):
    user = getattr(actor, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


# --- the table as the core sees it ---------------------------------------------------------

@dataclass
class Loaded:
    """A table's criteria, loaded once per call: the shape for sums and the rows."""

    table: CriteriaTable
    shape: TableShape
    by_code: dict  # code → Criterion
    by_id: dict  # id → Criterion

    def spec(self, code) -> CriterionSpec:
        return self.shape.specs[code]

    @property
    def leaves(self):
        return [c for c in self.by_code.values() if not c.is_section]

    @property
    def section_codes(self):
        return [c.code for c in self.by_code.values() if c.is_section]


def load_table(table: CriteriaTable, rows=None) -> Loaded:
    """`rows`: the table's criteria in position order, if the caller loaded them."""
    if rows is None:
        rows = list(Criterion.objects.filter(table=table).order_by("position", "id"))
    by_id = {c.id: c for c in rows}
    specs = [c.spec(by_id[c.parent_id].code if c.parent_id else None) for c in rows]
    return Loaded(table, TableShape(Fraction(table.total), specs),
                  {c.code: c for c in rows}, by_id)


def _figures_of(sheet: ScoreSheet, loaded: Loaded) -> SheetFigures:
    sections = {loaded.by_id[s.section_id].code: Fraction(s.points)
                for s in SectionScore.objects.filter(sheet=sheet)}
    return SheetFigures(Fraction(sheet.total), Fraction(sheet.bonus), Fraction(sheet.penalty),
                        sections)


def _store_figures(sheet: ScoreSheet, loaded: Loaded, figures: SheetFigures):
    """Write a sheet's figures; all are sums of hundredths, so exact in 2 decimals."""
    sheet.total = to_hundredths(figures.total)
    sheet.bonus = to_hundredths(figures.bonus)
    sheet.penalty = to_hundredths(figures.penalty)
    sheet.final = to_hundredths(figures.final)
    sheet.save(update_fields=["total", "bonus", "penalty", "final"])
    existing = {s.section_id: s for s in SectionScore.objects.filter(sheet=sheet)}
    create, update = [], []
    for code, value in figures.sections.items():
        section_id = loaded.by_code[code].id
        row = existing.get(section_id)
        if row is None:
            create.append(SectionScore(sheet=sheet, section_id=section_id,
                                       points=to_hundredths(value)))
        elif Fraction(row.points) != value:
            row.points = to_hundredths(value)
            update.append(row)
    SectionScore.objects.bulk_create(create)
    SectionScore.objects.bulk_update(update, ["points"])


@dataclass(frozen=True)
class Entry:
    """One cell to write: exact points, what they came from, a note."""

    points: Fraction
    raw: dict
    note: str | None = None  # None: keep the current note


def _write(actor, sheet: ScoreSheet, loaded: Loaded, entries: dict[str, Entry], *,
           reason: str = "", action: str = "scoring.score.set") -> dict:
    """Write cells and keep the sheet's figures current, in the caller's transaction and
    under the sheet's row lock. Records ScoreChange rows for an appraisal sheet, and one
    audit event. Returns {code: (old, new)} of the cells whose points changed."""
    current = {s.criterion.code: s for s in Score.objects.filter(
        sheet=sheet, criterion__code__in=list(entries)).select_related("criterion")}
    changes, creates, updates, history = {}, [], [], []
    user = _user(actor)
    for code, entry in entries.items():
        criterion = loaded.by_code[code]
        points = to_hundredths(entry.points)
        score = current.get(code)
        old = Fraction(score.points) if score else Fraction(0)
        if score is None:
            score = Score(sheet=sheet, criterion=criterion, points=points, raw=entry.raw,
                          note=entry.note or "", updated_by=user)
            creates.append(score)
        else:
            if score.points == points and score.raw == entry.raw and (
                    entry.note is None or entry.note == score.note):
                continue
            history.append((score, score.points, score.raw))
            score.points, score.raw, score.updated_by = points, entry.raw, user
            if entry.note is not None:
                score.note = entry.note
            updates.append(score)
        if old != Fraction(points) or code not in current:
            changes[code] = (old, Fraction(points))
    Score.objects.bulk_create(creates)
    Score.objects.bulk_update(updates, ["points", "raw", "note", "updated_by", "updated_at"])
    if sheet.kind == Kind.APPRAISAL and reason:
        ScoreChange.objects.bulk_create(
            [ScoreChange(score=s, old_points=None, new_points=s.points, new_raw=s.raw,
                         reason=reason, author=user) for s in creates]
            + [ScoreChange(score=s, old_points=old_points, new_points=s.points, old_raw=old_raw,
                           new_raw=s.raw, reason=reason, author=user)
               for s, old_points, old_raw in history])
    if changes:
        figures = loaded.shape.apply(_figures_of(sheet, loaded), changes)
        _store_figures(sheet, loaded, figures)
    if creates or updates:
        audit.record(actor, action, sheet, province_id=_province_id(loaded.table.bloc_year),
                     before={code: str(old) for code, (old, _) in changes.items()
                             if code in current},
                     after={"scores": {code: {"points": to_hundredths(e.points), "raw": e.raw}
                                       for code, e in entries.items()},
                            "final": sheet.final},
                     reason=reason)
    return changes


# --- computed criteria: the target formula (RULES.md 15) and imported values ---------------

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


def _award_bonus_entry(spec: CriterionSpec, year: int, held: list, bonus) -> Entry:
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
    names = " hoặc ".join(AwardForm(f).label if f in AwardForm.values else str(f)
                          for f in forms)
    if form is not None and any(f in forms for f, _ in held):
        raw["why"] = (f"Điểm thưởng năm {year} đã tính một lần theo "
                      f"{AwardForm(form).label} năm {year - 1} (Quy tắc 11).")
    else:
        raw["why"] = (f"Năm {year - 1} đơn vị không được tặng {names}: không cộng điểm "
                      "thưởng (Quy tắc 11).")
    return Entry(Fraction(0), raw)


def _computed_entries(loaded: Loaded, unit_id: int, *, strict: bool) -> dict[str, Entry]:
    """The points of the computed criteria for a unit. `strict`: raise naming what is
    missing; otherwise leave such cells empty (when a sheet opens)."""
    entries, problems = _computed(loaded, unit_id)
    if strict and problems:
        raise DomainError(*problems.values())
    return entries


def _computed(loaded: Loaded, unit_id: int) -> tuple[dict[str, Entry], dict[str, str]]:
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
            entries[criterion.code] = _award_bonus_entry(spec, bloc_year.emulation_year.year,
                                                         held, bonus)
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
    return _computed(load_table(sheet.table), sheet.scored_unit_id)[1]


@transaction.atomic
def import_values(actor: Actor, table: CriteriaTable, code: str, values: dict,
                  source: str) -> int:
    """Values from another agency's system (e.g. the PAR INDEX) for an imported criterion:
    all checked first, all written or none; draft sheets take them at once."""
    _require_runner(actor, table.bloc_year, "nhập số liệu từ hệ thống khác")
    _require_latest(table)
    loaded = load_table(table)
    criterion = loaded.by_code.get(code)
    if criterion is None or criterion.scoring_method != IMPORTED:
        raise DomainError(f"Bảng không có tiêu chí {code} lấy số liệu từ hệ thống khác.")
    if not source.strip():
        raise DomainError("Ghi rõ nguồn số liệu.")
    members = _members(table.bloc_year)
    spec, problems, checked = loaded.spec(code), [], {}
    for unit_id, raw in values.items():
        if unit_id not in members:
            problems.append(f"Đơn vị #{unit_id} không thuộc khối năm này.")
            continue
        try:
            checked[unit_id] = points_for(spec, {"points": str(raw)})
        except ScoringError as exc:
            problems.append(str(exc))
    if problems:
        raise DomainError(*problems)
    for unit_id, points in checked.items():
        ImportedValue.objects.update_or_create(
            criterion=criterion, unit_id=unit_id,
            defaults={"points": to_hundredths(points), "source": nfc(source.strip())})
    for sheet in ScoreSheet.objects.select_for_update(of=("self",)).filter(
            table=table, status=Status.DRAFT, scored_unit_id__in=list(checked)):
        sheet.table = table
        entry = Entry(checked[sheet.scored_unit_id],
                      {"points": str(to_hundredths(checked[sheet.scored_unit_id])),
                       "source": nfc(source.strip())})
        _write(actor, sheet, loaded, {code: entry}, action="scoring.score.import")
    audit.record(actor, "scoring.imported.set", criterion,
                 province_id=_province_id(table.bloc_year),
                 after={"source": source, "values": {str(u): to_hundredths(p)
                                                     for u, p in checked.items()}})
    return len(checked)


# --- sheets ---------------------------------------------------------------------------------

def _members(bloc_year: BlocYear) -> frozenset:
    return frozenset(bloc_year.memberships.values_list("unit_id", flat=True))


def _locked_current(actor, bloc_year: BlocYear) -> CriteriaTable:
    """The table scoring uses; opening the first sheet locks it (scoring has started)."""
    table = current_table(bloc_year)
    if table is None:
        raise Conflict("Khối chưa có bảng tiêu chí chấm điểm năm này.")
    if not table.is_locked:
        table = CriteriaTable.objects.select_for_update(of=("self",)).select_related(
            "bloc_year__bloc__province").get(pk=table.pk)
        if not table.is_locked:
            _lock(actor, table)
    return table


def _open_sheet(actor, table: CriteriaTable, scored_unit_id: int, kind: str,
                scorer_unit_id: int | None) -> ScoreSheet:
    lookup = {"table": table, "scored_unit_id": scored_unit_id, "kind": kind,
              "scorer_unit_id": scorer_unit_id}
    sheet = ScoreSheet.objects.filter(**lookup).first()
    if sheet is not None:
        return sheet
    try:
        with transaction.atomic():
            sheet = ScoreSheet.objects.create(**lookup)
    except IntegrityError:  # opened concurrently: the other request's sheet is the one
        return ScoreSheet.objects.get(**lookup)
    loaded = load_table(table)
    sheet.table = table
    _write(actor, sheet, loaded, _computed_entries(loaded, scored_unit_id, strict=False),
           action="scoring.score.computed")
    audit.record(actor, "scoring.sheet.open", sheet, province_id=_province_id(table.bloc_year),
                 after={"kind": kind, "scored_unit": scored_unit_id,
                        "scorer_unit": scorer_unit_id, "table_version": table.version})
    return sheet


@transaction.atomic
def open_self_assessment(actor: Actor, bloc_year: BlocYear, unit: Unit) -> ScoreSheet:
    """The unit's self-assessment sheet, opened on first use (SELF_ASSESSMENT phase)."""
    if not can_act_for_unit(actor, unit.id):
        raise Forbidden("Chỉ cán bộ thi đua của đơn vị được tự chấm điểm cho đơn vị.")
    if unit.id not in _members(bloc_year):
        raise DomainError(f"{unit.name} không phải thành viên của khối năm {bloc_year.year}.")
    if bloc_year.phase not in rules.SELF_OPEN:
        raise Conflict("Khối không ở giai đoạn tự chấm điểm.")
    table = _locked_current(actor, bloc_year)
    return _open_sheet(actor, table, unit.id, Kind.SELF, unit.id)


@transaction.atomic
def open_peer_sheet(actor: Actor, bloc_year: BlocYear, scorer: Unit, scored: Unit
                    ) -> ScoreSheet:
    """A peer sheet of an assigned pair (APPRAISAL phase). RULES.md 13: never itself, never
    a declared conflict — only generated assignments open a sheet."""
    if not can_act_for_unit(actor, scorer.id):
        raise Forbidden("Chỉ cán bộ thi đua của đơn vị được chấm chéo thay cho đơn vị.")
    if scorer.id == scored.id:
        raise Forbidden("Đơn vị không được tự chấm chéo cho chính mình (Quy tắc 13).")
    if bloc_year.phase not in rules.APPRAISAL_OPEN:
        raise Conflict("Khối không ở giai đoạn chấm chéo, thẩm định.")
    table = _locked_current(actor, bloc_year)
    if not PeerAssignment.objects.filter(table=table, scorer_unit=scorer,
                                         scored_unit=scored).exists():
        raise Forbidden(f"{scorer.name} không được phân công chấm chéo {scored.name} "
                        "(Quy tắc 13).")
    return _open_sheet(actor, table, scored.id, Kind.PEER, scorer.id)


def _lock_sheet(sheet: ScoreSheet) -> ScoreSheet:
    return (ScoreSheet.objects.select_for_update(of=("self",))
            .select_related("table__bloc_year__bloc__province").get(pk=sheet.pk))


def _require_editable(actor, sheet: ScoreSheet):
    if rules.can_edit_sheet(actor, sheet):
        return
    if not rules.is_author(actor, sheet):
        raise Forbidden("Bạn không được chấm phiếu này.")
    if sheet.is_submitted:
        raise Conflict("Phiếu chấm đã gửi, không sửa được nữa.")
    raise Conflict("Khối không ở giai đoạn cho phép chấm phiếu này.")


class SheetProblems(DomainError):
    """What is wrong with a sheet's entries, line by line: `by_code` maps a criterion code
    (or the key a forged line came with) to its sentences, so a page shows each beside its
    line. `messages` lists them all, in entry order, for the API."""

    def __init__(self, by_code: dict[str, list[str]]):
        self.by_code = by_code
        super().__init__(*[m for found in by_code.values() for m in found])
        self.fields = [f"scores.{code}" for code, found in by_code.items() for m in found if m]


# What a scorer may send beside the value of a line (set_scores' `entries`).
NOTE, SOURCE, INSUFFICIENT = "note", "source", "insufficient"
# Marks in a score's `raw`: a computed criterion entered by hand while its data is missing,
# and a peer's "không đủ căn cứ" (0 points, its reason in the note).
BY_HAND = "by_hand"
INSUFFICIENT_TEXT = "Không đủ căn cứ"


def may_enter_by_hand(kind: str, method: str) -> bool:
    """A computed criterion whose data is missing may be entered on the sheet: an imported
    figure with its source (self and peer sheets), and on a peer sheet the scorer's own
    score for a target whose progress report is missing — one unit's missing report must
    not block every sheet about it. A unit's own sheet waits for its own report."""
    if method == IMPORTED:
        return kind in (Kind.SELF, Kind.PEER)
    return method == TARGET_FORMULA and kind == Kind.PEER


def _truthy(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "on", "yes", "có")


def _check_entries(sheet: ScoreSheet, loaded: Loaded, entries: dict
                   ) -> tuple[dict[str, Entry], dict[str, list[str]]]:
    """Each entry checked on its own: what to write, and the problems by code. Nothing is
    written here."""
    missing = None
    problems: dict[str, list[str]] = {}
    checked: dict[str, Entry] = {}
    for code, raw in entries.items():
        code = nfc(str(code).strip())
        criterion = loaded.by_code.get(code)
        if criterion is None or criterion.is_section:
            problems.setdefault(code, []).append(f"Bảng tiêu chí không có tiêu chí {code} để chấm.")
            continue
        spec = loaded.spec(code)
        raw = dict(raw)
        note = raw.pop(NOTE, None)
        note = None if note is None else nfc(str(note).strip())
        source = nfc(str(raw.pop(SOURCE, "") or "").strip())
        insufficient = _truthy(raw.pop(INSUFFICIENT, ""))
        typed = {k: v for k, v in raw.items() if v not in (None, "")}
        by_hand = False
        if is_computed(criterion.scoring_method, criterion.params) and (
                sheet.kind != Kind.APPRAISAL):
            if missing is None:
                computed, missing = _computed(loaded, sheet.scored_unit_id)
            if code in missing and may_enter_by_hand(sheet.kind, criterion.scoring_method):
                by_hand = True
            elif not typed and not insufficient and note is not None:
                # A note (or the explanation evidence asks for) beside computed points.
                if code in computed:
                    checked[code] = replace(computed[code], note=note)
                else:
                    problems.setdefault(code, []).append(
                        missing[code] + " Ghi chú được lưu khi đã tính được điểm: hãy báo cáo "
                        "kết quả thực hiện chỉ tiêu trước.")
                continue
            else:
                problems.setdefault(code, []).append(
                    f"Tiêu chí {spec.label}: được tính tự động, không nhập tay.")
                continue
        if insufficient:
            if sheet.kind != Kind.PEER:
                problems.setdefault(code, []).append(
                    f"Tiêu chí {spec.label}: chỉ phiếu chấm chéo được ghi "
                    f"“{INSUFFICIENT_TEXT}”.")
            elif typed:
                problems.setdefault(code, []).append(
                    f"Tiêu chí {spec.label}: đã chọn “{INSUFFICIENT_TEXT}” thì không nhập điểm.")
            elif not note:
                problems.setdefault(code, []).append(
                    f"Tiêu chí {spec.label}: ghi rõ lý do “{INSUFFICIENT_TEXT}” ở ô ghi chú.")
            else:
                checked[code] = Entry(Fraction(0), {INSUFFICIENT: "1"}, note)
            continue
        try:
            points = points_for(spec, raw)
        except ScoringError as exc:
            problems.setdefault(code, []).append(str(exc))
            continue
        stored = {k: str(v) for k, v in raw.items()}
        if by_hand:
            stored[BY_HAND] = "1"
            if criterion.scoring_method == IMPORTED:
                if not source:
                    problems.setdefault(code, []).append(
                        f"Tiêu chí {spec.label}: ghi rõ nguồn số liệu (hệ thống, văn bản công "
                        "bố) bên cạnh số liệu nhập.")
                    continue
                stored[SOURCE] = source
        checked[code] = Entry(points, stored, note)
    return checked, problems


def _begin_edit(actor, sheet: ScoreSheet, reason: str) -> tuple[ScoreSheet, Loaded, str]:
    sheet = _lock_sheet(sheet)
    _require_editable(actor, sheet)
    _require_latest(sheet.table)
    reason = nfc(reason.strip())
    if sheet.kind == Kind.APPRAISAL and not reason:
        raise DomainError("Thay đổi điểm khi thẩm định phải ghi rõ lý do (Quy tắc 12).")
    return sheet, load_table(sheet.table), reason


def _action(sheet: ScoreSheet) -> str:
    return "scoring.appraisal.change" if sheet.kind == Kind.APPRAISAL else "scoring.score.set"


@transaction.atomic
def set_scores(actor: Actor, sheet: ScoreSheet, entries: dict, *, reason: str = "") -> ScoreSheet:
    """Scores typed by the sheet's author: `entries` maps criterion code → raw input
    (see methods.points_for), optionally with "note"; "source" beside an imported figure
    entered by hand; "insufficient" (a peer's “không đủ căn cứ”, its reason in the note).
    All are checked before any is written; a problem raises SheetProblems, line by line.
    On an appraisal sheet every change needs `reason` (RULES.md 12)."""
    sheet, loaded, reason = _begin_edit(actor, sheet, reason)
    checked, problems = _check_entries(sheet, loaded, entries)
    if problems:
        raise SheetProblems(problems)
    _write(actor, sheet, loaded, checked, reason=reason, action=_action(sheet))
    return sheet


def _verdicts(files) -> tuple[list, list[str]]:
    if not files:
        return [], ["Chưa chọn tệp minh chứng."]
    verdicts = [(upload, classify(upload.name, upload.content,
                                  django_settings.EVIDENCE_MAX_BYTES)) for upload in files]
    return verdicts, [verdict.error for _, verdict in verdicts if verdict.error]


@transaction.atomic
def save_sheet(actor: Actor, sheet: ScoreSheet, entries: dict, *, files: dict | None = None,
               reason: str = "") -> ScoreSheet:
    """One save for a whole sheet: every line's entry (as set_scores) and, on a
    self-assessment, evidence files by criterion code. Everything is checked first; one
    problem anywhere and nothing is written (SheetProblems, line by line)."""
    sheet, loaded, reason = _begin_edit(actor, sheet, reason)
    checked, problems = _check_entries(sheet, loaded, entries)
    files = {nfc(str(code).strip()): uploads for code, uploads in (files or {}).items()}
    if files:
        scored = set(Score.objects.filter(sheet=sheet).values_list("criterion__code", flat=True))
        computed = None
        for code, uploads in files.items():
            criterion = loaded.by_code.get(code)
            if criterion is None or criterion.is_section:
                problems.setdefault(code, []).append(
                    f"Bảng tiêu chí không có tiêu chí {code} để gắn minh chứng.")
                continue
            if sheet.kind != Kind.SELF:
                problems.setdefault(code, []).append("Minh chứng chỉ gắn với phiếu tự chấm điểm.")
                continue
            problems.setdefault(code, []).extend(_verdicts(uploads)[1])
            if code not in scored and code not in checked:
                if computed is None:
                    computed = _computed(loaded, sheet.scored_unit_id)[0]
                if code in computed:
                    checked[code] = computed[code]
                else:
                    problems.setdefault(code, []).append(
                        f"Tiêu chí {loaded.spec(code).label}: hãy chấm điểm trước khi gắn "
                        "minh chứng.")
    problems = {code: found for code, found in problems.items() if found}
    if problems:
        raise SheetProblems(problems)
    _write(actor, sheet, loaded, checked, reason=reason, action=_action(sheet))
    for code, uploads in files.items():
        attach_evidence(actor, sheet, code, uploads)
    return sheet


def attach_evidence(actor: Actor, sheet: ScoreSheet, code: str, files) -> list[ScoreEvidence]:
    """Evidence files behind a self-assessment score (RULES.md 12), checked like pledge
    evidence (type by content, size); nothing kept unless every file is accepted. `files`
    are uploads with `name` and `content` (pledges.services.Upload). A computed criterion
    (I.1's target formula) takes its files once its points can be computed."""
    sheet = ScoreSheet.objects.select_related("table__bloc_year__bloc").get(pk=sheet.pk)
    _require_editable(actor, sheet)
    if sheet.kind != Kind.SELF:
        raise DomainError("Minh chứng chỉ gắn với phiếu tự chấm điểm.")
    score = Score.objects.filter(sheet=sheet, criterion__code=code).first()
    if score is None:
        loaded = load_table(sheet.table)
        criterion = loaded.by_code.get(code)
        computed, missing = (_computed(loaded, sheet.scored_unit_id) if criterion is not None
                             else ({}, {}))
        if code in computed:
            with transaction.atomic():
                _write(actor, _lock_sheet(sheet), loaded, {code: computed[code]},
                       action="scoring.score.computed")
            score = Score.objects.get(sheet=sheet, criterion__code=code)
        else:
            raise DomainError(missing.get(code) or
                              f"Hãy chấm điểm tiêu chí {code} trước khi gắn minh chứng.")
    verdicts, problems = _verdicts(files)
    if problems:
        raise DomainError(*problems)
    stored, created = [], []
    try:
        with transaction.atomic():
            for upload, verdict in verdicts:
                evidence = ScoreEvidence(
                    score=score, unit_id=sheet.scored_unit_id,
                    original_name=nfc(upload.name)[-255:], kind=verdict.kind,
                    size=len(upload.content), sha256=hashlib.sha256(upload.content).hexdigest(),
                    uploaded_by=_user(actor))
                evidence.file.save("evidence", ContentFile(upload.content), save=False)
                stored.append(evidence.file.name)
                evidence.save()
                created.append(evidence)
            audit.record(actor, "scoring.evidence.add", sheet,
                         province_id=_province_id(sheet.table.bloc_year),
                         after={"criterion": code, "evidence": [e.sha256 for e in created]})
    except BaseException:
        storage = ScoreEvidence.file.field.storage
        for name in stored:
            storage.delete(name)
        raise
    return created


@transaction.atomic
def submit_sheet(actor: Actor, sheet: ScoreSheet) -> ScoreSheet:
    """Submit (and so unseal) a sheet: every leaf scored, computed criteria current, and
    on a self-assessment each criterion that requires evidence has a file or a note
    (RULES.md 12). Problems are listed, criterion by criterion; nothing changes."""
    sheet = _lock_sheet(sheet)
    _require_editable(actor, sheet)
    _require_latest(sheet.table)
    loaded = load_table(sheet.table)
    scores = {s.criterion_id: s for s in Score.objects.filter(sheet=sheet)}
    problems, told = [], set()
    if sheet.kind != Kind.APPRAISAL:  # the appraiser's corrections are not overwritten
        computed, missing = _computed(loaded, sheet.scored_unit_id)
        for code, sentence in missing.items():
            criterion = loaded.by_code[code]
            if not may_enter_by_hand(sheet.kind, criterion.scoring_method):
                problems.append(sentence)
                told.add(code)
            elif criterion.id not in scores:  # entered by hand, or "không đủ căn cứ"
                problems.append(sentence + (
                    " Hãy nhập số liệu và ghi nguồn." if criterion.scoring_method == IMPORTED
                    else "") + (f" Có thể ghi “{INSUFFICIENT_TEXT}” kèm lý do."
                                if sheet.kind == Kind.PEER else ""))
                told.add(code)
        # Rolled back with the rest if anything below is refused.
        _write(actor, sheet, loaded, computed, action="scoring.score.computed")
        scores = {s.criterion_id: s for s in Score.objects.filter(sheet=sheet)}
    with_evidence = set(ScoreEvidence.objects.filter(score__sheet=sheet)
                        .values_list("score__criterion_id", flat=True))
    for criterion in loaded.leaves:
        score = scores.get(criterion.id)
        label = loaded.spec(criterion.code).label
        if criterion.code in told:
            continue
        if score is None:
            problems.append(f"Tiêu chí {label}: chưa chấm điểm.")
        elif (sheet.kind == Kind.SELF and criterion.evidence_required
              and criterion.id not in with_evidence and not score.note.strip()):
            problems.append(f"Tiêu chí {label}: cần tệp minh chứng hoặc ghi chú giải trình "
                            "(Quy tắc 12).")
    if problems:
        raise DomainError(*problems)
    sheet.status = Status.SUBMITTED
    sheet.submitted_at = timezone.now()
    sheet.submitted_by = _user(actor)
    sheet.save(update_fields=["status", "submitted_at", "submitted_by"])
    audit.record(actor, "scoring.sheet.submit", sheet,
                 province_id=_province_id(sheet.table.bloc_year),
                 before={"status": Status.DRAFT},
                 after={"status": sheet.status, "total": sheet.total, "bonus": sheet.bonus,
                        "penalty": sheet.penalty, "final": sheet.final})
    return sheet


def find_sheet(actor: Actor, sheet_id: int) -> ScoreSheet:
    """A sheet this actor may read (sealed sheets of others are simply not found)."""
    sheet = (ScoreSheet.objects.select_related("table__bloc_year__bloc__province",
                                               "scored_unit", "scorer_unit")
             .filter(pk=sheet_id).first())
    if sheet is None or not rules.can_view_sheet(actor, sheet, is_published(sheet.table)):
        raise NotFound("Không tìm thấy phiếu chấm.")
    return sheet


def is_published(table: CriteriaTable) -> bool:
    return PublishedRanking.objects.filter(table=table).exists()


# --- cross-scoring assignments and conflicts (RULES.md 13) ----------------------------------

@transaction.atomic
def declare_conflict(actor: Actor, bloc_year: BlocYear, unit: Unit, other: Unit,
                     reason: str) -> ConflictDeclaration:
    """A conflict of interest: neither unit scores the other. Draft peer sheets between
    them are withdrawn; a submitted one cannot be, so the declaration is refused."""
    if not rules.can_declare_conflict(actor, bloc_year, unit.id):
        raise Forbidden("Chỉ đơn vị liên quan hoặc Trưởng khối được khai báo xung đột lợi ích.")
    members = _members(bloc_year)
    if unit.id == other.id or not {unit.id, other.id} <= members:
        raise DomainError("Xung đột lợi ích khai báo giữa hai đơn vị khác nhau của khối.")
    if not reason.strip():
        raise DomainError("Ghi rõ lý do xung đột lợi ích.")
    pair = [(unit.id, other.id), (other.id, unit.id)]
    sheets = ScoreSheet.objects.filter(table__bloc_year=bloc_year, kind=Kind.PEER)
    between = [s for s in sheets if (s.scorer_unit_id, s.scored_unit_id) in pair]
    if any(s.is_submitted for s in between):
        raise Conflict(f"{unit.name} và {other.name} đã gửi phiếu chấm chéo cho nhau; đề nghị "
                       "Trưởng khối xem xét.")
    try:
        with transaction.atomic():
            declaration = ConflictDeclaration.objects.create(
                bloc_year=bloc_year, unit=unit, other_unit=other, reason=nfc(reason.strip()),
                declared_by=_user(actor))
    except IntegrityError as exc:
        raise Conflict("Xung đột lợi ích này đã được khai báo.") from exc
    for sheet in between:
        sheet.delete()
    PeerAssignment.objects.filter(table__bloc_year=bloc_year, scorer_unit=unit,
                                  scored_unit=other).delete()
    PeerAssignment.objects.filter(table__bloc_year=bloc_year, scorer_unit=other,
                                  scored_unit=unit).delete()
    audit.record(actor, "scoring.conflict.declare", declaration,
                 province_id=_province_id(bloc_year),
                 after={"unit": unit.id, "other_unit": other.id}, reason=declaration.reason)
    return declaration


def _conflicts(bloc_year) -> list[tuple[int, int]]:
    return list(ConflictDeclaration.objects.filter(bloc_year=bloc_year)
                .values_list("unit_id", "other_unit_id"))


@transaction.atomic
def generate_assignments(actor: Actor, bloc_year: BlocYear, allowed=None) -> int:
    """Everyone scores everyone else (or the configured subset `allowed` of (scorer,
    scored) pairs), never itself, declared conflicts excluded. Idempotent: rerunning after
    a conflict or a membership change adds and removes only what changed."""
    _require_runner(actor, bloc_year, "phân công chấm chéo")
    if bloc_year.phase not in rules.SELF_OPEN | rules.APPRAISAL_OPEN:
        raise Conflict("Chỉ phân công chấm chéo trong giai đoạn tự chấm hoặc chấm chéo.")
    table = _locked_current(actor, bloc_year)
    wanted = peer_pairs(_members(bloc_year), _conflicts(bloc_year), allowed)
    have = {(a.scorer_unit_id, a.scored_unit_id): a for a in table.assignments.all()}
    stale = set(have) - wanted
    started = ScoreSheet.objects.filter(table=table, kind=Kind.PEER, status=Status.SUBMITTED)
    if any((s.scorer_unit_id, s.scored_unit_id) in stale for s in started):
        raise Conflict("Có phiếu chấm chéo đã gửi không còn trong phân công mới.")
    PeerAssignment.objects.filter(id__in=[have[p].id for p in stale]).delete()
    drafts = ScoreSheet.objects.filter(table=table, kind=Kind.PEER, status=Status.DRAFT)
    ScoreSheet.objects.filter(id__in=[s.id for s in drafts
                                      if (s.scorer_unit_id, s.scored_unit_id) in stale]).delete()
    PeerAssignment.objects.bulk_create(
        PeerAssignment(table=table, scorer_unit_id=a, scored_unit_id=b)
        for a, b in sorted(wanted - set(have)))
    audit.record(actor, "scoring.assignments.generate", table,
                 province_id=_province_id(bloc_year),
                 after={"pairs": len(wanted), "added": len(wanted - set(have)),
                        "removed": len(stale)})
    return len(wanted)


# --- appraisal ------------------------------------------------------------------------------

@transaction.atomic
def open_appraisal(actor: Actor, bloc_year: BlocYear, unit: Unit) -> ScoreSheet:
    """The appraisal sheet of a unit, starting from its submitted self-assessment: the
    appraiser changes what needs changing, each change with a reason (RULES.md 12)."""
    _require_runner(actor, bloc_year, "thẩm định")
    if bloc_year.phase not in rules.APPRAISAL_OPEN:
        raise Conflict("Khối không ở giai đoạn chấm chéo, thẩm định.")
    table = _locked_current(actor, bloc_year)
    existing = ScoreSheet.objects.filter(table=table, scored_unit=unit,
                                         kind=Kind.APPRAISAL).first()
    if existing:
        return existing
    own = ScoreSheet.objects.filter(table=table, scored_unit=unit, kind=Kind.SELF,
                                    status=Status.SUBMITTED).first()
    if own is None:
        raise Conflict(f"{unit.name} chưa gửi phiếu tự chấm điểm; chưa thẩm định được.")
    sheet = ScoreSheet.objects.create(table=table, scored_unit=unit, kind=Kind.APPRAISAL,
                                      total=own.total, bonus=own.bonus, penalty=own.penalty,
                                      final=own.final)
    Score.objects.bulk_create(Score(sheet=sheet, criterion_id=s.criterion_id, points=s.points,
                                    raw=s.raw, note=s.note, updated_by=s.updated_by)
                              for s in own.scores.all())
    SectionScore.objects.bulk_create(SectionScore(sheet=sheet, section_id=s.section_id,
                                                  points=s.points)
                                     for s in own.section_scores.all())
    audit.record(actor, "scoring.appraisal.open", sheet, province_id=_province_id(bloc_year),
                 after={"scored_unit": unit.id, "from_self_sheet": own.id, "final": own.final})
    return sheet


def appraise(actor: Actor, sheet: ScoreSheet, code: str, raw: dict, reason: str) -> ScoreSheet:
    """One appraisal change: old, new, reason, author stored (ScoreChange) and audited."""
    if sheet.kind != Kind.APPRAISAL:
        raise DomainError("Chỉ sửa điểm thẩm định trên phiếu thẩm định.")
    return set_scores(actor, sheet, {code: raw}, reason=reason)


# --- version change: carry sheets over -------------------------------------------------------

def _carry_over(actor, old: CriteriaTable, new: CriteriaTable):
    """Sheets of the previous version move to the new one as drafts: a score is kept where
    the criterion has the same code and method and the points are still valid; the rest
    is to be scored again. Assignments follow, recusal rechecked."""
    old_loaded, new_loaded = load_table(old), load_table(new)
    members = _members(new.bloc_year)
    wanted = peer_pairs(members, _conflicts(new.bloc_year))
    PeerAssignment.objects.bulk_create(
        PeerAssignment(table=new, scorer_unit_id=a.scorer_unit_id, scored_unit_id=a.scored_unit_id)
        for a in old.assignments.all() if (a.scorer_unit_id, a.scored_unit_id) in wanted)
    for sheet in old.sheets.prefetch_related("scores"):
        fresh = ScoreSheet.objects.create(table=new, scored_unit_id=sheet.scored_unit_id,
                                          kind=sheet.kind, scorer_unit_id=sheet.scorer_unit_id)
        entries = {}
        for score in sheet.scores.all():
            code = old_loaded.by_id[score.criterion_id].code
            target = new_loaded.by_code.get(code)
            if target is None or target.is_section or (
                    target.scoring_method != old_loaded.by_code[code].scoring_method):
                continue
            spec, points = new_loaded.spec(code), Fraction(score.points)
            if points > spec.max_points or (spec.method == GRADED and points not in grades(spec)):
                continue
            entries[code] = Entry(points, score.raw, score.note)
        _write(actor, fresh, new_loaded, entries, action="scoring.score.carry_over")


# --- aggregation, ranking, publication -------------------------------------------------------

@dataclass(frozen=True)
class RankingReport:
    table: CriteriaTable
    settings: ScoringSettings
    results: dict  # unit id → UnitResult
    ranking: ranking.Ranking
    stability: dict  # other method → [RankShift]
    section_codes: tuple


# The ranking reads only the sheets' maintained sums, as integer hundredths computed by the
# database (no Decimal per value, no model instances), and the table's section codes: it
# is the hot path of every ranking page and of the national benchmark (DESIGN.md "Speed
# by design"), so the few statements are plain SQL on one cursor.
_HUNDREDTHS_CACHE: dict[int, Fraction] = {}


def _exact(hundredths: int) -> Fraction:
    """hundredths / 100 as a Fraction, shared for the values seen before (sums of 2-decimal
    points repeat a lot: a national ranking builds hundreds of thousands of them)."""
    value = _HUNDREDTHS_CACHE.get(hundredths)
    if value is None:
        value = Fraction(hundredths, 100)
        if len(_HUNDREDTHS_CACHE) < 200_000:
            _HUNDREDTHS_CACHE[hundredths] = value
    return value


def _h(column: str) -> str:
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


# Table names come from the models and every value is a parameter.
_SUMS_SQL = " ".join([  # noqa: S608
    "SELECT sh.table_id, sh.id, sh.scored_unit_id, sh.kind,",
    f"{_h('sh.final')}, {_h('sh.bonus')}, {_h('sh.penalty')}, ss.section_id, {_h('ss.points')}",
    f"FROM {ScoreSheet._meta.db_table} sh",
    f"LEFT JOIN {SectionScore._meta.db_table} ss ON ss.sheet_id = sh.id",
    "WHERE sh.status = %s AND sh.table_id IN ({tables})"])
_SECTIONS_SQL = " ".join([
    f"SELECT table_id, id, code FROM {Criterion._meta.db_table}",  # noqa: S608
    "WHERE is_section = %s AND table_id IN ({tables}) ORDER BY table_id, position, id"])
_MEMBERS_SQL = " ".join([
    f"SELECT bloc_year_id, unit_id FROM {Membership._meta.db_table}",  # noqa: S608
    "WHERE bloc_year_id IN ({ids})"])


def _in(values) -> str:
    return ", ".join(["%s"] * len(values))


class _Sums:
    """Many tables' submitted sheets and section sums, read in three statements: the
    core's inputs for each bloc (`units`) and each table's section codes (`codes`)."""

    def __init__(self, tables: dict):  # bloc year id → CriteriaTable
        self.codes: dict[int, dict] = {}  # table id → {section id: code}, in table order
        self.members: dict[int, set] = {}  # bloc year id → unit ids
        self.sheets: dict[int, list] = {}  # table id → [(id, unit, kind, final, bonus, pen)]
        self.sections: dict[int, dict] = {}  # sheet id → {section code: Fraction}
        table_ids = [t.id for t in tables.values()]
        if not table_ids:
            return
        with connection.cursor() as cursor:
            cursor.execute(_SECTIONS_SQL.format(tables=_in(table_ids)), [True, *table_ids])
            for table_id, criterion_id, code in cursor.fetchall():
                self.codes.setdefault(table_id, {})[criterion_id] = code
            cursor.execute(_MEMBERS_SQL.format(ids=_in(tables)), list(tables))
            for bloc_year_id, unit_id in cursor.fetchall():
                self.members.setdefault(bloc_year_id, set()).add(unit_id)
            cursor.execute(_SUMS_SQL.format(tables=_in(table_ids)),
                           [Status.SUBMITTED, *table_ids])
            rows = cursor.fetchall()
        codes = {i: code for table_codes in self.codes.values() for i, code in table_codes.items()}
        seen = set()
        for table_id, sheet_id, unit_id, kind, final, bonus, penalty, section, points in rows:
            if sheet_id not in seen:
                seen.add(sheet_id)
                self.sheets.setdefault(table_id, []).append(
                    (sheet_id, unit_id, kind, final, bonus, penalty))
            if section is not None:
                self.sections.setdefault(sheet_id, {})[codes[section]] = _exact(points)

    def section_codes(self, table) -> tuple:
        return tuple(self.codes.get(table.id, {}).values())

    def units(self, bloc_year_id: int, table) -> list:
        return _unit_values(frozenset(self.members.get(bloc_year_id, ())),
                            self.sheets.get(table.id, []), self.sections)


def unit_sheets(table: CriteriaTable) -> list:
    """Every member's submitted sheets as the core's values: three statements whatever
    the size of the bloc (the sheets' maintained totals and section sums, never the
    cells)."""
    return _Sums({table.bloc_year_id: table}).units(table.bloc_year_id, table)


def _unit_values(members, sheets, sections) -> list:
    """The core's values of a bloc's members from its submitted sheets' maintained
    figures: `sheets` rows (id, scored unit, kind, final, bonus, penalty) in hundredths,
    `sections` {sheet id: {section code: points}}."""
    peers: dict[int, list] = {u: [] for u in members}
    appraisal, own = {}, {}
    for sheet_id, unit_id, kind, final, bonus, penalty in sheets:
        if unit_id not in members:
            continue
        values = aggregation.SheetValues(_exact(final), _exact(bonus), _exact(penalty),
                                         sections.get(sheet_id, {}))
        if kind == Kind.PEER:
            peers[unit_id].append(values)
        elif kind == Kind.APPRAISAL:
            appraisal[unit_id] = values
        else:
            own[unit_id] = values
    return [aggregation.UnitSheets(u, tuple(peers[u]), appraisal.get(u), own.get(u))
            for u in sorted(members)]


def compute_ranking(bloc_year: BlocYear, settings: ScoringSettings | None = None
                    ) -> RankingReport:
    """The ranking as it stands, with the stability check (no writes)."""
    return _rankings([bloc_year], settings).get(bloc_year.id) or _no_table()


def _no_table():
    raise Conflict("Khối chưa có bảng tiêu chí chấm điểm năm này.")


def compute_rankings(bloc_years) -> dict[int, RankingReport]:
    """The rankings of many bloc years at once (a province's, the nation's): each exactly
    what `compute_ranking` gives, but every bloc's maintained totals are read in four
    statements whatever their number. Keyed by bloc year id; bloc years without a table
    are left out. The rulebook settings are read once per province."""
    return _rankings(bloc_years)


def _rankings(bloc_years, settings: ScoringSettings | None = None) -> dict:
    bloc_years = {b.id: b for b in bloc_years}
    tables: dict[int, CriteriaTable] = {}
    for table in CriteriaTable.objects.filter(bloc_year_id__in=list(bloc_years)).order_by(
            "bloc_year_id", "-version"):
        tables.setdefault(table.bloc_year_id, table)
    sums = _Sums(tables)
    settings_of: dict[int, ScoringSettings] = {}
    reports = {}
    for bloc_year_id, table in tables.items():
        bloc_year = bloc_years[bloc_year_id]
        table.bloc_year = bloc_year
        province = bloc_year.bloc.province_id
        if settings is not None:
            settings_of[province] = settings
        elif province not in settings_of:
            settings_of[province] = scoring_settings(bloc_year)
        reports[bloc_year_id] = _report(table, settings_of[province],
                                        sums.section_codes(table),
                                        sums.units(bloc_year_id, table))
    return reports


def _report(table, settings: ScoringSettings, codes: tuple, units) -> RankingReport:
    problems = ranking.check_chain(settings.tie_break_chain)
    if problems:
        raise DomainError(*problems)
    if settings.aggregation in aggregation.AGGREGATIONS:
        every = aggregation.unit_results_all(units, codes)  # one pass for all four methods
        results = every[settings.aggregation]
        ranked = ranking.rank(results, settings.tie_break_chain)
    else:  # the core refuses an unknown method with its own sentence
        every = None
        results, ranked = ranking.rank_by(settings.aggregation, units, codes,
                                          settings.tie_break_chain)
    shifts = ranking.stability(settings.aggregation, units, codes, settings.tie_break_chain,
                               base=ranked, results=every)
    return RankingReport(table, settings, {r.unit_id: r for r in results}, ranked, shifts,
                         codes)


def _fraction_text(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


@transaction.atomic
def publish_ranking(actor: Actor, bloc_year: BlocYear) -> PublishedRanking:
    """Store the ranking as published. Refused while a member has no final score (nothing
    decided silently, RULES.md 14): the units are named. Ties are published as ties."""
    _require_runner(actor, bloc_year, "công bố kết quả xếp hạng")
    if bloc_year.phase not in rules.PUBLISH_OPEN:
        raise Conflict("Chỉ công bố xếp hạng trong giai đoạn chấm chéo, thẩm định hoặc hội "
                       "nghị tổng kết.")
    report = compute_ranking(bloc_year)
    if report.ranking.missing:
        names = dict(Unit.objects.filter(id__in=report.ranking.missing)
                     .values_list("id", "name"))
        raise Conflict("Chưa đủ điểm để xếp hạng (Quy tắc 14): " + ", ".join(
            names[u] for u in report.ranking.missing) + " chưa có điểm thẩm định hoặc phiếu "
            "chấm chéo nào đã gửi.")
    published = PublishedRanking.objects.create(
        table=report.table, published_at=timezone.now(), published_by=_user(actor),
        aggregation=report.settings.aggregation,
        tie_break_chain=list(report.settings.tie_break_chain))
    rows = []
    for row in report.ranking.rows:
        result = report.results[row.unit_id]
        rows.append(RankingRow(
            ranking=published, unit_id=row.unit_id, rank=row.rank,
            final_numerator=row.final.numerator, final_denominator=row.final.denominator,
            tied=row.tied, tie_needs=row.tie_needs, decided_by=row.decided_by,
            method=result.method, trimmed=result.trimmed, peer_count=result.peer_count,
            figures={"sections": {c: _fraction_text(v) for c, v in result.sections.items()},
                     "bonus": _fraction_text(result.bonus),
                     "penalty": _fraction_text(result.penalty),
                     "spread": _fraction_text(result.spread),
                     "self_final": _fraction_text(result.self_final)}))
    RankingRow.objects.bulk_create(rows)
    audit.record(actor, "scoring.ranking.publish", published,
                 province_id=_province_id(bloc_year),
                 after={"aggregation": published.aggregation,
                        "tie_break_chain": published.tie_break_chain,
                        "settings_source": report.settings.source,
                        "ranks": [[r.unit_id, r.rank, _fraction_text(r.final), r.tied]
                                  for r in report.ranking.rows]})
    return published


# --- reminders of what is missing -------------------------------------------------------------

@dataclass(frozen=True)
class ReminderOutcome:
    sent: list  # Reminder rows written (one e-mail each)
    too_soon: list  # units reminded less than the interval ago (nothing sent)
    no_address: list  # units with something missing but no officer e-mail address


def missing_by_unit(bloc_year: BlocYear, table: CriteriaTable) -> dict[int, list[str]]:
    """What each member still has to do, in sentences: its self-assessment, then each
    peer sheet it was assigned, in the order of the scored units' names. Statuses only
    (sheets stay sealed). Units with nothing missing are left out. Three queries."""
    members = {u.id: u for u in Unit.objects.filter(memberships__bloc_year=bloc_year)}
    own, peer = {}, {}
    for kind, scored, scorer, state in ScoreSheet.objects.filter(table=table).values_list(
            "kind", "scored_unit_id", "scorer_unit_id", "status"):
        if kind == Kind.SELF:
            own[scored] = state
        elif kind == Kind.PEER:
            peer[(scorer, scored)] = state
    missing: dict[int, list[str]] = {}
    for unit in sorted(members.values(), key=lambda u: u.sort_key):
        state = own.get(unit.id)
        if state != Status.SUBMITTED:
            missing.setdefault(unit.id, []).append(
                "Phiếu tự chấm điểm: " + ("đang chấm, chưa gửi." if state else "chưa mở."))
    assignments = sorted(PeerAssignment.objects.filter(table=table).values_list(
        "scorer_unit_id", "scored_unit_id"), key=lambda a: (members[a[1]].sort_key
                                                            if a[1] in members else ""))
    for scorer, scored in assignments:
        state = peer.get((scorer, scored))
        if scorer in members and scored in members and state != Status.SUBMITTED:
            missing.setdefault(scorer, []).append(
                f"Phiếu chấm chéo {members[scored].name}: "
                + ("đang chấm, chưa gửi." if state else "chưa chấm."))
    return missing


def reminder_mail(bloc_year: BlocYear, unit: Unit, missing: list[str], link: str
                  ) -> tuple[str, str]:
    """Subject and body of the reminder e-mail (Vietnamese, plain text)."""
    bloc, year = bloc_year.bloc.name, bloc_year.emulation_year.year
    lines = [f"Kính gửi cán bộ thi đua {unit.name},", "",
             f"Đến nay đơn vị còn thiếu các phiếu chấm điểm sau trong {bloc} năm {year}:"]
    lines += [f"- {item}" for item in missing]
    if link:
        lines += ["", f"Đề nghị đơn vị hoàn thành và gửi phiếu tại: {link}"]
    leader = bloc_year.leader_unit.name if bloc_year.leader_unit_id else ""
    lines += ["", f"Đơn vị Trưởng khối{': ' + leader if leader else ''}."]
    return f"Nhắc nhở chấm điểm thi đua — {bloc} năm {year}", "\n".join(lines) + "\n"


def send_reminders(actor: Actor, bloc_year: BlocYear, *, link: str = "") -> ReminderOutcome:
    """E-mail each member unit's officers what it is still missing (RULES.md 13: statuses
    only, never a sealed sheet's scores), record each reminder and audit it. A unit
    reminded less than SCORING_REMINDER_INTERVAL_HOURS ago is skipped. The bloc year row
    is locked, so two clicks at once cannot both send. If the mail server refuses, the
    error propagates and nothing is recorded."""
    from django.core import mail

    _require_runner(actor, bloc_year, "gửi nhắc nhở")
    with transaction.atomic():
        bloc_year = (BlocYear.objects.select_for_update(of=("self",))
                     .select_related("bloc__province", "emulation_year", "leader_unit")
                     .get(pk=bloc_year.pk))
        table = current_table(bloc_year)
        if table is None:
            raise Conflict("Khối chưa có bảng tiêu chí chấm điểm năm này.")
        missing = missing_by_unit(bloc_year, table)
        now = timezone.now()
        since = now - datetime.timedelta(hours=django_settings.SCORING_REMINDER_INTERVAL_HOURS)
        recent = set(Reminder.objects.filter(bloc_year=bloc_year, unit_id__in=list(missing),
                                             sent_at__gt=since).values_list("unit_id", flat=True))
        addresses: dict[int, list[str]] = {}
        for unit_id, email in (RoleAssignment.objects.filter(
                role=Role.UNIT_OFFICER, unit_id__in=list(missing), user__is_active=True)
                .exclude(user__email="").order_by("user__email")
                .values_list("unit_id", "user__email")):
            if email not in addresses.setdefault(unit_id, []):
                addresses[unit_id].append(email)
        units = Unit.objects.in_bulk(list(missing))
        outcome = ReminderOutcome([], [], [])
        messages = []
        for unit_id, items in missing.items():
            unit = units[unit_id]
            if unit_id in recent:
                outcome.too_soon.append(unit)
                continue
            if not addresses.get(unit_id):
                outcome.no_address.append(unit)
                continue
            reminder = Reminder.objects.create(
                bloc_year=bloc_year, unit=unit, sent_at=now, sent_by=_user(actor),
                recipients=addresses[unit_id], missing=items)
            audit.record(actor, "scoring.reminder.send", reminder,
                         province_id=_province_id(bloc_year),
                         after={"unit": unit.code, "recipients": reminder.recipients,
                                "missing": items})
            subject, body = reminder_mail(bloc_year, unit, items, link)
            messages.append(mail.EmailMessage(subject, body, to=reminder.recipients))
            outcome.sent.append(reminder)
        if messages:
            mail.mailers.default.send_messages(messages)
    return outcome
