"""Pledges: a unit's registration (titles, targets), progress check-ins with evidence,
and the bloc's pledge signing record. Every change goes through pledges.services."""

from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.http import FileResponse
from django.urls import reverse
from ninja import File, Router, Status, UploadedFile

from thidua.api import schemas as s
from thidua.api.auth import actor
from thidua.api.common import (
    READ,
    WRITE,
    bloc_year_in_scope,
    responses,
    unit_in_scope,
    year_of,
)
from thidua.api.org import unit_ref
from thidua.core.errors import DomainError, Forbidden, NotFound
from thidua.core.evidence import KINDS, Upload
from thidua.law.award_forms import AwardForm, label_for
from thidua.law.deadline import registered_on_time
from thidua.org.rules import Actor
from thidua.pledges import queries, rules
from thidua.pledges import services as pledge_services
from thidua.pledges.domain.progress import progress
from thidua.pledges.models import CheckIn, Evidence, Registration, Target

router = Router(tags=["Đăng ký thi đua"])


# --- loading in scope -----------------------------------------------------------------

def _registration(actor_: Actor, registration_id: int) -> Registration:
    return pledge_services.find_registration(actor_, registration_id)


def _target(actor_: Actor, target_id: int) -> Target:
    target = (Target.objects.select_related("registration__unit", "registration__emulation_year",
                                            "registration__bloc_year__bloc")
              .filter(pk=target_id).first())
    if target is None or not rules.can_view_registration(actor_, target.registration):
        raise NotFound("Không tìm thấy chỉ tiêu.")
    return target


def _check_in(actor_: Actor, check_in_id: int) -> CheckIn:
    check_in = (CheckIn.objects.select_related(
        "target__registration__unit", "target__registration__emulation_year",
        "target__registration__bloc_year__bloc").filter(pk=check_in_id).first())
    if check_in is None or not rules.can_view_registration(actor_,
                                                           check_in.target.registration):
        raise NotFound("Không tìm thấy báo cáo tiến độ.")
    return check_in


# --- output ---------------------------------------------------------------------------

def target_out(target: Target) -> dict:
    return {
        "id": target.id, "indicator": target.indicator,
        "baseline": s.decimal_string(target.baseline),
        "target_value": s.decimal_string(target.target_value),
        "unit_of_measure": target.unit_of_measure, "deadline": target.deadline,
        "latest_actual": s.decimal_string(target.latest_actual),
        "latest_reported_on": target.latest_reported_on,
        "progress_percent": progress(target.baseline, target.target_value,
                                     target.latest_actual).percent,
    }


def registration_out(actor_: Actor, registration: Registration) -> dict:
    # Read fresh: a service may just have changed titles, targets or status.
    registration = (Registration.objects
                    .select_related("unit__province", "emulation_year", "bloc_year__bloc",
                                    "bloc_year__emulation_year")
                    .prefetch_related("titles", "targets").get(pk=registration.pk))
    return {
        "id": registration.id, "unit": unit_ref(registration.unit),
        "year": registration.emulation_year.year, "bloc_year_id": registration.bloc_year_id,
        "status": registration.status,
        "status_label": Registration.Status(registration.status).label,
        "submitted_at": registration.submitted_at,
        "on_time": registered_on_time(
            registration.submitted_on, registration.bloc_year.effective_registration_deadline),
        "titles": [{"award_form": t.award_form,
                    "label": label_for(t.award_form, registration.unit.province)}
                   for t in sorted(registration.titles.all(),
                                   key=lambda t: AwardForm.values.index(t.award_form))],
        "targets": [target_out(t) for t in registration.targets.all()],
        "permissions": {
            "edit": rules.can_edit_registration(actor_, registration),
            "withdraw": rules.can_withdraw_registration(actor_, registration),
            "report_progress": rules.can_report_progress(actor_, registration),
        },
    }


def evidence_out(evidence: Evidence) -> dict:
    return {
        "id": evidence.id, "original_name": evidence.original_name, "kind": evidence.kind,
        "size": evidence.size, "sha256": evidence.sha256, "uploaded_at": evidence.uploaded_at,
        "download_url": reverse("api:evidence_file", kwargs={"evidence_id": evidence.id}),
    }


def check_in_out(check_in: CheckIn) -> dict:
    author = check_in.author
    return {
        "id": check_in.id, "target_id": check_in.target_id,
        "reported_on": check_in.reported_on,
        "actual_value": s.decimal_string(check_in.actual_value), "note": check_in.note,
        "author": (author.full_name or author.username) if author else None,
        "created_at": check_in.created_at,
        "evidence": [evidence_out(e) for e in check_in.evidence.all()],
    }


