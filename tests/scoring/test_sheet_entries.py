"""A sheet a unit officer can finish: the demo table's imported figure (III.1) entered on
the sheet with its source, a note beside a computed criterion that asks for evidence (I.1,
RULES.md 12), one save for the whole sheet with evidence, problems line by line and nothing
written; peers not blocked by a unit's missing progress report (their own score, or a
reasoned "không đủ căn cứ"); sheets submitted / expected per unit and per bloc year."""

from decimal import Decimal

import pytest

from thidua.core.errors import DomainError
from thidua.core.evidence import Upload
from thidua.core.models import AuditEvent
from thidua.org.domain.phases import Phase
from thidua.scoring import queries, services
from thidua.scoring.models import Score, ScoreEvidence, ScoreSheet

from .flow import PDF, entries_for, import_par, move_to, prepare

SOURCE = "Quyết định số 1234/QĐ-UBND công bố Chỉ số cải cách hành chính năm 2025"
WHOLE = {"I.1": {"note": "Báo cáo tổng kết số 45/BC-SCT, phụ lục chỉ tiêu"},
         "I.2": {"points": "10"}, "I.3": {"points": "5"}, "II.1": {"items": "1"},
         "II.2": {"items": "0"}, "II.3": {"count": "3"},
         "III.1": {"points": "12,5", "source": SOURCE}, "IV.1": {"items": "0"},
         "V.1": {"items": "1"}, "B.1": {"count": "0"}, "B.2": {"count": "1"},
         "B.3": {"count": "0"}, "P.1": {"count": "0"}}
REPORT_MISSING = ("Tiêu chí I.1 “Tiêu chí I.1”: chỉ tiêu “Tỷ lệ hồ sơ giải quyết đúng hạn” chưa "
                  "có kết quả báo cáo (Quy tắc 15).")


def cells(sheet):
    return {s.criterion.code: (s.points, s.raw, s.note)
            for s in Score.objects.filter(sheet=sheet).select_related("criterion")}


def snapshot():
    return (sorted(Score.objects.values_list("sheet_id", "criterion__code", "points", "raw",
                                             "note")),
            ScoreEvidence.objects.count(), AuditEvent.objects.count(),
            sorted(ScoreSheet.objects.values_list("id", "status", "final")))


@pytest.mark.django_db
def test_rule_12_the_demo_table_is_filled_in_one_save_and_submitted(world):
    bloc_year, _, actors = prepare(world)
    kt1 = actors["KT1"]
    sheet = services.open_self_assessment(kt1, bloc_year, world.units["KT1"])
    # No PAR INDEX imported for the bloc: III.1's figure is entered on the sheet.
    assert services.missing_data(sheet) == {
        "III.1": "Tiêu chí III.1 “Tiêu chí III.1”: chưa có số liệu nhập từ hệ thống khác cho "
                 "đơn vị."}
    services.save_sheet(kt1, sheet, WHOLE,
                        files={"II.3": [Upload("dien-hinh-tien-tien.pdf", PDF)]})
    stored = cells(sheet)
    assert stored["III.1"] == (Decimal("12.50"), {"points": "12,5", "source": SOURCE,
                                                  "by_hand": "1"}, "")
    # I.1 keeps its computed points (RULES.md 15: 15 + 15·2/4) and takes the note.
    assert stored["I.1"][0] == Decimal("22.50")
    assert stored["I.1"][2] == "Báo cáo tổng kết số 45/BC-SCT, phụ lục chỉ tiêu"
    assert stored["V.1"][:2] == (Decimal("8.00"), {"items": "1"})
    assert list(ScoreEvidence.objects.filter(score__sheet=sheet).values_list(
        "score__criterion__code", "original_name")) == [("II.3", "dien-hinh-tien-tien.pdf")]
    sheet.refresh_from_db()
    # 22,5 + 10 + 5 + 4 + 5 + 3 + 12,5 + 10 + 8 in the table; B.2 +10.
    assert (sheet.total, sheet.bonus, sheet.penalty, sheet.final) == (
        Decimal("80.00"), Decimal("10.00"), Decimal("0.00"), Decimal("90.00"))
    event = AuditEvent.objects.filter(action="scoring.score.set").latest("id")
    assert event.after["scores"]["III.1"] == {"points": "12.50", "raw": {
        "points": "12,5", "source": SOURCE, "by_hand": "1"}}
    submitted = services.submit_sheet(kt1, sheet)
    assert submitted.status == ScoreSheet.Status.SUBMITTED
    assert submitted.final == Decimal("90.00")
    assert cells(sheet)["III.1"][1]["source"] == SOURCE


