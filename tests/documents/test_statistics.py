"""Statistics forms 0601.N–0605.N of Thông tư 02/2023/TT-BNV as Excel (RULES.md 42), read
back with python-calamine: the title block (form number, circular, reporting and
receiving units, year), the header levels, the column codes and the exact figures of the
test year and of the demo; the period decides which forms exist (a 2022 year is refused
with 422 naming the periods); only the province's secretariat, by page and by API."""

import datetime
import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from thidua.awards import proposals
from thidua.core.errors import NotFound
from thidua.documents import statistics
from thidua.org import services as org_services

from .award_year import build

_ = ""  # a blank cell: a heading line, or a figure thidua does not record


def sheet_rows(data: bytes) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert len(book.sheet_names) == 1
    return book.get_sheet_by_index(0).to_python()


def table(rows: list[list]) -> tuple[list, list[list]]:
    """(the row of column codes, the body lines below it)."""
    at = next(i for i, row in enumerate(rows) if row[:2] == ["A", "B"])
    end = next(i for i in range(at + 1, len(rows)) if rows[i][0].startswith("Ô để trống")
               or not any(rows[i]))
    return rows[at], rows[at + 1:end]


def form(world, year, number, actor="secretariat") -> list[list]:
    name, data = statistics.statistics_form(world.actor(actor), world.province, year, number)
    return sheet_rows(data)


@pytest.fixture
def decided(world):
    """The test year: KT and VX (both khối) this year; the province's decision awarding
    the four lines of KT's accepted proposal — a Government flag, a provincial flag and
    two Bằng khen (KT1's provincial flag of last year is last year's)."""
    award_year = build(world)
    proposals.record_decision(
        world.actor("secretariat"), world.year, number="45/QĐ-UBND",
        decision_date=datetime.date(world.year.year + 1, 1, 10), signer="Phó Chủ tịch",
        awarded=list(award_year.proposal.lines.values_list("id", flat=True)))
    return award_year


def test_rule_42_form_0601_counts_each_bloc_year_as_a_yearly_bloc_movement(world, decided):
    name, data = statistics.statistics_form(world.actor("secretariat"), world.province,
                                            world.year.year, "0601")
    assert name == f"bieu-0601-N-{world.year.year}-BN.xlsx"
    rows = sheet_rows(data)
    assert rows[0] == ["Biểu số: 0601.N/BNV-TĐKT", _,
                       "Đơn vị báo cáo: Ủy ban nhân dân tỉnh Bắc Ninh", _, _, _]
    assert rows[1] == ["Ban hành theo Thông tư số 02/2023/TT-BNV ngày 23/3/2023", _,
                       "Đơn vị nhận báo cáo: Bộ Nội vụ", _, _, _]
    assert rows[2][0] == "Ngày nhận báo cáo: Ngày 15 tháng 12 năm báo cáo"
    assert rows[4][0] == "SỐ PHONG TRÀO THI ĐUA"
    assert rows[5][0] == f"Năm {world.year.year}"
    assert rows[6][0] == "Đơn vị tính: Phong trào"
    assert rows[8] == [_, "Mã số", "Tổng số",
                       "Số phong trào thi đua chia theo cấp chủ trì phát động thi đua", _, _]
    assert rows[9][3:] == [
        "Cấp Trung ương (Hội đồng Thi đua - Khen thưởng Trung ương)",
        "Cấp bộ, ban, ngành, đoàn thể trung ương, tỉnh, thành phố trực thuộc trung ương",
        "Cơ quan, tổ chức, đơn vị"]
    codes, body = table(rows)
    assert codes == ["A", "B", "1=(2+3+4)", "2", "3", "4"]
    assert body == [
        ["Tổng số", "01", 2, 0, 0, 2],
        ["1. Chia theo phạm vi tổ chức thi đua", _, _, _, _, _],
        ["- Toàn quốc", "02", 0, 0, 0, 0],
        ["- Bộ, ban, ngành, đoàn thể, địa phương", "03", 0, 0, 0, 0],
        ["- Cụm, khối thi đua do Hội đồng Thi đua - Khen thưởng các cấp tổ chức", "04",
         2, 0, 0, 2],
        ["- Cơ quan, tổ chức, đơn vị", "05", 0, 0, 0, 0],
        ["2. Chia theo thời hạn thi đua", _, _, _, _, _],
        ["- Dưới 1 năm", "06", 0, 0, 0, 0],
        ["- 1 năm", "07", 2, 0, 0, 2],
        ["- Từ 1 năm đến dưới 3 năm", "08", 0, 0, 0, 0],
        ["- Từ 3 năm đến dưới 5 năm", "09", 0, 0, 0, 0],
        ["- Từ 5 năm trở lên", "10", 0, 0, 0, 0],
        ["3. Chia theo phương thức tổ chức phong trào thi đua", _, _, _, _, _],
        ["- Thi đua theo chuyên đề", "11", 0, 0, 0, 0],
        ["- Thi đua thường xuyên hằng năm", "12", 2, 0, 0, 2]]
    # Every cell is counted: no note about cells left to fill in.
    assert not any(str(row[0]).startswith("Ô để trống") for row in rows)


