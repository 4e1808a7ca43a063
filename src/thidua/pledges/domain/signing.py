"""RULES.md 8: the bloc pledge counts as signed when every member signed or is recorded absent."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SigningStatus:
    complete: bool
    signed: frozenset
    absent: frozenset
    missing: frozenset


def signing_status(members: frozenset, signed: frozenset, absent: frozenset) -> SigningStatus:
    missing = members - signed - absent
    return SigningStatus(not missing, signed & members, absent & members, missing)
