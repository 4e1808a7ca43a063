"""Requests refused before any view (core.handlers): a forged Host header gets JSON on
the API (the shape every API error has, so the OpenAPI document holds) and the
Vietnamese page elsewhere — never Django's English page, never a 500."""

import pytest

from thidua.core.handlers import BAD_REQUEST

FORGED = '[A0;"d\''


@pytest.mark.django_db
def test_a_forged_host_on_the_api_gets_a_json_400(client):
    response = client.post("/api/v1/polls/1/open", HTTP_HOST=FORGED)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": BAD_REQUEST, "errors": []}


@pytest.mark.django_db
def test_a_forged_host_on_a_page_gets_the_vietnamese_page(client):
    response = client.get("/", HTTP_HOST=FORGED)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Yêu cầu không hợp lệ" in response.content.decode()
