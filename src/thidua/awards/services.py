"""Awards services: the imperative shell around law (load, check, write, audit).

Views, the API and the demo loader call these; none of them reimplements a rule.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from thidua.awards import rules
from thidua.awards.models import Award, FactsEvidence, UnitYearFacts
from thidua.core import audit
from thidua.core.dates import short_date
from thidua.core.errors import Conflict, DomainError, Forbidden
from thidua.core.evidence import check_files, storing
from thidua.core.text import nfc, tidy
from thidua.law import facts as core
from thidua.law.award_forms import AwardForm, label_for
from thidua.law.bonus import Bonus, bonus_points, lineage_bonus
from thidua.law.eligibility import Eligibility, check_eligibility
from thidua.law.rulebooks import Library, rulebook_for
from thidua.org import lineage
from thidua.org.models import BlocYear, EmulationYear, Membership, Unit
from thidua.org.rules import Actor
from thidua.pledges.models import Registration

_BOOLS = ("targets_exceeded", "negative_inspection", "new_model",
          "thrift_anti_corruption_lead")
_COUNTS = ("member_count", "completed_count", "advanced_worker_count",
           "emulation_soldier_count")
_CHOICES = {"task_rating": core.Rating, "party_rating": core.Rating,
            "discipline_level": core.DisciplineLevel,
            "union_rating": core.OrganisationRating,
            "youth_union_rating": core.OrganisationRating,
            "pending_matter": core.PendingMatter}
_TEXTS = ("pending_matter_detail",)
_DATES = ("discipline_ended_on",)
MAX_TEXT = 4000


def facts_snapshot(facts: UnitYearFacts) -> dict:
    data = {name: getattr(facts, name) for name in UnitYearFacts.FACT_FIELDS}
    data.update(note=facts.note, confirmed_as=facts.confirmed_as,
                confirmed_by=facts.confirmed_by_id, state=facts.state,
                return_reason=facts.return_reason)
    return data


def _bloc_year(unit: Unit, emulation_year: EmulationYear) -> BlocYear:
    membership = (Membership.objects.select_related("bloc_year__bloc")
                  .filter(unit=unit, emulation_year=emulation_year).first())
    if membership is None:
        raise DomainError(f"{unit.name} chưa thuộc khối nào trong năm {emulation_year.year}.")
    return membership.bloc_year


def _clean(values: dict) -> dict:
    """Check the shape of each entered value; '' and None both mean "not known"."""
    unknown = set(values) - set(UnitYearFacts.FACT_FIELDS)
    if unknown:
        raise DomainError("Không có trường số liệu: " + ", ".join(sorted(unknown)) + ".")
    cleaned, errors = {}, []
    for name, value in values.items():
        if name in _BOOLS:
            if value is not None and not isinstance(value, bool):
                errors.append(f"Trường {name} chỉ nhận có / không / chưa rõ.")
            cleaned[name] = value
        elif name in _TEXTS:
            if value is not None and not isinstance(value, str):
                errors.append(f"Trường {name} phải là văn bản.")
                continue
            value = tidy(value)
            if len(value) > MAX_TEXT:
                errors.append(f"Trường {name} dài quá {MAX_TEXT} ký tự.")
            cleaned[name] = value
        elif name in _DATES:
            if value is not None and (isinstance(value, datetime.datetime)
                                      or not isinstance(value, datetime.date)):
                errors.append(f"Trường {name} phải là một ngày.")
            cleaned[name] = value
        elif name in _COUNTS:
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < 0):
                errors.append(f"Trường {name} phải là số nguyên không âm.")
            cleaned[name] = value
        else:
            value = value or ""
            if not isinstance(value, str) or (value and value not in _CHOICES[name].values):
                errors.append(f"Giá trị {value!r} không hợp lệ cho {name}.")
            cleaned[name] = value
    if errors:
        raise DomainError(*errors)
    return cleaned


@transaction.atomic
def enter_facts(actor: Actor, unit: Unit, emulation_year: EmulationYear, values: dict,
                note: str | None = None) -> UnitYearFacts:
    """Enter or change the unit's facts for the year. A change to confirmed facts takes
    the confirmation away: what was confirmed is no longer what is stored."""
    if not rules.can_enter_facts(actor, unit):
        raise Forbidden("Chỉ cán bộ thi đua của đơn vị hoặc Thường trực thi đua tỉnh được "
                        "nhập số liệu của đơn vị.")
    if unit.province_id != emulation_year.province_id:
        raise DomainError("Đơn vị và năm thi đua phải thuộc cùng một tỉnh.")
    _bloc_year(unit, emulation_year)
    cleaned = _clean(values)
    facts = (UnitYearFacts.objects.select_for_update()
             .filter(unit=unit, emulation_year=emulation_year).first())
    created = facts is None
    if created:
        facts = UnitYearFacts(unit=unit, emulation_year=emulation_year)
    before = None if created else facts_snapshot(facts)
    for name, value in cleaned.items():
        setattr(facts, name, value)
    if note is not None:
        if not isinstance(note, str) or len(note) > MAX_TEXT:
            raise DomainError(f"Ghi chú, minh chứng phải là văn bản tối đa {MAX_TEXT} ký tự.")
        facts.note = nfc(note).strip()
    errors = core.facts_errors(facts.as_facts())
    if errors:
        raise DomainError(*errors)
    changed = created or facts_snapshot(facts) != before
    if not changed:
        return facts
    reason = ""
    if facts.is_confirmed:
        facts.confirmed_by, facts.confirmed_at, facts.confirmed_as = None, None, ""
        reason = "Số liệu thay đổi sau khi đã xác nhận: cần xác nhận lại."
    if facts.returned_at:
        # Corrected after a return: back to the leader, the reason kept in the audit log.
        facts.returned_by, facts.returned_at, facts.return_reason = None, None, ""
    facts.entered_by = getattr(actor, "user", None)
    facts.entered_at = timezone.now()
    facts.save()
    audit.record(actor, "awards.facts.enter", facts, province_id=unit.province_id,
                 before=before, after=facts_snapshot(facts), reason=reason)
    return facts


def _lock_for_review(actor: Actor, facts: UnitYearFacts, verb: str):
    locked = (UnitYearFacts.objects.select_for_update()
              .select_related("unit", "emulation_year").get(pk=facts.pk))
    bloc_year = _bloc_year(locked.unit, locked.emulation_year)
    role = rules.confirming_role(actor, locked.unit, bloc_year)
    if role is None:
        if (bloc_year.id in actor.leader_bloc_years
                and locked.unit_id == bloc_year.leader_unit_id):
            raise Forbidden(f"Trưởng khối không tự {verb} số liệu của chính đơn vị mình: "
                            "Thường trực thi đua tỉnh làm việc này.")
        raise Forbidden(f"Chỉ Trưởng khối (với đơn vị khác trong khối) hoặc Thường trực thi "
                        f"đua tỉnh được {verb} số liệu.")
    if locked.is_confirmed:
        raise Conflict(f"Số liệu năm {locked.emulation_year.year} của {locked.unit.name} đã "
                       "được xác nhận.")
    return locked, role


@transaction.atomic
def confirm_facts(actor: Actor, facts: UnitYearFacts) -> UnitYearFacts:
    """The leader (for another member) or the province confirms the unit's facts; from
    then on eligibility reads them. Facts with no evidence — no file and no note — are
    not confirmed: the confirmer would vouch for nothing."""
    locked, role = _lock_for_review(actor, facts, "xác nhận")
    if locked.returned_at:
        raise Conflict(f"Số liệu của {locked.unit.name} đã bị trả lại (lý do: "
                       f"{locked.return_reason}); chờ đơn vị sửa và nhập lại.")
    if not locked.note.strip() and not locked.evidence.exists():
        raise Conflict(f"Số liệu năm {locked.emulation_year.year} của {locked.unit.name} chưa "
                       "có minh chứng (tệp đính kèm hoặc ghi chú): đơn vị cần bổ sung trước "
                       "khi xác nhận.")
    before = facts_snapshot(locked)
    locked.confirmed_by = getattr(actor, "user", None)
    locked.confirmed_at = timezone.now()
    locked.confirmed_as = role
    locked.save(update_fields=["confirmed_by", "confirmed_at", "confirmed_as"])
    audit.record(actor, "awards.facts.confirm", locked, province_id=locked.unit.province_id,
                 before=before, after=facts_snapshot(locked))
    return locked


@transaction.atomic
def return_facts(actor: Actor, facts: UnitYearFacts, reason: str) -> UnitYearFacts:
    """The leader or the province returns the facts to the unit with a reason (trả lại);
    the unit corrects and enters them again."""
    reason = nfc(reason if isinstance(reason, str) else "").strip()
    locked, _ = _lock_for_review(actor, facts, "trả lại")
    if not reason:
        raise DomainError("Cần ghi lý do trả lại số liệu để đơn vị biết phải sửa gì.")
    if len(reason) > MAX_TEXT:
        raise DomainError(f"Lý do trả lại dài quá {MAX_TEXT} ký tự.")
    if locked.returned_at:
        raise Conflict(f"Số liệu của {locked.unit.name} đã bị trả lại; chờ đơn vị nhập lại.")
    before = facts_snapshot(locked)
    locked.returned_by = getattr(actor, "user", None)
    locked.returned_at = timezone.now()
    locked.return_reason = reason
    locked.save(update_fields=["returned_by", "returned_at", "return_reason"])
    audit.record(actor, "awards.facts.return", locked, province_id=locked.unit.province_id,
                 before=before, after=facts_snapshot(locked), reason=reason)
    return locked


def attach_facts_evidence(actor: Actor, facts: UnitYearFacts, files) -> list[FactsEvidence]:
    """Files behind the facts (`files`: objects with .name and .content), each checked by
    content and size before anything is kept; a file added to confirmed facts takes the
    confirmation away (what was confirmed changed). Files written for a transaction
    that then fails are removed again."""
    if not rules.can_enter_facts(actor, facts.unit):
        raise Forbidden("Chỉ cán bộ thi đua của đơn vị hoặc Thường trực thi đua tỉnh được "
                        "thêm minh chứng cho số liệu của đơn vị.")
    verdicts, problems = check_files(files)
    if problems:
        raise DomainError(*problems)
    with storing(FactsEvidence) as keep:
        locked = UnitYearFacts.objects.select_for_update().get(pk=facts.pk)
        before = facts_snapshot(locked)
        created = [keep(upload, verdict, facts=locked, unit_id=locked.unit_id,
                        uploaded_by=getattr(actor, "user", None))
                   for upload, verdict in verdicts]
        reason = ""
        if locked.is_confirmed:
            locked.confirmed_by, locked.confirmed_at, locked.confirmed_as = None, None, ""
            locked.save(update_fields=["confirmed_by", "confirmed_at", "confirmed_as"])
            reason = "Thêm minh chứng sau khi đã xác nhận: cần xác nhận lại."
        audit.record(actor, "awards.facts.evidence", locked,
                     province_id=facts.unit.province_id, before=before,
                     after={**facts_snapshot(locked),
                            "evidence": [e.sha256 for e in created]}, reason=reason)
    return created


@transaction.atomic
def record_award(actor: Actor, unit: Unit, emulation_year: EmulationYear, award_form: str, *,
                 decision_number: str, decision_date: datetime.date, signer: str = "",
                 history: bool = False) -> Award:
    """Record a decided award outside the proposal workflow: a past year's award entered
    as history (awards.history, `history` true), or the demo's last year."""
    if not rules.can_record_award(actor, unit.province_id):
        raise Forbidden("Chỉ Thường trực thi đua tỉnh được ghi nhận khen thưởng.")
    if unit.province_id != emulation_year.province_id:
        raise DomainError("Đơn vị và năm thi đua phải thuộc cùng một tỉnh.")
    if award_form not in AwardForm.values:
        raise DomainError(f"Hình thức khen thưởng không hợp lệ: {award_form}.")
    number = nfc(decision_number).strip()
    if not number:
        raise DomainError("Chưa nhập số quyết định khen thưởng.")
    if decision_date.year < emulation_year.year:
        raise DomainError(f"Quyết định ngày {short_date(decision_date)} có trước năm thi đua "
                          f"{emulation_year.year}.")
    lineage.refuse_dissolved([unit], decision_date)
    try:
        with transaction.atomic():
            award = Award.objects.create(
                unit=unit, emulation_year=emulation_year, award_form=award_form,
                decision_number=number, decision_date=decision_date, signer=nfc(signer).strip(),
                recorded_by=getattr(actor, "user", None))
    except IntegrityError as exc:
        raise Conflict(f"{unit.name} đã có {label_for(award_form, unit.province)} năm "
                       f"{emulation_year.year}.") from exc
    audit.record(actor, "awards.award.record", award, province_id=unit.province_id,
                 after={"unit": unit.id, "year": emulation_year.year, "award_form": award_form,
                        "decision_number": number, "decision_date": decision_date,
                        "signer": award.signer, "history": history})
    return award


