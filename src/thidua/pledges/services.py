"""Pledge services: registration, targets, progress with evidence, pledge signing.

Each function checks the actor against pledges.rules, validates, writes in one
transaction and records the audit event. Views, the API and the demo loader call these.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from thidua.core import audit
from thidua.core.errors import Conflict, DomainError, NotFound
from thidua.core.evidence import check_files, storing
from thidua.core.text import tidy
from thidua.law.award_forms import AwardForm
from thidua.law.deadline import registered_on_time
from thidua.org.models import BlocYear, EmulationYear, Membership, Unit
from thidua.org.rules import Actor
from thidua.pledges import rules
from thidua.pledges.domain.signing import signing_status
from thidua.pledges.models import (
    CheckIn,
    Evidence,
    PledgeSignature,
    PledgeSigning,
    RegisteredTitle,
    Registration,
    Target,
)


def _province_id(registration: Registration) -> int:
    return registration.unit.province_id


def registration_snapshot(registration: Registration) -> dict:
    return {
        "status": registration.status,
        "titles": sorted(registration.titles.values_list("award_form", flat=True)),
        "targets": list(registration.targets.order_by("id").values(
            "id", "indicator", "baseline", "target_value", "unit_of_measure", "deadline")),
    }


def bloc_year_of(unit: Unit, emulation_year: EmulationYear) -> BlocYear:
    membership = (
        Membership.objects.select_related("bloc_year__bloc")
        .filter(unit=unit, emulation_year=emulation_year).first()
    )
    if membership is None:
        raise DomainError(f"{unit.name} chưa thuộc khối nào trong năm {emulation_year.year}.")
    return membership.bloc_year


@transaction.atomic
def open_registration(actor: Actor, unit: Unit, emulation_year: EmulationYear) -> Registration:
    """The unit's registration for the year, created as a draft on first use."""
    if refusal := rules.registering_refusal(actor, unit.id):
        raise refusal
    existing = Registration.objects.filter(unit=unit, emulation_year=emulation_year).first()
    if existing:
        return existing
    bloc_year = bloc_year_of(unit, emulation_year)
    if refusal := rules.registration_phase_refusal(bloc_year):
        raise refusal
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                unit=unit, emulation_year=emulation_year, bloc_year=bloc_year)
    except IntegrityError:
        # Two tabs (or two officers) opened it at once: the other one made it.
        return Registration.objects.get(unit=unit, emulation_year=emulation_year)
    audit.record(actor, "pledges.registration.create", registration,
                 province_id=unit.province_id, after=registration_snapshot(registration))
    return registration


def _refresh(registration: Registration) -> None:
    """Decide on the registration as stored now (its row locked to the end of the
    transaction), not on a copy another tab may have outdated by submitting, withdrawing
    or moving the phase on."""
    registration.status = (Registration.objects.select_for_update().filter(pk=registration.pk)
                           .values_list("status", flat=True).get())
    registration.bloc_year.refresh_from_db(fields=["phase"])


def _require_editable(actor: Actor, registration: Registration):
    _refresh(registration)
    if refusal := rules.edit_refusal(actor, registration):
        raise refusal


@transaction.atomic
def set_titles(actor: Actor, registration: Registration, award_forms) -> Registration:
    _require_editable(actor, registration)
    wanted = set(award_forms)
    unknown = wanted - set(AwardForm.values)
    if unknown:
        raise DomainError("Danh hiệu không hợp lệ: " + ", ".join(sorted(unknown)) + ".")
    before = registration_snapshot(registration)
    registration.titles.exclude(award_form__in=wanted).delete()
    have = set(registration.titles.values_list("award_form", flat=True))
    RegisteredTitle.objects.bulk_create(
        RegisteredTitle(registration=registration, award_form=form)
        for form in sorted(wanted - have)
    )
    audit.record(actor, "pledges.registration.titles", registration,
                 province_id=_province_id(registration), before=before,
                 after=registration_snapshot(registration))
    return registration


# Values are stored with two decimals; SQLite keeps them as floating point, exact to 15
# significant digits only (16 lose digits or fail to read back), so 13 before the point.
MAX_AMOUNT = Decimal(10) ** 13


