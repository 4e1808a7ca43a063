"""Quotas (functional core): how many of each form a bloc, and the province, may propose.

RULES.md 24–26 per bloc (from its member count, by the rulebook's brackets) and 23
across the province (the Government-flag cap). Each quota carries the sentence that
explains its arithmetic and the citation it rests on.
"""

from dataclasses import dataclass
from fractions import Fraction

from thidua.law.award_forms import AwardForm
from thidua.law.rulebook import Citation, Rulebook
from thidua.law.text import format_fraction, format_number

GOV, PROV, CERT = (AwardForm.GOVERNMENT_FLAG, AwardForm.PROVINCIAL_FLAG,
                   AwardForm.CERTIFICATE_OF_MERIT)


@dataclass(frozen=True)
class Quota:
    award_form: str
    count: int
    rule: int
    explanation: str
    citation: Citation

    def __str__(self):
        return f"{self.explanation} — {self.citation}"


def bloc_quotas(member_count: int, rulebook: Rulebook) -> dict:
    """The bloc's quota per form (RULES 24, 25, 26): award form → Quota."""
    if member_count < 1:
        raise ValueError("Khối phải có ít nhất một thành viên.")
    quotas = {}
    per_bloc = rulebook.value("quotas.government_flag_per_bloc").brackets
    if len(per_bloc) == 1:  # one number for every bloc, whatever its size
        count = per_bloc[0].quota
        quotas[GOV] = Quota(GOV, count, 24, f"Mỗi khối đề nghị tối đa {count} "
                            f"{GOV.label}", rulebook.citation("quotas.government_flag_per_bloc"))
    forms = ((PROV, "quotas.provincial_flag", 25), (CERT, "quotas.certificate_of_merit", 26))
    if len(per_bloc) > 1:
        forms = ((GOV, "quotas.government_flag_per_bloc", 24), *forms)
    for form, key, rule in forms:
        bracket = rulebook.value(key).bracket_for(member_count)
        quotas[form] = Quota(
            form, bracket.quota, rule,
            f"Khối có {member_count} thành viên (mức {bracket.describe()}): tối đa "
            f"{bracket.quota} {form.label}", rulebook.citation(key))
    return quotas


def _round(value: Fraction, rounding: str) -> int:
    if rounding == "floor":
        return value.numerator // value.denominator
    if rounding == "ceil":
        return -(-value.numerator // value.denominator)
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)  # half up


ROUNDING_WORDS = {
    "floor": "lấy phần nguyên (không làm tròn lên, vì “không quá”)",
    "ceil": "làm tròn lên",
    "half_up": "làm tròn đến số nguyên gần nhất (0,5 làm tròn lên)",
}


def province_government_flag_cap(standard_count: int, rulebook: Rulebook,
                                  kind_word: str = "tỉnh") -> Quota:
    """RULES 23: Government-flag proposals across the province ≤ fraction (20 %) of the
    collectives meeting the provincial-flag standard, brought to a whole number by the
    rulebook's rounding (default floor: "không quá 20 %" means count·100 ≤ 20·n).
    `kind_word`: "tỉnh" or "thành phố" (RULES.md 35), as the explanation names it."""
    if standard_count < 0:
        raise ValueError("Số tập thể đạt chuẩn không được âm.")
    setting = rulebook.setting("quotas.government_flag_province_cap")
    cap = setting.value
    exact = cap.fraction * standard_count
    count = _round(exact, cap.rounding)
    explanation = (
        f"{format_fraction(cap.fraction)} của {standard_count} "
        f"{cap.base_label.replace('UBND tỉnh', f'UBND {kind_word}')} là "
        f"{format_number(exact)}"
    )
    if exact.denominator != 1:
        explanation += f"; {ROUNDING_WORDS[cap.rounding]}"
    explanation += f": toàn {kind_word} đề nghị tối đa {count} {GOV.label}"
    if setting.open_point:
        explanation += f" (vấn đề còn mở: {setting.open_point})"
    return Quota(GOV, count, 23, explanation, setting.citation)


@dataclass(frozen=True)
class CapCheck:
    """The province-wide cap against the blocs' Government-flag proposals (RULES 23),
    and how many the province must cut (RULES 27: proposals, not awards, so it may)."""

    cap: Quota
    proposed: int
    kind_word: str = "tỉnh"  # who must cut: "tỉnh" / "thành phố" (RULES.md 35)

    @property
    def excess(self) -> int:
        return max(0, self.proposed - self.cap.count)

    @property
    def ok(self) -> bool:
        return self.excess == 0

    def explain(self) -> str:
        head = f"{self.cap.explanation}; các khối đề nghị {self.proposed}"
        if self.ok:
            return f"{head}: trong giới hạn — {self.cap.citation}"
        return (f"{head}: vượt {self.excess}, {self.kind_word} phải giảm {self.excess} đề "
                f"nghị trước khi trình — {self.cap.citation}")


def check_province_cap(proposed: int, standard_count: int, rulebook: Rulebook,
                       kind_word: str = "tỉnh") -> CapCheck:
    return CapCheck(province_government_flag_cap(standard_count, rulebook, kind_word),
                    proposed, kind_word)
