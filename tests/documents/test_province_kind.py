"""LEGAL-REVIEW R2 (issue 14): a centrally-run city (thành phố trực thuộc trung ương, 6 of
the 34 from 1/7/2025) is named as a city on every paper that names the authority — "UBND
THÀNH PHỐ …", "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ …", the city's Council, the statistics
header, the award papers' "Cờ thi đua của UBND thành phố" — and a province keeps "tỉnh"
(RULES.md 35)."""

import io

import pytest
from python_calamine import CalamineWorkbook

from thidua.documents import statistics
from thidua.documents.kind import common_context
from thidua.documents.kinds import KINDS
from thidua.exchange import export
from thidua.org.models import Province

from .award_year import ON, build


def context(world, slug, pk, actor):
    kind = KINDS[slug]
    subject = kind.load(world.actor(actor), pk)
    return common_context(kind, subject, number=None, on=ON) | kind.context(
        world.actor(actor), subject, ON)


@pytest.fixture
def city(world):
    award_year = build(world)
    Province.objects.filter(pk=world.province.pk).update(name="Hải Phòng",
                                                         kind=Province.Kind.THANH_PHO)
    world.province.refresh_from_db()
    return award_year


@pytest.mark.django_db
def test_rule_35_a_city_is_named_thanh_pho_on_its_papers(world, city):
    letter = context(world, "to-trinh", city.proposal.pk, "leader")
    assert letter["parent_agency"] == "UBND THÀNH PHỐ HẢI PHÒNG"
    assert letter["addressee"] == "Kính gửi: Hội đồng Thi đua - Khen thưởng thành phố Hải Phòng."
    assert any("trình Chủ tịch Ủy ban nhân dân thành phố Hải Phòng khen thưởng" in line
               for line in letter["closing"])
    # The award names follow too: the city's flag and its chairman's certificate.
    assert [row["form"] for row in letter["proposed"]] == [
        "Cờ thi đua của Chính phủ", "Cờ thi đua của UBND thành phố",
        "Bằng khen của Chủ tịch UBND thành phố", "Bằng khen của Chủ tịch UBND thành phố"]
    decision = context(world, "du-thao-quyet-dinh", world.year.pk, "secretariat")
    assert decision["subject"] == ("Về việc tặng Cờ thi đua của UBND thành phố, Bằng khen "
                                   f"của Chủ tịch UBND thành phố năm {world.year.year}")
    assert (decision["parent_agency"], decision["issuing_agency"], decision["authority"]) == (
        "ỦY BAN NHÂN DÂN", "THÀNH PHỐ HẢI PHÒNG", "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG")
    assert decision["considering"].endswith("cụm, khối thi đua của thành phố năm "
                                            f"{world.year.year}.")
    assert "- Chủ tịch, các Phó Chủ tịch UBND thành phố;" in decision["recipients"]
    assert not any("tỉnh" in line for line in (
        decision["authority"], decision["considering"], *decision["recipients"][:2]))
    _, data = statistics.statistics_form(world.actor("secretariat"), world.province,
                                         world.year.year, "0603")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert "Đơn vị báo cáo: Ủy ban nhân dân thành phố Hải Phòng" in rows[0]


@pytest.mark.django_db
def test_rule_35_a_province_keeps_tinh(world):
    award_year = build(world)
    assert world.province.kind == Province.Kind.TINH
    letter = context(world, "to-trinh", award_year.proposal.pk, "leader")
    assert letter["parent_agency"] == "UBND TỈNH BẮC NINH"
    assert "Cờ thi đua của UBND tỉnh" in [row["form"] for row in letter["proposed"]]
    decision = context(world, "du-thao-quyet-dinh", world.year.pk, "secretariat")
    assert decision["authority"] == "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH BẮC NINH"


@pytest.mark.django_db
def test_the_province_kind_travels_in_the_export(world):
    Province.objects.filter(pk=world.province.pk).update(kind=Province.Kind.THANH_PHO)
    document = export.export_province(world.province.code)
    [row] = document["sections"]["province"]
    assert (row["code"], row["kind"]) == (world.province.code, "thanh_pho")
