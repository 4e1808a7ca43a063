"""Who is calling: a personal API token (scripts) or the browser session (with CSRF).

Tried in that order. A request that presents a bearer token is judged by the token
alone: a wrong or revoked token is refused (401) even if a session cookie rides along,
so a script never silently acts as whoever is logged in to the same browser.
"""

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from thidua.core import ratelimit, twofactor
from thidua.core.tokens import bearer_token, user_for_token
from thidua.org.rules import Actor, actor_for
from thidua.org.twofactor import TwoFactorMiddleware, required_for

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
BAD_TOKEN = "Mã truy cập không hợp lệ, đã bị thu hồi hoặc tài khoản đã bị khóa."  # noqa: S105
CSRF_FAILED = ("Thiếu hoặc sai mã CSRF: khi dùng phiên đăng nhập của trình duyệt, gửi kèm "
               "tiêu đề X-CSRFToken.")


def _throttle(request, user):
    """Per-user API rate limit (core.ratelimit LIMITS["api"]): 429 with Retry-After."""
    ratelimit.check(request, "api", *ratelimit.LIMITS["api"], who=f"user:{user.pk}")


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest):
        token = bearer_token(request)
        if token is None:
            return None
        user = user_for_token(token)
        if user is None:
            raise AuthenticationError(message=BAD_TOKEN)
        _throttle(request, user)
        # Services and rules read the user from the request like any other view.
        request.user = user
        request.auth_method = "token"
        return user

    def authenticate(self, request, token):  # pragma: no cover - __call__ does the work
        raise NotImplementedError


class SessionAuth(APIKeyCookie):
    """Django's session, with the CSRF check on unsafe methods: a page on another site
    must not be able to drive the API with the user's cookie."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key):
        if bearer_token(request) is not None:
            return None
        user = request.user
        if not user.is_authenticated or not user.is_active:
            return None
        # The middleware's gate already answered; checked again here so no route to the
        # API through the session can skip the second factor.
        if not twofactor.is_verified(request) and required_for(user):
            raise AuthenticationError(message=TwoFactorMiddleware.API_MESSAGE)
        if request.method not in SAFE_METHODS and check_csrf(request):
            raise HttpError(403, CSRF_FAILED)
        _throttle(request, user)
        request.auth_method = "session"
        return user


def actor(request) -> Actor:
    return actor_for(request.auth)


def via_token(request) -> bool:
    return getattr(request, "auth_method", None) == "token"
