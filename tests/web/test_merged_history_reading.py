"""Issue 14: a former province's history is readable by its successor's secretariat, and
read-only. Bắc Giang (one published poll) merged into Bắc Ninh: Bắc Ninh's secretariat
reads Bắc Giang's dashboard, bloc years, published result, award register, papers and
recorded history, on the pages and through the API (org.rules.can_read_province), and
changes nothing of it — setup, decisions, phases, next year, scoring, conference,
history, the papers' pack — each refused, nothing written. Hà Nội's secretariat and
Bắc Ninh's bloc leader still do not find Bắc Giang at all."""

import datetime

import pytest
from tests.exchange.test_merger import _published, merge, snapshot

from thidua.awards.models import Award, AwardDecision
from thidua.documents.models import Document, DocumentJob
from thidua.exchange import envelope, importer
from thidua.org import rules
from thidua.org.domain.phases import HISTORY
from thidua.org.models import BlocYear, EmulationYear, PastLeader, Province
from thidua.publication.models import PressRelease, PressReleaseRevision
from thidua.scoring.models import CriteriaTable
from thidua.voting.models import Conference, Poll

from .page import parse

pytestmark = pytest.mark.django_db
YEAR = datetime.date.today().year


@pytest.fixture
def merged(world):
    """Bắc Giang (a copy of Bắc Ninh with one published poll of 4 ballots) merged into
    Bắc Ninh: (former province, its published poll, the poll's box digest)."""
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
    for element_id in ("thiet-lap", "lien-ket-khen-thuong", "khoi-can-chu-y",
                       "lien-ket-chung-thu-so", "tinh-da-hop-nhat"):
        assert page.by_id(element_id) is None, element_id
    assert page.by_id("lien-ket-so-khen-thuong").attrs["href"] == (
        f"/tinh/BG/so-khen-thuong/?nam={YEAR}")


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


def _reads(former, poll):
    bloc_year = _bloc_year(former)
    return ["/tinh/BG/", f"/khoi/{bloc_year.pk}/", f"/bo-phieu/{poll.pk}/ket-qua/",
            "/tinh/BG/so-khen-thuong/", f"/tinh/BG/van-ban/{YEAR}/", "/tinh/BG/lich-su/",
            f"/tinh/BG/thong-ke/{YEAR}/bieu-0601.xlsx", "/api/v1/provinces/BG/award-register",
            "/api/v1/provinces/BG/history", f"/api/v1/provinces/BG/years/{YEAR}/statistics",
            f"/api/v1/bloc-years/{bloc_year.pk}"]


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
            sorted(BlocYear.objects.values_list("id", "phase", "registration_deadline")))


WRITES = [  # (method path, data, status)
    ("/tinh/BG/thiet-lap/don-vi/", {"code": "MOI", "name": "Sở Mới"}, 404),
    ("/tinh/BG/thiet-lap/nam/", {"year": YEAR + 1}, 404),
    (f"/tinh/BG/khen-thuong/{YEAR}/quyet-dinh/", {"number": "1/QĐ-UBND",
                                                  "decision_date": "2026-01-05",
                                                  "signer": "Chủ tịch"}, 404),
    ("/khoi/{kt}/giai-doan/", {"target": "proposals_submitted"}, 403),
    ("/khoi/{kt}/han-dang-ky/", {"registration_deadline": f"{YEAR}-12-31"}, 403),
    ("/khoi/{kt}/nam-sau/", {}, 403),
    ("/khoi/{kt}/cham-diem/lap-bang/", {"nguon": "mau"}, 403),
    ("/khoi/{vx}/hoi-nghi/luu/", {"place": "Hội trường"}, 403),
    ("/khoi/{kt}/thong-cao/luu/", {"body": "Thông cáo"}, 403),
    ("/tinh/BG/lich-su/khen-thuong/", {"year": 2024}, 403),
    (f"/tinh/BG/van-ban/{YEAR}/bo-ho-so/", {}, 403),
    ("/api/v1/provinces/BG/history/awards", {"unit_id": "{unit}", "year": 2024,
                                              "award_form": "provincial_flag",
                                              "decision_number": "24/QĐ-UBND",
                                              "decision_date": "2025-01-15"}, 403),
    (f"/api/v1/provinces/BG/years/{YEAR}/decisions",
     {"number": "1/QĐ-UBND", "decision_date": "2026-01-05", "signer": "Chủ tịch"}, 404),
]


@pytest.mark.parametrize("path, data, status", WRITES, ids=[w[0] for w in WRITES])
def test_the_successor_changes_nothing_of_the_former_province(as_who, merged, path, data,
                                                               status):
    former, _, _ = merged
    url = path.format(kt=_bloc_year(former).pk, vx=_bloc_year(former, "VX").pk)
    data = {key: former.units.get(code="KT2").pk if value == "{unit}" else value
            for key, value in data.items()}
    client = as_who("secretariat")
    before = _everything()
    if url.startswith("/api/"):
        response = client.post(url, data, content_type="application/json")
        assert response.status_code == status
        assert response.json()["detail"] == {
            403: "Chỉ Thường trực thi đua tỉnh được ghi các năm trước.",
            404: "Không tìm thấy tỉnh."}[status]
    else:
        response = client.post(url, data)
        assert response.status_code == status
        assert parse(response).find("h1").text == {
            403: "Bạn không có quyền thực hiện thao tác này",
            404: "Không tìm thấy trang"}[status]
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
