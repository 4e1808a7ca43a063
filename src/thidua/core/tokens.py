"""Personal API tokens: made here, checked here, revoked here (web page and API share it).

The plain token is returned once, at creation; only its SHA-256 is stored, so a copy of
the database cannot be used to call the API. The random part has 256 bits, so an
unsalted hash is enough (nothing to guess by dictionary) and lets us look it up by index.
"""

import hashlib
import secrets

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from thidua.core import audit
from thidua.core.errors import DomainError, NotFound
from thidua.core.models import ApiToken, User
from thidua.core.text import tidy

PREFIX = "thd_"
# Enough of the token to recognise it in a list, far too little to guess the rest.
SHOWN_CHARS = 8
MAX_ACTIVE_PER_USER = 20
# Writing last_used_at on every API call would turn each read into a write; once a minute
# is as precise as anyone needs to tell a live token from a forgotten one.
USE_RESOLUTION_SECONDS = 60


def bearer_token(request) -> str | None:
    """The token of an `Authorization: Bearer …` header ("" when the scheme is there and
    the token is not), None for any other scheme or none. The one reading of the header:
    the two-factor gate lets a request past only when this is not None, and the API then
    judges it by this token alone, so no other header can ride on a half-signed session."""
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _hash(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def _snapshot(token: ApiToken) -> dict:
    return {"name": token.name, "prefix": token.prefix, "user": token.user_id,
            "revoked_at": token.revoked_at}


@transaction.atomic
def create_token(user, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; the plain value is in the result and nowhere else."""
    name = tidy(name)
    problems = []
    if not name:
        problems.append("Chưa nhập tên gợi nhớ cho mã truy cập.")
    elif len(name) > ApiToken._meta.get_field("name").max_length:
        problems.append("Tên gợi nhớ dài quá 100 ký tự.")
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_PER_USER:
        problems.append(f"Mỗi người dùng có tối đa {MAX_ACTIVE_PER_USER} mã truy cập đang "
                        "hiệu lực; hãy thu hồi mã không dùng nữa.")
    if problems:
        raise DomainError(*problems)
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=plain[:SHOWN_CHARS],
                                    key_hash=_hash(plain))
    audit.record(user, "core.api_token.create", token, after=_snapshot(token))
    return token, plain


@transaction.atomic
def revoke_token(user, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (someone else's is not found)."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound("Không tìm thấy mã truy cập.")
    if token.revoked_at is not None:
        return token
    before = _snapshot(token)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(user, "core.api_token.revoke", token, before=before, after=_snapshot(token))
    return token


def revoke_all(user, reason: str) -> int:
    """Revoke every active token of `user` — on "sign out everywhere" and whenever the
    password changes, since a token is a credential like a session: a leaked one must not
    outlive the owner's own remedy. How many; audited when any was live."""
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    if revoked:
        audit.record(user, "core.api_token.revoke_all", ("core.user", user.pk),
                     after={"tokens": revoked, "reason": reason})
    return revoked


def _password_saved(sender, instance, created, **kwargs):
    """set_password() leaves the new raw password in `_password` until the user is saved:
    whoever changed it (the password page, the admin, `changepassword`), the user's API
    tokens end with the old password."""
    if not created and instance._password is not None:
        revoke_all(instance, "password_change")


def connect():
    post_save.connect(_password_saved, sender=User,
                      dispatch_uid="thidua.core.tokens.password_saved")


def user_for_token(plain: str):
    """The active user a presented token belongs to, or None (unknown, revoked, inactive)."""
    if not plain or not plain.startswith(PREFIX) or len(plain) > 200:
        return None
    token = (ApiToken.objects.select_related("user")
             .filter(key_hash=_hash(plain), revoked_at__isnull=True).first())
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if (token.last_used_at is None
            or (now - token.last_used_at).total_seconds() >= USE_RESOLUTION_SECONDS):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def active_tokens(user):
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")
