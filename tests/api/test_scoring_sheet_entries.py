"""The scoring API takes what the pages take: III.1's imported figure entered on the sheet
with its source, a peer's reasoned «Không đủ căn cứ» for a unit whose progress report is
missing; a whole sheet in one call, each problem named with its line, nothing written."""

from decimal import Decimal

from scoring.flow import entries_for, import_par, move_to, prepare
from thidua.core.models import AuditEvent
from thidua.org.domain.phases import Phase
from thidua.scoring import services
from thidua.scoring.models import Score

SOURCE = "Quyết định số 1234/QĐ-UBND công bố PAR INDEX năm 2025"


def body(entries):
    return [{"code": code, **{k: str(v) for k, v in raw.items()}}
            for code, raw in entries.items()]


def state():
    return (sorted(Score.objects.values_list("sheet_id", "criterion__code", "points", "raw",
                                             "note")), AuditEvent.objects.count())


def test_rule_10_an_imported_figure_is_entered_with_its_source(world, api):
    bloc_year, _, actors = prepare(world)
    sheet = services.open_self_assessment(actors["KT1"], bloc_year, world.units["KT1"])
    client = api("officer", token=True)
    assert client.get(f"/sheets/{sheet.id}").json()["missing"] == {
        "III.1": "Tiêu chí III.1 “Tiêu chí III.1”: chưa có số liệu nhập từ hệ thống khác cho "
                 "đơn vị."}
    before = state()
    refused = client.put(f"/sheets/{sheet.id}/scores", {"scores": [
        *body(entries_for("KT1", 0)), {"code": "III.1", "points": "15.5", "source": SOURCE},
        {"code": "I.1", "points": "30"}]})
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {"field": "scores.III.1", "message": "Tiêu chí III.1 “Tiêu chí III.1”: điểm phải từ 0 "
                                             "đến 15,00 (Quy tắc 10); đã nhập 15,50."},
        {"field": "scores.I.1", "message": "Tiêu chí I.1 “Tiêu chí I.1”: được tính tự động, "
                                           "không nhập tay."}]
    no_source = client.put(f"/sheets/{sheet.id}/scores", {"scores": [
        {"code": "III.1", "points": "12"}]})
    assert no_source.json()["errors"] == [{"field": "scores.III.1", "message": (
        "Tiêu chí III.1 “Tiêu chí III.1”: ghi rõ nguồn số liệu (hệ thống, văn bản công bố) "
        "bên cạnh số liệu nhập.")}]
    assert state() == before
    saved = client.put(f"/sheets/{sheet.id}/scores", {"scores": [
        *body(entries_for("KT1", 0)), {"code": "III.1", "points": "12.5", "source": SOURCE},
        {"code": "I.1", "note": "Báo cáo tổng kết số 45/BC-SCT"},
        {"code": "II.3", "count": 5, "note": "Năm điển hình được biểu dương"}]})
    assert saved.status_code == 200
    scores = {s["code"]: s for s in saved.json()["scores"]}
    assert scores["III.1"] == {"code": "III.1", "points": "12.50", "note": "", "raw": {
        "points": "12.5", "source": SOURCE, "by_hand": "1"}}
    assert scores["I.1"]["note"] == "Báo cáo tổng kết số 45/BC-SCT"
    submitted = client.post(f"/sheets/{sheet.id}/submit")
    assert submitted.status_code == 200
    # KT1: I.1 22,5 + 10 + 10 + 5 + 5 + 5 + 12,5 + 10 + 10 = 90; B.2 +10.
    assert (submitted.json()["status"], submitted.json()["total"],
            submitted.json()["final"]) == ("submitted", "90.00", "100.00")
    assert submitted.json()["missing"] == {}  # nothing more to enter on a submitted sheet


def test_rule_13_a_peer_records_insufficient_basis_with_its_reason(world, api):
    bloc_year, _, actors = prepare(world, unreported=("KT2",))
    import_par(world, bloc_year)
    move_to(world, bloc_year, Phase.APPRAISAL)
    services.generate_assignments(world.actor("leader"), bloc_year)
    sheet = services.open_peer_sheet(actors["KT1"], bloc_year, world.units["KT1"],
                                     world.units["KT2"])
    client = api("officer", token=True)
    before = state()
    refused = client.put(f"/sheets/{sheet.id}/scores", {"scores": [
        *body(entries_for("KT2", 0)), {"code": "I.1", "insufficient": True}]})
    assert refused.json()["errors"] == [{"field": "scores.I.1", "message": (
        "Tiêu chí I.1 “Tiêu chí I.1”: ghi rõ lý do “Không đủ căn cứ” ở ô ghi chú.")}]
    assert state() == before
    reason = "Sở Tài chính chưa gửi báo cáo kết quả thực hiện chỉ tiêu"
    saved = client.put(f"/sheets/{sheet.id}/scores", {"scores": [
        *body(entries_for("KT2", 0)), {"code": "I.1", "insufficient": True, "note": reason}]})
    scores = {s["code"]: s for s in saved.json()["scores"]}
    assert scores["I.1"] == {"code": "I.1", "points": "0.00", "note": reason,
                             "raw": {"insufficient": "1"}}
    done = client.post(f"/sheets/{sheet.id}/submit").json()
    # 10 + 5 + 5 + 5 + 3 + 13,5 (PAR) + 10 + 10; B.3 +2.
    assert (done["status"], done["total"], done["final"]) == ("submitted", "61.50", "63.50")
    assert Score.objects.get(sheet=sheet, criterion__code="I.1").points == Decimal("0.00")
