"""Paper ballots on the conference day (issue 11 item 11; RULES.md 33): a ballot marking a
name not on the list is entered as invalid and counted so (never refused), and a ballot
entered wrongly is corrected before the close — sealed again, audited as a count only
(no code, no marks), the paper stack reconciled again. Service, page and API."""

import json

import pytest
from django.urls import reverse
from tests.factories import candidate_ids

from api.conftest import Api
from thidua.core.errors import Conflict, DomainError, Forbidden
from thidua.core.models import AuditEvent
from thidua.voting import services
from thidua.voting.models import PaperBallotIssue, Poll, SealedBallot
from web.page import parse

from .box import sealed_box

pytestmark = pytest.mark.django_db


@pytest.fixture
def handed(world, open_poll):
    """Two paper ballots handed to KT4 and KT5; returns their codes, sorted."""
    return services.issue_paper_ballots(world.actor("leader"), open_poll,
                                        [world.units["KT4"].id, world.units["KT5"].id])


def box(poll):
    return [(code, choices, valid) for code, choices, valid, _ in sealed_box(poll)]


def test_rule_33_a_name_outside_the_list_makes_the_ballot_invalid_not_refused(
        world, open_poll, handed, present):
    leader, poll = world.actor("leader"), open_poll
    [kt1] = candidate_ids(poll, world, "KT1")
    # A name written in by hand; and an id that is a candidate of another poll.
    other = services.create_poll(leader, present, Poll.Kind.LEADER_ELECTION)
    stranger = other.candidates.first().pk
    first = services.enter_paper_ballot(leader, poll, handed[0], [kt1], outside_list=True)
    second = services.enter_paper_ballot(leader, poll, handed[1], [kt1, stranger])
    assert (first.valid, first.choices, second.valid, second.choices) == (
        False, (kt1,), False, (kt1,))
    assert box(poll) == [(handed[0], (kt1,), False), (handed[1], (kt1,), False)]
    check = services.reconcile_paper(leader, poll, unreturned=0)
    assert (check.returned, check.valid, check.invalid) == (2, 0, 2)
    services.close_poll(leader, poll)
    tally = services.count(Poll.objects.get(pk=poll.pk))
    assert (tally.cast, tally.valid, tally.invalid) == (2, 0, 2)
    assert [r.votes for r in tally.results if r.candidate.id == kt1] == [0]


def test_rule_33_a_mark_keyed_twice_or_a_non_number_is_still_refused(world, open_poll, handed):
    [kt1] = candidate_ids(open_poll, world, "KT1")
    for marks, outside in (([kt1, kt1], False), (["1"], False), ([kt1], "có")):
        with pytest.raises(DomainError):
            services.enter_paper_ballot(world.actor("leader"), open_poll, handed[0], marks,
                                        outside_list=outside)
    assert SealedBallot.objects.count() == 0


def test_a_paper_ballot_entered_wrongly_is_corrected_before_the_close(world, open_poll,
                                                                       handed):
    leader, poll = world.actor("leader"), open_poll
    kt1, kt2, kt3 = candidate_ids(poll, world, "KT1", "KT2", "KT3")
    services.enter_paper_ballot(leader, poll, handed[0], [kt1])
    services.enter_paper_ballot(leader, poll, handed[1], [kt2])
    services.reconcile_paper(leader, poll, unreturned=0)
    fixed = services.correct_paper_ballot(leader, poll, handed[0].lower(), [kt2, kt3])
    assert (fixed.receipt_code, fixed.valid, fixed.choices) == (handed[0], True,
                                                                tuple(sorted([kt2, kt3])))
    assert box(poll) == [(handed[0], tuple(sorted([kt2, kt3])), True),
                         (handed[1], (kt2,), True)]
    # Corrected to an over-marked ballot, then back: its validity follows (RULES 33).
    over = candidate_ids(poll, world, "KT1", "KT2", "KT3", "KT4", "KT5")[:poll.quota + 1]
    assert services.correct_paper_ballot(leader, poll, handed[1], over).valid is False
    assert services.reconciliation(poll).invalid == 1
    services.correct_paper_ballot(leader, poll, handed[1], [kt2])
    # The stack must be reconciled again before the close.
    assert PaperBallotIssue.objects.get(poll=poll).unreturned is None
    with pytest.raises(Conflict):
        services.close_poll(leader, poll)
    services.reconcile_paper(leader, poll, unreturned=0)
    services.close_poll(leader, poll)
    tally = services.count(Poll.objects.get(pk=poll.pk))
    assert {r.candidate.id: r.votes for r in tally.results}[kt1] == 0
    assert {r.candidate.id: r.votes for r in tally.results}[kt2] == 2
    # Audited as counts: no code and no marks in any event.
    events = AuditEvent.objects.filter(action="voting.paper.correct")
    assert [e.after for e in events] == [{"corrected": 1}] * 3
    text = json.dumps([[e.before, e.after, e.reason] for e in AuditEvent.objects.all()],
                      default=str)
    assert [code for code in handed if code in text] == []
    # After the close nothing is corrected any more.
    with pytest.raises(Conflict):
        services.correct_paper_ballot(leader, poll, handed[0], [kt1])


