"""Issue 14: a former province's history is readable by its successor's secretariat, and
read-only. Bắc Giang (one published poll) merged into Bắc Ninh: Bắc Ninh's secretariat
reads Bắc Giang's dashboard, bloc years, published result, award register, papers and
recorded history, on the pages and through the API (org.rules.can_read_province), and
changes nothing of it — setup, decisions, phases, next year, scoring, conference,
history, the papers' pack — each refused, nothing written. Hà Nội's secretariat and
Bắc Ninh's bloc leader still do not find Bắc Giang at all."""

import datetime

import pytest
from tests.exchange.test_merger import _published, bac_giang, merge, snapshot

from thidua.awards.models import Award, AwardDecision, CouncilSelection, UnitYearFacts
from thidua.documents.models import (
    AchievementStatement,
    Document,
    DocumentJob,
    Signer,
    SigningCertificate,
)
from thidua.exchange import envelope, importer
from thidua.org import lineage, rules
from thidua.org.domain.phases import HISTORY
from thidua.org.models import (
    BlocYear,
    EmulationYear,
    LineageEvent,
    PastLeader,
    Province,
    RoleAssignment,
    Unit,
)
from thidua.pledges.models import Registration
from thidua.publication.models import PressRelease, PressReleaseRevision
from thidua.scoring.models import CriteriaTable
from thidua.voting.models import Conference, Poll

from .page import parse

pytestmark = pytest.mark.django_db
YEAR = datetime.date.today().year


def _reorganised(world):
    """Bắc Ninh's units reorganised once (RULES.md 44): Sở Kế hoạch và Đầu tư merged into Sở
    Tài chính from 1 March, by Decision 45/QĐ-UBND."""
    khdt = Unit.objects.create(province=world.province, code="SKHDT", name="Sở Kế hoạch và Đầu tư")
    tc = Unit.objects.create(province=world.province, code="STC", name="Sở Tài chính")
    lineage.record_event(world.actor("secretariat"), world.province, kind="merge",
                         predecessors=[khdt.id], successors=[tc.id],
                         effective_date=datetime.date(YEAR, 3, 1),
                         document_number="45/QĐ-UBND", document_date=datetime.date(YEAR, 2, 28))


@pytest.fixture
def merged(world):
    """Bắc Giang (a copy of Bắc Ninh with one published poll of 4 ballots and one recorded
    reorganisation) merged into Bắc Ninh: (former province, its published poll, the poll's
    box digest)."""
    _reorganised(world)
    document, digest = _published(world)
    merge(importer.loads(envelope.dumps(document)))
    former = Province.objects.get(code="BG")
    poll = Poll.objects.get(conference__bloc_year__bloc__province=former)
    return former, poll, digest


def _bloc_year(former, code="KT"):
    return BlocYear.objects.get(bloc__province=former, bloc__code=code)


def test_one_predicate_reads_the_former_province_and_gives_no_power(world, merged):
    former = merged[0]
    successor, other = world.actor("secretariat"), world.actor("other_secretariat")
    assert successor.history_provinces == {former.id}
    assert other.history_provinces == frozenset()
    assert world.actor("leader").history_provinces == frozenset()
    assert rules.can_read_province(successor, former.id)
    assert not rules.can_oversee_province(successor, former.id)
    assert not rules.can_set_up_province(successor, former.id)
    assert not rules.can_read_province(other, former.id)
    bloc_year = _bloc_year(former)
    assert rules.bloc_year_roles(successor, bloc_year) == {HISTORY}
    assert rules.bloc_year_roles(other, bloc_year) == frozenset()
    assert not rules.can_manage_bloc_year(successor, bloc_year)
    # The forms' predicates: a former province is history for everyone, the admin too.
    from thidua.awards import rules as award_rules

    admin = world.actor("admin")
    assert (rules.is_history(former), rules.is_history(world.province)) == (True, False)
    assert [rules.can_record_lineage(who, province) for who, province in (
        (admin, former), (successor, former), (admin, world.province),
        (successor, world.province))] == [False, False, True, True]
    assert [award_rules.may_record_awards_in(who, province) for who, province in (
        (admin, former), (successor, former), (admin, world.province),
        (successor, world.province), (other, world.province))] == [
        False, False, True, True, False]


