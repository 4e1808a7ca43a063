"""Rulebooks as data: read, validate and select the YAML files in `law/rulebooks/`.

A file is either a national book (complete: every setting, for a legal period) or a
province's override (some settings, for the period of the province's own regulation).
`rulebook_for(province_code, on_date)` lays the province's override in force on that date
over the national book in force on that date.

Which date? The texts in force on the day the decision is taken: a January 2026
conference for the 2025 year applies the rulebook in force in January 2026 (Decree
152/2025), because a proposal is assessed under the texts in force when it is made — and
its legal bases (căn cứ) must be the texts in force on the minutes' date. The registration
deadline, by contrast, belongs to the emulation year itself: `registration_deadline`
reads the rulebook in force on 1 January of that year (when registration opens) and puts
its month/day in that year.

Validation happens on load and refuses the whole file on any problem (bad YAML, unknown
key, wrong type, missing setting, overlapping periods), each problem in Vietnamese with
the file and line, so a secretariat can fix the file it edited.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import yaml

from thidua.core.errors import DomainError
from thidua.law.award_forms import AwardForm
from thidua.law.facts import DisciplineLevel, Rating
from thidua.law.rulebook import (
    CAP_BASES,
    DOSSIER_FORMS,
    EXTRA_FLAG_CRITERIA,
    NO_MINIMUM,
    STANDARD_MET,
    TAGS,
    Bracket,
    Brackets,
    Citation,
    DossierForm,
    FractionRule,
    LegalBasis,
    ProvinceCap,
    Rulebook,
    RulebookFile,
    Setting,
    Source,
)

RULEBOOK_DIR = Path(__file__).with_name("rulebooks")


# --- errors ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self):
        return f"Bộ quy tắc {self.file}, dòng {self.line}: {self.message}"


class RulebookError(DomainError):
    """A rulebook file (or the set of them) that cannot be used; nothing is loaded."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(*(str(p) for p in self.problems))


class RulebookNotFound(DomainError):
    """No rulebook covers the date asked: the object exists, the date is outside every
    legal period the product knows — 422, naming the periods that exist."""

    status = 422


class _Invalid(Exception):
    def __init__(self, node, message):
        self.line = node.start_mark.line + 1 if node is not None else 1
        super().__init__(message)


# --- value specs: each turns a YAML node into a checked Python value ----------------------

_INT, _BOOL, _STR = "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:str"
_FLOAT, _NULL = "tag:yaml.org,2002:float", "tag:yaml.org,2002:null"
_DATE = "tag:yaml.org,2002:timestamp"


def _scalar(node, loader, tags, expected):
    if not isinstance(node, yaml.ScalarNode) or node.tag not in tags:
        raise _Invalid(node, f"cần {expected}, nhận được {_describe(node)}.")
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, yaml.YAMLError) as exc:
        raise _Invalid(node, f"cần {expected}, nhận được {node.value!r}.") from exc


def _describe(node):
    if isinstance(node, yaml.MappingNode):
        return "một bảng khóa: giá trị"
    if isinstance(node, yaml.SequenceNode):
        return "một danh sách"
    kind = {_INT: "số nguyên", _BOOL: "giá trị đúng/sai", _STR: "chuỗi", _FLOAT: "số thập phân",
            _NULL: "giá trị rỗng", _DATE: "ngày"}.get(node.tag, "giá trị khác")
    return f"{kind} {node.value!r}" if node.tag != _NULL else kind


def _pairs(node, loader):
    """The (key, key node, value node) of a mapping; duplicate keys are refused (PyYAML
    would silently keep the last one, hiding a secretariat's typo)."""
    if not isinstance(node, yaml.MappingNode):
        raise _Invalid(node, f"cần một bảng khóa: giá trị, nhận được {_describe(node)}.")
    seen = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
            raise _Invalid(key_node, f"tên khóa phải là chuỗi, nhận được {_describe(key_node)}.")
        key = key_node.value
        if key in seen:
            raise _Invalid(key_node, f"khóa {key!r} bị lặp (đã có ở dòng {seen[key]}).")
        seen[key] = key_node.start_mark.line + 1
        yield key, key_node, value_node


class Spec:
    expected = "giá trị"

    def parse(self, node, loader):  # pragma: no cover - abstract
        raise NotImplementedError