# --- registration ---------------------------------------------------------------------

@router.get("/registrations/{registration_id}",
            response=responses({200: s.RegistrationOut}, *READ),
            summary="Một bản đăng ký thi đua")
def get_registration(request, registration_id: s.Id):
    actor_ = actor(request)
    return registration_out(actor_, _registration(actor_, registration_id))


@router.get("/units/{unit_id}/years/{year}/registration",
            response=responses({200: s.RegistrationOut}, *READ),
            summary="Bản đăng ký của một đơn vị trong một năm")
def get_unit_registration(request, unit_id: s.Id, year: s.Year):
    actor_ = actor(request)
    unit = unit_in_scope(actor_, unit_id)
    emulation_year = year_of(unit, year)
    registration = (Registration.objects.select_related("bloc_year__bloc",
                                                     "bloc_year__emulation_year")
                    .filter(unit=unit, emulation_year=emulation_year).first())
    # Another unit's draft is answered exactly like a missing registration.
    if registration is None or not rules.can_view_registration(actor_, registration):
        raise NotFound(f"{unit.name} chưa có bản đăng ký thi đua năm {year}.")
    return registration_out(actor_, registration)


@router.post("/units/{unit_id}/years/{year}/registration",
             response=responses({200: s.RegistrationOut, 201: s.RegistrationOut}, *WRITE, 409),
             summary="Mở (lập mới nếu chưa có) bản đăng ký của đơn vị tôi")
def open_unit_registration(request, unit_id: s.Id, year: s.Year):
    actor_ = actor(request)
    unit = unit_in_scope(actor_, unit_id)
    emulation_year = year_of(unit, year)
    existed = Registration.objects.filter(unit=unit, emulation_year=emulation_year).exists()
    registration = pledge_services.open_registration(actor_, unit, emulation_year)
    return Status(200 if existed else 201, registration_out(actor_, registration))


@router.put("/registrations/{registration_id}/titles",
            response=responses({200: s.RegistrationOut}, *WRITE, 409),
            summary="Đặt các danh hiệu đăng ký")
def set_titles(request, registration_id: s.Id, payload: s.TitlesIn):
    actor_ = actor(request)
    registration = _registration(actor_, registration_id)
    pledge_services.set_titles(actor_, registration, [f.value for f in payload.award_forms])
    return registration_out(actor_, registration)


@router.post("/registrations/{registration_id}/targets",
             response=responses({201: s.TargetOut}, *WRITE, 409),
             summary="Thêm chỉ tiêu")
def add_target(request, registration_id: s.Id, payload: s.TargetIn):
    actor_ = actor(request)
    registration = _registration(actor_, registration_id)
    target = pledge_services.add_target(actor_, registration, pledge_services.TargetInput(
        indicator=payload.indicator, target_value=Decimal(payload.target_value),
        unit_of_measure=payload.unit_of_measure, deadline=payload.deadline,
        baseline=Decimal(payload.baseline),
    ))
    target.refresh_from_db()
    return Status(201, target_out(target))


@router.delete("/targets/{target_id}", response=responses({204: None}, 401, 403, 404, 409, 422),
               summary="Xóa chỉ tiêu")
def remove_target(request, target_id: s.Id):
    actor_ = actor(request)
    pledge_services.remove_target(actor_, _target(actor_, target_id))
    return Status(204, None)


@router.post("/registrations/{registration_id}/submit",
             response=responses({200: s.RegistrationOut}, *WRITE, 409),
             summary="Gửi bản đăng ký")
def submit(request, registration_id: s.Id):
    actor_ = actor(request)
    registration = _registration(actor_, registration_id)
    pledge_services.submit_registration(actor_, registration)
    return registration_out(actor_, registration)


@router.post("/registrations/{registration_id}/withdraw",
             response=responses({200: s.RegistrationOut}, *WRITE, 409),
             summary="Rút lại bản đăng ký đã gửi (ghi lý do)")
def withdraw(request, registration_id: s.Id, payload: s.WithdrawIn):
    actor_ = actor(request)
    registration = _registration(actor_, registration_id)
    pledge_services.withdraw_registration(actor_, registration, payload.reason)
    return registration_out(actor_, registration)


# --- progress and evidence ------------------------------------------------------------

@router.get("/targets/{target_id}/check-ins", response=responses({200: list[s.CheckInOut]}, *READ),
            summary="Các báo cáo tiến độ của một chỉ tiêu")
def list_check_ins(request, target_id: s.Id):
    target = _target(actor(request), target_id)
    rows = (target.check_ins.select_related("author")
            .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("id"))))
    return [check_in_out(c) for c in rows]


