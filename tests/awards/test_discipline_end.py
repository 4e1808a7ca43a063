"""Achievements counted from the end of a discipline (issue 14; RULES.md 19, NĐ 152/2025
principles): the day the collective's discipline period ended is a fact of the year,
entered on the page or through the API like the others, confirmed, and read by
eligibility — a period that ends inside the year leaves no whole year to award."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from tests.factories import STANDARD_FACTS

from api.conftest import Api
from thidua.awards import services as awards
from thidua.awards.models import UnitYearFacts
from thidua.core.models import AuditEvent
from thidua.org.models import EmulationYear

from .conftest import PROV, conference_day, register
from .test_facts_pages import FORM

pytestmark = pytest.mark.django_db


def text(response):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ",
                                                    response.content.decode())))


def test_entered_on_the_page_shown_and_audited(client, world):
    year = world.year.year
    client.force_login(world.users["peer"])
    url = reverse("award_facts", args=[world.units["KT2"].pk, year])
    bad = client.post(url, {**FORM, "discipline_ended_on": "30/02"})
    assert bad.status_code == 400
    assert "Ngày hết thời hạn kỷ luật: nhập một ngày, ví dụ 30/06/2025." in text(bad)
    assert UnitYearFacts.objects.count() == 0
    client.post(url, {**FORM, "discipline_ended_on": f"{year}-06-30"})
    facts = UnitYearFacts.objects.get()
    assert facts.discipline_ended_on == datetime.date(year, 6, 30)
    assert f"Hết thời hạn kỷ luật của tập thể 30/06/{year}" in text(client.get(url))
    event = AuditEvent.objects.get(action="awards.facts.enter")
    assert event.after["discipline_ended_on"] == f"{year}-06-30"


def test_entered_through_the_api_and_a_bad_value_changes_nothing(world):
    year = world.year.year
    api = Api(world.users["peer"])
    path = f"/units/{world.units['KT2'].pk}/facts/{year}"
    assert api.send("patch", path, {"discipline_ended_on": "hôm qua"}).status_code == 422
    assert UnitYearFacts.objects.count() == 0
    body = api.send("patch", path, {"discipline_ended_on": f"{year}-06-30"}).json()
    assert body["discipline_ended_on"] == f"{year}-06-30"
    cleared = api.send("patch", path, {"discipline_ended_on": None}).json()
    assert cleared["discipline_ended_on"] is None


def test_rule_19_eligibility_reads_the_confirmed_end_of_discipline(world):
    """The conference of this year falls under NĐ 152/2025 (from 01/7/2025)."""
    year = world.year.year
    unit = world.units["KT2"]
    officer = world.actor("peer")
    EmulationYear.objects.filter(pk=world.year.pk).update(
        registration_deadline=datetime.date(year, 12, 31))
    world.year.refresh_from_db()
    register(officer, unit, world.year)
    facts = awards.enter_facts(officer, unit, world.year,
                               {**STANDARD_FACTS,
                                "discipline_ended_on": datetime.date(year, 6, 30)},
                               note="Quyết định kỷ luật số 5/QĐ, thời hạn 12 tháng")
    awards.confirm_facts(world.actor("secretariat"), facts)
    result = awards.unit_eligibility(unit, world.year, PROV, on_date=conference_day(world))
    assert [(c.rule, c.sentence) for c in result.checks if c.status == "unmet"] == [
        (19, f"thời hạn kỷ luật hết ngày 30/06/{year}: thành tích chỉ tính từ ngày đó, chưa "
             f"đủ cả năm {year}")]
    awards.enter_facts(officer, unit, world.year,
                       {"discipline_ended_on": datetime.date(year - 1, 12, 31)})
    awards.confirm_facts(world.actor("secretariat"), UnitYearFacts.objects.get(unit=unit))
    assert awards.unit_eligibility(unit, world.year, PROV,
                                   on_date=conference_day(world)).unmet == ()
