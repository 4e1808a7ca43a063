"""The province's past years as data (issue 14): awards decided and bloc leaders of years
not run in thidua, typed one by one or imported from Excel, each with its paper's number
and date. Only the province's secretariat (and the administrator) see the page; every
change goes through awards.history (rules, audit)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from thidua.awards import history, history_workbook, rules
from thidua.core.errors import DomainError
from thidua.law.award_forms import AwardForm, choices_for, label_for
from thidua.org import queries as org_queries
from thidua.org.models import Province
from thidua.org.rules import can_read_province
from thidua.web.forms import DATE_WIDGET
from thidua.web.utils import error_items, get_actor, require, shows_domain_errors
from thidua.web.views.scoring_excel import UploadForm, upload_content, xlsx_response

TEMPLATE = "web/awards/province_history.html"


class PastAwardForm(forms.Form):
    year = forms.IntegerField(label="Năm thi đua", min_value=history.FIRST_YEAR)
    unit = forms.TypedChoiceField(label="Đơn vị", coerce=int)
    award_form = forms.ChoiceField(label="Hình thức khen thưởng", choices=AwardForm.choices)
    decision_number = forms.CharField(label="Số quyết định", max_length=history.MAX_NUMBER)
    decision_date = forms.DateField(label="Ngày quyết định", widget=DATE_WIDGET)
    signer = forms.CharField(label="Người ký", max_length=history.MAX_SIGNER, required=False)

    def __init__(self, *args, units=(), province=None, **kwargs):
        super().__init__(*args, auto_id="kt-%s", **kwargs)
        self.fields["award_form"].choices = choices_for(province)
        self.fields["unit"].choices = [("", "— chọn đơn vị —"),
                                       *((u.id, f"{u.name} ({u.code})") for u in units)]


class PastLeaderForm(forms.Form):
    year = forms.IntegerField(label="Năm thi đua", min_value=history.FIRST_YEAR)
    bloc = forms.TypedChoiceField(label="Khối, cụm thi đua", coerce=int)
    unit = forms.TypedChoiceField(label="Đơn vị Trưởng khối", coerce=int)
    document_number = forms.CharField(label="Số biên bản hoặc quyết định",
                                      max_length=history.MAX_NUMBER)
    document_date = forms.DateField(label="Ngày văn bản", widget=DATE_WIDGET)

    def __init__(self, *args, units=(), blocs=(), **kwargs):
        super().__init__(*args, auto_id="tk-%s", **kwargs)
        self.fields["unit"].choices = [("", "— chọn đơn vị —"),
                                       *((u.id, f"{u.name} ({u.code})") for u in units)]
        self.fields["bloc"].choices = [("", "— chọn khối —"),
                                       *((b.id, b.display_name) for b in blocs)]


class RemoveForm(forms.Form):
    reason = forms.CharField(label="Lý do xoá", max_length=history.MAX_REASON,
                             error_messages={"required": "Cần ghi lý do xoá."})


def _province(actor, code, *, write=True) -> Province:
    """The province if the actor reads it (else 404) and, for a change, records its awards
    (else 403: a former province's history is read-only for its successor)."""
    province = org_queries.province_by_code(code)
    require(can_read_province(actor, province.id),
            not write or rules.can_record_award(actor, province.id))
    return province


def _choices(province):
    return {"units": org_queries.units_of(province), "blocs": org_queries.blocs_of(province)}


def _page(request, actor, province, *, award_form=None, leader_form=None, upload_form=None,
          errors=(), status=200):
    choices = _choices(province)
    recorded = history.province_history(actor, province)
    return render(request, TEMPLATE, {
        "province": province, "recorded": recorded,
        "can_record": rules.can_record_award(actor, province.id),
        "award_form": award_form or PastAwardForm(units=choices["units"], province=province),
        "leader_form": leader_form or PastLeaderForm(**choices),
        "upload_form": upload_form or UploadForm(auto_id="excel-%s"),
        "errors": [*error_items(award_form), *error_items(leader_form),
                   *error_items(upload_form), *error_items(messages=errors)],
    }, status=status)


@login_required
@shows_domain_errors
def page(request, code):
    actor = get_actor(request)
    return _page(request, actor, _province(actor, code, write=False))


def _refused(request, actor, province, exc: DomainError, **forms_):
    return _page(request, actor, province, errors=exc.messages, status=exc.status, **forms_)


@login_required
@require_POST
@shows_domain_errors
def add_award(request, code):
    actor = get_actor(request)
    province = _province(actor, code)
    form = PastAwardForm(request.POST, units=_choices(province)["units"],
                         province=province)
    if not form.is_valid():
        return _page(request, actor, province, award_form=form, status=400)
    data = form.cleaned_data
    try:
        award = history.record_past_award(
            actor, province, unit=org_queries.unit_of(province, data["unit"]), year=data["year"],
            award_form=data["award_form"], decision_number=data["decision_number"],
            decision_date=data["decision_date"], signer=data["signer"])
    except DomainError as exc:
        return _refused(request, actor, province, exc, award_form=form)
    messages.success(request, f"Đã ghi {label_for(award.award_form, province)} năm "
                              f"{award.emulation_year.year} của {award.unit.name}.")
    return redirect("province_history", code=province.code)


@login_required
@require_POST
@shows_domain_errors
def add_leader(request, code):
    actor = get_actor(request)
    province = _province(actor, code)
    form = PastLeaderForm(request.POST, **_choices(province))
    if not form.is_valid():
        return _page(request, actor, province, leader_form=form, status=400)
    data = form.cleaned_data
    try:
        leader = history.record_past_leader(
            actor, province, bloc=org_queries.bloc_of(province, data["bloc"]), year=data["year"],
            unit=org_queries.unit_of(province, data["unit"]),
            document_number=data["document_number"], document_date=data["document_date"])
    except DomainError as exc:
        return _refused(request, actor, province, exc, leader_form=form)
    messages.success(request, f"Đã ghi {leader.leader_unit.name} là Trưởng "
                              f"{leader.bloc.display_name} năm {leader.emulation_year.year}.")
    return redirect("province_history", code=province.code)


def _remove(request, code, find, remove, what):
    actor = get_actor(request)
    province = _province(actor, code)
    row = find(actor, province)  # an id that is not the province's: 404, whatever the form
    form = RemoveForm(request.POST)
    if not form.is_valid():
        return _page(request, actor, province, errors=[
            e for errors in form.errors.values() for e in errors], status=400)
    try:
        remove(actor, row, form.cleaned_data["reason"])
    except DomainError as exc:
        return _refused(request, actor, province, exc)
    messages.success(request, f"Đã xoá {what}.")
    return redirect("province_history", code=province.code)


@login_required
@require_POST
@shows_domain_errors
def remove_award(request, code, pk):
    return _remove(request, code, lambda actor, province: history.find_past_award(
        actor, province, pk), history.remove_past_award, "khen thưởng năm trước")


@login_required
@require_POST
@shows_domain_errors
def remove_leader(request, code, pk):
    return _remove(request, code, lambda actor, province: history.find_past_leader(
        actor, province, pk), history.remove_past_leader, "Trưởng khối năm trước")


@login_required
@shows_domain_errors
def download(request, code):
    actor = get_actor(request)
    province = _province(actor, code, write=False)
    content = history_workbook.export_history(province,
                                              history.province_history(actor, province))
    return xlsx_response(content, f"lich-su-{province.code}.xlsx")


@login_required
@require_POST
@shows_domain_errors
def upload(request, code):
    actor = get_actor(request)
    province = _province(actor, code)
    form = UploadForm(request.POST, request.FILES, auto_id="excel-%s")
    if not form.is_valid():
        return _page(request, actor, province, upload_form=form, status=400)
    file = form.cleaned_data["file"]
    try:
        result = history_workbook.import_history(actor, province, file.name, upload_content(file))
    except DomainError as exc:
        return _refused(request, actor, province, exc, upload_form=form)
    messages.success(request, f"Đã nhập từ Excel: {result.awards} khen thưởng, "
                              f"{result.leaders} Trưởng khối; {result.unchanged} dòng trùng với "
                              "dữ liệu đã có, không thay đổi.")
    return redirect("province_history", code=province.code)
