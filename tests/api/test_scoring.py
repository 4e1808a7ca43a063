"""The scoring API: the same services and rules as the pages (RULES.md 9–16), with a
permission matrix per operation, exact bodies, and what each change wrote."""

import pytest
from tests.factories import WHO

from scoring.flow import CODES, entries_for, import_par, move_to, prepare, self_assess
from thidua.core.models import AuditEvent
from thidua.org.domain.phases import Phase
from thidua.scoring import services
from thidua.scoring.models import (
    CriteriaTable,
    ImportedValue,
    Score,
    ScoreChange,
    ScoreSheet,
)

from .conftest import error, unit_ref

SMALL = {"name": "Bảng tiêu chí Văn hóa", "total": "20", "criteria": [
    {"code": "I", "title": "Nhóm I", "max_points": "20", "is_section": True},
    {"code": "I.1", "title": "Tham mưu", "max_points": "10", "method": "graded",
     "parent": "I", "params": {"grades": ["0", "5", "10"]}},
    {"code": "I.2", "title": "Báo cáo", "max_points": "10", "method": "deduction",
     "parent": "I", "params": {"per_item": "2"}},
]}


def statuses(**expected):
    assert set(expected) == set(WHO), set(WHO) ^ set(expected)
    return sorted(expected.items())


@pytest.fixture
def year(world):
    bloc_year, table, actors = prepare(world)
    return world, bloc_year, table, actors


@pytest.fixture
def self_sheet(year):
    world, bloc_year, table, actors = year
    import_par(world, bloc_year)
    sheet = services.open_self_assessment(actors["KT1"], bloc_year, world.units["KT1"])
    services.set_scores(actors["KT1"], sheet, entries_for("KT1", 0))
    return sheet


# --- criteria table ---------------------------------------------------------------------

@pytest.mark.parametrize("who,status", statuses(
    admin=200, secretariat=200, other_secretariat=404, leader=200, officer=200, peer=200,
    outsider=404, delegate=200, nobody=404, anonymous=401))
def test_table_read_matrix(year, api, who, status):
    world, bloc_year, table, _ = year
    response = api(who).get(f"/bloc-years/{bloc_year.id}/criteria-table")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        runner = who in ("admin", "secretariat", "leader")
        assert (body["id"], body["version"], body["name"], body["total"], body["is_locked"],
                body["problems"], body["permissions"]) == (
            table.id, 1, "Bảng tiêu chí 2026", "100.00", False, [],
            {"edit": runner, "run": runner})
        i2 = next(c for c in body["criteria"] if c["code"] == "I.2")
        assert {k: v for k, v in i2.items() if k != "id"} == {
            "code": "I.2", "parent": "I", "title": "Tiêu chí I.2", "max_points": "10.00",
            "method": "graded", "method_label": "Chấm theo mức", "is_section": False,
            "evidence_required": False,
            "params": {"grades": ["0", "5", "10"], "per_item": None, "cap": None,
                       "indicator": None}}
        assert [c["code"] for c in body["criteria"]] == [
            c.code for c in table.criteria.order_by("position")]


@pytest.mark.parametrize("who,status", statuses(
    admin=201, secretariat=201, other_secretariat=404, leader=404, officer=404, peer=404,
    outsider=403, delegate=404, nobody=404, anonymous=401))
def test_create_table_matrix(world, api, who, status):
    vx = world.bloc_years["VX"]
    response = api(who, token=who != "anonymous").post(f"/bloc-years/{vx.id}/criteria-table",
                                                         SMALL)
    assert response.status_code == status
    created = CriteriaTable.objects.filter(bloc_year=vx).first()
    if status == 201:
        body = response.json()
        assert (body["name"], body["total"], body["version"]) == ("Bảng tiêu chí Văn hóa",
                                                                  "20.00", 1)
        assert [c["code"] for c in body["criteria"]] == ["I", "I.1", "I.2"]
        assert AuditEvent.objects.filter(action="scoring.table.create",
                                         object_id=str(created.id)).count() == 1
    else:
        assert created is None


