"""The province's council chooses the Government-flag candidates (issue 14; RULES.md 20,
23): among the collectives the blocs voted as leading — the flag lines of the accepted
proposals, not a rank — within the province-wide cap, with the minutes' number and date,
audited; the chairman's decision then gives a Government flag only to a unit it chose.
Page, API and service; nobody else records it; refusals change nothing."""

import datetime
import html
import re

import pytest
from django.db import transaction
from django.urls import reverse
from tests.factories import today

from api.conftest import Api
from thidua.awards import council
from thidua.awards import proposals as service
from thidua.awards.models import Award, CouncilSelection
from thidua.core.errors import Conflict, DomainError, Forbidden
from thidua.core.models import AuditEvent

from .conftest import CERT, GOV, PROV, conference_day, polls

pytestmark = pytest.mark.django_db


def text(response):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ",
                                                    response.content.decode())))


@pytest.fixture
def accepted(world, kt):
    proposal = service.assemble_proposal(world.actor("leader"), kt, polls(world),
                                         conference_date=conference_day(world))
    service.move_proposal(world.actor("leader"), proposal, "submit")
    service.move_proposal(world.actor("secretariat"), proposal, "accept")
    return {(line.unit.code, line.award_form): line for line in proposal.lines.all()}


def state():
    return (list(CouncilSelection.objects.values()), AuditEvent.objects.filter(
        action="awards.council.choose").count())


def choose(world, lines, who="secretariat", number="12/BB-HĐTĐKT"):
    return council.choose(world.actor(who), world.year, minutes_number=number,
                          meeting_date=today(), chosen=[line.id for line in lines])


def test_rule_20_candidates_are_the_collectives_the_bloc_voted_as_leading(world, accepted):
    """KT voted KT1 (Government flag) and KT2 (provincial flag); KT3, KT4 got certificates."""
    assert [(line.unit.code, line.award_form) for line in council.candidates(world.year)] == [
        ("KT1", GOV), ("KT2", PROV)]


def test_rule_23_the_council_stays_within_the_cap(world, accepted):
    """Five units meet the provincial standard: 20 % of 5 is 1."""
    before = state()
    with pytest.raises(Conflict) as refused:
        choose(world, [accepted[("KT1", GOV)], accepted[("KT2", PROV)]])
    assert refused.value.messages[0].startswith(
        "Hội đồng chọn 2 tập thể, vượt giới hạn: 20 % của 5")
    with pytest.raises(DomainError) as refused:
        choose(world, [accepted[("KT3", CERT)]])
    assert refused.value.messages == [
        "Hội đồng chỉ chọn trong các tập thể được khối bình xét dẫn đầu (đề nghị Cờ thi đua "
        "trong hồ sơ đã tiếp nhận) — Quy tắc 20."]
    with pytest.raises(Forbidden):
        choose(world, [accepted[("KT2", PROV)]], who="leader")
    with pytest.raises(DomainError) as refused:
        council.choose(world.actor("secretariat"), world.year, minutes_number=" ",
                       meeting_date=today() + datetime.timedelta(days=1), chosen=[])
    assert refused.value.messages == [
        "Chưa nhập số biên bản họp Hội đồng.",
        f"Ngày họp {today() + datetime.timedelta(days=1):%d/%m/%Y} chưa đến.",
        "Hội đồng chưa chọn tập thể nào."]
    assert state() == before


def test_the_decision_gives_the_government_flag_only_to_the_councils_choice(world, accepted):
    selection = choose(world, [accepted[("KT2", PROV)]])
    event = AuditEvent.objects.get(action="awards.council.choose")
    assert event.after == {"minutes_number": "12/BB-HĐTĐKT", "meeting_date": today().isoformat(),
                           "chosen": [[world.units["KT2"].id, "KT", PROV]],
                           "candidates": 2, "cap": 1}
    assert str(selection) == f"Biên bản họp Hội đồng số 12/BB-HĐTĐKT ngày {today():%d/%m/%Y}"
    with pytest.raises(DomainError) as refused:
        service.record_decision(world.actor("secretariat"), world.year, number="99/QĐ-UBND",
                                decision_date=today(), signer="Chủ tịch UBND tỉnh",
                                awarded=[accepted[("KT1", GOV)].id], not_awarded=[])
    assert refused.value.messages == [
        "Hội đồng Thi đua – Khen thưởng tỉnh không chọn Sở Công Thương đề nghị Cờ thi đua "
        f"của Chính phủ (biên bản số 12/BB-HĐTĐKT ngày {today():%d/%m/%Y}) — Quy tắc 20."]
    assert Award.objects.count() == 0
    service.record_decision(world.actor("secretariat"), world.year, number="99/QĐ-UBND",
                            decision_date=today(), signer="Chủ tịch UBND tỉnh",
                            awarded=[accepted[("KT2", PROV)].id],
                            not_awarded=[accepted[("KT1", GOV)].id])
    assert list(Award.objects.values_list("unit__code", "award_form")) == [("KT2", PROV)]
    # Meeting again replaces the choice, both kept in the audit log.
    choose(world, [accepted[("KT1", GOV)]], number="13/BB-HĐTĐKT")
    again = AuditEvent.objects.filter(action="awards.council.choose").order_by("id").last()
    assert (again.before["minutes_number"], again.after["minutes_number"]) == (
        "12/BB-HĐTĐKT", "13/BB-HĐTĐKT")


