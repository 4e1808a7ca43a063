"""Issue 15, signing through a PKCS#11 token: a SoftHSM2 token made in a temporary folder
(SOFTHSM2_CONF) holds a test CA's signer key and certificates; the province configures it
(module among those the server allows, token and key labels, the PIN's environment
variable — the PIN itself is never stored), an issued PDF is signed through it and
verifies, and one changed byte fails. Under CI=true a missing SoftHSM2 fails the test
instead of skipping it (scripts/system-deps test installs it)."""

import datetime
import os
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from thidua.core.audit import AuditEvent
from thidua.core.errors import DomainError, Forbidden
from thidua.documents import digital, tokens
from thidua.documents.models import SigningCertificate

from .test_digital_signature import _certificate, blank_pdf, seal_png

CI = os.environ.get("CI") == "true"
MODULES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
           "/usr/local/lib/softhsm/libsofthsm2.so")
TOKEN, KEY, PIN, SO_PIN = "thidua-thu", "nguoi-ky", "246810", "13579111"
PIN_VARIABLE = "THIDUA_PKCS11_PIN_BN"
SIGNER = "Trần Thị Bình"


def _module() -> str:
    found = next((path for path in MODULES if os.path.exists(path)), None)
    if found is None or shutil.which("softhsm2-util") is None:
        message = "SoftHSM2 chưa được cài: sh scripts/system-deps test (softhsm2)"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


def _put_certificates(module: str, certificates) -> None:
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    token = pkcs11.lib(module).get_token(token_label=TOKEN)
    with token.open(rw=True, user_pin=PIN) as session:
        for label, ident, certificate in certificates:
            session.create_object({
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True, Attribute.LABEL: label, Attribute.ID: ident,
                Attribute.SUBJECT: certificate.subject.public_bytes(),
                Attribute.VALUE: certificate.public_bytes(serialization.Encoding.DER)})


