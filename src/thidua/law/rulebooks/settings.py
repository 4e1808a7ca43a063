"""The settings a rulebook may hold: each with its value spec, the RULES.md numbers it
serves, its Vietnamese label, and whether a province may override it."""

import datetime
from dataclasses import dataclass

from thidua.law.award_forms import AwardForm
from thidua.law.facts import DisciplineLevel, Rating
from thidua.law.rulebook import (
    CAP_BASES,
    DOSSIER_FORMS,
    EXTRA_FLAG_CRITERIA,
    NO_MINIMUM,
    STANDARD_MET,
    DossierForm,
    ProvinceCap,
)
from thidua.law.rulebooks.specs import (
    LEGAL_BASES,
    Bool,
    BracketList,
    Choice,
    ExcessOrder,
    Int,
    ListOf,
    MapOf,
    Optional,
    Points,
    QuotaBySize,
    Refusal,
    Share,
    Spec,
    Str,
    Struct,
    TieBreakChain,
    fraction_rule,
)

FORMS = Choice(AwardForm.values)
FLAG_FORMS = Choice([AwardForm.GOVERNMENT_FLAG, AwardForm.PROVINCIAL_FLAG])


@dataclass(frozen=True)
class SettingSpec:
    spec: Spec
    rules: tuple
    label: str  # what the setting is, in Vietnamese (for the UI and the error messages)
    national_only: bool = False  # a province may not override (the law itself)
    default: object = None  # a value when a book does not set it (only where stated)
    required: bool = True


