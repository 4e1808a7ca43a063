"""A registration deadline per bloc year (issue 14; RULES.md 7): a bloc formed during the
year — the blocs re-formed after the mergers of 1/7/2025 — gets its own deadline from the
province, with the reason; registration on time, the pages and eligibility read it. Set
on the bloc year page or through the API; nobody else may set it; bad input changes
nothing."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from api.conftest import Api
from thidua.awards import services as awards
from thidua.core.errors import DomainError, Forbidden
from thidua.core.models import AuditEvent
from thidua.org import services
from thidua.org.models import BlocYear
from thidua.pledges import services as pledges

pytestmark = pytest.mark.django_db
REASON = "Khối thành lập theo Quyết định số 1520/QĐ-UBND ngày 15/7"


def text(response):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ",
                                                    response.content.decode())))


def register(world, code, officer):
    unit = world.units[code]
    registration = pledges.open_registration(world.actor(officer), unit, world.year)
    pledges.set_titles(world.actor(officer), registration, ["provincial_flag"])
    pledges.add_target(world.actor(officer), registration, pledges.TargetInput(
        indicator="Tỷ lệ hồ sơ đúng hạn", target_value=Decimal(95), unit_of_measure="%",
        deadline=datetime.date(world.year.year, 12, 15)))
    pledges.submit_registration(world.actor(officer), registration)


def rule_7(world, code):
    result = awards.unit_eligibility(world.units[code], world.year, "certificate_of_merit",
                                     on_date=datetime.date(world.year.year, 12, 20))
    [check] = [c for c in result.checks if c.rule == 7]
    return check.status, check.sentence


def test_rule_7_a_blocs_own_deadline_decides_its_members_registration(world):
    """Registered today: late against the year's 31/3, on time against KT's own 31/12;
    VX keeps the year's deadline."""
    year, today = world.year.year, datetime.date.today()
    year_deadline = datetime.date(year, 3, 31)
    services.set_registration_deadline(world.actor("secretariat"), world.year,
                                       year_deadline)
    register(world, "KT1", "officer")
    register(world, "VX1", "outsider")
    assert rule_7(world, "KT1") == ("unmet", f"gửi bản đăng ký thi đua ngày "
                                              f"{today:%d/%m/%Y}, sau hạn 31/03/{year}")
    kt = world.bloc_years["KT"]
    services.set_bloc_registration_deadline(world.actor("secretariat"), kt,
                                            datetime.date(year, 12, 31), REASON)
    assert rule_7(world, "KT1") == ("met", f"đã gửi bản đăng ký thi đua ngày "
                                           f"{today:%d/%m/%Y}, trong hạn 31/12/{year}")
    assert rule_7(world, "VX1")[0] == "unmet"
    event = AuditEvent.objects.get(action="org.bloc_year.deadline")
    assert (event.reason, event.before, event.after) == (
        REASON, {"registration_deadline": None},
        {"registration_deadline": f"{year}-12-31", "effective": f"{year}-12-31"})
    services.set_bloc_registration_deadline(world.actor("secretariat"), kt, None)
    assert BlocYear.objects.get(pk=kt.pk).effective_registration_deadline == (
        year_deadline)


@pytest.mark.parametrize(("who", "deadline", "reason", "error"), [
    ("leader", "in_year", REASON, Forbidden),
    ("officer", "in_year", REASON, Forbidden),
    ("secretariat", "next_year", REASON, DomainError),
    ("secretariat", "in_year", "  ", DomainError),
])
def test_refused_and_nothing_changes(world, who, deadline, reason, error):
    year = world.year.year
    day = {"in_year": datetime.date(year, 9, 30),
           "next_year": datetime.date(year + 1, 1, 31)}[deadline]
    events = AuditEvent.objects.count()
    with pytest.raises(error) as refused:
        services.set_bloc_registration_deadline(world.actor(who), world.bloc_years["KT"], day,
                                                reason)
    if deadline == "next_year":
        assert refused.value.messages == [
            f"Hạn đăng ký thi đua phải nằm trong năm thi đua {year} (từ 01/01/{year} đến "
            f"31/12/{year}); ngày đã nhập là 31/01/{year + 1} (Quy tắc 7)."]
    assert BlocYear.objects.get(pk=world.bloc_years["KT"].pk).registration_deadline is None
    assert AuditEvent.objects.count() == events


def test_the_bloc_year_page_sets_and_shows_it(client, world):
    year = world.year.year
    kt = world.bloc_years["KT"]
    client.force_login(world.users["leader"])
    page = client.get(reverse("bloc_year", args=[kt.pk]))
    assert 'id="han-dang-ky-rieng"' not in page.content.decode()
    refused = client.post(reverse("bloc_year_deadline", args=[kt.pk]), {
        "registration_deadline": f"{year}-09-30", "reason": REASON})
    assert refused.status_code == 403
    client.force_login(world.users["secretariat"])
    bad = client.post(reverse("bloc_year_deadline", args=[kt.pk]), {
        "registration_deadline": f"{year}-09-30", "reason": ""})
    assert bad.status_code == 400
    assert "Cần ghi lý do khối có hạn đăng ký riêng" in text(bad)
    done = client.post(reverse("bloc_year_deadline", args=[kt.pk]), {
        "registration_deadline": f"{year}-09-30", "reason": REASON}, follow=True)
    page = text(done)
    assert f"Hạn đăng ký của khối: 30/09/{year}." in page
    assert f"Hạn đăng ký: 30/09/{year} (hạn riêng của khối)" in page


def test_the_api_sets_it_and_the_bloc_year_reads_it(world):
    year = world.year.year
    kt = world.bloc_years["KT"]
    url = f"/bloc-years/{kt.pk}/registration-deadline"
    body = {"registration_deadline": f"{year}-09-30", "reason": REASON}
    assert Api(world.users["leader"]).put(url, body).status_code == 403
    api = Api(world.users["secretariat"])
    bad = api.put(url, {**body, "reason": ""})
    assert bad.status_code == 400
    done = api.put(url, body)
    assert done.json() == {"bloc_year_id": kt.pk, "own_deadline": f"{year}-09-30",
                           "registration_deadline": f"{year}-09-30"}
    assert api.get(f"/bloc-years/{kt.pk}").json()["registration_deadline"] == f"{year}-09-30"
    cleared = api.put(url, {"registration_deadline": None})
    assert cleared.json()["own_deadline"] is None
