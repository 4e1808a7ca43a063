"""Request boundary: NFC for every inbound string, and the few headers Django lacks."""

import json

from thidua.core.text import nfc, nfc_deep


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
            if request.content_type == "application/json":
                self._normalise_json(request)
            elif request.content_type in {"multipart/form-data",
                                          "application/x-www-form-urlencoded"}:
                request.POST = _nfc_querydict(request.POST)
                for upload in request.FILES.values():
                    upload.name = nfc(upload.name)
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
