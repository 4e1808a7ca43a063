"""The source case, replayed under the texts of its own period (issue 14, LEGAL-REVIEW §2):
Bắc Ninh's economic-technical bloc, twelve members, year-end conference of 30/11/2022.

The rulebook of 15/9/2017–31/12/2023 (Luật Thi đua, khen thưởng 2003/2005/2013, Nghị định
91/2017/NĐ-CP, Thông tư 12/2019/TT-BNV) applies: the flag standard asks new models and the
lead in thrift and anti-corruption (RULES 17) and no party-organisation rating (18: none);
the excellent collective and the Bằng khen exclude a member disciplined at cảnh cáo (19);
the provincial flag goes only through the bloc's comparison (NĐ 91/2017 art. 12); the
20 % cap of NĐ 91/2017 art. 11.1 counts every collective meeting the provincial standard.
The outcome is the reported one (demo.yaml `reported_outcome_2022`): the Government flag
proposed for Sở Thông tin và Truyền thông, provincial flags for Sở Công Thương and the
Quỹ Đầu tư phát triển, three Bằng khen, and Ban Quản lý các khu công nghiệp leading 2023;
the papers cite the 2022 texts and the report is Mẫu số 01 of NĐ 91/2017.
"""

import datetime
import io

import pytest
import yaml
from django.utils import timezone
from docx import Document as Docx
from tests.factories import at_conference

from thidua.awards import proposals as awards
from thidua.awards import services as facts_services
from thidua.awards.models import Proposal, UnitYearFacts
from thidua.core.models import User
from thidua.demo import loader
from thidua.documents import services as documents
from thidua.law.award_forms import AwardForm
from thidua.org.models import BlocYear
from thidua.org.rules import actor_for
from thidua.voting import services as voting
from thidua.voting.models import Poll

pytestmark = pytest.mark.django_db
GOV, PROV, CERT, EXC = (AwardForm.GOVERNMENT_FLAG.value, AwardForm.PROVINCIAL_FLAG.value,
                        AwardForm.CERTIFICATE_OF_MERIT.value,
                        AwardForm.EXCELLENT_COLLECTIVE.value)
CONFERENCE = datetime.date(2022, 11, 30)
STANDARD = {"targets_exceeded": True, "task_rating": "excellent", "party_rating": "excellent",
            "union_rating": "excellent", "youth_union_rating": "excellent",
            "pending_matter": "none",
            "discipline_level": "none", "negative_inspection": False, "member_count": 40,
            "completed_count": 40, "advanced_worker_count": 32, "emulation_soldier_count": 3,
            "new_model": True, "thrift_anti_corruption_lead": True}
FACTS = {
    "STTTT": {}, "SCT": {}, "QDTPT": {}, "SKHDT": {}, "SKHCN": {},
    # RULES 18 before 2024: the party organisation's rating is no flag criterion, so a
    # party organisation rated «Hoàn thành nhiệm vụ» keeps STC within the flag standard.
    "STC": {"party_rating": "completed"},
    "BQLKCN": {"new_model": False},  # RULES 17 (2003/2013 art. 26): no new model
    "STNMT": {"thrift_anti_corruption_lead": False},  # RULES 17: not leading in thrift
    "SNNPTNT": {"discipline_level": "warning"},  # RULES 19, also for TTLĐXS and Bằng khen
    "SXD": {}, "SGTVT": {}, "BQLDA": {},  # registered late, draft, not at all: RULES 7
}
FLAG_STANDARD = {"STTTT", "SCT", "QDTPT", "SKHDT", "SKHCN", "STC"}
BASES_2022 = [
    "Căn cứ Luật Thi đua, khen thưởng ngày 26 tháng 11 năm 2003;",
    "Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Thi đua, khen thưởng ngày 14 tháng 6 "
    "năm 2005;",
    "Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Thi đua, khen thưởng ngày 16 tháng 11 "
    "năm 2013;",
    "Căn cứ Nghị định số 91/2017/NĐ-CP ngày 31 tháng 7 năm 2017 của Chính phủ quy định chi "
    "tiết thi hành một số điều của Luật Thi đua, khen thưởng;",
    "Căn cứ Thông tư số 12/2019/TT-BNV ngày 04 tháng 11 năm 2019 của Bộ trưởng Bộ Nội vụ quy "
    "định chi tiết thi hành một số điều của Nghị định số 91/2017/NĐ-CP ngày 31 tháng 7 năm "
    "2017 của Chính phủ quy định chi tiết thi hành một số điều của Luật Thi đua, khen "
    "thưởng.",
]


def actor(username):
    return actor_for(User.objects.get(username=username))