def test_rule_42_form_0602_counts_the_government_flag_among_state_awards(world, decided):
    rows = form(world, world.year.year, "0602")
    assert rows[4][0] == "SỐ LƯỢNG KHEN THƯỞNG CẤP NHÀ NƯỚC"
    assert rows[8][:5] == [_, "Mã số", "Đơn vị tính", "Tổng số", "Chia ra"]
    assert rows[9][4:] == ["Các loại huân chương, huy chương", _, "Giải thưởng Hồ Chí Minh",
                           "Giải thưởng Nhà nước", "Danh hiệu vinh dự nhà nước", _,
                           "Cờ thi đua của Chính phủ", "Bằng khen của Thủ tướng Chính phủ", _,
                           "Chiến sĩ thi đua toàn quốc", "Các hình thức khen thưởng khác", _]
    assert rows[10][4:] == ["Tập thể", "Cá nhân", "Cá nhân", "Cá nhân", "Tập thể", "Cá nhân",
                            "Tập thể", "Tập thể", "Cá nhân", "Cá nhân", "Tập thể", "Cá nhân"]
    codes, body = table(rows)
    assert codes == ["A", "B", "C", "1", "2", _, "3", "4", "5", _, "6", "7", _, "8", "9", _]
    blank = [_] * 6
    gov = lambda n: [n, *blank, n, *[_] * 5]  # noqa: E731 - total, six blanks, Cờ CP, five
    assert [row[:3] for row in body] == [
        ["Tổng số", "01", _],
        ["1. Chia theo đơn vị ban hành tờ trình Thủ tướng Chính phủ về khen thưởng", _, _],
        ["- Bộ, ban, ngành, đoàn thể Trung ương", "02", "Bộ, ngành"],
        ["- Tỉnh, thành phố trực thuộc Trung ương", "03", "Tỉnh, TP"],
        ["2. Chia theo đối tượng khen thưởng", _, _],
        ["- Tập thể", "06", "Tập thể"], ["Trong đó: Doanh nghiệp", "07", "Doanh nghiệp"],
        ["- Hộ gia đình", "08", "Hộ"], ["- Cá nhân", "09", "Người"],
        ["+ Lãnh đạo cấp bộ, cấp tỉnh và tương đương trở lên", "10", "Người"],
        ["+ Lãnh đạo cấp vụ, sở, ngành và tương đương", "11", "Người"],
        ["+ Doanh nhân", "12", "Người"],
        ["+ Các cấp lãnh đạo khác từ phó phòng trở lên", "13", "Người"],
        ["+ Người trực tiếp công tác, lao động, học tập, chiến đấu và phục vụ chiến đấu "
         "(công nhân, nông dân, ...)", "14", "Người"],
        ["3. Chia theo phương thức khen thưởng", _, _],
        ["- Thường xuyên", "15", _], ["- Chuyên đề", "16", _], ["- Đột xuất", "17", _],
        ["- Đối ngoại", "18", _], ["- Cống hiến", "19", _], ["- Niên hạn", "20", _],
        ["- Kháng chiến", "21", _]]
    figures = {row[1]: row[3:] for row in body if row[1]}
    assert figures["01"] == gov(1)
    assert figures["02"] == gov(0)
    assert figures["03"] == gov(1)
    assert figures["06"] == gov(1)
    assert figures["07"] == [_] * 13  # enterprises: not recorded
    assert figures["08"] == figures["09"] == gov(0)
    assert figures["10"] == [_] * 13
    assert figures["15"] == gov(1)
    assert all(figures[code] == gov(0) for code in ("16", "17", "18", "19", "20", "21"))
    assert any(str(row[0]).startswith("Ô để trống: thidua không ghi nhận") for row in rows)