def test_invalid_table_names_the_criterion(world, api):
    vx = world.bloc_years["VX"]
    bad = {**SMALL, "criteria": [*SMALL["criteria"][:2], {**SMALL["criteria"][2],
                                                           "max_points": "12"}]}
    response = api("secretariat", token=True).post(f"/bloc-years/{vx.id}/criteria-table", bad)
    assert response.status_code == 400
    assert response.json() == error(
        "Nhóm I “Nhóm I”: điểm chuẩn 20,00 khác tổng điểm các tiêu chí con 22,00. Tổng điểm "
        "chuẩn các tiêu chí (22,00) khác tổng điểm của bảng (20,00); điểm thưởng, điểm trừ "
        "không tính vào tổng (Quy tắc 9).",
        "Nhóm I “Nhóm I”: điểm chuẩn 20,00 khác tổng điểm các tiêu chí con 22,00.",
        "Tổng điểm chuẩn các tiêu chí (22,00) khác tổng điểm của bảng (20,00); điểm thưởng, "
        "điểm trừ không tính vào tổng (Quy tắc 9).")
    assert not CriteriaTable.objects.filter(bloc_year=vx).exists()


def test_copy_then_lock(year, api):
    world, bloc_year, table, _ = year
    vx = world.bloc_years["VX"]
    client = api("secretariat", token=True)
    response = client.post(f"/bloc-years/{vx.id}/criteria-table/copy",
                           {"source_table_id": table.id})
    assert response.status_code == 201
    copy = CriteriaTable.objects.get(bloc_year=vx)
    assert (copy.copied_from_id, response.json()["id"]) == (table.id, copy.id)
    assert services.criteria_inputs(copy) == services.criteria_inputs(table)
    # The other province's secretariat does not even see the source.
    hn = world.bloc_years["HN"]
    response = api("other_secretariat", token=True).post(
        f"/bloc-years/{hn.id}/criteria-table/copy", {"source_table_id": table.id})
    assert response.status_code == 404
    assert response.json() == error("Không tìm thấy bảng tiêu chí.")
    # Locking: the leader; twice is a conflict; a unit officer may not.
    assert api("officer", token=True).post(
        f"/bloc-years/{bloc_year.id}/criteria-table/lock").status_code == 403
    response = api("leader", token=True).post(f"/bloc-years/{bloc_year.id}/criteria-table/lock")
    assert (response.status_code, response.json()["is_locked"]) == (200, True)
    response = api("leader", token=True).post(f"/bloc-years/{bloc_year.id}/criteria-table/lock")
    assert response.status_code == 409
    assert response.json() == error("Bảng tiêu chí đã khóa.")


@pytest.mark.parametrize("who,status", statuses(
    admin=200, secretariat=200, other_secretariat=404, leader=200, officer=403, peer=403,
    outsider=404, delegate=403, nobody=404, anonymous=401))
def test_rule_10_imported_figures_matrix(year, api, who, status):
    world, bloc_year, _, _ = year
    response = api(who, token=who != "anonymous").put(
        f"/bloc-years/{bloc_year.id}/criteria-table/imported/III.1",
        {"source": "Sở Nội vụ — PAR INDEX", "values": [
            {"unit_id": world.units["KT1"].id, "points": "12.5"}]})
    assert response.status_code == status
    assert ImportedValue.objects.count() == (1 if status == 200 else 0)


