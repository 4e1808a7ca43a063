"""One vote per delegate (RULES 29, setting `vote_per: delegate`): every delegate named on a
present unit's attendance row gets a card of their own, from a page of its own that shows
who voted and who holds a card; the sheet prints each delegate's name; a delegate's used
card is not issued again, an unnamed present unit is refused with nothing written."""

import pytest
from django.urls import reverse
from tests.factories import award_poll, candidate_ids

from thidua.core.errors import DomainError
from thidua.voting import services
from thidua.voting.domain.delegates import delegate_names
from thidua.voting.models import Participation, Poll, SealedBallot, VotingCard
from web.page import inline_code, parse

NAMES = {"KT1": "Nguyễn Văn An; Trần Thị Bình", "KT2": "Lê Văn Cường",
         "KT3": "Phạm Thị Dung ;  Hoàng Văn Em ; Vũ Thị Giang"}


@pytest.fixture
def per_delegate(world, conference):
    """KT1–KT3 present with their delegates named, KT4 absent, KT5 present (named)."""
    leader = world.actor("leader")
    for code, names in {**NAMES, "KT5": "Đỗ Văn Hải"}.items():
        services.record_attendance(leader, conference, world.units[code].id, present=True,
                                   delegate_name=names)
    services.record_attendance(leader, conference, world.units["KT4"].id, present=False,
                               absence_reason="Đi công tác")
    poll = award_poll(world, conference)
    Poll.objects.filter(pk=poll.pk).update(vote_per="delegate")
    poll.refresh_from_db()
    return services.open_poll(leader, poll)


def test_delegate_names_split_on_semicolons_folded_and_once():
    assert delegate_names(" Nguyễn  Văn An ;Trần Thị Bình;; Nguyễn Văn An ") == [
        "Nguyễn Văn An", "Trần Thị Bình"]
    assert delegate_names("") == []


def test_rules_29_a_card_per_named_delegate_and_a_used_one_is_not_issued_again(
        world, per_delegate):
    poll, leader = per_delegate, world.actor("leader")
    issued = services.issue_cards(leader, poll)
    assert sorted((c.card.unit.code, c.card.delegate_name) for c in issued) == sorted(
        [("KT1", "Nguyễn Văn An"), ("KT1", "Trần Thị Bình"), ("KT2", "Lê Văn Cường"),
         ("KT3", "Phạm Thị Dung"), ("KT3", "Hoàng Văn Em"), ("KT3", "Vũ Thị Giang"),
         ("KT5", "Đỗ Văn Hải")])
    assert services.turnout(poll).expected == 7
    [kt2] = candidate_ids(poll, world, "KT2")
    by_name = {c.card.delegate_name: c.token for c in issued}
    # Two delegates of the same unit each vote: two ballots, two participations.
    services.cast_with_card(by_name["Nguyễn Văn An"], poll.pk, [kt2])
    services.cast_with_card(by_name["Trần Thị Bình"], poll.pk, [])
    assert (SealedBallot.objects.count(), Participation.objects.count()) == (2, 2)
    again = services.issue_cards(leader, poll)
    assert sorted(c.card.delegate_name for c in again) == sorted(
        ["Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang", "Đỗ Văn Hải"])
    roll = {(r.unit.code, r.name): (r.voted, r.holds_card) for r in services.delegate_roll(poll)}
    assert roll == {("KT1", "Nguyễn Văn An"): (True, False),
                    ("KT1", "Trần Thị Bình"): (True, False),
                    ("KT2", "Lê Văn Cường"): (False, True),
                    ("KT3", "Phạm Thị Dung"): (False, True),
                    ("KT3", "Hoàng Văn Em"): (False, True),
                    ("KT3", "Vũ Thị Giang"): (False, True),
                    ("KT5", "Đỗ Văn Hải"): (False, True)}
    # The first issue's unused cards were revoked by the second.
    assert VotingCard.objects.filter(poll=poll, revoked=True).count() == 5


def test_an_unnamed_present_unit_is_refused_and_nothing_written(world, per_delegate):
    poll, leader = per_delegate, world.actor("leader")
    services.record_attendance(leader, poll.conference, world.units["KT5"].id, present=True)
    with pytest.raises(DomainError) as refused:
        services.issue_cards(leader, poll)
    assert str(refused.value) == (
        "Mỗi đại biểu một phiếu (Quy tắc 29): ghi tên đại biểu khi điểm danh (nhiều người "
        f"cách nhau bằng dấu ;) cho: {world.units['KT5'].name}.")
    assert not VotingCard.objects.exists()


def test_delegate_cards_page_issues_and_prints_a_card_per_delegate(world, per_delegate,
                                                                     client_for):
    poll = per_delegate
    client = client_for(world.users["leader"])
    page = client.get(reverse("voting_poll", args=[poll.pk]))
    link = parse(page).by_id("the-dai-bieu")
    assert link.attrs["href"] == reverse("voting_poll_delegates", args=[poll.pk])
    roll = client.get(link.attrs["href"])
    assert roll.status_code == 200
    root = parse(roll)
    rows = [[td.text.strip() for td in tr.find_all("td")]
            for tr in root.by_id("bang-dai-bieu").find("tbody").find_all("tr")]
    assert len(rows) == 7
    assert [world.units["KT1"].name, "Nguyễn Văn An", "Chưa có thẻ"] in rows
    assert inline_code(root) == []
    # Issuing is its own confirmed POST; the cards page then shows the issued cards.
    issued = client.post(reverse("voting_poll_cards_issue", args=[poll.pk]))
    assert issued.status_code == 302
    sheet = client.get(issued.url)
    assert sheet.status_code == 200
    cards = parse(sheet).by_id("cac-the").find_all("li")
    assert len(cards) == 7
    assert sorted(c.find("p", class_="the-don-vi").text.split("Đại biểu: ")[1].strip()
                  for c in cards) == sorted(n for names in [*NAMES.values(), "Đỗ Văn Hải"]
                                            for n in delegate_names(names))
    after = parse(client.get(reverse("voting_poll_delegates", args=[poll.pk])))
    assert {tr.find_all("td")[2].text.strip()
            for tr in after.by_id("bang-dai-bieu").find("tbody").find_all("tr")} == {
        "Đã phát thẻ, chưa dùng"}


def test_delegate_cards_page_refuses_an_unnamed_unit_with_the_reason(world, per_delegate,
                                                                     client_for):
    poll = per_delegate
    services.record_attendance(world.actor("leader"), poll.conference, world.units["KT2"].id,
                               present=True)
    response = client_for(world.users["leader"]).post(
        reverse("voting_poll_cards_issue", args=[poll.pk]))
    assert response.status_code == 400
    assert world.units["KT2"].name in parse(response).find(class_="error-summary").text
    assert not VotingCard.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("leader", 200), ("secretariat", 200),
                                             ("officer", 403), ("delegate", 403),
                                             ("outsider", 404)])
def test_delegate_cards_page_only_for_who_runs_the_conference(world, per_delegate, client_for,
                                                                who, status):
    url = reverse("voting_poll_delegates", args=[per_delegate.pk])
    response = client_for(world.users[who]).get(url)
    assert response.status_code == status