class Int(Spec):
    def __init__(self, minimum=0, maximum=None):
        self.minimum, self.maximum = minimum, maximum
        self.expected = "số nguyên"

    def parse(self, node, loader):
        value = _scalar(node, loader, {_INT}, "số nguyên")
        if value < self.minimum or (self.maximum is not None and value > self.maximum):
            bound = (f"từ {self.minimum} đến {self.maximum}" if self.maximum is not None
                     else f"từ {self.minimum} trở lên")
            raise _Invalid(node, f"số {value} nằm ngoài khoảng cho phép ({bound}).")
        return value


class Bool(Spec):
    expected = "true hoặc false"

    def parse(self, node, loader):
        return _scalar(node, loader, {_BOOL}, self.expected)


class Str(Spec):
    expected = "chuỗi"

    def parse(self, node, loader):
        value = _scalar(node, loader, {_STR}, "chuỗi")
        if not value.strip():
            raise _Invalid(node, "chuỗi không được để trống.")
        return value.strip()


class Date(Spec):
    expected = "ngày dạng YYYY-MM-DD"

    def parse(self, node, loader):
        value = _scalar(node, loader, {_DATE}, self.expected)
        if isinstance(value, datetime.datetime):
            raise _Invalid(node, "chỉ ghi ngày (YYYY-MM-DD), không ghi giờ.")
        return value


class Optional(Spec):
    def __init__(self, spec):
        self.spec = spec
        self.expected = f"{spec.expected} hoặc để trống"

    def parse(self, node, loader):
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            return None
        return self.spec.parse(node, loader)


class Choice(Spec):
    def __init__(self, options):
        self.options = list(options)
        self.expected = "một trong " + ", ".join(self.options)

    def parse(self, node, loader):
        value = _scalar(node, loader, {_STR}, self.expected)
        if value not in self.options:
            raise _Invalid(node, f"giá trị {value!r} không hợp lệ; cần {self.expected}.")
        return value


_FRACTION = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_PERCENT = re.compile(r"^\s*(\d+)\s*%\s*$")


class Share(Spec):
    """A share of a whole, written "2/3", "70/100" or "70%", kept as an exact Fraction."""

    expected = 'một phân số như "2/3" hoặc "70/100"'

    def parse(self, node, loader):
        text = _scalar(node, loader, {_STR, _INT}, self.expected)
        text = str(text)
        if match := _FRACTION.match(text):
            num, den = int(match[1]), int(match[2])
        elif match := _PERCENT.match(text):
            num, den = int(match[1]), 100
        elif text.strip() == "1":
            num, den = 1, 1
        else:
            raise _Invalid(node, f"cần {self.expected}, nhận được {text!r}.")
        if den == 0 or num == 0 or num > den:
            raise _Invalid(node, f"phân số {text!r} phải lớn hơn 0 và không quá 1.")
        return Fraction(num, den)


class Points(Spec):
    """Points as an exact decimal: an integer or a string such as "7.5" (not a YAML
    float, which would pass through binary floating point)."""

    expected = 'số điểm (số nguyên hoặc chuỗi như "7.5")'

    def parse(self, node, loader):
        value = _scalar(node, loader, {_INT, _STR}, self.expected)
        try:
            points = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation as exc:
            raise _Invalid(node, f"cần {self.expected}, nhận được {value!r}.") from exc
        if not points.is_finite() or points < 0 or points != points.quantize(Decimal("0.01")):
            raise _Invalid(node, "số điểm phải không âm, tối đa hai chữ số thập phân.")
        return points


class ListOf(Spec):
    def __init__(self, item, min_len=0, unique=False):
        self.item, self.min_len, self.unique = item, min_len, unique
        self.expected = f"danh sách {item.expected}"

    def parse(self, node, loader):
        if not isinstance(node, yaml.SequenceNode):
            raise _Invalid(node, f"cần một danh sách, nhận được {_describe(node)}.")
        values = [self.item.parse(item, loader) for item in node.value]
        if len(values) < self.min_len:
            raise _Invalid(node, f"danh sách cần ít nhất {self.min_len} mục.")
        if self.unique:
            for i, value in enumerate(values):
                if value in values[:i]:
                    raise _Invalid(node.value[i], f"mục {value!r} bị lặp trong danh sách.")
        return tuple(values)


