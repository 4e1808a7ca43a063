"""Login, logout and the landing redirect: each role starts on the page of its work."""

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render

from thidua.core import ratelimit, signin, twofactor
from thidua.org import queries as org_queries
from thidua.web.utils import get_actor


class LoginForm(AuthenticationForm):
    code = forms.CharField(
        label="Mã xác thực hai bước", required=False, max_length=20, strip=True,
        help_text="Người đã thiết lập xác thực hai bước có thể nhập mã ngay "
                  "tại đây; mã đúng cũng mở khóa tài khoản đang bị tạm khóa ở địa chỉ này.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}))


class LoginView(auth_views.LoginView):
    """Password sign-in; lockout by django-axes per (account, address), a per-address rate
    limit, the sign-in audited. The two-factor gate (core.middleware) takes over after a
    good password — unless a good code came with it (which also lifts a lockout: whoever
    locked the pair does not hold the user's second factor)."""

    template_name = "web/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm

    def post(self, request, *args, **kwargs):
        try:
            ratelimit.check(request, "login", *ratelimit.LIMITS["login"],
                            who=ratelimit.by_ip(request))
            if (request.POST.get("code") or "").strip():
                ratelimit.check(request, "otp", *ratelimit.LIMITS["otp"])
        except ratelimit.RateLimited as exc:
            return ratelimit.too_many_response(request, exc)
        self.code_user = twofactor.code_before_password(
            request, request.POST.get("username"), request.POST.get("code"))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        signin.record_sign_in(self.request, user)
        if self.code_user is not None and self.code_user.pk == user.pk:
            twofactor.mark_verified(self.request.session, user)
        return response


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


@login_required
def home(request):
    actor = get_actor(request)
    if actor.is_admin or actor.secretariat_provinces:
        provinces = org_queries.overseen_provinces(actor)
        if len(provinces) == 1:
            return redirect("province_dashboard", code=provinces[0].code)
        if provinces:
            return render(request, "web/home.html", {"provinces": provinces})
    if actor.leader_bloc_years:
        return redirect("bloc_year", pk=org_queries.latest_led_bloc_year(actor).pk)
    if actor.own_units:
        return redirect("unit", pk=org_queries.first_own_unit(actor).pk)
    return render(request, "web/home.html", {"provinces": [], "no_role": True})