@dataclass(frozen=True)
class TargetInput:
    indicator: str
    target_value: Decimal
    unit_of_measure: str
    deadline: date
    baseline: Decimal = Decimal(0)

    def errors(self, year: int) -> list[str]:
        problems = []
        if not self.indicator.strip():
            problems.append("Chưa nhập tên chỉ tiêu.")
        if not self.unit_of_measure.strip():
            problems.append("Chưa nhập đơn vị tính.")
        # The column widths (PostgreSQL refuses longer text with an error, not a sentence).
        if len(self.indicator.strip()) > 500:
            problems.append("Tên chỉ tiêu dài quá 500 ký tự.")
        if len(self.unit_of_measure.strip()) > 50:
            problems.append("Đơn vị tính dài quá 50 ký tự.")
        for label, value in (("Giá trị mục tiêu", self.target_value),
                             ("Giá trị xuất phát", self.baseline)):
            if not value.is_finite() or abs(value) >= MAX_AMOUNT:
                problems.append(f"{label} không hợp lệ.")
            elif value.as_tuple().exponent < -2:
                problems.append(f"{label} chỉ được có tối đa 2 chữ số thập phân.")
        if self.deadline.year != year:
            problems.append(f"Thời hạn phải nằm trong năm thi đua {year}.")
        return problems


@transaction.atomic
def add_target(actor: Actor, registration: Registration, data: TargetInput) -> Target:
    _require_editable(actor, registration)
    problems = data.errors(registration.emulation_year.year)
    if problems:
        raise DomainError(*problems)
    target = Target.objects.create(
        registration=registration, indicator=tidy(data.indicator),
        baseline=data.baseline, target_value=data.target_value,
        unit_of_measure=tidy(data.unit_of_measure), deadline=data.deadline,
    )
    audit.record(actor, "pledges.target.add", target, province_id=_province_id(registration),
                 after={"indicator": target.indicator, "baseline": target.baseline,
                        "target_value": target.target_value,
                        "unit_of_measure": target.unit_of_measure, "deadline": target.deadline})
    return target


@transaction.atomic
def remove_target(actor: Actor, target: Target) -> None:
    registration = target.registration
    _require_editable(actor, registration)
    if target.check_ins.exists():  # would delete reported progress and evidence with it
        raise Conflict("Chỉ tiêu đã có báo cáo tiến độ; không xóa được.")
    before = {"indicator": target.indicator, "target_value": target.target_value}
    audit.record(actor, "pledges.target.remove", target, province_id=_province_id(registration),
                 before=before)
    target.delete()


@transaction.atomic
def submit_registration(actor: Actor, registration: Registration) -> Registration:
    _require_editable(actor, registration)
    problems = []
    if not registration.titles.exists():
        problems.append("Chưa chọn danh hiệu thi đua đăng ký.")
    if not registration.targets.exists():
        problems.append("Chưa có chỉ tiêu nào.")
    if problems:
        raise DomainError(*problems)
    registration.status = Registration.Status.SUBMITTED
    registration.submitted_at = timezone.now()
    registration.submitted_by = actor.user
    registration.save(update_fields=["status", "submitted_at", "submitted_by"])
    on_time = registered_on_time(registration.submitted_on,
                                 registration.bloc_year.effective_registration_deadline)
    audit.record(actor, "pledges.registration.submit", registration,
                 province_id=_province_id(registration),
                 before={"status": Registration.Status.DRAFT},
                 after={"status": registration.status, "on_time": on_time})
    return registration


@transaction.atomic
def withdraw_registration(actor: Actor, registration: Registration, reason: str) -> Registration:
    _refresh(registration)
    if refusal := rules.withdraw_refusal(actor, registration):
        raise refusal
    if not reason.strip():
        raise DomainError("Rút lại bản đăng ký phải ghi rõ lý do.")
    registration.status = Registration.Status.DRAFT
    registration.submitted_at = None
    registration.submitted_by = None
    registration.save(update_fields=["status", "submitted_at", "submitted_by"])
    audit.record(actor, "pledges.registration.withdraw", registration,
                 province_id=_province_id(registration),
                 before={"status": Registration.Status.SUBMITTED},
                 after={"status": registration.status}, reason=reason.strip())
    return registration