@router.post("/targets/{target_id}/check-ins",
             response=responses({201: s.CheckInOut}, *WRITE, 409),
             summary="Báo cáo tiến độ (kết quả đạt được)")
def create_check_in(request, target_id: s.Id, payload: s.CheckInIn):
    actor_ = actor(request)
    target = _target(actor_, target_id)
    check_in = pledge_services.report_progress(
        actor_, target, reported_on=payload.reported_on,
        actual_value=Decimal(payload.actual_value), note=payload.note)
    return Status(201, check_in_out(check_in))


@router.post("/check-ins/{check_in_id}/evidence",
             response=responses({201: s.EvidenceOut}, *WRITE, 409),
             summary="Tải lên một tệp minh chứng (PDF, JPG, PNG, DOCX, XLSX)")
def upload_evidence(request, check_in_id: s.Id, file: File[UploadedFile]):
    actor_ = actor(request)
    check_in = _check_in(actor_, check_in_id)
    limit = settings.EVIDENCE_MAX_BYTES
    if file.size > limit:
        # Refused before reading it into memory; the service's checks need the bytes.
        raise DomainError(f"Tệp “{file.name}” vượt giới hạn {limit // (1024 * 1024)} MB.")
    upload = Upload(name=file.name or "", content=file.read())
    evidence = pledge_services.attach_evidence(actor_, check_in, [upload])
    return Status(201, evidence_out(evidence[0]))


_FILE_RESPONSE = {
    "description": "Nội dung tệp minh chứng.",
    "content": {content_type: {"schema": {"type": "string", "format": "binary"}}
                for content_type, _ in KINDS.values()},
}


@router.get("/evidence/{evidence_id}/file", response=responses({}, *READ),
            url_name="evidence_file", openapi_extra={"responses": {200: _FILE_RESPONSE}},
            summary="Tải tệp minh chứng")
def evidence_file(request, evidence_id: s.Id):
    actor_ = actor(request)
    evidence = queries.evidence_in_scope(actor_, evidence_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise NotFound("Tệp minh chứng không còn trên máy chủ.") from exc
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name,
                        content_type=KINDS[evidence.kind][0])


# --- pledge signing -------------------------------------------------------------------

def _signing_out(bloc_year) -> dict:
    signing = queries.signing_of(bloc_year)
    lines = {sig.unit_id: sig for sig in signing.signatures.all()} if signing else {}
    view_members = bloc_year.memberships.select_related("unit").order_by("unit__sort_key",
                                                                         "unit_id")
    members = [m.unit for m in view_members]
    complete = bool(members) and all(u.id in lines for u in members)
    return {
        "bloc_year_id": bloc_year.id,
        "signed_on": signing.signed_on if signing else None,
        "place": signing.place if signing else "",
        "complete": complete,
        "members": [_signature_out(u, lines.get(u.id)) for u in members],
    }


def _signature_out(unit, signature) -> dict:
    return {
        "unit": unit_ref(unit),
        "status": signature.status if signature else None,
        "signer_name": signature.signer_name if signature else "",
        "absence_reason": signature.absence_reason if signature else "",
    }


@router.get("/bloc-years/{bloc_year_id}/signing", response=responses({200: s.SigningOut}, *READ),
            tags=["Ký kết giao ước"], summary="Biên bản ký kết giao ước thi đua của khối")
def get_signing(request, bloc_year_id: s.Id):
    return _signing_out(bloc_year_in_scope(actor(request), bloc_year_id))


@router.put("/bloc-years/{bloc_year_id}/signing/{unit_id}",
            response=responses({200: s.SignatureOut}, *WRITE),
            tags=["Ký kết giao ước"], summary="Ghi nhận một thành viên ký hoặc vắng mặt")
def put_signature(request, bloc_year_id: s.Id, unit_id: s.Id, payload: s.SignatureIn):
    actor_ = actor(request)
    bloc_year = bloc_year_in_scope(actor_, bloc_year_id)
    if not rules.can_record_signing(actor_, bloc_year):
        raise Forbidden("Chỉ đơn vị Trưởng khối hoặc Thường trực thi đua tỉnh ghi nhận ký kết.")
    membership = bloc_year.memberships.select_related("unit").filter(unit_id=unit_id).first()
    if membership is None:
        raise NotFound("Đơn vị này không phải thành viên của khối.")
    signature = pledge_services.record_signature(
        actor_, bloc_year, membership.unit, signed_on=payload.signed_on, place=payload.place,
        status=payload.status, signer_name=payload.signer_name,
        absence_reason=payload.absence_reason)
    return _signature_out(membership.unit, signature)
