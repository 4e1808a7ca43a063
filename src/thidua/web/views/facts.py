"""Year facts pages (issue 11): the unit enters its year — targets, the party and mass
organisations' ratings, discipline, inspection, a pending matter — with evidence; the
leader (for the other members) or the province confirms it or returns it with a reason.
Thin: the rules are in awards.services and awards.rules; the list is awards.queries."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from thidua.awards import queries, rules
from thidua.awards import services as facts_service
from thidua.awards.models import UnitYearFacts
from thidua.core import audit
from thidua.core.downloads import file_response
from thidua.core.errors import DomainError, NotFound
from thidua.law.facts import DisciplineLevel, OrganisationRating, PendingMatter, Rating
from thidua.org.queries import bloc_year_in_scope
from thidua.web.forms import DATE_WIDGET, CheckInForm
from thidua.web.utils import error_items, get_actor, require, shows_domain_errors

UNKNOWN = ("", "— chưa rõ —")
YES_NO = [UNKNOWN, ("yes", "Có"), ("no", "Không")]
TO_BOOL = {"yes": True, "no": False, "": None}
FROM_BOOL = {True: "yes", False: "no", None: ""}


def _choices(enum):
    return [UNKNOWN, *enum.choices]


def _count(label):
    return forms.IntegerField(label=label, min_value=0, max_value=1_000_000, required=False,
                              error_messages={"invalid": f"{label}: nhập số nguyên, ví dụ 20.",
                                              "min_value": f"{label} không được âm."})


class FactsForm(forms.Form):
    """What a unit officer types; the service checks every value again."""

    targets_exceeded = forms.ChoiceField(label="Hoàn thành vượt mức chỉ tiêu, nhiệm vụ được "
                                               "giao (Quy tắc 17)", choices=YES_NO,
                                         required=False)
    task_rating = forms.ChoiceField(label="Xếp loại hoàn thành nhiệm vụ của tập thể "
                                          "(Quy tắc 21)", choices=_choices(Rating),
                                    required=False)
    party_rating = forms.ChoiceField(label="Xếp loại tổ chức đảng (Quy tắc 18)",
                                     choices=_choices(Rating), required=False)
    union_rating = forms.ChoiceField(label="Xếp loại Công đoàn cơ sở (Quy tắc 18)",
                                     choices=_choices(OrganisationRating), required=False)
    youth_union_rating = forms.ChoiceField(label="Xếp loại Đoàn Thanh niên (Quy tắc 18)",
                                           choices=_choices(OrganisationRating),
                                           required=False)
    discipline_level = forms.ChoiceField(label="Hình thức kỷ luật cao nhất của cá nhân trong "
                                               "năm (Quy tắc 19)",
                                         choices=_choices(DisciplineLevel), required=False)
    discipline_ended_on = forms.DateField(
        label="Ngày hết thời hạn kỷ luật của tập thể (nếu tập thể bị kỷ luật)", required=False,
        widget=DATE_WIDGET, help_text="Thành tích chỉ được tính từ ngày hết thời hạn kỷ luật "
                                      "(Nghị định 152/2025/NĐ-CP).",
        error_messages={"invalid": "Ngày hết thời hạn kỷ luật: nhập một ngày, ví dụ "
                                   "30/06/2025."})
    negative_inspection = forms.ChoiceField(label="Có kết luận thanh tra, kiểm tra có vi phạm "
                                                  "trong năm (Quy tắc 19)", choices=YES_NO,
                                            required=False)
    pending_matter = forms.ChoiceField(label="Vụ việc đang xem xét (kỷ luật, thanh tra, khiếu "
                                             "nại, tố cáo, báo chí phản ánh)",
                                       choices=_choices(PendingMatter), required=False,
                                       help_text="Khi có vụ việc đang xem xét, việc khen "
                                                 "thưởng được tạm hoãn đến khi có kết luận "
                                                 "(Nghị định 152/2025/NĐ-CP).")
    pending_matter_detail = forms.CharField(label="Nội dung vụ việc (cơ quan xem xét, số văn "
                                                  "bản, ngày)", required=False,
                                            max_length=4000,
                                            widget=forms.Textarea(attrs={"rows": 2}))
    member_count = _count("Số thành viên của tập thể")
    completed_count = _count("Số thành viên hoàn thành nhiệm vụ")
    advanced_worker_count = _count("Số đạt «Lao động tiên tiến»")
    emulation_soldier_count = _count("Số đạt «Chiến sĩ thi đua cơ sở»")
    note = forms.CharField(label="Ghi chú, minh chứng (số, ngày văn bản xếp loại, kết luận …)",
                           required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    files = CheckInForm.base_fields["files"]
    clean_files = CheckInForm.clean_files

    BOOLS = ("targets_exceeded", "negative_inspection")

    @classmethod
    def initial_from(cls, facts: UnitYearFacts | None) -> dict:
        if facts is None:
            return {}
        initial = {name: getattr(facts, name) for name in UnitYearFacts.FACT_FIELDS}
        for name in cls.BOOLS:
            initial[name] = FROM_BOOL[initial[name]]
        initial["note"] = facts.note
        return initial

    def values(self) -> dict:
        data = self.cleaned_data
        values = {name: data.get(name) for name in UnitYearFacts.FACT_FIELDS}
        for name in self.BOOLS:
            values[name] = TO_BOOL[data.get(name) or ""]
        return values


class ReturnForm(forms.Form):
    reason = forms.CharField(label="Lý do trả lại", max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Cần ghi lý do trả lại số liệu."})


def _page(request, actor, unit, emulation_year, bloc_year, *, form=None, return_form=None,
          errors=(), status=200):
    facts = queries.facts_of(unit, emulation_year)
    may_enter = rules.can_enter_facts(actor, unit)
    may_review = rules.can_confirm_facts(actor, unit, bloc_year)
    history = audit.history(facts) if facts else []
    return render(request, "web/awards/facts.html", {
        "unit": unit, "emulation_year": emulation_year, "bloc_year": bloc_year,
        "facts": facts, "evidence": queries.facts_evidence(facts),
        "may_enter": may_enter, "may_review": may_review and facts is not None,
        "is_leader_unit": unit.id == bloc_year.leader_unit_id,
        "form": form or (FactsForm(initial=FactsForm.initial_from(facts)) if may_enter else None),
        "return_form": return_form or ReturnForm(), "history": history,
        "errors": [*error_items(form), *error_items(return_form), *error_items(messages=errors)],
    }, status=status)


@login_required
@shows_domain_errors
def unit_facts(request, unit_pk, year):
    """GET: the unit's facts and their state; POST: the unit (or the province) saves them,
    with files if chosen — all or nothing."""
    actor = get_actor(request)
    unit, emulation_year, bloc_year = queries.facts_unit_year(actor, unit_pk, year)
    if request.method != "POST":
        return _page(request, actor, unit, emulation_year, bloc_year)
    require(True, rules.can_enter_facts(actor, unit))
    form = FactsForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, actor, unit, emulation_year, bloc_year, form=form, status=400)
    try:
        with transaction.atomic():
            facts = facts_service.enter_facts(actor, unit, emulation_year, form.values(),
                                              note=form.cleaned_data["note"])
            if form.cleaned_data["files"]:
                facts_service.attach_facts_evidence(actor, facts, form.cleaned_data["files"])
    except DomainError as exc:
        return _page(request, actor, unit, emulation_year, bloc_year, form=form,
                     errors=exc.messages, status=exc.status)
    messages.success(request, f"Đã lưu số liệu năm {year}. Trưởng khối hoặc Thường trực thi "
                              "đua tỉnh sẽ xác nhận.")
    return redirect("award_facts", unit_pk=unit.pk, year=year)


def _review(request, unit_pk, year, act):
    actor = get_actor(request)
    unit, emulation_year, bloc_year = queries.facts_unit_year(actor, unit_pk, year)
    require(True, rules.can_confirm_facts(actor, unit, bloc_year))
    facts = queries.facts_of(unit, emulation_year)
    if facts is None:
        raise NotFound(f"{unit.name} chưa nhập số liệu năm {emulation_year.year}.")
    try:
        return act(actor, facts)
    except DomainError as exc:
        return _page(request, actor, unit, emulation_year, bloc_year, errors=exc.messages,
                     status=exc.status)


@login_required
@require_POST
@shows_domain_errors
def confirm(request, unit_pk, year):
    def act(actor, facts):
        facts_service.confirm_facts(actor, facts)
        messages.success(request, f"Đã xác nhận số liệu năm {year} của {facts.unit.name}.")
        return redirect("award_facts", unit_pk=unit_pk, year=year)
    return _review(request, unit_pk, year, act)


@login_required
@require_POST
@shows_domain_errors
def send_back(request, unit_pk, year):
    form = ReturnForm(request.POST)

    def act(actor, facts):
        if not form.is_valid():
            return _page(request, actor, facts.unit, facts.emulation_year,
                         queries.facts_unit_year(actor, unit_pk, year)[2], return_form=form,
                         status=400)
        facts_service.return_facts(actor, facts, form.cleaned_data["reason"])
        messages.success(request, f"Đã trả lại số liệu năm {year} cho {facts.unit.name}.")
        return redirect("award_facts", unit_pk=unit_pk, year=year)
    return _review(request, unit_pk, year, act)


@login_required
@shows_domain_errors
def bloc_facts(request, pk):
    """The leader's and the province's list: every member's facts and their state."""
    actor = get_actor(request)
    bloc_year = bloc_year_in_scope(actor, pk)
    require(True, rules.can_preview(actor, bloc_year))
    rows = queries.bloc_facts(bloc_year)
    return render(request, "web/awards/bloc_facts.html", {
        "bloc_year": bloc_year, "rows": rows, "progress": queries.facts_progress(bloc_year),
        "is_province": rules.PROVINCE in rules.proposal_sides(actor, bloc_year)})


@login_required
@shows_domain_errors
def evidence_download(request, pk):
    """A facts evidence file leaves the server only through this permission check."""
    return file_response(queries.facts_evidence_in_scope(get_actor(request), pk))
