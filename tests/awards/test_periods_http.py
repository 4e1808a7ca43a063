"""Issue 14: a date no rulebook covers is a 422 naming the periods that exist — never a
404 on an object that exists — on the pages and the API alike; a 2022 date reads the book
of Luật 2003/2013 and Nghị định 91/2017."""

import re

import pytest
from django.urls import reverse

from api.conftest import Api

pytestmark = pytest.mark.django_db
OUTSIDE = "2016-11-30"
PERIODS = ("15/09/2017 – 31/12/2023", "01/01/2024 – 30/06/2025", "01/07/2025 – nay")


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_api_rulebook_outside_every_period_is_422_naming_the_periods(world):
    api = Api(world.users["officer"])
    response = api.get("/provinces/BN/rulebook", on=OUTSIDE)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("Không có bộ quy tắc quốc gia có hiệu lực ngày 30/11/2016")
    assert all(period in detail for period in PERIODS)


def test_api_rulebook_of_2022_is_the_nd91_book_without_party_criterion(world):
    body = Api(world.users["officer"]).get("/provinces/BN/rulebook", on="2022-11-30").json()
    assert body["in_force"].startswith(
        "Luật Thi đua, khen thưởng 2003 (sửa đổi, bổ sung 2005, 2013) và Nghị định "
        "91/2017/NĐ-CP (15/09/2017 – 31/12/2023)")
    settings = {item["key"]: item for item in body["settings"]}
    assert settings["eligibility.party_rating_minimum"]["value"] == "none"
    assert settings["eligibility.flag_extra_criteria"]["value"] == [
        "new_model", "thrift_anti_corruption_lead"]
    assert settings["quotas.government_flag_province_cap"]["citation"]["display"] == (
        "Điều 11 khoản 1, Nghị định 91/2017/NĐ-CP")
    assert settings["eligibility.provincial_flag_through_bloc"]["citation"]["display"] == (
        "Điều 12, Nghị định 91/2017/NĐ-CP")


def test_api_eligibility_of_an_existing_bloc_year_outside_every_period_is_422(world, kt):
    for path in (f"/bloc-years/{kt.pk}/eligibility", f"/bloc-years/{kt.pk}/what-if"):
        response = Api(world.users["leader"]).get(path, on=OUTSIDE)
        assert response.status_code == 422, path
        assert all(period in response.json()["detail"] for period in PERIODS)


@pytest.mark.parametrize("name", ["award_eligibility", "award_what_if"])
def test_page_outside_every_period_is_422_with_the_periods(client, world, kt, name):
    client.force_login(world.users["leader"])
    response = client.get(reverse(name, args=[kt.pk]), {"ngay": OUTSIDE})
    assert response.status_code == 422
    page = text(response)
    assert "Không có bộ quy tắc quốc gia có hiệu lực ngày 30/11/2016" in page
    assert all(period in page for period in PERIODS)