def test_rule_42_form_0603_counts_the_provinces_flags_and_certificates(world, decided):
    rows = form(world, world.year.year, "0603", actor="admin")
    assert rows[4][0] == ("SỐ LƯỢNG KHEN THƯỞNG CẤP BỘ, BAN, NGÀNH, ĐOÀN THỂ TRUNG ƯƠNG VÀ "
                          "TỈNH, THÀNH PHỐ TRỰC THUỘC TRUNG ƯƠNG")
    assert rows[9][4:] == [
        "Bằng khen", "Chiến sĩ thi đua cấp bộ, cấp tỉnh",
        "Cờ thi đua của bộ, ban, ngành, đoàn thể Trung ương, tỉnh, thành phố trực thuộc "
        "Trung ương",
        "Huy hiệu (kỷ niệm chương) của bộ, ban, ngành, đoàn thể Trung ương, tỉnh, thành phố "
        "trực thuộc Trung ương"]
    codes, body = table(rows)
    assert codes == ["A", "B", "C", "1", "2", "3", "4", "5"]
    figures = {row[1]: row[3:] for row in body if row[1]}
    # Two Bằng khen and one provincial flag; the Government flag is 0602.N's, Tập thể lao
    # động xuất sắc no column of 0603.N.
    assert figures["01"] == figures["02"] == figures["11"] == [3, 2, _, 1, _]
    assert figures["03"] == [_] * 5
    assert figures["04"] == figures["05"] == figures["12"] == [0, 0, _, 0, _]
    assert [row[0] for row in body if not row[1]] == [
        "1. Chia theo đối tượng khen thưởng", "2. Chia theo phương thức khen thưởng"]
    # Last year's form counts KT1's provincial flag only (recorded as a past award).
    name, last = table(form(world, world.year.year - 1, "0603"))
    assert last[0][3:] == [1, 0, _, 1, _]


def test_rule_42_forms_0604_and_0605_are_laid_out_to_fill_in(world, decided):
    codes, body = table(form(world, world.year.year, "0604"))
    assert codes == ["A", "B", "C", "1"]
    assert body[0] == ["Tổng số", "01", "Tổ chức", _]
    assert [row[1] for row in body] == ["01", _, "02", "03", "04", "05"]
    assert all(row[3] == _ for row in body)
    rows = form(world, world.year.year, "0605")
    assert rows[6][0] == "Đơn vị tính: Người"
    codes, body = table(rows)
    assert codes == ["A", "B", "1", "2"]
    assert rows[9][2:] == ["Tổng số", "Trong đó: Nữ"]
    assert [row[1] for row in body if row[1]] == [f"{n:02d}" for n in range(1, 16)]
    assert all(row[2:] == [_, _] for row in body)


