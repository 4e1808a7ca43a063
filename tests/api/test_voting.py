"""The conference API: a whole poll over HTTP (cards without an account, a logged-in
delegate, paper ballots, close, publish, receipts), refusals that write nothing, and the
permission matrix for every operation."""

import datetime

import pytest
from tests.factories import WHO, held_today

from thidua.law.award_forms import AwardForm
from thidua.voting import services
from thidua.voting.models import Conference, Participation, Poll, SealedBallot

from .conftest import Api

RUNS = {"admin", "secretariat", "leader"}
SEES = RUNS | {"officer", "peer", "delegate"}


def api_for(world, who):
    return Api(None if who == "anonymous" else world.users[who])


def test_a_whole_poll_over_http(world, present):
    leader = Api(world.users["leader"])
    created = leader.post(f"/conferences/{present.pk}/polls",
                          {"kind": "award_proposal", "award_form": "provincial_flag",
                           "unit_ids": [world.units["KT2"].id, world.units["KT3"].id]})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["quota"], body["state"], body["threshold"], body["base"]) == (
        1, "created", "hơn 1/2", "members")
    assert [c["unit"]["code"] for c in body["candidates"]] == ["KT2", "KT3"]
    poll_id = body["id"]
    kt2 = body["candidates"][0]["id"]
    assert leader.post(f"/polls/{poll_id}/open").json()["state"] == "open"
    cards = leader.post(f"/polls/{poll_id}/cards")
    assert cards.status_code == 201
    tokens = {c["unit"]["code"]: c["token"] for c in cards.json()}
    anonymous = Api()
    receipts = []
    for code in ["KT1", "KT2"]:
        cast = anonymous.post(f"/polls/{poll_id}/card-ballots",
                              {"token": tokens[code], "choices": [kt2]})
        assert cast.status_code == 201, cast.json()
        receipts.append(cast.json()["receipt_code"])
    again = anonymous.post(f"/polls/{poll_id}/card-ballots",
                           {"token": tokens["KT1"], "choices": [kt2]})
    assert (again.status_code, again.json()["detail"]) == (409, services.USED_CARD)
    delegate = Api(world.users["delegate"])
    voted = delegate.post(f"/polls/{poll_id}/ballots", {"choices": [kt2]})
    assert voted.status_code == 201
    receipts.append(voted.json()["receipt_code"])
    turnout = Api(world.users["officer"]).get(f"/polls/{poll_id}/turnout").json()
    assert (turnout["voted"], turnout["expected"]) == (3, 5)
    codes = leader.post(f"/polls/{poll_id}/paper-ballots/issue",
                        {"unit_ids": [world.units["KT4"].id]}).json()["codes"]
    entered = leader.post(f"/polls/{poll_id}/paper-ballots",
                          {"receipt_code": codes[0], "choices": [kt2, kt2 + 1]})
    assert entered.json() == {"receipt_code": codes[0], "valid": False}
    assert leader.post(f"/polls/{poll_id}/close").status_code == 409  # not reconciled
    reconciled = leader.post(f"/polls/{poll_id}/paper-ballots/reconcile", {"unreturned": 0})
    assert reconciled.json()["adds_up"] is True
    assert leader.post(f"/polls/{poll_id}/close").json()["state"] == "closed"
    assert Api(world.users["officer"]).get(f"/polls/{poll_id}/result").status_code == 409
    result = leader.get(f"/polls/{poll_id}/result").json()
    assert (result["ballots_cast"], result["valid"], result["invalid"]) == (4, 3, 1)
    assert result["candidates"][0]["sentence"] == "3 phiếu / 5 thành viên = 60,00 % > 1/2: đạt"
    assert result["selected"] == [kt2] and result["ballots"] == []
    leader.post(f"/polls/{poll_id}/publish")
    published = Api(world.users["officer"]).get(f"/polls/{poll_id}/result").json()
    assert [b["receipt_code"] for b in published["ballots"]] == sorted(receipts + codes)
    assert len(published["digest"]) == 64
    receipt = anonymous.get(f"/polls/{poll_id}/receipts/{receipts[0]}")
    assert receipt.json() == {"receipt_code": receipts[0], "valid": True, "choices": [kt2]}
    assert anonymous.get(f"/polls/{poll_id}/receipts/ZZZZZ-ZZZZZ").status_code == 404
    # Posted (the code never in an address a proxy logs): the same answer.
    posted = anonymous.post(f"/polls/{poll_id}/receipts", {"receipt_code": receipts[0].lower()})
    assert (posted.status_code, posted.json()) == (200, receipt.json())
    missing = anonymous.post(f"/polls/{poll_id}/receipts", {"receipt_code": "ZZZZZ-ZZZZZ"})
    assert missing.status_code == 404


