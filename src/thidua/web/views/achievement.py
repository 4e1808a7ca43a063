"""What a unit writes for its achievement report (issue 15, item 8): address, contacts,
duties and the narrative the report prints beside the product's data
(documents.statements; the report itself: documents.achievement)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from thidua.core.errors import DomainError
from thidua.documents import statements
from thidua.web.utils import error_items, get_actor, shows_domain_errors

LABELS = statements.LABELS
HELP = {
    "duties": "Mỗi đoạn một dòng.",
    "highlights": "Kết quả nổi bật theo chức năng, nhiệm vụ (có so sánh với năm trước). "
                  "Báo cáo tự in điểm, xếp hạng, chỉ tiêu đăng ký và số liệu năm.",
    "measures": "Biện pháp, nguyên nhân; các phong trào thi đua đã hưởng ứng.",
    "policy": "Báo cáo tự in xếp loại tổ chức đảng, đoàn thể, kỷ luật, thanh tra từ số "
              "liệu năm.",
}


class StatementForm(forms.Form):
    address = forms.CharField(label=LABELS["address"].capitalize(), required=False,
                              max_length=statements.LIMITS["address"])
    phone = forms.CharField(label=LABELS["phone"].capitalize(), required=False,
                            max_length=statements.LIMITS["phone"])
    email = forms.CharField(label=LABELS["email"].capitalize(), required=False,
                            max_length=statements.LIMITS["email"])
    duties = forms.CharField(label=LABELS["duties"].capitalize(), required=False,
                             widget=forms.Textarea(attrs={"rows": 4}), help_text=HELP["duties"])
    highlights = forms.CharField(label=LABELS["highlights"].capitalize(), required=False,
                                 widget=forms.Textarea(attrs={"rows": 8}),
                                 help_text=HELP["highlights"])
    measures = forms.CharField(label=LABELS["measures"].capitalize(), required=False,
                               widget=forms.Textarea(attrs={"rows": 5}),
                               help_text=HELP["measures"])
    policy = forms.CharField(label=LABELS["policy"].capitalize(), required=False,
                             widget=forms.Textarea(attrs={"rows": 5}), help_text=HELP["policy"])

    def statement_in(self) -> statements.StatementIn:
        return statements.StatementIn(**{name: self.cleaned_data.get(name) or ""
                                         for name in statements.LIMITS})


@login_required
@shows_domain_errors
def statement(request, unit_pk, year):
    actor = get_actor(request)
    unit, emulation_year = statements.find(actor, unit_pk, year)
    current = statements.current(unit.id, emulation_year)
    form = StatementForm(request.POST or None, initial=vars(current))
    problems, status = [], 200
    if request.method == "POST":
        if form.is_valid():
            try:
                statements.save(actor, unit, emulation_year, form.statement_in())
            except DomainError as exc:
                if exc.status == 403:
                    raise
                problems, status = exc.messages, exc.status
            else:
                messages.success(request, "Đã lưu nội dung báo cáo thành tích.")
                return redirect("achievement_statement", unit_pk=unit.pk, year=year)
        else:
            status = 400
    return render(request, "web/documents/statement.html", {
        "heading": f"Nội dung báo cáo thành tích năm {year} — {unit.name}",
        "unit": unit, "form": form,
        "errors": error_items(form if form.is_bound else None, messages=problems),
    }, status=status)
