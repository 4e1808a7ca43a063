"""The year-end conference pages (issue 4): the conference with its attendance and quorum.

Thin views over `thidua.voting.services` / `queries`; who may do what is `voting.rules`
(404 outside the bloc year's scope, 403 for a viewer who may not run the conference).
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from thidua.core.errors import DomainError
from thidua.voting import queries, rules, services
from thidua.voting.models import Conference
from thidua.web.utils import error_items, get_actor, is_htmx, require, shows_domain_errors
from thidua.web.views.bloc_year import load_bloc_year
from thidua.web.views.voting_polls import PollForm

CONFERENCE = "web/voting/conference.html"


class ConferenceForm(forms.Form):
    held_at = forms.DateTimeField(
        label="Thời gian (ngày và giờ)", input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": "Chưa nhập thời gian hội nghị (ngày và giờ).",
                        "invalid": "Thời gian hội nghị không đúng dạng ngày và giờ."})
    place = forms.CharField(label="Địa điểm", max_length=300,
                            error_messages={"required": "Chưa nhập địa điểm."})
    chair = forms.CharField(label="Chủ trì", max_length=200,
                            error_messages={"required": "Chưa nhập người chủ trì."})
    secretary = forms.CharField(label="Thư ký", max_length=200,
                                error_messages={"required": "Chưa nhập thư ký."})
    guests = forms.CharField(label="Khách mời, đại biểu dự (không bỏ phiếu)", required=False,
                             max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    agenda = forms.CharField(label="Chương trình", required=False, max_length=10000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    ended_at = forms.TimeField(
        label="Giờ kết thúc (ghi vào biên bản; để trống thì biên bản để chỗ ghi tay)",
        required=False, input_formats=["%H:%M"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "Giờ kết thúc không đúng dạng giờ:phút."})


def _conference_page(request, actor, bloc_year, *, form=None, errors=(), status=200):
    conference = Conference.objects.filter(bloc_year=bloc_year).first()
    can_run = rules.can_run_conference(actor, bloc_year)
    view = queries.conference_view(actor, conference) if conference else None
    if form is None and can_run:
        initial = services.conference_snapshot(conference) if conference else {}
        form = ConferenceForm(initial=initial)
    return render(request, CONFERENCE, {
        "bloc_year": bloc_year, "conference": conference, "view": view, "can_run": can_run,
        "form": form, "poll_form": PollForm(),
        "errors": [*error_items(form), *error_items(messages=errors)],
    }, status=status)


@login_required
@shows_domain_errors
def conference(request, pk):
    actor = get_actor(request)
    bloc_year, _ = load_bloc_year(actor, pk)
    return _conference_page(request, actor, bloc_year)


@login_required
@require_POST
@shows_domain_errors
def conference_save(request, pk):
    """Create the conference, or update its time, place, chair, secretary, guests, agenda."""
    actor = get_actor(request)
    bloc_year, _ = load_bloc_year(actor, pk)
    require(True, rules.can_run_conference(actor, bloc_year))
    form = ConferenceForm(request.POST)
    if not form.is_valid():
        return _conference_page(request, actor, bloc_year, form=form, status=400)
    existing = Conference.objects.filter(bloc_year=bloc_year).first()
    try:
        if existing is None:
            services.create_conference(actor, bloc_year, **form.cleaned_data)
        else:
            services.update_conference(actor, existing, **form.cleaned_data)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _conference_page(request, actor, bloc_year, form=form, errors=exc.messages,
                                status=exc.status)
    return redirect("voting_conference", pk=bloc_year.pk)


@login_required
@require_POST
@shows_domain_errors
def committee_save(request, pk):
    """The counting committee: one person a line, "name — task" (RULES.md 34)."""
    actor = get_actor(request)
    conference = queries.conference_in_scope(actor, pk)
    require(True, rules.can_run_conference(actor, conference.bloc_year))
    members = []
    for line in request.POST.get("members", "").splitlines():
        if line.strip():
            name, _, role = line.partition("—")
            members.append((name.strip(), role.strip(), None))
    try:
        services.set_committee(actor, conference, members)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _conference_page(request, actor, conference.bloc_year, errors=exc.messages,
                                status=exc.status)
    return redirect("voting_conference", pk=conference.bloc_year_id)


@login_required
@require_POST
@shows_domain_errors
def attendance_save(request, pk, unit_pk):
    """One member's attendance (htmx: the row and the quorum line come back)."""
    actor = get_actor(request)
    conference = queries.conference_in_scope(actor, pk)
    require(True, rules.can_run_conference(actor, conference.bloc_year))
    status_value = request.POST.get("present", "")
    errors = []
    if status_value not in {"1", "0"}:
        errors = ["Chọn có mặt hoặc vắng mặt."]
    else:
        try:
            services.record_attendance(
                actor, conference, unit_pk, present=status_value == "1",
                absence_reason=request.POST.get("absence_reason", ""),
                delegate_name=request.POST.get("delegate_name", ""))
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            errors = list(exc.messages)
    if not is_htmx(request):
        if errors:
            return _conference_page(request, actor, conference.bloc_year, errors=errors,
                                    status=400)
        return redirect("voting_conference", pk=conference.bloc_year_id)
    view = queries.conference_view(actor, conference)
    row = next(a for a in view.attendance if a.unit_id == unit_pk)
    posted = {"present": status_value, "absence_reason": request.POST.get("absence_reason", ""),
              "delegate_name": request.POST.get("delegate_name", "")} if errors else None
    return render(request, f"{CONFERENCE}#attendance_row", {
        "conference": conference, "view": view, "row": row, "can_run": True,
        "row_errors": errors, "posted": posted, "saved": not errors, "oob": True,
    }, status=400 if errors else 200)
