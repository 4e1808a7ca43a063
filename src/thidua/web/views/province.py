"""The province dashboard: every bloc of one emulation year at a glance."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from thidua.documents.rules import can_manage_province_certificates
from thidua.guidance import steps
from thidua.org import queries as org_queries
from thidua.org.rules import (
    can_oversee_province,
    can_read_province,
    can_set_up_province,
    former_provinces,
)
from thidua.pledges import queries as pledge_queries
from thidua.web.utils import get_actor, require, shows_domain_errors


def chosen_year(province, raw):
    """The year asked for in `?nam=`, else the current one; a year the province does not
    have is not found."""
    years = org_queries.years_of(province)
    if raw in (None, ""):
        return org_queries.current_year_of(province), years
    try:
        wanted = int(raw)
    except ValueError:
        raise Http404("Năm thi đua không hợp lệ.") from None
    for emulation_year in years:
        if emulation_year.year == wanted:
            return emulation_year, years
    raise Http404("Tỉnh chưa có năm thi đua này.")


@login_required
@shows_domain_errors
def dashboard(request, code):
    actor = get_actor(request)
    province = org_queries.province_by_code(code)
    require(can_read_province(actor, province.id))
    oversees = can_oversee_province(actor, province.id)  # else: a former province, read-only
    emulation_year, years = chosen_year(province, request.GET.get("nam"))
    summaries = (pledge_queries.province_overview(province, emulation_year)
                 if emulation_year else [])
    rows = [{"summary": s, "not_started": s.missing - s.drafts} for s in summaries]
    totals = {
        "members": sum(s.member_count for s in summaries),
        "registered": sum(s.registered for s in summaries),
        "drafts": sum(s.drafts for s in summaries),
        "missing": sum(row["not_started"] for row in rows),
    }
    return render(request, "web/province.html", {
        "attention": (steps.province_attention(actor, [s.bloc_year for s in summaries])
                      if oversees else []),
        "province": province, "emulation_year": emulation_year, "years": years,
        "rows": rows, "totals": totals,
        "oversees": oversees,
        "former_provinces": former_provinces(actor, province),
        "can_set_up": can_set_up_province(actor, province.id),
        "can_manage_certificates": can_manage_province_certificates(actor, province.id),
    })
