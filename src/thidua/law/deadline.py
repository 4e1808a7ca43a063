"""RULES.md 7: a unit that did not register by the deadline cannot be proposed that year."""

import datetime


def registered_on_time(submitted_on: datetime.date | None, deadline: datetime.date) -> bool:
    """On time means submitted on or before the deadline day (local date)."""
    return submitted_on is not None and submitted_on <= deadline