def report_progress(actor: Actor, target: Target, *, reported_on: date, actual_value: Decimal,
                    note: str = "", files=()) -> CheckIn:
    """A check-in with its evidence. Every file is checked before anything is written;
    files written for a transaction that then fails are removed again."""
    registration = target.registration
    if refusal := rules.progress_refusal(actor, registration):
        raise refusal
    problems = []
    if not actual_value.is_finite() or abs(actual_value) >= MAX_AMOUNT:
        problems.append("Kết quả đạt được không hợp lệ.")
    elif actual_value.as_tuple().exponent < -2:
        problems.append("Kết quả đạt được chỉ được có tối đa 2 chữ số thập phân.")
    if reported_on > timezone.localdate():
        problems.append("Ngày báo cáo không được sau ngày hôm nay.")
    elif reported_on.year < registration.emulation_year.year:
        problems.append(f"Ngày báo cáo phải thuộc năm thi đua {registration.emulation_year.year}"
                        " trở về sau.")
    verdicts, refused = check_files(files, required=False)
    problems += refused
    if problems:
        raise DomainError(*problems)
    with storing(Evidence) as keep:
        check_in = CheckIn.objects.create(
            target=target, reported_on=reported_on, actual_value=actual_value,
            note=tidy(note), author=actor.user,
        )
        for upload, verdict in verdicts:
            keep(upload, verdict, check_in=check_in, unit_id=registration.unit_id,
                 uploaded_by=actor.user)
        latest = target.check_ins.order_by("-reported_on", "-id").first()
        Target.objects.filter(pk=target.pk).update(
            latest_actual=latest.actual_value, latest_reported_on=latest.reported_on
        )
        audit.record(actor, "pledges.check_in.create", check_in,
                     province_id=_province_id(registration),
                     after={"target": target.id, "reported_on": reported_on,
                            "actual_value": actual_value,
                            "evidence": [e.sha256 for e in check_in.evidence.all()]})
    target.refresh_from_db()
    return check_in


def find_registration(actor: Actor, registration_id: int) -> Registration:
    registration = (
        Registration.objects.select_related("unit", "emulation_year", "bloc_year__bloc")
        .filter(pk=registration_id).first()
    )
    if registration is None or not rules.can_view_registration(actor, registration):
        raise NotFound("Không tìm thấy bản đăng ký.")
    return registration


@transaction.atomic
def record_signature(actor: Actor, bloc_year: BlocYear, unit: Unit, *, signed_on: date,
                     place: str = "", status: str, signer_name: str = "",
                     absence_reason: str = "") -> PledgeSignature:
    """One member's line in the pledge signing record (RULES.md 8)."""
    if refusal := rules.signing_refusal(actor, bloc_year):
        raise refusal
    if not bloc_year.memberships.filter(unit=unit).exists():
        raise DomainError(f"{unit.name} không phải thành viên của khối năm {bloc_year.year}.")
    if status == PledgeSignature.Status.SIGNED and not signer_name.strip():
        raise DomainError("Ghi rõ họ tên người ký.")
    if status == PledgeSignature.Status.ABSENT and not absence_reason.strip():
        raise DomainError("Ghi rõ lý do vắng mặt.")
    if signed_on.year != bloc_year.year:
        raise DomainError(f"Ngày ký kết phải thuộc năm thi đua {bloc_year.year}.")
    if status not in PledgeSignature.Status.values:
        raise DomainError("Trạng thái ký kết không hợp lệ.")
    signing, _ = PledgeSigning.objects.update_or_create(
        bloc_year=bloc_year, defaults={"signed_on": signed_on, "place": tidy(place)}
    )
    previous = signing.signatures.filter(unit=unit).values(
        "status", "signer_name", "absence_reason").first()
    signature, _ = PledgeSignature.objects.update_or_create(
        signing=signing, unit=unit,
        defaults={"status": status, "signer_name": tidy(signer_name),
                  "absence_reason": tidy(absence_reason)},
    )
    audit.record(actor, "pledges.signing.record", signature, province_id=unit.province_id,
                 before=previous, after={"unit": unit.id, "status": status,
                                         "signer_name": signature.signer_name,
                                         "absence_reason": signature.absence_reason})
    return signature


def pledge_status(bloc_year: BlocYear):
    """RULES.md 8 for a bloc year, from its signing record."""
    members = frozenset(bloc_year.memberships.values_list("unit_id", flat=True))
    rows = PledgeSignature.objects.filter(signing__bloc_year=bloc_year).values_list(
        "unit_id", "status")
    signed = frozenset(u for u, s in rows if s == PledgeSignature.Status.SIGNED)
    absent = frozenset(u for u, s in rows if s == PledgeSignature.Status.ABSENT)
    return signing_status(members, signed, absent)


def attach_evidence(actor: Actor, check_in: CheckIn, files) -> list[Evidence]:
    """More evidence for a check-in already recorded (the API uploads files one request
    at a time). Same permission and file checks as `report_progress`; nothing is kept
    unless every file is accepted."""
    target = check_in.target
    registration = target.registration
    if refusal := rules.progress_refusal(actor, registration, "evidence"):
        raise refusal
    verdicts, problems = check_files(files)
    if problems:
        raise DomainError(*problems)
    with storing(Evidence) as keep:
        created = [keep(upload, verdict, check_in=check_in, unit_id=registration.unit_id,
                        uploaded_by=actor.user) for upload, verdict in verdicts]
        audit.record(actor, "pledges.evidence.add", check_in,
                     province_id=_province_id(registration),
                     after={"target": target.id, "evidence": [e.sha256 for e in created]})
    return created
