"""The award forms (hình thức khen thưởng), the vocabulary pledges, voting and awards share."""

from thidua.law.choices import Vocabulary


class AwardForm(Vocabulary):
    GOVERNMENT_FLAG = "government_flag", "Cờ thi đua của Chính phủ"
    PROVINCIAL_FLAG = "provincial_flag", "Cờ thi đua của UBND tỉnh"
    CERTIFICATE_OF_MERIT = "certificate_of_merit", "Bằng khen của Chủ tịch UBND tỉnh"
    EXCELLENT_COLLECTIVE = "excellent_collective", "Tập thể lao động xuất sắc"


def label_for(form: str, province=None) -> str:
    """The form's name as a province's papers print it: a centrally-run city's flag is the
    "Cờ thi đua của UBND thành phố", its certificate the "Bằng khen của Chủ tịch UBND thành
    phố" (LEGAL-REVIEW R2). `province` has `kind_word` ("tỉnh" / "thành phố")."""
    return label_in(form, getattr(province, "kind_word", "tỉnh"))


def label_in(form: str, kind_word: str = "tỉnh") -> str:
    """The form's name for a "tỉnh" or a "thành phố" (label_for, from the word itself)."""
    label = AwardForm(form).label
    return label.replace("UBND tỉnh", f"UBND {kind_word}") if kind_word != "tỉnh" else label


def choices_for(province=None) -> list[tuple[str, str]]:
    """Every form as (value, name) the way the province says it — a form's choices."""
    return [(form, label_for(form, province)) for form in AwardForm.values]