def test_the_province_page_records_and_shows_the_choice(client, world, accepted):
    url = reverse("award_council", args=["BN", world.year.year])
    line = accepted[("KT2", PROV)]
    client.force_login(world.users["leader"])
    assert client.post(url, {"minutes_number": "1", "meeting_date": today().isoformat(),
                             "chosen": [line.id]}).status_code == 404
    client.force_login(world.users["secretariat"])
    page = text(client.get(reverse("award_province", args=["BN", world.year.year])))
    assert "Sở Tài chính — dẫn đầu Khối Kinh tế (khối đề nghị Cờ thi đua của UBND tỉnh)" in page
    bad = client.post(url, {"minutes_number": "12/BB", "meeting_date": today().isoformat()})
    assert bad.status_code == 400 and "Hội đồng chưa chọn tập thể nào." in text(bad)
    assert state()[0] == []
    done = client.post(url, {"minutes_number": "12/BB-HĐTĐKT",
                             "meeting_date": today().isoformat(), "chosen": [line.id]},
                       follow=True)
    page = text(done)
    assert (f"Đã chọn theo Biên bản họp Hội đồng số 12/BB-HĐTĐKT ngày {today():%d/%m/%Y}: Sở "
            "Tài chính — dẫn đầu Khối Kinh tế") in page


def test_the_api_lists_and_records(world, accepted):
    path = f"/provinces/BN/years/{world.year.year}/council"
    assert Api(world.users["officer"]).get(path).status_code == 404
    api = Api(world.users["secretariat"])
    listed = api.get(path).json()
    assert (listed["cap"], listed["selection"]) == (1, None)
    assert [(c["unit"]["code"], c["bloc"], c["award_form"], c["chosen"])
            for c in listed["candidates"]] == [("KT1", "Khối Kinh tế", GOV, False),
                                               ("KT2", "Khối Kinh tế", PROV, False)]
    over = api.post(path, {"minutes_number": "12/BB", "meeting_date": today().isoformat(),
                           "chosen": [c["line_id"] for c in listed["candidates"]]})
    assert over.status_code == 409
    done = api.post(path, {"minutes_number": "12/BB", "meeting_date": today().isoformat(),
                           "chosen": [accepted[("KT1", GOV)].id]})
    assert done.status_code == 200
    assert [c["chosen"] for c in done.json()["candidates"]] == [True, False]
    assert done.json()["selection"] == {"minutes_number": "12/BB",
                                        "meeting_date": today().isoformat()}


def test_the_decision_draft_says_what_the_council_chose(world, accepted):
    """Papers agree (RULES.md 20): the chairman's decision draft names the council's
    Government-flag candidates and the bloc each leads, as the minutes do."""
    from thidua.documents.kinds_awards import decision_context

    choose(world, [accepted[("KT2", PROV)]])
    lines = decision_context(world.actor("secretariat"), world.year, today())["articles"][0][
        "lines"]
    assert lines[-1] == (
        f"(Hội đồng Thi đua - Khen thưởng tỉnh, biên bản họp Hội đồng số 12/BB-HĐTĐKT ngày "
        f"{today():%d/%m/%Y}, chọn đề nghị Thủ tướng Chính phủ tặng Cờ thi đua của Chính phủ: "
        "Sở Tài chính (dẫn đầu Khối Kinh tế).)")


def _page_lists(client, world) -> list[str]:
    page = client.get(reverse("award_province", args=["BN", world.year.year])).content.decode()
    listed = re.search(r'<ul id="tap-the-duoc-chon">(.*?)</ul>', page, re.S).group(1)
    return [html.unescape(item).split(" — dẫn đầu ")[0]
            for item in re.findall(r"<li[^>]*>(.*?)</li>", listed)]


def _paper_says(world) -> list[str]:
    from thidua.documents.kinds_awards import council_notes

    (sentence,) = council_notes(world.year)
    named = sentence.split("Cờ thi đua của Chính phủ: ", 1)[1].removesuffix(".)")
    return [name.split(" (dẫn đầu ")[0] for name in named.split("; ")]


def _decision_refuses(world, lines) -> list[str]:
    """The units whose Government flag the decision check refuses (nothing recorded)."""
    try:
        with transaction.atomic():
            service.record_decision(world.actor("secretariat"), world.year,
                                    number="99/QĐ-UBND", decision_date=today(),
                                    signer="Chủ tịch UBND tỉnh",
                                    awarded=[line.id for line in lines], not_awarded=[])
            raise _Undo
    except _Undo:
        return []
    except DomainError as refused:
        return [m.split(" không chọn ")[1].split(" đề nghị Cờ")[0] for m in refused.messages]


class _Undo(Exception):
    pass


def test_rule_20_page_paper_and_decision_read_the_same_choice(client, world, accepted):
    """One reading of the council's choice (awards.queries.council_choice): the province
    page lists it, the decision draft's sentence names it, and the decision check refuses
    a Government flag to exactly the units outside it."""
    client.force_login(world.users["secretariat"])
    gov_line = accepted[("KT1", GOV)]
    choose(world, [accepted[("KT2", PROV)]])
    assert _page_lists(client, world) == _paper_says(world) == ["Sở Tài chính"]
    assert _decision_refuses(world, [gov_line]) == ["Sở Công Thương"]
    choose(world, [gov_line], number="13/BB-HĐTĐKT")
    assert _page_lists(client, world) == _paper_says(world) == ["Sở Công Thương"]
    assert _decision_refuses(world, [gov_line]) == []
    assert Award.objects.count() == 0
