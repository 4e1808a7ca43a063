"""Login, logout (POST only), and the landing page each role is sent to."""

import pytest

from thidua.core.models import User

from .conftest import matrix
from .page import parse

PASSWORD_OF = "mat-khau-thu-nghiem-2026"  # the world fixture's password for every user


def test_login_page_has_labels_for_every_input(db, client):
    root = parse(client.get("/dang-nhap/"))
    inputs = [i for i in root.find_all("input") if i.attrs.get("type") != "hidden"]
    labels = {label.attrs["for"] for label in root.find_all("label")}
    # The optional two-factor code lifts a lockout from the sign-in form (issue 13).
    assert sorted(i.attrs["name"] for i in inputs) == ["code", "password", "username"]
    assert all(i.attrs["id"] in labels for i in inputs)


def test_login_with_the_right_password_lands_on_the_role_page(world, client):
    response = client.post("/dang-nhap/", {"username": "can_bo", "password": PASSWORD_OF})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == f"/don-vi/{world.units['KT1'].pk}/"


def test_a_wrong_password_is_refused_in_vietnamese(world, client):
    response = client.post("/dang-nhap/", {"username": "can_bo", "password": "sai"})
    assert response.status_code == 200
    summary = parse(response).with_class("error-summary")[0]
    assert [li.text for li in summary.find_all("li")] == [
        "Vui lòng điền vào Tên đăng nhập và mật khẩu chính xác. Chú ý rằng cả hai khung "
        "thông tin đều phân biệt chữ hoa và chữ thường."]
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(world, client):
    client.force_login(world.users["officer"])
    assert client.get("/dang-xuat/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/dang-xuat/")
    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/"
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(("who", "expected"), matrix(
    admin=200,  # two provinces: a chooser
    secretariat="province",
    other_secretariat="other_province",
    leader="bloc_year",
    officer="unit",
    peer="peer_unit",
    outsider="outsider_unit",
    delegate="delegate_unit",
    nobody=200,
    anonymous="login",
))
def test_home_sends_each_role_to_its_page(world, as_who, who, expected):
    response = as_who(who).get("/")
    targets = {
        "province": "/tinh/BN/", "other_province": "/tinh/HN/",
        "bloc_year": f"/khoi/{world.bloc_years['KT'].pk}/",
        "unit": f"/don-vi/{world.units['KT1'].pk}/",
        "peer_unit": f"/don-vi/{world.units['KT2'].pk}/",
        "outsider_unit": f"/don-vi/{world.units['VX1'].pk}/",
        "delegate_unit": f"/don-vi/{world.units['KT3'].pk}/",
        "login": "/dang-nhap/?next=/",
    }
    if expected == 200:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"] == targets[expected]


def test_admin_chooses_among_all_provinces(world, as_who):
    root = parse(as_who("admin").get("/"))
    links = [(a.text, a.attrs["href"]) for a in root.find("main").find_all("a")]
    assert links == [("Bắc Ninh", "/tinh/BN/"), ("Hà Nội", "/tinh/HN/")]


def test_a_user_without_role_is_told_so(world, as_who):
    root = parse(as_who("nobody").get("/"))
    assert "chưa được phân quyền" in root.find("main").text


def test_an_inactive_user_cannot_log_in(world, client):
    User.objects.filter(username="can_bo").update(is_active=False)
    response = client.post("/dang-nhap/", {"username": "can_bo", "password": PASSWORD_OF})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session

