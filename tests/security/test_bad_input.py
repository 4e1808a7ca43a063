"""Bad input never reaches a 500 (issue 13, breaks 7 and 9): JSON bodies have a depth and
a size limit checked before they are parsed (a clear Vietnamese 400/413, also on the public
card-ballot endpoint), every id in a path is range-checked (404), and a JSON boolean is
never taken for an id."""

import json
import re

import pytest
from django.test import Client
from django.urls import get_resolver

from thidua.core import ratelimit
from thidua.core.models import AuditEvent
from thidua.voting import services as voting_services
from thidua.voting.models import Ballot

from . import matrix
from .test_matrix import (  # noqa: F401 - objects is a fixture
    BODIES,
    UPLOADS,
    call,
    fingerprint,
    objects,
    operations,
    walk,
)

TOO_DEEP = ("Nội dung JSON lồng nhau quá sâu (quá 32 tầng). Hãy gửi dữ liệu phẳng hơn.")
HUGE_IDS = [2**31, 2**53, 2**63 - 1, 2**63, 10**20, 10**400]


def deep(n, inner="1"):
    return "[" * n + inner + "]" * n


def card_ballot(body, content_type="application/json", ip="10.3.3.3"):
    return Client(REMOTE_ADDR=ip).post("/api/v1/polls/1/card-ballots", body,
                                       content_type=content_type)


# --- depth and size, before parsing ----------------------------------------------------

@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_a_deeply_nested_body_is_refused_before_parsing(world, depth):
    before = fingerprint()
    for body in (deep(depth), '{"token": "abcdefgh", "choices": ' + deep(depth) + "}",
                 '{"a":' * depth + "1" + "}" * depth):
        response = card_ballot(body)
        assert response.status_code == 400
        assert response.json() == {"detail": TOO_DEEP,
                                   "errors": [{"field": None, "message": TOO_DEEP}]}
    assert fingerprint() == before


def test_depth_is_counted_outside_strings_only(world):
    """Brackets inside a string are text: a token of "[[[[…" is not nesting."""
    body = json.dumps({"token": "[" * 90, "choices": []})
    response = card_ballot(body)
    assert response.status_code == 404  # judged as a card (unknown), not as deep JSON
    assert response.json()["detail"] == (
        "Thẻ biểu quyết không hợp lệ hoặc không dùng cho cuộc bỏ phiếu này.")
    escaped = json.dumps({"token": '\\"' + "[" * 90, "choices": []})
    assert card_ballot(escaped).status_code == 404


def test_a_body_at_the_depth_limit_is_read(world):
    body = '{"token": "abcdefgh", "choices": ' + deep(31, "") + "}"
    response = card_ballot(body)
    assert response.status_code == 422  # parsed: a list of lists is not a list of ids
    assert response.json()["errors"][0]["field"] == "choices.0"


def test_a_deep_body_is_refused_on_signed_in_calls_and_web_forms_too(world):
    client = Client()
    client.force_login(world.users["secretariat"])
    before = fingerprint()
    response = client.post("/api/v1/tokens", '{"name": ' + deep(5000) + "}",
                           content_type="application/json")
    assert (response.status_code, response.json()["detail"]) == (400, TOO_DEEP)
    # A web URL posted JSON (no view of ours reads it) is refused the same way, not 500.
    response = client.post("/tinh/BN/", deep(5000), content_type="application/json")
    assert response.status_code == 400
    assert TOO_DEEP in response.content.decode()
    assert fingerprint() == before


def test_a_json_body_over_the_json_limit_is_refused_with_413(world, settings):
    settings.THIDUA_JSON_MAX_BYTES = 1000
    body = json.dumps({"token": "abcdefgh", "choices": [1] * 400})
    response = card_ballot(body)
    assert response.status_code == 413
    assert response.json()["detail"] == (
        "Nội dung JSON gửi lên quá lớn (quá 1000 byte). Hãy gửi ít dữ liệu hơn.")
    small = json.dumps({"token": "abcdefgh", "choices": [1]})
    assert card_ballot(small).status_code == 404


def test_the_default_json_limit_is_one_megabyte(world):
    body = json.dumps({"token": "abcdefgh", "choices": [1] * 600_000})
    assert len(body) > 1024 * 1024
    response = card_ballot(body)
    assert response.status_code == 413
    assert response.json()["detail"] == (
        "Nội dung JSON gửi lên quá lớn (quá 1048576 byte). Hãy gửi ít dữ liệu hơn.")


def test_json_sent_under_another_content_type_meets_the_same_limits(world):
    for content_type in ("text/plain", "application/vnd.api+json", "application/json; x=1"):
        response = card_ballot(deep(5000), content_type=content_type)
        assert response.status_code == 400, content_type
        assert response.json()["detail"] == TOO_DEEP


# --- ids in paths ------------------------------------------------------------------------

PLACEHOLDERS = {"str": "BN", "slug": "dang-ky", "path": "x"}


def web_urls_with_ids():
    for name, route in walk(get_resolver().url_patterns):
        if name in matrix.WEB and "<int:" in route or "<id:" in route:
            yield name, route


def fill(route, value):
    def one(match):
        converter = match.group(1)
        return str(value) if converter in {"int", "id"} else PLACEHOLDERS[converter]
    return "/" + re.sub(r"<(\w+):\w+>", one, route)


