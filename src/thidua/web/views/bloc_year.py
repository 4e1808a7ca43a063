"""A bloc year: members and their registrations, the pledge signing record, the phase."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from thidua.awards import rules as award_rules
from thidua.core.dates import short_date
from thidua.core.errors import DomainError
from thidua.guidance import gaps, steps
from thidua.guidance import services as guidance_services
from thidua.org import services as org_services
from thidua.org.domain.phases import Phase, allowed_moves
from thidua.org.queries import bloc_year_in_scope
from thidua.org.rules import (
    bloc_year_roles,
    can_manage_bloc_year,
    can_read_province,
    can_set_up_province,
)
from thidua.pledges import queries as pledge_queries
from thidua.pledges import rules as pledge_rules
from thidua.pledges import services as pledge_services
from thidua.pledges.models import PledgeSignature
from thidua.publication import rules as publication_rules
from thidua.web.forms import BlocDeadlineForm, PhaseForm, SignatureForm
from thidua.web.utils import error_items, get_actor, require, shows_domain_errors


def load_bloc_year(actor, pk):
    """The bloc year if the actor sees it (NotFound: 404 otherwise), with their roles in it.
    Its views must carry @shows_domain_errors."""
    bloc_year = bloc_year_in_scope(actor, pk)
    return bloc_year, bloc_year_roles(actor, bloc_year)


def _page(request, actor, bloc_year, roles, *, phase_form=None, signature_form=None,
          deadline_form=None, errors=(), status=200):
    view = pledge_queries.bloc_year_view(actor, bloc_year)
    members = [row.unit for row in view.members]
    can_sign = pledge_rules.can_record_signing(actor, bloc_year)
    moves = allowed_moves(bloc_year.phase, roles)
    signing = pledge_queries.signing_of(bloc_year)
    if can_sign and signature_form is None:
        signature_form = SignatureForm(members=members, initial={
            "signed_on": signing.signed_on if signing else None,
            "place": signing.place if signing else "",
            "status": PledgeSignature.Status.SIGNED,
        })
    can_set_deadline = can_set_up_province(actor, bloc_year.bloc.province_id)
    if can_set_deadline and deadline_form is None:
        deadline_form = BlocDeadlineForm(
            initial={"registration_deadline": bloc_year.registration_deadline})
    form_errors = [*error_items(phase_form), *error_items(signature_form),
                   *error_items(deadline_form)]
    return render(request, "web/bloc_year.html", {
        "bloc_year": bloc_year, "view": view, "signing_record": signing,
        "moves": [{"target": m.target, "label": Phase(m.target).label, "is_back": m.is_back,
                   "needs_reason": m.needs_reason,
                   "gaps": [] if m.is_back else gaps.phase_gaps(bloc_year, m.target)}
                  for m in moves],
        "checklist": (steps.bloc_checklist(actor, bloc_year)
                      if can_manage_bloc_year(actor, bloc_year) else []),
        "phase_form": phase_form or PhaseForm(),
        "can_sign": can_sign, "signature_form": signature_form,
        "deadline_form": deadline_form if can_set_deadline else None,
        "errors": form_errors + error_items(messages=errors),
        "viewable_units": _viewable(actor, bloc_year, members),
        "past_deadline": timezone.localdate() > view.deadline,
        "can_preview_awards": award_rules.can_preview(actor, bloc_year),
        "can_edit_press": publication_rules.can_edit_press_release(actor, bloc_year),
    }, status=status)


def _viewable(actor, bloc_year, members):
    """Member units whose page this actor may open (the same test as org.rules.can_view_unit,
    made once for the list instead of once per row)."""
    if can_read_province(actor, bloc_year.bloc.province_id):  # a former province's too
        return {unit.id for unit in members}
    return set(actor.own_units | actor.led_units)


@login_required
@shows_domain_errors
def detail(request, pk):
    actor = get_actor(request)
    bloc_year, roles = load_bloc_year(actor, pk)
    return _page(request, actor, bloc_year, roles)


@login_required
@require_POST
@shows_domain_errors
def move_phase(request, pk):
    actor = get_actor(request)
    bloc_year, roles = load_bloc_year(actor, pk)
    require(True, bool(allowed_moves(bloc_year.phase, roles)))
    form = PhaseForm(request.POST)
    if not form.is_valid():
        return _page(request, actor, bloc_year, roles, phase_form=form, status=400)
    try:
        guidance_services.move_phase(actor, bloc_year, form.cleaned_data["target"],
                                     form.cleaned_data["reason"],
                                     confirmed=form.cleaned_data["confirm"])
    except DomainError as exc:
        return _page(request, actor, bloc_year, roles, phase_form=form, errors=exc.messages,
                     status=exc.status)
    messages.success(request, f"Đã chuyển sang giai đoạn “{bloc_year.get_phase_display()}”.")
    return redirect("bloc_year", pk=bloc_year.pk)


@login_required
@require_POST
@shows_domain_errors
def record_signature(request, pk):
    actor = get_actor(request)
    bloc_year, roles = load_bloc_year(actor, pk)
    require(True, pledge_rules.can_record_signing(actor, bloc_year))
    members = [row.unit for row in pledge_queries.bloc_year_view(actor, bloc_year).members]
    form = SignatureForm(request.POST, members=members)
    if not form.is_valid():
        return _page(request, actor, bloc_year, roles, signature_form=form, status=400)
    data = form.cleaned_data
    unit = next(member for member in members if member.id == data["unit"])
    try:
        pledge_services.record_signature(
            actor, bloc_year, unit, signed_on=data["signed_on"], place=data["place"],
            status=data["status"], signer_name=data["signer_name"],
            absence_reason=data["absence_reason"])
    except DomainError as exc:
        return _page(request, actor, bloc_year, roles, signature_form=form,
                     errors=exc.messages, status=exc.status)
    messages.success(request, f"Đã ghi nhận ký kết của {unit.name}.")
    return redirect("bloc_year", pk=bloc_year.pk)


@login_required
@require_POST
@shows_domain_errors
def set_deadline(request, pk):
    """RULES.md 7: the province gives the bloc its own registration deadline."""
    actor = get_actor(request)
    bloc_year, roles = load_bloc_year(actor, pk)
    require(True, can_set_up_province(actor, bloc_year.bloc.province_id))
    form = BlocDeadlineForm(request.POST)
    if not form.is_valid():
        return _page(request, actor, bloc_year, roles, deadline_form=form, status=400)
    deadline = form.cleaned_data["registration_deadline"]
    try:
        org_services.set_bloc_registration_deadline(actor, bloc_year, deadline,
                                                    form.cleaned_data["reason"])
    except DomainError as exc:
        return _page(request, actor, bloc_year, roles, deadline_form=form, errors=exc.messages,
                     status=exc.status)
    messages.success(request, f"Hạn đăng ký của khối: "
                              f"{short_date(bloc_year.effective_registration_deadline)}.")
    return redirect("bloc_year", pk=bloc_year.pk)
