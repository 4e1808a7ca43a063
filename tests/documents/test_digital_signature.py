"""Issue 15, digitally signed PDFs: a PKCS#12 certificate from a test CA generated here is
uploaded (kept sealed), a PDF is signed PAdES with pyHanko and verified — valid,
unchanged, who signed, when — and one changed byte fails; the public page says the same."""

import datetime
import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.urls import reverse
from pypdf import PdfWriter

from thidua.core.audit import AuditEvent
from thidua.core.errors import DomainError, Forbidden, NotFound
from thidua.documents import digital, pdf, placement, services
from thidua.documents.models import DocumentJob, SigningCertificate

from .test_pages import submitted_registration

ON = datetime.date(2026, 3, 5)
PASSPHRASE = "mat-khau-ky-so"
SIGNER = "Nguyễn Văn An"


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])


def _certificate(subject, issuer, key, signing_key, *, ca, days=365):
    now = datetime.datetime.now(datetime.UTC)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1))
               .not_valid_after(now + datetime.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False,
            crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
    return builder.sign(signing_key, hashes.SHA256())


@pytest.fixture(scope="module")
def test_ca():
    """A CA made for the test and a signer's PKCS#12 file it issued."""
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = _certificate("CA thử nghiệm thidua", "CA thử nghiệm thidua", ca_key, ca_key, ca=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = _certificate(SIGNER, "CA thử nghiệm thidua", key, ca_key, ca=False)
    p12 = pkcs12.serialize_key_and_certificates(
        b"signer", key, leaf, [ca],
        serialization.BestAvailableEncryption(PASSPHRASE.encode()))
    return p12


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)  # A4 in points
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def seal_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (120, 120), (220, 0, 0, 180)).save(out, format="PNG")
    return out.getvalue()


def test_sign_and_verify_then_one_changed_byte_fails(world, test_ca):
    certificate = digital.upload_certificate(
        world.actor("secretariat"), world.province, pkcs12_data=test_ca,
        passphrase=PASSPHRASE, seal_png=seal_png())
    stored = SigningCertificate.objects.get()
    assert (stored.subject, stored.province) == (SIGNER, world.province)
    assert test_ca not in stored.sealed_pkcs12.encode() and PASSPHRASE not in \
        stored.sealed_passphrase  # sealed at rest
    event = AuditEvent.objects.get(action="documents.signing_certificate")
    assert (event.after["subject"], event.after["seal"]) == (SIGNER, True)
    signed = digital.sign_pdf(certificate, blank_pdf())
    verdict = digital.verify_pdf(signed)
    assert (verdict.signed, verdict.valid, verdict.intact, verdict.trusted, verdict.signer,
            verdict.problems) == (True, True, True, True, SIGNER, ())
    assert verdict.signed_at is not None
    assert abs(verdict.signed_at - datetime.datetime.now(datetime.UTC)) < \
        datetime.timedelta(minutes=5)
    # One byte of the signed content changed: the document is no longer the one signed.
    position = signed.index(b"/MediaBox")
    tampered = signed[:position + 1] + b"N" + signed[position + 2:]
    verdict = digital.verify_pdf(tampered)
    assert not (verdict.valid and verdict.intact)
    assert verdict.problems[0] in ("Nội dung văn bản đã bị thay đổi sau khi ký.",
                                   "Tệp PDF bị hỏng hoặc đã bị sửa: không đọc được cấu trúc "
                                   "và chữ ký.")


def test_unsigned_and_untrusted(world, test_ca):
    assert digital.verify_pdf(blank_pdf()).problems == ("Tệp PDF không có chữ ký số.",)
    with pytest.raises(DomainError) as caught:
        digital.verify_pdf(b"not a pdf")
    assert caught.value.messages == ["Tệp không phải PDF."]


def test_bad_certificate_upload_is_refused_and_nothing_is_kept(world, test_ca):
    secretariat = world.actor("secretariat")
    with pytest.raises(DomainError) as caught:
        digital.upload_certificate(secretariat, world.province, pkcs12_data=test_ca,
                                   passphrase="sai mật khẩu")
    assert caught.value.messages == ["Không mở được tệp chứng thư số: sai mật khẩu hoặc tệp "
                                     "không phải PKCS#12 (.p12, .pfx)."]
    with pytest.raises(DomainError) as caught:
        digital.upload_certificate(secretariat, world.province, pkcs12_data=test_ca,
                                   passphrase=PASSPHRASE, seal_png=b"GIF89a")
    assert caught.value.messages == ["Hình con dấu phải là tệp PNG (nền trong suốt), không "
                                     "quá 1 MB."]
    with pytest.raises(Forbidden):
        digital.upload_certificate(world.actor("officer"), world.province,
                                   pkcs12_data=test_ca, passphrase=PASSPHRASE)
    assert not SigningCertificate.objects.exists()


