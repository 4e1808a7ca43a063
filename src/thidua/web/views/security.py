"""The account's security: two-factor code and enrolment, password change, sign-out
everywhere. Services in core.twofactor / core.signin (who must: org.twofactor); audited there."""

from django import forms
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from thidua.core import audit, ratelimit, signin, twofactor
from thidua.org.twofactor import required_for
from thidua.web.utils import error_items

BAD_CODE = "Mã xác thực không đúng hoặc đã được dùng. Hãy nhập mã 6 chữ số mới nhất."


class CodeForm(forms.Form):
    code = forms.CharField(label="Mã xác thực", max_length=20, strip=True,
                           help_text="6 chữ số trong ứng dụng xác thực, hoặc một mã dự "
                                     "phòng dạng XXXXX-XXXXX.",
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                         "inputmode": "text"}))


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return reverse_lazy("home")


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


@login_required
def two_factor(request):
    """Ask an enrolled user for a code once per session."""
    if not twofactor.is_enrolled(request.user):
        return redirect("two_factor_setup")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            ratelimit.check(request, "otp", *ratelimit.LIMITS["otp"])
        except ratelimit.RateLimited as exc:
            return ratelimit.too_many_response(request, exc)
        if form.is_valid():
            used = twofactor.verify(request.user, form.cleaned_data["code"])
            if used:
                request.session.cycle_key()
                twofactor.mark_verified(request.session, request.user)
                if used == "backup":
                    messages.warning(request, "Bạn vừa dùng một mã dự phòng; còn "
                                     f"{twofactor.backup_codes_left(request.user)} mã.")
                return redirect(_next(request))
            form.add_error("code", BAD_CODE)
        status = 400
    return render(request, "web/two_factor.html", {
        "form": form, "next": _next(request), "errors": error_items(form)}, status=status)


@login_required
def two_factor_setup(request):
    """Enrol: scan the QR code, confirm with a code, see the backup codes once. Someone
    already enrolled must give a code first (this page then replaces the secret)."""
    if twofactor.is_enrolled(request.user) and not twofactor.is_verified(request):
        return redirect("two_factor")
    secret = twofactor.pending_secret(request.session)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            ratelimit.check(request, "otp", *ratelimit.LIMITS["otp"])
        except ratelimit.RateLimited as exc:
            return ratelimit.too_many_response(request, exc)
        if form.is_valid():
            codes = twofactor.enrol(request.user, secret, form.cleaned_data["code"])
            if codes is not None:
                request.session.pop(twofactor.PENDING_KEY, None)
                request.session.cycle_key()
                twofactor.mark_verified(request.session, request.user)
                return _no_store(render(request, "web/two_factor_codes.html", {
                    "codes": codes, "next": _next(request)}))
            form.add_error("code", BAD_CODE)
        status = 400
    uri = twofactor.provisioning_uri(request.user, secret)
    return _no_store(render(request, "web/two_factor_setup.html", {
        "form": form, "next": _next(request), "errors": error_items(form),
        "secret": secret, "qr": twofactor.qr_data_uri(uri)}, status=status))


@login_required
def security(request):
    return render(request, "web/security.html", {
        "enrolled": twofactor.is_enrolled(request.user),
        "required": required_for(request.user),
        "backup_left": twofactor.backup_codes_left(request.user),
    })


@login_required
@require_POST
def sign_out_everywhere(request):
    user = request.user
    signin.end_all_sessions(user)
    logout(request)
    return redirect("login")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "web/password_change.html"
    success_url = reverse_lazy("security")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["errors"] = error_items(context["form"])
        return context

    def form_valid(self, form):
        form.save()
        # Other sessions end (their hash no longer matches); this one stays signed in.
        update_session_auth_hash(self.request, form.user)
        audit.record(form.user, "core.password_change", ("core.user", form.user.pk))
        messages.success(self.request, "Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc.")
        return redirect(self.get_success_url())
