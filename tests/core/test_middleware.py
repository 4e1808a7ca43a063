"""Request boundary (core.middleware): every inbound string reaches the view as NFC."""

import json
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

NAME = "Sở Giáo dục và Đào tạo"
NOTE = "Đã hoàn thành 100% chỉ tiêu “tuyển sinh”"


def nfd(text):
    return unicodedata.normalize("NFD", text)


@csrf_exempt
def echo(request):
    """A test-only view: what the view sees, byte for byte."""
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body)
        except ValueError:
            body = {"raw": request.body.decode()}
    else:
        body = {key: request.POST.getlist(key) for key in request.POST}
    return JsonResponse({
        "get": {key: request.GET.getlist(key) for key in request.GET},
        "body": body,
        "files": sorted(upload.name for upload in request.FILES.values()),
    })


urlpatterns = [path("echo/", echo)]


@pytest.fixture(autouse=True)
def _echo_urls(settings):
    settings.ROOT_URLCONF = __name__


def test_form_post_and_query_string_arrive_as_nfc(client):
    assert nfd(NAME) != NAME
    response = client.post(f"/echo/?q={nfd('Đài')}&q=abc",
                           {"name": nfd(NAME), "note": [nfd(NOTE), nfd("ủy ban")]})
    assert response.json() == {
        "get": {"q": ["Đài", "abc"]},
        "body": {"name": [NAME], "note": [NOTE, "ủy ban"]},
        "files": [],
    }


def test_multipart_fields_and_upload_names_arrive_as_nfc(client):
    upload = SimpleUploadedFile(nfd("Báo cáo quý I.pdf"), b"%PDF-1.4\n", "application/pdf")
    response = client.post("/echo/", {"name": nfd(NAME), "file": upload})
    assert response.json() == {
        "get": {}, "body": {"name": [NAME]}, "files": ["Báo cáo quý I.pdf"]}


def test_json_body_arrives_as_nfc_keys_and_values(client):
    payload = {nfd("tên"): nfd(NAME), "targets": [{nfd("chỉ tiêu"): nfd(NOTE), "value": 12.5}],
               "ok": True, "none": None}
    response = client.post("/echo/", json.dumps(payload), content_type="application/json")
    assert response.json()["body"] == {
        "tên": NAME, "targets": [{"chỉ tiêu": NOTE, "value": 12.5}], "ok": True, "none": None}


@pytest.mark.parametrize("method", ["put", "patch"])
def test_json_put_and_patch_too(client, method):
    response = getattr(client, method)("/echo/", json.dumps({"name": nfd(NAME)}),
                                       content_type="application/json; charset=utf-8")
    assert response.json()["body"] == {"name": NAME}


def test_invalid_json_is_left_for_the_view_untouched(client):
    response = client.post("/echo/", nfd("{không phải json").encode(),
                           content_type="application/json")
    assert response.json()["body"] == {"raw": nfd("{không phải json")}


def test_security_headers(client):
    response = client.get("/echo/")
    assert response["Permissions-Policy"] == (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
