"""Eligibility before the ballot (issue 11 item 2; RULES.md 7, 17–22): an award poll lists
the eligible members, the others apart with why and the citation — on the setup page, the
ballot page, the API and the minutes; putting one on the ballot takes a reason, stored,
audited and printed."""

import pytest
from django.urls import reverse
from tests.factories import award_poll, make_eligible

from thidua.core.errors import Conflict, DomainError
from thidua.core.models import AuditEvent
from thidua.documents.kinds_conference import eligibility_lines
from thidua.law.award_forms import AwardForm
from thidua.pledges.models import Registration
from thidua.voting import services
from thidua.voting.models import Candidate, Poll
from web.cards import card_link, open_card

PROV = AwardForm.PROVINCIAL_FLAG
CERT = AwardForm.CERTIFICATE_OF_MERIT
WHY = "Đơn vị đã nộp bổ sung kết luận thanh tra; hội nghị thống nhất đưa vào để biểu quyết"


@pytest.fixture
def mixed(world, present):
    """KT4 did not register (RULES 7); KT5 did not exceed its targets (RULES 17)."""
    kt = world.bloc_years["KT"]
    Registration.objects.filter(unit=world.units["KT4"]).delete()
    make_eligible(kt, [world.units["KT5"]], targets_exceeded=False)
    return present


def codes(poll):
    return [c.unit.code for c in Candidate.objects.filter(poll=poll).select_related("unit")]


def test_rules_17_and_7_the_default_list_is_the_eligible_units(world, mixed):
    poll = award_poll(world, mixed, PROV)
    assert codes(poll) == ["KT1", "KT2", "KT3"]
    assert [(e["name"], e["rules"], e["override"]) for e in poll.ineligible] == [
        ("Đài Phát thanh", [7], ""), ("Ban Quản lý dự án", [17], "")]
    kt5 = poll.ineligible[1]["reasons"]
    assert kt5 == ["chưa hoàn thành vượt mức chỉ tiêu (Quy tắc 17) — Điều 26, Luật Thi đua, "
                   "khen thưởng 2022"]
    assert poll.ineligible[0]["reasons"][0].startswith("không gửi bản đăng ký thi đua năm ")
    # The certificate needs only RULES 7 and 22: KT5 stands for it.
    assert codes(award_poll(world, mixed, CERT)) == ["KT1", "KT2", "KT3", "KT5"]


def test_rule_17_an_ineligible_unit_without_a_reason_is_refused_and_nothing_changes(world,
                                                                                   mixed):
    leader = world.actor("leader")
    ids = [world.units[c].id for c in ("KT1", "KT5")]
    with pytest.raises(DomainError) as refused:
        services.create_poll(leader, mixed, Poll.Kind.AWARD_PROPOSAL, award_form=PROV,
                             unit_ids=ids, overrides={world.units["KT5"].id: "   "})
    assert refused.value.messages == [
        "Ban Quản lý dự án chưa đủ điều kiện Cờ thi đua của UBND tỉnh: chưa hoàn thành vượt "
        "mức chỉ tiêu (Quy tắc 17) — Điều 26, Luật Thi đua, khen thưởng 2022. Chỉ đưa vào "
        "danh sách khi ghi rõ lý do."]
    assert Poll.objects.count() == 0
    poll = award_poll(world, mixed, PROV)
    with pytest.raises(DomainError):
        services.set_candidates(leader, poll, ids)
    assert codes(poll) == ["KT1", "KT2", "KT3"]


