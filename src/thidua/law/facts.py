"""The facts about a unit's year that eligibility needs (functional core, no ORM).

The scales below are the ones Vietnamese agencies use in their year-end evaluations. Each
fact may be unknown (None): eligibility reports an unknown fact as missing, never
assumes it.
"""

import datetime
from dataclasses import dataclass

from thidua.law.choices import Vocabulary


class Rating(Vocabulary):
    """Xếp loại chất lượng (a collective's task completion, or its party organisation)."""

    EXCELLENT = "excellent", "Hoàn thành xuất sắc nhiệm vụ"
    GOOD = "good", "Hoàn thành tốt nhiệm vụ"
    COMPLETED = "completed", "Hoàn thành nhiệm vụ"
    NOT_COMPLETED = "not_completed", "Không hoàn thành nhiệm vụ"


# Higher is better; the rulebook names a minimum by its code.
RATING_ORDER = {Rating.NOT_COMPLETED: 0, Rating.COMPLETED: 1, Rating.GOOD: 2,
                Rating.EXCELLENT: 3}


def rating_at_least(rating: str, minimum: str) -> bool:
    return RATING_ORDER[Rating(rating)] >= RATING_ORDER[Rating(minimum)]


class DisciplineLevel(Vocabulary):
    """The heaviest discipline (hình thức kỷ luật) a member received in the year."""

    NONE = "none", "Không có"
    REPRIMAND = "reprimand", "Khiển trách"
    WARNING = "warning", "Cảnh cáo"
    DEMOTION = "demotion", "Hạ bậc lương, giáng chức"
    REMOVAL = "removal", "Cách chức"
    DISMISSAL = "dismissal", "Buộc thôi việc"


DISCIPLINE_ORDER = {level: i for i, level in enumerate(DisciplineLevel)}


class OrganisationRating(Vocabulary):
    """Xếp loại of a mass organisation (đoàn thể) in the unit — the same scale as the
    party organisation's — or "no such organisation" (RULES.md 18: Luật 2022 Art. 25.1b
    asks for "tổ chức đảng, đoàn thể trong sạch, vững mạnh"; a small agency may have no
    youth union, which is then no reason to refuse it)."""

    EXCELLENT = "excellent", "Hoàn thành xuất sắc nhiệm vụ"
    GOOD = "good", "Hoàn thành tốt nhiệm vụ"
    COMPLETED = "completed", "Hoàn thành nhiệm vụ"
    NOT_COMPLETED = "not_completed", "Không hoàn thành nhiệm vụ"
    NO_ORGANISATION = "no_organisation", "Không có tổ chức"


# The mass organisations an agency records (field name → the organisation, in Vietnamese).
MASS_ORGANISATIONS = {
    "union_rating": "Công đoàn cơ sở",
    "youth_union_rating": "Đoàn Thanh niên",
}


class PendingMatter(Vocabulary):
    """A matter under consideration that defers any award (Nghị định 152/2025/NĐ-CP,
    principles of awarding): not a refusal — the unit is proposed once it is settled."""

    NONE = "none", "Không có"
    DISCIPLINE = "discipline", "Đang xem xét kỷ luật"
    INSPECTION = "inspection", "Đang thanh tra, kiểm tra, điều tra có dấu hiệu vi phạm"
    COMPLAINT = "complaint", "Đang giải quyết khiếu nại, tố cáo"
    PRESS = "press", "Đang xác minh nội dung báo chí phản ánh"


def discipline_at_least(level: str, minimum: str) -> bool:
    return DISCIPLINE_ORDER[DisciplineLevel(level)] >= DISCIPLINE_ORDER[DisciplineLevel(minimum)]