def test_rule_42_the_period_decides_the_forms_and_a_year_before_it_gets_422(world, decided):
    assert [s.key for s in statistics.forms_for(world.year.year)] == [
        "0601", "0602", "0603", "0604", "0605"]
    assert statistics.forms_for(2022) == []
    org_services.ensure_year(world.actor("admin"), world.province, 2022)
    with pytest.raises(statistics.NoStatisticsPeriod) as refused:
        statistics.statistics_form(world.actor("secretariat"), world.province, 2022, "0601")
    assert refused.value.status == 422
    assert refused.value.messages == [
        "Năm 2022 chưa có biểu thống kê thi đua, khen thưởng trong thidua (các năm trước "
        "2023 báo cáo theo Thông tư 03/2018/TT-BNV, thidua không lập). Biểu thống kê có: "
        "từ năm 2023 trở đi (Thông tư số 02/2023/TT-BNV ngày 23/3/2023)."]


def test_statistics_forms_for_the_provinces_secretariat_only(world, decided, client_for):
    year = world.year.year
    for name in ("officer", "leader", "other_secretariat", "nobody"):
        with pytest.raises(NotFound):
            statistics.statistics_form(world.actor(name), world.province, year, "0601")
    with pytest.raises(NotFound):
        statistics.statistics_form(world.actor("secretariat"), world.province, year, "0606")
    with pytest.raises(NotFound):
        statistics.statistics_form(world.actor("secretariat"), world.province, 1999, "0601")
    url = reverse("province_statistics", args=["BN", year, "0602"])
    response = client_for(world.users["secretariat"]).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == statistics.CONTENT_TYPE
    assert table(sheet_rows(response.content))[1][0][3] == 1
    for name in ("officer", "other_secretariat"):
        assert client_for(world.users[name]).get(url).status_code == 404
    bad = reverse("province_statistics", args=["BN", year, "9999"])
    assert client_for(world.users["secretariat"]).get(bad).status_code == 404


def test_rule_42_the_province_page_shows_each_forms_total(world, decided, client_for):
    page = client_for(world.users["secretariat"]).get(
        reverse("province_documents", args=["BN", world.year.year]))
    assert page.status_code == 200
    text = page.content.decode()
    for number, total in (("0601", "2"), ("0602", "1"), ("0603", "3")):
        assert (f'<td data-label="Biểu số">{number}.N/BNV-TĐKT</td>') in text
        assert f'<td data-label="Tổng số">{total}</td>' in text
    assert text.count("đơn vị tự điền") == 2  # 0604.N and 0605.N