@pytest.mark.django_db
def test_rule_10_bad_lines_are_named_one_by_one_and_nothing_is_written(world):
    bloc_year, _, actors = prepare(world)
    kt1 = actors["KT1"]
    sheet = services.open_self_assessment(kt1, bloc_year, world.units["KT1"])
    services.set_scores(kt1, sheet, {"I.2": {"points": "5"}})
    before = snapshot()
    bad = {**WHOLE, "I.2": {"points": "mười"}, "III.1": {"points": "15,5", "source": SOURCE},
           "V.1": {"items": "-1"}, "Z.9": {"points": "1"}}
    with pytest.raises(services.SheetProblems) as refused:
        services.save_sheet(kt1, sheet, bad, files={
            "II.3": [Upload("dien-hinh.pdf", PDF)], "I.3": [Upload("virus.exe", b"MZ\x90")]})
    assert refused.value.by_code == {
        "I.2": ["Tiêu chí I.2 “Tiêu chí I.2”: điểm “mười” không phải là số."],
        "III.1": ["Tiêu chí III.1 “Tiêu chí III.1”: điểm phải từ 0 đến 15,00 (Quy tắc 10); "
                  "đã nhập 15,50."],
        "V.1": ["Tiêu chí V.1 “Tiêu chí V.1”: số lỗi phải là số nguyên không âm."],
        "Z.9": ["Bảng tiêu chí không có tiêu chí Z.9 để chấm."],
        "I.3": refused.value.by_code["I.3"],
    }
    assert len(refused.value.by_code["I.3"]) == 1 and "virus.exe" in refused.value.by_code["I.3"][0]
    assert refused.value.messages[0] == "Tiêu chí I.2 “Tiêu chí I.2”: điểm “mười” không phải là số."
    assert snapshot() == before
    # A figure without its source is refused too; so is a note on a line never scored.
    with pytest.raises(services.SheetProblems) as refused:
        services.save_sheet(kt1, sheet, {"III.1": {"points": "12"}})
    assert refused.value.by_code == {"III.1": [
        "Tiêu chí III.1 “Tiêu chí III.1”: ghi rõ nguồn số liệu (hệ thống, văn bản công bố) "
        "bên cạnh số liệu nhập."]}
    assert snapshot() == before


@pytest.mark.django_db
def test_an_imported_figure_from_the_province_replaces_the_one_typed(world):
    bloc_year, _, actors = prepare(world)
    kt1 = actors["KT1"]
    sheet = services.open_self_assessment(kt1, bloc_year, world.units["KT1"])
    services.set_scores(kt1, sheet, {"III.1": {"points": "9", "source": SOURCE}})
    assert cells(sheet)["III.1"][:2] == (Decimal("9.00"), {"points": "9", "source": SOURCE,
                                                           "by_hand": "1"})
    import_par(world, bloc_year)  # the leader's import: KT1 12
    assert cells(sheet)["III.1"][:2] == (Decimal("12.00"), {
        "points": "12.00", "source": "Sở Nội vụ — PAR INDEX"})
    with pytest.raises(DomainError) as refused:
        services.set_scores(kt1, sheet, {"III.1": {"points": "15", "source": SOURCE}})
    assert refused.value.messages == [
        "Tiêu chí III.1 “Tiêu chí III.1”: được tính tự động, không nhập tay."]


@pytest.mark.django_db
def test_rule_15_a_units_own_sheet_waits_for_its_own_progress_report(world):
    bloc_year, _, actors = prepare(world, unreported=("KT4",))
    import_par(world, bloc_year)
    kt4 = actors["KT4"]
    sheet = services.open_self_assessment(kt4, bloc_year, world.units["KT4"])
    assert services.missing_data(sheet) == {"I.1": REPORT_MISSING}
    before = snapshot()
    with pytest.raises(services.SheetProblems) as refused:
        services.save_sheet(kt4, sheet, {"I.1": {"points": "30"}, "I.2": {
            "insufficient": "1", "note": "Không có"}})
    assert refused.value.by_code == {
        "I.1": ["Tiêu chí I.1 “Tiêu chí I.1”: được tính tự động, không nhập tay."],
        "I.2": ["Tiêu chí I.2 “Tiêu chí I.2”: chỉ phiếu chấm chéo được ghi “Không đủ căn cứ”."]}
    with pytest.raises(services.SheetProblems) as refused:
        services.save_sheet(kt4, sheet, {"I.1": {"note": "Đã có báo cáo"}})
    assert refused.value.by_code == {"I.1": [
        REPORT_MISSING + " Ghi chú được lưu khi đã tính được điểm: hãy báo cáo kết quả thực "
        "hiện chỉ tiêu trước."]}
    assert snapshot() == before
    services.set_scores(kt4, sheet, entries_for("KT4", 0))
    with pytest.raises(DomainError) as refused:
        services.submit_sheet(kt4, sheet)
    assert refused.value.messages == [
        REPORT_MISSING, "Tiêu chí II.3 “Tiêu chí II.3”: cần tệp minh chứng hoặc ghi chú giải "
        "trình (Quy tắc 12)."]
    sheet.refresh_from_db()
    assert sheet.status == ScoreSheet.Status.DRAFT


def _peer_phase(world, unreported):
    bloc_year, _, actors = prepare(world, unreported=unreported)
    import_par(world, bloc_year)
    move_to(world, bloc_year, Phase.APPRAISAL)
    services.generate_assignments(world.actor("leader"), bloc_year)
    return bloc_year, actors


