"""Awards pages (issue 5): the leader's eligibility table and what-if preview, the bloc's
proposal with its workflow buttons, the province's proposals side by side with the
decision form, and a unit's award history. Thin: every rule is in awards.proposals."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from thidua.awards import council, queries, rules
from thidua.awards import proposals as service
from thidua.awards.services import next_year_bonus
from thidua.core import audit
from thidua.core.errors import DomainError, Forbidden, NotFound
from thidua.documents.kinds_awards import visible_papers
from thidua.law.award_forms import AwardForm, label_for
from thidua.law.rulebooks import RulebookNotFound
from thidua.law.whatif import BORDERLINE, OUT, SAFE
from thidua.law.workflow import BUTTONS, STEPS, allowed_steps
from thidua.org.queries import (
    bloc_year_in_scope,
    members,
    province_by_code,
    unit_in_scope,
    year_in,
)
from thidua.org.rules import can_oversee_province
from thidua.web.forms import DATE_WIDGET
from thidua.web.utils import error_items, get_actor, require, shows_domain_errors


class DateChoiceForm(forms.Form):
    ngay = forms.DateField(label="Ngày hội nghị (bộ quy tắc áp dụng theo ngày này)",
                           required=False, widget=DATE_WIDGET)


class StepForm(forms.Form):
    reason = forms.CharField(label="Lý do trả lại", required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    number = forms.CharField(label="Số quyết định", max_length=50)
    decision_date = forms.DateField(label="Ngày quyết định", widget=DATE_WIDGET)
    signer = forms.CharField(label="Người ký", max_length=200)
    awarded = forms.MultipleChoiceField(label="Được khen thưởng", required=False,
                                        widget=forms.CheckboxSelectMultiple)
    not_awarded = forms.MultipleChoiceField(label="Không được khen thưởng", required=False,
                                            widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, lines=(), province=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(line.id), f"{line.unit.name} — {label_for(line.award_form, province)}")
                   for line in lines]
        self.fields["awarded"].choices = choices
        self.fields["not_awarded"].choices = choices

    def clean(self):
        data = super().clean()
        if not (data.get("awarded") or data.get("not_awarded")):
            raise forms.ValidationError("Chọn ít nhất một đơn vị được hoặc không được khen "
                                        "thưởng.")
        return data


def _on_date(request, bloc_year):
    form = DateChoiceForm(request.GET or None)
    day = form.cleaned_data["ngay"] if form.is_valid() else None
    if day is None:
        proposal = queries.proposal_of(bloc_year)
        day = proposal.conference_date if proposal else timezone.localdate()
    return form, day


def _situation_page(request, pk, template, build):
    actor = get_actor(request)
    bloc_year = bloc_year_in_scope(actor, pk)
    require(True, rules.can_preview(actor, bloc_year))
    form, day = _on_date(request, bloc_year)
    try:
        context = build(actor, bloc_year, day)
    except RulebookNotFound as exc:
        return render(request, template, {"bloc_year": bloc_year, "date_form": form,
                                          "on_date": day,
                                          "errors": error_items(messages=exc.messages)},
                      status=exc.status)
    context.update(bloc_year=bloc_year, date_form=form, on_date=day, errors=[])
    return render(request, template, context)


FORMS = list(AwardForm)


@login_required
@shows_domain_errors
def eligibility(request, pk):
    """Every unit × form: eligible, or the unmet (and missing) rules with citations."""
    def build(actor, bloc_year, day):
        situation = service.bloc_situation(actor, bloc_year, on_date=day)
        rows = [{"unit": unit, "rank": situation.ranks.get(unit.id),
                 "cells": [situation.eligibility[(unit.id, form.value)] for form in FORMS]}
                for unit in situation.units]
        return {"situation": situation, "forms": FORMS, "rows": rows}
    return _situation_page(request, pk, "web/awards/eligibility.html", build)


@login_required
@shows_domain_errors
def what_if(request, pk):
    def build(actor, bloc_year, day):
        situation, outlooks = service.what_if(actor, bloc_year, on_date=day)
        names = {u.id: u for u in situation.units}
        sections = [{"form": AwardForm(form), "quota": situation.quotas.get(form),
                     "rows": [(names[o.unit_id], o, situation.ranks.get(o.unit_id))
                              for o in items]}
                    for form, items in outlooks.items()]
        return {"situation": situation, "sections": sections,
                "SAFE": SAFE, "BORDERLINE": BORDERLINE, "OUT": OUT}
    return _situation_page(request, pk, "web/awards/what_if.html", build)


def _proposal_page(request, actor, bloc_year, *, step_form=None, errors=(), status=200):
    proposal = queries.proposal_of(bloc_year)
    sides = rules.proposal_sides(actor, bloc_year)
    return render(request, "web/awards/proposal.html", {
        "bloc_year": bloc_year, "proposal": proposal, "lines": queries.proposal_lines(proposal),
        "steps": allowed_steps(proposal.state, sides) if proposal else [],
        "differences": service.differences(proposal) if proposal else [],
        "step_form": step_form or StepForm(),
        "history": audit.history(proposal) if proposal else [],
        "polls_ready": service.published_poll_results(bloc_year) is not None,
        "may_assemble": rules.may_assemble(actor, bloc_year, proposal),
        "is_province": rules.PROVINCE in sides,
        "papers": visible_papers(actor, proposal),
        "errors": [*error_items(step_form), *error_items(messages=errors)],
    }, status=status)


@login_required
@shows_domain_errors
def proposal(request, pk):
    actor = get_actor(request)
    bloc_year = bloc_year_in_scope(actor, pk)
    return _proposal_page(request, actor, bloc_year)


@login_required
@require_POST
@shows_domain_errors
def assemble(request, pk):
    """Draft the proposal from the conference's published poll results (voting app)."""
    actor = get_actor(request)
    bloc_year = bloc_year_in_scope(actor, pk)
    try:
        service.assemble_proposal(actor, bloc_year, None)
    except (Forbidden, NotFound):
        raise  # the 403 / 404 page, not the proposal's
    except DomainError as exc:
        return _proposal_page(request, actor, bloc_year, errors=exc.messages,
                              status=exc.status)
    messages.success(request, "Đã lập hồ sơ đề nghị khen thưởng từ kết quả bình xét.")
    return redirect("award_proposal", pk=bloc_year.pk)


