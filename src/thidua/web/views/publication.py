"""Publication pages (issue 6 items 6 and 7): the press release — edit, regenerate from the
data, preview, publish — and the public results page with its index, no sign-in needed.

Thin views over `thidua.publication.services` / `queries`; who may edit is
`publication.rules` (404 outside the bloc year, 403 for a member who may not edit). The
public pages show only what is published (publication.queries says what that is).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from thidua.core import ratelimit
from thidua.core.errors import Conflict, DomainError
from thidua.core.numbers import vi_number
from thidua.publication import queries, services
from thidua.publication.domain.press import FIELDS
from thidua.web.utils import error_items, get_actor, shows_domain_errors

PRESS = "web/publication/press.html"
FIELD_LABELS = {"title": "tiêu đề", "lead": "sapo", "body": "nội dung"}


class PressForm(forms.Form):
    title = forms.CharField(label="Tiêu đề", max_length=services.LIMITS["title"],
                            error_messages={"required": "Tiêu đề không được để trống."})
    lead = forms.CharField(label="Sapo (đoạn mở đầu)", max_length=services.LIMITS["lead"],
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "Sapo không được để trống."})
    body = forms.CharField(label="Nội dung", max_length=services.LIMITS["body"],
                           help_text="Các đoạn cách nhau bằng một dòng trống.",
                           widget=forms.Textarea(attrs={"rows": 14}),
                           error_messages={"required": "Nội dung không được để trống."})


def _press_page(request, bloc_year, *, form=None, errors=(), status=200):
    view = queries.press_view(bloc_year)
    if form is None and view.release is not None:
        form = PressForm(initial={name: getattr(view.release, name) for name in FIELDS})
    return render(request, PRESS, {
        "bloc_year": bloc_year, "view": view, "form": form,
        "edited": [FIELD_LABELS[name] for name in view.edited_fields],
        "errors": [*error_items(form), *error_items(messages=errors)],
    }, status=status)


@login_required
@require_GET
@shows_domain_errors
def press(request, pk):
    bloc_year = queries.press_bloc_year(get_actor(request), pk)
    return _press_page(request, bloc_year)


@login_required
@require_POST
@shows_domain_errors
def press_save(request, pk):
    actor = get_actor(request)
    bloc_year = queries.press_bloc_year(actor, pk)
    form = PressForm(request.POST)
    if not form.is_valid():
        return _press_page(request, bloc_year, form=form, status=400)
    try:
        services.edit(actor, bloc_year, **form.cleaned_data)
    except DomainError as exc:
        return _press_page(request, bloc_year, form=form, errors=exc.messages,
                           status=exc.status)
    messages.success(request, "Đã lưu bản thảo thông cáo báo chí.")
    return redirect("publication_press", pk=bloc_year.pk)


@login_required
@require_POST
@shows_domain_errors
def press_generate(request, pk):
    actor = get_actor(request)
    bloc_year = queries.press_bloc_year(actor, pk)
    _, kept = services.generate(actor, bloc_year, overwrite=request.POST.get("ghi_de") == "1")
    if kept:
        messages.success(request, "Đã tạo lại từ số liệu; giữ nguyên phần bạn đã sửa: "
                         + ", ".join(FIELD_LABELS[name] for name in kept) + ".")
    else:
        messages.success(request, "Đã tạo bản thảo thông cáo báo chí từ số liệu.")
    return redirect("publication_press", pk=bloc_year.pk)


@login_required
@require_POST
@shows_domain_errors
def press_publish(request, pk):
    actor = get_actor(request)
    bloc_year = queries.press_bloc_year(actor, pk)
    revision = services.publish(actor, bloc_year)
    messages.success(request, f"Đã công bố thông cáo báo chí (lần {revision.number}).")
    return redirect("publication_press", pk=bloc_year.pk)


@login_required
@require_GET
@shows_domain_errors
def press_preview(request, pk):
    bloc_year = queries.press_bloc_year(get_actor(request), pk)
    view = queries.press_view(bloc_year)
    if view.release is None:
        raise Conflict("Chưa có bản thảo thông cáo báo chí để xem trước.")
    return render(request, "web/publication/preview.html", {
        "bloc_year": bloc_year, "view": view, "article": view.release,
        "paragraphs": [p.strip() for p in view.release.body.split("\n\n") if p.strip()]})


# --- public, no sign-in --------------------------------------------------------------------

@require_GET
@shows_domain_errors
def public_results(request, pk):
    ratelimit.check_public(request)
    bloc_year = queries.public_bloc_year(pk)
    services.record_view(bloc_year, ratelimit.client_ip(request),
                         request.headers.get("User-Agent", ""))
    results = queries.public_results(bloc_year)
    lines = results.ranking.lines if results.ranking else []
    return render(request, "web/publication/public.html", {
        "bloc_year": bloc_year, "results": results, "next_year": bloc_year.year + 1,
        "ranking_rows": [{"rank": line.row.rank, "unit": line.unit.name,
                          "tied": line.row.tied, "final": vi_number(line.final)}
                         for line in lines],
        "paragraphs": results.press.paragraphs if results.press else []})


@require_GET
@shows_domain_errors
def public_index(request, code):
    ratelimit.check_public(request)
    province = queries.public_province(code)
    return render(request, "web/publication/public_index.html", {
        "province": province, "bloc_years": queries.published_bloc_years(province)})
