"""Statistics forms 0601.N (movements) and 0603.N (awards) of Thông tư 02/2023/TT-BNV as
Excel (RULES.md 42), read back with python-calamine: the title block, the headers, the
column codes and the exact counts of the test year; only the province's secretariat."""

import datetime
import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from thidua.awards import proposals
from thidua.core.errors import NotFound
from thidua.documents import statistics

from .award_year import build


def sheet_rows(data: bytes) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert len(book.sheet_names) == 1
    return book.get_sheet_by_index(0).to_python()


@pytest.fixture
def decided(world):
    """The test year: KT and VX (both khối) this year; the province's decision awarding
    the four lines of KT's accepted proposal (KT1's award of last year is not this year's)."""
    award_year = build(world)
    proposals.record_decision(
        world.actor("secretariat"), world.year, number="45/QĐ-UBND",
        decision_date=datetime.date(world.year.year + 1, 1, 10), signer="Phó Chủ tịch",
        awarded=list(award_year.proposal.lines.values_list("id", flat=True)))
    return award_year


def test_rule_42_form_0601_counts_the_bloc_years_as_khoi_movements(world, decided):
    name, data = statistics.statistics_form(world.actor("secretariat"), world.province,
                                            world.year.year, "0601")
    assert name == f"bieu-0601-N-{world.year.year}-BN.xlsx"
    rows = sheet_rows(data)
    assert rows[0][0] == "Biểu số: 0601.N"
    assert rows[1][0] == "SỐ PHONG TRÀO THI ĐUA"
    assert rows[2][0] == f"Năm {world.year.year}"
    assert rows[3][0] == "Đơn vị báo cáo: Ủy ban nhân dân tỉnh Bắc Ninh"
    assert rows[4][0] == "Đơn vị nhận báo cáo: Bộ Nội vụ"
    assert rows[5] == ["STT", "Phạm vi phát động", "Mã số", "Tổng số", "Chia theo thời gian",
                       "", "Chia theo hình thức tổ chức", ""]
    assert rows[6] == ["", "", "", "", "Dưới 1 năm", "Từ 1 năm trở lên", "Thường xuyên",
                       "Theo đợt (chuyên đề)"]
    assert rows[7] == ["A", "B", "C", "1", "2", "3", "4", "5"]
    assert rows[8:] == [
        ["", "Tổng số", "01", 2, 0, 2, 2, 0],
        ["1", "Phong trào thi đua phạm vi toàn tỉnh", "02", 0, 0, 0, 0, 0],
        ["2", "Phong trào thi đua của cụm, khối thi đua", "03", 2, 0, 2, 2, 0],
        ["", "- Cụm thi đua", "04", 0, 0, 0, 0, 0],
        ["", "- Khối thi đua", "05", 2, 0, 2, 2, 0],
        ["3", "Phong trào thi đua của sở, ban, ngành, đoàn thể", "06", 0, 0, 0, 0, 0],
        ["4", "Phong trào thi đua ở cơ sở", "07", 0, 0, 0, 0, 0]]


def test_rule_42_form_0603_counts_the_years_awards_by_form_subject_and_method(world,
                                                                              decided):
    _, data = statistics.statistics_form(world.actor("admin"), world.province,
                                         world.year.year, "0603")
    rows = sheet_rows(data)
    assert rows[0][0] == "Biểu số: 0603.N"
    assert rows[1][0] == "SỐ KHEN THƯỞNG"
    assert rows[5] == ["STT", "Danh hiệu thi đua, hình thức khen thưởng", "Mã số", "Tổng số",
                       "Chia theo đối tượng", "", "Chia theo phương thức khen thưởng", "",
                       ""]
    assert rows[6][4:] == ["Tập thể", "Cá nhân", "Thường xuyên", "Theo đợt (chuyên đề)",
                           "Đột xuất"]
    assert rows[7] == ["A", "B", "C", "1", "2", "3", "4", "5", "6"]
    assert rows[8:] == [
        ["", "Tổng số", "01", 4, 4, 0, 4, 0, 0],
        ["1", "Danh hiệu thi đua", "02", 2, 2, 0, 2, 0, 0],
        ["", "- Cờ thi đua của Chính phủ", "03", 1, 1, 0, 1, 0, 0],
        ["", "- Cờ thi đua của UBND tỉnh", "04", 1, 1, 0, 1, 0, 0],
        ["", "- Tập thể lao động xuất sắc", "05", 0, 0, 0, 0, 0, 0],
        ["2", "Hình thức khen thưởng", "06", 2, 2, 0, 2, 0, 0],
        ["", "- Bằng khen của Chủ tịch UBND tỉnh", "07", 2, 2, 0, 2, 0, 0]]
    # Last year's form counts KT1's provincial flag only.
    _, data = statistics.statistics_form(world.actor("admin"), world.province,
                                         world.year.year - 1, "0603")
    assert sheet_rows(data)[8][3:] == [1, 1, 0, 1, 0, 0]


def test_statistics_forms_for_the_provinces_secretariat_only(world, client_for):
    year = world.year.year
    for name in ("officer", "leader", "other_secretariat", "nobody"):
        with pytest.raises(NotFound):
            statistics.statistics_form(world.actor(name), world.province, year, "0601")
    with pytest.raises(NotFound):
        statistics.statistics_form(world.actor("secretariat"), world.province, year, "0602")
    with pytest.raises(NotFound):
        statistics.statistics_form(world.actor("secretariat"), world.province, 1999, "0601")
    url = reverse("province_statistics", args=["BN", year, "0601"])
    response = client_for(world.users["secretariat"]).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == statistics.CONTENT_TYPE
    assert sheet_rows(response.content)[8][3] == 2
    for name in ("officer", "other_secretariat"):
        assert client_for(world.users[name]).get(url).status_code == 404


def test_rule_42_forms_from_the_demo_province(demo_year):
    """The demo: two khối this year and last; last year's chairman's decision gave the
    Government flag to one unit and the provincial flag to two."""
    from thidua.core.models import User
    from thidua.org.rules import actor_for

    secretariat = actor_for(User.objects.get(username="thuongtruc"))
    province, year = demo_year.bloc.province, demo_year.year
    _, movements = statistics.statistics_form(secretariat, province, year, "0601")
    assert [row[2:] for row in sheet_rows(movements)[8:]] == [
        ["01", 2, 0, 2, 2, 0], ["02", 0, 0, 0, 0, 0], ["03", 2, 0, 2, 2, 0],
        ["04", 0, 0, 0, 0, 0], ["05", 2, 0, 2, 2, 0], ["06", 0, 0, 0, 0, 0],
        ["07", 0, 0, 0, 0, 0]]
    _, awarded = statistics.statistics_form(secretariat, province, year - 1, "0603")
    assert [row[2:] for row in sheet_rows(awarded)[8:]] == [
        ["01", 3, 3, 0, 3, 0, 0], ["02", 3, 3, 0, 3, 0, 0], ["03", 1, 1, 0, 1, 0, 0],
        ["04", 2, 2, 0, 2, 0, 0], ["05", 0, 0, 0, 0, 0, 0], ["06", 0, 0, 0, 0, 0, 0],
        ["07", 0, 0, 0, 0, 0, 0]]
    _, this_year = statistics.statistics_form(secretariat, province, year, "0603")
    assert sheet_rows(this_year)[8][3:] == [0, 0, 0, 0, 0, 0]
