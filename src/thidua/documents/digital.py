"""Digitally signed PDFs (issue 15): a signer's PKCS#12 certificate, uploaded once and kept
sealed (core.secretbox: the key lives in the server's environment, never in the
database); issued PDFs signed PAdES (pyHanko) with the agency's seal image where Decree
30/2020 (Appendix I, electronic documents) puts it — at the signature, covering about a
third of the signer's signature on its left; and the check anyone can run on a downloaded
PDF: signature valid, document unchanged since, who signed, when.
"""

import base64
import datetime
import io
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from thidua.core import audit, secretbox
from thidua.core.errors import DomainError, Forbidden, NotFound
from thidua.core.text import nfc
from thidua.documents import placement, rules, tokens
from thidua.documents.models import DocumentJob, SigningCertificate
from thidua.org.models import Province, Unit
from thidua.org.rules import Actor

MAX_PKCS12 = 64 * 1024
MAX_SEAL = 1024 * 1024
MAX_PDF = 20 * 1024 * 1024
SIGNATURE_FIELD = "ChuKySo"


@dataclass(frozen=True)
class Verdict:
    """What the verification page says of a PDF."""

    signed: bool
    valid: bool = False  # the signature's cryptography holds
    intact: bool = False  # nothing changed after signing (the whole file is covered)
    trusted: bool = False  # the certificate chains to a CA this server knows
    signer: str = ""
    signed_at: datetime.datetime | None = None
    problems: tuple = ()


def _subject(certificate) -> str:
    from cryptography.x509.oid import NameOID

    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return names[0].value if names else certificate.subject.rfc4514_string()


def _read_pkcs12(data: bytes, passphrase: str):
    from cryptography.hazmat.primitives.serialization import pkcs12

    if not data:
        raise DomainError("Chưa chọn tệp chứng thư số (.p12 hoặc .pfx).")
    if len(data) > MAX_PKCS12:
        raise DomainError("Tệp chứng thư số lớn quá 64 KB: không phải tệp .p12 của một "
                          "người ký.")
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(
            data, passphrase.encode() if passphrase else None)
    except ValueError:
        raise DomainError("Không mở được tệp chứng thư số: sai mật khẩu hoặc tệp không phải "
                          "PKCS#12 (.p12, .pfx).") from None
    if key is None or certificate is None:
        raise DomainError("Tệp chứng thư số không có khóa bí mật và chứng thư của người ký.")
    return key, certificate, chain or []


def _check_seal(seal: bytes | None) -> bytes:
    if not seal:
        return b""
    if len(seal) > MAX_SEAL or not seal.startswith(b"\x89PNG\r\n\x1a\n"):
        raise DomainError("Hình con dấu phải là tệp PNG (nền trong suốt), không quá 1 MB.")
    return seal


def find_province(actor: Actor, code: str) -> Province:
    province = Province.objects.filter(code=nfc(code or "").strip().upper()).first()
    if province is None or not rules.can_manage_province_certificates(actor, province.id):
        raise NotFound("Không tìm thấy tỉnh.")
    return province


def find_unit(actor: Actor, unit_id: int) -> Unit:
    """A unit whose certificates the actor manages; 404 otherwise."""
    unit = Unit.objects.select_related("province").filter(pk=unit_id).first()
    if unit is None or not rules.can_manage_unit_certificates(actor, unit):
        raise NotFound("Không tìm thấy đơn vị.")
    return unit


def _check_holder(actor: Actor, province, unit) -> None:
    if unit is not None:
        if unit.province_id != province.id or not rules.can_manage_unit_certificates(
                actor, unit):
            raise Forbidden("Chỉ cán bộ của đơn vị nạp chứng thư số ký văn bản của đơn vị.")
    elif not rules.can_manage_province_certificates(actor, province.id):
        raise Forbidden("Chỉ Thường trực thi đua tỉnh nạp chứng thư số ký văn bản của tỉnh.")


