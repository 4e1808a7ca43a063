"""The Excel sheet template carries what the pages carry: a note typed beside a computed
criterion (I.1, which asks for evidence, RULES.md 12) is read, not ignored; III.1's figure
is entered with its source in the note column while the bloc has imported none; re-importing
an export changes nothing."""

from decimal import Decimal

import pytest

from thidua.core.errors import DomainError
from thidua.core.models import AuditEvent
from thidua.scoring import exporters, importers, services
from thidua.scoring.models import Score, ScoreSheet

from .excel import edit, read, row_of
from .flow import entries_for, prepare

SHEET = exporters.SCORE_SHEET
SOURCE = "Quyết định số 1234/QĐ-UBND công bố PAR INDEX năm 2025"


def snapshot():
    return (AuditEvent.objects.count(),
            sorted(Score.objects.values_list("id", "points", "note", "raw")),
            sorted(ScoreSheet.objects.values_list("id", "final")))


@pytest.mark.django_db
def test_rule_12_a_note_beside_a_computed_criterion_is_read_and_submits(world):
    bloc_year, _, actors = prepare(world)
    kt1 = actors["KT1"]
    sheet = services.open_self_assessment(kt1, bloc_year, world.units["KT1"])
    services.set_scores(kt1, sheet, {**entries_for("KT1", 0),
                                     "II.3": {"count": 5, "note": "Năm điển hình"}})
    content = exporters.export_sheet(sheet)
    rows = read(content)[SHEET]
    i1, par = row_of(content, SHEET, "I.1"), row_of(content, SHEET, "III.1")
    assert rows[i1 - 1][6] == "Tính tự động, không nhập"
    assert rows[par - 1][6] == ("Chưa có số liệu khối nhập: nhập số liệu (0 đến 15), ghi nguồn "
                                "ở cột Ghi chú")
    filled = edit(content, {(i1, "F"): "Báo cáo tổng kết số 45/BC-SCT",
                            (par, "D"): 12.5, (par, "F"): SOURCE}, SHEET)
    assert importers.import_sheet(kt1, sheet, "phieu.xlsx", filled) == 2
    stored = {s.criterion.code: (s.points, s.raw, s.note)
              for s in Score.objects.filter(sheet=sheet).select_related("criterion")}
    assert stored["I.1"] == (Decimal("22.50"), stored["I.1"][1], "Báo cáo tổng kết số 45/BC-SCT")
    assert stored["III.1"] == (Decimal("12.50"), {"points": "12.5", "source": SOURCE,
                                                  "by_hand": "1"}, "")
    # The export shows what was stored; importing it again changes nothing.
    again = exporters.export_sheet(sheet)
    rows = read(again)[SHEET]
    assert rows[par - 1][3] == 12.5 and rows[par - 1][5] == SOURCE
    assert rows[i1 - 1][5] == "Báo cáo tổng kết số 45/BC-SCT"
    before = snapshot()
    assert importers.import_sheet(kt1, sheet, "phieu.xlsx", again) == 0
    assert snapshot() == before
    # I.1 has a note, II.3 a note: the sheet submits (RULES.md 12).
    assert services.submit_sheet(kt1, sheet).final == Decimal("100.00")


@pytest.mark.django_db
def test_rule_10_an_excel_figure_without_source_or_above_max_changes_nothing(world):
    bloc_year, _, actors = prepare(world)
    kt1 = actors["KT1"]
    sheet = services.open_self_assessment(kt1, bloc_year, world.units["KT1"])
    content = exporters.export_sheet(sheet)
    par = row_of(content, SHEET, "III.1")
    before = snapshot()
    with pytest.raises(DomainError) as refused:
        importers.import_sheet(kt1, sheet, "p.xlsx", edit(content, {(par, "D"): 12}, SHEET))
    assert refused.value.messages == [
        "Tiêu chí III.1 “Tiêu chí III.1”: ghi rõ nguồn số liệu (hệ thống, văn bản công bố) "
        "bên cạnh số liệu nhập."]
    with pytest.raises(DomainError) as refused:
        importers.import_sheet(kt1, sheet, "p.xlsx", edit(
            content, {(par, "D"): 16, (par, "F"): SOURCE}, SHEET))
    assert refused.value.messages == [
        f"Trang 'Phiếu chấm', dòng {par}, cột D: điểm 16 vượt điểm chuẩn 15."]
    assert snapshot() == before