def test_bad_card_ballots_are_refused_and_write_nothing(world, open_poll):
    anonymous = Api()
    token = services.issue_cards(world.actor("leader"), open_poll)[0].token
    candidate = open_poll.candidates.first().id
    for payload, status in [
        ({"token": "phieu_sai", "choices": [candidate]}, 404),
        ({"token": token, "choices": [candidate, candidate + 1, candidate + 2]}, 400),
        ({"token": token, "choices": [10**9]}, 400),
        ({"token": token}, 422),
        ({"token": token, "choices": "1"}, 422),
    ]:
        response = anonymous.post(f"/polls/{open_poll.pk}/card-ballots", payload)
        assert response.status_code == status, (payload, response.json())
        assert response.json()["detail"]
    forged = anonymous.post(f"/polls/{open_poll.pk + 1000}/card-ballots",
                            {"token": token, "choices": [candidate]})
    assert forged.status_code == 404
    assert (SealedBallot.objects.count(), Participation.objects.count()) == (0, 0)


@pytest.mark.parametrize("who", WHO)
def test_read_matrix(world, open_poll, who):
    client = api_for(world, who)
    conference = client.get(f"/bloc-years/{world.bloc_years['KT'].id}/conference")
    poll_read = client.get(f"/polls/{open_poll.pk}")
    turnout = client.get(f"/polls/{open_poll.pk}/turnout")
    if who == "anonymous":
        expected = 401
    elif who in SEES:
        expected = 200
    else:
        expected = 404
    assert (conference.status_code, poll_read.status_code, turnout.status_code) == (
        expected, expected, expected)
    if expected == 200:
        assert conference.json()["quorum"]["sentence"].startswith("5/5 đơn vị có mặt")


@pytest.mark.parametrize("who", WHO)
def test_write_matrix(world, present, who):
    client = api_for(world, who)
    created = client.post(f"/conferences/{present.pk}/polls",
                          {"kind": "award_proposal",
                           "award_form": AwardForm.CERTIFICATE_OF_MERIT.value})
    attendance = client.put(f"/conferences/{present.pk}/attendance/{world.units['KT5'].id}",
                            {"present": False, "absence_reason": "Ốm"})
    if who == "anonymous":
        expected = 401
    elif who in RUNS:
        expected = None
    elif who in SEES:
        expected = 403
    else:
        expected = 404
    if expected is None:
        assert (created.status_code, attendance.status_code) == (201, 200)
        return
    assert (created.status_code, attendance.status_code) == (expected, expected)
    assert not Poll.objects.exists()
    assert present.attendance.get(unit=world.units["KT5"]).present is True


@pytest.mark.parametrize("who", WHO)
def test_poll_actions_matrix(world, open_poll, who):
    client = api_for(world, who)
    responses = [client.post(f"/polls/{open_poll.pk}/cards"),
                 client.post(f"/polls/{open_poll.pk}/paper-ballots/issue",
                             {"unit_ids": [world.units["KT5"].id]}),
                 client.post(f"/polls/{open_poll.pk}/close")]
    codes = [r.status_code for r in responses]
    if who == "anonymous":
        assert codes == [401, 401, 401]
    elif who in RUNS:
        assert codes == [201, 201, 409]  # close: paper ballot not reconciled yet
    elif who in SEES:
        assert codes == [403, 403, 403]
    else:
        assert codes == [404, 404, 404]
    if who not in RUNS:
        assert Poll.objects.get(pk=open_poll.pk).state == "open"
        assert not open_poll.cards.exists() and not Participation.objects.exists()