def test_public_verification_page(world, test_ca, client):
    certificate = digital.upload_certificate(
        world.actor("secretariat"), world.province, pkcs12_data=test_ca,
        passphrase=PASSPHRASE)
    signed = digital.sign_pdf(certificate, blank_pdf())
    url = reverse("verify_pdf")
    assert client.get(url).status_code == 200  # anyone, signed in or not
    page = client.post(url, {"tep": io.BytesIO(signed)}).content.decode()
    assert "Chữ ký số hợp lệ" in page and SIGNER in page
    assert "Văn bản không bị thay đổi sau khi ký" in page
    position = signed.index(b"/MediaBox")
    tampered = signed[:position + 1] + b"N" + signed[position + 2:]
    page = client.post(url, {"tep": io.BytesIO(tampered)}).content.decode()
    assert "Chữ ký số hợp lệ" not in page
    bad = client.post(url, {"tep": io.BytesIO(b"hello")})
    assert bad.status_code == 400 and "Tệp không phải PDF." in bad.content.decode()


def test_an_issued_pdf_is_signed_from_its_job_page_and_verifies(
        world, test_ca, needs_libreoffice, client_for):
    secretariat = world.actor("secretariat")
    certificate = digital.upload_certificate(secretariat, world.province, pkcs12_data=test_ca,
                                             passphrase=PASSPHRASE, seal_png=seal_png())
    pk = world.bloc_years["KT"].pk
    document = services.issue(secretariat, "giao-uoc", pk,
                              signed_on=datetime.date.today())
    job = services.request_pdf(secretariat, "giao-uoc", pk, document)
    draft_job = services.request_pdf(secretariat, "giao-uoc", pk)
    client = client_for(world.users["secretariat"])
    page = client.get(reverse("document_job", args=[job.id])).content.decode()
    assert reverse("document_job_sign", args=[job.id]) in page
    draft_page = client.get(reverse("document_job", args=[draft_job.id])).content.decode()
    assert reverse("document_job_sign", args=[draft_job.id]) not in draft_page  # no draft
    with pytest.raises(DomainError):
        digital.sign_job(secretariat, draft_job.id, certificate.id)
    response = client.post(reverse("document_job_sign", args=[job.id]),
                           {"chung_thu": str(certificate.id)})
    assert response.status_code == 302
    signed = bytes(DocumentJob.objects.get(pk=job.id).pdf)
    verdict = digital.verify_pdf(signed)
    assert (verdict.valid, verdict.intact, verdict.trusted, verdict.signer) == (
        True, True, True, SIGNER)
    assert AuditEvent.objects.filter(action="documents.sign_pdf").get().after["reference"] \
        == document.reference
    again = client.post(reverse("document_job_sign", args=[job.id]),
                        {"chung_thu": str(certificate.id)})
    assert again.status_code == 400 and "Tệp PDF này đã được ký số." in again.content.decode()