@login_required
@require_POST
@shows_domain_errors
def step(request, pk, action):
    actor = get_actor(request)
    proposal = service.find_proposal(actor, pk)
    bloc_year = proposal.bloc_year
    step_def = STEPS.get(action)
    require(action in BUTTONS,
            step_def is not None and step_def.side in rules.proposal_sides(actor, bloc_year))
    form = StepForm(request.POST)
    if not form.is_valid():
        return _proposal_page(request, actor, bloc_year, step_form=form, status=400)
    try:
        service.move_proposal(actor, proposal, action, form.cleaned_data["reason"])
    except DomainError as exc:
        return _proposal_page(request, actor, bloc_year, step_form=form, errors=exc.messages,
                              status=exc.status)
    messages.success(request, f"Đã «{step_def.label}» hồ sơ đề nghị khen thưởng.")
    return redirect("award_proposal", pk=bloc_year.pk)


def _province_year(actor, code, year, *, write=True):
    """The province and its year, for who reads its proposals (a former province's
    successor included, awards.rules.can_view_province_proposals), else 404; to record,
    for who oversees it, else 403 (the services refuse a former province to everyone,
    issue 14)."""
    province = province_by_code(code)
    require(rules.can_view_province_proposals(actor, province.id),
            not write or can_oversee_province(actor, province.id))
    return province, year_in(province, year)


