"""Progress of a target, exactly (functional core)."""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction


@dataclass(frozen=True)
class Progress:
    """Share of the way from baseline to target, in [0, 1], as an exact fraction."""

    share: Fraction

    @property
    def percent(self) -> int:
        """Whole percent for the bar, rounded down: 99.6 % is not yet done."""
        return int(self.share * 100)

    @property
    def done(self) -> bool:
        return self.share == 1


def progress(baseline: Decimal, target: Decimal, actual: Decimal | None) -> Progress:
    """(actual − baseline) / (target − baseline), held to [0, 1].

    A target equal to its baseline (keep a level) counts as done once reached; nothing
    reported yet is no progress. Targets below their baseline (reduce something) work the
    same way because both differences change sign together.
    """
    if actual is None:
        return Progress(Fraction(0))
    span = Fraction(target) - Fraction(baseline)
    moved = Fraction(actual) - Fraction(baseline)
    if span == 0:
        reached = moved >= 0
        return Progress(Fraction(1 if reached else 0))
    return Progress(min(max(moved / span, Fraction(0)), Fraction(1)))
