"""The ballot link a voting card carries (its QR code): the same on the printed sheet of
cards (a document, made without a request) and on the page the secretary prints from.

THIDUA_PUBLIC_URL names where delegates' phones reach the site and wins everywhere. Without
it, a page uses the address the secretary opened it at (a laptop reached at
http://192.168.1.10:8000 gives links that work in the hall), and a document, which has no
request, the first allowed host — https in production, else with `thidua serve`'s port.
"""

from django.conf import settings
from django.urls import reverse


def public_base(request=None) -> str:
    if settings.THIDUA_PUBLIC_URL:
        return settings.THIDUA_PUBLIC_URL
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    host = next((h for h in settings.ALLOWED_HOSTS if h not in ("*", "")), "localhost")
    host = host.lstrip(".")
    if settings.PRODUCTION:
        return f"https://{host}"
    port = settings.THIDUA_BIND.rpartition(":")[2]
    return f"http://{host}" + (f":{port}" if port.isdigit() and port != "80" else "")


def ballot_url(poll_id: int, token: str, request=None) -> str:
    """The card's link: the token after "#", a fragment the browser never sends, so no
    proxy or server log sees it; the page's script posts it (web.views.voting_polls)."""
    return public_base(request) + reverse("voting_ballot", args=[poll_id]) + "#" + token