def _check_valid_today(certificate) -> None:
    now = timezone.now()
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise DomainError(f"Chứng thư số hết hiệu lực hoặc chưa có hiệu lực (hiệu lực từ "
                          f"{certificate.not_valid_before_utc:%d/%m/%Y} đến "
                          f"{certificate.not_valid_after_utc:%d/%m/%Y}).")


def _record(actor: Actor, row: SigningCertificate) -> None:
    audit.record(actor, "documents.signing_certificate", row, province_id=row.province_id,
                 after={"subject": row.subject, "serial": row.serial,
                        "not_after": row.not_after.isoformat(), "seal": bool(row.seal_png),
                        "unit": row.unit_id, "token": row.token_label or None})


@transaction.atomic
def upload_certificate(actor: Actor, province, *, pkcs12_data: bytes, passphrase: str,
                       seal_png: bytes | None = None, unit: Unit | None = None
                       ) -> SigningCertificate:
    """Check the PKCS#12 file (it opens with the passphrase, holds a key and a certificate
    valid today), then keep it sealed with its passphrase; the chain's certificates
    (public) are kept in clear to verify the PDFs signed with it. With `unit`, the unit's
    own certificate: it signs the unit's papers as the unit."""
    from cryptography.hazmat.primitives.serialization import Encoding

    _check_holder(actor, province, unit)
    passphrase = passphrase or ""
    _, certificate, chain = _read_pkcs12(pkcs12_data, passphrase)
    seal_png = _check_seal(seal_png)
    _check_valid_today(certificate)
    row = SigningCertificate.objects.create(
        province=province, unit=unit, uploaded_by=actor.user, subject=_subject(certificate),
        serial=format(certificate.serial_number, "x"),
        not_after=certificate.not_valid_after_utc,
        sealed_pkcs12=secretbox.seal(base64.b64encode(pkcs12_data).decode()),
        sealed_passphrase=secretbox.seal(passphrase),
        chain_pem="".join(c.public_bytes(Encoding.PEM).decode() for c in chain),
        seal_png=seal_png)
    _record(actor, row)
    return row


@transaction.atomic
def configure_token(actor: Actor, province, *, module: str, token_label: str, key_label: str,
                    pin_variable: str, seal_png: bytes | None = None) -> SigningCertificate:
    """The province's PKCS#11 token (documents.tokens): opened once with the PIN from the
    environment to read the signer's certificate (valid today) and the CA certificates the
    token carries (to verify what it signs); only the labels and the PIN's variable name
    are kept."""
    from cryptography import x509

    _check_holder(actor, province, None)
    module, token_label, key_label, pin_variable = tokens.clean(
        module, token_label, key_label, pin_variable)
    seal_png = _check_seal(seal_png)
    with tokens.signer(module, token_label, key_label, pin_variable) as found:
        certificate = x509.load_der_x509_certificate(found.signing_cert.dump())
        chain_pem = "".join(_pem(c.dump()) for c in found.cert_registry
                            if c.dump() != found.signing_cert.dump())
    _check_valid_today(certificate)
    row = SigningCertificate.objects.create(
        province=province, uploaded_by=actor.user, subject=_subject(certificate),
        serial=format(certificate.serial_number, "x"),
        not_after=certificate.not_valid_after_utc, sealed_pkcs12="", sealed_passphrase="",
        chain_pem=chain_pem, seal_png=seal_png, token_module=module,
        token_label=token_label, key_label=key_label, pin_variable=pin_variable)
    _record(actor, row)
    return row


def _pem(der: bytes) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.load_der_x509_certificate(der).public_bytes(Encoding.PEM).decode()


@contextmanager
def _signing(row: SigningCertificate):
    """The pyHanko signer of a stored certificate: its sealed PKCS#12, or its token."""
    if row.on_token:
        with tokens.signer(row.token_module, row.token_label, row.key_label,
                           row.pin_variable) as found:
            yield found
    else:
        yield _signer(row)


