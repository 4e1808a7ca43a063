"""Value specs: the schema of a rulebook's values, validated by pydantic.

Each spec names a pydantic type (`annotation`): leaves check a YAML scalar (`Int`, `Str`,
`Share`…), `Struct` is a pydantic model (known keys, the missing ones, a value built from
the checked fields), `ListOf` and `MapOf` are pydantic lists and dicts. `parse` reads a
YAML node into plain Python (keeping each value's node), validates it, and turns the
first error into `Invalid`: a Vietnamese sentence with the line of the value it is about,
so a secretariat can fix the file it edited.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    PlainValidator,
    Tag,
    TypeAdapter,
    ValidationError,
    create_model,
)
from pydantic_core import PydanticCustomError

from thidua.law.rulebook import (
    Bracket,
    Brackets,
    FractionRule,
    LegalBasis,
)


class Invalid(Exception):
    def __init__(self, node, message):
        self.line = node.start_mark.line + 1 if node is not None else 1
        self.index = node.start_mark.index if node is not None else 0
        super().__init__(message)


class Refusal(Exception):
    """A value refused by a spec's check: `message`, about the item `index` of a list
    (None: the value itself)."""

    def __init__(self, message, index=None):
        self.index = index
        super().__init__(message)


_INT, _BOOL, _STR = "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:str"
_FLOAT, _NULL = "tag:yaml.org,2002:float", "tag:yaml.org,2002:null"
_DATE = "tag:yaml.org,2002:timestamp"


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


# --- from YAML nodes to plain values, each path remembering its node ----------------------

class _Unreadable:
    """A scalar YAML could not construct (a date such as 2024-13-01): no spec accepts it."""


class _Located:
    def __init__(self):
        self.nodes, self.key_nodes = {}, {}  # path → the value's node, the key's node
        self.unreadable = set()  # paths of the scalars YAML could not construct
        self.refused = None  # the first key refused while reading (Invalid)

    def read(self, node, loader, path=()):
        self.nodes[path] = node
        if isinstance(node, yaml.MappingNode):
            values = {}
            try:
                for key, key_node, value_node in mapping_pairs(node, loader):
                    self.key_nodes[(*path, key)] = key_node
                    values[key] = self.read(value_node, loader, (*path, key))
            except Invalid as exc:  # a duplicate key: reported unless something before it is
                self.refused = self.refused or exc
            return values
        if isinstance(node, yaml.SequenceNode):
            return [self.read(item, loader, (*path, i)) for i, item in enumerate(node.value)]
        try:
            return loader.construct_object(node, deep=True)
        except (ValueError, yaml.YAMLError):
            self.unreadable.add(path)
            return _Unreadable()

    def node(self, path):
        """The node an error at `path` is about: a dict key's own node for "[key]", else the
        deepest node known along the path."""
        path = tuple(p for p in path if not (isinstance(p, str) and p.startswith("§")))
        if path and path[-1] == "[key]":
            return self.key_nodes.get(path[:-1]) or self.node(path[:-1])
        while path not in self.nodes:
            path = path[:-1]
        return self.nodes[path]


def _problems(errors, located) -> list:
    """(position, node or Invalid, Vietnamese sentence) of each pydantic error; a struct's
    missing keys make one sentence, placed after its present keys (they are read first)."""
    problems, missing = [], {}
    for error in errors:
        path = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("§")))
        if error["type"] == "missing":
            missing.setdefault(path[:-1], []).append(path[-1])
            continue
        ctx = error.get("ctx") or {}
        if ctx.get("index") is not None:
            path = (*path, ctx["index"])
        node = located.node(path)
        if ctx.get("known") is not None:
            node = located.key_nodes[path]
            message = (f"khóa {path[-1]!r} không được biết; các khóa hợp lệ: "
                       f"{ctx['known']}.")
        elif ctx.get("expected"):
            shown = (repr(node.value) if ctx.get("raw") and path in located.unreadable
                     else _describe(node))
            message = f"cần {ctx['expected']}, nhận được {shown}."
        else:
            message = ctx.get("message") or error["msg"]
        problems.append(((node.start_mark.index, 1), node, message))
    for path, keys in missing.items():
        node = located.node(path)
        problems.append(((node.end_mark.index, 0), node, "thiếu khóa " + ", ".join(keys) + "."))
    return problems


def _refuse(message="", *, expected=None, index=None, known=None, raw=False):
    """A pydantic error carrying a Vietnamese sentence — or, with `expected`, the kind of
    value wanted (the sentence names what was found; `raw`: a value YAML could not read
    is shown as written, a date such as 2024-13-01), or, with `known`, an unknown key
    and the keys the mapping takes."""
    return PydanticCustomError("thidua", "{message}", {
        "message": message, "expected": expected, "index": index, "known": known,
        "raw": raw})


def _checked(check):
    """A pydantic validator from `check(value)`, which raises Refusal."""
    def validate(value):
        try:
            return check(value)
        except Refusal as exc:
            raise _refuse(str(exc), index=exc.index) from exc
    return validate


class Spec:
    expected = "giá trị"
    annotation: Any = object
    _adapter = None

    def parse(self, node, loader):
        located = _Located()
        value = located.read(node, loader)
        if self._adapter is None:
            self._adapter = TypeAdapter(self.annotation)
        try:
            checked = self._adapter.validate_python(value)
        except ValidationError as exc:
            problems = _problems(exc.errors(), located)
            if located.refused is not None:
                problems.append(((located.refused.index, 1), located.refused, None))
            _, where, message = min(problems, key=lambda p: p[0])
            if message is None:
                raise located.refused from exc
            raise Invalid(where, message) from exc
        if located.refused is not None:
            raise located.refused
        return checked


# --- leaves: one YAML scalar each ----------------------------------------------------------

class _Leaf(Spec):
    def check(self, value):  # pragma: no cover - abstract
        raise NotImplementedError

    def type_error(self):
        return _refuse(expected=self.expected)

    @property
    def annotation(self):
        return Annotated[Any, PlainValidator(self._validate)]

    def _validate(self, value):
        try:
            return self.check(value)
        except Refusal as exc:
            raise _refuse(str(exc)) from exc


def _is(value, *types):
    return isinstance(value, types) and not (bool not in types and isinstance(value, bool))


class Int(_Leaf):
    def __init__(self, minimum=0, maximum=None):
        self.minimum, self.maximum = minimum, maximum
        self.expected = "số nguyên"

    def check(self, value):
        if not _is(value, int):
            raise self.type_error()
        if value < self.minimum or (self.maximum is not None and value > self.maximum):
            bound = (f"từ {self.minimum} đến {self.maximum}" if self.maximum is not None
                     else f"từ {self.minimum} trở lên")
            raise Refusal(f"số {value} nằm ngoài khoảng cho phép ({bound}).")
        return value


class Bool(_Leaf):
    expected = "true hoặc false"

    def check(self, value):
        if not isinstance(value, bool):
            raise self.type_error()
        return value


class Str(_Leaf):
    expected = "chuỗi"

    def check(self, value):
        if not isinstance(value, str):
            raise self.type_error()
        if not value.strip():
            raise Refusal("chuỗi không được để trống.")
        return value.strip()


class Date(_Leaf):
    expected = "ngày dạng YYYY-MM-DD"

    def type_error(self):
        return _refuse(expected=self.expected, raw=True)

    def check(self, value):
        if not isinstance(value, datetime.date):
            raise self.type_error()
        if isinstance(value, datetime.datetime):
            raise Refusal("chỉ ghi ngày (YYYY-MM-DD), không ghi giờ.")
        return value


class Optional(_Leaf):
    def __init__(self, spec):
        self.spec = spec
        self.expected = f"{spec.expected} hoặc để trống"

    def check(self, value):
        return None if value is None else self.spec.check(value)

    def type_error(self):  # pragma: no cover - the inner spec refuses
        return self.spec.type_error()


class Choice(_Leaf):
    def __init__(self, options):
        self.options = list(options)
        self.expected = "một trong " + ", ".join(self.options)

    def check(self, value):
        if not isinstance(value, str):
            raise self.type_error()
        if value not in self.options:
            raise Refusal(f"giá trị {value!r} không hợp lệ; cần {self.expected}.")
        return value


_FRACTION = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_PERCENT = re.compile(r"^\s*(\d+)\s*%\s*$")


class Share(_Leaf):
    """A share of a whole, written "2/3", "70/100" or "70%", kept as an exact Fraction."""

    expected = 'một phân số như "2/3" hoặc "70/100"'

    def check(self, value):
        if not _is(value, str, int):
            raise self.type_error()
        text = str(value)
        if match := _FRACTION.match(text):
            num, den = int(match[1]), int(match[2])
        elif match := _PERCENT.match(text):
            num, den = int(match[1]), 100
        elif text.strip() == "1":
            num, den = 1, 1
        else:
            raise Refusal(f"cần {self.expected}, nhận được {text!r}.")
        if den == 0 or num == 0 or num > den:
            raise Refusal(f"phân số {text!r} phải lớn hơn 0 và không quá 1.")
        return Fraction(num, den)


class Points(_Leaf):
    """Points as an exact decimal: an integer or a string such as "7.5" (not a YAML
    float, which would pass through binary floating point)."""

    expected = 'số điểm (số nguyên hoặc chuỗi như "7.5")'

    def check(self, value):
        if not _is(value, int, str):
            raise self.type_error()
        try:
            points = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation as exc:
            raise Refusal(f"cần {self.expected}, nhận được {value!r}.") from exc
        if not points.is_finite() or points < 0 or points != points.quantize(Decimal("0.01")):
            raise Refusal("số điểm phải không âm, tối đa hai chữ số thập phân.")
        return points


# --- containers: pydantic lists, dicts and models -----------------------------------------

def _require(kind, expected):
    def validate(value):
        if not isinstance(value, kind):
            raise _refuse(expected=expected)
        return value
    return BeforeValidator(validate)


class ListOf(Spec):
    def __init__(self, item, min_len=0, unique=False):
        self.item, self.min_len, self.unique = item, min_len, unique
        self.expected = f"danh sách {item.expected}"

    def check(self, values):
        if len(values) < self.min_len:
            raise Refusal(f"danh sách cần ít nhất {self.min_len} mục.")
        if self.unique:
            for i, value in enumerate(values):
                if value in values[:i]:
                    raise Refusal(f"mục {value!r} bị lặp trong danh sách.", index=i)
        return tuple(values)

    @property
    def annotation(self):
        return Annotated[list[self.item.annotation], _require(list, "một danh sách"),
                         AfterValidator(_checked(self.check))]


class Struct(Spec):
    """A mapping with known fields — a pydantic model (required fields, optional ones, an
    unknown key refused where it stands); `build` turns the checked fields (those
    present) into a value and may raise Refusal for a rule across fields."""

    def __init__(self, fields, build=None, optional=()):
        self.fields, self.optional = fields, set(optional)
        self.build = build or (lambda values: values)
        self.expected = "bảng gồm " + ", ".join(fields)
        self.model = create_model(
            "Struct", __base__=_struct_base(", ".join(fields)),
            **{name: (spec.annotation, None if name in self.optional else ...)
               for name, spec in fields.items()})

    def built(self, model):
        values = {name: getattr(model, name) for name in self.fields
                  if name in model.model_fields_set}
        return self.build(values)

    @property
    def annotation(self):
        return Annotated[self.model, _require(dict, "một bảng khóa: giá trị"),
                         AfterValidator(_checked(self.built))]


def _struct_base(known: str):
    def unknown(value):
        raise _refuse(known=known)

    class StructBase(BaseModel):
        model_config = ConfigDict(extra="allow", arbitrary_types_allowed=True)
        __pydantic_extra__: dict[str, Annotated[Any, PlainValidator(unknown)]]

    return StructBase


class MapOf(Spec):
    def __init__(self, keys, value):
        self.keys, self.value = keys, value
        self.expected = f"bảng {keys.expected}: {value.expected}"

    @property
    def annotation(self):
        return Annotated[dict[self.keys.annotation, self.value.annotation],
                         _require(dict, "một bảng khóa: giá trị"), AfterValidator(dict)]


# --- builders for the structured values -------------------------------------------------

def fraction_rule(values):
    return FractionRule(values["comparison"], values["fraction"])


def _brackets(values):
    brackets = [Bracket(v["min_members"], v.get("max_members"), v["quota"]) for v in values]
    expected_min = 1
    for i, bracket in enumerate(brackets):
        if bracket.min_members != expected_min:
            raise Refusal(f"mức này phải bắt đầu từ {expected_min} thành viên "
                          f"(các mức phải liền nhau, bắt đầu từ 1, không chồng lấn).", index=i)
        if bracket.max_members is None:
            if i != len(brackets) - 1:
                raise Refusal("chỉ mức cuối cùng được để trống max_members.", index=i)
            break
        if bracket.max_members < bracket.min_members:
            raise Refusal("max_members nhỏ hơn min_members.", index=i)
        expected_min = bracket.max_members + 1
    else:
        raise Refusal("mức cuối cùng phải để trống max_members (áp dụng cho mọi khối "
                      "lớn hơn).")
    return Brackets(tuple(brackets))


class BracketList(Spec):
    expected = "danh sách mức chỉ tiêu theo số thành viên"

    def __init__(self):
        self.items = ListOf(Struct(
            {"min_members": Int(1), "max_members": Optional(Int(1)), "quota": Int(0)},
            optional=("max_members",)), min_len=1)

    @property
    def annotation(self):
        return Annotated[self.items.annotation, AfterValidator(_checked(_brackets))]


class QuotaBySize(Spec):
    """RULES.md 24: one number for every bloc ("1"), or brackets by bloc size like rules
    25–26 (a province may give a 10-member bloc no Government-flag candidate)."""

    expected = "số nguyên, hoặc danh sách mức chỉ tiêu theo số thành viên"

    @property
    def annotation(self):
        one = Annotated[Int(0).annotation,
                        AfterValidator(lambda quota: Brackets((Bracket(1, None, quota),)))]
        return Annotated[
            Annotated[one, Tag("§one")] | Annotated[BracketList().annotation, Tag("§list")],
            Discriminator(lambda value: "§list" if isinstance(value, list | dict) else "§one")]


def _legal_basis(values):
    basis = LegalBasis(values["title"], values["number"], values.get("issued"),
                       values["effective_from"], values.get("effective_to"))
    if basis.effective_to is not None and basis.effective_to < basis.effective_from:
        raise Refusal("effective_to trước effective_from.")
    if basis.issued is not None and basis.effective_from < basis.issued:
        raise Refusal("effective_from trước ngày ban hành (issued).")
    return basis


LEGAL_BASES = ListOf(Struct(
    {"title": Str(), "number": Str(), "issued": Optional(Date()), "effective_from": Date(),
     "effective_to": Optional(Date())},
    build=_legal_basis, optional=("issued", "effective_to")))


_TIE_BREAK = re.compile(r"^(section:\S+|fewer_penalty|vote)$")


class TieBreakChain(Spec):
    expected = 'danh sách các tiêu chí "section:<mã nhóm>", "fewer_penalty", "vote"'

    def check(self, items):
        for i, item in enumerate(items):
            if not _TIE_BREAK.match(item):
                raise Refusal(f"tiêu chí phá hòa {item!r} không hợp lệ; cần "
                              f"{self.expected}.", index=i)
            if item == "vote" and i != len(items) - 1:
                raise Refusal('"vote" (bỏ phiếu) phải là tiêu chí cuối cùng.', index=i)
        return items

    @property
    def annotation(self):
        return Annotated[ListOf(Str(), unique=True).annotation,
                         AfterValidator(_checked(self.check))]


class ExcessOrder(Spec):
    expected = 'danh sách từ "votes", "score", kết thúc bằng "run_off"'

    @staticmethod
    def check(items):
        if items[-1] != "run_off":
            # RULES.md 32: whatever the order, a tie left at the end goes to a run-off.
            raise Refusal('"run_off" (bỏ phiếu lại) phải là bước cuối cùng.')
        return items

    @property
    def annotation(self):
        return Annotated[ListOf(Choice(["votes", "score", "run_off"]), min_len=1,
                                unique=True).annotation, AfterValidator(_checked(self.check))]