# Pages that answer without reading the id: the card ballot's page only holds the script
# that posts the card's token (kept out of URLs); its POST looks the poll up.
NO_LOOKUP = {"voting_ballot"}


def test_every_web_id_in_a_path_is_range_checked(world):
    admin = Client()
    admin.force_login(world.users["admin"])
    anonymous = Client()
    urls = list(web_urls_with_ids())
    assert len(urls) > 60
    wrong = {}
    before = fingerprint()
    for name, route in urls:
        method = matrix.WEB[name][0]
        for value in HUGE_IDS:
            url = fill(route, value)
            for who, client in (("admin", admin), ("anonymous", anonymous)):
                response = getattr(client, method.lower())(url)
                allowed = {404} if who == "admin" else {404, 302}
                if name in NO_LOOKUP and method == "GET":
                    allowed = {200}
                if response.status_code not in allowed:
                    wrong[(name, who, len(str(value)))] = response.status_code
    assert wrong == {}
    assert fingerprint() == before


def test_a_huge_poll_id_on_the_card_ballot_page_is_not_found(world):
    for value in HUGE_IDS:
        response = Client().get(f"/bo-phieu/{value}/")
        assert response.status_code in {404, 302}, (value, response.status_code)
        response = Client().post(f"/bo-phieu/{value}/phieu/", {"the": "ABCDEFGHJKLMNPQR"})
        assert response.status_code == 404, (value, response.status_code)


API_PLACEHOLDERS = {"kind": "dang-ky", "receipt_code": "ABCD-EFGH", "action": "close",
                    "year": "2026", "code": "BN"}


def test_every_api_id_in_a_path_is_range_checked(world, objects, monkeypatch):  # noqa: F811
    """With each operation's valid body (the matrix's), so only the path is wrong."""
    monkeypatch.setitem(ratelimit.LIMITS, "api", (10**6, 10**7))
    monkeypatch.setitem(ratelimit.LIMITS, "receipt", (10**6, 10**7))
    admin = Client()
    admin.force_login(world.users["admin"])
    wrong = {}
    for name, (method, path) in sorted(operations().items()):
        if not re.search(r"{\w+_id}", path):
            continue
        for value in HUGE_IDS:
            url = re.sub(r"{(\w+_id)}", str(value), path)
            url = re.sub(r"{(\w+)}", lambda m: API_PLACEHOLDERS.get(m.group(1), "x"), url)
            if method == "GET":
                response = admin.get(url, {"year": objects["year"]})
            else:
                response = call(admin, method, url, BODIES.get(name, lambda o: {})(objects),
                                upload=name in UPLOADS)
            if response.status_code != 404 or not response.json()["detail"]:
                wrong[(name, len(str(value)))] = response.status_code
    assert wrong == {}


# --- booleans are not ids ---------------------------------------------------------------

@pytest.mark.parametrize("value", [True, False])
def test_a_json_boolean_is_not_a_candidate_id(world, open_poll, value):
    poll, cards = open_poll, voting_services.issue_cards(world.actor("leader"), open_poll)
    before = (Ballot.objects.count(), AuditEvent.objects.count())
    response = Client().post(f"/api/v1/polls/{poll.pk}/card-ballots",
                             json.dumps({"token": cards[0].token, "choices": [value]}),
                             content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "choices.0", "message": "Phải là số nguyên (true/false không phải mã)."}]
    assert (Ballot.objects.count(), AuditEvent.objects.count()) == before
    # The card is still unused: the same card casts a real ballot afterwards.
    candidate = poll.candidates.order_by("pk").first()
    response = Client().post(f"/api/v1/polls/{poll.pk}/card-ballots",
                             json.dumps({"token": cards[0].token, "choices": [candidate.pk]}),
                             content_type="application/json")
    assert response.status_code == 201


def test_a_json_boolean_is_not_an_id_anywhere_in_a_body(world, open_poll):
    poll = open_poll
    client = Client()
    client.force_login(world.users["leader"])
    response = client.post(f"/api/v1/polls/{poll.pk}/paper-ballots/issue",
                           json.dumps({"unit_ids": [True]}), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "unit_ids.0", "message": "Phải là số nguyên (true/false không phải mã)."}]


# --- booleans are not numbers either ------------------------------------------------------

@pytest.mark.parametrize("field", ["unreturned", "member_count", "year"])
def test_a_json_boolean_is_not_a_number_in_any_plain_int_field(world, open_poll, field):
    """Issue 13 item 9: pydantic reads JSON true as 1 in a plain int field too (a count of
    unreturned paper ballots, a unit's member count, a year): refused, nothing written."""
    poll = open_poll
    who, method, path = {
        "unreturned": ("leader", "post", f"/api/v1/polls/{poll.pk}/paper-ballots/reconcile"),
        "member_count": ("officer", "patch",
                         f"/api/v1/units/{world.units['KT1'].pk}/facts/{world.year.year}"),
        "year": ("admin", "post", f"/api/v1/provinces/{world.province.pk}/years"),
    }[field]
    client = Client()
    client.force_login(world.users[who])
    before = AuditEvent.objects.count()
    for value in (True, False):
        response = getattr(client, method)(path, json.dumps({field: value}),
                                           content_type="application/json")
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {"field": field, "message": "Phải là số nguyên (true/false không phải số)."}]
    assert AuditEvent.objects.count() == before
