"""Score sheets on the web: self-assessment rows saved in place (htmx), evidence, the
submission gate (RULES.md 12), sealed peer sheets and recusal (RULES.md 13), appraisal
changes with a reason (RULES.md 12). Bad input is answered in Vietnamese, nothing written."""

from decimal import Decimal

import pytest

from thidua.core.models import AuditEvent
from thidua.scoring import services
from thidua.scoring.models import Score, ScoreChange, ScoreEvidence, ScoreSheet

from .conftest import matrix, outcome
from .page import inline_code, parse
from .scoring_world import (
    PDF,
    criterion,
    entries_for,
    prepare,
    self_sheet,
    submitted_self,
    to_appraisal,
)

HTMX = {"HX-Request": "true"}


def row_url(sheet):
    return f"/phieu-cham/{sheet.pk}/luu/"


def snapshot():
    return (sorted(Score.objects.values_list("sheet_id", "criterion__code", "points", "note")),
            ScoreChange.objects.count(), ScoreEvidence.objects.count(),
            AuditEvent.objects.count())


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=404, secretariat=404, other_secretariat=404, leader=404, officer=200, peer=404,
    outsider=404, delegate=404, nobody=404, anonymous="login",
))
def test_a_draft_self_sheet_is_sealed_to_all_but_its_unit(world, as_who, who, status):
    _, _, _, sheet = self_sheet(world)
    response = as_who(who).get(f"/phieu-cham/{sheet.pk}/")
    assert outcome(response) == status


def test_self_sheet_shows_each_criterion_with_its_input_by_method(world, as_who):
    _, table, _, sheet = self_sheet(world)
    root = parse(as_who("officer").get(f"/phieu-cham/{sheet.pk}/"))
    assert inline_code(root) == []
    rows = {row.attrs["data-code"]: row for row in root.with_class("dong-cham")}
    assert list(rows) == ["I.1", "I.2", "I.3", "II.1", "II.2", "II.3", "III.1", "IV.1", "V.1",
                          "B.1", "B.2", "B.3", "P.1"]
    graded = rows["I.2"].find("select")
    assert [o.attrs["value"] for o in graded.find_all("option")] == ["", "0", "5", "10"]
    ids = {code: row.attrs["id"].removeprefix("dong-") for code, row in rows.items()}
    assert rows["II.1"].find("input", name=f"items-{ids['II.1']}") is not None
    assert rows["II.3"].find("input", name=f"count-{ids['II.3']}") is not None
    # One form for the whole sheet, one save button (no form per row).
    assert root.find_all("form", class_="form-dong") == []
    assert root.by_id("form-phieu").by_id("nut-luu-phieu").text == "Lưu phiếu"
    # Computed criteria are read-only with where they come from (RULES.md 15; imported).
    assert rows["III.1"].find("input", name=f"points-{ids['III.1']}") is None
    assert "Sở Nội vụ — PAR INDEX" in rows["III.1"].text
    assert rows["III.1"].with_class("diem-dong")[0].text == "12,00"
    assert rows["I.1"].find("input", name=f"points-{ids['I.1']}") is None
    assert "Yêu cầu minh chứng" in rows["I.1"].text
    # ...but I.1 asks for evidence: a note and a file beside its computed points (RULES.md 12).
    assert rows["I.1"].find("textarea", name=f"note-{ids['I.1']}") is not None
    assert rows["I.1"].find("input", name=f"files-{ids['I.1']}") is not None
    # I.1 by RULES.md 15 (target 95, actual 97, best of the bloc 99: 22,50) + III.1 imported.
    assert root.by_id("tong-diem-so").text == "34,50 / 100,00"
    for element in root.find_all("input") + root.find_all("select") + root.find_all("textarea"):
        if element.attrs.get("type") not in ("hidden", "submit"):
            assert root.find("label", for_=element.attrs["id"]) is not None, element.attrs