def test_the_successors_dashboard_links_to_the_former_provinces_read_only_dashboard(
        as_who, merged):
    client = as_who("secretariat")
    home = parse(client.get("/tinh/BN/"))
    links = [(a.attrs["href"], a.text) for a in home.by_id("tinh-da-hop-nhat").find_all("a")]
    assert links == [("/tinh/BG/", "Tỉnh Bắc Giang")]
    response = client.get("/tinh/BG/")
    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == f"Thi đua khối, cụm — Bắc Giang, năm {YEAR}"
    assert page.by_id("tinh-cu").text == (
        "Tỉnh Bắc Giang đã hợp nhất vào tỉnh Bắc Ninh từ ngày 01/07/2025 (Nghị quyết số "
        "202/2025/QH15 ngày 12/6/2025 của Quốc hội). Dữ liệu dưới đây là lịch sử của tỉnh "
        "Bắc Giang trước hợp nhất, chỉ để xem. Về tỉnh Bắc Ninh")
    blocs = [tr.find("a").attrs["href"] for tr in page.by_id("bang-khoi").find("tbody")
             .find_all("tr")]
    assert blocs == [f"/khoi/{_bloc_year(merged[0], code).pk}/" for code in ("KT", "VX")]
    # Nothing to set up, decide or chase in a former province.
    for element_id in ("thiet-lap", "khoi-can-chu-y", "lien-ket-chung-thu-so",
                       "tinh-da-hop-nhat"):
        assert page.by_id(element_id) is None, element_id
    # What an ordinary province's secretariat finds linked there, the successor reads (issue
    # 14): the proposals and decisions, the register, the history, the units' lineage.
    assert {element_id: page.by_id(element_id).attrs["href"] for element_id in (
        "lien-ket-khen-thuong", "lien-ket-so-khen-thuong", "lien-ket-nam-truoc",
        "lien-ket-sap-xep")} == {
        "lien-ket-khen-thuong": f"/tinh/BG/khen-thuong/{YEAR}/",
        "lien-ket-so-khen-thuong": f"/tinh/BG/so-khen-thuong/?nam={YEAR}",
        "lien-ket-nam-truoc": "/tinh/BG/lich-su/",
        "lien-ket-sap-xep": "/tinh/BG/sap-xep-don-vi/"}


def test_the_successor_reads_a_bloc_year_and_its_published_result(as_who, merged):
    former, poll, digest = merged
    client = as_who("secretariat")
    bloc_year = parse(client.get(f"/khoi/{_bloc_year(former).pk}/"))
    assert bloc_year.find("h1") is not None
    assert bloc_year.find("form", action=f"/khoi/{_bloc_year(former).pk}/giai-doan/") is None
    response = client.get(f"/bo-phieu/{poll.pk}/ket-qua/")
    assert response.status_code == 200
    result = parse(response)
    assert result.by_id("ma-hom-phieu").text == digest
    assert result.by_id("so-phieu-ket-qua").text == "4"
    assert len(result.by_id("bang-phieu").find("tbody").find_all("tr")) == 4


def _unit(former, code="KT2"):
    return former.units.get(code=code)


def _reads(former, poll):
    bloc_year, unit = _bloc_year(former), _unit(former).pk
    return ["/tinh/BG/", f"/khoi/{bloc_year.pk}/", f"/bo-phieu/{poll.pk}/ket-qua/",
            "/tinh/BG/so-khen-thuong/", f"/tinh/BG/van-ban/{YEAR}/", "/tinh/BG/lich-su/",
            f"/tinh/BG/thong-ke/{YEAR}/bieu-0601.xlsx", "/api/v1/provinces/BG/award-register",
            "/api/v1/provinces/BG/history", f"/api/v1/provinces/BG/years/{YEAR}/statistics",
            f"/api/v1/bloc-years/{bloc_year.pk}",
            # Issue 14, the second pass: proposals and decisions, units, the lineage.
            f"/tinh/BG/khen-thuong/{YEAR}/", f"/api/v1/provinces/BG/years/{YEAR}/proposals",
            f"/api/v1/provinces/BG/years/{YEAR}/council", f"/don-vi/{unit}/",
            f"/don-vi/{unit}/khen-thuong/", f"/don-vi/{unit}/so-lieu-nam/{YEAR}/",
            f"/don-vi/{unit}/nguoi-ky/", f"/api/v1/units/{unit}",
            f"/api/v1/units/{unit}/awards", f"/api/v1/units/{unit}/facts/{YEAR}",
            f"/api/v1/units/{unit}/signer", "/tinh/BG/sap-xep-don-vi/",
            "/api/v1/provinces/BG/lineage"]


