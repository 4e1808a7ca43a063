"""Excel download and upload of scoring: the bloc year's criteria table and one score sheet
as a template to fill offline (scoring.exporters, scoring.importers).

Who may: scoring.rules (through the services and importers). A table is downloaded by
whoever sees the bloc year and uploaded by its runners (leader, province); a sheet is
downloaded by whoever may read it (sealed drafts only by their author) and uploaded by its
author while it may be edited. An upload is all-or-nothing; its error list (sheet, row,
column) is shown in the summary at the top of the form.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from thidua.core import workbook
from thidua.core.errors import Conflict, DomainError, Forbidden, NotFound
from thidua.core.evidence import too_large
from thidua.org.queries import bloc_year_in_scope
from thidua.scoring import exporters, importers, rules, services
from thidua.scoring.models import ScoreSheet
from thidua.web.utils import error_items, get_actor, require, shows_domain_errors

TEMPLATE = "web/scoring_excel/upload.html"
ACTIONS = {
    "created": "Đã lập bảng tiêu chí từ tệp Excel.",
    "replaced": "Đã cập nhật bảng tiêu chí theo tệp Excel.",
    "new_version": "Đã lập phiên bản mới của bảng tiêu chí theo tệp Excel.",
    "unchanged": "Tệp Excel trùng với bảng tiêu chí hiện có; không có gì thay đổi.",
}


class UploadForm(forms.Form):
    file = forms.FileField(label="Tệp Excel (.xlsx)",
                           help_text="Dùng mẫu tải từ thidua; tối đa 5 MB.",
                           error_messages={"required": "Chưa chọn tệp Excel."})
    reason = forms.CharField(label="Lý do thay đổi", required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, reason_help="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".xlsx"
        if reason_help:
            self.fields["reason"].help_text = reason_help
        else:
            del self.fields["reason"]


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exporters.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def upload_content(upload) -> bytes:
    """The uploaded bytes; an oversized file is refused before it is read."""
    if upload.size > workbook.MAX_WORKBOOK_BYTES:
        raise workbook.WorkbookError(too_large(upload.name, upload.size,
                                               workbook.MAX_WORKBOOK_BYTES))
    return upload.read()


def _sheet(actor, pk) -> ScoreSheet:
    try:
        return services.find_sheet(actor, pk)
    except NotFound:
        raise Http404("Không tìm thấy phiếu chấm.") from None


def _page(request, context, form, errors=(), status=200):
    return render(request, TEMPLATE, {**context, "form": form,
                                      "errors": [*error_items(form),
                                                 *error_items(messages=errors)]},
                  status=status)


@login_required
@shows_domain_errors
def table_download(request, pk):
    actor = get_actor(request)
    bloc_year = bloc_year_in_scope(actor, pk)
    table = services.current_table(bloc_year)
    if table is None:
        raise Http404("Khối chưa có bảng tiêu chí.")
    return xlsx_response(exporters.export_table(table), exporters.table_filename(table))


@login_required
@shows_domain_errors
def table_upload(request, pk):
    actor = get_actor(request)
    bloc_year = bloc_year_in_scope(actor, pk)
    require(True, rules.can_run_scoring(actor, bloc_year))
    table = services.current_table(bloc_year)
    context = {
        "heading": f"Nhập bảng tiêu chí từ Excel — {bloc_year.bloc.name} năm {bloc_year.year}",
        "intro": ("Tải bảng hiện có về, sửa trong Excel rồi tải lên. Bảng chưa khóa được "
                  "thay toàn bộ; bảng đã khóa thì lập phiên bản mới và cần ghi lý do."),
        "download_url": reverse("scoring_table_excel", args=[bloc_year.pk]) if table else "",
        "back_url": reverse("bloc_year", args=[bloc_year.pk]),
    }
    reason_help = "Bắt buộc khi bảng đã khóa (lập phiên bản mới)."
    if request.method != "POST":
        return _page(request, context, UploadForm(reason_help=reason_help))
    form = UploadForm(request.POST, request.FILES, reason_help=reason_help)
    if not form.is_valid():
        return _page(request, context, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        result = importers.import_table(actor, bloc_year, upload.name, upload_content(upload),
                                        reason=form.cleaned_data.get("reason", ""))
    except Forbidden:
        raise
    except DomainError as exc:
        return _page(request, context, form, exc.messages, status=exc.status)
    messages.success(request, ACTIONS[result.action])
    return redirect(context["back_url"])


@login_required
@shows_domain_errors
def sheet_download(request, pk):
    actor = get_actor(request)
    sheet = _sheet(actor, pk)
    return xlsx_response(exporters.export_sheet(sheet), exporters.sheet_filename(sheet))


@login_required
@shows_domain_errors
def sheet_upload(request, pk):
    actor = get_actor(request)
    sheet = _sheet(actor, pk)
    require(True, rules.is_author(actor, sheet))
    appraisal = sheet.kind == ScoreSheet.Kind.APPRAISAL
    who = f" của {sheet.scorer_unit.name}" if sheet.kind == ScoreSheet.Kind.PEER else ""
    context = {
        "heading": f"Nhập phiếu chấm từ Excel — {sheet.get_kind_display()}: "
                   f"{sheet.scored_unit.name}{who}",
        "intro": ("Tải mẫu phiếu về, điền ở các ô nền vàng rồi tải lên. Tệp được kiểm tra "
                  "toàn bộ: có lỗi thì không điểm nào được lưu."),
        "download_url": reverse("scoring_sheet_excel", args=[sheet.pk]),
        "back_url": reverse("bloc_year", args=[sheet.table.bloc_year_id]),
    }
    reason_help = "Bắt buộc: mỗi thay đổi điểm thẩm định phải có lý do (Quy tắc 12)." \
        if appraisal else ""
    if not rules.can_edit_sheet(actor, sheet):
        error = Conflict("Phiếu chấm đã gửi hoặc khối không ở giai đoạn cho phép chấm phiếu "
                         "này.")
        return _page(request, {**context, "closed": True}, None, error.messages,
                     status=409 if request.method == "POST" else 200)
    if request.method != "POST":
        return _page(request, context, UploadForm(reason_help=reason_help))
    form = UploadForm(request.POST, request.FILES, reason_help=reason_help)
    if not form.is_valid():
        return _page(request, context, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        changed = importers.import_sheet(actor, sheet, upload.name, upload_content(upload),
                                         reason=form.cleaned_data.get("reason", ""))
    except Forbidden:
        raise
    except DomainError as exc:
        return _page(request, context, form, exc.messages, status=exc.status)
    messages.success(request, f"Đã lưu {changed} ô điểm từ tệp Excel." if changed
                     else "Tệp Excel trùng với phiếu chấm; không có gì thay đổi.")
    return redirect(context["back_url"])
