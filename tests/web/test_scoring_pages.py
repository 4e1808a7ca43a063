"""Scoring pages on the web: the criteria table (create, validate, lock, new version —
RULES.md 9), a unit's breakdown and the published ranking (RULES.md 14, 16), with their
permission matrices and fixed query counts."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thidua.core.models import AuditEvent
from thidua.org.domain.phases import Phase
from thidua.scoring import services
from thidua.scoring.models import CriteriaTable, Criterion, RankingRow

from .conftest import matrix, outcome
from .page import inline_code, parse
from .scoring_world import move_to, prepare, published_year


def table_url(world, suffix=""):
    return f"/khoi/{world.bloc_years['KT'].pk}/cham-diem/{suffix}"


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=200, secretariat=200, other_secretariat=404, leader=200, officer=200, peer=200,
    outsider=404, delegate=200, nobody=404, anonymous="login",
))
def test_who_may_read_the_criteria_table(world, as_who, who, status):
    prepare(world)
    response = as_who(who).get(table_url(world))
    assert outcome(response) == status
    if status == 200:
        root = parse(response)
        codes = [tr.attrs["data-code"] for tr in root.by_id("bang-tieu-chi").find_all("tr")
                 if "data-code" in tr.attrs]
        assert codes[:4] == ["I", "I.1", "I.2", "I.3"] and len(codes) == 20
        # Only the bloc's runners get the actions.
        has_actions = root.find("form", action=table_url(world, "kiem-tra/")) is not None
        assert has_actions == (who in {"admin", "secretariat", "leader"})


def test_table_page_shows_max_points_methods_evidence_version_and_lock(world, as_who):
    prepare(world)
    root = parse(as_who("officer").get(table_url(world)))
    assert inline_code(root) == []
    rows = {tr.attrs["data-code"]: [td.text for td in tr.find_all("td")]
            for tr in root.by_id("bang-tieu-chi").find_all("tr") if "data-code" in tr.attrs}
    assert rows["I"] == ["I", "Nhóm I", "50,00", "", ""]
    assert rows["I.1"] == ["I.1", "Tiêu chí I.1", "30,00", "Công thức theo chỉ tiêu",
                           "Bắt buộc"]
    assert rows["I.2"] == ["I.2", "Tiêu chí I.2", "10,00",
                           "Chấm theo mức (Các mức: 0,00; 5,00; 10,00)", ""]
    assert rows["IV.1"] == ["IV.1", "Tiêu chí IV.1", "10,00",
                            "Trừ điểm theo lỗi (5,00 điểm/lần)", ""]
    assert (root.by_id("phien-ban").text, root.by_id("tong-diem-bang").text,
            root.by_id("tinh-trang-bang").text) == ("1", "100,00", "Chưa khóa")


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=302, secretariat=302, other_secretariat=404, leader=302, officer=403, peer=403,
    outsider=404, delegate=403, nobody=404, anonymous="login",
))
def test_who_may_create_the_table_from_the_demo_structure(world, as_who, who, status):
    response = as_who(who).post(table_url(world, "lap-bang/"), {"nguon": "mau"})
    assert outcome(response) == status
    tables = list(CriteriaTable.objects.values_list("bloc_year__bloc__code", "total"))
    assert tables == ([("KT", Decimal("100.00"))] if status == 302 else [])
    if status == 302:
        assert AuditEvent.objects.filter(action="scoring.table.create").count() == 1
        assert Criterion.objects.filter(is_section=False).count() == 13


def test_copy_last_years_table(world, as_who):
    from thidua.org import services as org_services
    bloc_year, table, _ = prepare(world)
    system = world.actor("admin")
    next_year = org_services.ensure_year(system, world.province, world.year.year + 1)
    members = [m.unit for m in bloc_year.memberships.select_related("unit")]
    fresh = org_services.create_bloc_year(system, bloc_year.bloc, next_year, members=members,
                                          leader=members[0], deputies=[members[1]])
    page = parse(as_who("admin").get(f"/khoi/{fresh.pk}/cham-diem/"))
    choice = page.by_id(f"nguon-{table.pk}")
    assert choice is not None and "checked" in choice.attrs
    response = as_who("admin").post(f"/khoi/{fresh.pk}/cham-diem/lap-bang/",
                                    {"nguon": str(table.pk)})
    assert response.status_code == 302
    copy = CriteriaTable.objects.get(bloc_year=fresh)
    assert copy.copied_from == table
    assert services.criteria_inputs(copy) == services.criteria_inputs(table)
    # A table id that is not an earlier year of this bloc is refused, nothing written.
    other = world.bloc_years["VX"]
    response = as_who("admin").post(f"/khoi/{other.pk}/cham-diem/lap-bang/",
                                    {"nguon": str(table.pk)})
    assert response.status_code == 400
    assert "Không tìm thấy bảng tiêu chí để sao chép." in response.content.decode()
    assert not CriteriaTable.objects.filter(bloc_year=other).exists()


def test_validate_names_the_criterion_lock_then_new_version_needs_a_reason(world, as_who):
    _, table, _ = prepare(world)
    client = as_who("leader")
    response = client.post(table_url(world, "kiem-tra/"))
    assert response.status_code == 200
    assert parse(response).by_id("ket-qua-kiem-tra") is not None
    # A broken table (changed behind the service's back): the error names the criterion.
    Criterion.objects.filter(table=table, code="I.2").update(max_points=Decimal("12"))
    response = client.post(table_url(world, "kiem-tra/"))
    assert response.status_code == 400
    messages = [li.text for li in parse(response).with_class("error-summary")[0].find_all("li")]
    assert any("I" in m and "50" in m for m in messages), messages
    response = client.post(table_url(world, "khoa/"))
    assert response.status_code == 400
    table.refresh_from_db()
    assert not table.is_locked
    Criterion.objects.filter(table=table, code="I.2").update(max_points=Decimal("10"))
    assert client.post(table_url(world, "khoa/")).status_code == 302
    table.refresh_from_db()
    assert table.is_locked
    assert AuditEvent.objects.filter(action="scoring.table.lock").count() == 1
    response = client.post(table_url(world, "phien-ban-moi/"), {"reason": "  "})
    assert response.status_code == 400
    assert "Lập phiên bản mới của bảng tiêu chí đã khóa phải ghi rõ lý do." in (
        response.content.decode())
    assert CriteriaTable.objects.count() == 1
    response = client.post(table_url(world, "phien-ban-moi/"),
                           {"reason": "UBND tỉnh điều chỉnh tiêu chí"})
    assert response.status_code == 302
    root = parse(client.get(table_url(world)))
    assert root.by_id("phien-ban").text == "2"
    assert "Phiên bản 2" in root.by_id("cac-phien-ban").text
    assert "UBND tỉnh điều chỉnh tiêu chí" in root.by_id("cac-phien-ban").text


def test_only_runners_lock_or_version(world, as_who):
    prepare(world)
    for who, status in (("officer", 403), ("peer", 403), ("outsider", 404),
                        ("other_secretariat", 404)):
        assert as_who(who).post(table_url(world, "khoa/")).status_code == status
        assert as_who(who).post(table_url(world, "phien-ban-moi/"),
                                {"reason": "x"}).status_code == status
    assert not CriteriaTable.objects.filter(is_locked=True).exists()


# --- the published ranking and a unit's breakdown ----------------------------------------

def test_who_may_read_the_published_ranking(world, as_who):
    """Every role against one published year (a year played to its ranking through the
    services costs seconds: built once here, not once per role)."""
    bloc_year, _ = published_year(world)
    expected = dict(matrix(
        admin=200, secretariat=200, other_secretariat=404, leader=200, officer=200,
        peer=200, outsider=404, delegate=200, nobody=404, anonymous="login"))
    assert {who: outcome(as_who(who).get(f"/khoi/{bloc_year.pk}/xep-hang/"))
            for who in expected} == expected


def test_ranking_table_exact_scores_ties_chart_and_stability(world, as_who):
    bloc_year, published = published_year(world)
    root = parse(as_who("peer").get(f"/khoi/{bloc_year.pk}/xep-hang/"))
    assert inline_code(root) == []
    rows = list(RankingRow.objects.filter(ranking=published).select_related("unit")
                .order_by("rank", "unit__sort_key"))
    table_rows = root.by_id("bang-xep-hang").find("tbody").find_all("tr")
    assert [tr.attrs["data-unit"] for tr in table_rows] == [r.unit.code for r in rows]
    from thidua.core.numbers import vi_number
    assert [tr.with_class("tong")[0].text for tr in table_rows] == [
        vi_number(r.final) for r in rows]
    assert [tr.with_class("hang")[0].text for tr in table_rows] == [
        f"{r.rank} Đồng hạng" if r.tied else str(r.rank) for r in rows]
    chart = json.loads(root.by_id("du-lieu-nhom").text)
    assert chart["labels"] == [r.unit.name for r in rows]
    assert [d["label"][:3] for d in chart["datasets"]] == ["I. ", "II.", "III", "IV.", "V. "]
    assert root.find("canvas", id="bieu-do-nhom").attrs["data-source"] == "du-lieu-nhom"
    report = services.compute_ranking(bloc_year)
    stability = root.by_id("kiem-tra-do-vung").find_all("li")
    assert len(stability) == len(report.stability) == 3
    from thidua.scoring.domain.aggregation import AGGREGATION_LABELS
    for item, (method, shifts) in zip(stability, report.stability.items(), strict=True):
        assert item.find("strong").text == AGGREGATION_LABELS[method]
        if not shifts:
            assert item.text.endswith("không đơn vị nào đổi hạng.")
        else:
            assert item.text.count("hạng") == len(shifts)
    # Members read the ranking but may not publish.
    assert root.find("form", action=f"/khoi/{bloc_year.pk}/xep-hang/cong-bo/") is None


def test_a_tie_is_shown_as_a_tie_never_ordered(world, as_who):
    bloc_year, published = published_year(world)
    rows = list(RankingRow.objects.filter(ranking=published).order_by("rank", "unit_id"))
    a, b = rows[0], rows[1]
    # Make the two best equal on everything: the chain cannot break it (RULES.md 16).
    RankingRow.objects.filter(pk__in=[a.pk, b.pk]).update(
        rank=1, tied=True, tie_needs="vote", decided_by="",
        final_numerator=a.final_numerator, final_denominator=a.final_denominator)
    root = parse(as_who("officer").get(f"/khoi/{bloc_year.pk}/xep-hang/"))
    tied = root.with_class("dong-hang", tag="tr")
    assert len(tied) == 2
    assert [tr.with_class("hang")[0].text for tr in tied] == ["1 Đồng hạng", "1 Đồng hạng"]
    assert all("cần hội nghị biểu quyết" in tr.text for tr in tied)
    assert root.by_id("dong-hang") is not None


def test_before_publication_members_see_nothing_and_the_leader_may_publish(world, as_who):
    bloc_year, table, actors = prepare(world)
    response = as_who("officer").get(f"/khoi/{bloc_year.pk}/xep-hang/")
    root = parse(response)
    assert root.by_id("chua-cong-bo") is not None
    assert root.by_id("kiem-tra-do-vung") is None
    move_to(world, bloc_year, Phase.APPRAISAL)
    response = as_who("leader").post(f"/khoi/{bloc_year.pk}/xep-hang/cong-bo/")
    assert response.status_code == 409
    assert "Chưa đủ điểm để xếp hạng (Quy tắc 14)" in response.content.decode()
    assert as_who("officer").post(
        f"/khoi/{bloc_year.pk}/xep-hang/cong-bo/").status_code == 403


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=200, secretariat=200, other_secretariat=404, leader=200, officer=200, peer=404,
    outsider=404, delegate=404, nobody=404, anonymous="login",
))
def test_who_may_read_a_units_breakdown_before_publication(world, as_who, who, status):
    bloc_year, table, actors = prepare(world)
    url = f"/khoi/{bloc_year.pk}/ket-qua/{world.units['KT1'].pk}/"
    assert outcome(as_who(who).get(url)) == status


def test_breakdown_criterion_by_criterion_with_changes_and_radar(world, as_who):
    bloc_year, published = published_year(world)
    from thidua.scoring.models import ScoreChange
    change = ScoreChange.objects.select_related("score__sheet__scored_unit",
                                                "score__criterion").first()
    unit = change.score.sheet.scored_unit
    root = parse(as_who("peer").get(f"/khoi/{bloc_year.pk}/ket-qua/{unit.pk}/"))
    assert inline_code(root) == []
    row = next(tr for tr in root.by_id("bang-ket-qua").find_all("tr")
               if tr.attrs.get("data-code") == change.score.criterion.code)
    assert row.has_class("da-sua")
    from thidua.core.numbers import vi_number
    assert row.with_class("diem-tham-dinh")[0].text == vi_number(change.new_points) or (
        ScoreChange.objects.filter(score=change.score).count() > 1)
    assert change.reason in row.with_class("lich-su")[0].text
    # Peers: mean, count and spread of this criterion's peer scores, exactly as stored.
    from thidua.scoring.models import Score
    peer_points = sorted(Score.objects.filter(
        sheet__kind="peer", sheet__status="submitted", sheet__scored_unit=unit,
        criterion=change.score.criterion).values_list("points", flat=True))
    mean = sum(peer_points) / len(peer_points)
    assert row.with_class("diem-cham-cheo")[0].text == (
        f"{vi_number(mean)} ({len(peer_points)} phiếu, vênh "
        f"{vi_number(peer_points[-1] - peer_points[0])})")
    line = RankingRow.objects.get(ranking=published, unit=unit)
    assert root.by_id("diem-cong-bo").text == vi_number(line.final)
    radar = json.loads(root.by_id("du-lieu-radar").text)
    assert [d["label"] for d in radar["datasets"]] == [unit.name, "Trung vị của khối"]
    assert len(radar["labels"]) == len(radar["datasets"][0]["data"]) == 5


def test_scoring_pages_queries_do_not_grow_with_units_or_criteria(world, as_who):
    from thidua.scoring.models import ScoreChange, ScoreEvidence
    from thidua.scoring.services import CriterionInput
    bloc_year, _ = published_year(world)
    client = as_who("admin")

    def count(url):
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    # Units with more or fewer changes and files read the same number of queries.
    per_unit = {}
    for code in ("KT1", "KT2", "KT3", "KT4", "KT5"):
        unit = world.units[code]
        rows = (ScoreChange.objects.filter(score__sheet__scored_unit=unit).count()
                + ScoreEvidence.objects.filter(unit=unit).count())
        per_unit[rows] = count(f"/khoi/{bloc_year.pk}/ket-qua/{unit.pk}/")
    assert len(per_unit) > 1 and len(set(per_unit.values())) == 1, per_unit
    assert count(f"/khoi/{bloc_year.pk}/xep-hang/") <= 25
    # A one-criterion table and the 13-criterion one: the same count.
    other = world.bloc_years["VX"]
    services.create_table(world.actor("admin"), other, name="Một tiêu chí", total=Decimal(100),
                          criteria=[CriterionInput(code="I", title="Nhóm I", is_section=True,
                                                   max_points=Decimal(100)),
                                    CriterionInput(code="I.1", title="Duy nhất", parent="I",
                                                   max_points=Decimal(100), method="free")])
    assert count(f"/khoi/{other.pk}/cham-diem/") == count(f"/khoi/{bloc_year.pk}/cham-diem/")


@pytest.mark.parametrize(("who", "links"), [
    ("leader", ["Bảng tiêu chí chấm điểm", "Tự chấm điểm", "Chấm chéo", "Thẩm định",
                "Kết quả xếp hạng"]),
    ("officer", ["Bảng tiêu chí chấm điểm", "Tự chấm điểm", "Chấm chéo", "Kết quả xếp hạng"]),
])
def test_bloc_year_page_links_to_the_scoring_pages_each_may_open(world, as_who, who, links):
    bloc_year, _ = published_year(world)
    client = as_who(who)
    nav = parse(client.get(f"/khoi/{bloc_year.pk}/")).by_id("lien-ket-cham-diem")
    anchors = nav.find_all("a")
    assert [a.text for a in anchors] == links
    for anchor in anchors:
        assert client.get(anchor.attrs["href"]).status_code == 200, anchor.attrs["href"]
