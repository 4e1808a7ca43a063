"""A unit's registration: titles, targets, submit, withdraw; progress with evidence.

The titles and targets sections are template partials: with htmx only the section is
sent back, without JavaScript the whole page (the same forms work either way).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from thidua.core.errors import DomainError
from thidua.law.award_forms import choices_for
from thidua.org.queries import unit_in_scope
from thidua.org.rules import can_act_for_unit
from thidua.pledges import queries as pledge_queries
from thidua.pledges import rules as pledge_rules
from thidua.pledges import services as pledge_services
from thidua.pledges.domain.progress import progress
from thidua.web.forms import CheckInForm, TargetForm, TitlesForm, WithdrawForm
from thidua.web.utils import error_items, get_actor, is_htmx, require, shows_domain_errors
from thidua.web.views.province import chosen_year

TEMPLATE = "web/registration.html"


def _unit_url(registration):
    return reverse("unit", args=[registration.unit_id]) + f"?nam={registration.emulation_year.year}"


def _load(actor, pk, *, act=False):
    """The registration if the actor may see it (else 404); with `act`, 403 unless the
    actor is an officer of its unit."""
    registration = pledge_services.find_registration(actor, pk)
    if act:
        require(True, can_act_for_unit(actor, registration.unit_id))
    return registration


def _render(request, actor, registration, *, section=None, titles_form=None, target_form=None,
            withdraw_form=None, errors=(), status=200, saved=False):
    year = registration.emulation_year.year
    titles = pledge_queries.registered_titles(registration)
    targets = [(t, progress(t.baseline, t.target_value, t.latest_actual))
               for t in pledge_queries.targets_of(registration)]
    context = {
        "registration": registration, "unit": registration.unit, "year": year,
        "targets": targets,
        "titles_form": titles_form or TitlesForm(initial={"award_forms": titles},
                                                 province=registration.unit.province),
        "chosen_titles": [label for value, label in choices_for(registration.unit.province)
                          if value in titles],
        "target_form": target_form or TargetForm(year=year),
        "withdraw_form": withdraw_form or WithdrawForm(),
        "can_edit": pledge_rules.can_edit_registration(actor, registration),
        "can_withdraw": pledge_rules.can_withdraw_registration(actor, registration),
        "can_report": pledge_rules.can_report_progress(actor, registration),
        "errors": [*error_items(titles_form), *error_items(target_form),
                   *error_items(withdraw_form), *error_items(messages=errors)],
        "unit_url": _unit_url(registration),
    }
    if section and is_htmx(request):
        context.update(partial=True, saved=saved)
        return render(request, f"{TEMPLATE}#{section}", context, status=status)
    return render(request, TEMPLATE, context, status=status)


@login_required
@require_POST
@shows_domain_errors
def open_registration(request, unit_pk):
    actor = get_actor(request)
    unit = unit_in_scope(actor, unit_pk)
    require(True, can_act_for_unit(actor, unit.id))
    emulation_year, _ = chosen_year(unit.province, request.POST.get("nam"))
    if emulation_year is None:
        raise Http404("Tỉnh chưa có năm thi đua.")
    registration = pledge_services.open_registration(actor, unit, emulation_year)
    return redirect("registration", pk=registration.pk)


@login_required
@shows_domain_errors
def detail(request, pk):
    actor = get_actor(request)
    return _render(request, actor, _load(actor, pk))


@login_required
@require_POST
@shows_domain_errors
def set_titles(request, pk):
    actor = get_actor(request)
    registration = _load(actor, pk, act=True)
    form = TitlesForm(request.POST, province=registration.unit.province)
    if not form.is_valid():
        return _render(request, actor, registration, section="titles", titles_form=form,
                       status=400)
    try:
        pledge_services.set_titles(actor, registration, form.cleaned_data["award_forms"])
    except DomainError as exc:
        return _render(request, actor, registration, section="titles", titles_form=form,
                       errors=exc.messages, status=exc.status)
    if is_htmx(request):
        return _render(request, actor, registration, section="titles", saved=True)
    messages.success(request, "Đã lưu danh hiệu đăng ký.")
    return redirect("registration", pk=registration.pk)


@login_required
@require_POST
@shows_domain_errors
def add_target(request, pk):
    actor = get_actor(request)
    registration = _load(actor, pk, act=True)
    form = TargetForm(request.POST, year=registration.emulation_year.year)
    if not form.is_valid():
        return _render(request, actor, registration, section="targets", target_form=form,
                       status=400)
    try:
        pledge_services.add_target(actor, registration, form.to_input())
    except DomainError as exc:
        return _render(request, actor, registration, section="targets", target_form=form,
                       errors=exc.messages, status=exc.status)
    if is_htmx(request):
        return _render(request, actor, registration, section="targets")
    messages.success(request, "Đã thêm chỉ tiêu.")
    return redirect("registration", pk=registration.pk)


def _load_target(actor, pk, *, act=False):
    registration = _load(actor, pledge_queries.registration_id_of_target(pk), act=act)
    return pledge_queries.target_in(registration, pk), registration


@login_required
@require_POST
@shows_domain_errors
def remove_target(request, pk):
    actor = get_actor(request)
    target, registration = _load_target(actor, pk, act=True)
    try:
        pledge_services.remove_target(actor, target)
    except DomainError as exc:
        return _render(request, actor, registration, section="targets", errors=exc.messages,
                       status=exc.status)
    if is_htmx(request):
        return _render(request, actor, registration, section="targets")
    messages.success(request, f"Đã xóa chỉ tiêu “{target.indicator}”.")
    return redirect("registration", pk=registration.pk)


@login_required
@require_POST
@shows_domain_errors
def submit(request, pk):
    actor = get_actor(request)
    registration = _load(actor, pk, act=True)
    try:
        pledge_services.submit_registration(actor, registration)
    except DomainError as exc:
        return _render(request, actor, registration, errors=exc.messages, status=exc.status)
    messages.success(request, "Đã gửi bản đăng ký thi đua.")
    return redirect(_unit_url(registration))


@login_required
@require_POST
@shows_domain_errors
def withdraw(request, pk):
    actor = get_actor(request)
    registration = _load(actor, pk, act=True)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _render(request, actor, registration, withdraw_form=form, status=400)
    try:
        pledge_services.withdraw_registration(actor, registration, form.cleaned_data["reason"])
    except DomainError as exc:
        return _render(request, actor, registration, withdraw_form=form, errors=exc.messages,
                       status=exc.status)
    messages.success(request, "Đã rút lại bản đăng ký; sửa xong hãy gửi lại.")
    return redirect("registration", pk=registration.pk)


@login_required
@shows_domain_errors
def check_in(request, pk):
    actor = get_actor(request)
    target, registration = _load_target(actor, pk, act=True)
    status, errors = 200, []
    if request.method == "POST":
        form = CheckInForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                pledge_services.report_progress(
                    actor, target, reported_on=data["reported_on"],
                    actual_value=data["actual_value"], note=data["note"],
                    files=data["files"])
            except DomainError as exc:
                errors, status = exc.messages, exc.status
            else:
                messages.success(request, f"Đã báo cáo tiến độ chỉ tiêu “{target.indicator}”.")
                return redirect(_unit_url(registration))
        else:
            status = 400
    else:
        form = CheckInForm()
    if request.method == "GET" and not pledge_rules.can_report_progress(actor, registration):
        errors = ["Chỉ báo cáo tiến độ khi bản đăng ký đã gửi và năm thi đua đang diễn ra."]
    return render(request, "web/check_in.html", {
        "target": target, "registration": registration, "unit": registration.unit,
        "form": form, "errors": [*error_items(form), *error_items(messages=errors)],
        "progress": progress(target.baseline, target.target_value, target.latest_actual),
        "unit_url": _unit_url(registration),
        "can_report": pledge_rules.can_report_progress(actor, registration),
    }, status=status)