# --- reading ------------------------------------------------------------------------------

def award_history(unit: Unit) -> list:
    """The unit's decided awards, newest year first (AwardRecord)."""
    return [a.as_record() for a in
            Award.objects.filter(unit=unit).select_related("emulation_year")]


def lineage_awards(unit: Unit, before_year: int) -> list:
    """RULES.md 46: the decided awards of `unit` and of every unit it stems from (merged,
    split or renamed into it), for the years before `before_year`, newest first: the
    achievement report's past years. Each Award keeps its own unit (its name then)."""
    unit_ids = {unit.id, *lineage.ancestors_of(unit)}
    return list(Award.objects.filter(unit_id__in=unit_ids, emulation_year__year__lt=before_year)
                .select_related("emulation_year", "unit")
                .order_by("-emulation_year__year", "id"))


def bloc_eligibility(bloc_year: BlocYear, *, on_date: datetime.date, ranks: dict | None = None,
                     forms=None, library: Library | None = None,
                     chosen: dict | None = None) -> dict:
    """(unit_id, award_form) → Eligibility for every member of the bloc year, read with a
    fixed number of queries whatever the bloc's size. `on_date`: the conference date (the
    rulebook in force then applies); `ranks`: unit id → rank in the bloc's ranking;
    `chosen`: unit id → forms the conference already chose it for (RULES.md 22)."""
    ranks = ranks or {}
    emulation_year = bloc_year.emulation_year
    province = bloc_year.bloc.province
    book = rulebook_for(province.code, on_date, library, territory=bloc_year.bloc.territory_code)
    unit_ids = list(bloc_year.memberships.values_list("unit_id", flat=True))
    facts = {f.unit_id: f.as_facts() for f in UnitYearFacts.objects.filter(
        emulation_year=emulation_year, unit_id__in=unit_ids).select_related("emulation_year")}
    submitted = {r.unit_id: r.submitted_on for r in Registration.objects.filter(
        emulation_year=emulation_year, unit_id__in=unit_ids,
        status=Registration.Status.SUBMITTED)}
    same_year = {}
    for unit_id, form in Award.objects.filter(
            emulation_year=emulation_year, unit_id__in=unit_ids).values_list(
            "unit_id", "award_form"):
        same_year.setdefault(unit_id, set()).add(form)
    for unit_id, forms_chosen in (chosen or {}).items():
        same_year.setdefault(unit_id, set()).update(forms_chosen)
    result = {}
    for unit_id in unit_ids:
        for form in forms or AwardForm.values:
            result[(unit_id, form)] = check_eligibility(
                unit_id=unit_id, year=emulation_year.year, award_form=form, rulebook=book,
                facts=facts.get(unit_id), registration_submitted_on=submitted.get(unit_id),
                registration_deadline=bloc_year.effective_registration_deadline,
                rank=ranks.get(unit_id), same_year_forms=frozenset(same_year.get(unit_id, ())),
                kind_word=province.kind_word)
    return result


