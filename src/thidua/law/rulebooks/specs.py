"""Value specs: each turns a YAML node into a checked Python value, or refuses it with
the line and a Vietnamese sentence (Invalid)."""

import datetime
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import yaml

from thidua.law.rulebook import (
    Bracket,
    Brackets,
    FractionRule,
    LegalBasis,
)


class Invalid(Exception):
    def __init__(self, node, message):
        self.line = node.start_mark.line + 1 if node is not None else 1
        super().__init__(message)


# --- value specs: each turns a YAML node into a checked Python value ----------------------

_INT, _BOOL, _STR = "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:str"
_FLOAT, _NULL = "tag:yaml.org,2002:float", "tag:yaml.org,2002:null"
_DATE = "tag:yaml.org,2002:timestamp"


def _scalar(node, loader, tags, expected):
    if not isinstance(node, yaml.ScalarNode) or node.tag not in tags:
        raise Invalid(node, f"cần {expected}, nhận được {_describe(node)}.")
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, yaml.YAMLError) as exc:
        raise Invalid(node, f"cần {expected}, nhận được {node.value!r}.") from exc


def _describe(node):
    if isinstance(node, yaml.MappingNode):
        return "một bảng khóa: giá trị"
    if isinstance(node, yaml.SequenceNode):
        return "một danh sách"
    kind = {_INT: "số nguyên", _BOOL: "giá trị đúng/sai", _STR: "chuỗi", _FLOAT: "số thập phân",
            _NULL: "giá trị rỗng", _DATE: "ngày"}.get(node.tag, "giá trị khác")
    return f"{kind} {node.value!r}" if node.tag != _NULL else kind


def mapping_pairs(node, loader):
    """The (key, key node, value node) of a mapping; duplicate keys are refused (PyYAML
    would silently keep the last one, hiding a secretariat's typo)."""
    if not isinstance(node, yaml.MappingNode):
        raise Invalid(node, f"cần một bảng khóa: giá trị, nhận được {_describe(node)}.")
    seen = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
            raise Invalid(key_node, f"tên khóa phải là chuỗi, nhận được {_describe(key_node)}.")
        key = key_node.value
        if key in seen:
            raise Invalid(key_node, f"khóa {key!r} bị lặp (đã có ở dòng {seen[key]}).")
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
            raise Invalid(node, f"số {value} nằm ngoài khoảng cho phép ({bound}).")
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
            raise Invalid(node, "chuỗi không được để trống.")
        return value.strip()


class Date(Spec):
    expected = "ngày dạng YYYY-MM-DD"

    def parse(self, node, loader):
        value = _scalar(node, loader, {_DATE}, self.expected)
        if isinstance(value, datetime.datetime):
            raise Invalid(node, "chỉ ghi ngày (YYYY-MM-DD), không ghi giờ.")
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
            raise Invalid(node, f"giá trị {value!r} không hợp lệ; cần {self.expected}.")
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
            raise Invalid(node, f"cần {self.expected}, nhận được {text!r}.")
        if den == 0 or num == 0 or num > den:
            raise Invalid(node, f"phân số {text!r} phải lớn hơn 0 và không quá 1.")
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
            raise Invalid(node, f"cần {self.expected}, nhận được {value!r}.") from exc
        if not points.is_finite() or points < 0 or points != points.quantize(Decimal("0.01")):
            raise Invalid(node, "số điểm phải không âm, tối đa hai chữ số thập phân.")
        return points


class ListOf(Spec):
    def __init__(self, item, min_len=0, unique=False):
        self.item, self.min_len, self.unique = item, min_len, unique
        self.expected = f"danh sách {item.expected}"

    def parse(self, node, loader):
        if not isinstance(node, yaml.SequenceNode):
            raise Invalid(node, f"cần một danh sách, nhận được {_describe(node)}.")
        values = [self.item.parse(item, loader) for item in node.value]
        if len(values) < self.min_len:
            raise Invalid(node, f"danh sách cần ít nhất {self.min_len} mục.")
        if self.unique:
            for i, value in enumerate(values):
                if value in values[:i]:
                    raise Invalid(node.value[i], f"mục {value!r} bị lặp trong danh sách.")
        return tuple(values)


class Struct(Spec):
    """A mapping with known fields; `build` turns the checked dict into a value and may
    raise Invalid for a rule across fields."""

    def __init__(self, fields, build=None, optional=()):
        self.fields, self.optional = fields, set(optional)
        self.build = build or (lambda values, node: values)
        self.expected = "bảng gồm " + ", ".join(fields)

    def parse(self, node, loader):
        values = {}
        for key, key_node, value_node in mapping_pairs(node, loader):
            if key not in self.fields:
                raise Invalid(key_node, f"khóa {key!r} không được biết; các khóa hợp lệ: "
                                         + ", ".join(self.fields) + ".")
            values[key] = self.fields[key].parse(value_node, loader)
        missing = [k for k in self.fields if k not in values and k not in self.optional]
        if missing:
            raise Invalid(node, "thiếu khóa " + ", ".join(missing) + ".")
        return self.build(values, node)


class MapOf(Spec):
    def __init__(self, keys, value):
        self.keys, self.value = keys, value
        self.expected = f"bảng {keys.expected}: {value.expected}"

    def parse(self, node, loader):
        result = {}
        for key, key_node, value_node in mapping_pairs(node, loader):
            self.keys.parse(key_node, loader)
            result[key] = self.value.parse(value_node, loader)
        return result


# --- builders for the structured values -------------------------------------------------

def fraction_rule(values, node):
    return FractionRule(values["comparison"], values["fraction"])


def _brackets(values, node):
    brackets = [Bracket(v["min_members"], v.get("max_members"), v["quota"]) for v in values]
    expected_min = 1
    for i, bracket in enumerate(brackets):
        item = node.value[i]
        if bracket.min_members != expected_min:
            raise Invalid(item, f"mức này phải bắt đầu từ {expected_min} thành viên "
                                 f"(các mức phải liền nhau, bắt đầu từ 1, không chồng lấn).")
        if bracket.max_members is None:
            if i != len(brackets) - 1:
                raise Invalid(item, "chỉ mức cuối cùng được để trống max_members.")
            break
        if bracket.max_members < bracket.min_members:
            raise Invalid(item, "max_members nhỏ hơn min_members.")
        expected_min = bracket.max_members + 1
    else:
        raise Invalid(node, "mức cuối cùng phải để trống max_members (áp dụng cho mọi khối "
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
        raise Invalid(node, "effective_to trước effective_from.")
    if basis.issued is not None and basis.effective_from < basis.issued:
        raise Invalid(node, "effective_from trước ngày ban hành (issued).")
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
                raise Invalid(node.value[i], f"tiêu chí phá hòa {item!r} không hợp lệ; cần "
                                              f"{self.expected}.")
            if item == "vote" and i != len(items) - 1:
                raise Invalid(node.value[i], '"vote" (bỏ phiếu) phải là tiêu chí cuối cùng.')
        return items


class ExcessOrder(Spec):
    expected = 'danh sách từ "votes", "score", kết thúc bằng "run_off"'

    def parse(self, node, loader):
        items = ListOf(Choice(["votes", "score", "run_off"]), min_len=1,
                       unique=True).parse(node, loader)
        if items[-1] != "run_off":
            # RULES.md 32: whatever the order, a tie left at the end goes to a run-off.
            raise Invalid(node, '"run_off" (bỏ phiếu lại) phải là bước cuối cùng.')
        return items


