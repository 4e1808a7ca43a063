"""Forgery and hostile input (issue 7): CSRF missing or wrong on every POST form and every
session-authenticated API write → 403 and nothing written; path traversal, NUL bytes and
very long names in uploaded file names → stored under media with a sanitised name; ZIP
bombs, cell bombs and XML bombs in Excel uploads → a clear Vietnamese refusal, quickly,
nothing written; oversized requests → 400/413 with a Vietnamese message, never a 500.

Other provinces' ids in every URL and API parameter are the permission matrix's business
(tests/security/test_matrix.py: "bn" lines, a refused write changes no row).
"""

import io
import json
import re
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from thidua.pledges.models import Evidence
from thidua.scoring.models import CriteriaTable, Score

from . import matrix
from .test_matrix import BODIES, PDF, fingerprint, objects, operations  # noqa: F401

REFUSED = {403, 404, "login", 401, 405}


def allowed_role(expected):
    """A role the line lets through (so CSRF, not permission, is what refuses it)."""
    for role in ("secretariat", "officer", "nobody", "other_secretariat", "anonymous"):
        if expected[role] not in REFUSED:
            return role
    return None


def csrf_client(world, role):
    client = Client(enforce_csrf_checks=True)
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def web_posts():
    return sorted(name for name, line in matrix.WEB.items() if line[0] == "POST")


def api_writes():
    return sorted(name for name, line in matrix.API.items() if line[0] != "GET")


def url_of(kind, name, objects):  # noqa: F811
    _, params, _, _ = (matrix.WEB if kind == "web" else matrix.API)[name]
    kwargs = {param: objects[key] for param, key in params.items()}
    if kind == "web":
        return reverse(name, kwargs=kwargs)
    _, path = operations()[name]
    return re.sub(r"{(\w+)}", lambda m: str(kwargs[m.group(1)]), path)


def test_every_post_form_refuses_a_missing_or_wrong_csrf_token(world, objects):  # noqa: F811
    """Every POST URL of the matrix, as a role it lets through, without a token and with a
    token that is not the cookie's: 403, no row changed."""
    checked = []
    for name in web_posts():
        expected = matrix.WEB[name][2]
        role = allowed_role(expected)
        if role is None:
            continue
        url = url_of("web", name, objects)
        client = csrf_client(world, role)
        before = fingerprint()
        assert client.post(url, {"x": "1"}).status_code == 403, (name, "missing")
        client.cookies["csrftoken"] = "A" * 32
        response = client.post(url, {"csrfmiddlewaretoken": "B" * 32, "x": "1"})
        assert response.status_code == 403, (name, "wrong")
        assert fingerprint() == before, name
        checked.append(name)
    assert len(checked) >= 40, checked


def test_every_api_write_by_session_refuses_a_missing_or_wrong_csrf_token(world, objects):  # noqa: F811
    """A browser session writing to the API needs X-CSRFToken; a token needs none."""
    checked = []
    for name in api_writes():
        expected = matrix.API[name][2]
        role = allowed_role(expected)
        if role is None or "public" in matrix.API[name][3]:
            continue  # a public write (the card ballot: its token is the credential)
        url = url_of("api", name, objects)
        method = matrix.API[name][0].lower()
        body = json.dumps(BODIES.get(name, lambda o: {})(objects))
        client = csrf_client(world, role)
        before = fingerprint()
        response = getattr(client, method)(url, body, content_type="application/json")
        assert response.status_code == 403, (name, "missing", response.status_code)
        client.cookies["csrftoken"] = "A" * 32
        response = getattr(client, method)(url, body, content_type="application/json",
                                           headers={"X-CSRFToken": "B" * 32})
        assert response.status_code == 403, (name, "wrong", response.status_code)
        assert fingerprint() == before, name
        checked.append(name)
    assert len(checked) >= 40, checked


# --- file names ---------------------------------------------------------------------------

HOSTILE_NAMES = ["../../etc/passwd.pdf", "/etc/passwd.pdf", "..\\..\\windows\\win.ini.pdf",
                 "bao\x00cao.pdf", "C:\\Windows\\system32\\x.pdf", "a" * 400 + ".pdf",
                 "....//....//x.pdf"]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_upload_names_cannot_leave_media(world, objects, settings, name):  # noqa: F811
    client = Client()
    client.force_login(world.users["officer"])
    response = client.post(f"/api/v1/check-ins/{objects['check_in']}/evidence",
                           {"file": SimpleUploadedFile(name, PDF, "application/pdf")})
    assert response.status_code in {201, 400}, response.content
    if response.status_code == 400:
        assert response.json()["detail"]
        return
    evidence = Evidence.objects.get(pk=response.json()["id"])
    media = Path(settings.MEDIA_ROOT).resolve()
    stored = Path(evidence.file.path).resolve()
    assert stored.is_relative_to(media) and stored.is_file()
    assert stored.read_bytes() == PDF
    assert ".." not in evidence.file.name and "\x00" not in evidence.file.name
    assert not {"/", "\\", "\x00"} & set(evidence.original_name)
    assert 0 < len(evidence.original_name) <= 255


# --- bombs in Excel uploads -----------------------------------------------------------

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    b'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    b'"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    b'"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument'
    b'.spreadsheetml.worksheet+xml"/></Types>')
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    b'.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    b'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
    b'"xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r='
    b'"http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
    b'name="Ti\xc3\xaau ch\xc3\xad" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    b'.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    b'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/'
    b'sheet1.xml"/></Relationships>')
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;")
                                                  * 10) for i in range(1, 10))
          + b"]>")


