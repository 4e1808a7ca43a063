"""Numbers for people to read: half-up rounding, the Vietnamese decimal comma, words.

Values stay exact (int, Fraction, Decimal) everywhere else; a page, a document or a
sheet rounds at the last moment, here. Floats are refused: they are not exact.
"""

from decimal import Decimal
from fractions import Fraction

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
# Groups of three digits, smallest first; a billion (tỷ) starts the cycle again.
_GROUP_NAMES = ("", "nghìn", "triệu")
_BILLION = 10 ** 9


def _exact(value) -> Fraction:
    if isinstance(value, float):
        raise TypeError("không hiển thị số thực dấu phẩy động")
    return Fraction(value)


def half_up(value, places: int = 2) -> Decimal:
    """Rounded to `places` decimals, half away from zero, as a scorer rounds by hand (not
    banker's rounding): 0.125 → 0.13, -0.125 → -0.13, 2.5 → 3 (places=0). Exact: a
    Fraction is never divided out to 28 digits first."""
    exact = _exact(value)
    scale = 10 ** places
    scaled = abs(exact) * scale
    whole = int(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    if exact < 0:
        whole = -whole
    return Decimal(whole).scaleb(-places)


def vi_number(value, places: int = 2) -> str:
    """97.5 → "97,50"; 1234.5 → "1.234,50"; None → "—" (no value, never shown as 0).
    Vietnamese writes a decimal comma and groups thousands with a dot."""
    if value is None:
        return "—"
    text = f"{half_up(value, places):,.{places}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _tens_and_units(number: int, *, full: bool) -> list[str]:
    """0–99 within a group; `full`: a hundreds digit stands before (so 5 → "linh năm")."""
    tens, units = divmod(number, 10)
    if tens == 0:
        if units == 0:
            return []
        return (["linh"] if full else []) + [_DIGITS[units]]
    words = ["mười"] if tens == 1 else [_DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return words


def _group(number: int, *, leading: bool) -> list[str]:
    """Three digits. A group after another is read whole: 5 → "không trăm linh năm"."""
    hundreds, rest = divmod(number, 100)
    if leading and hundreds == 0:
        return _tens_and_units(rest, full=False)
    return [_DIGITS[hundreds], "trăm"] + _tens_and_units(rest, full=True)


def _below_billion(number: int, *, leading: bool) -> list[str]:
    groups = []
    while number:
        number, group = divmod(number, 1000)
        groups.append(group)
    words = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        first = leading and index == len(groups) - 1
        words += _group(group, leading=first)
        if _GROUP_NAMES[index]:
            words.append(_GROUP_NAMES[index])
    return words


def vi_words(number: int) -> str:
    """A whole number in words, as an amount is written out on a paper ("bằng chữ"):
    105 → "một trăm linh năm"; 1_000_005 → "một triệu không trăm linh năm";
    21 → "hai mươi mốt"; 15 → "mười lăm"; 0 → "không"; -3 → "âm ba"."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError("chỉ đọc thành chữ số nguyên")
    if number == 0:
        return _DIGITS[0]
    if number < 0:
        return "âm " + vi_words(-number)
    return " ".join(_words(number, leading=True))


def _words(number: int, *, leading: bool) -> list[str]:
    billions, rest = divmod(number, _BILLION)
    words = []
    if billions:
        words += _words(billions, leading=leading) + ["tỷ"]
        leading = False
    return words + _below_billion(rest, leading=leading)
