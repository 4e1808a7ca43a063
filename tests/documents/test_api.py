"""Documents API: the same services and rules as the pages (404 out of sight, 403 not
allowed), Vietnamese error bodies, numbering read-only."""

import json

from django.test import Client

from thidua.documents.models import Document, DocumentJob

USERS = ["admin", "secretariat", "other_secretariat", "leader", "officer", "outsider",
         "delegate", "nobody"]


def api(user):
    client = Client()
    client.force_login(user)
    return client


def post(client, path, data=None):
    return client.post("/api/v1" + path, json.dumps(data or {}),
                       content_type="application/json")


def test_list_issue_download_and_numbering(world):
    pk = world.bloc_years["KT"].pk
    base = f"/documents/giao-uoc/{pk}"
    see, issue = {}, {}
    for name in USERS:
        client = api(world.users[name])
        see[name] = client.get("/api/v1" + base).status_code
        issue[name] = post(client, base + "/issue").status_code
    assert see == {"admin": 200, "secretariat": 200, "other_secretariat": 404, "leader": 200,
                   "officer": 200, "outsider": 404, "delegate": 200, "nobody": 404}
    assert issue == {"admin": 201, "secretariat": 201, "other_secretariat": 404,
                     "leader": 201, "officer": 403, "outsider": 404, "delegate": 403,
                     "nobody": 404}
    leader = api(world.users["leader"])
    body = leader.get("/api/v1" + base).json()
    assert [d["reference"] for d in body["documents"]] == ["03/BTT-KT", "02/BTT-KT",
                                                            "01/BTT-KT"]
    assert (body["kind"], body["symbol"], body["can_issue"]) == ("giao-uoc", "BTT", True)
    document = Document.objects.get(number=1)
    response = leader.get(body["documents"][-1]["docx_url"])
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert response["Content-Disposition"] == (
        f'attachment; filename="giao-uoc-so-01-BTT-{document.year}.docx"')
    assert leader.get(body["draft_url"]).status_code == 200
    numbering = leader.get("/api/v1" + base + "/numbering",
                           {"year": document.year}).json()
    assert numbering == {"issuer": "KHỐI KINH TẾ", "year": document.year,
                         "last_numbers": {"BTT": 3}}
    refused = post(api(world.users["officer"]), base + "/issue")
    assert refused.json()["detail"].startswith("Bạn không có quyền ban hành")
    other = api(world.users["outsider"])
    assert other.get(body["documents"][-1]["docx_url"]).status_code == 404
    assert other.get("/api/v1" + base + "/numbering", {"year": 2026}).status_code == 404


def test_pdf_job_through_the_api(world, needs_libreoffice):
    leader = api(world.users["leader"])
    pk = world.bloc_years["KT"].pk
    response = post(leader, f"/documents/giao-uoc/{pk}/pdf")
    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "done"  # the immediate backend ran it already
    again = leader.get(f"/api/v1/jobs/{job['id']}").json()
    assert again["status"] == job["status"]
    assert api(world.users["secretariat"]).get(f"/api/v1/jobs/{job['id']}").status_code == 404
    assert leader.get(job["pdf_url"]).content.startswith(b"%PDF")


def test_a_pdf_request_body_must_be_an_object(world):
    """A JSON array passed for the optional fields once made a job (schemathesis found it)."""
    leader = api(world.users["leader"])
    pk = world.bloc_years["KT"].pk
    response = leader.post(f"/api/v1/documents/giao-uoc/{pk}/pdf", "[null, null]",
                           content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"].endswith(
        "Nội dung yêu cầu phải là một đối tượng JSON.")
    assert not DocumentJob.objects.exists()
