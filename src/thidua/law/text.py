"""Numbers written the Vietnamese way in explanations: decimal comma, exact fractions."""

from decimal import Decimal
from fractions import Fraction


def _terminates(denominator: int) -> bool:
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def format_number(value) -> str:
    """4.6 → "4,6"; 7 → "7"; 2/3 → "2/3" (a repeating decimal is written as a fraction,
    so what the user reads is exactly what was computed)."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    if not _terminates(value.denominator):
        return f"{value.numerator}/{value.denominator}"
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".").replace(".", ",")


def format_fraction(value: Fraction) -> str:
    """A share as the rule writes it: 1/2, 2/3, and hundredths as a percentage."""
    if value.denominator in (1, 4, 5, 10, 20, 25, 50, 100):
        return f"{format_number(value * 100)} %"
    return f"{value.numerator}/{value.denominator}"