class Struct(Spec):
    """A mapping with known fields; `build` turns the checked dict into a value and may
    raise _Invalid for a rule across fields."""

    def __init__(self, fields, build=None, optional=()):
        self.fields, self.optional = fields, set(optional)
        self.build = build or (lambda values, node: values)
        self.expected = "bảng gồm " + ", ".join(fields)

    def parse(self, node, loader):
        values = {}
        for key, key_node, value_node in _pairs(node, loader):
            if key not in self.fields:
                raise _Invalid(key_node, f"khóa {key!r} không được biết; các khóa hợp lệ: "
                                         + ", ".join(self.fields) + ".")
            values[key] = self.fields[key].parse(value_node, loader)
        missing = [k for k in self.fields if k not in values and k not in self.optional]
        if missing:
            raise _Invalid(node, "thiếu khóa " + ", ".join(missing) + ".")
        return self.build(values, node)


class MapOf(Spec):
    def __init__(self, keys, value):
        self.keys, self.value = keys, value
        self.expected = f"bảng {keys.expected}: {value.expected}"

    def parse(self, node, loader):
        result = {}
        for key, key_node, value_node in _pairs(node, loader):
            self.keys.parse(key_node, loader)
            result[key] = self.value.parse(value_node, loader)
        return result


# --- builders for the structured values -------------------------------------------------

def _fraction_rule(values, node):
    return FractionRule(values["comparison"], values["fraction"])


def _brackets(values, node):
    brackets = [Bracket(v["min_members"], v.get("max_members"), v["quota"]) for v in values]
    expected_min = 1
    for i, bracket in enumerate(brackets):
        item = node.value[i]
        if bracket.min_members != expected_min:
            raise _Invalid(item, f"mức này phải bắt đầu từ {expected_min} thành viên "
                                 f"(các mức phải liền nhau, bắt đầu từ 1, không chồng lấn).")
        if bracket.max_members is None:
            if i != len(brackets) - 1:
                raise _Invalid(item, "chỉ mức cuối cùng được để trống max_members.")
            break
        if bracket.max_members < bracket.min_members:
            raise _Invalid(item, "max_members nhỏ hơn min_members.")
        expected_min = bracket.max_members + 1
    else:
        raise _Invalid(node, "mức cuối cùng phải để trống max_members (áp dụng cho mọi khối "
                             "lớn hơn).")
    return Brackets(tuple(brackets))


class QuotaBySize(Spec):
    """RULES.md 24: one number for every bloc ("1"), or brackets by bloc size like rules
    25–26 (a province may give a 10-member bloc no Government-flag candidate)."""

    expected = "số nguyên, hoặc danh sách mức chỉ tiêu theo số thành viên"

    def parse(self, node, loader):
        if isinstance(node, yaml.ScalarNode):
            return Brackets((Bracket(1, None, Int(0).parse(node, loader)),))
        return BracketList().parse(node, loader)


class BracketList(Spec):
    expected = "danh sách mức chỉ tiêu theo số thành viên"

    def __init__(self):
        self.items = ListOf(Struct(
            {"min_members": Int(1), "max_members": Optional(Int(1)), "quota": Int(0)},
            optional=("max_members",)), min_len=1)

    def parse(self, node, loader):
        return _brackets(list(self.items.parse(node, loader)), node)


def _legal_basis(values, node):
    basis = LegalBasis(values["title"], values["number"], values.get("issued"),
                       values["effective_from"], values.get("effective_to"))
    if basis.effective_to is not None and basis.effective_to < basis.effective_from:
        raise _Invalid(node, "effective_to trước effective_from.")
    if basis.issued is not None and basis.effective_from < basis.issued:
        raise _Invalid(node, "effective_from trước ngày ban hành (issued).")
    return basis


LEGAL_BASES = ListOf(Struct(
    {"title": Str(), "number": Str(), "issued": Optional(Date()), "effective_from": Date(),
     "effective_to": Optional(Date())},
    build=_legal_basis, optional=("issued", "effective_to")))


_TIE_BREAK = re.compile(r"^(section:\S+|fewer_penalty|vote)$")


class TieBreakChain(Spec):
    expected = 'danh sách các tiêu chí "section:<mã nhóm>", "fewer_penalty", "vote"'

    def parse(self, node, loader):
        items = ListOf(Str(), unique=True).parse(node, loader)
        for i, item in enumerate(items):
            if not _TIE_BREAK.match(item):
                raise _Invalid(node.value[i], f"tiêu chí phá hòa {item!r} không hợp lệ; cần "
                                              f"{self.expected}.")
            if item == "vote" and i != len(items) - 1:
                raise _Invalid(node.value[i], '"vote" (bỏ phiếu) phải là tiêu chí cuối cùng.')
        return items


