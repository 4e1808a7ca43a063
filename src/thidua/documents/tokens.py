"""Signing through a PKCS#11 token (issue 15): a province keeps its signing key on a
hardware token (USB token, HSM) instead of uploading a PKCS#12 file. The province's signer
chooses the module among those the server's administrator allows
(settings.PKCS11_MODULES: a path typed on a page is never loaded into the server), the
token's label and the key's label, and names the environment variable that holds the PIN
(THIDUA_PKCS11_PIN_…); the PIN is never stored. The certificate is read from the token
when it is configured (who signs, valid until) and again at each signature.
"""

import os
import re
from contextlib import contextmanager

from django.conf import settings

from thidua.core.errors import DomainError
from thidua.core.text import nfc

PIN_PREFIX = "THIDUA_PKCS11_PIN_"
PIN_VARIABLE = re.compile(rf"{PIN_PREFIX}[A-Z0-9_]{{1,60}}")
LABEL = re.compile(r"[^\x00-\x1f]{1,100}")


def clean(module: str, token_label: str, key_label: str, pin_variable: str) -> tuple:
    """The four settings, checked; a clear Vietnamese error for each bad one."""
    module = (module or "").strip()
    token_label, key_label = nfc(token_label or "").strip(), nfc(key_label or "").strip()
    pin_variable = (pin_variable or "").strip().upper()
    if not settings.PKCS11_MODULES:
        raise DomainError("Máy chủ chưa cho phép thư viện PKCS#11 nào (người quản trị đặt "
                          "THIDUA_PKCS11_MODULES).")
    if module not in settings.PKCS11_MODULES:
        raise DomainError("Thư viện PKCS#11 phải là một trong các thư viện máy chủ cho "
                          "phép: " + ", ".join(settings.PKCS11_MODULES) + ".")
    if not LABEL.fullmatch(token_label):
        raise DomainError("Nhập nhãn token (tối đa 100 ký tự).")
    if not LABEL.fullmatch(key_label):
        raise DomainError("Nhập nhãn khóa ký trên token (tối đa 100 ký tự).")
    if not PIN_VARIABLE.fullmatch(pin_variable):
        raise DomainError(f"Tên biến môi trường chứa PIN phải bắt đầu bằng {PIN_PREFIX} "
                          "(chữ in hoa, chữ số, dấu gạch dưới), ví dụ "
                          f"{PIN_PREFIX}BN.")
    return module, token_label, key_label, pin_variable


def _pin(pin_variable: str) -> str:
    pin = os.environ.get(pin_variable, "")
    if not pin:
        raise DomainError(f"Máy chủ chưa đặt biến môi trường {pin_variable} chứa PIN của "
                          "token.")
    return pin


@contextmanager
def session(module: str, token_label: str, pin_variable: str):
    """An open, logged-in session on the token; closed afterwards."""
    import pkcs11
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11 as hanko_pkcs11

    try:
        opened = hanko_pkcs11.open_pkcs11_session(
            module, token_criteria=TokenCriteria(label=token_label),
            user_pin=_pin(pin_variable))
    except DomainError:
        raise
    except (pkcs11.PKCS11Error, OSError, RuntimeError, ValueError) as exc:
        raise DomainError(f"Không mở được token \"{token_label}\": {type(exc).__name__}. "
                          "Kiểm tra token đã cắm, nhãn token và PIN.") from None
    try:
        yield opened
    finally:
        opened.close()


@contextmanager
def signer(module: str, token_label: str, key_label: str, pin_variable: str):
    """A pyHanko signer on the token's key (and its certificate of the same label)."""
    import pkcs11
    from pyhanko.sign import pkcs11 as hanko_pkcs11

    with session(module, token_label, pin_variable) as opened:
        try:
            # Every certificate on the token is pulled: the CA's travel in the signature.
            found = hanko_pkcs11.PKCS11Signer(opened, cert_label=key_label,
                                              key_label=key_label, other_certs_to_pull=None)
            found.signing_cert  # noqa: B018 - reads the certificate now, or fails clearly
        except (pkcs11.PKCS11Error, KeyError, ValueError, StopIteration) as exc:
            raise DomainError(f"Không tìm thấy khóa và chứng thư \"{key_label}\" trên token "
                              f"\"{token_label}\" ({type(exc).__name__}).") from None
        yield found
