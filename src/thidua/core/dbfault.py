"""The database briefly unavailable (PostgreSQL down or refusing connections, SQLite locked
past its busy timeout): a clear Vietnamese 503 page, or a JSON 503 for the API, instead of
the generic 500 — never a stack trace. Nothing to restart afterwards: Django opens a new
connection on the next request (`conn_health_checks` drops a broken persistent one).

Wired as the project's `handler500` (thidua/urls.py): it sees every uncaught exception,
whether raised in a view or in a middleware (sessions, authentication), and renders
without a request context, so it never touches the database itself.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

logger = logging.getLogger("thidua.db")

MESSAGE = ("Cơ sở dữ liệu tạm thời không sẵn sàng. Thao tác chưa được thực hiện; hãy thử "
           "lại sau ít phút.")
RETRY_AFTER = "10"


def is_unavailable(exc) -> bool:
    """A connection failure or a lock timeout, anywhere in the exception's chain."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def unavailable(request) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": MESSAGE, "errors": []}, status=503)
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = RETRY_AFTER
    return response


def server_error(request, template_name="500.html"):
    exc = sys.exc_info()[1]
    if is_unavailable(exc):
        logger.error("Cơ sở dữ liệu không sẵn sàng: %s %s: %s", request.method,
                     request.path, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return unavailable(request)
    return defaults.server_error(request, template_name)