@pytest.fixture(scope="module")
def softhsm(tmp_path_factory):
    """A SoftHSM2 token in a temporary folder with the signer's key (imported), its
    certificate and the CA's; the module's path. One per test module: the PKCS#11 library
    reads SOFTHSM2_CONF once per process."""
    module = _module()
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n"
                    "log.level = ERROR\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--pin", PIN,
                    "--so-pin", SO_PIN], check=True, capture_output=True)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = _certificate("CA token thử nghiệm", "CA token thử nghiệm", ca_key, ca_key, ca=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = _certificate(SIGNER, "CA token thử nghiệm", key, ca_key, ca=False)
    key_file = folder / "key.pem"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    subprocess.run(["softhsm2-util", "--import", str(key_file), "--token", TOKEN, "--label",
                    KEY, "--id", "01", "--pin", PIN], check=True, capture_output=True)
    key_file.unlink()
    _put_certificates(module, [(KEY, b"\x01", leaf), ("CA", b"\x02", ca)])
    yield module
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture
def token_env(softhsm, settings, monkeypatch):
    settings.PKCS11_MODULES = (softhsm,)
    monkeypatch.setenv(PIN_VARIABLE, PIN)
    return softhsm


def _configure(world, module, **changes):
    values = {"module": module, "token_label": TOKEN, "key_label": KEY,
              "pin_variable": PIN_VARIABLE} | changes
    return digital.configure_token(world.actor("secretariat"), world.province, **values)


def test_token_configured_signs_and_verifies_then_one_changed_byte_fails(world, token_env):
    row = _configure(world, token_env, seal_png=seal_png())
    stored = SigningCertificate.objects.get()
    assert (stored.subject, stored.on_token, stored.token_label, stored.key_label,
            stored.pin_variable, stored.unit) == (SIGNER, True, TOKEN, KEY, PIN_VARIABLE, None)
    assert (stored.sealed_pkcs12, stored.sealed_passphrase) == ("", "")
    assert "BEGIN CERTIFICATE" in stored.chain_pem  # the CA read from the token
    assert all(PIN not in str(getattr(stored, field.attname))
               for field in SigningCertificate._meta.concrete_fields)  # never stored
    event = AuditEvent.objects.get(action="documents.signing_certificate")
    assert (event.after["subject"], event.after["token"], event.after["seal"]) == (
        SIGNER, TOKEN, True)
    signed = digital.sign_pdf(row, blank_pdf())
    verdict = digital.verify_pdf(signed)
    assert (verdict.signed, verdict.valid, verdict.intact, verdict.trusted, verdict.signer,
            verdict.problems) == (True, True, True, True, SIGNER, ())
    assert abs(verdict.signed_at - datetime.datetime.now(datetime.UTC)) < \
        datetime.timedelta(minutes=5)
    position = signed.index(b"/MediaBox")
    tampered = signed[:position + 1] + b"N" + signed[position + 2:]
    verdict = digital.verify_pdf(tampered)
    assert not (verdict.valid and verdict.intact)


def test_bad_token_settings_are_refused_and_nothing_is_kept(world, token_env, monkeypatch):
    with pytest.raises(DomainError) as caught:
        _configure(world, "/tmp/khong-duoc-phep.so")
    assert caught.value.messages == [
        f"Thư viện PKCS#11 phải là một trong các thư viện máy chủ cho phép: {token_env}."]
    with pytest.raises(DomainError) as caught:
        _configure(world, token_env, pin_variable="THIDUA_SECRET_KEY")
    assert caught.value.messages[0].startswith(
        f"Tên biến môi trường chứa PIN phải bắt đầu bằng {tokens.PIN_PREFIX}")
    with pytest.raises(DomainError) as caught:
        _configure(world, token_env, token_label="")
    assert caught.value.messages == ["Nhập nhãn token (tối đa 100 ký tự)."]
    with pytest.raises(DomainError) as caught:
        _configure(world, token_env, token_label="khong-co-token")
    assert caught.value.messages[0].startswith('Không mở được token "khong-co-token"')
    with pytest.raises(DomainError) as caught:
        _configure(world, token_env, key_label="khong-co-khoa")
    assert caught.value.messages[0].startswith(
        f'Không tìm thấy khóa và chứng thư "khong-co-khoa" trên token "{TOKEN}"')
    monkeypatch.delenv(PIN_VARIABLE)
    with pytest.raises(DomainError) as caught:
        _configure(world, token_env)
    assert caught.value.messages == [f"Máy chủ chưa đặt biến môi trường {PIN_VARIABLE} chứa "
                                     "PIN của token."]
    with pytest.raises(Forbidden):
        digital.configure_token(world.actor("officer"), world.province, module=token_env,
                                token_label=TOKEN, key_label=KEY, pin_variable=PIN_VARIABLE)
    assert not SigningCertificate.objects.exists()
    assert not AuditEvent.objects.filter(action="documents.signing_certificate").exists()


def test_no_module_allowed_by_the_server(world, settings):
    settings.PKCS11_MODULES = ()
    with pytest.raises(DomainError) as caught:
        _configure(world, "/usr/lib/softhsm/libsofthsm2.so")
    assert caught.value.messages == ["Máy chủ chưa cho phép thư viện PKCS#11 nào (người quản "
                                     "trị đặt THIDUA_PKCS11_MODULES)."]


def test_token_form_on_the_province_page(world, token_env, client_for):
    from django.urls import reverse

    url = reverse("signing_certificates", args=[world.province.code])
    client = client_for(world.users["secretariat"])
    page = client.get(url).content.decode()
    assert "Token ký số (PKCS#11)" in page and f'<option value="{token_env}">' in page
    form = {"nguon": "token", "thu_vien": token_env, "nhan_token": TOKEN, "nhan_khoa": KEY}
    bad = client.post(url, form | {"bien_pin": "PIN"})
    assert bad.status_code == 400
    assert f"Tên biến môi trường chứa PIN phải bắt đầu bằng {tokens.PIN_PREFIX}" in \
        bad.content.decode()
    assert not SigningCertificate.objects.exists()
    assert client.post(url, form | {"bien_pin": PIN_VARIABLE}).status_code == 302
    assert SigningCertificate.objects.get().on_token
    assert f"Token “{TOKEN}”, khóa “{KEY}”" in client.get(url).content.decode()