def test_every_read_of_the_former_province_is_open_to_the_successor_only(as_who, merged):
    former, poll, _ = merged
    reads = _reads(former, poll)
    client = as_who("secretariat")
    assert {url: client.get(url).status_code for url in reads} == dict.fromkeys(reads, 200)
    for who in ("other_secretariat", "leader", "officer"):
        client = as_who(who)
        assert {url: client.get(url).status_code for url in reads} == dict.fromkeys(reads, 404)


def test_the_former_provinces_papers_and_history_show_no_way_to_change_them(as_who, merged):
    former, _, _ = merged
    client = as_who("secretariat")
    papers = parse(client.get(f"/tinh/BG/van-ban/{YEAR}/"))
    assert papers.find("form", action=f"/tinh/BG/van-ban/{YEAR}/bo-ho-so/") is None
    assert papers.by_id("lien-ket-du-thao-quyet-dinh") is None
    assert [a.text for a in papers.by_id("thong-ke").find_all("a")] == [
        "Biểu 0601.N (Excel)", "Biểu 0602.N (Excel)", "Biểu 0603.N (Excel)",
        "Biểu 0604.N (Excel)", "Biểu 0605.N (Excel)"]
    history = parse(client.get("/tinh/BG/lich-su/"))
    assert history.find_all("form") == [
        f for f in history.find_all("form") if f.attrs.get("action") == "/dang-xuat/"]
    api = client.get("/api/v1/bloc-years", {"province": former.pk}).json()
    assert sorted(item["bloc"]["code"] for item in api["items"]) == ["KT", "VX"]
    assert client.get("/api/v1/provinces/BG/history").json() == {"awards": [], "leaders": []}


def _everything():
    return (snapshot(), AwardDecision.objects.count(), Award.objects.count(),
            Document.objects.count(), DocumentJob.objects.count(), Conference.objects.count(),
            CriteriaTable.objects.count(), PastLeader.objects.count(),
            EmulationYear.objects.count(), PressRelease.objects.count(),
            PressReleaseRevision.objects.count(),
            sorted(BlocYear.objects.values_list("id", "phase", "registration_deadline")),
            CouncilSelection.objects.count(), LineageEvent.objects.count(),
            Registration.objects.count(), Signer.objects.count(),
            AchievementStatement.objects.count(), SigningCertificate.objects.count(),
            RoleAssignment.objects.count(),
            sorted(Unit.objects.values_list("id", "name")),
            sorted(UnitYearFacts.objects.values_list("id", "note", "entered_at", "confirmed_at",
                                                     "returned_at")))


PAGE_403, PAGE_404 = "Bạn không có quyền thực hiện thao tác này", "Không tìm thấy trang"
HISTORY_403 = "Chỉ Thường trực thi đua tỉnh được ghi các năm trước."
LINEAGE_403 = "Chỉ Thường trực thi đua tỉnh được ghi việc sắp xếp đơn vị."
DECISION = {"number": "1/QĐ-UBND", "decision_date": "2026-01-05", "signer": "Chủ tịch"}
COUNCIL = {"minutes_number": "12/BB-HĐTĐKT", "meeting_date": "2026-01-04", "chosen": [1]}
SIGNER = {"title": "Giám đốc", "name": "Nguyễn Văn An"}
LINEAGE = {"kind": "rename", "predecessors": "{unit}", "successors": "{unit}",
           "effective_date": "2026-03-01", "document_number": "46/QĐ-UBND",
           "document_date": "2026-02-28"}

