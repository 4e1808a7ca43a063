"""Voting fixtures: the KT bloc's conference (five members) through the services."""

import datetime

import pytest
from django.utils import timezone
from tests.eligible import at_conference, make_eligible

from thidua.law.award_forms import AwardForm
from thidua.voting import services
from thidua.voting.models import Poll


def held_today():
    now = timezone.localtime()
    return now.replace(hour=8, minute=0, second=0, microsecond=0) if now.hour >= 8 else (
        now - datetime.timedelta(minutes=1))


@pytest.fixture
def conference(world):
    make_eligible(world.bloc_years["KT"])
    at_conference(world.bloc_years["KT"])
    return services.create_conference(
        world.actor("leader"), world.bloc_years["KT"], held_at=held_today(),
        place="Hội trường tỉnh", chair="Nguyễn Văn A", secretary="Trần Thị B",
        guests="Thường trực thi đua tỉnh", agenda="Tổng kết; bình xét; bầu Trưởng khối")


def mark_present(world, conference, codes=("KT1", "KT2", "KT3", "KT4", "KT5")):
    for code in codes:
        services.record_attendance(world.actor("leader"), conference, world.units[code].id,
                                   present=True, delegate_name=f"Đại biểu {code}")


@pytest.fixture
def present(world, conference):
    mark_present(world, conference)
    return conference


def award_poll(world, conference, form=AwardForm.CERTIFICATE_OF_MERIT, codes=None,
               overrides=None):
    """`overrides`: {code: reason} for units on the ballot although not eligible."""
    unit_ids = None if codes is None else [world.units[c].id for c in codes]
    return services.create_poll(
        world.actor("leader"), conference, Poll.Kind.AWARD_PROPOSAL, award_form=form,
        unit_ids=unit_ids,
        overrides={world.units[c].id: why for c, why in (overrides or {}).items()})


@pytest.fixture
def open_poll(world, present):
    poll = award_poll(world, present)
    return services.open_poll(world.actor("leader"), poll)


def candidate_ids(poll, world, *codes):
    by_unit = {c.unit_id: c.id for c in poll.candidates.all()}
    return [by_unit[world.units[code].id] for code in codes]


def cards_by_unit(world, poll):
    return {c.card.unit.code: c.token for c in services.issue_cards(world.actor("leader"), poll)}
