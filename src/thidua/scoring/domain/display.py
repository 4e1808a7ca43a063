"""Presentation of points: the one place numbers are rounded for people to read.

Scores stay exact (Fraction / Decimal) everywhere else; a page, a document or a sheet
calls `vi_number` at the last moment. Vietnamese writes a decimal comma and groups
thousands with a dot: 1.234,56.
"""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


def rounded(value, places: int = 2) -> Decimal:
    """Half away from zero, as a scorer rounds by hand (not banker's rounding)."""
    if isinstance(value, float):
        raise TypeError("không hiển thị số thực dấu phẩy động")
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def vi_number(value, places: int = 2) -> str:
    """97.5 → "97,50"; 1234.5 → "1.234,50"; None → "—" (no score, never shown as 0)."""
    if value is None:
        return "—"
    text = f"{rounded(value, places):,.{places}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")
