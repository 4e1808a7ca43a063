"""Agency lineage through the page, the API and the province export (issue 14, RULES.md
44): only the province's secretariat records or removes a reorganisation; refusals are
Vietnamese and change nothing; the events travel in the export."""

import datetime
import html
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from api.conftest import Api
from thidua.core.models import AuditEvent
from thidua.exchange import envelope, export, importer
from thidua.org.models import LineageEvent, Unit

from .test_pages import WHO, get_as

pytestmark = pytest.mark.django_db
D = datetime.date
PAGE = {"admin": 200, "secretariat": 200, "other_secretariat": 404, "leader": 404,
        "officer": 404, "peer": 404, "outsider": 404, "delegate": 404, "nobody": 404,
        "anonymous": "login"}


def text(response):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ",
                                                    response.content.decode())))


def snapshot():
    return (list(LineageEvent.objects.order_by("id").values()), AuditEvent.objects.count())


def units(world):
    return (Unit.objects.create(province=world.province, code="SKHDT",
                                name="Sở Kế hoạch và Đầu tư"),
            Unit.objects.create(province=world.province, code="STC2", name="Sở Tài chính mới"))


def form(world, before, after, **changes):
    this = world.year.year
    return {"kind": "merge", "predecessors": [u.pk for u in before],
            "successors": [u.pk for u in after], "effective_date": f"{this}-03-01",
            "document_number": "120/QĐ-UBND", "document_date": f"{this}-02-28",
            "note": "Theo Nghị định 45/2025/NĐ-CP", **changes}


def test_rule_44_the_page_is_only_for_the_provinces_secretariat(client, world):
    khdt, tc = units(world)
    url = reverse("province_lineage", args=["BN"])
    assert {who: get_as(client, world, who, url) for who in WHO} == PAGE
    post = reverse("province_lineage_add", args=["BN"])
    refused = {who: get_as(client, world, who, post, form(world, [khdt], [tc]), post=True)
               for who in ("other_secretariat", "leader", "officer", "nobody")}
    assert refused == {"other_secretariat": 404, "leader": 404, "officer": 404, "nobody": 404}
    assert not LineageEvent.objects.exists()


def test_rule_44_recording_through_the_page_asks_first_and_shows_the_event(client, world):
    khdt, tc = units(world)
    client.force_login(world.users["secretariat"])
    page = client.get(reverse("province_lineage", args=["BN"]))
    assert 'id="form-sap-xep"' in page.content.decode()
    assert 'data-confirm="Ghi việc sắp xếp này?' in page.content.decode()
    response = client.post(reverse("province_lineage_add", args=["BN"]),
                           form(world, [khdt], [tc]))
    assert response.status_code == 302
    event = LineageEvent.objects.get()
    assert ([u.code for u in event.predecessors.all()], [u.code for u in event.successors.all()],
            event.document_number) == (["SKHDT"], ["STC2"], "120/QĐ-UBND")
    shown = text(client.get(reverse("province_lineage", args=["BN"])))
    assert (f"01/03/{world.year.year} Sáp nhập, hợp nhất Sở Kế hoạch và Đầu tư Sở Tài chính "
            f"mới Số 120/QĐ-UBND ngày 28/02/{world.year.year} — Theo Nghị định 45/2025/NĐ-CP"
            ) in shown
    assert AuditEvent.objects.filter(action="org.lineage.record").count() == 1


def test_rule_44_a_refused_entry_keeps_what_was_typed_and_changes_nothing(client, world):
    khdt, tc = units(world)
    client.force_login(world.users["secretariat"])
    before = snapshot()
    response = client.post(reverse("province_lineage_add", args=["BN"]),
                           form(world, [khdt, tc], [tc], document_number="77/QĐ-UBND"))
    assert response.status_code == 400
    shown = text(response)
    assert ("Một đơn vị không thể vừa là đơn vị trước vừa là đơn vị sau sắp xếp") in shown
    assert 'value="77/QĐ-UBND"' in response.content.decode()
    empty = client.post(reverse("province_lineage_add", args=["BN"]), {})
    assert empty.status_code == 400
    assert "Chưa chọn đơn vị trước sắp xếp." in text(empty)
    assert snapshot() == before


