"""The province's award register (sổ khen thưởng): search by unit and year; each entry
links the papers filled from its decision (documents.register)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from thidua.core.errors import DomainError
from thidua.documents import register
from thidua.web.utils import error_items, get_actor, shows_domain_errors


@login_required
@shows_domain_errors
def page(request, code):
    actor = get_actor(request)
    province = register.find_province(actor, code)
    unit_text, year_text = request.GET.get("don_vi", ""), request.GET.get("nam", "")
    try:
        found = register.search(actor, code, year=year_text, unit_text=unit_text)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return render(request, "web/documents/register.html", {
            "province": province, "unit_text": unit_text, "year_text": year_text,
            "entries": [], "errors": error_items(messages=exc.messages)}, status=400)
    return render(request, "web/documents/register.html", {
        "province": province, "unit_text": unit_text, "year_text": year_text,
        "entries": found.entries, "truncated": found.truncated, "errors": []})