@dataclass(frozen=True)
class UnitYearFacts:
    """One unit's year, as entered by the unit and (perhaps) confirmed."""

    unit_id: int
    year: int
    targets_exceeded: bool | None = None  # hoàn thành vượt mức chỉ tiêu, nhiệm vụ (RULES 17)
    task_rating: str | None = None  # Rating (RULES 21)
    party_rating: str | None = None  # Rating of the party organisation (RULES 18)
    discipline_level: str | None = None  # DisciplineLevel (RULES 19)
    negative_inspection: bool | None = None  # kết luận thanh tra, kiểm tra có vi phạm (19)
    member_count: int | None = None  # RULES 21: the collective's members
    completed_count: int | None = None  # members who completed their tasks
    advanced_worker_count: int | None = None  # "Lao động tiên tiến"
    emulation_soldier_count: int | None = None  # "Chiến sĩ thi đua cơ sở"
    union_rating: str | None = None  # OrganisationRating of the trade union (RULES 18)
    youth_union_rating: str | None = None  # OrganisationRating of the youth union (18)
    pending_matter: str | None = None  # PendingMatter (RULES 19, deferral)
    pending_matter_detail: str = ""  # what is pending, as the unit describes it
    # NĐ 152/2025: achievements count only from the end of a discipline period; the day
    # the collective's discipline period ended (None: no discipline period to count from).
    discipline_ended_on: datetime.date | None = None
    # The flag standard before 2024 (Luật 2003/2013 art. 26, restated by provinces): "có
    # nhân tố mới, mô hình mới" and "đi đầu thực hành tiết kiệm, chống lãng phí, chống
    # tham nhũng"; asked only by a rulebook whose eligibility.flag_extra_criteria lists them.
    new_model: bool | None = None
    thrift_anti_corruption_lead: bool | None = None
    confirmed: bool = False


def facts_errors(facts: UnitYearFacts) -> list[str]:
    """What cannot be true of entered facts, in Vietnamese (checked before saving)."""
    errors = []
    counts = {
        "Số thành viên": facts.member_count,
        "Số hoàn thành nhiệm vụ": facts.completed_count,
        "Số đạt Lao động tiên tiến": facts.advanced_worker_count,
        "Số đạt Chiến sĩ thi đua cơ sở": facts.emulation_soldier_count,
    }
    for label, value in counts.items():
        if value is not None and value < 0:
            errors.append(f"{label} không được âm.")
    total = facts.member_count
    if total is not None and total >= 0:
        for label, value in list(counts.items())[1:]:
            if value is not None and value > total:
                errors.append(f"{label} ({value}) không được lớn hơn số thành viên ({total}).")
    # The individual titles build on each other: a "Lao động tiên tiến" has completed
    # their tasks, a "Chiến sĩ thi đua cơ sở" is first a "Lao động tiên tiến".
    if (facts.completed_count is not None and facts.advanced_worker_count is not None
            and facts.advanced_worker_count > facts.completed_count):
        errors.append("Số đạt Lao động tiên tiến không được lớn hơn số hoàn thành nhiệm vụ.")
    if (facts.advanced_worker_count is not None and facts.emulation_soldier_count is not None
            and facts.emulation_soldier_count > facts.advanced_worker_count):
        errors.append("Số đạt Chiến sĩ thi đua cơ sở không được lớn hơn số đạt "
                      "Lao động tiên tiến.")
    for value, enum, label in (
        (facts.task_rating, Rating, "Xếp loại hoàn thành nhiệm vụ"),
        (facts.party_rating, Rating, "Xếp loại tổ chức đảng"),
        (facts.discipline_level, DisciplineLevel, "Hình thức kỷ luật"),
        (facts.union_rating, OrganisationRating, "Xếp loại Công đoàn cơ sở"),
        (facts.youth_union_rating, OrganisationRating, "Xếp loại Đoàn Thanh niên"),
        (facts.pending_matter, PendingMatter, "Vụ việc đang xem xét"),
    ):
        if value is not None and value not in enum.values:
            errors.append(f"{label} không hợp lệ: {value}.")
    if (facts.pending_matter not in (None, PendingMatter.NONE)
            and not facts.pending_matter_detail.strip()):
        errors.append("Có vụ việc đang xem xét: ghi rõ nội dung (cơ quan xem xét, số văn bản, "
                      "ngày) để Trưởng khối, tỉnh đối chiếu.")
    return errors


@dataclass(frozen=True)
class RegistrationFact:
    """RULES.md 7: when the unit's registration was submitted (None: never)."""

    submitted_on: datetime.date | None
    deadline: datetime.date
