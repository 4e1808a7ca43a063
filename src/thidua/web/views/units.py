"""Units: search (diacritics ignored) and a unit's year at a glance."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from thidua.guidance import steps
from thidua.org import lineage
from thidua.org import queries as org_queries
from thidua.org.rules import can_act_for_unit
from thidua.pledges import queries as pledge_queries
from thidua.pledges import rules as pledge_rules
from thidua.web.forms import SearchForm
from thidua.web.utils import get_actor, shows_domain_errors
from thidua.web.views.province import chosen_year

SEARCH_LIMIT = 200


@login_required
def search(request):
    actor = get_actor(request)
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = org_queries.search_units(actor, query, limit=SEARCH_LIMIT + 1)
    return render(request, "web/unit_search.html", {
        "form": form, "query": query, "results": results[:SEARCH_LIMIT],
        "truncated": len(results) > SEARCH_LIMIT,
    })


@login_required
@shows_domain_errors
def detail(request, pk):
    actor = get_actor(request)
    unit = org_queries.unit_in_scope(actor, pk)
    emulation_year, years = chosen_year(unit.province, request.GET.get("nam"))
    view = (pledge_queries.unit_year_view(actor, unit, emulation_year)
            if emulation_year else None)
    is_own = unit.id in actor.own_units
    may_act = can_act_for_unit(actor, unit.id)
    registration = view.registration if view else None
    next_steps = []
    if view is not None:
        next_steps = steps.unit_steps(actor, unit, view.bloc_year)
        if unit.id in actor.delegate_units:
            next_steps += steps.delegate_steps(actor)
    today = timezone.localdate()
    ended = lineage.dissolutions([unit.id], today).get(unit.id)  # RULES.md 44
    return render(request, "web/unit.html", {
        "next_steps": next_steps,
        "dissolved": lineage.dissolved_message(unit, ended, today) if ended else "",
        "unit": unit, "emulation_year": emulation_year, "years": years, "view": view,
        "history": org_queries.membership_history(unit),
        "is_own": is_own, "may_act": may_act, "today": today,
        "can_open": view is not None and pledge_rules.can_open_registration(
            actor, unit.id, view.bloc_year, registration),
        "can_report": bool(registration) and pledge_rules.can_report_progress(
            actor, registration),
    })
