"""Injection (issue 7): SQL metacharacters, HTML/JS and decomposed (NFD) Vietnamese in
every free-text field the API and the forms reach are stored as text — exactly the value
sent, in NFC — and every page that shows them shows them escaped: the raw `<script>` or
`<img onerror>` never reaches the HTML, its escaped form does.

One world (the permission matrix's `objects`: KT in progress with a registration, a
target and its check-in, KT's conference with an open poll, VX in self-assessment with
VX1's draft sheet); each field is written by the role allowed to write it, read back from
the database and looked for on its page(s).
"""

import json
import unicodedata

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from thidua.core.models import ApiToken
from thidua.org.models import Bloc, Unit
from thidua.pledges.models import CheckIn, Evidence
from thidua.scoring.models import Score
from thidua.voting.models import Attendance, Conference, Poll

from .test_matrix import PDF, body_text, objects  # noqa: F401

NFD = unicodedata.normalize("NFD", "Sở Công Thương — Đảng ủy khối")
PAYLOADS = [
    "'; DROP TABLE x;--",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    NFD,
]
IDS = ["sql", "script", "img", "nfd"]


def nfc(text):
    return unicodedata.normalize("NFC", text)


def as_user(world, who):
    client = Client()
    client.force_login(world.users[who])
    return client


def api(client, method, path, body):
    return getattr(client, method)("/api/v1" + path, json.dumps(body),
                                   content_type="application/json")


def assert_shown_escaped(client, url, value):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = body_text(response)
    if "<" in value or '"' in value:
        assert value not in html, url  # the raw markup never reaches the page
    assert escape(value) in html, url


# Each field is written by its writer and answers (the stored value read back, the value
# expected, who reads it, the pages that show it).
def write_unit_name(world, o, value):
    response = api(as_user(world, "secretariat"), "put", f"/units/{o['unit']}/name",
                   {"name": value})
    assert response.status_code == 200, response.content
    return Unit.objects.get(pk=o["unit"]).name, nfc(value), "secretariat", [
        reverse("unit", kwargs={"pk": o["unit"]}),
        reverse("bloc_year", kwargs={"pk": o["bloc_year"]}),
        reverse("province_setup", kwargs={"code": "BN"})]


def write_bloc_name(world, o, value):
    response = api(as_user(world, "secretariat"), "put", f"/blocs/{o['bloc']}/name",
                   {"name": value, "short_name": None})
    assert response.status_code == 200, response.content
    return Bloc.objects.get(pk=o["bloc"]).name, nfc(value), "secretariat", [
        reverse("province_setup", kwargs={"code": "BN"})]


def write_check_in_note(world, o, value):
    response = api(as_user(world, "officer"), "post", f"/targets/{o['target']}/check-ins",
                   {"reported_on": "2026-06-30", "actual_value": "91", "note": value})
    assert response.status_code == 201, response.content
    return CheckIn.objects.get(pk=response.json()["id"]).note, nfc(value), "officer", [
        reverse("unit", kwargs={"pk": o["unit"]})]


def write_evidence_name(world, o, value):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_user(world, "officer")
    response = client.post(f"/api/v1/check-ins/{o['check_in']}/evidence",
                           {"file": SimpleUploadedFile(value + ".pdf", PDF, "application/pdf")})
    assert response.status_code == 201, response.content
    # The multipart parser keeps the last path segment of a name (test_forgery.py has the
    # traversal cases); the rest is kept as sent.
    expected = nfc(value + ".pdf").rsplit("/", 1)[-1]
    return Evidence.objects.get(pk=response.json()["id"]).original_name, expected, \
        "officer", [reverse("unit", kwargs={"pk": o["unit"]})]