@pytest.mark.django_db
def test_rule_13_peers_score_a_unit_whose_progress_report_is_missing(world):
    bloc_year, actors = _peer_phase(world, unreported=("KT4",))
    units = world.units
    sheet = services.open_peer_sheet(actors["KT1"], bloc_year, units["KT1"], units["KT4"])
    assert services.missing_data(sheet) == {"I.1": REPORT_MISSING}
    services.set_scores(actors["KT1"], sheet, entries_for("KT4", 0))
    with pytest.raises(DomainError) as refused:
        services.submit_sheet(actors["KT1"], sheet)
    assert refused.value.messages == [
        REPORT_MISSING + " Có thể ghi “Không đủ căn cứ” kèm lý do."]
    # The scorer's own score, by what it knows of KT4's year.
    services.save_sheet(actors["KT1"], sheet, {"I.1": {
        "points": "20", "note": "Theo báo cáo của UBND tỉnh tại hội nghị 6 tháng"}})
    assert cells(sheet)["I.1"] == (Decimal("20.00"), {"points": "20", "by_hand": "1"},
                                   "Theo báo cáo của UBND tỉnh tại hội nghị 6 tháng")
    done = services.submit_sheet(actors["KT1"], sheet)
    # 20 + 10 + 5 + 5 + 5 + 3 + 14,25 (PAR) + 10 + 10; B.3 +2.
    assert (done.status, done.total, done.bonus, done.final) == (
        "submitted", Decimal("82.25"), Decimal("2.00"), Decimal("84.25"))


@pytest.mark.django_db
def test_rule_13_a_reasoned_insufficient_basis_is_zero_and_kept(world):
    bloc_year, actors = _peer_phase(world, unreported=("KT4",))
    units = world.units
    kt2 = actors["KT2"]
    sheet = services.open_peer_sheet(kt2, bloc_year, units["KT2"], units["KT4"])
    before = snapshot()
    with pytest.raises(services.SheetProblems) as refused:
        services.save_sheet(kt2, sheet, {"I.1": {"insufficient": "1"},
                                         "I.2": {"insufficient": "1", "points": "5",
                                                 "note": "x"}})
    assert refused.value.by_code == {
        "I.1": ["Tiêu chí I.1 “Tiêu chí I.1”: ghi rõ lý do “Không đủ căn cứ” ở ô ghi chú."],
        "I.2": ["Tiêu chí I.2 “Tiêu chí I.2”: đã chọn “Không đủ căn cứ” thì không nhập điểm."]}
    assert snapshot() == before
    reason = "Đơn vị chưa gửi báo cáo kết quả thực hiện chỉ tiêu năm"
    services.save_sheet(kt2, sheet, {**entries_for("KT4", 0),
                                     "I.1": {"insufficient": "1", "note": reason}})
    assert cells(sheet)["I.1"] == (Decimal("0.00"), {"insufficient": "1"}, reason)
    done = services.submit_sheet(kt2, sheet)
    assert (done.total, done.final) == (Decimal("62.25"), Decimal("64.25"))


@pytest.mark.django_db
def test_sheets_submitted_out_of_expected_per_unit_and_bloc_year(world,
                                                                 django_assert_max_num_queries):
    bloc_year, actors = _peer_phase(world, unreported=("KT4",))
    units = world.units
    for scorer in ("KT1", "KT2"):
        sheet = services.open_peer_sheet(actors[scorer], bloc_year, units[scorer], units["KT4"])
        services.save_sheet(actors[scorer], sheet, {**entries_for("KT4", 0), "I.1": {
            "insufficient": "1", "note": "Chưa có báo cáo"}})
        services.submit_sheet(actors[scorer], sheet)
    services.open_peer_sheet(actors["KT3"], bloc_year, units["KT3"], units["KT4"])
    with django_assert_max_num_queries(4):
        counts = queries.sheet_counts(bloc_year)
    assert counts.has_table
    assert (str(counts.self_sheets), str(counts.peer_sheets)) == ("0/5", "2/20")
    by_code = {code: counts.units[world.units[code].id] for code in ("KT1", "KT2", "KT3",
                                                                      "KT4", "KT5")}
    assert {code: (str(u.self_sheet), str(u.peer_given), str(u.peer_received))
            for code, u in by_code.items()} == {
        "KT1": ("0/1", "1/4", "0/4"), "KT2": ("0/1", "1/4", "0/4"),
        "KT3": ("0/1", "0/4", "0/4"), "KT4": ("0/1", "0/4", "2/4"),
        "KT5": ("0/1", "0/4", "0/4")}
    assert counts.peer_sheets.missing == 18 and not counts.peer_sheets.complete
    empty = queries.sheet_counts(world.bloc_years["VX"])
    assert (empty.has_table, str(empty.self_sheets), str(empty.peer_sheets)) == (
        False, "0/0", "0/0")