WRITES = [  # (method, path, data, status, the page's h1 or the API's detail)
    ("post", "/tinh/BG/thiet-lap/don-vi/", {"code": "MOI", "name": "Sở Mới"}, 404, PAGE_404),
    ("post", "/tinh/BG/thiet-lap/nam/", {"year": YEAR + 1}, 404, PAGE_404),
    ("post", f"/tinh/BG/khen-thuong/{YEAR}/quyet-dinh/", DECISION, 403, PAGE_403),
    ("post", "/khoi/{kt}/giai-doan/", {"target": "proposals_submitted"}, 403, PAGE_403),
    ("post", "/khoi/{kt}/han-dang-ky/", {"registration_deadline": f"{YEAR}-12-31"}, 403,
     PAGE_403),
    ("post", "/khoi/{kt}/nam-sau/", {}, 403, PAGE_403),
    ("post", "/khoi/{kt}/cham-diem/lap-bang/", {"nguon": "mau"}, 403, PAGE_403),
    ("post", "/khoi/{vx}/hoi-nghi/luu/", {"place": "Hội trường"}, 403, PAGE_403),
    ("post", "/khoi/{kt}/thong-cao/luu/", {"body": "Thông cáo"}, 403, PAGE_403),
    ("post", "/tinh/BG/lich-su/khen-thuong/", {"year": 2024}, 403, PAGE_403),
    ("post", f"/tinh/BG/van-ban/{YEAR}/bo-ho-so/", {}, 403, PAGE_403),
    ("post", "/api/v1/provinces/BG/history/awards", {"unit_id": "{unit}", "year": 2024,
                                                      "award_form": "provincial_flag",
                                                      "decision_number": "24/QĐ-UBND",
                                                      "decision_date": "2025-01-15"}, 403,
     HISTORY_403),
    ("post", f"/api/v1/provinces/BG/years/{YEAR}/decisions", DECISION, 403,
     "Chỉ Thường trực thi đua tỉnh được ghi quyết định khen thưởng."),
    # Issue 14, the second pass: the proposals page's council, the units, the lineage.
    ("post", f"/tinh/BG/khen-thuong/{YEAR}/hoi-dong/", COUNCIL, 403, PAGE_403),
    ("post", f"/api/v1/provinces/BG/years/{YEAR}/council", COUNCIL, 403,
     "Chỉ Thường trực thi đua tỉnh (cơ quan thường trực của Hội đồng) được ghi kết quả họp "
     "Hội đồng."),
    ("post", "/tinh/BG/thiet-lap/don-vi/{unit}/", {"name": "Sở Mới"}, 404, PAGE_404),
    ("put", "/api/v1/units/{unit}/name", {"name": "Sở Mới"}, 403,
     "Chỉ Thường trực thi đua tỉnh được đổi tên đơn vị."),
    ("post", "/don-vi/{unit}/dang-ky/", {"nam": YEAR}, 403, PAGE_403),
    ("post", f"/api/v1/units/{{unit}}/years/{YEAR}/registration", {}, 403,
     "Chỉ cán bộ thi đua của đơn vị được lập bản đăng ký của đơn vị."),
    ("post", f"/don-vi/{{unit}}/so-lieu-nam/{YEAR}/", {"note": "Sửa"}, 403, PAGE_403),
    ("patch", f"/api/v1/units/{{unit}}/facts/{YEAR}", {"note": "Sửa"}, 403,
     "Chỉ cán bộ thi đua của đơn vị hoặc Thường trực thi đua tỉnh được nhập số liệu của "
     "đơn vị."),
    ("post", f"/don-vi/{{unit}}/so-lieu-nam/{YEAR}/xac-nhan/", {}, 403, PAGE_403),
    ("post", f"/don-vi/{{unit}}/so-lieu-nam/{YEAR}/tra-lai/", {"reason": "Thiếu"}, 403,
     PAGE_403),
    ("post", f"/api/v1/units/{{unit}}/facts/{YEAR}/confirm", {}, 403,
     "Chỉ Trưởng khối (với đơn vị khác trong khối) hoặc Thường trực thi đua tỉnh được xác "
     "nhận số liệu."),
    ("post", "/don-vi/{unit}/nguoi-ky/", {"head-" + k: v for k, v in SIGNER.items()}, 403,
     PAGE_403),
    ("put", "/api/v1/units/{unit}/signer", SIGNER, 403,
     "Chỉ cán bộ của đơn vị hoặc Thường trực thi đua tỉnh nhập người ký văn bản của đơn "
     "vị."),
    ("post", f"/don-vi/{{unit}}/bao-cao-thanh-tich/{YEAR}/", {"duties": "Nhiệm vụ"}, 404,
     PAGE_404),
    ("post", "/don-vi/{unit}/chung-thu-so/", {}, 404, PAGE_404),
    ("post", "/tinh/BG/sap-xep-don-vi/ghi/", LINEAGE, 403, PAGE_403),
    ("post", "/tinh/BG/sap-xep-don-vi/{event}/xoa/", {"reason": "Nhập nhầm"}, 403, PAGE_403),
    ("post", "/api/v1/provinces/BG/lineage",
     {"kind": "rename", "predecessor_ids": ["{unit}"], "successor_ids": ["{unit}"],
      "effective_date": "2026-03-01", "document_number": "46/QĐ-UBND",
      "document_date": "2026-02-28"}, 403, LINEAGE_403),
    ("post", "/api/v1/provinces/BG/lineage/{event}/remove", {"reason": "Nhập nhầm"}, 403,
     LINEAGE_403),
]