def test_htmx_row_save_writes_the_score_audits_and_updates_the_running_total(world, as_who):
    _, table, _, sheet = self_sheet(world)
    i2 = criterion(table, "I.2")
    before = AuditEvent.objects.filter(action="scoring.score.set").count()
    response = as_who("officer").post(row_url(sheet), {
        "criterion": i2.pk, "points": "10", "note": "Có báo cáo tổng kết"}, headers=HTMX)
    assert response.status_code == 200
    root = parse(response)
    assert root.by_id(f"dong-{i2.pk}").with_class("diem-dong")[0].text == "10,00"
    assert root.by_id(f"dong-{i2.pk}").find(role="status").text == "Đã lưu"
    total = root.by_id("tong-diem")
    assert total.attrs["hx-swap-oob"] == "true"
    assert root.by_id("tong-diem-so").text == "44,50 / 100,00"
    score = Score.objects.get(sheet=sheet, criterion=i2)
    assert (score.points, score.raw, score.note) == (Decimal("10.00"), {"points": "10"},
                                                     "Có báo cáo tổng kết")
    sheet.refresh_from_db()
    assert sheet.total == Decimal("44.50")
    assert AuditEvent.objects.filter(action="scoring.score.set").count() == before + 1
    # A deduction row: the number of faults, points follow (RULES.md 10).
    response = as_who("officer").post(row_url(sheet), {
        "criterion": criterion(table, "IV.1").pk, "items": "1"}, headers=HTMX)
    assert response.status_code == 200
    assert Score.objects.get(sheet=sheet, criterion__code="IV.1").points == Decimal("5.00")
    assert parse(response).by_id("tong-diem-so").text == "49,50 / 100,00"


def test_without_htmx_a_row_save_redirects_back_to_the_row(world, as_who):
    _, table, _, sheet = self_sheet(world)
    ii1 = criterion(table, "II.1")
    response = as_who("officer").post(row_url(sheet), {"criterion": ii1.pk, "items": "2"})
    assert response.status_code == 302
    assert response["Location"] == f"/phieu-cham/{sheet.pk}/#dong-{ii1.pk}"
    assert Score.objects.get(sheet=sheet, criterion=ii1).points == Decimal("3.00")


@pytest.mark.parametrize(("code", "posted", "message"), [
    ("I.2", {"points": "7"}, "Tiêu chí I.2 “Tiêu chí I.2”: chỉ được "
                             "chấm một trong các mức 0,00, 5,00, 10,00; đã nhập 7,00."),
    ("II.1", {"items": "ba"}, "số lỗi phải là số nguyên không âm."),
    ("II.3", {"count": "-1"}, "số lượng phải là số nguyên không âm."),
    ("I.2", {"points": ""}, "chưa nhập điểm."),
])
def test_bad_input_is_refused_in_vietnamese_and_nothing_is_written(world, as_who, code,
                                                                   posted, message):
    _, table, _, sheet = self_sheet(world)
    target = criterion(table, code)
    before = snapshot()
    response = as_who("officer").post(row_url(sheet), {"criterion": target.pk, **posted},
                                      headers=HTMX)
    assert response.status_code == 400
    row = parse(response).by_id(f"dong-{target.pk}")
    errors = [li.text for li in row.with_class("error-summary")[0].find_all("li")]
    assert len(errors) == 1 and errors[0].endswith(message), errors
    assert snapshot() == before


def test_a_computed_criterion_cannot_be_typed_in(world, as_who):
    _, table, _, sheet = self_sheet(world)
    before = snapshot()
    response = as_who("officer").post(row_url(sheet), {
        "criterion": criterion(table, "III.1").pk, "points": "15"}, headers=HTMX)
    assert response.status_code == 400
    assert "được tính tự động, không nhập tay" in response.content.decode()
    assert snapshot() == before


def test_a_forged_criterion_of_another_table_is_refused(world, as_who):
    bloc_year, table, actors, sheet = self_sheet(world)
    # A table of the VX bloc: its criterion ids must not reach KT1's sheet.
    other = services.create_table(world.actor("admin"), world.bloc_years["VX"], name="VX",
                                  total=table.total, criteria=services.criteria_inputs(table))
    before = snapshot()
    for forged in (criterion(other, "I.2").pk, criterion(table, "I").pk, "abc"):
        response = as_who("officer").post(row_url(sheet), {"criterion": forged, "points": "5"},
                                          headers=HTMX)
        assert response.status_code == 400
        assert "Tiêu chí không thuộc bảng tiêu chí của phiếu chấm này." in (
            response.content.decode())
    assert snapshot() == before


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=404, secretariat=404, other_secretariat=404, leader=404, officer=200, peer=404,
    outsider=404, delegate=404, nobody=404, anonymous="login",
))
def test_who_may_save_a_self_assessment_row(world, as_who, who, status):
    _, table, _, sheet = self_sheet(world)
    response = as_who(who).post(row_url(sheet), {
        "criterion": criterion(table, "I.2").pk, "points": "5"}, headers=HTMX)
    assert outcome(response) == status
    assert Score.objects.filter(sheet=sheet, criterion__code="I.2").exists() == (status == 200)