SETTINGS = {
    # Organisation -------------------------------------------------------------------
    "organisation.blocs_per_unit": SettingSpec(
        Int(1, 1), (1,), "Số khối một đơn vị thuộc trong một năm thi đua"),
    "organisation.leadership": SettingSpec(
        Struct({"leaders": Int(1, 1), "min_deputies": Int(1), "leader_may_be_deputy": Bool()}),
        (2,), "Trưởng khối, Phó khối của một khối trong năm"),
    "organisation.leader_election": SettingSpec(
        Struct({"elected_by": Choice(["member_units"]),
                "elected_at": Choice(["year_end_conference"]),
                "by_rotation": Bool(), "recorded_in_minutes": Bool()}),
        (3,), "Bầu Trưởng khối, Phó khối năm sau"),
    "organisation.rotation_lookback_years": SettingSpec(
        Int(0, 10), (4,), "Số năm gần nhất mà đơn vị đã làm Trưởng khối không được làm lại"),
    # Registration -------------------------------------------------------------------
    "registration.deadline": SettingSpec(
        Struct({"month": Int(1, 12), "day": Int(1, 31)}, build=lambda v: _month_day(v)),
        (7,), "Hạn gửi bản đăng ký thi đua (ngày, tháng của năm thi đua)"),
    # Scoring ------------------------------------------------------------------------
    "scoring.previous_award_bonus": SettingSpec(
        MapOf(FLAG_FORMS, Points()), (11,), "Điểm thưởng cho khen thưởng năm trước"),
    "scoring.aggregation": SettingSpec(
        Choice(["appraised", "mean", "trimmed_mean", "median"]), (14,),
        "Cách tính điểm cuối cùng"),
    "scoring.tie_break_chain": SettingSpec(
        TieBreakChain(), (16,), "Thứ tự phá hòa khi bằng điểm"),
    # Eligibility --------------------------------------------------------------------
    "eligibility.flag_requires_targets_exceeded": SettingSpec(
        Bool(), (17,), "Cờ thi đua đòi hỏi hoàn thành vượt mức chỉ tiêu, nhiệm vụ",
        national_only=True),
    "eligibility.flag_extra_criteria": SettingSpec(
        ListOf(Choice(list(EXTRA_FLAG_CRITERIA)), unique=True), (17,),
        "Tiêu chuẩn Cờ thi đua ngoài hoàn thành vượt mức chỉ tiêu (nhân tố mới, mô hình "
        "mới; đi đầu tiết kiệm, chống tham nhũng)", default=(), required=False),
    "eligibility.party_rating_minimum": SettingSpec(
        Choice([NO_MINIMUM, Rating.GOOD, Rating.EXCELLENT]), (18,),
        "Xếp loại tổ chức đảng tối thiểu để được xét Cờ thi đua (none: không xét)"),
    "eligibility.provincial_flag_through_bloc": SettingSpec(
        Bool(), (25,), "Cờ thi đua cấp tỉnh chỉ xét qua bình xét, so sánh trong cụm, khối",
        default=False, required=False),
    "eligibility.certificate_of_merit": SettingSpec(
        Struct({"min_task_rating": Choice([NO_MINIMUM, *Rating.values])}), (43,),
        "Tiêu chuẩn Bằng khen của Chủ tịch UBND tỉnh (tập thể)",
        default={"min_task_rating": NO_MINIMUM}, required=False),
    "eligibility.discipline": SettingSpec(
        Struct({"min_level": Choice([lv for lv in DisciplineLevel.values if lv != "none"]),
                "negative_inspection_blocks": Bool(),
                "forms": ListOf(FORMS, min_len=1, unique=True)}),
        (19,), "Kỷ luật, kết luận thanh tra loại trừ khỏi xét Cờ thi đua"),
    "eligibility.pending_matter_defers": SettingSpec(
        Bool(), (19,), "Tạm hoãn xét khen thưởng khi đang xem xét kỷ luật, thanh tra, khiếu "
        "nại, tố cáo hoặc xác minh nội dung báo chí phản ánh", default=False, required=False),
    "eligibility.achievements_from_discipline_end": SettingSpec(
        Bool(), (19,), "Thành tích chỉ tính từ khi hết thời hạn kỷ luật (năm có thời hạn kỷ "
        "luật chưa hết từ đầu năm thì không xét khen thưởng năm đó)", default=False,
        required=False),
    "eligibility.government_flag_leading_rank": SettingSpec(
        Int(1, 3), (20,),
        "Cờ thi đua của Chính phủ: đơn vị phải dẫn đầu khối (xếp hạng không thấp hơn)"),
    "eligibility.excellent_collective": SettingSpec(
        Struct({"min_task_rating": Choice(Rating.values),
                "members_completed": Struct({"comparison": Choice(["at_least", "more_than"]),
                                             "fraction": Share()}, build=fraction_rule),
                "advanced_workers": Struct({"comparison": Choice(["at_least", "more_than"]),
                                            "fraction": Share()}, build=fraction_rule),
                "min_emulation_soldiers": Int(0),
                "unity_min_party_rating": Choice([Rating.GOOD, Rating.EXCELLENT])},
               optional=("unity_min_party_rating",)),
        (21,), "Tiêu chuẩn Tập thể lao động xuất sắc"),
    "allocation.exclusive_forms": SettingSpec(
        ListOf(FORMS, min_len=2, unique=True), (22,),
        "Các hình thức không đề nghị cùng lúc cho một đơn vị (xếp từ cao xuống thấp)"),
    # Quotas -------------------------------------------------------------------------
    "quotas.government_flag_province_cap": SettingSpec(
        Struct({"fraction": Share(), "rounding": Choice(["floor", "half_up", "ceil"]),
                "base": Choice(list(CAP_BASES))},
               build=lambda v: ProvinceCap(v["fraction"], v["rounding"],
                                              v.get("base", STANDARD_MET)),
               optional=("base",)),
        (23,), "Trần Cờ thi đua của Chính phủ toàn tỉnh (tỷ lệ, cách làm tròn, cơ sở tính)"),
    "quotas.government_flag_per_bloc": SettingSpec(
        QuotaBySize(), (24,),
        "Số Cờ thi đua của Chính phủ tối đa mỗi khối đề nghị (một số, hoặc theo số thành "
        "viên)"),
    "quotas.provincial_flag": SettingSpec(
        BracketList(), (25,), "Số Cờ thi đua của UBND tỉnh mỗi khối theo số thành viên"),
    "quotas.certificate_of_merit": SettingSpec(
        BracketList(), (26,), "Số Bằng khen của Chủ tịch UBND tỉnh mỗi khối theo số thành viên"),
    "proposals.province_may_cut": SettingSpec(
        Bool(), (27,), "Kết quả của khối là đề nghị; tỉnh có thể giảm"),
    # Voting -------------------------------------------------------------------------
    "voting.quorum": SettingSpec(
        Struct({"comparison": Choice(["at_least", "more_than"]), "fraction": Share()},
               build=fraction_rule), (28,), "Số đơn vị có mặt tối thiểu để biểu quyết"),
    "voting.vote_per": SettingSpec(
        Choice(["unit", "delegate"]), (29,), "Mỗi đơn vị một phiếu, hay mỗi đại biểu một phiếu"),
    "voting.secret_ballot_forms": SettingSpec(
        ListOf(FORMS, min_len=1, unique=True), (30,), "Các hình thức bình xét bằng phiếu kín"),
    "voting.threshold": SettingSpec(
        Struct({"comparison": Choice(["at_least", "more_than"]), "fraction": Share()},
               build=fraction_rule), (31,), "Ngưỡng phiếu đồng ý để được đề nghị"),
    "voting.base": SettingSpec(
        Choice(["members", "present", "valid_ballots"]), (31,),
        "Cơ sở tính tỷ lệ phiếu (tổng số thành viên, số có mặt, số phiếu hợp lệ)"),
    "voting.excess_order": SettingSpec(
        ExcessOrder(), (32,), "Thứ tự chọn khi số người đạt ngưỡng vượt chỉ tiêu"),
    "voting.overmarked_ballot": SettingSpec(
        Choice(["invalid"]), (33,), "Phiếu đánh dấu quá số lượng chỉ tiêu"),
    "voting.count_record": SettingSpec(
        Struct({"fields": ListOf(Choice(["yes_votes", "ballots_cast", "valid", "invalid",
                                         "percentage"]), min_len=1, unique=True),
                "percentage_decimals": Int(0, 4)}),
        (34,), "Nội dung biên bản kiểm phiếu"),
    # Documents ----------------------------------------------------------------------
    "documents.legal_bases": SettingSpec(
        LEGAL_BASES, (), "Căn cứ pháp lý (văn bản trung ương) ghi trên văn bản",
        national_only=True),
    "documents.forms": SettingSpec(
        Struct({kind: Struct({"name": Str(), "number": Optional(Str())},
                             optional=("number",),
                             build=lambda v: DossierForm(v["name"], v.get("number")))
                for kind in DOSSIER_FORMS}),
        (41,), "Mẫu văn bản của hồ sơ đề nghị khen thưởng theo văn bản hiện hành",
        national_only=True),
    "documents.report_years": SettingSpec(
        MapOf(FORMS, Int(1, 10)), (41,),
        "Số năm thành tích báo cáo thành tích trình bày, theo hình thức khen thưởng",
        national_only=True),
    "documents.provincial_legal_bases": SettingSpec(
        LEGAL_BASES, (), "Căn cứ pháp lý của tỉnh ghi trên văn bản", default=(),
        required=False),
}


def _month_day(values):
    try:
        datetime.date(2024, values["month"], values["day"])  # 2024: a leap year allows 29/2
    except ValueError as exc:
        raise Refusal(f"ngày {values['day']}/{values['month']} không có thật.") from exc
    return (values["month"], values["day"])