@pytest.mark.parametrize("method, path, data, status, message", WRITES,
                         ids=[f"{w[0]} {w[1]}" for w in WRITES])
def test_the_successor_changes_nothing_of_the_former_province(as_who, merged, method, path,
                                                               data, status, message):
    """Issue 14: every change to the former province, its units and its lineage is refused
    to the successor's secretariat — with the status and Vietnamese message it had before
    the reading opened (404 where the page is not its to find: setup, the achievement
    statement, certificates), else 403 (the page is read, not acted on: the proposals and
    council, the lineage, each unit write's own rule) — and nothing is written."""
    former, _, _ = merged
    event = LineageEvent.objects.get(province=former).pk
    values = {"{unit}": _unit(former).pk, "{event}": event}
    url = path.format(kt=_bloc_year(former).pk, vx=_bloc_year(former, "VX").pk,
                      unit=values["{unit}"], event=event)
    data = {key: ([values.get(v, v) for v in value] if isinstance(value, list)
                  else values.get(value, value)) for key, value in data.items()}
    client = as_who("secretariat")
    before = _everything()
    if url.startswith("/api/"):
        response = getattr(client, method)(url, data, content_type="application/json")
        assert (response.status_code, response.json()["detail"]) == (status, message)
    else:
        response = client.post(url, data)
        assert (response.status_code, parse(response).find("h1").text) == (status, message)
    assert _everything() == before


def test_not_even_the_administrator_rewrites_a_former_provinces_history(world, merged):
    """A former province's recorded history stays as it merged: recording or removing a
    past award or leader there is refused to the administrator too, in Vietnamese, and
    nothing is written (awards.history._require, org.services.require_active)."""
    from thidua.awards import history
    from thidua.core.errors import Conflict
    from thidua.org.models import Bloc, Unit

    former = merged[0]
    admin = world.actor("admin")
    unit = Unit.objects.filter(province=former).order_by("code").first()
    bloc = Bloc.objects.filter(province=former).order_by("code").first()
    before = (snapshot(), Award.objects.count(), PastLeader.objects.count())
    message = (f"{former.full_name[:1].upper()}{former.full_name[1:]} đã hợp nhất vào "
               f"{former.merged_into.full_name} từ ngày {former.merged_on:%d/%m/%Y}: dữ liệu "
               "của tỉnh cũ chỉ để xem, không thay đổi được.")
    with pytest.raises(Conflict) as award:
        history.record_past_award(admin, former, unit=unit, year=YEAR - 2,
                                  award_form="certificate_of_merit", decision_number="12/QĐ-UBND",
                                  decision_date=datetime.date(YEAR - 1, 1, 15))
    with pytest.raises(Conflict) as leader:
        history.record_past_leader(admin, former, bloc=bloc, year=YEAR - 2, unit=unit,
                                   document_number="13/QĐ-UBND",
                                   document_date=datetime.date(YEAR - 2, 2, 1))
    assert award.value.messages == leader.value.messages == [message]
    assert (snapshot(), Award.objects.count(), PastLeader.objects.count()) == before