class ExcessOrder(Spec):
    expected = 'danh sách từ "votes", "score", kết thúc bằng "run_off"'

    def parse(self, node, loader):
        items = ListOf(Choice(["votes", "score", "run_off"]), min_len=1,
                       unique=True).parse(node, loader)
        if items[-1] != "run_off":
            # RULES.md 32: whatever the order, a tie left at the end goes to a run-off.
            raise _Invalid(node, '"run_off" (bỏ phiếu lại) phải là bước cuối cùng.')
        return items


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
        Struct({"month": Int(1, 12), "day": Int(1, 31)}, build=lambda v, n: _month_day(v, n)),
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
    "eligibility.government_flag_leading_rank": SettingSpec(
        Int(1, 3), (20,),
        "Cờ thi đua của Chính phủ: đơn vị phải dẫn đầu khối (xếp hạng không thấp hơn)"),
    "eligibility.excellent_collective": SettingSpec(
        Struct({"min_task_rating": Choice(Rating.values),
                "members_completed": Struct({"comparison": Choice(["at_least", "more_than"]),
                                             "fraction": Share()}, build=_fraction_rule),
                "advanced_workers": Struct({"comparison": Choice(["at_least", "more_than"]),
                                            "fraction": Share()}, build=_fraction_rule),
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
               build=lambda v, n: ProvinceCap(v["fraction"], v["rounding"],
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
               build=_fraction_rule), (28,), "Số đơn vị có mặt tối thiểu để biểu quyết"),
    "voting.vote_per": SettingSpec(
        Choice(["unit", "delegate"]), (29,), "Mỗi đơn vị một phiếu, hay mỗi đại biểu một phiếu"),
    "voting.secret_ballot_forms": SettingSpec(
        ListOf(FORMS, min_len=1, unique=True), (30,), "Các hình thức bình xét bằng phiếu kín"),
    "voting.threshold": SettingSpec(
        Struct({"comparison": Choice(["at_least", "more_than"]), "fraction": Share()},
               build=_fraction_rule), (31,), "Ngưỡng phiếu đồng ý để được đề nghị"),
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
                             build=lambda v, n: DossierForm(v["name"], v.get("number")))
                for kind in DOSSIER_FORMS}),
        (41,), "Mẫu văn bản của hồ sơ đề nghị khen thưởng theo văn bản hiện hành",
        national_only=True),
    "documents.provincial_legal_bases": SettingSpec(
        LEGAL_BASES, (), "Căn cứ pháp lý của tỉnh ghi trên văn bản", default=(),
        required=False),
}


def _month_day(values, node):
    try:
        datetime.date(2024, values["month"], values["day"])  # 2024: a leap year allows 29/2
    except ValueError as exc:
        raise _Invalid(node, f"ngày {values['day']}/{values['month']} không có thật.") from exc
    return (values["month"], values["day"])


_HEADER = Struct(
    {"code": Str(), "title": Str(), "scope": Choice(["national", "province"]),
     "province": Optional(Str()), "effective_from": Date(), "effective_to": Optional(Date())},
    optional=("province", "effective_to"))
_CITATION = Struct({"text": Str(), "article": Optional(Str()), "by_form": MapOf(FORMS, Str())},
                   optional=("article", "by_form"))
_ENTRY_FIELDS = ("value", "tag", "citation", "note", "open_point")


# --- reading one file -------------------------------------------------------------------