def test_only_an_entered_ballot_by_the_committee_is_corrected(world, open_poll, handed):
    leader, poll = world.actor("leader"), open_poll
    [kt1] = candidate_ids(poll, world, "KT1")
    with pytest.raises(Conflict) as refused:
        services.correct_paper_ballot(leader, poll, handed[0], [kt1])
    assert refused.value.messages == [
        f"Phiếu giấy mã {handed[0]} chưa được nhập: nhập phiếu trước, rồi mới sửa."]
    with pytest.raises(DomainError):
        services.correct_paper_ballot(leader, poll, "ABCDE-FGHJK", [kt1])
    services.enter_paper_ballot(leader, poll, handed[0], [kt1])
    for who in ("officer", "delegate", "outsider"):
        with pytest.raises(Forbidden):
            services.correct_paper_ballot(world.actor(who), poll, handed[0], [])
    assert box(poll) == [(handed[0], (kt1,), True)]
    assert not AuditEvent.objects.filter(action="voting.paper.correct").exists()


def test_the_paper_page_enters_a_written_in_name_and_corrects_a_ballot(world, open_poll,
                                                                       handed, client):
    client.force_login(world.users["leader"])
    poll = open_poll
    kt1, kt2 = candidate_ids(poll, world, "KT1", "KT2")
    page = parse(client.get(reverse("voting_paper", args=[poll.pk])))
    assert page.by_id("form-sua-phieu").attrs["data-confirm"].startswith(
        "Ghi lại phiếu giấy có mã này")
    entered = client.post(reverse("voting_paper_enter", args=[poll.pk]),
                          {"code": handed[0], "candidates": [kt1], "outside_list": "1"})
    assert parse(entered).by_id("da-nhap").text == (
        f"Đã nhập phiếu {handed[0]}: không hợp lệ (chọn quá {poll.quota} ứng viên hoặc ghi "
        "tên ngoài danh sách, Quy tắc 33).")
    fixed = client.post(reverse("voting_paper_correct", args=[poll.pk]),
                        {"code": handed[0], "candidates": [kt2]})
    assert parse(fixed).by_id("da-nhap").text == f"Đã sửa phiếu {handed[0]}: hợp lệ."
    assert box(poll) == [(handed[0], (kt2,), True)]
    unknown = client.post(reverse("voting_paper_correct", args=[poll.pk]),
                          {"code": handed[1], "candidates": [kt1]})
    assert unknown.status_code == 409
    assert [li.text for li in parse(unknown).find(class_="error-summary").find_all("li")] == [
        f"Phiếu giấy mã {handed[1]} chưa được nhập: nhập phiếu trước, rồi mới sửa."]
    assert box(poll) == [(handed[0], (kt2,), True)]


def test_the_api_enters_invalid_and_corrects(world, open_poll, handed):
    chair, poll = Api(world.users["leader"]), open_poll
    kt1, kt2 = candidate_ids(poll, world, "KT1", "KT2")
    entered = chair.post(f"/polls/{poll.pk}/paper-ballots",
                         {"receipt_code": handed[0], "choices": [kt1, 999_999]})
    assert (entered.status_code, entered.json()) == (
        201, {"receipt_code": handed[0], "valid": False})
    fixed = chair.post(f"/polls/{poll.pk}/paper-ballots/correct",
                       {"receipt_code": handed[0], "choices": [kt2], "outside_list": False})
    assert (fixed.status_code, fixed.json()) == (200, {"receipt_code": handed[0],
                                                       "valid": True})
    refused = Api(world.users["officer"]).post(f"/polls/{poll.pk}/paper-ballots/correct",
                                               {"receipt_code": handed[0], "choices": []})
    assert refused.status_code == 403
    assert box(poll) == [(handed[0], (kt2,), True)]