@pytest.mark.parametrize("who", WHO)
def test_only_delegates_vote_logged_in(world, open_poll, who):
    candidate = open_poll.candidates.first().id
    response = api_for(world, who).post(f"/polls/{open_poll.pk}/ballots", {"choices": [candidate]})
    expected = {"anonymous": 401, "delegate": 201}.get(
        who, 403 if who in SEES else 404)
    assert response.status_code == expected, response.json()
    assert SealedBallot.objects.count() == (1 if who == "delegate" else 0)


@pytest.mark.parametrize("who", WHO)
def test_conference_creation_matrix(world, who):
    response = api_for(world, who).post(
        f"/bloc-years/{world.bloc_years['KT'].id}/conference",
        {"held_at": held_today().isoformat(), "place": "Hội trường", "chair": "A",
         "secretary": "B"})
    expected = 201 if who in RUNS else 401 if who == "anonymous" else (
        403 if who in SEES else 404)
    assert response.status_code == expected, response.json()
    assert Conference.objects.count() == (1 if expected == 201 else 0)


def _queries(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.json()
    return len(captured.captured_queries)


def test_query_counts_do_not_grow_with_ballots_or_candidates(world, present):
    leader = world.actor("leader")

    def counted_poll(codes, voters):
        poll = services.create_poll(leader, present, Poll.Kind.AWARD_PROPOSAL,
                                    award_form=AwardForm.CERTIFICATE_OF_MERIT,
                                    unit_ids=[world.units[c].id for c in codes])
        services.open_poll(leader, poll)
        tokens = {c.card.unit.code: c.token for c in services.issue_cards(leader, poll)}
        first = poll.candidates.first().id
        for code in voters:
            services.cast_with_card(tokens[code], poll.pk, [first])
        services.close_poll(leader, poll)
        services.publish_poll(leader, poll)
        return poll

    small = counted_poll(["KT2"], ["KT1"])
    big = counted_poll(["KT2", "KT3", "KT4", "KT5"], ["KT1", "KT2", "KT3", "KT4", "KT5"])
    client = Api(world.users["officer"])
    client.get(f"/polls/{small.pk}")  # the session's first request loads the user once
    for suffix in ["", "/result", "/turnout"]:
        assert _queries(client, f"/polls/{small.pk}{suffix}") == _queries(
            client, f"/polls/{big.pk}{suffix}"), suffix


@pytest.mark.parametrize(("ended_at", "status", "detail"), [
    ("11:30", 201, None),
    ("25:00", 422, "Dữ liệu gửi lên không hợp lệ: ended_at."),
    ("11:30:00+07:00", 422, "Dữ liệu gửi lên không hợp lệ: ended_at."),
    ("07:59", 400, "Giờ kết thúc hội nghị (07:59) phải sau giờ bắt đầu (08:00) trong cùng "
                   "ngày."),
])
def test_the_closing_time_over_the_api(world, ended_at, status, detail):
    """RULES.md 40: "HH:MM" on the conference's own day, after it began; read back the same.
    A refused one writes nothing, not even the conference."""
    year = world.bloc_years["KT"].year
    response = api_for(world, "leader").post(
        f"/bloc-years/{world.bloc_years['KT'].id}/conference",
        {"held_at": f"{year}-12-20T08:00:00+07:00", "place": "Hội trường tỉnh",
         "chair": "Nguyễn Văn A", "secretary": "Trần Thị B", "ended_at": ended_at})
    assert response.status_code == status
    if status == 201:
        assert response.json()["ended_at"] == "11:30"
        read = api_for(world, "peer").get(f"/bloc-years/{world.bloc_years['KT'].id}/conference")
        assert read.json()["ended_at"] == "11:30"
        assert Conference.objects.get().ended_at == datetime.time(11, 30)
    else:
        assert response.json()["detail"] == detail
        assert not Conference.objects.exists()


def test_the_closing_time_is_set_later_by_the_leader_only(world, present):
    """The secretary types the closing time at the end of the day (PUT the conference); a
    member who does not run the conference is refused and nothing changes."""
    url = f"/conferences/{present.pk}"
    body = {"held_at": present.held_at.isoformat(), "place": "Hội trường tỉnh",
            "chair": "Nguyễn Văn A", "secretary": "Trần Thị B", "ended_at": "23:59"}
    refused = api_for(world, "officer").put(url, {**body, "place": "<b>Nhà khác</b>"})
    assert refused.status_code == 403
    present.refresh_from_db()
    assert (present.place, present.ended_at) == ("Hội trường tỉnh", None)
    answered = api_for(world, "leader").put(url, body)
    assert (answered.status_code, answered.json()["ended_at"]) == (200, "23:59")
    present.refresh_from_db()
    assert present.ended_at == datetime.time(23, 59)
    assert api_for(world, "other_secretariat").put(url, body).status_code == 404


@pytest.mark.parametrize(("held_at", "status"), [
    ("2026-12-20T08:00:00-18:15", 201),  # an offset PostgreSQL alone would refuse
    ("9999-12-31T23:59:00-18:00", 400),  # a day past the last the calendar holds, here
])
def test_a_conference_time_in_any_offset_is_stored_as_the_instant_or_refused(
        world, held_at, status):
    """Found by the stateful API test on PostgreSQL: a -18:15 offset was a 500."""
    response = api_for(world, "leader").post(
        f"/bloc-years/{world.bloc_years['KT'].id}/conference",
        {"held_at": held_at, "place": "Hội trường tỉnh", "chair": "Nguyễn Văn A",
         "secretary": "Trần Thị B"})
    assert response.status_code == status
    if status == 201:
        assert Conference.objects.get().held_at == datetime.datetime.fromisoformat(held_at)
        assert response.json()["held_at"] == "2026-12-21T09:15:00+07:00"
    else:
        assert response.json()["detail"] == ("Thời gian hội nghị nằm ngoài khoảng ngày tháng "
                                             "cho phép.")
        assert not Conference.objects.exists()


def test_the_roll_call_in_one_call_rule_28(world, conference):
    """PUT /conferences/{id}/attendance: every member present in one call, then one absent
    with a reason; a wrong row refuses the whole call, nothing written (same service as
    the page)."""
    url = f"/conferences/{conference.pk}/attendance"
    leader, u = Api(world.users["leader"]), world.units
    body = leader.put(url, {"all_present": True, "rows": [
        {"unit_id": u["KT1"].id, "present": True, "delegate_name": "Nguyễn An"}]})
    assert body.status_code == 200, body.json()
    body = body.json()
    assert (body["quorum"]["present"], body["quorum"]["met"]) == (5, True)
    assert {a["unit"]["code"]: (a["present"], a["delegate_name"]) for a in body["attendance"]} \
        == {"KT1": (True, "Nguyễn An"), "KT2": (True, ""), "KT3": (True, ""),
            "KT4": (True, ""), "KT5": (True, "")}
    body = leader.put(url, {"rows": [{"unit_id": u["KT2"].id, "present": False,
                                      "absence_reason": "Đi công tác"}]}).json()
    assert body["quorum"]["sentence"] == (
        "4/5 đơn vị có mặt ≥ 2/3 (cần ít nhất 4): đủ số đơn vị để biểu quyết (Quy tắc 28)")
    refused = leader.put(url, {"rows": [
        {"unit_id": u["KT3"].id, "present": False},
        {"unit_id": u["KT4"].id, "present": False, "absence_reason": "Ốm"}]})
    assert (refused.status_code, refused.json()["detail"]) == (
        400, "Sở Xây dựng: Đơn vị vắng mặt phải ghi lý do vắng.")
    other = leader.put(url, {"rows": [{"unit_id": u["VX1"].id, "present": True}]})
    assert other.status_code == 404
    officer = Api(world.users["officer"]).put(url, {"all_present": True})
    assert officer.status_code == 403
    assert sorted(conference.attendance.values_list("unit__code", "present")) == [
        ("KT1", True), ("KT2", False), ("KT3", True), ("KT4", True), ("KT5", True)]


def test_vote_again_over_http_after_an_election_without_a_majority(world, present):
    leader = Api(world.users["leader"])
    poll = services.open_poll(world.actor("leader"), services.create_poll(
        world.actor("leader"), present, Poll.Kind.LEADER_ELECTION))
    by_unit = {c.unit.code: c.id for c in poll.candidates.select_related("unit")}
    cards = {c.card.unit.code: c.token for c in services.issue_cards(world.actor("leader"),
                                                                      poll)}
    for voter, chosen in {"KT1": "KT2", "KT2": "KT3", "KT3": "KT2", "KT4": "KT3"}.items():
        services.cast_with_card(cards[voter], poll.pk, [by_unit[chosen]])
    assert leader.post(f"/polls/{poll.pk}/vote-again").status_code == 409  # still open
    leader.post(f"/polls/{poll.pk}/close")
    result = leader.get(f"/polls/{poll.pk}/result").json()
    assert result["selected"] == [] and result["run_off_poll"] is None
    assert result["vote_again"] == {
        "sentence": services.vote_again_plan(Poll.objects.get(pk=poll.pk)).sentence,
        "unit_ids": [world.units["KT2"].id, world.units["KT3"].id], "seats": 1,
        "run_off": False, "poll": None}
    assert Api(world.users["officer"]).post(f"/polls/{poll.pk}/vote-again").status_code == 403
    again = leader.post(f"/polls/{poll.pk}/vote-again")
    assert again.status_code == 200, again.json()
    body = again.json()
    assert (body["kind"], body["state"], body["quota"], body["run_off_of"]) == (
        "leader_election", "open", 1, None)
    assert [c["unit"]["code"] for c in body["candidates"]] == ["KT2", "KT3"]
    assert leader.post(f"/polls/{poll.pk}/vote-again").json()["id"] == body["id"]
    assert leader.get(f"/polls/{poll.pk}/result").json()["vote_again"]["poll"] == body["id"]


def test_card_ballots_over_the_api_are_rate_limited_per_address(world, present, monkeypatch):
    """Guessing cards is throttled per address (core.ratelimit, scope "voting_card"): every
    attempt counts — a malformed token, an unknown card, a good one; over the limit a 429
    in Vietnamese with Retry-After, nothing written, even for a good card."""
    from thidua.core import ratelimit
    from thidua.core.models import RateCounter

    monkeypatch.setitem(ratelimit.LIMITS, "voting_card", (3, 60))
    leader = Api(world.users["leader"])
    poll = services.open_poll(world.actor("leader"), services.create_poll(
        world.actor("leader"), present, Poll.Kind.AWARD_PROPOSAL,
        award_form=AwardForm.CERTIFICATE_OF_MERIT))
    tokens = [c["token"] for c in leader.post(f"/polls/{poll.pk}/cards").json()]
    anonymous = Api()
    url = f"/polls/{poll.pk}/card-ballots"
    answers = [anonymous.post(url, {"token": token, "choices": []}) for token in (
        "khong-phai-the", services.CARD_PREFIX + "doan-bua", tokens[0], tokens[1])]
    assert [a.status_code for a in answers] == [404, 404, 201, 429]
    assert answers[3].json()["detail"] == (
        "Bạn thao tác quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau khoảng "
        "1 phút.")
    assert 1 <= int(answers[3]["Retry-After"]) <= 60
    assert list(RateCounter.objects.filter(key__startswith="rl:voting_card:").values_list(
        "hits", flat=True)) == [4]
    assert (Participation.objects.filter(poll=poll).count(),
            SealedBallot.objects.filter(poll=poll).count()) == (1, 1)
