"""Excel export and import of criteria tables and score sheets (issue 3 item 2): round trips
change nothing; broken workbooks are refused whole, naming sheet, row and column, with
nothing written (RULES.md 9, 10 checked by the same services as typed input)."""

from decimal import Decimal

import pytest

from thidua.core.errors import Conflict, Forbidden
from thidua.core.evidence import Upload
from thidua.core.models import AuditEvent
from thidua.scoring import exporters, importers, services
from thidua.scoring.models import CriteriaTable, Criterion, Score, ScoreSheet

from .excel import edit, nfd, read, row_of, write, zip_bomb
from .flow import entries_for, import_par, prepare

TABLE, SHEET = exporters.TABLE_SHEET, exporters.SCORE_SHEET


def snapshot():
    """Everything an import could write."""
    return (AuditEvent.objects.count(), CriteriaTable.objects.count(),
            sorted(Criterion.objects.values_list("id", "code", "title", "max_points")),
            sorted(Score.objects.values_list("id", "points", "note", "raw")),
            sorted(ScoreSheet.objects.values_list("id", "final")))


def keys(table):
    return [importers._key(c) for c in services.criteria_inputs(table)]


@pytest.fixture
def scoring(world):
    bloc_year, table, actors = prepare(world)
    return world, bloc_year, table, actors


@pytest.fixture
def self_sheet(scoring):
    world, bloc_year, table, actors = scoring
    import_par(world, bloc_year)
    sheet = services.open_self_assessment(actors["KT1"], bloc_year, world.units["KT1"])
    services.set_scores(actors["KT1"], sheet, {
        **entries_for("KT1", 0), "II.3": {"count": 3, "note": "Ba điển hình"}})
    sheet.refresh_from_db()
    return sheet


# --- criteria table ---------------------------------------------------------------------

def test_table_export_layout(scoring):
    world, bloc_year, table, _ = scoring
    rows = read(exporters.export_table(table))[TABLE]
    assert rows[0][:2] == ["Tên bảng", "Bảng tiêu chí 2026"]
    assert rows[1][:2] == ["Tổng điểm", 100]
    assert rows[4] == list(exporters.TABLE_HEADERS)
    assert rows[5][:7] == ["I", "", "Nhóm I", 50, "", "Có", "Không"]
    assert rows[7][:8] == ["I.2", "I", "Tiêu chí I.2", 10, "Chấm theo mức", "Không", "Không",
                           "0; 5; 10"]
    assert [r[0] for r in rows[5:]] == [c.code for c in table.criteria.order_by("position")]


def test_table_round_trip_unchanged_then_into_another_bloc_year(scoring):
    world, bloc_year, table, _ = scoring
    content = exporters.export_table(table)
    before = snapshot()
    result = importers.import_table(world.actor("leader"), bloc_year, "bang.xlsx", content)
    assert result.action == "unchanged" and result.table == table
    assert snapshot() == before  # nothing written, not even an audit event
    # The same workbook sets up another bloc's year: the same criteria exactly.
    vx = world.bloc_years["VX"]
    created = importers.import_table(world.actor("secretariat"), vx, "bang.xlsx", content)
    assert created.action == "created"
    assert keys(created.table) == keys(table)
    assert (created.table.name, created.table.total) == ("Bảng tiêu chí 2026", Decimal(100))
    assert AuditEvent.objects.filter(action="scoring.table.create",
                                     object_id=str(created.table.id)).count() == 1
    # And its export is the same workbook, cell for cell, but for the bloc line.
    again = read(exporters.export_table(created.table))[TABLE]
    first = read(content)[TABLE]
    assert again[:2] == first[:2] and again[3:] == first[3:]