def test_not_even_the_administrator_decides_or_reorganises_in_a_former_province(
        world, merged, as_who):
    """Nor its awards year or its units' lineage (issue 14): recording a decision or the
    council's choice, recording or removing a reorganisation are refused to the
    administrator in Vietnamese (409) with nothing written, and the pages offer them no
    form."""
    from thidua.awards import council
    from thidua.awards.proposals import decisions
    from thidua.core.errors import Conflict
    from thidua.org import lineage

    former = merged[0]
    admin, year = world.actor("admin"), EmulationYear.objects.get(province=former, year=YEAR)
    unit, event = _unit(former), LineageEvent.objects.get(province=former)
    message = (f"{former.full_name[:1].upper()}{former.full_name[1:]} đã hợp nhất vào "
               f"{former.merged_into.full_name} từ ngày {former.merged_on:%d/%m/%Y}: dữ liệu "
               "của tỉnh cũ chỉ để xem, không thay đổi được.")
    before = _everything()
    attempts = [
        lambda: decisions.record_decision(admin, year, number="1/QĐ-UBND",
                                          decision_date=datetime.date(YEAR, 1, 5),
                                          signer="Chủ tịch"),
        lambda: council.choose(admin, year, minutes_number="12/BB-HĐTĐKT",
                               meeting_date=datetime.date(YEAR, 1, 4), chosen=[]),
        lambda: lineage.record_event(admin, former, kind="rename", predecessors=[unit.pk],
                                     successors=[unit.pk],
                                     effective_date=datetime.date(YEAR, 3, 1),
                                     document_number="46/QĐ-UBND",
                                     document_date=datetime.date(YEAR, 2, 28)),
        lambda: lineage.remove_event(admin, event, "Nhập nhầm"),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict) as refused:
            attempt()
        assert refused.value.messages == [message]
    assert _everything() == before
    client = as_who("admin")
    for url in (f"/tinh/BG/khen-thuong/{YEAR}/", "/tinh/BG/sap-xep-don-vi/"):
        assert _forms(parse(client.get(url))) == ["/dang-xuat/"], url


def test_the_successor_finds_a_former_provinces_units_in_the_unit_search(as_who, merged):
    """Issue 14: searching a unit finds it under its former province too (marked by the
    province's name), for the successor's secretariat only."""
    former = merged[0]
    unit = _unit(former)
    found = parse(as_who("secretariat").get("/don-vi/", {"q": unit.code}))
    rows = [(li.find("a").attrs["href"], li.text.split(" (")[1])
            for li in found.by_id("ket-qua").find_all("li")]
    assert (f"/don-vi/{unit.pk}/", f"{unit.code} · Bắc Giang)") in rows
    other = parse(as_who("other_secretariat").get("/don-vi/", {"q": unit.code}))
    assert f"/don-vi/{unit.pk}/" not in [a.attrs["href"] for a in other.by_id("ket-qua")
                                          .find_all("a")]


def test_a_province_merged_twice_keeps_both_histories_for_the_last_successor(as_who, world,
                                                                            merged):
    """Issue 14: a province that had itself absorbed another before merging: the last
    successor's secretariat reads both former provinces, and the middle one's read-only
    dashboard links the oldest; Hà Nội's secretariat reads neither."""
    former = merged[0]
    oldest = Province.objects.create(code="CU", name="Tỉnh Cũ", merged_into=former,
                                     merged_on=datetime.date(2020, 1, 1),
                                     merger_resolution="Nghị quyết số 1/2019/QH14")
    assert world.actor("secretariat").history_provinces == {former.id, oldest.id}
    client = as_who("secretariat")
    middle = parse(client.get("/tinh/BG/"))
    assert [a.attrs["href"] for a in middle.by_id("tinh-da-hop-nhat").find_all("a")] == [
        "/tinh/CU/"]
    assert client.get("/tinh/CU/").status_code == 200
    assert as_who("other_secretariat").get("/tinh/CU/").status_code == 404
    assert world.actor("other_secretariat").history_provinces == frozenset()


def test_the_successor_reads_the_former_provinces_audit_events(world, merged):
    """The audit log of a former province is part of its history: its successor's
    secretariat reads its events beside its own (org.queries.audit_events); Hà Nội's
    secretariat reads none of them."""
    from thidua.core.models import AuditEvent
    from thidua.org.queries import audit_events

    former = merged[0]
    own = set(AuditEvent.objects.filter(province_id=former.id).values_list("id", flat=True))
    assert own and "province.merged_into" in set(
        AuditEvent.objects.filter(id__in=own).values_list("action", flat=True))
    successor = set(audit_events(world.actor("secretariat")).values_list("id", flat=True))
    assert own <= successor
    assert set(AuditEvent.objects.filter(province_id=world.province.id).values_list(
        "id", flat=True)) <= successor
    assert not own & set(audit_events(world.actor("other_secretariat")).values_list(
        "id", flat=True))


def _forms(page):
    """The forms that send something (the year picker only reloads the page: GET)."""
    return [form.attrs.get("action") for form in page.find_all("form")
            if form.attrs.get("method", "get").lower() != "get"]