def hold_poll(leader, conference, kind, marks, voters, *, award_form="", candidates=None):
    """A poll with voting cards: the first `marks[code]` voters mark each candidate."""
    poll = voting.open_poll(leader, voting.create_poll(
        leader, conference, kind, award_form=award_form, unit_ids=candidates))
    by_code = {c.unit.code: c.id for c in poll.candidates.select_related("unit")}
    cards = {c.card.unit.code: c.token for c in voting.issue_cards(leader, poll)}
    for i, voter in enumerate(voters):
        chosen = [by_code[code] for code, count in marks.items() if i < count]
        voting.cast_with_card(cards[voter], poll.pk, chosen)
    voting.close_poll(leader, Poll.objects.get(pk=poll.pk))
    return voting.publish_poll(leader, Poll.objects.get(pk=poll.pk))


def paragraphs(content: bytes) -> list[str]:
    return [p.text for p in Docx(io.BytesIO(content)).paragraphs]


def legal_bases(lines: list[str]) -> list[str]:
    """The căn cứ block: from the first "Căn cứ" line, while the lines cite a text."""
    start = next(i for i, line in enumerate(lines) if line.startswith("Căn cứ "))
    block = []
    for line in lines[start:]:
        if not line.startswith(("Căn cứ Luật", "Căn cứ Nghị định", "Căn cứ Thông tư")):
            break
        block.append(line)
    return block