def test_submission_is_gated_by_required_evidence_rule_12(world, as_who):
    _, table, actors, sheet = self_sheet(world)
    services.set_scores(actors["KT1"], sheet, entries_for("KT1", 0))
    client = as_who("officer")
    response = client.post(f"/phieu-cham/{sheet.pk}/gui/")
    assert response.status_code == 400
    summary = [li.text for li in parse(response).with_class("error-summary")[0].find_all("li")]
    assert summary == [
        "Tiêu chí I.1 “Tiêu chí I.1”: cần tệp minh chứng hoặc ghi chú giải "
        "trình (Quy tắc 12).",
        "Tiêu chí II.3 “Tiêu chí II.3”: cần tệp minh chứng hoặc ghi "
        "chú giải trình (Quy tắc 12)."]
    sheet.refresh_from_db()
    assert sheet.status == ScoreSheet.Status.DRAFT
    # Evidence for I.1 (upload), a note for II.3: then it goes through.
    from django.core.files.uploadedfile import SimpleUploadedFile
    i1 = criterion(table, "I.1")
    response = client.post(f"/phieu-cham/{sheet.pk}/minh-chung/", {
        "criterion": i1.pk, "files": SimpleUploadedFile("Báo cáo.pdf", PDF)})
    assert response.status_code == 302
    evidence = ScoreEvidence.objects.get()
    assert (evidence.original_name, evidence.score.criterion.code) == ("Báo cáo.pdf", "I.1")
    assert AuditEvent.objects.filter(action="scoring.evidence.add").count() == 1
    page = parse(client.get(f"/phieu-cham/{sheet.pk}/"))
    link = page.by_id(f"dong-{i1.pk}").find("a")
    assert (link.text, link.attrs["href"]) == ("Báo cáo.pdf",
                                                 f"/minh-chung-cham-diem/{evidence.pk}/")
    download = client.get(link.attrs["href"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    client.post(row_url(sheet), {"criterion": criterion(table, "II.3").pk, "count": "3",
                                 "note": "Biên bản biểu dương"}, headers=HTMX)
    response = client.post(f"/phieu-cham/{sheet.pk}/gui/")
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == ScoreSheet.Status.SUBMITTED
    assert AuditEvent.objects.filter(action="scoring.sheet.submit").count() == 1
    # Submitted: no more forms, and a row post is refused.
    page = parse(client.get(f"/phieu-cham/{sheet.pk}/"))
    assert page.find_all("form", class_="form-dong") == []
    before = snapshot()
    response = client.post(row_url(sheet), {"criterion": criterion(table, "I.2").pk,
                                            "points": "0"}, headers=HTMX)
    assert response.status_code == 409
    assert "Phiếu chấm đã gửi, không sửa được nữa." in response.content.decode()
    assert snapshot() == before


def test_a_bad_evidence_file_is_refused_and_nothing_kept(world, as_who):
    from django.core.files.uploadedfile import SimpleUploadedFile
    _, table, actors, sheet = self_sheet(world)
    services.set_scores(actors["KT1"], sheet, {"II.3": {"count": 2}})
    before = snapshot()
    response = as_who("officer").post(f"/phieu-cham/{sheet.pk}/minh-chung/", {
        "criterion": criterion(table, "II.3").pk,
        "files": SimpleUploadedFile("virus.exe", b"MZ\x90\x00 not a document")})
    assert response.status_code == 400
    assert snapshot() == before


# --- peer review: sealed, never self (RULES.md 13) --------------------------------------

def peer_setup(world):
    bloc_year, table, actors = prepare(world)
    from .scoring_world import import_par
    import_par(world, bloc_year)
    for code in ("KT1", "KT2"):
        submitted_self(world, actors, bloc_year, code)
    to_appraisal(world, bloc_year)
    services.generate_assignments(world.actor("leader"), bloc_year)
    sheet = services.open_peer_sheet(actors["KT2"], bloc_year, world.units["KT2"],
                                     world.units["KT1"])
    return bloc_year, table, actors, sheet


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=404, secretariat=404, other_secretariat=404, leader=404, officer=404, peer=200,
    outsider=404, delegate=404, nobody=404, anonymous="login",
))
def test_a_peer_sheet_is_sealed_until_submitted_even_from_the_scored_unit(world, as_who, who,
                                                                          status):
    _, _, _, sheet = peer_setup(world)
    assert outcome(as_who(who).get(f"/phieu-cham/{sheet.pk}/")) == status


