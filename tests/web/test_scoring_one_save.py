"""A sheet in one save, through the pages alone: the demo's criteria table (as `thidua demo`
loads it) filled and submitted by a unit officer — III.1's imported figure entered with its
source, I.1's note beside its computed points (RULES.md 12), evidence in the same save;
bad lines shown on their line with what was typed, nothing written (RULES.md 10); a peer
not blocked by a unit's missing progress report (RULES.md 13, 15)."""

from decimal import Decimal

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from thidua.core.models import AuditEvent
from thidua.demo import loader
from thidua.org.domain.phases import Phase
from thidua.pledges.models import Registration
from thidua.scoring import demo, services
from thidua.scoring.models import Criterion, Score, ScoreEvidence, ScoreSheet

from .conftest import matrix, outcome
from .page import parse
from .scoring_world import PDF, entries_for, import_par, move_to, prepare

SOURCE = "Quyết định số 1234/QĐ-UBND công bố Chỉ số cải cách hành chính năm 2025"


def demo_table_year(world, unreported=()):
    """KT in SELF_ASSESSMENT with demo.yaml's criteria table, exactly as `thidua demo`
    builds it (scoring.demo.table_inputs), and no PAR INDEX imported."""
    bloc_year, table, actors = prepare(world, unreported=unreported)
    spec = yaml.safe_load(loader.FIXTURE.read_text(encoding="utf-8"))["criteria_table"]
    services.replace_criteria(world.actor("leader"), table, criteria=demo.table_inputs(spec),
                              total=Decimal(spec["total"]), name=spec["name"])
    return bloc_year, table, actors


def ids(table):
    return dict(Criterion.objects.filter(table=table).values_list("code", "id"))


def snapshot():
    return (sorted(Score.objects.values_list("sheet_id", "criterion__code", "points", "raw",
                                             "note")),
            ScoreEvidence.objects.count(), AuditEvent.objects.count(),
            sorted(ScoreSheet.objects.values_list("id", "status", "final")))


def whole_sheet(c):
    """Every line of the demo table as a unit officer types it."""
    return {f"note-{c['I.1']}": "Báo cáo tổng kết số 45/BC-SCT, phụ lục chỉ tiêu",
            f"points-{c['I.2']}": "10", f"note-{c['I.2']}": "", f"points-{c['I.3']}": "5",
            f"items-{c['II.1']}": "1", f"items-{c['II.2']}": "0", f"count-{c['II.3']}": "3",
            f"points-{c['III.1']}": "12,5", f"source-{c['III.1']}": SOURCE,
            f"items-{c['IV.1']}": "0", f"items-{c['V.1']}": "1", f"count-{c['B.3']}": "1",
            f"count-{c['P.1']}": "0"}


def rows_of(response):
    return {row.attrs["data-code"]: row for row in parse(response).with_class("dong-cham")}


def test_the_demo_table_is_filled_and_submitted_through_the_pages(world, as_who):
    bloc_year, table, _ = demo_table_year(world)
    c = ids(table)
    officer = as_who("officer")
    opened = officer.post(f"/khoi/{bloc_year.pk}/tu-cham/{world.units['KT1'].pk}/")
    sheet = ScoreSheet.objects.get(kind="self", scored_unit=world.units["KT1"])
    assert opened["Location"] == f"/phieu-cham/{sheet.pk}/"
    rows = rows_of(officer.get(f"/phieu-cham/{sheet.pk}/"))
    assert list(rows) == ["I.1", "I.2", "I.3", "II.1", "II.2", "II.3", "III.1", "IV.1", "V.1",
                          "B.1", "B.2", "B.3", "P.1"]
    # III.1 waits for a figure: the page says so and asks for it with its source.
    assert ("Tiêu chí III.1 “Kết quả chỉ số cải cách hành chính (PAR INDEX) của đơn vị”: chưa có "
            "số liệu nhập từ hệ thống khác cho đơn vị.") in rows["III.1"].text
    assert rows["III.1"].find("input", name=f"source-{c['III.1']}") is not None
    assert rows["I.1"].find("textarea", name=f"note-{c['I.1']}") is not None
    posted = {**whole_sheet(c), f"files-{c['II.3']}": SimpleUploadedFile(
        "dien-hinh-tien-tien.pdf", PDF, content_type="application/pdf")}
    saved = officer.post(f"/phieu-cham/{sheet.pk}/luu-phieu/", posted)
    assert saved.status_code == 302
    page = officer.get(saved["Location"])
    root = parse(page)
    assert "Đã lưu phiếu chấm, kèm 1 tệp minh chứng." in page.content.decode()
    rows = rows_of(page)
    assert rows["III.1"].with_class("diem-dong")[0].text == "12,50"
    assert f"Số liệu nhập trên phiếu, nguồn: {SOURCE}." in rows["III.1"].text
    assert rows["I.1"].with_class("diem-dong")[0].text == "22,50"
    assert [a.text for a in rows["II.3"].find_all("a")] == ["dien-hinh-tien-tien.pdf"]
    # 22,5 + 10 + 5 + 4 + 5 + 3 + 12,5 + 10 + 8; B.3 +2; B.1, B.2 0 (no flag last year).
    assert root.by_id("tong-diem-so").text == "80,00 / 100,00"
    assert root.by_id("tong-cuoi").text == "82,00"
    sent = officer.post(f"/phieu-cham/{sheet.pk}/gui/")
    assert sent.status_code == 302
    sheet.refresh_from_db()
    assert (sheet.status, sheet.final) == ("submitted", Decimal("82.00"))
    shown = parse(officer.get(f"/phieu-cham/{sheet.pk}/"))
    assert "Đã gửi" in shown.by_id("trang-thai-phieu").text
    assert shown.find("form", id="form-phieu") is None
    assert Score.objects.get(sheet=sheet, criterion__code="III.1").raw == {
        "points": "12,5", "source": SOURCE, "by_hand": "1"}
    # The bloc's count follows (scoring.queries.sheet_counts).
    listed = parse(officer.get(f"/khoi/{bloc_year.pk}/tu-cham/"))
    assert listed.by_id("tien-do-khoi").text == (
        "Cả khối: 1/5 đơn vị đã gửi phiếu tự chấm điểm.")


