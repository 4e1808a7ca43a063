"""Request boundary: NFC for every inbound string, and the few headers Django lacks."""

import json

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render

from thidua.core import jsonlimits
from thidua.core.text import nfc, nfc_deep

TOO_LARGE = ("Yêu cầu gửi lên quá lớn (quá {mb} MB). Hãy gửi ít dữ liệu hơn; tệp đính kèm "
             "có giới hạn riêng ghi cạnh ô chọn tệp.")


def too_large(request):
    """413 with a Vietnamese message: JSON for the API, the error page for the web."""
    from django.conf import settings

    message = TOO_LARGE.format(mb=settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024))
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "errors": [{"field": None,
                                                            "message": message}]},
                            status=413)
    return render(request, "web/domain_error.html", {"errors": [(message, "")]}, status=413)


def refuse_json(request, refusal: jsonlimits.JsonRefused):
    """400/413 for a JSON body over the limits: JSON for the API, the error page for the
    web."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": refusal.message,
                             "errors": [{"field": None, "message": refusal.message}]},
                            status=refusal.status)
    return render(request, "web/domain_error.html", {"errors": [(refusal.message, "")]},
                  status=refusal.status)


FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


def _is_json_body(request) -> bool:
    """A body some parser of ours may read as JSON: declared JSON anywhere, or anything
    but a form on the API (a client may forget the header or send text/plain)."""
    kind = request.content_type or ""
    if kind == "application/json" or kind.endswith("+json"):
        return True
    return request.path.startswith("/api/") and kind not in FORM_TYPES


def _nfc_querydict(querydict):
    copy = querydict.copy()
    for key in list(copy.keys()):
        copy.setlist(key, [nfc(v) if isinstance(v, str) else v for v in copy.getlist(key)])
    copy._mutable = False
    return copy


class NFCMiddleware:
    """Normalise form fields, query strings, JSON bodies and upload names to NFC, once,
    so no view, form or API schema can forget to (a Mac or phone keyboard may send NFD)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = _nfc_querydict(request.GET)
        if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
            try:
                if _is_json_body(request):
                    # The limits first, on the bytes: nothing below may parse a body that
                    # would exhaust the stack or the memory.
                    jsonlimits.check_length(request.META.get("CONTENT_LENGTH"))
                    jsonlimits.check(request.body)
                    self._normalise_json(request)
                elif request.content_type in FORM_TYPES:
                    request.POST = _nfc_querydict(request.POST)
                    for upload in request.FILES.values():
                        upload.name = nfc(upload.name)
            except RequestDataTooBig:
                return too_large(request)
            except jsonlimits.JsonRefused as refusal:
                return refuse_json(request, refusal)
        return self.get_response(request)

    @staticmethod
    def _normalise_json(request):
        try:
            data = json.loads(request.body)
            # Inside the try: a lone surrogate ("\ud800" escaped in the JSON) decodes
            # but cannot be encoded back to UTF-8.
            request._body = json.dumps(nfc_deep(data), ensure_ascii=False).encode()
        except (ValueError, UnicodeError):
            return  # left for the API to answer 400/422 with its own message


class SecurityHeadersMiddleware:
    """Permissions-Policy: the product needs no camera, microphone or location."""

    POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.POLICY)
        return response
