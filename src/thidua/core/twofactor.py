"""Two-factor sign-in (TOTP, RFC 6238) and one-time backup codes.

Who must use it is a rule over roles (`org.twofactor.required_for`): system
administrators (and Django staff), the province secretariat and bloc leader officers;
anyone who has enrolled is asked for a code too.

The gate (`org.twofactor.TwoFactorMiddleware`) lets a signed-in session through only
when `session[VERIFIED_KEY] == user.pk`, which `mark_verified` sets after a good code (or
after enrolment). Tests: `django.test.Client.force_login` stands for a full sign-in with
both factors — tests/conftest.py wraps it to call `mark_verified` on the test session
(the documented test mechanism; settings never switch the gate off). Tests of the gate
itself sign in through the form or drop the flag with `forget_verification`.
"""

import base64
import hashlib
import hmac
import io
import secrets
import time

import pyotp
import segno
from axes.utils import reset as reset_lockout
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from thidua.core import audit, secretbox, signin
from thidua.core.models import BackupCode, TwoFactor
from thidua.core.ratelimit import client_ip

VERIFIED_KEY = "thidua_2fa_verified"
PENDING_KEY = "thidua_2fa_pending_secret"
ISSUER = "thidua"
BACKUP_CODES = 10
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
_ITERATIONS = 60_000


def is_enrolled(user) -> bool:
    return TwoFactor.objects.filter(user=user).exists()


def is_verified(request) -> bool:
    return request.session.get(VERIFIED_KEY) == request.user.pk


def mark_verified(session, user):
    session[VERIFIED_KEY] = user.pk


def forget_verification(session):
    session.pop(VERIFIED_KEY, None)


# --- enrolment --------------------------------------------------------------------------

def pending_secret(session) -> str:
    """The secret being enrolled, kept in the session until a code confirms it (sealed
    like the stored one: sessions live in the database too)."""
    secret = secretbox.unseal(session.get(PENDING_KEY) or "")
    if not secret:
        secret = pyotp.random_base32()
        session[PENDING_KEY] = secretbox.seal(secret)
    return secret


def provisioning_uri(user, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The otpauth URI as an SVG QR code in a data: URI (the CSP allows img data:)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=2,
                                    title="Mã QR xác thực hai bước")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _step_matching(secret: str, code: str, after_step: int = 0) -> int | None:
    """The time step (±1 for clock drift) whose code is `code`, if later than after_step."""
    code = "".join(code.split())
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(time.time()) // totp.interval
    for step in (now_step - 1, now_step, now_step + 1):
        if step > after_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _hash_code(code: str, salt: str) -> str:
    normal = "".join(code.split()).upper().replace("-", "")
    return hashlib.pbkdf2_hmac("sha256", normal.encode(), salt.encode(), _ITERATIONS).hex()


def _new_backup_codes(user) -> list[str]:
    BackupCode.objects.filter(user=user).delete()
    codes = []
    for _ in range(BACKUP_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        code = f"{raw[:5]}-{raw[5:]}"
        salt = secrets.token_hex(8)
        BackupCode.objects.create(user=user, salt=salt, code_hash=_hash_code(code, salt))
        codes.append(code)
    return codes


@transaction.atomic
def enrol(user, secret: str, code: str) -> list[str] | None:
    """Confirm enrolment with a code from the app: the backup codes (plain, shown once),
    or None when the code does not match."""
    step = _step_matching(secret, code)
    if step is None:
        audit.record(user, "core.2fa.enrol_failed", ("core.user", user.pk))
        return None
    TwoFactor.objects.update_or_create(
        user=user, defaults={"secret": secretbox.seal(secret),
                             "confirmed_at": timezone.now(), "last_step": step})
    codes = _new_backup_codes(user)
    audit.record(user, "core.2fa.enrol", ("core.user", user.pk),
                 after={"backup_codes": len(codes)})
    return codes


@transaction.atomic
def verify(user, code: str) -> str | None:
    """Check a TOTP or backup code: "totp", "backup" or None. Each is accepted once."""
    device = TwoFactor.objects.select_for_update().filter(user=user).first()
    if device is None:
        return None
    secret = secretbox.unseal(device.secret)
    step = (None if secret is None
            else _step_matching(secret, code, after_step=device.last_step))
    if step is not None:
        device.last_step = step
        device.save(update_fields=["last_step"])
        audit.record(user, "core.2fa.verify", ("core.user", user.pk), after={"by": "totp"})
        return "totp"
    for backup in BackupCode.objects.select_for_update().filter(user=user,
                                                                used_at__isnull=True):
        if hmac.compare_digest(backup.code_hash, _hash_code(code, backup.salt)):
            backup.used_at = timezone.now()
            backup.save(update_fields=["used_at"])
            left = BackupCode.objects.filter(user=user, used_at__isnull=True).count()
            audit.record(user, "core.2fa.verify", ("core.user", user.pk),
                         after={"by": "backup_code", "backup_codes_left": left})
            return "backup"
    audit.record(user, "core.2fa.verify_failed", ("core.user", user.pk))
    return None


def backup_codes_left(user) -> int:
    return BackupCode.objects.filter(user=user, used_at__isnull=True).count()


@transaction.atomic
def reset(who, user, *, province_id=None) -> bool:
    """Remove a user's second factor and backup codes (a lost phone): they enrol again at
    their next sign-in, and every session of theirs ends. Audited; False when they had
    none (nothing changed). Called by the user pages (org.users) and `thidua twofactor`."""
    removed, _ = TwoFactor.objects.filter(user=user).delete()
    codes, _ = BackupCode.objects.filter(user=user).delete()
    if not removed and not codes:
        return False
    audit.record(who, "core.2fa.reset", ("core.user", user.pk), province_id=province_id,
                 after={"had_two_factor": bool(removed)})
    signin.end_all_sessions(user)
    return True


def code_before_password(request, username, code):
    """A two-factor code given on the sign-in form: the user it is good for (its lockout
    from this address lifted, so the password is judged), or None. A stranger can lock an
    (account, address) pair with wrong passwords; they cannot give the owner's code."""
    code = str(code or "").strip()
    username = str(username or "")[:150]
    if not code or not username:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not is_enrolled(user) or not verify(user, code):
        return None
    reset_lockout(ip=client_ip(request), username=username)
    return user