def test_my_assignments_list_what_is_missing(world, as_who):
    bloc_year, _, _, sheet = peer_setup(world)
    page = parse(as_who("peer").get(f"/khoi/{bloc_year.pk}/cham-cheo/"))
    rows = [[td.text for td in tr.find_all("td")][1:3]
            for tr in page.by_id("bang-cham-cheo").find("tbody").find_all("tr")]
    assert rows == [["Ban Quản lý dự án", "Chưa chấm"], ["Đài Phát thanh", "Chưa chấm"],
                    ["Sở Công Thương", "Đang chấm, chưa gửi"], ["Sở Xây dựng", "Chưa chấm"]]
    assert page.by_id("con-thieu").text.startswith("Đã gửi 0/4 phiếu. Còn 4 phiếu chưa gửi.")
    # The bloc's count (scoring.queries.sheet_counts): 20 assignments, none submitted.
    assert page.by_id("tien-do-khoi").text == (
        "Cả khối: đã gửi 0/20 phiếu chấm chéo, 2/5 phiếu tự chấm điểm.")
    # The unit never appears as scoring itself.
    assert all(r[0] != "Sở Tài chính" for r in rows)


def test_a_unit_cannot_open_a_peer_sheet_on_itself(world, as_who):
    bloc_year, _, _, _ = peer_setup(world)
    kt1 = world.units["KT1"]
    before = ScoreSheet.objects.count()
    response = as_who("officer").post(f"/khoi/{bloc_year.pk}/cham-cheo/{kt1.pk}/{kt1.pk}/")
    assert response.status_code == 403
    assert ScoreSheet.objects.count() == before
    # Nor for another unit than its own.
    kt2, kt3 = world.units["KT2"], world.units["KT3"]
    response = as_who("officer").post(f"/khoi/{bloc_year.pk}/cham-cheo/{kt2.pk}/{kt3.pk}/")
    assert response.status_code == 403
    assert ScoreSheet.objects.count() == before


# --- appraisal (RULES.md 12) --------------------------------------------------------------

def appraisal_setup(world):
    bloc_year, table, actors, _ = peer_setup(world)
    sheet = services.open_appraisal(world.actor("leader"), bloc_year, world.units["KT1"])
    return bloc_year, table, actors, sheet


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=200, secretariat=200, other_secretariat=404, leader=200, officer=404, peer=404,
    outsider=404, delegate=404, nobody=404, anonymous="login",
))
def test_who_may_change_an_appraised_score(world, as_who, who, status):
    _, table, _, sheet = appraisal_setup(world)
    response = as_who(who).post(row_url(sheet), {
        "criterion": criterion(table, "I.2").pk, "points": "5",
        "reason": "Biên bản kiểm tra"}, headers=HTMX)
    assert outcome(response) == status
    assert ScoreChange.objects.count() == (1 if status == 200 else 0)


def test_an_appraisal_change_needs_a_reason_and_keeps_old_new_who_why(world, as_who):
    _, table, _, sheet = appraisal_setup(world)
    i2 = criterion(table, "I.2")
    client = as_who("leader")
    before = snapshot()
    response = client.post(row_url(sheet), {"criterion": i2.pk, "points": "5"}, headers=HTMX)
    assert response.status_code == 400
    assert "Thay đổi điểm khi thẩm định phải ghi rõ lý do (Quy tắc 12)." in (
        response.content.decode())
    assert snapshot() == before
    # Above the maximum (RULES.md 10) on a computed criterion the appraiser may correct.
    response = client.post(row_url(sheet), {"criterion": criterion(table, "III.1").pk,
                                            "points": "20", "reason": "Số liệu mới"},
                           headers=HTMX)
    assert response.status_code == 400
    assert "điểm phải từ 0 đến 15,00 (Quy tắc 10); đã nhập 20,00." in response.content.decode()
    assert snapshot() == before
    response = client.post(row_url(sheet), {
        "criterion": i2.pk, "points": "5",
        "reason": "Hai văn bản tham mưu ban hành chậm"}, headers=HTMX)
    assert response.status_code == 200
    change = ScoreChange.objects.get()
    assert (change.old_points, change.new_points, change.reason, change.author) == (
        Decimal("10.00"), Decimal("5.00"), "Hai văn bản tham mưu ban hành chậm",
        world.users["leader"])
    event = AuditEvent.objects.filter(action="scoring.appraisal.change").get()
    assert event.reason == "Hai văn bản tham mưu ban hành chậm"
    history = parse(response).by_id(f"dong-{i2.pk}").with_class("lich-su")[0]
    assert "10,00 → 5,00. Lý do: Hai văn bản tham mưu ban hành chậm" in history.text
    assert "(tự chấm: 10,00)" in parse(response).by_id(f"dong-{i2.pk}").text