def test_table_edit_replaces_unlocked_and_new_version_of_locked(scoring):
    world, bloc_year, table, actors = scoring
    content = exporters.export_table(table)
    row = row_of(content, TABLE, "I.2")
    changed = edit(content, {(row, "C"): "Chất lượng tham mưu"}, TABLE)
    result = importers.import_table(world.actor("leader"), bloc_year, "b.xlsx", changed)
    assert result.action == "replaced"
    assert table.criteria.get(code="I.2").title == "Chất lượng tham mưu"
    services.lock_table(world.actor("leader"), table)
    again = edit(content, {(row, "C"): "Tham mưu đúng hạn"}, TABLE)
    with pytest.raises(importers.DomainError) as refused:
        importers.import_table(world.actor("leader"), bloc_year, "b.xlsx", again)
    assert refused.value.messages == ["Trang 'Tiêu chí': Lập phiên bản mới của bảng tiêu chí "
                                      "đã khóa phải ghi rõ lý do."]
    result = importers.import_table(world.actor("leader"), bloc_year, "b.xlsx", again,
                                    reason="Sửa tên tiêu chí theo góp ý")
    assert result.action == "new_version" and result.table.version == 2
    assert result.table.criteria.get(code="I.2").title == "Tham mưu đúng hạn"


@pytest.mark.parametrize("who", ["officer", "peer", "outsider", "delegate", "nobody",
                                 "other_secretariat"])
def test_table_import_only_runners(scoring, who):
    world, bloc_year, table, _ = scoring
    content = exporters.export_table(table)
    before = snapshot()
    with pytest.raises(Forbidden):
        importers.import_table(world.actor(who), bloc_year, "b.xlsx", content)
    assert snapshot() == before


def _refused_table(world, bloc_year, content, name="bang.xlsx", who="secretariat"):
    before = snapshot()
    with pytest.raises(importers.DomainError) as refused:
        importers.import_table(world.actor(who), bloc_year, name, content)
    assert snapshot() == before
    return refused.value.messages


def test_broken_tables_refused_whole(scoring):
    world, bloc_year, table, _ = scoring
    content = exporters.export_table(table)
    vx = world.bloc_years["VX"]
    row = row_of(content, TABLE, "I.2")
    assert _refused_table(world, bloc_year, edit(content, {}, TABLE, {TABLE: "Sheet1"})) == [
        "Không tìm thấy trang 'Tiêu chí' trong tệp (các trang có: 'Sheet1'). Hãy dùng mẫu "
        "tải từ thidua."]
    assert _refused_table(world, bloc_year, edit(content, {
        (row, "D"): "mười", (row + 1, "E"): "Chấm đại khái", (row + 2, "G"): "Ừ",
        (row + 3, "A"): "I.2"}, TABLE)) == [
        f"Trang 'Tiêu chí', dòng {row}, cột D: điểm chuẩn “mười” không phải là số.",
        f"Trang 'Tiêu chí', dòng {row + 1}, cột E: phương pháp chấm “Chấm đại khái” không có "
        "trong danh sách (" + ", ".join(exporters.methods.METHOD_LABELS.values()) + ").",
        f"Trang 'Tiêu chí', dòng {row + 2}, cột G: chỉ ghi “Có” hoặc “Không”, đã ghi “Ừ”.",
        f"Trang 'Tiêu chí', dòng {row + 3}, cột A: mã I.2 trùng với dòng {row}."]
    # RULES.md 9: leaves sum to the total — the service's sentence, with its row.
    assert _refused_table(world, vx, edit(content, {(row, "D"): 12}, TABLE)) == [
        f"Trang 'Tiêu chí', dòng {row - 2}: Nhóm I “Nhóm I”: điểm chuẩn 50,00 khác tổng điểm "
        "các tiêu chí con 52,00.",
        "Trang 'Tiêu chí': Tổng điểm chuẩn các tiêu chí (102,00) khác tổng điểm của bảng "
        "(100,00); điểm thưởng, điểm trừ không tính vào tổng (Quy tắc 9)."]
    assert _refused_table(world, vx, edit(content, {(row, "D"): -1}, TABLE)) == [
        f"Trang 'Tiêu chí', dòng {row}, cột D: điểm chuẩn -1 không được âm."]