def last_year_awards(unit_id: int, year: int) -> tuple[list, Bonus]:
    """RULES.md 11 for a score sheet of `year` (scoring.ports.last_year_awards): the unit's
    decided awards of `year - 1` as (form, "Cờ … năm N — Quyết định số … ngày …"), in
    form order — those of the units it stems from too (RULES.md 45), named — and the bonus
    they earn (`next_year_bonus`, the one source)."""
    previous = year - 1
    unit = Unit.objects.select_related("province").get(pk=unit_id)
    found = year_roots(unit, previous)
    held = []
    for award in Award.objects.filter(unit_id__in=found.unit_ids, emulation_year__year=previous
                                      ).select_related("unit").order_by("award_form", "id"):
        dated = f" ngày {short_date(award.decision_date)}" if award.decision_date else ""
        whose = f" ({award.unit.name}, trước sắp xếp)" if award.unit_id != unit_id else ""
        held.append((award.award_form, f"{award.get_award_form_display()} năm {previous}"
                                       f"{whose} — Quyết định số {award.decision_number}"
                                       f"{dated}"))
    return held, next_year_bonus(unit, year)


def year_roots(unit: Unit, year: int):
    """RULES.md 45: the units whose achievements of `year` stand for `unit` (itself,
    unless it was formed by a reorganisation after that year); a unit with an award that
    year existed then, beside the members of that year's blocs."""
    awarded = Award.objects.filter(unit__province_id=unit.province_id,
                                   emulation_year__year=year).values_list("unit_id", flat=True)
    return lineage.roots_for(unit, year, present=set(awarded))


