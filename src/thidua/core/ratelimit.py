"""A small rate limiter in the database (so every app server and process counts together),
answering 429 with a Vietnamese sentence.

Fixed windows: the counter `rl:<scope>:<who>:<window number>` (core.models.RateCounter)
lives for one window; each use is one atomic `INSERT … ON CONFLICT DO UPDATE … RETURNING`
(SQLite ≥ 3.35 and PostgreSQL), so concurrent workers never lose a count. (Not Django's
cache API: the database cache's `incr` is a read then a write, and its query count varies.)

Use in a view (voting cards, receipt checks, …)::

    from thidua.core.ratelimit import ratelimit, by_user_or_ip

    @ratelimit("voting_card")                 # LIMITS["voting_card"], per user else address
    def use_card(request, ...): ...

    @ratelimit("voting.receipt", limit=30, window=600, key=by_ip)
    def check_receipt(request, ...): ...

or inside a service/view body: `check(request, "voting.card", 10, 60)` raises
`RateLimited` (a `DomainError` with status 429: `shows_domain_errors` turns it into a page,
the API into `{"detail": …}` with 429). Limits for whole areas live in `LIMITS`, tunable
with THIDUA_RATE_<NAME> = "count/seconds" in the environment. Already applied: sign-in
(per address, plus django-axes lockout), two-factor codes (per user), the whole API (per
user, api/auth.py), card ballots and receipt checks (per address, api/voting.py),
the public results pages (per address, web/views/publication.py) — a web
page for card voting or receipts should use the same scopes ("voting_card", "receipt").
"""

import datetime
import hashlib
import hmac
import os
import time
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.db import connection, transaction
from django.shortcuts import render

from thidua.core.errors import DomainError
from thidua.core.models import RateCounter
from thidua.core.statements import prepared_cursor


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
    "public": _limit("public", "300/60"),  # public results pages per address
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
    """The address as a counter key: a keyed hash of it, never the address itself — the
    counters of card ballots and receipt checks must not store who voted from where."""
    address = client_ip(request) or "unknown"
    return "ip:" + hmac.new(settings.SECRET_KEY.encode(), address.encode(),
                            hashlib.sha256).hexdigest()[:24]


def by_user_or_ip(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return by_ip(request)


# The sweep of ended windows, run by every use. On PostgreSQL it takes only counters no
# other sweep holds (SKIP LOCKED), a batch at a time: concurrent requests never queue
# behind each other's sweep; each waits only on its own counter's row. SQLite lets one
# writer in at a time anyway.
_SWEEP = {
    False: "DELETE FROM {table} WHERE expires_at < %s",
    True: "DELETE FROM {table} WHERE key IN (SELECT key FROM {table} WHERE expires_at < %s "
          "LIMIT 500 FOR UPDATE SKIP LOCKED)",
}


@contextmanager
def _unsynced(cursor):
    """SQLite, outside a transaction: the counter's own commits without a disk sync
    (synchronous=NORMAL), then FULL again. A counter lost to a power cut costs nothing,
    while a sync costs a vote on a card most of its time (bench/README.md); the WAL
    frames are synced by the next FULL commit, the ballot's. Inside a transaction
    (SQLite refuses the change there) and on PostgreSQL: as it is. The connection's
    level is put back as it was."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    cursor.execute("PRAGMA synchronous")
    level = int(cursor.fetchone()[0])  # FULL (2) as settings.py sets it
    cursor.execute("PRAGMA synchronous = NORMAL")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA synchronous = {level}")


def hit(scope: str, who: str, limit: int, window: int) -> int:
    """Count one use; 0 if allowed, else the seconds until the window ends. A constant
    number of queries (an atomic upsert that returns the count, and the sweep of ended
    windows): one statement on PostgreSQL, where the sweep rides on the upsert as a
    data-modifying WITH (a round trip less on every card ballot, bench/voting.py; the
    sweep never meets the upserted row, whose window has not ended), two on SQLite."""
    now = time.time()
    number = int(now) // window
    key = f"rl:{scope}:{who}:{number}"[:200]
    ends = datetime.datetime.fromtimestamp((number + 1) * window, tz=datetime.UTC)
    table = RateCounter._meta.db_table
    upsert = (f"INSERT INTO {table} (key, hits, expires_at) VALUES (%s, 1, %s) "  # noqa: S608
              f"ON CONFLICT (key) DO UPDATE SET hits = {table}.hits + 1 RETURNING hits")
    ended = datetime.datetime.fromtimestamp(now, tz=datetime.UTC)
    with prepared_cursor() as cursor, _unsynced(cursor):
        if connection.vendor == "postgresql":
            cursor.execute(f"WITH swept AS ({_SWEEP[True].format(table=table)}) {upsert}",
                           [ended, key, ends])
            used = cursor.fetchone()[0]
        else:  # one write transaction, queued behind the others (thidua.core.sqlite3)
            with transaction.atomic():
                cursor.execute(upsert, [key, ends])
                used = cursor.fetchone()[0]
                cursor.execute(_SWEEP[False].format(table=table), [ended])
    if used > limit:
        return max(1, (number + 1) * window - int(now))
    return 0


def check(request, scope: str, limit: int, window: int, who: str | None = None):
    """Raise RateLimited when `who` (default: the user, else the address) is over."""
    retry = hit(scope, who or by_user_or_ip(request), limit, window)
    if retry:
        raise RateLimited(retry)


def check_public(request):
    """The pages and files anyone may read without signing in, counted per address."""
    check(request, "public", *LIMITS["public"], who=by_ip(request))


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