def test_the_former_provinces_proposals_units_and_lineage_show_no_form_but_sign_out(
        as_who, merged):
    """Issue 14: the successor reads the proposals page, a unit's pages and the lineage of
    the former province with nothing to submit — no decision or council form, no
    registration to open, no facts to enter, no signer to set, no reorganisation to record
    — only the sign-out every page has."""
    former = merged[0]
    unit = _unit(former)
    client = as_who("secretariat")
    pages = {url: parse(client.get(url)) for url in (
        f"/tinh/BG/khen-thuong/{YEAR}/", f"/don-vi/{unit.pk}/", f"/don-vi/{unit.pk}/khen-thuong/",
        f"/don-vi/{unit.pk}/so-lieu-nam/{YEAR}/", f"/don-vi/{unit.pk}/nguoi-ky/",
        "/tinh/BG/sap-xep-don-vi/")}
    assert {url: _forms(page) for url, page in pages.items()} == dict.fromkeys(
        pages, ["/dang-xuat/"])
    assert [form.attrs["aria-label"] for form in pages[f"/don-vi/{unit.pk}/"].find_all(
        "form", method="get")] == ["Chọn năm thi đua"]
    proposals = pages[f"/tinh/BG/khen-thuong/{YEAR}/"]
    assert proposals.by_id("chi-xem").text == (
        "Hồ sơ của tỉnh Bắc Giang (tỉnh cũ đã hợp nhất) chỉ để xem: không ghi quyết định, "
        "kết quả họp Hội đồng.")
    assert proposals.by_id("ghi-quyet-dinh") is None
    assert [card.attrs["data-bloc"] for card in proposals.by_id("cac-khoi").find_all(
        "article")] == ["KT", "VX"]
    page = pages[f"/don-vi/{unit.pk}/"]
    assert page.find("h1").text == unit.name
    for element_id in ("buoc-tiep-theo", "viec-can-lam", "lien-ket-chung-thu-so"):
        assert page.by_id(element_id) is None, element_id
    assert {element_id: page.by_id(element_id).attrs["href"] for element_id in (
        "lien-ket-so-lieu-nam", "lien-ket-khen-thuong", "lien-ket-nguoi-ky")} == {
        "lien-ket-so-lieu-nam": f"/don-vi/{unit.pk}/so-lieu-nam/{YEAR}/",
        "lien-ket-khen-thuong": f"/don-vi/{unit.pk}/khen-thuong/",
        "lien-ket-nguoi-ky": f"/don-vi/{unit.pk}/nguoi-ky/"}
    lineage_page = pages["/tinh/BG/sap-xep-don-vi/"]
    assert lineage_page.by_id("ghi-sap-xep") is None
    assert lineage_page.by_id("chi-xem").text == (
        "Việc sắp xếp đơn vị của tỉnh Bắc Giang (tỉnh cũ đã hợp nhất) chỉ để xem, không ghi "
        "thêm hay xoá.")
    [row] = lineage_page.by_id("bang-sap-xep").find("tbody").find_all("tr")
    khdt, tc = (former.units.get(code=code) for code in ("SKHDT", "STC"))
    assert [a.attrs["href"] for a in row.find_all("a")] == [f"/don-vi/{khdt.pk}/",
                                                            f"/don-vi/{tc.pk}/"]
    assert [td.text for td in row.find_all("td")] == [
        f"01/03/{YEAR}", "Sáp nhập, hợp nhất", "Sở Kế hoạch và Đầu tư", "Sở Tài chính",
        f"Số 45/QĐ-UBND ngày 28/02/{YEAR}"]
    api = client.get("/api/v1/provinces/BG/lineage").json()
    assert [(e["document_number"], [u["code"] for u in e["predecessors"]],
             [u["code"] for u in e["successors"]]) for e in api] == [
        ("45/QĐ-UBND", ["SKHDT"], ["STC"])]


def test_the_former_provinces_bloc_year_links_its_member_units(as_who, merged):
    """Issue 14: B's bloc year page links each member unit for the successor (the same test
    as org.rules.can_view_unit), Bắc Giang's units, not Bắc Ninh's."""
    former = merged[0]
    bloc_year = _bloc_year(former)
    page = parse(as_who("secretariat").get(f"/khoi/{bloc_year.pk}/"))
    links = {a.attrs["href"] for a in page.by_id("bang-thanh-vien").find_all("a")
             if a.attrs["href"].startswith("/don-vi/")}
    assert links == {f"/don-vi/{pk}/?nam={YEAR}" for pk in
                     bloc_year.memberships.values_list("unit_id", flat=True)}
    assert set(Unit.objects.filter(memberships__bloc_year=bloc_year).values_list(
        "province_id", flat=True)) == {former.id}


