"""A province merger (Nghị quyết 202/2025/QH15): the export of another province imported
into this one — upload, preview (what will be created and remapped, the conflicts, the
history kept under the former province), then confirm. For the administrator and the
province's secretariat; every check and the audit event are exchange.merger's."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from thidua.core.errors import DomainError
from thidua.exchange import merger
from thidua.org import queries as org_queries
from thidua.org import rules
from thidua.web.forms import DATE_WIDGET
from thidua.web.utils import error_items, get_actor, require, shows_domain_errors

TEMPLATE = "web/setup/merger.html"
RESOLUTION_HELP = "Ví dụ: Nghị quyết số 202/2025/QH15 ngày 12/6/2025 của Quốc hội."


class MergerTermsForm(forms.Form):
    merged_on = forms.DateField(label="Ngày hợp nhất có hiệu lực", widget=DATE_WIDGET,
                                error_messages={"required": "Cần ngày hợp nhất có hiệu lực.",
                                                "invalid": "Ngày hợp nhất không hợp lệ."})
    resolution = forms.CharField(label="Văn bản hợp nhất", max_length=300,
                                 help_text=RESOLUTION_HELP,
                                 error_messages={"required": "Cần ghi văn bản hợp nhất."})


class MergerUploadForm(MergerTermsForm):
    file = forms.FileField(label="Tệp xuất dữ liệu của tỉnh nhập vào (.json)",
                           help_text="Người quản trị máy chủ của tỉnh đó xuất tệp bằng "
                                     "lệnh «thidua export»; giữ nguyên, không sửa.",
                           error_messages={"required": "Chưa chọn tệp xuất dữ liệu tỉnh."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="hn-%s", **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".json,application/json"


class MergerConfirmForm(MergerTermsForm):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64,
                            error_messages={"required": "Hãy tải tệp lên và xem trước."})


def _province(actor, code):
    province = org_queries.province_by_code(code)
    require(rules.can_oversee_province(actor, province.id),
            rules.can_set_up_province(actor, province.id))
    return province


def _page(request, province, *, form=None, plan=None, confirm=None, errors=(), status=200):
    return render(request, TEMPLATE, {
        "province": province, "form": form or MergerUploadForm(), "plan": plan,
        "confirm": confirm,
        "errors": [*error_items(form), *error_items(messages=errors)]}, status=status)


@login_required
@shows_domain_errors
def page(request, code):
    return _page(request, _province(get_actor(request), code))


@login_required
@require_POST
@shows_domain_errors
def preview(request, code):
    actor = get_actor(request)
    province = _province(actor, code)
    form = MergerUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, province, form=form, status=400)
    data = form.cleaned_data
    upload = data["file"]
    if upload.size > merger.MAX_FILE_BYTES:
        return _page(request, province, form=form, status=400,
                     errors=[f"Tệp quá lớn (tối đa {merger.MAX_FILE_BYTES // 2**20} MB)."])
    try:
        plan, token = merger.merge_upload(
            actor, province.code, content=upload.read(), merged_on=data["merged_on"],
            resolution=data["resolution"], dry_run=True)
    except DomainError as exc:
        return _page(request, province, form=form, errors=exc.messages, status=exc.status)
    confirm = MergerConfirmForm(initial={"token": token, "merged_on": data["merged_on"],
                                         "resolution": data["resolution"]})
    return _page(request, province, form=form, plan=plan, confirm=confirm)


@login_required
@require_POST
@shows_domain_errors
def confirm(request, code):
    actor = get_actor(request)
    province = _province(actor, code)
    form = MergerConfirmForm(request.POST)
    if not form.is_valid():
        return _page(request, province, errors=[m for m, _ in error_items(form)], status=400)
    data = form.cleaned_data
    try:
        plan, _ = merger.merge_upload(actor, province.code, token=data["token"],
                                      merged_on=data["merged_on"],
                                      resolution=data["resolution"], dry_run=False)
    except DomainError as exc:
        return _page(request, province, errors=exc.messages, status=exc.status)
    messages.success(request, f"Đã hợp nhất {plan.former_name} vào {plan.target_name}: "
                              f"{len(plan.units)} đơn vị, {len(plan.blocs)} khối, cụm; "
                              f"{len(plan.conflicts)} mã đã đổi.")
    return redirect("province_setup", code=province.code)
