"""The audit log, read-only: admins see everything, a secretariat its province's events."""

import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from thidua.org.queries import audit_events
from thidua.web.forms import AuditFilterForm
from thidua.web.utils import get_actor, require

PER_PAGE = 50


def _pretty(data):
    if data is None:
        return ""
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)


@login_required
def audit_log(request):
    actor = get_actor(request)
    # Nothing here is an object that could be hidden: the page itself is forbidden.
    require(True, actor.is_admin or bool(actor.secretariat_provinces))
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_events(actor, action=filters.get("action", ""),
                          object_type=filters.get("object_type", ""),
                          object_id=filters.get("object_id", ""))
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("trang"))
    rows = [{"event": e, "before": _pretty(e.before), "after": _pretty(e.after)}
            for e in page.object_list]
    query = request.GET.copy()
    query.pop("trang", None)
    return render(request, "web/audit_log.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
    })