def test_rule_42_the_api_lists_and_serves_the_forms(world, decided, client_for):
    client = client_for(world.users["secretariat"])
    base = f"/api/v1/provinces/BN/years/{world.year.year}/statistics"
    listed = client.get(base)
    assert listed.status_code == 200
    assert [(f["form"], f["number"], f["total"]) for f in listed.json()] == [
        ("0601", "0601.N/BNV-TĐKT", 2), ("0602", "0602.N/BNV-TĐKT", 1),
        ("0603", "0603.N/BNV-TĐKT", 3), ("0604", "0604.N/BNV-TĐKT", None),
        ("0605", "0605.N/BNV-TĐKT", None)]
    download = client.get(listed.json()[2]["xlsx_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        f'attachment; filename="bieu-0603-N-{world.year.year}-BN.xlsx"')
    assert table(sheet_rows(download.content))[1][0][3:] == [3, 2, _, 1, _]
    assert client.get(f"{base}/0609.xlsx").status_code == 404
    assert client_for(world.users["other_secretariat"]).get(base).status_code == 404
    org_services.ensure_year(world.actor("admin"), world.province, 2022)
    refused = client_for(world.users["secretariat"]).get(
        "/api/v1/provinces/BN/years/2022/statistics/0601.xlsx")
    assert refused.status_code == 422
    assert "Biểu thống kê có: từ năm 2023 trở đi" in refused.json()["detail"]


def test_rule_42_forms_from_the_demo_province(demo_year):
    """The demo: its blocs this year; last year's chairman's decision gave the Government
    flag to one unit and the provincial flag to two."""
    from thidua.core.models import User
    from thidua.org.models import BlocYear
    from thidua.org.rules import actor_for

    secretariat = actor_for(User.objects.get(username="thuongtruc"))
    province, year = demo_year.bloc.province, demo_year.year
    blocs = BlocYear.objects.filter(emulation_year=demo_year.emulation_year).count()
    name, movements = statistics.statistics_form(secretariat, province, year, "0601")
    assert table(sheet_rows(movements))[1][0] == ["Tổng số", "01", blocs, 0, 0, blocs]
    name, state = statistics.statistics_form(secretariat, province, year - 1, "0602")
    assert table(sheet_rows(state))[1][0][3] == 1
    name, awarded = statistics.statistics_form(secretariat, province, year - 1, "0603")
    assert table(sheet_rows(awarded))[1][0][3:] == [2, 0, _, 2, _]
    name, this_year = statistics.statistics_form(secretariat, province, year, "0603")
    assert table(sheet_rows(this_year))[1][0][3:] == [0, 0, _, 0, _]


def test_rule_42_from_2025_the_page_says_a_newer_circular_is_not_verified(world, decided,
                                                                           client_for):
    """Thông tư 18/2025/TT-BNV (08/10/2025) exists and its forms are not verified: the page
    of a year from 2025 says so above the forms; 2024 and earlier years carry no such note."""
    assert statistics.note_for(2024) == "" and statistics.note_for(2022) == ""
    note = statistics.note_for(2025)
    assert note.startswith("Thông tư số 18/2025/TT-BNV ngày 08/10/2025 của Bộ Nội vụ")
    assert note == statistics.note_for(world.year.year)  # the world's year is from 2026
    page = client_for(world.users["secretariat"]).get(
        reverse("province_documents", args=["BN", world.year.year])).content.decode()
    assert f'<p role="note" id="luu-y-thong-ke"><strong>Lưu ý:</strong> {note}</p>' in page


def test_rule_42_the_api_and_every_sheet_carry_the_note_the_page_shows(world, decided,
                                                                        client_for):
    """One note, `statistics.note_for`: for a 2025 year the page, each form of the API's
    answer and the "Lưu ý" line of each form's sheet (above the table) carry exactly it;
    a 2024 year's carry none."""
    from tests.web.page import parse

    for year in (2025, 2024):
        org_services.ensure_year(world.actor("admin"), world.province, year)
    client = client_for(world.users["secretariat"])
    note = statistics.note_for(2025)
    assert note.startswith("Thông tư số 18/2025/TT-BNV") and statistics.note_for(2024) == ""
    for year, expected in ((2025, note), (2024, "")):
        page = parse(client.get(reverse("province_documents", args=["BN", year])))
        shown = page.by_id("luu-y-thong-ke")
        assert (shown.text if shown else "") == (f"Lưu ý: {expected}" if expected else "")
        listed = client.get(f"/api/v1/provinces/BN/years/{year}/statistics").json()
        assert [(f["form"], f["note"]) for f in listed] == [
            (key, expected) for key in ("0601", "0602", "0603", "0604", "0605")]
        for item in listed:
            rows = sheet_rows(client.get(item["xlsx_url"]).content)
            assert rows[7][0] == (f"Lưu ý: {expected}" if expected else _), (year, item)
            notes = [cell for row in rows for cell in row if str(cell).startswith("Lưu ý")]
            assert notes == ([f"Lưu ý: {expected}"] if expected else [])
            assert table(rows)[0][:2] == ["A", "B"]  # the table is where it was


def test_the_statistics_answer_matches_its_openapi_schema(world, decided, client_for):
    """The answer's fields are exactly the schema's, `note` a required string."""
    client = client_for(world.users["secretariat"])
    schema = client.get("/api/openapi.json").json()
    answer = (schema["paths"]["/api/v1/provinces/{code}/years/{year}/statistics"]["get"]
              ["responses"]["200"]["content"]["application/json"]["schema"])
    form_schema = schema["components"]["schemas"][answer["items"]["$ref"].split("/")[-1]]
    listed = client.get(f"/api/v1/provinces/BN/years/{world.year.year}/statistics").json()
    assert set(listed[0]) == set(form_schema["properties"]) == set(form_schema["required"])
    assert form_schema["properties"]["note"]["type"] == "string"
