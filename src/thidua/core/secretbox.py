"""Two-factor secrets encrypted at rest.

A TOTP secret is a password-equivalent the server must be able to read back (to compute
the expected code), so it cannot be hashed like a password or a backup code. It is stored
encrypted with an authenticated cipher (libsodium's SecretBox, XSalsa20-Poly1305, through
PyNaCl) under a key derived from `settings.TWO_FACTOR_SECRET` (THIDUA_TWO_FACTOR_SECRET,
else THIDUA_SECRET_KEY) by HMAC-SHA256 with a fixed label. The key lives in the server's
environment only: a database backup, dump or copy of its files alone gives no secret.

Stored form: "enc1:" + base64 of nonce ‖ ciphertext ‖ tag (a fresh random nonce each time).
"""

import base64
import binascii
import hashlib
import hmac

from django.conf import settings
from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

PREFIX = "enc1:"
_LABEL = b"thidua.core.twofactor.secret-at-rest.v1"


def _box() -> SecretBox:
    root = str(settings.TWO_FACTOR_SECRET).encode()
    return SecretBox(hmac.new(root, _LABEL, hashlib.sha256).digest())


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def seal(plain: str) -> str:
    return PREFIX + base64.b64encode(bytes(_box().encrypt(plain.encode()))).decode()


def unseal(stored: str) -> str | None:
    """The plain secret, or None when it cannot be read with this server's key (the key
    changed, or the row was altered): the user cannot give a code and must be reset."""
    if not is_sealed(stored):
        return None
    try:
        return _box().decrypt(base64.b64decode(stored[len(PREFIX):], validate=True)).decode()
    except (CryptoError, binascii.Error, ValueError):
        return None