def _stamp_rect(signed: bytes) -> tuple[int, tuple[float, ...]]:
    """(page index, rectangle) of the visible signature's widget in a signed PDF."""
    from pypdf import PdfReader

    for index, page in enumerate(PdfReader(io.BytesIO(signed)).pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/FT") == "/Sig" or annotation.get("/Parent", {}).get("/FT") \
                    == "/Sig":
                return index, tuple(float(v) for v in annotation["/Rect"])
    raise AssertionError("no signature widget")


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _signed_at_block(world, test_ca, document) -> tuple[int, tuple, placement.Block]:
    certificate = digital.upload_certificate(
        world.actor("secretariat"), world.province, pkcs12_data=test_ca,
        passphrase=PASSPHRASE, seal_png=seal_png())
    docx = bytes(document.docx)
    pdf_file = pdf.docx_to_pdf(docx)
    title, name = placement.signer_lines(docx)
    block = placement.find_block(pdf_file, title, name)
    assert block is not None
    signed = digital.sign_pdf(certificate, pdf_file, docx)
    verdict = digital.verify_pdf(signed)
    assert (verdict.valid, verdict.intact, verdict.trusted) == (True, True, True)
    page, rect = _stamp_rect(signed)
    return page, rect, block


def test_seal_on_a_one_page_paper_overlaps_the_signer_block(world, test_ca,
                                                            needs_libreoffice):
    """Decree 30/2020 Appendix I: the visible signature and seal sit at the signer's
    block — measured in the PDF, not a fixed box."""
    officer = world.actor("officer")
    document = services.issue(officer, "dang-ky", submitted_registration(world).pk, on=ON)
    page, rect, block = _signed_at_block(world, test_ca, document)
    assert (page, block.page) == (0, 0)
    assert placement.signer_lines(bytes(document.docx))[0] == "THỦ TRƯỞNG ĐƠN VỊ"
    assert _overlap(rect, block.text_box())
    # The signature lies between the title and the name, the seal to its left.
    left, low, right, high = rect
    assert right > block.name.x1 - 1 or right > (block.name.x0 + block.name.x1) / 2
    assert low <= block.height - block.name.top and high >= block.height - block.title.bottom


def test_seal_on_a_two_page_paper_is_on_the_signature_page(world, test_ca,
                                                           needs_libreoffice):
    leader = world.actor("leader")
    bloc_year = world.bloc_years["KT"]
    document = services.issue(leader, "giao-uoc", bloc_year.pk, on=ON)
    page, rect, block = _signed_at_block(world, test_ca, document)
    assert (page, block.page) == (1, 1)  # the signatures spill onto page 2
    assert _overlap(rect, block.text_box())
    assert rect != placement.FALLBACK_BOX


def test_a_pdf_without_a_signer_block_is_signed_in_the_fallback_box(world, test_ca):
    assert placement.locate(blank_pdf(), None) == (-1, placement.FALLBACK_BOX)


def test_a_units_own_certificate_signs_its_papers_as_the_unit(world, test_ca,
                                                              needs_libreoffice):
    """Issue 15: a unit's officer uploads the unit's PKCS#12 (sealed as the province's);
    the unit's issued paper is offered only the unit's certificate and is signed with it;
    nobody else uploads or signs for the unit; every step audited."""
    officer, unit = world.actor("officer"), world.units["KT1"]
    for outsider in ("peer", "secretariat"):  # another unit; the province holds no unit key
        with pytest.raises(Forbidden):
            digital.upload_certificate(world.actor(outsider), world.province, unit=unit,
                                       pkcs12_data=test_ca, passphrase=PASSPHRASE)
    assert not SigningCertificate.objects.exists()
    own = digital.upload_certificate(officer, world.province, unit=unit, pkcs12_data=test_ca,
                                     passphrase=PASSPHRASE, seal_png=seal_png())
    assert (own.unit, own.province) == (unit, world.province)
    assert test_ca not in own.sealed_pkcs12.encode()
    assert AuditEvent.objects.get(action="documents.signing_certificate").after["unit"] == \
        unit.id
    provincial = digital.upload_certificate(world.actor("secretariat"), world.province,
                                            pkcs12_data=test_ca, passphrase=PASSPHRASE)
    assert [c.id for c in digital.certificates_of(world.province, unit)] == [own.id]
    assert [c.id for c in digital.certificates_of(world.province)] == [provincial.id]
    document = services.issue(officer, "dang-ky", submitted_registration(world).pk, on=ON)
    assert digital.issuing_unit_id(document) == unit.id
    job = services.request_pdf(officer, "dang-ky", document.subject_id, document)
    job = DocumentJob.objects.get(pk=job.id)
    assert [c.id for c in digital.certificates_for_job(officer, job)] == [own.id]
    with pytest.raises(NotFound):  # the province's certificate does not sign a unit's paper
        digital.sign_job(officer, job.id, provincial.id)
    digital.sign_job(officer, job.id, own.id)
    job.refresh_from_db()
    assert job.signed_with_id == own.id
    verdict = digital.verify_pdf(bytes(job.pdf))
    assert (verdict.valid, verdict.intact, verdict.trusted, verdict.signer) == (
        True, True, True, SIGNER)
    signed = AuditEvent.objects.get(action="documents.sign_pdf")
    assert signed.after["reference"] == document.reference


def test_unit_certificate_page(world, test_ca, client_for):
    unit = world.units["KT1"]
    url = reverse("unit_signing_certificates", args=[unit.pk])
    assert client_for(world.users["peer"]).get(url).status_code == 404
    assert client_for(world.users["secretariat"]).get(url).status_code == 404
    client = client_for(world.users["officer"])
    page = client.get(url)
    assert page.status_code == 200 and "Token ký số" not in page.content.decode()
    bad = client.post(url, {"chung_thu": io.BytesIO(test_ca), "mat_khau": "sai"})
    assert bad.status_code == 400 and "sai mật khẩu" in bad.content.decode()
    response = client.post(url, {"chung_thu": io.BytesIO(test_ca), "mat_khau": PASSPHRASE})
    assert response.status_code == 302
    assert SigningCertificate.objects.get().unit == unit
    assert SIGNER in client.get(url).content.decode()


def test_seal_on_a_decision_goes_on_the_signature_page_not_the_attached_list(
        world, test_ca, needs_libreoffice):
    """The decision's attached list follows its signature on a page of its own: the
    visible signature goes where the signer's block is, not on the last page."""
    from .test_province_dossier import decided_year

    _, decision = decided_year(world)
    docx = bytes(services.draft(world.actor("secretariat"), "quyet-dinh", decision.pk).content)
    assert placement.signer_lines(docx) == ("PHÓ CHỦ TỊCH", "Nguyễn Văn An")
    pdf_file = pdf.docx_to_pdf(docx)
    pages = placement.pdf_lines(pdf_file)
    block = placement.find_block(pdf_file, "PHÓ CHỦ TỊCH", "Nguyễn Văn An")
    assert block is not None and block.page < len(pages) - 1
    assert any("DANH SÁCH" in line.text for line in pages[-1][1])
    certificate = digital.upload_certificate(world.actor("secretariat"), world.province,
                                             pkcs12_data=test_ca, passphrase=PASSPHRASE,
                                             seal_png=seal_png())
    page, rect = _stamp_rect(digital.sign_pdf(certificate, pdf_file, docx))
    assert page == block.page and _overlap(rect, block.text_box())
