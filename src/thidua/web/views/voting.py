"""The year-end conference pages (issue 4): the conference with its attendance and quorum.

Thin views over `thidua.voting.services` / `queries`; who may do what is `voting.rules`
(404 outside the bloc year's scope, 403 for a viewer who may not run the conference).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from thidua.core.errors import DomainError
from thidua.documents import services as documents
from thidua.voting import queries, rules, services
from thidua.web.utils import error_items, get_actor, require, shows_domain_errors
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
                            error_messages={"required": "Địa điểm không được để trống."})
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


def _conference_page(request, actor, bloc_year, *, form=None, errors=(), status=200,
                     posted=None):
    conference = queries.conference_for(bloc_year)
    can_run = rules.can_run_conference(actor, bloc_year)
    view = queries.conference_view(actor, conference) if conference else None
    if form is None and can_run:
        initial = services.conference_snapshot(conference) if conference else {}
        form = ConferenceForm(initial=initial)
    steps = []
    if view and can_run:
        minutes = documents.issued_for(actor, "bien-ban-hop", conference.pk)
        steps = queries.conference_progress(view, minutes_issued=bool(minutes))
    return render(request, CONFERENCE, {
        "bloc_year": bloc_year, "conference": conference, "view": view, "can_run": can_run,
        "form": form, "poll_form": PollForm(province=bloc_year.bloc.province), "steps": steps,
        "current": next((step for step in steps if step.status == "current"), None),
        "roll": _roll(view, posted) if view else [],
        "open_polls": [p for p in view.polls if p.state == "open"] if view else [],
        "can_vote": bool(rules.delegate_units(actor, services.member_ids(bloc_year))),
        "errors": [*error_items(form), *error_items(messages=errors)],
        "phase_problem": rules.opening_problem(bloc_year.phase) if can_run else None,
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
    existing = queries.conference_for(bloc_year)
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


def _roll(view, posted=None) -> list[dict]:
    """The roll-call form's rows: the saved attendance, or what was just posted (kept when
    the save is refused, so nothing typed is lost)."""
    rows = []
    for a in view.attendance:
        choice = "1" if a.present else ("0" if a.absence_reason else "")
        row = {"unit": a.unit, "choice": choice, "delegate_name": a.delegate_name,
               "absence_reason": a.absence_reason, "saved": a}
        if posted is not None and a.unit_id in posted:
            row.update(posted[a.unit_id])
        rows.append(row)
    return rows


def _posted_roll(request) -> dict:
    """unit id → {choice, delegate_name, absence_reason} as typed in the roll-call form
    (None when a unit field is not a number: a forged form)."""
    posted = {}
    for raw in request.POST.getlist("unit"):
        if not raw.isdigit():
            return None
        choice = request.POST.get(f"co_mat_{raw}", "")
        posted[int(raw)] = {
            "choice": choice if choice in ("1", "0") else "",
            "delegate_name": request.POST.get(f"dai_bieu_{raw}", ""),
            "absence_reason": request.POST.get(f"ly_do_{raw}", "")}
    return posted


def _roll_rows(posted: dict, all_present: bool) -> tuple[list, list]:
    """The rows to save and the problems of the form itself (a row with names typed but
    neither present nor absent chosen); rows left untouched are not sent."""
    rows, errors = [], []
    for unit_id, row in posted.items():
        choice = "1" if all_present else row["choice"]
        if not choice:
            if row["delegate_name"].strip() or row["absence_reason"].strip():
                errors.append(unit_id)
            continue
        rows.append(services.RollCallRow(unit_id, choice == "1", row["absence_reason"],
                                         row["delegate_name"]))
    return rows, errors


@login_required
@require_POST
@shows_domain_errors
def roll_call(request, pk):
    """The whole roll call in one save (RULES.md 28, 40); "Tất cả có mặt" marks every
    member present, keeping the delegates' names typed."""
    actor = get_actor(request)
    conference = queries.conference_in_scope(actor, pk)
    require(True, rules.can_run_conference(actor, conference.bloc_year))
    posted = _posted_roll(request)
    if posted is None:
        raise DomainError("Danh sách đơn vị điểm danh không hợp lệ.")
    all_present = "tat_ca_co_mat" in request.POST
    rows, unchosen = _roll_rows(posted, all_present)
    try:
        if unchosen:
            names = {row.unit_id: row.unit.name for row in queries.roll(conference)}
            raise DomainError(*(f"{names.get(u, u)}: chọn có mặt hoặc vắng mặt."
                                for u in unchosen))
        saved = services.record_roll_call(actor, conference, rows, all_present=all_present)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _conference_page(request, actor, conference.bloc_year, errors=exc.messages,
                                status=exc.status, posted=posted)
    present = sum(1 for a in saved if a.present)
    messages.success(request, f"Đã lưu điểm danh: {present}/{len(saved)} đơn vị có mặt.")
    return redirect(reverse("voting_conference", args=[conference.bloc_year_id])
                    + "#diem-danh")
