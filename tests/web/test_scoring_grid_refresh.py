"""After an inline save (htmx) the page shows what moved without a reload: the response
carries the row and, out of band, the sums of the row's sections and the sheet's totals
(sheet page), or the grid's cell and the unit's total (appraisal grid). A refused save
answers with the Vietnamese error in the row and keeps what was typed; nothing written
(RULES.md 10, 12)."""

from decimal import Decimal

from thidua.scoring.models import SectionScore

from .page import parse
from .scoring_world import criterion, self_sheet, submitted_self
from .test_scoring_sheets import HTMX, appraisal_setup, row_url, snapshot


def oob(root, element_id):
    element = root.by_id(element_id)
    assert element is not None, element_id
    assert element.attrs.get("hx-swap-oob") == "true", element_id
    return element


def test_sheet_row_save_sends_its_section_sum_and_the_totals_out_of_band(world, as_who):
    _, table, _, sheet = self_sheet(world)
    i2, section = criterion(table, "I.2"), criterion(table, "I")
    page = parse(as_who("officer").get(f"/phieu-cham/{sheet.pk}/"))
    assert page.by_id(f"nhom-{section.pk}").text == "Đạt 22,50"  # I.1 by RULES.md 15
    response = as_who("officer").post(row_url(sheet), {"criterion": i2.pk, "points": "10"},
                                      headers=HTMX)
    assert response.status_code == 200
    root = parse(response)
    assert root.by_id(f"dong-{i2.pk}").with_class("diem-dong")[0].text == "10,00"
    assert oob(root, f"nhom-{section.pk}").text == "Đạt 32,50"
    assert oob(root, "tong-diem").find(id="tong-diem-so").text == "44,50 / 100,00"
    assert root.by_id("tong-cuoi").text == "44,50"
    # Only the row's own sections move; the grid's cells are not sent to the sheet page.
    assert {e.attrs["id"] for e in root.find_all(hx_swap_oob="true")} == {
        "tong-diem", f"nhom-{section.pk}"}
    assert SectionScore.objects.get(sheet=sheet, section=section).points == Decimal("32.50")


def test_a_refused_row_keeps_the_typed_value_and_says_why(world, as_who):
    _, table, _, sheet = self_sheet(world)
    ii1 = criterion(table, "II.1")
    before = snapshot()
    response = as_who("officer").post(row_url(sheet), {"criterion": ii1.pk, "items": "ba"},
                                      headers=HTMX)
    assert response.status_code == 400
    row = parse(response).by_id(f"dong-{ii1.pk}")
    assert row.find("input", name="items").attrs["value"] == "ba"
    errors = [li.text for li in row.with_class("error-summary")[0].find_all("li")]
    assert errors == ["Tiêu chí II.1 “Tiêu chí II.1”: số lỗi phải là số nguyên không âm."]
    assert snapshot() == before


def test_a_save_on_a_submitted_sheet_is_refused_in_place_keeping_the_value(world, as_who):
    bloc_year, table, actors, _ = self_sheet(world)
    sheet = submitted_self(world, actors, bloc_year, "KT1")
    ii1 = criterion(table, "II.1")
    before = snapshot()
    response = as_who("officer").post(row_url(sheet), {"criterion": ii1.pk, "items": "2"},
                                      headers=HTMX)
    assert response.status_code == 409
    row = parse(response).by_id(f"dong-{ii1.pk}")
    assert row.find("input", name="items").attrs["value"] == "2"
    errors = [li.text for li in row.with_class("error-summary")[0].find_all("li")]
    assert errors == ["Phiếu chấm đã gửi, không sửa được nữa."]
    assert snapshot() == before


def test_grid_save_sends_the_grid_cell_and_the_unit_total_out_of_band(world, as_who):
    bloc_year, table, _, sheet = appraisal_setup(world)
    unit = world.units["KT1"]
    i2 = criterion(table, "I.2")
    grid = parse(as_who("leader").get(f"/khoi/{bloc_year.pk}/tham-dinh/"))
    assert grid.by_id(f"o-{unit.pk}-{i2.pk}").text == "10,00"
    assert grid.by_id(f"tong-{unit.pk}").text == "97,50"
    # The editor opened from the grid posts `grid`, so the answer updates the grid.
    editor = parse(as_who("leader").get(f"/phieu-cham/{sheet.pk}/dong/{i2.pk}/",
                                        headers=HTMX))
    assert editor.find("input", name="grid").attrs["value"] == "1"
    response = as_who("leader").post(row_url(sheet), {
        "criterion": i2.pk, "points": "5", "reason": "Hai văn bản chậm", "grid": "1"},
        headers=HTMX)
    assert response.status_code == 200
    root = parse(response)
    assert root.by_id(f"dong-{i2.pk}").with_class("diem-dong")[0].text == "5,00"
    cell = oob(root, f"o-{unit.pk}-{i2.pk}")
    assert cell.text == "5,00 sửa" and cell.has_class("da-sua")
    assert cell.find("a").attrs["hx-get"] == f"/phieu-cham/{sheet.pk}/dong/{i2.pk}/"
    assert oob(root, f"tong-{unit.pk}").text == "92,50"
    assert {e.attrs["id"] for e in root.find_all(hx_swap_oob="true")} == {
        f"o-{unit.pk}-{i2.pk}", f"tong-{unit.pk}"}
    # Table cells stand alone only inside <template> (htmx parses the answer as HTML).
    assert all(t.tag == "template" for t in (cell.parent, root.by_id(f"tong-{unit.pk}").parent))
    sheet.refresh_from_db()
    assert sheet.final == Decimal("92.50")
    # And the grid reloaded shows the same.
    grid = parse(as_who("leader").get(f"/khoi/{bloc_year.pk}/tham-dinh/"))
    assert grid.by_id(f"o-{unit.pk}-{i2.pk}").text == "5,00 sửa"
    assert grid.by_id(f"tong-{unit.pk}").text == "92,50"


def test_grid_save_above_the_maximum_is_refused_in_place(world, as_who):
    _, table, _, sheet = appraisal_setup(world)
    i1 = criterion(table, "I.1")  # computed on the unit's sheet; typed when appraised
    before = snapshot()
    response = as_who("leader").post(row_url(sheet), {
        "criterion": i1.pk, "points": "99", "reason": "Thử", "grid": "1"}, headers=HTMX)
    assert response.status_code == 400
    root = parse(response)
    row = root.by_id(f"dong-{i1.pk}")
    assert row.find("input", name="points").attrs["value"] == "99"
    errors = [li.text for li in row.with_class("error-summary")[0].find_all("li")]
    assert len(errors) == 1 and "99" in errors[0] and "I.1" in errors[0], errors
    assert snapshot() == before