def test_rule_17_an_override_is_stored_audited_and_printed_in_the_minutes(world, mixed):
    leader = world.actor("leader")
    poll = award_poll(world, mixed, PROV)
    ids = [world.units[c].id for c in ("KT1", "KT2", "KT5")]
    services.set_candidates(leader, poll, ids, {world.units["KT5"].id: f"  {WHY} "})
    poll.refresh_from_db()
    assert codes(poll) == ["KT1", "KT2", "KT5"]
    assert Candidate.objects.get(poll=poll, unit=world.units["KT5"]).override_reason == WHY
    event = AuditEvent.objects.filter(action="voting.poll.candidates").latest("id")
    assert event.after["overrides"] == [[world.units["KT5"].id, WHY]]
    assert event.before["overrides"] == []
    assert eligibility_lines(poll) == [
        "Không đưa vào danh sách bỏ phiếu vì chưa đủ điều kiện: Đài Phát thanh (không gửi "
        f"bản đăng ký thi đua năm {world.year.year} (hạn 31/03/{world.year.year}) (Quy tắc 7)"
        " — Thực tiễn tổ chức cụm, khối thi đua cấp tỉnh (thực tiễn)).",
        "Ban Quản lý dự án chưa đủ điều kiện (chưa hoàn thành vượt mức chỉ tiêu (Quy tắc 17) "
        "— Điều 26, Luật Thi đua, khen thưởng 2022) nhưng được đưa vào danh sách bỏ phiếu, lý "
        f"do: {WHY}."]
    # The run-off of a tie keeps the reason with the unit.
    opened = services.open_poll(leader, poll)
    assert [e["override"] for e in opened.ineligible] == ["", WHY]


def test_rule_22_a_unit_chosen_for_a_higher_form_stands_apart(world, present):
    leader = world.actor("leader")
    flag = services.open_poll(leader, award_poll(world, present, PROV, ["KT2", "KT3"]))
    cards = {}
    for card in services.issue_cards(leader, flag):
        cards[card.unit_name] = card.token
    for token in cards.values():
        services.cast_with_card(token, flag.pk, [Candidate.objects.get(
            poll=flag, unit=world.units["KT2"]).id])
    services.close_poll(leader, flag)
    certificate = award_poll(world, present, CERT)
    assert "KT2" not in codes(certificate)
    [entry] = certificate.ineligible
    assert (entry["name"], entry["rules"]) == ("Sở Tài chính", [22])


def test_rule_17_facts_changed_after_the_list_was_set_stop_the_opening(world, mixed):
    leader = world.actor("leader")
    poll = award_poll(world, mixed, PROV)
    make_eligible(world.bloc_years["KT"], [world.units["KT1"]], party_rating="completed")
    with pytest.raises(Conflict) as refused:
        services.open_poll(leader, poll)
    assert refused.value.messages[1].startswith(
        "Sở Công Thương chưa đủ điều kiện Cờ thi đua của UBND tỉnh: tổ chức đảng xếp loại")
    poll.refresh_from_db()
    assert poll.state == Poll.State.CREATED


# --- the pages and the API ----------------------------------------------------------------

def test_rule_17_the_setup_page_lists_the_ineligible_apart_unticked(world, mixed, client):
    poll = award_poll(world, mixed, PROV)
    client.force_login(world.users["leader"])
    page = client.get(reverse("voting_poll", args=[poll.pk])).content.decode()
    section = page[page.index('id="chua-du-dieu-kien"'):page.index('id="dieu-hanh"')]
    assert "Ban Quản lý dự án" in section and "chưa hoàn thành vượt mức chỉ tiêu" in section
    assert "Điều 26, Luật Thi đua, khen thưởng 2022" in section
    kt5 = world.units["KT5"].id
    box = page[page.index(f'id="don-vi-{kt5}"') - 60:page.index(f'id="don-vi-{kt5}"') + 80]
    assert "checked" not in box
    assert page.index(f'id="don-vi-{kt5}"') > page.index('id="dua-vao-du-chua-du"')
    kt1 = world.units["KT1"].id
    tick = page[page.index(f'id="don-vi-{kt1}"'):page.index(f'id="don-vi-{kt1}"') + 80]
    assert "checked" in tick

    url = reverse("voting_poll_candidates", args=[poll.pk])
    refused = client.post(url, {"units": [kt1, kt5], f"ly_do_{kt5}": "  "})
    assert refused.status_code == 400
    again = refused.content.decode()
    assert "Chỉ đưa vào danh sách khi ghi rõ lý do" in again
    assert codes(poll) == ["KT1", "KT2", "KT3"]
    # The page keeps what was ticked: KT5 stays ticked, KT2 and KT3 unticked.
    ticked = again[again.index(f'id="don-vi-{kt5}"'):again.index(f'id="don-vi-{kt5}"') + 80]
    assert "checked" in ticked
    kt2 = world.units["KT2"].id
    assert "checked" not in again[again.index(f'id="don-vi-{kt2}"'):
                                  again.index(f'id="don-vi-{kt2}"') + 80]
    accepted = client.post(url, {"units": [kt1, kt5], f"ly_do_{kt5}": WHY})
    assert accepted.status_code == 302
    assert codes(poll) == ["KT1", "KT5"]
    page = client.get(reverse("voting_poll", args=[poll.pk])).content.decode()
    assert f"vẫn có tên trên phiếu, lý do: {WHY}" in page