def test_rule_10_imported_figures_the_draft_sheets_take_them_a_refusal_names_the_unit(
        year, api):
    world, bloc_year, _, actors = year
    draft = services.open_self_assessment(actors["KT2"], bloc_year, world.units["KT2"])
    client = api("leader", token=True)
    url = f"/bloc-years/{bloc_year.id}/criteria-table/imported/III.1"
    kt1, kt2 = world.units["KT1"], world.units["KT2"]
    response = client.put(url, {"source": " Sở Nội vụ — PAR INDEX ", "values": [
        {"unit_id": kt1.id, "points": "16"}, {"unit_id": kt2.id, "points": "13"}]})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": None, "message": (
        "Sở Công Thương: Tiêu chí III.1 “Tiêu chí III.1”: điểm phải từ 0 đến 15,00 (Quy tắc "
        "10); đã nhập 16,00.")}]
    assert not ImportedValue.objects.exists()
    response = client.put(url, {"source": " Sở Nội vụ — PAR INDEX ", "values": [
        {"unit_id": kt1.id, "points": "14"}, {"unit_id": kt2.id, "points": "13.25"}]})
    assert (response.status_code, response.json()) == (200, {
        "code": "III.1", "source": "Sở Nội vụ — PAR INDEX", "saved": 2})
    assert sorted((v.unit.code, str(v.points)) for v in ImportedValue.objects.all()) == [
        ("KT1", "14.00"), ("KT2", "13.25")]
    assert str(Score.objects.get(sheet=draft, criterion__code="III.1").points) == "13.25"
    assert AuditEvent.objects.filter(action="scoring.imported.set").count() == 1
    response = client.put(f"/bloc-years/{bloc_year.id}/criteria-table/imported/I.2", {
        "source": "x", "values": [{"unit_id": kt1.id, "points": "5"}]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == (
        "Bảng không có tiêu chí I.2 lấy số liệu từ hệ thống khác.")


# --- sheets -----------------------------------------------------------------------------

def test_open_self_sheet_only_own_unit(year, api):
    world, bloc_year, table, _ = year
    kt1 = world.units["KT1"]
    response = api("peer", token=True).post(f"/bloc-years/{bloc_year.id}/units/{kt1.id}/"
                                            "self-sheet")
    assert response.status_code == 403
    assert not ScoreSheet.objects.exists()
    response = api("officer", token=True).post(f"/bloc-years/{bloc_year.id}/units/{kt1.id}/"
                                               "self-sheet")
    assert response.status_code == 200
    body = response.json()
    sheet = ScoreSheet.objects.get()
    assert (body["id"], body["kind"], body["scored_unit"], body["scorer_unit"],
            body["status"], body["can_edit"]) == (sheet.id, "self", unit_ref(kt1),
                                                  unit_ref(kt1), "draft", True)


# A draft sheet is sealed: only its author finds it (RULES.md 13).
@pytest.mark.parametrize("who,status", statuses(
    admin=404, secretariat=404, other_secretariat=404, leader=404, officer=200, peer=404,
    outsider=404, delegate=404, nobody=404, anonymous=401))
def test_sealed_sheet_read_matrix(self_sheet, api, who, status):
    response = api(who).get(f"/sheets/{self_sheet.id}")
    assert response.status_code == status
    if status == 200:
        scores = {x["code"]: x for x in response.json()["scores"]}
        assert scores["I.2"] == {"code": "I.2", "points": "10.00", "raw": {"points": "10"},
                                 "note": ""}
    else:
        assert "10.00" not in response.content.decode()


@pytest.mark.parametrize("who,status", statuses(
    admin=404, secretariat=404, other_secretariat=404, leader=404, officer=200, peer=404,
    outsider=404, delegate=404, nobody=404, anonymous=401))
def test_set_scores_matrix(self_sheet, api, who, status):
    before = list(Score.objects.order_by("id").values_list("points", flat=True))
    response = api(who, token=who != "anonymous").put(
        f"/sheets/{self_sheet.id}/scores",
        {"scores": [{"code": "I.2", "points": "5", "note": "Chậm một văn bản"},
                    {"code": "V.1", "items": 1}]})
    assert response.status_code == status
    after = {s.criterion.code: s for s in Score.objects.filter(sheet=self_sheet)
             .select_related("criterion")}
    if status == 200:
        assert (after["I.2"].points, after["I.2"].note, after["V.1"].points) == (5, "Chậm một "
                                                                                "văn bản", 8)
        self_sheet.refresh_from_db()
        assert response.json()["final"] == format(self_sheet.final, "f")
    else:
        assert list(Score.objects.order_by("id").values_list("points", flat=True)) == before


def test_scores_checked_whole_rule_10(self_sheet, api):
    client = api("officer", token=True)
    before = list(Score.objects.order_by("id").values_list("id", "points"))
    response = client.put(f"/sheets/{self_sheet.id}/scores", {"scores": [
        {"code": "II.1", "items": 1}, {"code": "I.3", "points": "7"},
        {"code": "X.9", "points": "1"}]})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "scores.I.3", "message": "Tiêu chí I.3 “Tiêu chí I.3”: chỉ được chấm một "
                                           "trong các mức 0,00, 5,00, 10,00; đã nhập 7,00."},
        {"field": "scores.X.9", "message": "Bảng tiêu chí không có tiêu chí X.9 để chấm."}]
    assert list(Score.objects.order_by("id").values_list("id", "points")) == before


def test_my_sheets(self_sheet, api, world):
    assert [s["id"] for s in api("officer").get(
        f"/bloc-years/{self_sheet.table.bloc_year_id}/my-sheets").json()] == [self_sheet.id]
    assert api("peer").get(
        f"/bloc-years/{self_sheet.table.bloc_year_id}/my-sheets").json() == []
    assert api("leader").get(
        f"/bloc-years/{self_sheet.table.bloc_year_id}/my-sheets").json() == []
    assert api("outsider").get(
        f"/bloc-years/{self_sheet.table.bloc_year_id}/my-sheets").status_code == 404


# --- appraisal, ranking, breakdown --------------------------------------------------------

