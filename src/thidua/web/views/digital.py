"""Digital signatures (documents.digital): the public page that checks a downloaded PDF,
the province's page where its signer uploads a PKCS#12 certificate or configures a PKCS#11
token, and a unit's page where its officers upload the unit's own certificate."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from thidua.core.errors import DomainError
from thidua.documents import digital
from thidua.web.utils import error_items, get_actor, shows_domain_errors


def _read(upload, limit) -> bytes:
    if upload is None:
        return b""
    if upload.size > limit:
        raise DomainError(f"Tệp lớn quá {limit // (1024 * 1024) or 1} MB.")
    return upload.read()


@shows_domain_errors
def verify(request):
    """Anyone may check a PDF: signature valid, unchanged, who signed, when."""
    verdict, problems, status = None, [], 200
    if request.method == "POST":
        try:
            verdict = digital.verify_pdf(_read(request.FILES.get("tep"), digital.MAX_PDF))
        except DomainError as exc:
            problems, status = exc.messages, 400
    return render(request, "web/documents/verify.html", {
        "verdict": verdict, "errors": error_items(messages=problems)}, status=status)


def _save(request, actor, province, unit):
    """One form posted: a PKCS#12 file (the province's or the unit's), or the province's
    PKCS#11 token (nguon=token)."""
    seal = _read(request.FILES.get("con_dau"), digital.MAX_SEAL)
    if unit is None and request.POST.get("nguon") == "token":
        digital.configure_token(
            actor, province, module=request.POST.get("thu_vien", ""),
            token_label=request.POST.get("nhan_token", ""),
            key_label=request.POST.get("nhan_khoa", ""),
            pin_variable=request.POST.get("bien_pin", ""), seal_png=seal)
        return "Đã cấu hình token ký số."
    digital.upload_certificate(
        actor, province, unit=unit,
        pkcs12_data=_read(request.FILES.get("chung_thu"), digital.MAX_PKCS12),
        passphrase=request.POST.get("mat_khau", ""), seal_png=seal)
    return "Đã nạp chứng thư số."


def _page(request, actor, province, unit, again):
    problems, status = [], 200
    if request.method == "POST":
        try:
            done = _save(request, actor, province, unit)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            problems, status = exc.messages, 400
        else:
            messages.success(request, done)
            return redirect(*again)
    return render(request, "web/documents/certificates.html", {
        "province": province, "unit": unit,
        "certificates": digital.certificates_of(province, unit),
        "modules": settings.PKCS11_MODULES, "pin_prefix": digital.tokens.PIN_PREFIX,
        "errors": error_items(messages=problems)}, status=status)


@login_required
@shows_domain_errors
def certificates(request, code):
    """The province's certificates and token (its secretariat)."""
    actor = get_actor(request)
    province = digital.find_province(actor, code)
    return _page(request, actor, province, None, ("signing_certificates", province.code))


@login_required
@shows_domain_errors
def unit_certificates(request, pk):
    """A unit's own certificate, uploaded by its officers: the unit's papers are signed as
    the unit."""
    actor = get_actor(request)
    unit = digital.find_unit(actor, pk)
    return _page(request, actor, unit.province, unit, ("unit_signing_certificates", unit.id))
