"""The unit page: a unit's year (registration, targets with progress, evidence, tasks) and
its membership history; the unit search ignoring diacritics."""

import datetime

import pytest
from tests.factories import today

from thidua.core.models import AuditEvent
from thidua.org.models import EmulationYear, Unit
from thidua.pledges.models import Evidence, Registration

from .conftest import matrix, outcome, register, report, start_year
from .page import parse


def url(world, code="KT1"):
    return f"/don-vi/{world.units[code].pk}/"


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=200, secretariat=200, other_secretariat=404, leader=200, officer=200, peer=404,
    outsider=404, delegate=404, nobody=404, anonymous="login",
))
def test_who_may_open_a_unit(world, as_who, who, status):
    assert outcome(as_who(who).get(url(world))) == status


def test_own_unit_sees_its_draft_and_tasks(world, as_who):
    EmulationYear.objects.filter(pk=world.year.pk).update(
        registration_deadline=today() + datetime.timedelta(days=10))
    registration = register(world, "officer", "KT1", submit=False, targets=2)
    page = parse(as_who("officer").get(url(world)))
    assert page.by_id("trang-thai-dang-ky").text == (
        "Bản nháp, chưa gửi · Sửa và gửi bản đăng ký")
    assert page.by_id("trang-thai-dang-ky").find("a").attrs["href"] == (
        f"/dang-ky/{registration.pk}/")
    deadline = today() + datetime.timedelta(days=10)
    tasks = [li.text for li in page.by_id("danh-sach-viec").find_all("li")]
    assert tasks == [
        f"Cần làm Gửi bản đăng ký thi đua (hạn {deadline:%d/%m/%Y}) — hạn {deadline:%d/%m/%Y}",
        f"Cần làm Hoàn thành chỉ tiêu “Chỉ tiêu số 1” (0 %) — hạn 31/12/{world.year.year}",
        f"Cần làm Hoàn thành chỉ tiêu “Chỉ tiêu số 2” (0 %) — hạn 31/12/{world.year.year}",
    ]


@pytest.mark.parametrize("who", ["leader", "secretariat", "admin"])
def test_others_never_see_a_units_draft(world, as_who, who):
    register(world, "officer", "KT1", submit=False)
    page = parse(as_who(who).get(url(world)))
    assert page.by_id("trang-thai-dang-ky").text == "Chưa đăng ký"
    assert page.by_id("danh-hieu") is None
    assert "Chỉ tiêu số 1" not in page.find("main").text
    assert page.by_id("viec-can-lam") is None  # tasks are the unit's own


def test_a_unit_without_registration_may_open_one(world, as_who):
    page = parse(as_who("officer").get(url(world)))
    form = page.find("form", action=f"/don-vi/{world.units['KT1'].pk}/dang-ky/")
    assert form is not None
    assert form.find("input", name="nam").attrs["value"] == str(world.year.year)
    # The leader may look but not act for the unit.
    assert parse(as_who("leader").get(url(world))).find(
        "form", action=f"/don-vi/{world.units['KT1'].pk}/dang-ky/") is None


def test_targets_progress_bars_and_evidence_links(world, as_who):
    start_year(world)
    registration = register(world, "officer", "KT1", targets=2)
    first, second = registration.targets.order_by("id")
    report(world, "officer", first, value="87.5")  # baseline 80, target 95 → 50 %
    evidence = Evidence.objects.get()
    page = parse(as_who("leader").get(url(world)))
    bars = {p.attrs["id"]: (p.attrs["value"], p.attrs["max"]) for p in page.find_all("progress")}
    assert bars == {f"tien-do-{first.pk}": ("50", "100"), f"tien-do-{second.pk}": ("0", "100")}
    card = page.by_id(f"chi-tieu-{first.pk}")
    assert card.with_class("phan-tram")[0].text == "50 %"
    assert [(a.text, a.attrs["href"]) for a in card.find_all("a")] == [
        ("Báo cáo quý.pdf", f"/minh-chung/{evidence.pk}/")]
    assert [li.text for li in page.by_id("danh-hieu").find_all("li")] == [
        "Cờ thi đua của UBND tỉnh"]
    # Only the unit's officer gets the "report progress" button.
    assert page.find("a", href=f"/chi-tieu/{first.pk}/bao-cao/") is None
    own = parse(as_who("officer").get(url(world)))
    assert own.find("a", href=f"/chi-tieu/{first.pk}/bao-cao/") is not None


