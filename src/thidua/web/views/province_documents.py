"""The province's papers of a year, for its secretariat: the statistics forms 0601.N–
0605.N (Excel) and the whole pack of the blocs' documents (a background job with a
progress bar). Everything goes through documents.statistics and documents.pack, which
check that the actor reads the province (404 otherwise: org.rules.can_read_province — a
former province's successor reads it, and builds no pack)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from thidua.awards.queries import decisions_of
from thidua.documents import pack, statistics
from thidua.org.queries import province_by_code
from thidua.org.rules import can_oversee_province
from thidua.web.utils import get_actor, is_htmx, shows_domain_errors


def _attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@shows_domain_errors
def page(request, code, year):
    actor = get_actor(request)
    province = province_by_code(code)
    emulation_year = statistics.find_year(actor, province, year)
    return render(request, "web/documents/province.html", {
        "province": province, "emulation_year": emulation_year,
        "statistics": statistics.summaries(emulation_year),
        "statistics_note": statistics.note_for(emulation_year.year),
        "groups": pack.contents(emulation_year),
        "jobs": pack.pack_jobs(actor, emulation_year),
        "decisions": decisions_of(emulation_year),
        "oversees": can_oversee_province(actor, province.id),  # else a former province's
    })


@login_required
@shows_domain_errors
def statistics_form(request, code, year, form):
    province = province_by_code(code)
    name, content = statistics.statistics_form(get_actor(request), province, year, form)
    return _attachment(content, name, statistics.CONTENT_TYPE)


@login_required
@require_POST
@shows_domain_errors
def request_pack(request, code, year):
    province = province_by_code(code)
    job = pack.request_pack(get_actor(request), province, year)
    return redirect("province_pack_job", job_id=job.id)


@login_required
@shows_domain_errors
def pack_job(request, job_id):
    job = pack.find_pack_job(get_actor(request), job_id)
    context = {"job": job}
    if is_htmx(request):
        return render(request, "web/documents/pack_job.html#progress", context)
    return render(request, "web/documents/pack_job.html", context)


@login_required
@shows_domain_errors
def pack_download(request, job_id):
    job = pack.pack_zip(get_actor(request), job_id)
    return _attachment(bytes(job.pdf), job.filename, "application/zip")