def _signer(row: SigningCertificate):
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign import signers

    stored, passphrase = secretbox.unseal(row.sealed_pkcs12), secretbox.unseal(
        row.sealed_passphrase)
    if stored is None or passphrase is None:
        raise DomainError("Không đọc được chứng thư số đã lưu (khóa của máy chủ đã đổi): "
                          "nạp lại tệp chứng thư số.")
    chain = [asn1_x509.Certificate.load(c) for c in _pem_certificates(row.chain_pem)]
    return signers.SimpleSigner.load_pkcs12_data(
        base64.b64decode(stored), chain, passphrase.encode() if passphrase else None)


def _pem_certificates(pem: str) -> list[bytes]:
    from cryptography import x509

    return [x509.load_pem_x509_certificate(block.encode()).public_bytes(_der())
            for block in _pem_blocks(pem)]


def _der():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def _pem_blocks(pem: str) -> list[str]:
    end = "-----END CERTIFICATE-----"
    return [part + end + "\n" for part in pem.split(end) if "BEGIN CERTIFICATE" in part]


def _stamp(row: SigningCertificate, box: tuple):
    """The visible signature (Decree 30/2020, Appendix I, electronic documents): the seal
    image at its real size on the left (placement.SEAL_DIAMETER), over the left third of
    the signature area, where the signer and the time are written — drawn as one image
    in Liberation Serif, which has the Vietnamese letters the PDF's standard fonts lack."""
    from pyhanko import stamp
    from pyhanko.pdf_utils import images, layout

    image = placement.appearance(
        (box[2] - box[0], box[3] - box[1]), bytes(row.seal_png) or None,
        [f"Ký số bởi: {row.subject}",
         f"Thời gian: {timezone.localtime():%d/%m/%Y %H:%M}"])
    return stamp.StaticStampStyle(
        background=images.PdfImage(image), background_opacity=1, border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(0, 0, 0, 0),
            inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT))


def sign_pdf(row: SigningCertificate, pdf: bytes, docx: bytes | None = None) -> bytes:
    """`pdf` signed PAdES (B-B) with the stored certificate, the visible signature and
    seal at the signer's block of the paper issued as `docx` (documents.placement)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.fields import SigSeedSubFilter

    page, box = placement.locate(pdf, docx)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    on_page = page if page >= 0 else int(writer.root["/Pages"]["/Count"]) + page
    out = io.BytesIO()
    with _signing(row) as signer:
        signers.PdfSigner(
            signers.PdfSignatureMetadata(field_name=SIGNATURE_FIELD,
                                         subfilter=SigSeedSubFilter.PADES, name=row.subject),
            signer=signer, stamp_style=_stamp(row, box),
            new_field_spec=fields.SigFieldSpec(SIGNATURE_FIELD, on_page=on_page, box=box),
        ).sign_pdf(writer, output=out)
    return out.getvalue()


def trust_roots() -> list:
    """Every CA certificate of the chains uploaded on this server (public data)."""
    from asn1crypto import x509 as asn1_x509

    roots, seen = [], set()
    for pem in SigningCertificate.objects.values_list("chain_pem", flat=True):
        for der in _pem_certificates(pem):
            if der not in seen:
                seen.add(der)
                roots.append(asn1_x509.Certificate.load(der))
    return roots


def verify_pdf(data: bytes) -> Verdict:
    """The check of the public verification page. A file that is not a PDF, or whose
    bytes were changed so that it no longer parses, is "not valid" with the reason."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    if not data:
        raise DomainError("Chưa chọn tệp PDF.")
    if len(data) > MAX_PDF:
        raise DomainError("Tệp PDF lớn quá 20 MB.")
    if not data.startswith(b"%PDF"):
        raise DomainError("Tệp không phải PDF.")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # noqa: BLE001 - a damaged file is an answer, not a crash
        return Verdict(signed=False, problems=("Tệp PDF bị hỏng hoặc đã bị sửa: không đọc "
                                               "được cấu trúc và chữ ký.",))
    if not signatures:
        return Verdict(signed=False, problems=("Tệp PDF không có chữ ký số.",))
    signature = signatures[-1]
    try:
        status = validate_pdf_signature(
            signature, ValidationContext(trust_roots=trust_roots(), allow_fetching=False))
    except Exception:  # noqa: BLE001
        return Verdict(signed=True, problems=("Không kiểm tra được chữ ký: dữ liệu chữ ký "
                                              "bị hỏng hoặc đã bị sửa.",))
    intact = bool(status.intact and status.coverage is not None
                  and status.coverage.name == "ENTIRE_FILE")
    problems = []
    if not status.intact:
        problems.append("Nội dung văn bản đã bị thay đổi sau khi ký.")
    elif not intact:
        problems.append("Có nội dung được thêm vào sau chữ ký.")
    if not status.valid:
        problems.append("Chữ ký không hợp lệ về mật mã.")
    if not status.trusted:
        problems.append("Chứng thư số không thuộc tổ chức cấp chứng thư mà hệ thống tin cậy.")
    signer = status.signing_cert.subject.native.get("common_name", "") \
        if status.signing_cert is not None else ""
    return Verdict(signed=True, valid=bool(status.valid), intact=intact,
                   trusted=bool(status.trusted), signer=signer,
                   signed_at=status.signer_reported_dt, problems=tuple(problems))