def parse_rulebook(text: str, file: str) -> RulebookFile:
    """Parse and check one rulebook file; RulebookError lists every problem with its line."""
    problems = []
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise RulebookError([Problem(file, line, "không đọc được YAML: "
                                     f"{exc.problem or exc.context}.")]) from exc
    except yaml.YAMLError as exc:
        raise RulebookError([Problem(file, 1, f"không đọc được YAML: {exc}.")]) from exc
    finally:
        loader.dispose()
    if root is None:
        raise RulebookError([Problem(file, 1, "tệp rỗng.")])

    header, header_line, settings_node = None, 1, None
    try:
        for key, key_node, value_node in _pairs(root, loader):
            if key == "rulebook":
                header = _HEADER.parse(value_node, loader)
                header_line = _field_line(value_node, "effective_from", key_node)
            elif key == "settings":
                settings_node = value_node
            else:
                problems.append(Problem(file, key_node.start_mark.line + 1,
                                        f"khóa {key!r} không được biết; tệp chỉ gồm "
                                        "'rulebook' và 'settings'."))
    except _Invalid as exc:
        raise RulebookError([Problem(file, exc.line, str(exc))]) from exc
    if header is None:
        problems.append(Problem(file, 1, "thiếu phần 'rulebook' (mã, tên, phạm vi, hiệu lực)."))
    if settings_node is None:
        problems.append(Problem(file, 1, "thiếu phần 'settings'."))
    if problems:
        raise RulebookError(problems)

    scope, province = header["scope"], header.get("province")
    if scope == "province" and not province:
        problems.append(Problem(file, header_line, "bộ quy tắc của tỉnh phải ghi 'province'."))
    if scope == "national" and province:
        problems.append(Problem(file, header_line,
                                "bộ quy tắc quốc gia không ghi 'province'."))
    if header.get("effective_to") and header["effective_to"] < header["effective_from"]:
        problems.append(Problem(file, header_line, "effective_to trước effective_from."))

    settings = {}
    try:
        pairs = list(_pairs(settings_node, loader))
    except _Invalid as exc:
        raise RulebookError([*problems, Problem(file, exc.line, str(exc))]) from exc
    for key, key_node, entry_node in pairs:
        line = key_node.start_mark.line + 1
        spec = SETTINGS.get(key)
        if spec is None:
            problems.append(Problem(file, line, f"thiết lập {key!r} không được biết."))
            continue
        if scope == "province" and spec.national_only:
            problems.append(Problem(file, line, f"thiết lập {key!r} do luật quy định; bộ quy "
                                                "tắc của tỉnh không được thay đổi."))
            continue
        try:
            settings[key] = _setting(key, spec, entry_node, loader,
                                     Source(file, line, header["code"]))
        except _Invalid as exc:
            problems.append(Problem(file, exc.line, f"{key}: {exc}"))
    if scope == "national" and not problems:
        missing = [k for k, s in SETTINGS.items() if s.required and k not in settings]
        if missing:
            problems.append(Problem(file, settings_node.start_mark.line + 1,
                                    "bộ quy tắc quốc gia phải có đủ các thiết lập; còn thiếu: "
                                    + ", ".join(missing) + "."))
    if problems:
        raise RulebookError(problems)
    if scope == "national":
        for key, spec in SETTINGS.items():
            if key not in settings:  # optional settings with a stated default
                settings[key] = Setting(key, spec.default, Citation("(mặc định)"),
                                        Source(file, 0, header["code"]), spec.rules)
    return RulebookFile(
        code=header["code"], title=header["title"], scope=scope,
        province=province.upper() if province else None,
        effective_from=header["effective_from"], effective_to=header.get("effective_to"),
        file=file, line=header_line, settings=settings)


def _field_line(mapping_node, field, default_node):
    for key_node, _value in mapping_node.value:
        if getattr(key_node, "value", None) == field:
            return key_node.start_mark.line + 1
    return default_node.start_mark.line + 1


def _setting(key, spec, node, loader, source):
    entry = {}
    for field, field_node, value_node in _pairs(node, loader):
        if field not in _ENTRY_FIELDS:
            raise _Invalid(field_node, f"khóa {field!r} không được biết; mỗi thiết lập gồm "
                                       + ", ".join(_ENTRY_FIELDS) + ".")
        entry[field] = (field_node, value_node)
    for field in ("value", "tag", "citation"):
        if field not in entry:
            raise _Invalid(node, f"thiếu {field!r} (mỗi thiết lập ghi giá trị, loại "
                                 "căn cứ và trích dẫn).")
    value = spec.spec.parse(entry["value"][1], loader)
    tag = Choice(list(TAGS)).parse(entry["tag"][1], loader)
    citation = _CITATION.parse(entry["citation"][1], loader)
    note = Str().parse(entry["note"][1], loader) if "note" in entry else ""
    open_point = Str().parse(entry["open_point"][1], loader) if "open_point" in entry else ""
    by_form = tuple(sorted(citation.get("by_form", {}).items()))
    return Setting(key, value,
                   Citation(citation["text"], citation.get("article") or "", tag, by_form),
                   source, spec.rules, note, open_point)


