"""RULES.md 8: the bloc pledge counts as signed when every member signed or is recorded
absent (pledges.domain.signing)."""

from hypothesis import given
from hypothesis import strategies as st

from thidua.pledges.domain.signing import SigningStatus, signing_status

MEMBERS = frozenset({1, 2, 3, 4, 5})


def test_rule_8_all_signed_is_complete():
    assert signing_status(MEMBERS, MEMBERS, frozenset()) == SigningStatus(
        True, MEMBERS, frozenset(), frozenset())


def test_rule_8_signed_or_absent_is_complete():
    assert signing_status(MEMBERS, frozenset({1, 2, 3}), frozenset({4, 5})) == SigningStatus(
        True, frozenset({1, 2, 3}), frozenset({4, 5}), frozenset())


def test_rule_8_a_missing_member_keeps_it_open():
    assert signing_status(MEMBERS, frozenset({1, 2}), frozenset({4})) == SigningStatus(
        False, frozenset({1, 2}), frozenset({4}), frozenset({3, 5}))


def test_nobody_yet():
    assert signing_status(MEMBERS, frozenset(), frozenset()) == SigningStatus(
        False, frozenset(), frozenset(), MEMBERS)


def test_signatures_of_non_members_do_not_count():
    """A unit that left the bloc (or another bloc's unit) cannot complete the pledge."""
    assert signing_status(MEMBERS, frozenset({1, 2, 3, 4, 99}), frozenset({98})) == \
        SigningStatus(False, frozenset({1, 2, 3, 4}), frozenset(), frozenset({5}))


@given(st.frozensets(st.integers(1, 12)), st.frozensets(st.integers(1, 15)),
       st.frozensets(st.integers(1, 15)))
def test_rule_8_partition_of_members(members, signed, absent):
    status = signing_status(members, signed, absent)
    assert status.complete == (members <= signed | absent)
    assert status.signed | status.absent | status.missing == members
    assert status.missing == members - signed - absent
    assert not status.missing & (status.signed | status.absent)