@pytest.mark.parametrize(("code", "field", "value", "message"), [
    ("I.2", "points", "mười", "Tiêu chí I.2 “Chất lượng tham mưu, ban hành văn bản đúng hạn”: "
                              "điểm “mười” không phải là số."),
    ("III.1", "points", "15,5", "Tiêu chí III.1 “Kết quả chỉ số cải cách hành chính (PAR INDEX) "
                                "của đơn vị”: điểm phải từ 0 đến 15,00 (Quy tắc 10); đã nhập "
                                "15,50."),
    ("V.1", "items", "hai", "Tiêu chí V.1 “Tham dự đầy đủ các hội nghị, hoạt động của Khối”: "
                            "số lỗi phải là số nguyên không âm."),
])
def test_a_bad_line_is_shown_on_its_line_and_nothing_is_written(world, as_who, code, field,
                                                                value, message):
    bloc_year, table, actors = demo_table_year(world)
    c = ids(table)
    sheet = services.open_self_assessment(actors["KT1"], bloc_year, world.units["KT1"])
    services.set_scores(actors["KT1"], sheet, {"I.3": {"points": "5"}})
    before = snapshot()
    posted = {**whole_sheet(c), f"{field}-{c[code]}": value}
    response = as_who("officer").post(f"/phieu-cham/{sheet.pk}/luu-phieu/", posted)
    assert response.status_code == 400
    root = parse(response)
    summary = [li.text for li in root.by_id("error-summary-title").parent.find_all("li")]
    assert summary == [message]
    row = root.by_id(f"dong-{c[code]}")
    assert [li.text for li in row.with_class("error-summary")[0].find_all("li")] == [message]
    assert row.find(name=f"{field}-{c[code]}") is not None
    # What was typed stays on screen, on every line.
    assert root.by_id(f"diem-{c['II.2']}").attrs["value"] == "0"
    assert root.by_id(f"nguon-{c['III.1']}").attrs["value"] == SOURCE
    assert snapshot() == before


def test_a_forged_criterion_of_another_table_changes_nothing(world, as_who):
    bloc_year, table, actors = demo_table_year(world)
    other = services.create_table(world.actor("admin"), world.bloc_years["VX"], name="VX",
                                  total=table.total, criteria=services.criteria_inputs(table))
    foreign = Criterion.objects.get(table=other, code="I.2").pk
    section = Criterion.objects.get(table=table, code="I").pk
    sheet = services.open_self_assessment(actors["KT1"], bloc_year, world.units["KT1"])
    before = snapshot()
    c = ids(table)
    for forged in (foreign, section):
        response = as_who("officer").post(f"/phieu-cham/{sheet.pk}/luu-phieu/", {
            **whole_sheet(c), f"points-{forged}": "10"})
        assert response.status_code == 400
        summary = [li.text for li in parse(response).by_id(
            "error-summary-title").parent.find_all("li")]
        assert summary == [f"Tiêu chí #{forged} không thuộc bảng tiêu chí của phiếu chấm này."]
        assert snapshot() == before


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=404, secretariat=404, other_secretariat=404, leader=404, officer=302, peer=404,
    outsider=404, delegate=404, nobody=404, anonymous="login",
))
def test_who_may_save_a_self_sheet(world, as_who, who, status):
    bloc_year, table, actors = demo_table_year(world)
    sheet = services.open_self_assessment(actors["KT1"], bloc_year, world.units["KT1"])
    c = ids(table)
    before = snapshot()
    response = as_who(who).post(f"/phieu-cham/{sheet.pk}/luu-phieu/",
                                {f"points-{c['I.2']}": "10"})
    assert outcome(response) == status
    if status != 302:
        assert snapshot() == before
    else:
        assert Score.objects.get(sheet=sheet, criterion__code="I.2").points == Decimal("10.00")