def worksheet(cells=b"", dimension=b"A1", prolog=b'<?xml version="1.0"?>'):
    return (prolog + b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
            b'main"><dimension ref="' + dimension + b'"/><sheetData>' + cells
            + b"</sheetData></worksheet>")


def xlsx(sheet, workbook=b'<?xml version="1.0" encoding="UTF-8"?>' + WORKBOOK, extra=()):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in extra:
            archive.writestr(name, data)
    return buffer.getvalue()


def lying_sizes(data, member="xl/worksheets/sheet1.xml", size=1000):
    """The archive with `member`'s uncompressed size rewritten (local and central headers)
    to `size`: what a bomb tells a reader that trusts the directory."""
    data = bytearray(data)
    name = member.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            if data[start + name_at:start + name_at + len(name)] == name:
                data[start + size_at:start + size_at + 4] = size.to_bytes(4, "little")
            start += 4
    return bytes(data)


BIG_CELLS = b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1' \
            b"</v></c></row>"
FILLER = b"<!--" + b" " * (120 * 1024 * 1024) + b"-->"
BOMBS = {
    # 120 MB of blanks declared as such: refused before unpacking.
    "zip_bomb": lambda: xlsx(worksheet(FILLER)),
    # The same, with the directory claiming 1000 bytes.
    "zip_bomb_lying_header": lambda: lying_sizes(xlsx(worksheet(FILLER))),
    # Two cells, A1 and XFD1048576: a 17-billion-cell grid for a reader that fills it.
    "cell_bomb": lambda: xlsx(worksheet(BIG_CELLS, b"A1:XFD1048576")),
    "dimension_bomb": lambda: xlsx(worksheet(b'<row r="1"><c r="A1"><v>1</v></c></row>',
                                             b"A1:XFD1048576")),
    # Billion laughs in the sheet and in the workbook.
    "billion_laughs_sheet": lambda: xlsx(worksheet(
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
        prolog=LAUGHS.replace(b"lolz", b"worksheet"))),
    "billion_laughs_workbook": lambda: xlsx(worksheet(), workbook=LAUGHS.replace(
        b"lolz", b"workbook") + WORKBOOK.replace(b'name="Ti', b'name="&lol9;Ti')),
}


def refusal_text(response):
    text = response.content.decode()
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_excel_bombs_are_refused_quickly_and_write_nothing(world, objects, bomb):  # noqa: F811
    content = BOMBS[bomb]()
    assert len(content) < 1024 * 1024  # small on the wire
    uploads = [("secretariat", reverse("scoring_table_excel_upload",
                                       kwargs={"pk": objects["bloc_year"]})),
               ("outsider", reverse("scoring_sheet_excel_upload",
                                    kwargs={"pk": objects["sheet"]}))]
    for who, url in uploads:
        client = Client()
        client.force_login(world.users[who])
        tables, scores = CriteriaTable.objects.count(), Score.objects.count()
        before = fingerprint()
        started = time.monotonic()
        response = client.post(url, {"file": SimpleUploadedFile(
            "bang-tieu-chi.xlsx", content,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})
        elapsed = time.monotonic() - started
        assert response.status_code == 400, (bomb, url, response.status_code)
        text = refusal_text(response)
        assert any(words in text for words in (
            "quá lớn", "không phải bảng tính Excel", "Không đọc được tệp")), (bomb, url)
        assert elapsed < 5, (bomb, url, elapsed)
        assert (CriteriaTable.objects.count(), Score.objects.count()) == (tables, scores)
        assert fingerprint() == before, (bomb, url)


# --- oversized requests -------------------------------------------------------------------

def test_a_form_body_above_the_limit_is_a_413_in_vietnamese(world, objects):  # noqa: F811
    client = Client()
    client.force_login(world.users["secretariat"])
    before = fingerprint()
    big = "x" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(reverse("setup_unit_add", kwargs={"code": "BN"}),
                           {"code": "KT9", "name": big})
    assert response.status_code == 413
    assert "Yêu cầu gửi lên quá lớn (quá 5 MB)" in response.content.decode()
    assert fingerprint() == before


def test_an_api_body_above_the_limit_is_a_413_in_vietnamese(world, objects):  # noqa: F811
    client = Client()
    client.force_login(world.users["secretariat"])
    before = fingerprint()
    big = json.dumps({"code": "KT9", "name": "x" * (
        django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = client.post(f"/api/v1/provinces/{objects['province']}/units", big,
                           content_type="application/json")
    assert response.status_code == 413, response.status_code
    # The JSON body limit (1 MB, issue 13) answers before Django's 5 MB upload limit.
    assert response.json()["detail"] == ("Nội dung JSON gửi lên quá lớn (quá 1048576 byte). "
                                         "Hãy gửi ít dữ liệu hơn.")
    assert fingerprint() == before


def test_an_evidence_file_above_the_limit_is_refused_in_vietnamese(world, objects, settings):  # noqa: F811
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    client = Client()
    client.force_login(world.users["officer"])
    before = Evidence.objects.count()
    content = PDF + b"%" + b"0" * (1024 * 1024)
    response = client.post(f"/api/v1/check-ins/{objects['check_in']}/evidence",
                           {"file": SimpleUploadedFile("lon.pdf", content, "application/pdf")})
    assert response.status_code in {400, 413}, response.status_code
    assert response.json()["detail"] == "Tệp “lon.pdf” vượt giới hạn 1 MB."
    assert Evidence.objects.count() == before
