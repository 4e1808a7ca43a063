"""Setting up a province: its units, blocs, emulation years (registration deadline), the
bloc size range, and each bloc's members, leader and deputies for a year.

The setup page's sections are template partials: with htmx only the section is sent back,
without JavaScript the whole page (the same forms work either way). Every change goes
through org.services, which checks the rules and writes the audit event.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from thidua.core.dates import short_date
from thidua.core.errors import DomainError
from thidua.org import queries as org_queries
from thidua.org import services as org_services
from thidua.org.models import Province
from thidua.org.rules import can_oversee_province, can_set_up_province
from thidua.web.forms import (
    BlocForm,
    BlocSizeForm,
    BlocYearChoiceForm,
    CompositionForm,
    DeadlineForm,
    ProvinceKindForm,
    RenameBlocForm,
    RenameUnitForm,
    UnitForm,
    YearForm,
)
from thidua.web.utils import error_items, get_actor, is_htmx, require, shows_domain_errors

TEMPLATE = "web/setup/province.html"
# Each form's ids start with its section's name, so two "name" fields never share an id
# and the error summary's links land on the right one.
AUTO_IDS = {"unit": "don-vi-%s", "bloc": "khoi-%s", "year": "nam-%s", "size": "quy-mo-%s",
            "kind": "loai-%s"}


def load_province(actor, code) -> Province:
    """404 unless the actor oversees the province (its existence is not told), 403 if
    they oversee it but may not set it up."""
    province = org_queries.province_by_code(code)
    require(can_oversee_province(actor, province.id), can_set_up_province(actor, province.id))
    return province


def _render(request, province, *, section=None, forms=None, failed=None, errors=(),
            status=200, saved=""):
    forms = forms or {}
    context = {
        "province": province,
        "units": org_queries.units_of(province),
        "blocs": org_queries.blocs_of(province),
        "years": org_queries.years_of(province),
        "unit_form": forms.get("unit") or UnitForm(auto_id=AUTO_IDS["unit"]),
        "bloc_form": forms.get("bloc") or BlocForm(auto_id=AUTO_IDS["bloc"]),
        "year_form": forms.get("year") or YearForm(auto_id=AUTO_IDS["year"]),
        "kind_form": forms.get("kind") or ProvinceKindForm(auto_id=AUTO_IDS["kind"], initial={
            "kind": province.kind}),
        "size_form": forms.get("size") or BlocSizeForm(auto_id=AUTO_IDS["size"], initial={
            "min_bloc_size": province.min_bloc_size, "max_bloc_size": province.max_bloc_size}),
        # A rename or deadline form that was refused: its row opens with what was typed.
        **{f"failed_{kind}": failed["pk"] if failed and failed["kind"] == kind else None
           for kind in ("unit", "bloc", "year")},
        "failed_data": failed["form"].data if failed else {},
        "errors": [*(item for form in forms.values() for item in error_items(form)),
                   *error_items(failed["form"] if failed else None),
                   *error_items(messages=errors)],
        "saved": saved,
    }
    if section and is_htmx(request):
        context["partial"] = True
        return render(request, f"{TEMPLATE}#{section}", context, status=status)
    return render(request, TEMPLATE, context, status=status)


SECTION_IDS = {"units": "muc-don-vi", "blocs": "muc-khoi", "years": "muc-nam",
               "size": "muc-quy-mo", "kind": "muc-loai"}


def _save(request, province, *, section, form, call, message, failed=None, key=None):
    """Validate the form, call the service, answer: the one shape of every POST here."""
    refused = {"section": section, "forms": {key: form} if key else None,
               "failed": {**failed, "form": form} if failed else None}
    if not form.is_valid():
        return _render(request, province, status=400, **refused)
    try:
        result = call(form.cleaned_data)
    except DomainError as exc:
        return _render(request, province, status=exc.status, errors=exc.messages, **refused)
    if is_htmx(request):
        province.refresh_from_db()
        return _render(request, province, section=section, saved=message(result))
    messages.success(request, message(result))
    return redirect(reverse("province_setup", args=[province.code]) + f"#{SECTION_IDS[section]}")


@login_required
@shows_domain_errors
def overview(request, code):
    province = load_province(get_actor(request), code)
    return _render(request, province)


@login_required
@require_POST
@shows_domain_errors
def add_unit(request, code):
    actor = get_actor(request)
    province = load_province(actor, code)
    return _save(
        request, province, section="units", key="unit",
        form=UnitForm(request.POST, auto_id=AUTO_IDS["unit"]),
        call=lambda data: org_services.create_unit(actor, province, code=data["code"],
                                                   name=data["name"]),
        message=lambda unit: f"Đã thêm đơn vị “{unit.name}” (mã {unit.code}).")


@login_required
@require_POST
@shows_domain_errors
def rename_unit(request, code, pk):
    actor = get_actor(request)
    province = load_province(actor, code)
    unit = org_queries.unit_of(province, pk)
    return _save(
        request, province, section="units",
        form=RenameUnitForm(request.POST, auto_id=f"don-vi-{unit.pk}-%s"),
        failed={"kind": "unit", "pk": unit.pk},
        call=lambda data: org_services.rename_unit(actor, unit, name=data["name"]),
        message=lambda unit: f"Đã lưu tên đơn vị “{unit.name}”.")


@login_required
@require_POST
@shows_domain_errors
def add_bloc(request, code):
    actor = get_actor(request)
    province = load_province(actor, code)
    return _save(
        request, province, section="blocs", key="bloc",
        form=BlocForm(request.POST, auto_id=AUTO_IDS["bloc"]),
        call=lambda data: org_services.create_bloc(
            actor, province, code=data["code"], name=data["name"], kind=data["kind"],
            short_name=data["short_name"]),
        message=lambda bloc: f"Đã thêm {bloc.get_kind_display().lower()} “{bloc.name}”.")


@login_required
@require_POST
@shows_domain_errors
def rename_bloc(request, code, pk):
    actor = get_actor(request)
    province = load_province(actor, code)
    bloc = org_queries.bloc_of(province, pk)
    return _save(
        request, province, section="blocs",
        form=RenameBlocForm(request.POST, auto_id=f"khoi-{bloc.pk}-%s"),
        failed={"kind": "bloc", "pk": bloc.pk},
        call=lambda data: org_services.rename_bloc(actor, bloc, name=data["name"],
                                                   short_name=data["short_name"]),
        message=lambda bloc: f"Đã lưu tên “{bloc.name}”.")


@login_required
@require_POST
@shows_domain_errors
def add_year(request, code):
    actor = get_actor(request)
    province = load_province(actor, code)
    return _save(
        request, province, section="years", key="year",
        form=YearForm(request.POST, auto_id=AUTO_IDS["year"]),
        call=lambda data: org_services.create_year(actor, province, data["year"],
                                                   data["registration_deadline"]),
        message=lambda year: (f"Đã mở năm thi đua {year.year}, hạn đăng ký "
                              f"{short_date(year.registration_deadline)}."))


@login_required
@require_POST
@shows_domain_errors
def set_deadline(request, code, year):
    actor = get_actor(request)
    province = load_province(actor, code)
    emulation_year = org_queries.year_in(province, year)
    return _save(
        request, province, section="years",
        form=DeadlineForm(request.POST, auto_id=f"nam-{emulation_year.year}-%s"),
        failed={"kind": "year", "pk": emulation_year.pk},
        call=lambda data: org_services.set_registration_deadline(
            actor, emulation_year, data["registration_deadline"]),
        message=lambda year: (f"Hạn đăng ký thi đua năm {year.year}: "
                              f"{short_date(year.registration_deadline)}."))


@login_required
@require_POST
@shows_domain_errors
def set_bloc_size(request, code):
    actor = get_actor(request)
    province = load_province(actor, code)
    return _save(
        request, province, section="size", key="size",
        form=BlocSizeForm(request.POST, auto_id=AUTO_IDS["size"]),
        call=lambda data: org_services.set_bloc_size_range(
            actor, province, min_size=data["min_bloc_size"], max_size=data["max_bloc_size"]),
        message=lambda p: (f"Mỗi khối, cụm có từ {p.min_bloc_size} đến {p.max_bloc_size} "
                           "đơn vị thành viên."))


@login_required
@require_POST
@shows_domain_errors
def set_kind(request, code):
    actor = get_actor(request)
    province = load_province(actor, code)
    return _save(
        request, province, section="kind", key="kind",
        form=ProvinceKindForm(request.POST, auto_id=AUTO_IDS["kind"]),
        call=lambda data: org_services.set_province_kind(actor, province, data["kind"]),
        message=lambda p: f"{p.full_name[0].upper()}{p.full_name[1:]}: "
                          f"{p.get_kind_display().lower()}.")


# --- a bloc's year: members, leader, deputies ---------------------------------------------

def _chosen(form):
    """What the user ticked, exactly as sent (ids as text), even from a form that did not
    validate, so the page comes back as it was."""
    if form is None:
        return {"members": set(), "leader": None, "deputies": set()}
    return {"members": set(form.data.getlist("members")), "leader": form.data.get("leader"),
            "deputies": set(form.data.getlist("deputies"))}


@login_required
@shows_domain_errors
def new_bloc_year(request, code):
    """Pick the bloc and the year (GET), then tick the members, the leader and the
    deputies (POST). On refusal the page comes back with the composition errors and
    every box as it was ticked."""
    actor = get_actor(request)
    province = load_province(actor, code)
    blocs = org_queries.blocs_of(province)
    years = org_queries.years_of(province)
    lists = {"blocs": blocs, "years": years, "auto_id": "chon-%s"}
    if request.method != "POST" and not request.GET.get("khoi"):
        # Nothing chosen yet; the dashboard's link may preselect the year.
        choice = BlocYearChoiceForm(initial={"nam": request.GET.get("nam")}, **lists)
        return _bloc_year_page(request, province, choice)
    choice = BlocYearChoiceForm(request.POST if request.method == "POST" else request.GET,
                                **lists)
    if not choice.is_valid():
        return _bloc_year_page(request, province, choice, status=400)
    bloc = next(b for b in blocs if b.id == choice.cleaned_data["khoi"])
    emulation_year = next(y for y in years if y.year == choice.cleaned_data["nam"])
    if request.method != "POST":
        candidates = org_queries.bloc_year_candidates(province, emulation_year, bloc)
        chosen = None
        if request.GET.get("sao-chep"):
            # Last year's members still free; the leader is left to choose (RULES.md 4).
            chosen = {"members": {str(i) for i in candidates.previous_members},
                      "leader": None, "deputies": set()}
        return _bloc_year_page(request, province, choice, bloc=bloc,
                               emulation_year=emulation_year, chosen=chosen,
                               candidates=candidates)
    form = CompositionForm(request.POST)
    if not form.is_valid():
        return _bloc_year_page(request, province, choice, bloc=bloc,
                               emulation_year=emulation_year, form=form, status=400)
    data = form.cleaned_data
    try:
        bloc_year = org_services.create_bloc_year(
            actor, bloc, emulation_year, members=data["members"], leader=data["leader"],
            deputies=data["deputies"])
    except DomainError as exc:
        return _bloc_year_page(request, province, choice, bloc=bloc,
                               emulation_year=emulation_year, form=form, errors=exc.messages,
                               status=exc.status)
    messages.success(request, f"Đã lập {bloc.display_name} năm {emulation_year.year} với "
                              f"{len(data['members'])} đơn vị thành viên.")
    return redirect("bloc_year", pk=bloc_year.pk)


def _bloc_year_page(request, province, choice, *, bloc=None, emulation_year=None, form=None,
                    chosen=None, candidates=None, errors=(), status=200):
    context = {"province": province, "choice": choice, "bloc": bloc,
               "can_choose": len(choice.fields["khoi"].choices) > 1
               and bool(choice.fields["nam"].choices),
               "emulation_year": emulation_year,
               "errors": [*error_items(choice), *error_items(form),
                          *error_items(messages=errors)]}
    if bloc is not None:
        candidates = candidates or org_queries.bloc_year_candidates(
            province, emulation_year, bloc)
        picked = chosen or _chosen(form)
        context.update(
            existing=org_queries.bloc_year_of(bloc, emulation_year),
            candidates=candidates, copied=chosen is not None,
            rows=[{"candidate": c, "member": str(c.unit.id) in picked["members"],
                   "leader": str(c.unit.id) == picked["leader"],
                   "deputy": str(c.unit.id) in picked["deputies"]}
                  for c in candidates.units],
        )
    return render(request, "web/setup/bloc_year.html", context, status=status)
