"""The web boundary: parse and check what a person typed, in Vietnamese, before a service.

Forms only turn text into values and say which field is wrong; every rule of the domain
stays in the services (their DomainError messages are shown beside these).
"""

from django import forms
from django.conf import settings
from django.utils import timezone

from thidua.core.evidence import ACCEPTED_LABEL, Upload, classify, too_large
from thidua.law.award_forms import AwardForm, choices_for
from thidua.org.domain.phases import Phase
from thidua.org.models import Bloc, Province
from thidua.pledges.models import PledgeSignature
from thidua.pledges.services import TargetInput

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DECIMAL = {"max_digits": 16, "decimal_places": 2}


class TitlesForm(forms.Form):
    award_forms = forms.MultipleChoiceField(
        label="Danh hiệu đăng ký", choices=AwardForm.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, province=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_forms"].choices = choices_for(province)


class TargetForm(forms.Form):
    indicator = forms.CharField(label="Tên chỉ tiêu", max_length=500)
    baseline = forms.DecimalField(label="Giá trị xuất phát", initial=0, required=False,
                                  **DECIMAL)
    target_value = forms.DecimalField(label="Giá trị mục tiêu", **DECIMAL)
    unit_of_measure = forms.CharField(label="Đơn vị tính", max_length=50)
    deadline = forms.DateField(label="Thời hạn", widget=DATE_WIDGET)

    def __init__(self, *args, year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if self.year and deadline.year != self.year:
            raise forms.ValidationError(f"Thời hạn phải nằm trong năm thi đua {self.year}.")
        return deadline

    def to_input(self) -> TargetInput:
        data = self.cleaned_data
        return TargetInput(
            indicator=data["indicator"], target_value=data["target_value"],
            unit_of_measure=data["unit_of_measure"], deadline=data["deadline"],
            baseline=data["baseline"] if data["baseline"] is not None else 0,
        )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="Lý do rút lại", max_length=1000, widget=forms.Textarea)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class CheckInForm(forms.Form):
    reported_on = forms.DateField(label="Ngày báo cáo", widget=DATE_WIDGET)
    actual_value = forms.DecimalField(label="Kết quả đạt được", **DECIMAL)
    note = forms.CharField(label="Ghi chú", required=False, max_length=2000,
                           widget=forms.Textarea)
    files = forms.Field(
        label="Tệp minh chứng", required=False,
        help_text=f"Có thể chọn nhiều tệp ({ACCEPTED_LABEL}), mỗi tệp tối đa "
                  f"{settings.EVIDENCE_MAX_BYTES // (1024 * 1024)} MB.",
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("reported_on", timezone.localdate())

    def clean_reported_on(self):
        reported_on = self.cleaned_data["reported_on"]
        if reported_on > timezone.localdate():
            raise forms.ValidationError("Ngày báo cáo không được sau ngày hôm nay.")
        return reported_on

    def clean_files(self):
        """Read each file once and judge it with the same core the service uses, so a bad
        file is reported beside its field; the service checks again before writing."""
        limit = settings.EVIDENCE_MAX_BYTES
        uploads, problems = [], []
        for upload in self.files.getlist(self.add_prefix("files")):
            if upload.size > limit:
                # Not read into memory at all; the sentence is the evidence core's.
                problems.append(too_large(upload.name, upload.size, limit))
                continue
            item = Upload(upload.name, upload.read())
            verdict = classify(item.name, item.content, limit)
            if verdict.error:
                problems.append(verdict.error)
            uploads.append(item)
        if problems:
            raise forms.ValidationError(problems)
        return uploads


class PhaseForm(forms.Form):
    target = forms.ChoiceField(label="Chuyển sang giai đoạn", choices=Phase.choices)
    reason = forms.CharField(label="Lý do", required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(label="Vẫn chuyển giai đoạn dù còn thiếu", required=False)


class BlocDeadlineForm(forms.Form):
    """RULES.md 7: a bloc's own registration deadline (empty: the year's)."""

    registration_deadline = forms.DateField(label="Hạn đăng ký riêng của khối",
                                            widget=DATE_WIDGET, required=False,
                                            help_text="Để trống để dùng hạn chung của năm.")
    reason = forms.CharField(label="Lý do (quyết định thành lập khối …)", required=False,
                             max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class SignatureForm(forms.Form):
    signed_on = forms.DateField(label="Ngày ký kết", widget=DATE_WIDGET)
    place = forms.CharField(label="Địa điểm", required=False, max_length=300)
    unit = forms.IntegerField(label="Đơn vị", widget=forms.Select)
    status = forms.ChoiceField(label="Tình trạng", choices=PledgeSignature.Status.choices,
                               widget=forms.RadioSelect)
    signer_name = forms.CharField(label="Người ký", required=False, max_length=200)
    absence_reason = forms.CharField(label="Lý do vắng", required=False, max_length=300)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.choices = [("", "— Chọn đơn vị —")] + [
            (unit.id, unit.name) for unit in members]
        self.member_ids = {unit.id for unit in members}

    def clean_unit(self):
        unit_id = self.cleaned_data["unit"]
        if unit_id not in self.member_ids:
            raise forms.ValidationError("Đơn vị không phải thành viên của khối.")
        return unit_id

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if status == PledgeSignature.Status.SIGNED and not (data.get("signer_name") or "").strip():
            self.add_error("signer_name", "Ghi rõ họ tên người ký.")
        if status == PledgeSignature.Status.ABSENT and not (
                data.get("absence_reason") or "").strip():
            self.add_error("absence_reason", "Ghi rõ lý do vắng mặt.")
        return data


class TokenForm(forms.Form):
    name = forms.CharField(label="Tên gợi nhớ", max_length=100,
                           help_text="Ví dụ: “Bảng tính tổng hợp của phòng”.")


class AuditFilterForm(forms.Form):
    action = forms.CharField(label="Hành động", required=False, max_length=100)
    object_type = forms.CharField(label="Loại đối tượng", required=False, max_length=100)
    object_id = forms.CharField(label="Mã đối tượng", required=False, max_length=64)


class SearchForm(forms.Form):
    q = forms.CharField(label="Tên hoặc mã đơn vị", required=False, max_length=200)


# --- setting up a province -------------------------------------------------------------
# Lengths and formats are the services' to judge (one message for the UI and the API);
# these forms only turn text into values.

MAX_DB_INT = 2**63 - 1  # a larger id would overflow the database's integer, not miss a row


class UnitForm(forms.Form):
    code = forms.CharField(label="Mã đơn vị", max_length=100,
                           help_text="Chữ cái không dấu, chữ số và các dấu . _ -; ví dụ SYT.")
    name = forms.CharField(label="Tên đơn vị", max_length=1000)


class RenameUnitForm(forms.Form):
    name = forms.CharField(label="Tên mới", max_length=1000)


class BlocForm(forms.Form):
    code = forms.CharField(label="Mã khối, cụm", max_length=100,
                           help_text="Chữ cái không dấu, chữ số và các dấu . _ -; ví dụ KTKT.")
    kind = forms.ChoiceField(label="Loại", choices=Bloc.Kind.choices, widget=forms.RadioSelect,
                             initial=Bloc.Kind.KHOI)
    name = forms.CharField(label="Tên đầy đủ", max_length=1000)
    short_name = forms.CharField(label="Tên ngắn", max_length=1000, required=False,
                                 help_text="Hiện trong các bảng; ví dụ “Khối Kinh tế”.")


class RenameBlocForm(forms.Form):
    name = forms.CharField(label="Tên đầy đủ", max_length=1000)
    short_name = forms.CharField(label="Tên ngắn", max_length=1000, required=False)


class YearForm(forms.Form):
    year = forms.IntegerField(label="Năm thi đua", min_value=1900, max_value=9999)
    registration_deadline = forms.DateField(
        label="Hạn đăng ký thi đua", required=False, widget=DATE_WIDGET,
        help_text="Để trống thì lấy theo bộ quy tắc đang áp dụng (thường là 31/3).")


class DeadlineForm(forms.Form):
    registration_deadline = forms.DateField(label="Hạn đăng ký thi đua", widget=DATE_WIDGET)


class ProvinceKindForm(forms.Form):
    kind = forms.ChoiceField(label="Loại đơn vị hành chính", choices=Province.Kind.choices,
                             widget=forms.RadioSelect)


class BlocSizeForm(forms.Form):
    min_bloc_size = forms.IntegerField(label="Số thành viên tối thiểu", min_value=0,
                                       max_value=32767)
    max_bloc_size = forms.IntegerField(label="Số thành viên tối đa", min_value=0,
                                       max_value=32767)


class BlocYearChoiceForm(forms.Form):
    """Which bloc and which year (the GET step and the hidden part of the POST)."""

    khoi = forms.TypedChoiceField(label="Khối, cụm", coerce=int)
    nam = forms.TypedChoiceField(label="Năm thi đua", coerce=int)

    def __init__(self, *args, blocs=(), years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["khoi"].choices = [("", "— Chọn khối, cụm —")] + [
            (b.id, f"{b.display_name} ({b.code})") for b in blocs]
        self.fields["nam"].choices = [(y.year, str(y.year)) for y in years]
        self.fields["khoi"].error_messages["invalid_choice"] = (
            "Khối, cụm không có trong danh sách của tỉnh.")
        self.fields["nam"].error_messages["invalid_choice"] = "Tỉnh chưa mở năm thi đua này."


class IdListField(forms.Field):
    """Ids from checkboxes of the same name; which ids are allowed is the service's call."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        try:
            ids = [int(v) for v in value or []]
        except (TypeError, ValueError):
            raise forms.ValidationError("Có mã đơn vị không hợp lệ.") from None
        if any(not 1 <= i <= MAX_DB_INT for i in ids):
            raise forms.ValidationError("Có mã đơn vị không hợp lệ.")
        return list(dict.fromkeys(ids))


class CompositionForm(forms.Form):
    members = IdListField(label="Đơn vị thành viên", required=False)
    # Not required here: "no leader" is a rule of the bloc (RULES.md 2), reported by the
    # composition core with the other composition errors.
    leader = forms.IntegerField(label="Trưởng khối", required=False, min_value=1,
                                max_value=MAX_DB_INT, widget=forms.HiddenInput)
    deputies = IdListField(label="Phó khối", required=False)
