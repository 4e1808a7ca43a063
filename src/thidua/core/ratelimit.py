"""A small rate limiter on the shared cache (the database cache, so every app server and
process counts together), answering 429 with a Vietnamese sentence.

Fixed windows: the counter `rl:<scope>:<who>:<window number>` lives for one window. Two
processes incrementing at the same instant may both pass (the database cache's `incr` is
a read then a write), so a limit can be overshot by the number of concurrent workers; it
is a brake on abuse, not an exact quota.

Use in a view (voting cards, receipt checks, …)::

    from thidua.core.ratelimit import ratelimit, by_user_or_ip

    @ratelimit("voting_card")                 # LIMITS["voting_card"], per user else address
    def use_card(request, ...): ...

    @ratelimit("voting.receipt", limit=30, window=600, key=by_ip)
    def check_receipt(request, ...): ...

or inside a service/view body: `check(request, "voting.card", 10, 60)` raises
`RateLimited` (a `DomainError` with status 429: `shows_domain_errors` turns it into a page,
the API into `{"detail": …}` with 429). Limits for whole areas live in `LIMITS`, tunable
with THIDUA_RATE_<NAME> = "count/seconds" in the environment.
"""

import os
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from thidua.core.errors import DomainError


def _limit(name: str, default: str) -> tuple[int, int]:
    count, _, seconds = os.environ.get(f"THIDUA_RATE_{name.upper()}", default).partition("/")
    return int(count), int(seconds)


# (requests, seconds) per area.
LIMITS = {
    "login": _limit("login", "20/300"),  # sign-in form posts per address
    "otp": _limit("otp", "5/300"),  # two-factor code tries per user
    "api": _limit("api", "300/60"),  # API calls per token/user
    # Per address, generous: a conference hall votes from phones behind one address.
    "voting_card": _limit("voting_card", "200/60"),  # voting-card ballots per address
    "receipt": _limit("receipt", "120/600"),  # receipt checks per address
}


class RateLimited(DomainError):
    status = 429

    def __init__(self, retry_after: int):
        minutes = max(1, -(-retry_after // 60))
        super().__init__(f"Bạn thao tác quá nhiều lần trong thời gian ngắn. Vui lòng thử lại "
                         f"sau khoảng {minutes} phút.")
        self.retry_after = retry_after


def client_ip(request) -> str | None:
    """The caller's address. Behind N trusted reverse proxies (THIDUA_PROXY_COUNT=N) the
    N-th address from the right of X-Forwarded-For, the one our own proxy saw; otherwise
    REMOTE_ADDR (a client can write anything into X-Forwarded-For). None when unknown
    (django-axes stores it in an address column: PostgreSQL refuses a non-address)."""
    count = getattr(settings, "THIDUA_PROXY_COUNT", 0)
    if count:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                if h.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR") or None


def by_ip(request) -> str:
    return "ip:" + (client_ip(request) or "unknown")


def by_user_or_ip(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return by_ip(request)


def hit(scope: str, who: str, limit: int, window: int) -> int:
    """Count one use; 0 if allowed, else the seconds until the window ends."""
    now = int(time.time())
    number = now // window
    key = f"rl:{scope}:{who}:{number}"
    cache.add(key, 0, timeout=window + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        used = 1
    if used > limit:
        return max(1, (number + 1) * window - now)
    return 0


def check(request, scope: str, limit: int, window: int, who: str | None = None):
    """Raise RateLimited when `who` (default: the user, else the address) is over."""
    retry = hit(scope, who or by_user_or_ip(request), limit, window)
    if retry:
        raise RateLimited(retry)


def too_many_response(request, exc: RateLimited):
    response = render(request, "web/rate_limited.html", {"message": exc.messages[0]},
                      status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def ratelimit(scope: str, limit: int | None = None, window: int | None = None, *,
              key=by_user_or_ip, methods=("POST",)):
    """View decorator: over the limit → the 429 page (Retry-After set). `limit`/`window`
    default to LIMITS[scope]; only `methods` are counted (GETs of a form are free)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods:
                count, seconds = (limit, window) if limit else LIMITS[scope]
                try:
                    check(request, scope, count, seconds, key(request))
                except RateLimited as exc:
                    return too_many_response(request, exc)
            return view(request, *args, **kwargs)
        return wrapper
    return decorator
