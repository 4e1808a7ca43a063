"""Issue 14, "citations right": every document kind × every legal period, with the căn cứ
it prints and the dossier form it names (RULES.md 41), from the rulebook of the
document's date — no trailing ";" on the last căn cứ (";" only in the decision, where
"Xét đề nghị …" follows), and a date no period covers refused in Vietnamese (422)."""

import datetime
import io

import pytest
from docx import Document as Docx

from thidua.documents import engine, services
from thidua.documents.kinds import KINDS
from thidua.law.rulebooks import RulebookNotFound
from thidua.pledges.models import Registration

from .award_year import build

D = datetime.date
# One date in each period (national book, and the circular's change inside the 2025 one).
PERIODS = {
    "2017–2023 (NĐ 91/2017)": D(2022, 11, 30),
    "2024–6/2025 (NĐ 98/2023)": D(2024, 12, 20),
    "7/2025–4/8/2025 (NĐ 152/2025, TT 01/2024)": D(2025, 7, 20),
    "from 5/8/2025 (NĐ 152/2025, TT 15/2025)": D(2025, 12, 20),
}
LAW_2003 = [
    "Căn cứ Luật Thi đua, khen thưởng ngày 26 tháng 11 năm 2003",
    "Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Thi đua, khen thưởng ngày 14 tháng 6 "
    "năm 2005",
    "Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Thi đua, khen thưởng ngày 16 tháng 11 "
    "năm 2013",
    "Căn cứ Nghị định số 91/2017/NĐ-CP ngày 31 tháng 7 năm 2017 của Chính phủ quy định chi "
    "tiết thi hành một số điều của Luật Thi đua, khen thưởng",
    "Căn cứ Thông tư số 12/2019/TT-BNV ngày 04 tháng 11 năm 2019 của Bộ trưởng Bộ Nội vụ quy "
    "định chi tiết thi hành một số điều của Nghị định số 91/2017/NĐ-CP ngày 31 tháng 7 năm "
    "2017 của Chính phủ quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng",
]
LAW_2022 = "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022"
ND_98 = ("Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định "
         "chi tiết thi hành một số điều của Luật Thi đua, khen thưởng")
TT_01 = ("Căn cứ Thông tư số 01/2024/TT-BNV ngày 24 tháng 02 năm 2024 của Bộ trưởng Bộ Nội vụ "
         "quy định biện pháp thi hành Luật Thi đua, khen thưởng và Nghị định số 98/2023/NĐ-CP "
         "ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi tiết thi hành một số điều của "
         "Luật Thi đua, khen thưởng")
ND_152 = ("Căn cứ Nghị định số 152/2025/NĐ-CP ngày 14 tháng 6 năm 2025 của Chính phủ quy định "
          "về phân cấp, phân quyền trong lĩnh vực thi đua, khen thưởng; quy định chi tiết và "
          "hướng dẫn thi hành một số điều của Luật Thi đua, khen thưởng")
TT_15 = ("Căn cứ Thông tư số 15/2025/TT-BNV ngày 04 tháng 8 năm 2025 của Bộ trưởng Bộ Nội vụ "
         "quy định biện pháp để tổ chức, hướng dẫn thi hành Luật Thi đua, khen thưởng và Nghị "
         "định số 152/2025/NĐ-CP ngày 14 tháng 6 năm 2025 của Chính phủ quy định về phân cấp, "
         "phân quyền trong lĩnh vực thi đua, khen thưởng; quy định chi tiết và hướng dẫn thi "
         "hành một số điều của Luật Thi đua, khen thưởng")