@pytest.fixture
def appraising(year):
    world, bloc_year, table, actors = year
    self_assess(world, bloc_year, actors)
    move_to(world, bloc_year, Phase.APPRAISAL)
    services.generate_assignments(world.actor("leader"), bloc_year)
    units = world.units
    for scorer in CODES:
        for scored in CODES:
            if scorer != scored:
                sheet = services.open_peer_sheet(actors[scorer], bloc_year, units[scorer],
                                                 units[scored])
                services.set_scores(actors[scorer], sheet, entries_for(scored, 0))
                services.submit_sheet(actors[scorer], sheet)
    return world, bloc_year, actors


def test_appraisal_change_with_reason(appraising, api):
    world, bloc_year, actors = appraising
    kt1 = world.units["KT1"]
    assert api("officer", token=True).post(
        f"/bloc-years/{bloc_year.id}/units/{kt1.id}/appraisal-sheet").status_code == 403
    response = api("leader", token=True).post(
        f"/bloc-years/{bloc_year.id}/units/{kt1.id}/appraisal-sheet")
    assert response.status_code == 200
    sheet_id = response.json()["id"]
    # Without a reason the field is refused; nothing changes.
    response = api("leader", token=True).post(f"/sheets/{sheet_id}/appraisal-changes",
                                              {"code": "I.2", "points": "5"})
    assert response.status_code == 422
    assert not ScoreChange.objects.exists()
    # A unit cannot appraise (the draft appraisal is sealed from it).
    response = api("officer", token=True).post(f"/sheets/{sheet_id}/appraisal-changes", {
        "code": "I.2", "points": "5", "reason": "Tự sửa"})
    assert response.status_code == 404
    response = api("leader", token=True).post(f"/sheets/{sheet_id}/appraisal-changes", {
        "code": "I.2", "points": "5", "reason": "Chậm hai văn bản"})
    assert response.status_code == 200
    change = ScoreChange.objects.get()
    assert (change.old_points, change.new_points, change.reason, change.author) == (
        10, 5, "Chậm hai văn bản", world.users["leader"])
    event = AuditEvent.objects.filter(action="scoring.appraisal.change").get()
    assert event.reason == "Chậm hai văn bản"
    assert api("leader", token=True).post(f"/sheets/{sheet_id}/submit").json()["status"] == (
        "submitted")
    # The unit reads the change and the reason in its breakdown.
    response = api("officer").get(f"/bloc-years/{bloc_year.id}/units/{kt1.id}/breakdown")
    assert response.status_code == 200
    line = next(x for x in response.json()["lines"] if x["code"] == "I.2")
    assert (line["self_points"], line["appraised_points"], line["peer_count"]) == (
        "10.00", "5.00", 4)
    assert [(c["old_points"], c["new_points"], c["reason"]) for c in line["changes"]] == [
        ("10.00", "5.00", "Chậm hai văn bản")]


@pytest.mark.parametrize("who,status", statuses(
    admin=200, secretariat=200, other_secretariat=404, leader=200, officer=200, peer=404,
    outsider=404, delegate=404, nobody=404, anonymous=401))
def test_breakdown_before_publication_matrix(appraising, api, who, status):
    world, bloc_year, _ = appraising
    kt1 = world.units["KT1"]
    response = api(who).get(f"/bloc-years/{bloc_year.id}/units/{kt1.id}/breakdown")
    assert response.status_code == status


@pytest.mark.parametrize("who,status", statuses(
    admin=200, secretariat=200, other_secretariat=404, leader=200, officer=200, peer=200,
    outsider=404, delegate=200, nobody=404, anonymous=401))
def test_published_ranking_matrix(appraising, api, who, status):
    world, bloc_year, _ = appraising
    assert api("leader").get(f"/bloc-years/{bloc_year.id}/ranking").json() == error(
        "Khối chưa công bố kết quả xếp hạng.")
    published = services.publish_ranking(world.actor("leader"), bloc_year)
    response = api(who).get(f"/bloc-years/{bloc_year.id}/ranking")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        rows = list(published.rows.order_by("rank", "unit__sort_key"))
        assert body["id"] == published.id
        assert [(r["rank"], r["unit"]["id"], r["final_exact"], r["tied"]) for r in
                body["rows"]] == [(r.rank, r.unit_id, f"{r.final.numerator}/"
                                   f"{r.final.denominator}", r.tied) for r in rows]
        assert {r["unit"]["code"] for r in body["rows"]} == set(CODES)
