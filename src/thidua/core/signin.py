"""Sign-in events in the audit log, and ending every session of a user.

Successful sign-ins are recorded by the login view (so `force_login` in tests writes
nothing); failures and lockouts come from Django's and django-axes' signals, which fire
for every form that authenticates (our login page and the admin's).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.contrib.sessions.models import Session
from django.dispatch import receiver
from django.utils import timezone

from thidua.core import audit, tokens
from thidua.core.models import AuditEvent
from thidua.core.ratelimit import client_ip


def _who(username) -> tuple[str, str]:
    """(label, object id) for a username that may not exist."""
    username = str(username or "")[:150]
    user = get_user_model().objects.filter(username=username).only("pk").first()
    return f"khách ({username or '?'})", str(user.pk) if user else "?"


def record_sign_in(request, user):
    audit.record(user, "core.sign_in", ("core.user", user.pk),
                 after={"ip": client_ip(request) or ""})


@receiver(user_login_failed)
def _failed(sender, credentials, request=None, **kwargs):
    label, object_id = _who(credentials.get("username"))
    audit.record(label, "core.sign_in_failed", ("core.user", object_id),
                 after={"username": str(credentials.get("username") or "")[:150],
                        "ip": (client_ip(request) if request is not None else None) or ""})


def cool_off(request=None) -> timedelta:
    """How long a locked (account, address) pair waits: 1 minute for its first lockout in
    a day, doubling with each further one, at most THIDUA_LOCKOUT_MINUTES (15). Counted
    from the audit log's `core.lockout` events of the pair (every process sees them)."""
    longest = timedelta(minutes=settings.THIDUA_LOCKOUT_MINUTES)
    if request is None:
        return longest  # axes' clean-up of old attempts: keep the longest
    username = str(request.POST.get("username") or "")[:150]
    earlier = AuditEvent.objects.filter(
        action="core.lockout", at__gte=timezone.now() - timedelta(days=1),
        after__username=username, after__ip=client_ip(request) or "").count()
    # The lockout being decided is recorded just before axes asks for its length.
    return min(longest, timedelta(minutes=2 ** max(0, min(earlier - 1, 10))))


def _locked_out(sender, request, username, ip_address, **kwargs):
    # A refused try while the pair is still locked is a sign-in failure, not a new
    # lockout: only a new lockout makes the next cool-off longer.
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures > settings.AXES_FAILURE_LIMIT:
        return
    label, object_id = _who(username)
    audit.record(label, "core.lockout", ("core.user", object_id),
                 after={"username": str(username or "")[:150], "ip": ip_address or ""})


def connect():
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="thidua.core.signin.locked_out")


def end_all_sessions(user) -> int:
    """Delete every live session of `user` (all browsers, all devices) and revoke their
    API tokens (core.tokens.revoke_all); how many sessions."""
    tokens.revoke_all(user, "sign_out_everywhere")
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    audit.record(user, "core.sign_out_everywhere", ("core.user", user.pk),
                 after={"sessions": ended})
    return ended