def test_a_peer_scores_a_unit_whose_progress_report_is_missing(world, as_who):
    bloc_year, table, actors = demo_table_year(world, unreported=("KT2",))
    import_par(world, bloc_year)
    move_to(world, bloc_year, Phase.APPRAISAL)
    services.generate_assignments(world.actor("leader"), bloc_year)
    c = ids(table)
    officer = as_who("officer")  # KT1 scores KT2, which never reported on its target
    opened = officer.post(f"/khoi/{bloc_year.pk}/cham-cheo/{world.units['KT1'].pk}/"
                          f"{world.units['KT2'].pk}/")
    sheet = ScoreSheet.objects.get(kind="peer", scorer_unit=world.units["KT1"],
                                   scored_unit=world.units["KT2"])
    assert opened["Location"] == f"/phieu-cham/{sheet.pk}/"
    root = parse(officer.get(f"/phieu-cham/{sheet.pk}/"))
    registration = Registration.objects.get(unit=world.units["KT2"], bloc_year=bloc_year)
    link = root.by_id("ho-so-don-vi").find("a")
    assert link.attrs["href"] == f"/dang-ky/{registration.pk}/"
    assert link.text == ("Hồ sơ của Sở Tài chính: chỉ tiêu đăng ký, báo cáo tiến độ và minh "
                         "chứng")
    assert as_who("officer").get(link.attrs["href"]).status_code == 200
    i1 = root.by_id(f"dong-{c['I.1']}")
    assert ("chỉ tiêu “Tỷ lệ hồ sơ giải quyết đúng hạn” chưa có kết quả báo cáo (Quy tắc 15)."
            in i1.text)
    assert i1.find("input", name=f"insufficient-{c['I.1']}") is not None
    assert i1.find("input", name=f"points-{c['I.1']}") is not None
    typed = {f"points-{c[k]}" if k in ("I.2", "I.3") else
             f"{'items' if 'items' in v else 'count'}-{c[k]}":
             str(next(iter(v.values()))) for k, v in entries_for("KT2", 0).items()
             if k not in ("B.1", "B.2")}
    reason = "Sở Tài chính chưa gửi báo cáo kết quả thực hiện chỉ tiêu năm"
    # Without a reason "không đủ căn cứ" is refused on its line.
    refused = officer.post(f"/phieu-cham/{sheet.pk}/luu-phieu/", {
        **typed, f"insufficient-{c['I.1']}": "1"})
    assert refused.status_code == 400
    line = parse(refused).by_id(f"dong-{c['I.1']}")
    assert [li.text for li in line.with_class("error-summary")[0].find_all("li")] == [
        "Tiêu chí I.1 “Hoàn thành các chỉ tiêu, nhiệm vụ UBND tỉnh giao trong năm”: ghi rõ lý "
        "do “Không đủ căn cứ” ở ô ghi chú."]
    assert line.find("input", name=f"insufficient-{c['I.1']}").attrs.get("checked") is not None
    # Only what the sheet computed when it opened: nothing typed was kept.
    assert sorted(Score.objects.filter(sheet=sheet).values_list("criterion__code", flat=True)
                  ) == ["B.1", "B.2", "III.1"]
    saved = officer.post(f"/phieu-cham/{sheet.pk}/luu-phieu/", {
        **typed, f"insufficient-{c['I.1']}": "1", f"note-{c['I.1']}": reason})
    assert saved.status_code == 302
    rows = rows_of(officer.get(f"/phieu-cham/{sheet.pk}/"))
    assert rows["I.1"].with_class("diem-dong")[0].text == "0,00"
    assert rows["I.1"].with_class("khong-du-can-cu")[0].text == "Không đủ căn cứ"
    assert officer.post(f"/phieu-cham/{sheet.pk}/gui/").status_code == 302
    sheet.refresh_from_db()
    # 0 + 10 + 5 + 5 + 5 + 3 + 13,5 (PAR) + 10 + 10; B.3 +2.
    assert (sheet.status, sheet.total, sheet.final) == (
        "submitted", Decimal("61.50"), Decimal("63.50"))
    assert Score.objects.get(sheet=sheet, criterion__code="I.1").note == reason