@pytest.fixture
def decided(world):
    """Bắc Ninh's KT proposal accepted and decided (KT1 Government flag, KT2 provincial flag
    awarded, KT3 not; KT4's certificate still awaiting), exported as Bắc Giang and merged
    into Bắc Ninh: the former province."""
    from tests.awards.conftest import conference_day, polls, prepare_kt

    from thidua.awards import council, proposals

    kt = prepare_kt(world)
    proposal = proposals.assemble_proposal(world.actor("leader"), kt, polls(world),
                                           conference_date=conference_day(world))
    proposals.move_proposal(world.actor("leader"), proposal, "submit")
    proposals.move_proposal(world.actor("secretariat"), proposal, "accept")
    lines = {line.unit.code: line.id for line in proposal.lines.all()}
    council.choose(world.actor("secretariat"), world.year, minutes_number="12/BB-HĐTĐKT",
                   meeting_date=datetime.date(YEAR, 12, 20), chosen=[lines["KT1"]],
                   today=datetime.date(YEAR, 12, 21))
    proposals.record_decision(world.actor("secretariat"), world.year, number="45/QĐ-UBND",
                              decision_date=datetime.date(YEAR, 12, 28), signer="Chủ tịch",
                              awarded=[lines["KT1"], lines["KT2"]], not_awarded=[lines["KT3"]])
    merge(bac_giang(world))
    return Province.objects.get(code="BG")


def test_the_successor_reads_what_the_former_provinces_blocs_proposed_and_what_was_decided(
        as_who, decided):
    """Issue 14, RULES.md 27: Bắc Giang's proposals page and API show its KT proposal line by
    line with the chairman's decision, to Bắc Ninh's secretariat, with no form; the line
    still awaiting a decision is listed, not offered."""
    client = as_who("secretariat")
    page = parse(client.get(f"/tinh/BG/khen-thuong/{YEAR}/"))
    assert _forms(page) == ["/dang-xuat/"]
    card = page.by_id("cac-khoi").find("article", data_bloc="KT")
    assert card.find("strong").text == "Tỉnh đã tiếp nhận"
    assert [li.text for li in card.find_all("li")] == [
        "Bằng khen của Chủ tịch UBND tỉnh: Sở Xây dựng — Không được khen thưởng",
        "Bằng khen của Chủ tịch UBND tỉnh: Đài Phát thanh — Chờ quyết định",
        "Cờ thi đua của Chính phủ: Sở Công Thương — Được khen thưởng",
        "Cờ thi đua của UBND tỉnh: Sở Tài chính — Được khen thưởng"]
    assert page.by_id("form-quyet-dinh") is None and page.by_id("form-hoi-dong") is None
    api = client.get(f"/api/v1/provinces/BG/years/{YEAR}/proposals").json()
    assert [(b["bloc_year_id"], b["proposal"] and b["proposal"]["state"])
            for b in api["blocs"]] == [(_bloc_year(decided).pk, "accepted"),
                                       (_bloc_year(decided, "VX").pk, None)]
    assert (api["cap"]["cap"], api["cap"]["proposed"], api["cap"]["ok"]) == (1, 1, True)
    # The council's choice came with the merger (export section council_selections).
    chosen = client.get(f"/api/v1/provinces/BG/years/{YEAR}/council").json()
    assert chosen["selection"] == {"minutes_number": "12/BB-HĐTĐKT",
                                   "meeting_date": f"{YEAR}-12-20"}
    assert [c["unit"]["code"] for c in chosen["candidates"] if c["chosen"]] == ["KT1"]
    kt1 = _unit(decided, "KT1").pk
    awards = client.get(f"/api/v1/units/{kt1}/awards").json()["awards"]
    assert [(a["year"], a["award_form"], a["decision_number"]) for a in awards] == [
        (YEAR, "government_flag", "45/QĐ-UBND")]
    for who in ("other_secretariat", "leader"):
        assert as_who(who).get(f"/don-vi/{kt1}/khen-thuong/").status_code == 404