def test_nfd_workbook_stored_nfc(scoring):
    world, bloc_year, table, _ = scoring
    content = exporters.export_table(table)
    row = row_of(content, TABLE, "I.2")
    sheets = read(content)
    sheets[TABLE][row - 1][2] = nfd("Chất lượng tham mưu, ban hành văn bản")
    sheets[TABLE][0][1] = nfd("Bảng tiêu chí năm 2026")
    decomposed = write({nfd(TABLE): sheets[TABLE]})
    vx = world.bloc_years["VX"]
    result = importers.import_table(world.actor("secretariat"), vx, "b.xlsx", decomposed)
    assert result.table.name == "Bảng tiêu chí năm 2026"
    assert result.table.criteria.get(code="I.2").title == (
        "Chất lượng tham mưu, ban hành văn bản")


def test_files_that_are_not_sane_workbooks(scoring):
    world, bloc_year, table, _ = scoring
    assert _refused_table(world, bloc_year, b"x" * (20 * 1024 * 1024), "lon.xlsx") == [
        "Tệp “lon.xlsx” dung lượng 20,0 MB, vượt giới hạn 5,0 MB."]
    assert _refused_table(world, bloc_year, b"%PDF-1.4 not a workbook", "bang.xlsx") == [
        "Tệp “bang.xlsx” không phải bảng tính Excel (.xlsx) hợp lệ: tệp hỏng, bị đổi đuôi "
        "hoặc nén bất thường."]
    assert _refused_table(world, bloc_year, zip_bomb(), "bom.xlsx") == [
        "Tệp “bom.xlsx” không phải bảng tính Excel (.xlsx) hợp lệ: tệp hỏng, bị đổi đuôi "
        "hoặc nén bất thường."]


# --- score sheets -----------------------------------------------------------------------

def test_sheet_export_layout_and_round_trip(scoring, self_sheet):
    world, bloc_year, table, actors = scoring
    content = exporters.export_sheet(self_sheet)
    rows = read(content)[SHEET]
    assert rows[4] == list(exporters.SCORE_HEADERS)
    i2 = row_of(content, SHEET, "I.2") - 1
    assert rows[i2][:4] == ["I.2", "Tiêu chí I.2", 10, 10]
    assert rows[i2][6] == "Chọn một mức: 0; 5; 10"
    ii3 = row_of(content, SHEET, "II.3") - 1
    assert rows[ii3][3] == 3 and rows[ii3][5] == "Ba điển hình"
    assert read(content)["thidua"][0] == ["sheet_id", str(self_sheet.id)]
    before = snapshot()
    assert importers.import_sheet(actors["KT1"], self_sheet, "p.xlsx", content) == 0
    assert snapshot() == before


def test_sheet_import_writes_through_the_service(scoring, self_sheet):
    world, bloc_year, table, actors = scoring
    content = exporters.export_sheet(self_sheet)
    i2, v1 = row_of(content, SHEET, "I.2"), row_of(content, SHEET, "V.1")
    filled = edit(content, {(i2, "D"): 5, (v1, "D"): 2, (v1, "F"): "Vắng hai hội nghị"}, SHEET)
    final = self_sheet.final
    assert importers.import_sheet(actors["KT1"], self_sheet, "p.xlsx", filled) == 2
    self_sheet.refresh_from_db()
    assert self_sheet.final == final - 5 - 4
    v1_score = Score.objects.get(sheet=self_sheet, criterion__code="V.1")
    assert (v1_score.points, v1_score.raw, v1_score.note) == (
        Decimal("6.00"), {"items": "2"}, "Vắng hai hội nghị")
    event = AuditEvent.objects.filter(action="scoring.score.set").order_by("-id").first()
    assert set(event.after["scores"]) == {"I.2", "V.1"}