def load_rulebook_file(path: Path) -> RulebookFile:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RulebookError([Problem(path.name, 1, "tệp không phải UTF-8.")]) from exc
    return parse_rulebook(text, path.name)


# --- the set of files -------------------------------------------------------------------

@dataclass(frozen=True)
class Library:
    files: tuple  # RulebookFile, every one checked, no two overlapping in scope

    def national_on(self, on: datetime.date) -> RulebookFile:
        for book in self.files:
            if book.scope == "national" and book.in_force(on):
                return book
        raise RulebookNotFound(
            f"Không có bộ quy tắc quốc gia có hiệu lực ngày {on:%d/%m/%Y}: ngày này nằm "
            "ngoài các giai đoạn pháp luật mà hệ thống có. Các bộ quy tắc quốc gia hiện có: "
            + "; ".join(self.national_periods()) + ". Hãy chọn một ngày trong các giai "
            "đoạn này.")

    def national_periods(self) -> list[str]:
        """"15/09/2017 – 31/12/2023 (title)", one per national book, oldest first."""
        books = sorted((b for b in self.files if b.scope == "national"),
                       key=lambda b: b.effective_from)
        return [f"{b.period()} ({b.title})" for b in books]

    def provincial_on(self, province_code: str, on: datetime.date) -> RulebookFile | None:
        code = province_code.upper()
        for book in self.files:
            if book.scope == "province" and book.province == code and book.in_force(on):
                return book
        return None

    def rulebook_for(self, province_code: str, on_date: datetime.date) -> Rulebook:
        national = self.national_on(on_date)
        provincial = self.provincial_on(province_code, on_date)
        settings = dict(national.settings)
        if provincial is not None:
            settings.update(provincial.settings)
        return Rulebook(province_code.upper(), on_date, national, provincial, settings)


def overlap_problems(files) -> list[Problem]:
    """Two books of the same scope (national, or one province) in force on the same day
    would make the choice arbitrary: refused, naming both files."""
    problems = []
    groups = defaultdict(list)
    for book in files:
        groups[(book.scope, book.province)].append(book)
    for books in groups.values():
        books.sort(key=lambda b: b.effective_from)
        for i, first in enumerate(books):
            for second in books[i + 1:]:
                if first.effective_to is None or second.effective_from <= first.effective_to:
                    problems.append(Problem(
                        second.file, second.line,
                        f"thời gian hiệu lực ({second.period()}) chồng lên bộ quy tắc "
                        f"{first.file}, dòng {first.line} ({first.period()})."))
    return problems


def load_library(directory: Path = RULEBOOK_DIR) -> Library:
    problems, files = [], []
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            files.append(load_rulebook_file(path))
        except RulebookError as exc:
            problems.extend(exc.problems)
    codes = defaultdict(list)
    for book in files:
        codes[book.code].append(book)
    for code, books in codes.items():
        for book in books[1:]:
            problems.append(Problem(book.file, book.line,
                                    f"mã bộ quy tắc {code!r} trùng với {books[0].file}."))
    problems.extend(overlap_problems(files))
    if problems:
        raise RulebookError(problems)
    return Library(tuple(files))


@lru_cache(maxsize=1)
def shipped_library() -> Library:
    """The rulebooks shipped in law/rulebooks/, read once per process."""
    return load_library(RULEBOOK_DIR)


def rulebook_for(province_code: str, on_date: datetime.date, library: Library | None = None
                 ) -> Rulebook:
    """The rules in force for a province on a date (see the module docstring for which
    date to pass: the conference's date for proposals, the document's date for căn cứ)."""
    return (library or shipped_library()).rulebook_for(province_code, on_date)


def registration_deadline(province_code: str, year: int, library: Library | None = None
                          ) -> datetime.date:
    """RULES.md 7: the deadline of the emulation year `year`, from the rulebook in force
    when that year's registration opens (1 January)."""
    book = rulebook_for(province_code, datetime.date(year, 1, 1), library)
    month, day = book.value("registration.deadline")
    if (month, day) == (2, 29) and not _leap(year):
        day = 28  # a 29 February deadline falls on the last day of February
    return datetime.date(year, month, day)


def _leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
