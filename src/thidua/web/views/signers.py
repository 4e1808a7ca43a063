"""Who signs the papers (issue 15, item 2): a unit's signer and a conference's chair and
secretary, entered once here and printed on every paper (documents.signers)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from thidua.core.errors import DomainError
from thidua.documents import rules, signers
from thidua.documents.models import Signer
from thidua.web.utils import error_items, get_actor, shows_domain_errors


class SignerForm(forms.Form):
    authority = forms.ChoiceField(label="Thẩm quyền ký", choices=Signer.Authority.choices,
                                  required=False)
    on_behalf_of = forms.CharField(
        label="Ký thay / thay mặt", max_length=120, required=False,
        help_text="Chỉ khi ký KT. (ví dụ: Giám đốc) hoặc TM. (ví dụ: Ủy ban nhân dân).")
    title = forms.CharField(label="Chức vụ người ký", max_length=120,
                            help_text="Ví dụ: Giám đốc, Phó Giám đốc, Trưởng phòng.")
    name = forms.CharField(label="Họ và tên", max_length=120,
                           help_text="Chỉ ghi họ và tên, không ghi “Đồng chí”.")

    def signer_in(self) -> signers.SignerIn:
        data = self.cleaned_data
        return signers.SignerIn(data.get("authority") or "", data.get("on_behalf_of") or "",
                                data["title"], data["name"])


def _initial(signer):
    if signer is None:
        return {}
    return {"authority": signer.authority, "on_behalf_of": signer.on_behalf_of,
            "title": signer.title, "name": signer.name}


def _preview(signer, default_title):
    return signers.block(signer, default_title=default_title)


@login_required
@shows_domain_errors
def unit_signer(request, pk):
    actor = get_actor(request)
    unit = signers.find_unit(actor, pk)
    may_edit = rules.can_set_signers_of_unit(actor, unit)
    current = signers.unit_signer(unit.id)
    form = SignerForm(request.POST or None, initial=_initial(current), prefix="head")
    problems, status = [], 200
    if request.method == "POST":
        if form.is_valid():
            try:
                signers.set_unit_signer(actor, unit, form.signer_in())
            except DomainError as exc:
                if exc.status == 403:
                    raise
                problems, status = exc.messages, exc.status
            else:
                messages.success(request, "Đã lưu người ký văn bản của đơn vị.")
                return redirect("unit_signer", pk=unit.pk)
        else:
            status = 400
    return render(request, "web/documents/signers.html", {
        "heading": f"Người ký văn bản — {unit.name}",
        "intro": "Người ký các văn bản của đơn vị (bản đăng ký, báo cáo tự chấm điểm, báo "
                 "cáo thành tích); khi đơn vị là Trưởng khối, người này ký văn bản của khối "
                 "(TM. KHỐI THI ĐUA, TRƯỞNG KHỐI).",
        "sections": [{"label": "Người ký", "form": form, "role": "head",
                      "preview": _preview(current, "THỦ TRƯỞNG ĐƠN VỊ")}],
        "may_edit": may_edit, "errors": error_items(form if form.is_bound else None,
                                                    messages=problems),
    }, status=status)


@login_required
@shows_domain_errors
def conference_signers(request, pk):
    actor = get_actor(request)
    conference = signers.find_conference(actor, pk)
    may_edit = rules.can_set_signers_of_conference(actor, conference)
    current = signers.conference_signers(conference)
    posted = request.POST.get("vai_tro") if request.method == "POST" else None
    if posted is not None and posted not in signers.CONFERENCE_ROLES:
        raise DomainError("Vai trò ký biên bản hội nghị là “chủ trì” hoặc “thư ký”.")
    forms_ = {role: SignerForm(request.POST if role == posted else None,
                               initial=_initial(current.get(role)), prefix=role)
              for role in signers.CONFERENCE_ROLES}
    problems, status = [], 200
    if posted is not None:
        form = forms_[posted]
        if form.is_valid():
            try:
                signers.set_conference_signer(actor, conference, posted, form.signer_in())
            except DomainError as exc:
                if exc.status == 403:
                    raise
                problems, status = exc.messages, exc.status
            else:
                messages.success(request, "Đã lưu người ký biên bản hội nghị.")
                return redirect("conference_signers", pk=conference.pk)
        else:
            status = 400
    labels = {"chair": ("Chủ trì hội nghị", "CHỦ TRÌ"), "secretary": ("Thư ký", "THƯ KÝ")}
    return render(request, "web/documents/signers.html", {
        "heading": f"Người ký biên bản — Hội nghị tổng kết {conference.bloc_year.bloc.name} "
                   f"năm {conference.bloc_year.year}",
        "intro": "Chủ trì và thư ký ký biên bản họp bình xét; họ tên in ở dòng ký, chức vụ "
                 "in ở phần thành phần hội nghị.",
        "sections": [{"label": labels[role][0], "form": forms_[role], "role": role,
                      "preview": {"mandate": "", "title": labels[role][1],
                                  "name": current[role].name if role in current
                                  else signers.BLANK_NAME}}
                     for role in signers.CONFERENCE_ROLES],
        "may_edit": may_edit,
        "errors": error_items(forms_[posted] if posted else None, messages=problems),
    }, status=status)