def test_a_unit_cannot_open_an_appraisal(world, as_who):
    bloc_year, _, _, _ = peer_setup(world)
    kt1 = world.units["KT1"]
    for who, status in (("officer", 403), ("peer", 403), ("outsider", 404)):
        response = as_who(who).post(f"/khoi/{bloc_year.pk}/tham-dinh/{kt1.pk}/")
        assert response.status_code == status, who
    assert not ScoreSheet.objects.filter(kind="appraisal").exists()
    assert as_who("officer").get(f"/khoi/{bloc_year.pk}/tham-dinh/").status_code == 404


def test_appraisal_grid_units_by_criteria_marks_changed_cells(world, as_who):
    bloc_year, table, _, sheet = appraisal_setup(world)
    services.appraise(world.actor("leader"), sheet, "I.2", {"points": "5"}, "Văn bản chậm")
    page = parse(as_who("leader").get(f"/khoi/{bloc_year.pk}/tham-dinh/"))
    grid = page.by_id("luoi-tham-dinh")
    heads = [th.text for th in grid.find("thead").find_all("th")]
    assert heads == ["Đơn vị", "I.1", "I.2", "I.3", "II.1", "II.2", "II.3", "III.1", "IV.1",
                     "V.1", "B.1", "B.2", "B.3", "P.1", "Tổng", "Phiếu"]
    rows = {tr.attrs["data-unit"]: tr for tr in grid.find("tbody").find_all("tr")}
    assert list(rows) == ["KT5", "KT4", "KT3", "KT1", "KT2"] or set(rows) == {
        "KT1", "KT2", "KT3", "KT4", "KT5"}
    kt1 = [td.text for td in rows["KT1"].find_all("td")]
    assert kt1[1] == "5,00 sửa"
    assert [td.has_class("da-sua") for td in rows["KT1"].find_all("td")][:3] == [
        False, True, False]
    i2 = criterion(table, "I.2")
    assert rows["KT1"].find_all("td")[1].find("a").attrs["href"] == (
        f"/phieu-cham/{sheet.pk}/#dong-{i2.pk}")
    assert rows["KT3"].find_all("td")[0].text == "—"
    assert "Chưa gửi tự chấm" in rows["KT3"].text


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_sheet_and_grid_queries_do_not_grow_with_rows(world, as_who,
                                                      django_assert_max_num_queries):
    bloc_year, table, actors, sheet = appraisal_setup(world)
    client = as_who("leader")
    grid, page = f"/khoi/{bloc_year.pk}/tham-dinh/", f"/phieu-cham/{sheet.pk}/"
    before = (count_queries(client, grid), count_queries(client, page))
    leader = world.actor("leader")
    # More appraisal sheets, and a change with its history on every typed criterion.
    services.open_appraisal(leader, bloc_year, world.units["KT2"])
    for code, raw in entries_for("KT1", 1).items():
        services.appraise(leader, sheet, code, raw, f"Đối chiếu biên bản {code}")
    assert ScoreChange.objects.count() >= 5
    assert (count_queries(client, grid), count_queries(client, page)) == before
    with django_assert_max_num_queries(20):
        client.get(grid)


def test_grid_cell_opens_the_row_editor_inline_for_runners_only(world, as_who):
    bloc_year, table, _, sheet = appraisal_setup(world)
    i2 = criterion(table, "I.2")
    url = f"/phieu-cham/{sheet.pk}/dong/{i2.pk}/"
    grid = parse(as_who("leader").get(f"/khoi/{bloc_year.pk}/tham-dinh/"))
    cell = grid.find("tr", data_unit="KT1").find_all("td")[1].find("a")
    assert (cell.attrs["hx-get"], cell.attrs["hx-target"]) == (url, "#o-sua")
    assert grid.by_id("o-sua") is not None
    fragment = parse(as_who("leader").get(url, headers=HTMX))
    row = fragment.by_id(f"dong-{i2.pk}")
    assert row is not None and row.find("textarea", name="reason") is not None
    assert fragment.find("label", for_=f"ly-do-{i2.pk}").text == "Lý do thay đổi I.2"
    # The draft appraisal is sealed from the unit; a criterion of another table is not found.
    assert as_who("officer").get(url).status_code == 404
    other = services.create_table(world.actor("admin"), world.bloc_years["VX"], name="VX",
                                  total=table.total, criteria=services.criteria_inputs(table))
    forged = f"/phieu-cham/{sheet.pk}/dong/{criterion(other, 'I.2').pk}/"
    assert as_who("leader").get(forged).status_code == 404