class CouncilForm(forms.Form):
    """RULES.md 20: the council's choice among the collectives the blocs voted as leading."""

    minutes_number = forms.CharField(label="Số biên bản họp Hội đồng", max_length=50)
    meeting_date = forms.DateField(label="Ngày họp", widget=DATE_WIDGET)
    chosen = forms.MultipleChoiceField(
        label="Tập thể được chọn đề nghị Cờ thi đua của Chính phủ",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Hội đồng chưa chọn tập thể nào."})

    def __init__(self, *args, lines=(), province=None, **kwargs):
        super().__init__(*args, auto_id="hd-%s", **kwargs)
        self.fields["chosen"].choices = [
            (str(line.id), f"{line.unit.name} — dẫn đầu {line.proposal.bloc_year.bloc.display_name}"
                           f" (khối đề nghị {label_for(line.award_form, province)})")
            for line in lines]


def _province_page(request, actor, province, emulation_year, *, form=None, council_form=None,
                   errors=(), status=200):
    view = service.province_proposals(actor, emulation_year)
    chosen_by_council = council.council_view(actor, emulation_year)
    if council_form is None:
        selection = chosen_by_council.selection
        council_form = CouncilForm(lines=chosen_by_council.candidates, province=province, initial={
            "minutes_number": selection.minutes_number if selection else "",
            "meeting_date": selection.meeting_date if selection else None,
            "chosen": [str(i) for i in chosen_by_council.chosen_ids]})
    pending = queries.awaiting_decision(emulation_year)
    form = form or DecisionForm(lines=pending, province=province)
    return render(request, "web/awards/province.html", {
        "province": province, "emulation_year": emulation_year, "view": view,
        "can_record": rules.may_record_awards_in(actor, province),
        "pending": pending, "form": form, "council": chosen_by_council,
        "council_form": council_form,
        "errors": [*error_items(form), *error_items(council_form),
                   *error_items(messages=errors)],
    }, status=status)


@login_required
@shows_domain_errors
def province_proposals(request, code, year):
    actor = get_actor(request)
    province, emulation_year = _province_year(actor, code, year, write=False)
    return _province_page(request, actor, province, emulation_year)


@login_required
@require_POST
@shows_domain_errors
def record_decision(request, code, year):
    actor = get_actor(request)
    province, emulation_year = _province_year(actor, code, year)
    require(True, rules.can_record_award(actor, province.id))
    form = DecisionForm(request.POST, lines=queries.awaiting_decision(emulation_year),
                        province=province)
    if not form.is_valid():
        return _province_page(request, actor, province, emulation_year, form=form,
                              status=400)
    data = form.cleaned_data
    try:
        decision = service.record_decision(
            actor, emulation_year, number=data["number"], decision_date=data["decision_date"],
            signer=data["signer"], awarded=data["awarded"], not_awarded=data["not_awarded"])
    except DomainError as exc:
        return _province_page(request, actor, province, emulation_year, form=form,
                              errors=exc.messages, status=exc.status)
    messages.success(request, f"Đã ghi {decision}.")
    return redirect("award_province", code=code, year=year)


@login_required
@require_POST
@shows_domain_errors
def council_choice(request, code, year):
    """RULES.md 20: the province's council chooses the Government-flag candidates."""
    actor = get_actor(request)
    province, emulation_year = _province_year(actor, code, year)
    require(True, rules.can_record_award(actor, province.id))
    form = CouncilForm(request.POST, lines=council.candidates(emulation_year), province=province)
    if not form.is_valid():
        return _province_page(request, actor, province, emulation_year, council_form=form,
                              status=400)
    data = form.cleaned_data
    try:
        selection = council.choose(actor, emulation_year,
                                   minutes_number=data["minutes_number"],
                                   meeting_date=data["meeting_date"], chosen=data["chosen"])
    except DomainError as exc:
        return _province_page(request, actor, province, emulation_year, council_form=form,
                              errors=exc.messages, status=exc.status)
    messages.success(request, f"Đã ghi kết quả họp Hội đồng: {selection}.")
    return redirect(reverse("award_province", args=[code, year]) + "#hoi-dong")


@login_required
@shows_domain_errors
def unit_history(request, pk):
    actor = get_actor(request)
    unit = unit_in_scope(actor, pk)
    awards = service.unit_history(actor, unit)
    # RULES 11: last decided year's awards bring points in the year after it.
    next_year = awards[0].emulation_year.year + 1 if awards else None
    try:
        bonus = next_year_bonus(unit, next_year) if next_year else None
    except RulebookNotFound:
        bonus = None
    return render(request, "web/awards/history.html", {
        "unit": unit, "awards": awards, "bonus": bonus, "next_year": next_year})


class NextYearForm(forms.Form):
    leader = forms.TypedChoiceField(label="Trưởng khối năm sau", coerce=int)
    deputies = forms.TypedMultipleChoiceField(label="Phó khối năm sau", coerce=int,
                                              widget=forms.CheckboxSelectMultiple)
    # Only when the leader is not the elected one (or nobody was elected): RULES.md 3.
    decision_number = forms.CharField(label="Số quyết định của tỉnh", max_length=50,
                                      required=False)
    decision_date = forms.DateField(label="Ngày quyết định", required=False,
                                    widget=DATE_WIDGET)
    decision_reason = forms.CharField(label="Lý do chọn Trưởng khối khác kết quả bầu",
                                      max_length=2000, required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(u.id, u.name) for u in units]
        self.fields["leader"].choices = [("", "— chọn đơn vị —"), *choices]
        self.fields["deputies"].choices = choices

    def decision(self):
        data = self.cleaned_data
        if not (data["decision_number"] or data["decision_date"] or data["decision_reason"]):
            return None
        return service.ProvinceDecision(data["decision_number"], data["decision_date"],
                                        data["decision_reason"])


def _next_year_page(request, bloc_year, form, *, errors=(), status=200):
    election = service.election_result(bloc_year)
    view = queries.next_year_view(bloc_year, election.leader_id if election else None)
    return render(request, "web/awards/next_year.html", {
        "bloc_year": bloc_year, "form": form, "next_year": bloc_year.emulation_year.year + 1,
        "election": election, "elected": view.elected, "opened": view.opened,
        "decision": view.decision,
        "errors": [*error_items(form), *error_items(messages=errors)]}, status=status)


@login_required
@shows_domain_errors
def next_year(request, pk):
    """Open the bloc's next year with the elected leader and deputies, this year's
    members and a copy of the criteria table (the province)."""
    actor = get_actor(request)
    bloc_year = bloc_year_in_scope(actor, pk)
    require(True, can_oversee_province(actor, bloc_year.bloc.province_id))
    units = members(bloc_year)
    if request.method != "POST":
        election = service.election_result(bloc_year)
        initial = ({"leader": election.leader_id, "deputies": list(election.deputy_ids)}
                   if election else {})
        return _next_year_page(request, bloc_year, NextYearForm(units=units, initial=initial))
    form = NextYearForm(request.POST, units=units)
    if not form.is_valid():
        return _next_year_page(request, bloc_year, form, status=400)
    try:
        new = service.open_next_year(actor, bloc_year, leader=form.cleaned_data["leader"],
                                     deputies=form.cleaned_data["deputies"],
                                     decision=form.decision())
    except DomainError as exc:
        return _next_year_page(request, bloc_year, form, errors=exc.messages,
                               status=exc.status)
    year = new.emulation_year.year
    officers = queries.leader_officers(new)
    messages.success(request, f"Đã mở năm thi đua {year} của khối. " + (
        f"Cán bộ Trưởng khối năm {year}: {', '.join(officers)}." if officers else
        f"{new.leader_unit.name} chưa có tài khoản cán bộ thi đua: cần phân quyền cán bộ "
        f"Trưởng khối năm {year}."))
    return redirect("bloc_year", pk=new.pk)