BASES = {
    "2017–2023 (NĐ 91/2017)": LAW_2003,
    "2024–6/2025 (NĐ 98/2023)": [LAW_2022, ND_98, TT_01],
    "7/2025–4/8/2025 (NĐ 152/2025, TT 01/2024)": [LAW_2022, ND_152, TT_01],
    "from 5/8/2025 (NĐ 152/2025, TT 15/2025)": [LAW_2022, ND_152, TT_15],
}
# RULES.md 41: the achievement report's form number by period (None: not numbered).
REPORT_FORM = {
    "2017–2023 (NĐ 91/2017)": "Mẫu số 01 ban hành kèm theo Nghị định số 91/2017/NĐ-CP",
    "2024–6/2025 (NĐ 98/2023)": "Mẫu số 02 ban hành kèm theo Nghị định số 98/2023/NĐ-CP",
    "7/2025–4/8/2025 (NĐ 152/2025, TT 01/2024)": None,
    "from 5/8/2025 (NĐ 152/2025, TT 15/2025)": None,
}
# Which kinds print căn cứ (their templates have the block) — the ballots, voting cards
# and the achievement report do not.
WITH_BASES = {"dang-ky", "giao-uoc", "tu-cham", "xep-hang", "to-trinh", "du-thao-quyet-dinh",
              "quyet-dinh", "kiem-phieu", "bien-ban-hop"}


def expected(period, slug):
    lines = BASES[period]
    last = ";" if slug == "du-thao-quyet-dinh" else "."
    return [line + ";" for line in lines[:-1]] + [lines[-1] + last]


def test_which_kinds_print_legal_bases():
    assert {slug for slug, kind in KINDS.items()
            if "legal_bases" in engine.template_variables(kind.template)} == WITH_BASES


@pytest.fixture
def subjects(world):
    award_year = build(world)
    registration = Registration.objects.filter(bloc_year=award_year.bloc_year).order_by(
        "unit__code").first()
    leader, secretariat = world.actor("leader"), world.actor("secretariat")
    line = award_year.proposal.lines.get(unit=world.units["KT1"])
    return {
        "dang-ky": (registration.pk, world.actor("secretariat")),
        "giao-uoc": (award_year.bloc_year.pk, leader),
        "xep-hang": (award_year.bloc_year.pk, leader),
        "to-trinh": (award_year.proposal.pk, leader),
        "du-thao-quyet-dinh": (world.year.pk, secretariat),
        "bao-cao-thanh-tich": (line.pk, secretariat),
    }


@pytest.mark.django_db
def test_every_document_kind_cites_the_texts_of_its_period(subjects):
    """Kind × period → the căn cứ lines (tu-cham, kiem-phieu, bien-ban-hop print the same
    block through the same function: their subjects are built in their own tests)."""
    seen = {}
    for period, on in PERIODS.items():
        for slug, (pk, actor) in subjects.items():
            kind = KINDS[slug]
            context = kind.context(actor, kind.load(actor, pk), on)
            if slug in WITH_BASES:
                seen[(slug, period)] = context["legal_bases"]
            else:
                seen[(slug, period)] = context["form_line"] or None
    assert seen == {
        (slug, period): (expected(period, slug) if slug in WITH_BASES
                         else REPORT_FORM[period])
        for period in PERIODS for slug in subjects}


@pytest.mark.django_db
def test_rule_41_the_period_names_the_report_form_on_the_paper(subjects):
    pk, actor = subjects["bao-cao-thanh-tich"]
    doc = Docx(io.BytesIO(services.draft(
        actor, "bao-cao-thanh-tich", pk, on=PERIODS["2024–6/2025 (NĐ 98/2023)"]).content))
    assert doc.paragraphs[0].text == "Mẫu số 02 ban hành kèm theo Nghị định số 98/2023/NĐ-CP"
    doc = Docx(io.BytesIO(services.draft(
        actor, "bao-cao-thanh-tich", pk, on=D(2026, 1, 5)).content))
    assert not doc.paragraphs[0].text.startswith("Mẫu số")


@pytest.mark.django_db
def test_a_document_dated_outside_every_period_is_refused_422(subjects):
    pk, actor = subjects["to-trinh"]
    with pytest.raises(RulebookNotFound) as caught:
        services.draft(actor, "to-trinh", pk, on=D(2016, 12, 1))
    assert caught.value.status == 422
    assert caught.value.messages[0].startswith(
        "Không có bộ quy tắc quốc gia có hiệu lực ngày 01/12/2016")
    assert "15/09/2017 – 31/12/2023" in caught.value.messages[0]
