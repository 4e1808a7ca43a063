"""Digital signatures (documents.digital): the public page that checks a downloaded PDF,
and the province's page where its signer uploads a PKCS#12 certificate."""

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


@login_required
@shows_domain_errors
def certificates(request, code):
    actor = get_actor(request)
    province = digital.find_province(actor, code)
    problems, status = [], 200
    if request.method == "POST":
        try:
            digital.upload_certificate(
                actor, province,
                pkcs12_data=_read(request.FILES.get("chung_thu"), digital.MAX_PKCS12),
                passphrase=request.POST.get("mat_khau", ""),
                seal_png=_read(request.FILES.get("con_dau"), digital.MAX_SEAL))
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            problems, status = exc.messages, 400
        else:
            messages.success(request, "Đã nạp chứng thư số.")
            return redirect("signing_certificates", code=province.code)
    return render(request, "web/documents/certificates.html", {
        "province": province, "certificates": digital.certificates_of(province),
        "errors": error_items(messages=problems)}, status=status)