def unit_eligibility(unit: Unit, emulation_year: EmulationYear, award_form: str, *,
                     on_date: datetime.date, rank: int | None = None,
                     library: Library | None = None) -> Eligibility:
    bloc_year = _bloc_year(unit, emulation_year)
    result = bloc_eligibility(bloc_year, on_date=on_date, ranks={unit.id: rank},
                              forms=[award_form], library=library)
    return result[(unit.id, award_form)]


def next_year_bonus(unit: Unit, year: int, *, on_date: datetime.date | None = None,
                    library: Library | None = None) -> Bonus:
    """RULES 11: the bonus of `year` for last year's awards, with the values of the
    rulebook in force on `on_date` (default: 1 January of `year`, when scoring opens).
    A unit formed by a reorganisation after last year takes the bonus of the units it
    stems from as RULES.md 45 says (law.bonus.lineage_bonus)."""
    book = rulebook_for(unit.province.code, on_date or datetime.date(year, 1, 1), library,
                        territory=unit.territory_code)
    found = year_roots(unit, year - 1)
    if not found.inherited:
        return bonus_points(unit.id, year, award_history(unit), book,
                            unit.province.kind_word)
    history = [a.as_record() for a in Award.objects.filter(
        unit_id__in=found.unit_ids, emulation_year__year=year - 1).select_related(
        "emulation_year")]
    return lineage_bonus(unit.id, year, found.unit_ids, found.whole, history, book,
                         lineage.names_of(found.unit_ids), unit.province.kind_word)
