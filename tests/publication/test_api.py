"""The public results API (read-only, no sign-in): the same published data as the page,
nothing unpublished (an election counted but not published, a draft proposal, the press
release's draft); and the documents API's catalogue of kinds."""

import pytest

from api.conftest import Api
from thidua.awards import proposals
from thidua.documents.kinds import KINDS
from thidua.publication import services
from thidua.publication.models import PageView
from thidua.voting import queries as voting_queries
from thidua.voting.models import Poll

pytestmark = pytest.mark.django_db


def test_public_results_hold_only_published_data(world, scene):
    bloc_year, leader = scene.bloc_year, world.actor("leader")
    proposals.assemble_proposal(leader, bloc_year)  # a draft: not public
    services.generate(leader, bloc_year)  # never published
    api = Api()
    response = api.get(f"/public/bloc-years/{bloc_year.pk}/results")
    assert response.status_code == 200
    data = response.json()
    assert (data["bloc"], data["province"], data["year"]) == ("Khối Kinh tế", "Bắc Ninh",
                                                              bloc_year.year)
    assert [(r["rank"], r["unit"], r["final_score"], r["final_exact"])
            for r in data["ranking"]] == [
        (1, "Sở Công Thương", "90.00", "90/1"), (2, "Sở Tài chính", "89.00", "89/1"),
        (3, "Sở Xây dựng", "88.00", "88/1"), (4, "Đài Phát thanh", "87.00", "87/1"),
        (5, "Ban Quản lý dự án", "86.00", "86/1")]
    assert [p["id"] for p in data["polls"]] == [scene.prov.pk, scene.cert.pk]
    prov = data["polls"][0]
    assert [(c["unit"], c["votes"], c["passed"]) for c in prov["candidates"]] == [
        ("Sở Tài chính", 4, True), ("Sở Xây dựng", 1, False)]
    ballots = voting_queries.published_ballots(Poll.objects.get(pk=scene.prov.pk))
    assert [b["receipt_code"] for b in prov["ballots"]] == [b.receipt_code for b in ballots]
    assert (prov["ballots_cast"], prov["valid"], prov["invalid"]) == (5, 5, 0)
    assert (data["proposal_state"], data["proposals"], data["next_leader"],
            data["next_deputies"], data["press_release"]) == (None, [], None, [], None)
    assert data["views"] == 0 and PageView.objects.count() == 0  # the API counts no view

    revision = services.publish(leader, bloc_year)
    data = api.get(f"/public/bloc-years/{bloc_year.pk}/results").json()
    assert {k: data["press_release"][k] for k in ("number", "title", "lead", "body")} == {
        "number": 1, "title": revision.title, "lead": revision.lead, "body": revision.body}


def test_public_index_and_not_found(world, scene):
    api = Api()
    assert api.get("/public/provinces/BN/bloc-years").json() == [
        {"bloc_year_id": scene.bloc_year.pk, "bloc": "Khối Kinh tế",
         "year": scene.bloc_year.year,
         "results_url": f"/api/v1/public/bloc-years/{scene.bloc_year.pk}/results"}]
    assert api.get("/public/provinces/HN/bloc-years").json() == []
    assert api.get("/public/provinces/XX/bloc-years").status_code == 404
    for code in ("VX", "HN"):
        response = api.get(f"/public/bloc-years/{world.bloc_years[code].pk}/results")
        assert (response.status_code, response.json()["detail"]) == (
            404, "Không tìm thấy kết quả đã công bố của khối thi đua này.")


def test_document_kinds_catalogue(world):
    assert Api().get("/document-kinds").status_code == 401
    data = Api(world.users["nobody"]).get("/document-kinds").json()
    assert [(k["kind"], k["label"], k["symbol"]) for k in data] == [
        (k.slug, k.label, k.symbol) for k in KINDS.values()]