def test_membership_history_across_years(world, as_who):
    from thidua.org import services as org_services
    from thidua.org.models import Bloc

    system = world.actor("admin")
    older = org_services.ensure_year(system, world.province, world.year.year - 1)
    bloc = Bloc.objects.create(province=world.province, code="OLD", kind=Bloc.Kind.KHOI,
                               name="Khối Tổng hợp")
    units = [world.units["KT1"]] + [
        Unit.objects.create(province=world.province, code=f"O{i}", name=f"Sở cũ {i}")
        for i in range(4)]
    org_services.create_bloc_year(system, bloc, older, members=units, leader=units[1],
                                  deputies=[units[0]])
    page = parse(as_who("officer").get(url(world)))
    table = page.by_id("lich-su").parent.find("table")
    rows = [[td.text for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")]
    assert rows == [[str(world.year.year), "Khối Kinh tế", "Trưởng khối"],
                    [str(older.year), "Khối Tổng hợp", "Phó khối"]]


def test_a_delegate_sees_their_unit_but_cannot_open_a_registration(world, as_who):
    client = as_who("delegate")
    assert client.get(url(world, "KT3")).status_code == 200
    response = client.post(f"/don-vi/{world.units['KT3'].pk}/dang-ky/",
                           {"nam": world.year.year})
    assert response.status_code == 403
    assert Registration.objects.count() == 0


# --- search ------------------------------------------------------------------------------

def results(response):
    return [a.text for a in parse(response).by_id("ket-qua").find_all("a")]


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=200, secretariat=200, other_secretariat=200, leader=200, officer=200, peer=200,
    outsider=200, delegate=200, nobody=200, anonymous="login",
))
def test_everyone_logged_in_may_search(world, as_who, who, status):
    assert outcome(as_who(who).get("/don-vi/?q=so")) == status


def test_search_ignores_diacritics_and_đ(world, as_who):
    client = as_who("secretariat")
    assert results(client.get("/don-vi/?q=dai phat thanh")) == ["Đài Phát thanh"]
    assert results(client.get("/don-vi/?q=ĐÀI")) == ["Đài Phát thanh"]
    # ICU compares letters before tones across the whole name: "bao bac" < "bao hiem".
    assert results(client.get("/don-vi/?q=bao")) == ["Báo Bắc Ninh", "Bảo hiểm xã hội"]


def test_search_results_in_vietnamese_order_within_scope(world, as_who):
    everything_here = results(as_who("secretariat").get("/don-vi/?q="))
    assert everything_here == [
        "Ban Quản lý dự án", "Báo Bắc Ninh", "Bảo hiểm xã hội", "Đài Phát thanh",
        "Sở Công Thương", "Sở Giáo dục", "Sở Nội vụ", "Sở Tài chính", "Sở Xây dựng", "Sở Y tế"]
    assert results(as_who("secretariat").get("/don-vi/?q=bi mat")) == []
    assert results(as_who("other_secretariat").get("/don-vi/?q=bi mat")) == ["Sở Bí mật"]
    assert results(as_who("officer").get("/don-vi/?q=so")) == ["Sở Công Thương"]
    assert results(as_who("leader").get("/don-vi/?q=")) == [
        "Ban Quản lý dự án", "Đài Phát thanh", "Sở Công Thương", "Sở Tài chính", "Sở Xây dựng"]
    assert results(as_who("nobody").get("/don-vi/?q=so")) == []


def test_search_with_nfd_input(world, as_who):
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Sở Tài chính")
    assert results(as_who("admin").get("/don-vi/", {"q": nfd})) == ["Sở Tài chính"]


def test_reading_pages_writes_nothing(world, as_who):
    count = AuditEvent.objects.count()
    for who in ["admin", "officer", "leader"]:
        assert as_who(who).get(url(world)).status_code == 200
    assert AuditEvent.objects.count() == count