def test_nd91_2017_bac_ninh_2022_conference_gives_the_reported_outcome(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    loader.load(today=CONFERENCE)
    bloc_year = BlocYear.objects.select_related("bloc__province", "emulation_year").get(
        bloc__code="KTKT", emulation_year__year=2022)
    units = {m.unit.code: m.unit for m in bloc_year.memberships.select_related("unit")}
    code_of = {u.id: c for c, u in units.items()}
    reported = next(b for b in yaml.safe_load(loader.FIXTURE.read_text(encoding="utf-8"))[
        "blocs"] if b["code"] == "KTKT")["reported_outcome_2022"]
    # RULES 7 under the 2017 book: the 2022 deadline is 31/3/2022.
    assert bloc_year.emulation_year.registration_deadline == datetime.date(2022, 3, 31)

    for code, unit in units.items():
        facts_services.enter_facts(actor(f"canbo.{code.lower()}"), unit,
                                   bloc_year.emulation_year, dict(STANDARD, **FACTS[code]),
                                   note="Báo cáo tổng kết năm 2022 của đơn vị")
    for facts in UnitYearFacts.objects.filter(emulation_year=bloc_year.emulation_year,
                                              unit__in=units.values()).select_related("unit"):
        who = "thuongtruc" if facts.unit.code == "STTTT" else "truongkhoi"
        facts_services.confirm_facts(actor(who), facts)
    bloc_year.phase = "conference"
    bloc_year.save(update_fields=["phase"])

    situation = awards.bloc_situation(actor("truongkhoi"), bloc_year, on_date=CONFERENCE)
    assert situation.rulebook.national.code == "national-2017-nd91"
    assert situation.rulebook.provincial.code == "province-bn-2017"
    eligible = {form: {code_of[u] for (u, f), e in situation.eligibility.items()
                       if f == form and e.eligible} for form in (GOV, PROV, CERT, EXC)}
    on_time = set(units) - {"SXD", "SGTVT", "BQLDA"}
    assert eligible == {
        GOV: {"STTTT"},  # NĐ 91/2017 art. 11.1: leads the bloc and meets the standard
        PROV: FLAG_STANDARD,
        CERT: on_time - {"SNNPTNT"},  # RULES 19 for the Bằng khen in this book
        # RULES 21: unity read from the party rating (STC's «Hoàn thành nhiệm vụ» is short).
        EXC: {"STTTT", "SCT", "QDTPT", "SKHDT", "SKHCN", "BQLKCN", "STNMT"},
    }
    unmet = {(code_of[u], f): e.rules("unmet") for (u, f), e in situation.eligibility.items()
             if e.rules("unmet") and code_of[u] in ("BQLKCN", "STNMT", "SNNPTNT", "STC")}
    assert unmet == {
        ("BQLKCN", GOV): {17, 20}, ("BQLKCN", PROV): {17},
        ("STNMT", GOV): {17, 20}, ("STNMT", PROV): {17},
        ("SNNPTNT", GOV): {19, 20}, ("SNNPTNT", PROV): {19}, ("SNNPTNT", EXC): {19},
        ("SNNPTNT", CERT): {19}, ("STC", GOV): {20}, ("STC", EXC): {21},
    }
    stc = situation.eligibility[(units["STC"].id, PROV)]
    assert 18 not in {c.rule for c in stc.checks}  # no party-organisation criterion
    sentences = {str(c) for c in situation.eligibility[(units["BQLKCN"].id, PROV)].checks}
    assert ("chưa đạt: có nhân tố mới, mô hình mới để các tập thể khác học tập — Điều 26, "
            "Luật Thi đua, khen thưởng 2003 (sửa đổi, bổ sung 2005, 2013)") in sentences
    assert ("được bình xét, so sánh trong khối thi đua của tỉnh — Điều 12, Nghị định "
            "91/2017/NĐ-CP") in sentences
    assert {f: q.count for f, q in situation.quotas.items()} == {GOV: 1, PROV: 2, CERT: 3}

    leader = actor("truongkhoi")
    held_at = timezone.make_aware(datetime.datetime.combine(CONFERENCE, datetime.time(8)))
    at_conference(bloc_year)
    conference = voting.create_conference(
        leader, bloc_year, held_at=held_at, place="Hội trường Sở Thông tin và Truyền thông",
        chair="Giám đốc Sở Thông tin và Truyền thông", secretary="Văn phòng Sở",
        guests="Ban Thi đua – Khen thưởng tỉnh", agenda="Tổng kết; bình xét; bầu Trưởng khối")
    for code, unit in units.items():
        voting.record_attendance(leader, conference, unit.id, present=True,
                                 delegate_name=f"Đại biểu {code}")
    voters = sorted(units)
    certificates = ["SKHDT", "SKHCN", "STC"]
    hold_poll(leader, conference, Poll.Kind.AWARD_PROPOSAL, {"STTTT": 10}, voters,
              award_form=GOV, candidates=[units["STTTT"].id])
    hold_poll(leader, conference, Poll.Kind.AWARD_PROPOSAL, {"SCT": 9, "QDTPT": 8}, voters,
              award_form=PROV, candidates=[units[c].id for c in ["SCT", "QDTPT", "SKHDT"]])
    hold_poll(leader, conference, Poll.Kind.AWARD_PROPOSAL,
              dict(zip(certificates, (11, 9, 8), strict=True)), voters, award_form=CERT,
              candidates=[units[c].id for c in [*certificates, "BQLKCN"]])
    hold_poll(leader, conference, Poll.Kind.LEADER_ELECTION, {reported["leader_2023"]: 8},
              voters)
    hold_poll(leader, conference, Poll.Kind.DEPUTY_ELECTION, {"SCT": 7}, voters)
    election = awards.election_result(bloc_year)
    assert code_of[election.leader_id] == reported["leader_2023"] == "BQLKCN"

    proposal = awards.assemble_proposal(leader, bloc_year)
    assert proposal.conference_date == CONFERENCE
    lines = sorted((line.award_form, code_of[line.unit_id]) for line in proposal.lines.all())
    assert lines == sorted([(GOV, "STTTT"), (PROV, "SCT"), (PROV, "QDTPT"),
                            (CERT, "SKHDT"), (CERT, "SKHCN"), (CERT, "STC")])
    assert ([c for f, c in lines if f == GOV], sorted(c for f, c in lines if f == PROV),
            sum(1 for f, _ in lines if f == CERT)) == (
        reported["government_flag"], sorted(reported["provincial_flag"]),
        reported["certificate_of_merit_count"])
    awards.move_proposal(leader, proposal, "submit")

    # NĐ 91/2017 art. 11.1: 20 % of the 6 collectives meeting the provincial standard (the
    # Government-flag candidate among them) is 1,2 → 1 proposal allowed; 1 proposed.
    cap = awards.province_cap(bloc_year.emulation_year, on_date=CONFERENCE)
    assert (cap.cap.count, cap.proposed, cap.ok) == (1, 1, True)
    assert "Điều 11 khoản 1, Nghị định 91/2017/NĐ-CP" in str(cap.cap.citation)
    proposal = awards.move_proposal(actor("thuongtruc"), Proposal.objects.get(pk=proposal.pk),
                                    "accept")
    assert proposal.state == "accepted"

    # The papers cite the texts in force on their date, the last căn cứ closing with ".".
    letter = paragraphs(documents.draft(leader, "to-trinh", proposal.pk,
                                        on=datetime.date(2022, 12, 2)).content)
    assert legal_bases(letter) == BASES_2022
    assert ("- Báo cáo thành tích của từng tập thể được đề nghị (Mẫu số 01 ban hành kèm "
            "theo Nghị định số 91/2017/NĐ-CP).") in letter
    line = proposal.lines.get(award_form=GOV)
    report = paragraphs(documents.draft(actor("canbo.stttt"),
                                        "bao-cao-thanh-tich", line.pk,
                                        on=datetime.date(2022, 12, 2)).content)
    assert report[0] == "Mẫu số 01 ban hành kèm theo Nghị định số 91/2017/NĐ-CP"
    decision = paragraphs(documents.draft(actor("thuongtruc"), "du-thao-quyet-dinh",
                                          bloc_year.emulation_year.pk,
                                          on=datetime.date(2022, 12, 20)).content)
    bases = legal_bases(decision)
    # Decree 30: the decision's căn cứ run on into "Xét đề nghị …": the last keeps ";".
    assert bases == [*BASES_2022[:-1], BASES_2022[-1][:-1] + ";"]
    assert not any("06/2022" in p or "98/2023" in p for p in letter + report + decision)