def write_conference_texts(world, o, value):
    response = api(as_user(world, "secretariat"), "post", f"/bloc-years/{o['vx']}/conference",
                   {"held_at": "2026-12-20T08:00:00+07:00", "place": value, "chair": value,
                    "secretary": value, "guests": value, "agenda": value})
    assert response.status_code == 201, response.content
    conference = Conference.objects.get(pk=response.json()["id"])
    stored = {conference.place, conference.chair, conference.secretary, conference.guests,
              conference.agenda}
    assert len(stored) == 1, stored
    return stored.pop(), nfc(value), "secretariat", [
        reverse("voting_conference", kwargs={"pk": o["vx"]})]


def write_absence_reason(world, o, value):
    response = api(as_user(world, "secretariat"), "put",
                   f"/conferences/{o['conference']}/attendance/{o['unit2']}",
                   {"present": False, "absence_reason": value})
    assert response.status_code == 200, response.content
    attendance = Attendance.objects.get(conference_id=o["conference"], unit_id=o["unit2"])
    return attendance.absence_reason, nfc(value), "secretariat", [
        reverse("voting_conference", kwargs={"pk": o["bloc_year"]})]


def write_poll_title(world, o, value):
    response = api(as_user(world, "secretariat"), "post",
                   f"/conferences/{o['conference']}/polls",
                   {"kind": "award_proposal", "award_form": "provincial_flag", "title": value})
    assert response.status_code == 201, response.content
    poll = Poll.objects.get(pk=response.json()["id"])
    return poll.title, nfc(value), "secretariat", [reverse("voting_poll", kwargs={"pk": poll.pk}),
                                       reverse("voting_conference",
                                               kwargs={"pk": o["bloc_year"]})]


def write_token_name(world, o, value):
    response = api(as_user(world, "officer"), "post", "/tokens", {"name": value})
    assert response.status_code == 201, response.content
    return ApiToken.objects.get(pk=response.json()["id"]).name, nfc(value), "officer", [
        reverse("api_tokens")]


def write_score_note(world, o, value):
    response = api(as_user(world, "outsider"), "put", f"/sheets/{o['sheet']}/scores",
                   {"scores": [{"code": "II.3", "count": 2, "note": value}]})
    assert response.status_code == 200, response.content
    score = Score.objects.get(sheet_id=o["sheet"], criterion__code="II.3")
    return score.note, nfc(value), "outsider", [reverse("scoring_sheet", kwargs={"pk": o["sheet"]})]


# The same fields through the web forms.
def web(client, url, data):
    response = client.post(url, data)  # 302 on, or 200 showing a new token once
    assert response.status_code in {200, 302}, (url, response.status_code)


def write_unit_name_form(world, o, value):
    web(as_user(world, "secretariat"), reverse("setup_unit_rename",
                                               kwargs={"code": "BN", "pk": o["unit"]}),
        {"name": value})
    return Unit.objects.get(pk=o["unit"]).name, nfc(value), "secretariat", [
        reverse("unit", kwargs={"pk": o["unit"]})]


def write_check_in_note_form(world, o, value):
    web(as_user(world, "officer"), reverse("check_in", kwargs={"pk": o["target"]}),
        {"reported_on": "2026-06-30", "actual_value": "91", "note": value})
    return CheckIn.objects.latest("pk").note, nfc(value), "officer", [
        reverse("unit", kwargs={"pk": o["unit"]})]


def write_token_name_form(world, o, value):
    web(as_user(world, "officer"), reverse("api_tokens"), {"name": value})
    return ApiToken.objects.latest("pk").name, nfc(value), "officer", [reverse("api_tokens")]


FIELDS = [write_unit_name_form, write_check_in_note_form, write_token_name_form,
          write_unit_name, write_bloc_name, write_check_in_note, write_evidence_name,
          write_conference_texts, write_absence_reason, write_poll_title, write_token_name,
          write_score_note]


@pytest.mark.parametrize("value", PAYLOADS, ids=IDS)
@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.__name__.removeprefix("write_"))
def test_text_is_stored_as_sent_and_shown_escaped(world, objects, field, value):  # noqa: F811
    stored, expected, reader, pages = field(world, objects, value)
    assert stored == expected
    client = as_user(world, reader)
    for url in pages:
        assert_shown_escaped(client, url, expected)
