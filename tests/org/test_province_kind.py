"""Province kind (issue 14; LEGAL-REVIEW.md R2): the province sets whether it is a tỉnh or
a thành phố trực thuộc trung ương (setup page, API, audit); the award forms' names on the
pages and in the eligibility sentences follow it ("Cờ thi đua của UBND thành phố"), as the
documents already do. Nobody else may set it; a bad value changes nothing."""

import datetime
import html
import re

import pytest
from django.urls import reverse

from api.conftest import Api
from thidua.awards import history
from thidua.awards import services as awards
from thidua.core.errors import DomainError, Forbidden
from thidua.core.models import AuditEvent
from thidua.org import services
from thidua.org.models import Province

pytestmark = pytest.mark.django_db


def text(response):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ",
                                                    response.content.decode())))


def test_the_setup_page_sets_the_kind_and_it_is_audited(client, world):
    url = reverse("setup_province_kind", args=["BN"])
    client.force_login(world.users["leader"])
    assert client.post(url, {"kind": "thanh_pho"}).status_code == 404
    client.force_login(world.users["secretariat"])
    bad = client.post(url, {"kind": "huyen"})
    assert bad.status_code == 400
    assert Province.objects.get(code="BN").kind == "tinh"
    done = client.post(url, {"kind": "thanh_pho"}, follow=True)
    page = text(done)
    assert "Thành phố Bắc Ninh: thành phố trực thuộc trung ương." in page
    assert "Hiện tại: Thành phố trực thuộc trung ương ." in page
    event = AuditEvent.objects.get(action="org.province.kind")
    assert (event.before, event.after) == ({"kind": "tinh"}, {"kind": "thanh_pho"})


def test_only_the_provinces_secretariat_and_only_the_two_kinds(world):
    events = AuditEvent.objects.count()
    with pytest.raises(Forbidden):
        services.set_province_kind(world.actor("other_secretariat"), world.province,
                                   "thanh_pho")
    with pytest.raises(DomainError) as refused:
        services.set_province_kind(world.actor("secretariat"), world.province, "huyen")
    assert refused.value.messages == [
        "Loại đơn vị hành chính phải là «Tỉnh» hoặc «Thành phố trực thuộc trung ương»."]
    assert Province.objects.get(code="BN").kind == "tinh"
    assert AuditEvent.objects.count() == events


def test_the_api_sets_the_kind(world):
    url = f"/provinces/{world.province.pk}/kind"
    assert Api(world.users["other_secretariat"]).put(url, {"kind": "thanh_pho"}
                                                     ).status_code == 404
    api = Api(world.users["secretariat"])
    assert api.put(url, {"kind": "huyen"}).status_code == 422
    done = api.put(url, {"kind": "thanh_pho"})
    assert done.json() == {"id": world.province.pk, "code": "BN", "kind": "thanh_pho",
                           "kind_label": "Thành phố trực thuộc trung ương",
                           "full_name": "thành phố Bắc Ninh"}


def test_pages_and_eligibility_sentences_follow_the_kind(client, world):
    services.set_province_kind(world.actor("secretariat"), world.province, "thanh_pho")
    last = world.year.year - 1
    history.record_past_award(world.actor("secretariat"), Province.objects.get(code="BN"),
                              unit=world.units["KT1"], year=last, award_form="provincial_flag",
                              decision_number="12/QĐ-UBND",
                              decision_date=datetime.date(last, 12, 30))
    client.force_login(world.users["secretariat"])
    page = text(client.get(reverse("award_history", args=[world.units["KT1"].pk])))
    assert f"{last} Cờ thi đua của UBND thành phố Số 12/QĐ-UBND" in page
    page = text(client.get(reverse("province_history", args=["BN"])))
    assert f"{last} Sở Công Thương Cờ thi đua của UBND thành phố" in page
    result = awards.unit_eligibility(world.units["KT1"], world.year, "certificate_of_merit",
                                     on_date=datetime.date(world.year.year, 12, 20))
    assert result.form_label == "Bằng khen của Chủ tịch UBND thành phố"
    assert result.messages()[0].startswith(
        "Chưa đủ điều kiện Bằng khen của Chủ tịch UBND thành phố: không gửi bản đăng ký")
