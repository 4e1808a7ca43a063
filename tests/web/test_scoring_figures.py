"""The bloc's figures from another agency's system (an imported criterion, e.g. the PAR
INDEX) entered on a page once for every unit, with their source (RULES.md 10): checked
whole — a refused figure names its unit, keeps what was typed and writes nothing —,
audited, and taken at once by the draft sheets. Before this page only a shell could
import them; every sheet typed the same figure by hand."""

from decimal import Decimal

import pytest

from thidua.core.models import AuditEvent
from thidua.scoring import services
from thidua.scoring.models import ImportedValue, Score

from .conftest import matrix, outcome
from .page import parse
from .scoring_world import prepare

SOURCE = "Sở Nội vụ — Chỉ số cải cách hành chính (PAR INDEX) năm 2026"


def url(world, suffix=""):
    return f"/khoi/{world.bloc_years['KT'].pk}/cham-diem/so-lieu/{suffix}"


def figures(world, **typed):
    return {"tieu-chi": "III.1", "nguon": SOURCE} | {
        f"diem-{world.units[code].pk}": value for code, value in typed.items()}


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=200, secretariat=200, other_secretariat=404, leader=200, officer=404, peer=404,
    outsider=404, delegate=404, nobody=404, anonymous="login",
))
def test_who_may_open_the_figures_page(world, as_who, who, status):
    prepare(world)
    assert outcome(as_who(who).get(url(world))) == status


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=302, secretariat=302, other_secretariat=404, leader=302, officer=403, peer=403,
    outsider=404, delegate=403, nobody=404, anonymous="login",
))
def test_who_may_enter_the_figures(world, as_who, who, status):
    prepare(world)
    response = as_who(who).post(url(world, "luu/"), figures(world, KT1="12"))
    assert outcome(response) == status
    assert ImportedValue.objects.count() == (1 if status == 302 else 0)


@pytest.mark.django_db
def test_rule_10_the_leader_enters_the_figures_once_and_the_draft_sheets_take_them(
        world, as_who):
    bloc_year, table, actors = prepare(world)
    draft = services.open_self_assessment(actors["KT1"], bloc_year, world.units["KT1"])
    client = as_who("leader")
    table_page = parse(client.get(f"/khoi/{bloc_year.pk}/cham-diem/"))
    assert table_page.by_id("lien-ket-so-lieu").text == "Nhập số liệu từ hệ thống khác (III.1)"
    root = parse(client.get(url(world)))
    form = root.by_id("so-lieu-III.1")
    assert form.find("p", **{"class": "tien-do-so-lieu"}).text == "Đã có số liệu của 0/5 đơn vị."
    assert sorted(label.text for label in form.find_all("label")[1:]) == sorted(
        world.units[c].name for c in ("KT1", "KT2", "KT3", "KT4", "KT5"))

    response = client.post(url(world, "luu/"), figures(
        world, KT1="12,5", KT2="13", KT3="11,25", KT4="14", KT5=""))
    assert response.status_code == 302
    page = client.get(response["Location"].split("#")[0])
    root = parse(page)
    assert f"Đã lưu số liệu III.1 của 4 đơn vị, nguồn: {SOURCE}." in root.text
    assert root.by_id("so-lieu-III.1").find(
        "p", **{"class": "tien-do-so-lieu"}).text == "Đã có số liệu của 4/5 đơn vị."
    kt1 = world.units["KT1"]
    assert root.find("input", name=f"diem-{kt1.pk}").attrs["value"] == "12,50"
    assert root.find("input", name="nguon").attrs["value"] == SOURCE
    stored = {(v.unit.code, v.points, v.source) for v in ImportedValue.objects.select_related(
        "unit")}
    assert stored == {("KT1", Decimal("12.50"), SOURCE), ("KT2", Decimal("13.00"), SOURCE),
                      ("KT3", Decimal("11.25"), SOURCE), ("KT4", Decimal("14.00"), SOURCE)}
    score = Score.objects.get(sheet=draft, criterion__code="III.1")
    assert (score.points, score.raw["source"]) == (Decimal("12.50"), SOURCE)
    event = AuditEvent.objects.get(action="scoring.imported.set")
    assert event.actor == world.users["leader"]
    # The sheet shows the figure and where it comes from; no figure to type on it.
    sheet = parse(as_who("officer").get(f"/phieu-cham/{draft.pk}/"))
    row = sheet.find("div", **{"data-code": "III.1"})
    assert row.find("p", **{"class": "giai-thich"}).text == f"Số liệu từ {SOURCE}."
    assert [i.attrs["name"].split("-")[0] for i in row.find_all("input")] == ["files"]


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "said"), [
    ({"KT2": "15,5", "KT3": "mười"}, [
        "Sở Tài chính: Tiêu chí III.1 “Tiêu chí III.1”: điểm phải từ 0 đến 15,00 (Quy tắc "
        "10); đã nhập 15,50.",
        "{KT3}: Tiêu chí III.1 “Tiêu chí III.1”: điểm “mười” không phải là số."]),
    ({"KT1": "", "KT2": ""}, ["Chưa nhập số liệu III.1 cho đơn vị nào."]),
])
def test_rule_10_a_refused_figure_names_its_unit_keeps_what_was_typed_writes_nothing(
        world, as_who, typed, said):
    prepare(world)
    response = as_who("leader").post(url(world, "luu/"), figures(world, **typed))
    assert response.status_code == 400
    root = parse(response)
    summary = [li.text for li in root.find("div", **{"class": "error-summary"}).find_all("li")]
    assert summary == [s.replace("{KT3}", world.units["KT3"].name) for s in said]
    for code, value in typed.items():
        field = root.find("input", name=f"diem-{world.units[code].pk}")
        assert field.attrs["value"] == value
    assert not ImportedValue.objects.exists()
    assert not AuditEvent.objects.filter(action="scoring.imported.set").exists()


@pytest.mark.django_db
def test_rule_10_figures_without_their_source_are_refused(world, as_who):
    prepare(world)
    posted = figures(world, KT1="12") | {"nguon": "  "}
    response = as_who("leader").post(url(world, "luu/"), posted)
    assert response.status_code == 400
    assert "Ghi rõ nguồn số liệu." in parse(response).text
    assert not ImportedValue.objects.exists()