def certificates_of(province, unit: Unit | None = None) -> list[SigningCertificate]:
    """The province's own certificates and tokens, or a unit's."""
    return list(SigningCertificate.objects.filter(province=province, unit=unit).defer(
        "sealed_pkcs12", "sealed_passphrase"))


def issuing_unit_id(document) -> int | None:
    """The unit that issued a paper (its numbering key "unit:<id>"), None for a bloc's or
    the province's."""
    kind, _, number = document.issuer.partition(":")
    return int(number) if kind == "unit" and number.isdigit() else None


def certificates_for_job(actor: Actor, job: DocumentJob) -> list[SigningCertificate]:
    """The certificates the actor may sign this PDF with: a unit's paper with the unit's
    own certificates (signed as the unit), any other issued paper with its province's;
    none for a draft or a signed PDF."""
    if (job.status != DocumentJob.Status.DONE or job.document_id is None
            or job.signed_with_id is not None):
        return []
    rows = SigningCertificate.objects.filter(
        province_id=job.document.province_id, unit_id=issuing_unit_id(job.document),
        not_after__gt=timezone.now()).defer("sealed_pkcs12", "sealed_passphrase")
    return [row for row in rows if rules.can_sign_with(actor, row)]


@transaction.atomic
def sign_job(actor: Actor, job_id, certificate_id: int | None) -> DocumentJob:
    """Sign the PDF of an issued document (the actor's own finished job) with one of its
    province's certificates; the signed file replaces the unsigned one. The job is looked
    up first, so a caller outside it gets 404 whatever the form says."""
    job = (DocumentJob.objects.select_for_update(of=("self",)).select_related("document")
           .filter(pk=job_id, requested_by=actor.user).first())
    if job is None or job.status != DocumentJob.Status.DONE:
        raise NotFound("Văn bản PDF chưa sẵn sàng.")
    if job.document_id is None:
        raise DomainError("Chỉ ký số văn bản đã ban hành (đã có số, ngày); bản dự thảo "
                          "không ký.")
    if job.signed_with_id is not None:
        raise DomainError("Tệp PDF này đã được ký số.")
    if certificate_id is None:
        raise DomainError("Chọn chứng thư số để ký.")
    certificate = next((c for c in certificates_for_job(actor, job)
                        if c.id == certificate_id), None)
    if certificate is None:
        raise NotFound("Không tìm thấy chứng thư số còn hiệu lực của cơ quan ban hành văn "
                       "bản.")
    certificate = SigningCertificate.objects.get(pk=certificate.pk)
    job.pdf = sign_pdf(certificate, bytes(job.pdf), bytes(job.document.docx))
    job.signed_with = certificate
    job.save(update_fields=["pdf", "signed_with"])
    audit.record(actor, "documents.sign_pdf", job.document, province_id=job.document.province_id,
                 after={"certificate": certificate.serial, "subject": certificate.subject,
                        "reference": job.document.reference})
    return job