def test_broken_sheets_refused_whole(scoring, self_sheet):
    world, bloc_year, table, actors = scoring
    content = exporters.export_sheet(self_sheet)
    i2, i3 = row_of(content, SHEET, "I.2"), row_of(content, SHEET, "I.3")
    ii1, v1 = row_of(content, SHEET, "II.1"), row_of(content, SHEET, "V.1")

    def refused(workbook):
        before = snapshot()
        with pytest.raises(importers.DomainError) as error:
            importers.import_sheet(actors["KT1"], self_sheet, "p.xlsx", workbook)
        assert snapshot() == before
        return error.value.messages

    assert refused(edit(content, {(i2, "D"): 12, (i3, "D"): 7, (ii1, "D"): "hai",
                                  (v1, "D"): 1.5, (v1 + 1, "A"): "IX.9",
                                  (v1 + 1, "D"): 1}, SHEET)) == [
        f"Trang 'Phiếu chấm', dòng {i2}, cột D: điểm 12 vượt điểm chuẩn 10.",
        f"Trang 'Phiếu chấm', dòng {i3}, cột D: Tiêu chí I.3 “Tiêu chí I.3”: chỉ được chấm một "
        "trong các mức 0,00, 5,00, 10,00; đã nhập 7,00.",
        f"Trang 'Phiếu chấm', dòng {ii1}, cột D: “hai” không phải là số.",
        f"Trang 'Phiếu chấm', dòng {v1}, cột D: Tiêu chí V.1 “Tiêu chí V.1”: số lỗi phải là số "
        "nguyên không âm.",
        f"Trang 'Phiếu chấm', dòng {v1 + 1}, cột A: bảng tiêu chí không có tiêu chí mã “IX.9”."]
    assert refused(edit(content, {}, SHEET, {SHEET: "Trang 1"})) == [
        "Không tìm thấy trang 'Phiếu chấm' trong tệp (các trang có: 'Trang 1'). Hãy dùng mẫu "
        "tải từ thidua."]
    # Another unit's template: the hidden sheet names it.
    other = services.open_self_assessment(actors["KT2"], bloc_year, world.units["KT2"])
    assert refused(exporters.export_sheet(other)) == [
        f"Tệp là mẫu của phiếu chấm khác (số {other.id}), không phải phiếu tự chấm điểm "
        f"{world.units['KT1'].name} (số {self_sheet.id})."]
    assert refused(b"x" * (20 * 1024 * 1024)) == [
        "Tệp “p.xlsx” dung lượng 20,0 MB, vượt giới hạn 5,0 MB."]
    assert refused(zip_bomb())[0].startswith("Tệp “p.xlsx” không phải bảng tính Excel")
    assert refused(b"plain text")[0].startswith("Tệp “p.xlsx” không phải bảng tính Excel")


def test_nfd_codes_match_nfc_criteria(scoring, self_sheet):
    world, bloc_year, table, actors = scoring
    content = exporters.export_sheet(self_sheet)
    i2 = row_of(content, SHEET, "I.2")
    sheets = read(content)
    sheets[SHEET][i2 - 1][3] = 5
    sheets[SHEET][i2 - 1][5] = nfd("Đã sửa theo biên bản")
    assert importers.import_sheet(actors["KT1"], self_sheet, "p.xlsx",
                                  write({nfd(SHEET): sheets[SHEET],
                                         "thidua": sheets["thidua"]})) == 1
    assert Score.objects.get(sheet=self_sheet, criterion__code="I.2").note == (
        "Đã sửa theo biên bản")


@pytest.mark.parametrize("who", ["peer", "leader", "secretariat", "outsider", "nobody"])
def test_sheet_import_only_its_author(scoring, self_sheet, who):
    world, bloc_year, table, actors = scoring
    content = exporters.export_sheet(self_sheet)
    before = snapshot()
    # A sealed draft: others do not even find it (RULES.md 13 sealing).
    with pytest.raises(importers.DomainError) as refused:
        importers.import_sheet(world.actor(who), self_sheet, "p.xlsx", content)
    assert refused.value.status == 404
    assert snapshot() == before


def test_submitted_sheet_not_reimported(scoring, self_sheet):
    world, bloc_year, table, actors = scoring
    content = exporters.export_sheet(self_sheet)
    services.attach_evidence(actors["KT1"], self_sheet, "I.1", [
        services_upload()])
    services.submit_sheet(actors["KT1"], self_sheet)
    with pytest.raises(Conflict):
        importers.import_sheet(actors["KT1"], self_sheet, "p.xlsx", content)


def services_upload():

    from .flow import PDF
    return Upload("bien-ban.pdf", PDF)
