"""Reorganised units (issue 14, RULES.md 44–46): the province secretariat records how its
units were merged, split or renamed, from an effective date and by a paper (number,
date), and takes back an entry typed by mistake (with a reason). Every change goes
through org.lineage (rules, audit); the page only parses and shows."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from thidua.core.errors import DomainError
from thidua.org import lineage
from thidua.org import queries as org_queries
from thidua.org.models import LineageEvent
from thidua.org.rules import can_read_province, can_record_lineage, can_set_up_province
from thidua.web.forms import DATE_WIDGET
from thidua.web.utils import error_items, get_actor, require, shows_domain_errors

TEMPLATE = "web/org/lineage.html"


class LineageForm(forms.Form):
    kind = forms.ChoiceField(label="Hình thức sắp xếp", choices=LineageEvent.Kind.choices)
    predecessors = forms.TypedMultipleChoiceField(
        label="Đơn vị trước sắp xếp (chấm dứt hoạt động từ ngày có hiệu lực)", coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        error_messages={"required": "Chưa chọn đơn vị trước sắp xếp."})
    successors = forms.TypedMultipleChoiceField(
        label="Đơn vị sau sắp xếp (đơn vị tiếp nhận hoặc đơn vị mới)", coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        error_messages={"required": "Chưa chọn đơn vị sau sắp xếp."})
    effective_date = forms.DateField(label="Ngày có hiệu lực", widget=DATE_WIDGET)
    document_number = forms.CharField(label="Số văn bản (nghị định, quyết định)",
                                      max_length=lineage.MAX_NUMBER)
    document_date = forms.DateField(label="Ngày văn bản", widget=DATE_WIDGET)
    note = forms.CharField(label="Trích yếu, ghi chú", max_length=lineage.MAX_NOTE,
                           required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, auto_id="sx-%s", **kwargs)
        choices = [(u.id, f"{u.name} ({u.code})") for u in units]
        self.fields["predecessors"].choices = choices
        self.fields["successors"].choices = choices


class RemoveForm(forms.Form):
    reason = forms.CharField(label="Lý do xoá", max_length=lineage.MAX_REASON,
                             error_messages={"required": "Cần ghi lý do xoá."})


def _page(request, actor, province, *, form=None, errors=(), status=200):
    return render(request, TEMPLATE, {
        "province": province,
        "events": lineage.province_events(actor, province),
        "can_record": can_record_lineage(actor, province),
        "form": form or LineageForm(units=org_queries.units_of(province)),
        "errors": [*error_items(form), *error_items(messages=errors)],
    }, status=status)


@login_required
@shows_domain_errors
def page(request, code):
    """For who reads the province: a former province's recorded merges and splits are read
    by its successor's secretariat, without a form (org.rules.can_read_province)."""
    actor = get_actor(request)
    return _page(request, actor, _province(actor, code, write=False))


def _province(actor, code, *, write=True):
    """404 for who does not read the province; 403 for a change by who does not set it up
    (a former province's successor reads only; the service refuses a former province to
    everyone, issue 14)."""
    province = org_queries.province_by_code(code)
    require(can_read_province(actor, province.id),
            not write or can_set_up_province(actor, province.id))
    return province


@login_required
@require_POST
@shows_domain_errors
def add(request, code):
    actor = get_actor(request)
    province = _province(actor, code)
    form = LineageForm(request.POST, units=org_queries.units_of(province))
    if not form.is_valid():
        return _page(request, actor, province, form=form, status=400)
    data = form.cleaned_data
    try:
        event = lineage.record_event(
            actor, province, kind=data["kind"], predecessors=data["predecessors"],
            successors=data["successors"], effective_date=data["effective_date"],
            document_number=data["document_number"], document_date=data["document_date"],
            note=data["note"])
    except DomainError as exc:
        return _page(request, actor, province, form=form, errors=exc.messages,
                     status=exc.status)
    messages.success(request, f"Đã ghi {event.get_kind_display().lower()} theo văn bản số "
                              f"{event.document_number}.")
    return redirect("province_lineage", code=province.code)


@login_required
@require_POST
@shows_domain_errors
def remove(request, code, pk):
    actor = get_actor(request)
    province = _province(actor, code)
    event = lineage.find_event(actor, province, pk)  # not the province's: 404
    form = RemoveForm(request.POST)
    if not form.is_valid():
        return _page(request, actor, province, errors=[
            e for errors in form.errors.values() for e in errors], status=400)
    try:
        lineage.remove_event(actor, event, form.cleaned_data["reason"])
    except DomainError as exc:
        return _page(request, actor, province, errors=exc.messages, status=exc.status)
    messages.success(request, "Đã xoá việc sắp xếp nhập nhầm.")
    return redirect("province_lineage", code=province.code)
