"""Fixture data: units that meet the award standards (RULES.md 7, 17–21), as a history
import would load them — a registration sent on time and confirmed year facts that meet
every standard. An award poll lists only eligible members by default (issue 11 item 2),
so the conference tests start from units that may stand."""

import datetime

from django.utils import timezone

from thidua.awards.models import UnitYearFacts
from thidua.org.domain.phases import Phase
from thidua.org.models import BlocYear, Membership
from thidua.pledges.models import Registration

STANDARD = {"targets_exceeded": True, "task_rating": "excellent", "party_rating": "excellent",
            "discipline_level": "none", "negative_inspection": False, "member_count": 20,
            "completed_count": 20, "advanced_worker_count": 16, "emulation_soldier_count": 2,
            "union_rating": "excellent", "youth_union_rating": "good", "pending_matter": "none"}


def make_eligible(bloc_year, units=None, **facts):
    """Every member of `bloc_year` (or just `units`) registered on time, its year's facts
    confirmed by the secretariat; `facts` overrides STANDARD for all of them."""
    emulation_year = bloc_year.emulation_year
    if units is None:
        units = [m.unit for m in Membership.objects.filter(bloc_year=bloc_year)
                 .select_related("unit")]
    deadline = emulation_year.registration_deadline
    sent = timezone.make_aware(datetime.datetime.combine(
        deadline - datetime.timedelta(days=1), datetime.time(9)))
    for unit in units:
        Registration.objects.update_or_create(
            unit=unit, emulation_year=emulation_year,
            defaults={"bloc_year": bloc_year, "status": Registration.Status.SUBMITTED,
                      "submitted_at": sent})
        UnitYearFacts.objects.update_or_create(
            unit=unit, emulation_year=emulation_year,
            defaults={**STANDARD, **facts, "confirmed_at": timezone.now(),
                      "confirmed_as": UnitYearFacts.ConfirmedAs.SECRETARIAT})


def at_conference(bloc_year):
    """The bloc year at its conference phase, as its leader moves it on the bloc year page:
    polls open only there (issue 11 item 9, `org.domain.phases.conference_phase_problem`)."""
    BlocYear.objects.filter(pk=bloc_year.pk).update(phase=Phase.CONFERENCE)
    bloc_year.phase = Phase.CONFERENCE
    return bloc_year