def test_rule_44_removing_from_the_page_needs_a_reason(client, world):
    khdt, tc = units(world)
    client.force_login(world.users["secretariat"])
    client.post(reverse("province_lineage_add", args=["BN"]), form(world, [khdt], [tc]))
    event = LineageEvent.objects.get()
    url = reverse("province_lineage_remove", args=["BN", event.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert LineageEvent.objects.exists()
    assert client.post(url, {"reason": "Nhập nhầm đơn vị"}).status_code == 302
    assert not LineageEvent.objects.exists()
    assert AuditEvent.objects.get(action="org.lineage.remove").reason == "Nhập nhầm đơn vị"


# --- API ----------------------------------------------------------------------------------

def body(world, before, after, **changes):
    this = world.year.year
    return {"kind": "merge", "predecessor_ids": [u.pk for u in before],
            "successor_ids": [u.pk for u in after], "effective_date": f"{this}-03-01",
            "document_number": "120/QĐ-UBND", "document_date": f"{this}-02-28", **changes}


def test_rule_44_the_api_records_lists_and_removes(world):
    khdt, tc = units(world)
    api = Api(world.users["secretariat"])
    created = api.post("/provinces/BN/lineage", body(world, [khdt], [tc]))
    assert created.status_code == 201, created.content
    listed = api.get("/provinces/BN/lineage").json()
    assert [(e["kind"], e["kind_label"], [u["code"] for u in e["predecessors"]],
             [u["code"] for u in e["successors"]], e["effective_date"])
            for e in listed] == [("merge", "Sáp nhập, hợp nhất", ["SKHDT"], ["STC2"],
                                  f"{world.year.year}-03-01")]
    removed = api.post(f"/provinces/BN/lineage/{created.json()['id']}/remove",
                       {"reason": "Nhập nhầm"})
    assert removed.status_code == 204
    assert not LineageEvent.objects.exists()


def test_rule_44_the_api_refuses_in_vietnamese_and_changes_nothing(world):
    khdt, tc = units(world)
    before = snapshot()
    good = body(world, [khdt], [tc])
    assert Api(world.users["officer"]).post("/provinces/BN/lineage", good).status_code == 404
    assert Api(world.users["other_secretariat"]).post("/provinces/BN/lineage",
                                                      good).status_code == 404
    api = Api(world.users["secretariat"])
    split = api.post("/provinces/BN/lineage", {**good, "kind": "split"})
    assert (split.status_code, split.json()["detail"]) == (
        400, "Chia tách: một đơn vị trước tách thành ít nhất hai đơn vị sau.")
    other = api.post("/provinces/BN/lineage", {**good, "predecessor_ids": [
        world.units["HN1"].pk]})
    assert (other.status_code, other.json()["detail"]) == (
        400, "Có đơn vị trước sắp xếp không tồn tại hoặc không thuộc tỉnh này.")
    assert api.post("/provinces/BN/lineage", {**good, "kind": "absorb"}).status_code == 422
    assert api.post("/provinces/BN/lineage", {**good, "predecessor_ids": []}
                    ).status_code == 422
    assert api.post("/provinces/BN/lineage", {**good, "effective_date": 0}).status_code == 422
    assert snapshot() == before


# --- the province export ------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_rule_44_the_events_travel_in_the_province_export(world):
    khdt, tc = units(world)
    Api(world.users["secretariat"]).post("/provinces/BN/lineage", body(world, [khdt], [tc]))
    document = envelope.with_checksum(export.export_province("BN"))
    [row] = document["sections"]["lineage_events"]
    assert (row["kind"], row["predecessors"], row["successors"], row["document_number"],
            row["effective_date"]) == ("merge", ["SKHDT"], ["STC2"], "120/QĐ-UBND",
                                       f"{world.year.year}-03-01")
    call_command("flush", interactive=False, verbosity=0)
    importer.import_province(importer.loads(envelope.dumps(document)))
    event = LineageEvent.objects.get()
    assert ([u.code for u in event.predecessors.all()],
            [u.code for u in event.successors.all()], event.province.code) == (
        ["SKHDT"], ["STC2"], "BN")
    # A file written before the section existed still reads (no events).
    del document["sections"]["lineage_events"]
    older = importer.loads(envelope.dumps(envelope.with_checksum(document)))
    assert older["sections"]["lineage_events"] == []
