"""Who must give a second factor, and the gate that makes them.

The mechanics (TOTP, backup codes, the session flag) are core.twofactor's; which
users must use them is a rule over the roles of org: system administrators (and Django
staff), the province secretariat and bloc leader officers — and anyone who has enrolled.
"""

from urllib.parse import quote

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from thidua.core import twofactor
from thidua.core.tokens import bearer_token
from thidua.org.rules import actor_for


def required_for(user) -> bool:
    """Is a second factor mandatory for this user (by role, or because enrolled)?"""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    actor = actor_for(user)
    if actor.is_admin or actor.secretariat_provinces or actor.leader_bloc_years:
        return True
    return twofactor.is_enrolled(user)


class TwoFactorMiddleware:
    """The second-factor gate (see core.twofactor): a signed-in user who must use two-factor
    and has not given a code in this session reaches only the code/enrolment pages and
    sign-out; pages redirect there, the API (session calls) answers 401."""

    EXEMPT = frozenset({"login", "logout", "two_factor", "two_factor_setup"})
    API_MESSAGE = ("Cần xác thực hai bước: hãy nhập mã xác thực trên trang web trước khi "
                   "dùng API bằng phiên đăng nhập.")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated
                and not twofactor.is_verified(request) and required_for(user)):
            refusal = self._refuse(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _refuse(self, request):
        try:
            name = resolve(request.path_info).url_name
        except Resolver404:
            name = None
        if name in self.EXEMPT:
            return None
        if request.path_info.startswith("/api/"):
            if bearer_token(request) is not None:
                return None  # judged by its token alone (api.auth), never by the session
            return JsonResponse({"detail": self.API_MESSAGE, "errors": []}, status=401)
        target = "two_factor" if twofactor.is_enrolled(request.user) else "two_factor_setup"
        return redirect(f"{reverse(target)}?next={quote(request.get_full_path())}")
