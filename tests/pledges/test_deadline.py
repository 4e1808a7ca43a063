"""RULES.md 7: registered by the deadline (default 31/3), a local calendar date."""

import datetime
from datetime import UTC

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.law.deadline import registered_on_time
from thidua.pledges.models import Registration

DEADLINE = datetime.date(2026, 3, 31)


def test_the_deadline_day_itself_is_on_time():
    assert registered_on_time(datetime.date(2026, 3, 31), DEADLINE)
    assert registered_on_time(datetime.date(2026, 1, 2), DEADLINE)


def test_the_next_day_is_late():
    assert not registered_on_time(datetime.date(2026, 4, 1), DEADLINE)


def test_never_submitted_is_not_on_time():
    assert not registered_on_time(None, DEADLINE)


@pytest.mark.parametrize("utc,local_date,on_time", [
    # Asia/Ho_Chi_Minh is UTC+7: local midnight is 17:00 UTC the day before.
    (datetime.datetime(2026, 3, 30, 17, 0, 0, tzinfo=UTC), datetime.date(2026, 3, 31), True),
    (datetime.datetime(2026, 3, 31, 16, 59, 59, 999999, tzinfo=UTC),
     datetime.date(2026, 3, 31), True),
    (datetime.datetime(2026, 3, 31, 17, 0, 0, tzinfo=UTC), datetime.date(2026, 4, 1), False),
    (datetime.datetime(2026, 3, 31, 23, 30, tzinfo=UTC), datetime.date(2026, 4, 1), False),
])
def test_submission_near_local_midnight(settings, utc, local_date, on_time):
    """A pledge sent at 23:59:59 Hà Nội time on 31/3 is on time even though it is already
    the afternoon of 31/3 in UTC; one second later it is 1/4 and late."""
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    registration = Registration(submitted_at=utc)
    assert registration.submitted_on == local_date
    assert registered_on_time(registration.submitted_on, DEADLINE) is on_time


def test_unsubmitted_registration_has_no_date():
    assert Registration().submitted_on is None


@given(st.dates(), st.dates())
def test_on_time_is_on_or_before(submitted, deadline):
    assert registered_on_time(submitted, deadline) == (submitted <= deadline)