def test_rule_17_the_ballot_page_tells_the_delegate_who_is_not_on_it(world, mixed, client):
    leader = world.actor("leader")
    poll = services.open_poll(leader, award_poll(world, mixed, PROV))
    token = services.issue_cards(leader, poll)[0].token
    page = open_card(client, card_link(poll, token)).content.decode()
    section = page[page.index('id="chua-du-dieu-kien"'):]
    assert "Đài Phát thanh" in section and "Ban Quản lý dự án" in section
    assert "không có tên trên phiếu" in section


def test_rule_17_the_api_lists_the_ineligible_and_takes_overrides(world, mixed):
    from api.conftest import Api

    leader = Api(world.users["leader"])
    created = leader.post(f"/conferences/{mixed.pk}/polls",
                          {"kind": "award_proposal", "award_form": "provincial_flag"})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert [c["unit"]["id"] for c in body["candidates"]] == [
        world.units[c].id for c in ("KT1", "KT2", "KT3")]
    assert [(e["name"], e["rules"], e["override"]) for e in body["ineligible"]] == [
        ("Đài Phát thanh", [7], ""), ("Ban Quản lý dự án", [17], "")]
    kt5 = world.units["KT5"].id
    refused = leader.put(f"/polls/{body['id']}/candidates", {"unit_ids": [kt5]})
    assert refused.status_code == 400
    assert "Ban Quản lý dự án chưa đủ điều kiện" in str(refused.json())
    done = leader.put(f"/polls/{body['id']}/candidates",
                      {"unit_ids": [kt5], "overrides": [{"unit_id": kt5, "reason": WHY}]})
    assert done.status_code == 200
    assert [(c["unit"]["id"], c["override_reason"]) for c in done.json()["candidates"]] == [
        (kt5, WHY)]
    assert done.json()["ineligible"][1]["override"] == WHY


def test_rule_35_a_citys_poll_names_the_citys_flag(world, mixed, client):
    """LEGAL-REVIEW R2: in a thành phố trực thuộc trung ương the poll's title, the heading
    of the units left off the ballot and the form choices say "UBND thành phố"."""
    from thidua.org.models import Province
    Province.objects.filter(pk=world.province.pk).update(name="Hà Nội",
                                                         kind=Province.Kind.THANH_PHO)
    mixed.bloc_year.bloc.province.refresh_from_db()
    poll = award_poll(world, mixed, PROV)
    assert poll.title == "Bình xét đề nghị Cờ thi đua của UBND thành phố"
    client.force_login(world.users["leader"])
    page = client.get(reverse("voting_poll", args=[poll.pk])).content.decode()
    assert ('<h2 id="tieu-de-chua-du-dieu-kien">Đơn vị chưa đủ điều kiện Cờ thi đua của UBND '
            'thành phố</h2>') in page
    conference = client.get(reverse("voting_conference", args=[world.bloc_years["KT"].pk]))
    text = conference.content.decode()
    choices = text[text.index('name="award_form"'):]
    choices = choices[:choices.index("</select>")]
    assert "Bằng khen của Chủ tịch UBND thành phố</option>" in choices
    assert "UBND tỉnh" not in choices
    # (A rulebook citation quoting its source — "… tỉnh Bắc Ninh (29/11/2022)" — stays.)
    heading = page[page.index('id="chua-du-dieu-kien"'):page.index("</ul>", page.index(
        'id="chua-du-dieu-kien"'))]
    assert "UBND tỉnh" not in heading
