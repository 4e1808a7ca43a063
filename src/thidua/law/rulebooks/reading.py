"""Reading one rulebook file: its header, its settings, each checked against the schema
(law.rulebooks.specs, pydantic); every problem is reported with its line."""

from pathlib import Path

import yaml

from thidua.law.rulebook import (
    TAGS,
    Citation,
    RulebookFile,
    Setting,
    Source,
)
from thidua.law.rulebooks.errors import Problem, RulebookError
from thidua.law.rulebooks.settings import FORMS, SETTINGS
from thidua.law.rulebooks.specs import (
    Choice,
    Date,
    Invalid,
    ListOf,
    MapOf,
    Optional,
    Str,
    Struct,
    mapping_pairs,
)

_HEADER = Struct(
    {"code": Str(), "title": Str(), "scope": Choice(["national", "province"]),
     "province": Optional(Str()), "effective_from": Date(), "effective_to": Optional(Date()),
     "territories": ListOf(Str())},
    optional=("province", "effective_to", "territories"))
_TAG, _TEXT = Choice(list(TAGS)), Str()
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
        for key, key_node, value_node in mapping_pairs(root, loader):
            if key == "rulebook":
                header = _HEADER.parse(value_node, loader)
                header_line = _field_line(value_node, "effective_from", key_node)
            elif key == "settings":
                settings_node = value_node
            else:
                problems.append(Problem(file, key_node.start_mark.line + 1,
                                        f"khóa {key!r} không được biết; tệp chỉ gồm "
                                        "'rulebook' và 'settings'."))
    except Invalid as exc:
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
    territories = tuple(t.upper() for t in header.get("territories") or ())
    if territories and (scope != "province" or (province or "").upper() not in territories):
        problems.append(Problem(file, header_line, "'territories' chỉ dùng cho bộ quy tắc của "
                                "tỉnh và phải gồm chính tỉnh đó (địa bàn các tỉnh cũ mà quy "
                                "định của tỉnh sau hợp nhất áp dụng)."))
    if header.get("effective_to") and header["effective_to"] < header["effective_from"]:
        problems.append(Problem(file, header_line, "effective_to trước effective_from."))

    settings = _settings(file, scope, header["code"], settings_node, loader, problems)
    return RulebookFile(
        code=header["code"], title=header["title"], scope=scope,
        province=province.upper() if province else None,
        effective_from=header["effective_from"], effective_to=header.get("effective_to"),
        file=file, line=header_line, settings=settings, territories=territories)


def _settings(file, scope, code, settings_node, loader, problems) -> dict:
    """Each setting of the file checked (problems added to `problems`, then raised); a
    national book's optional settings it leaves out get their stated default."""
    settings = {}
    try:
        entries = list(mapping_pairs(settings_node, loader))
    except Invalid as exc:
        raise RulebookError([*problems, Problem(file, exc.line, str(exc))]) from exc
    for key, key_node, entry_node in entries:
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
                                     Source(file, line, code))
        except Invalid as exc:
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
                                        Source(file, 0, code), spec.rules)
    return settings


def _field_line(mapping_node, field, default_node):
    for key_node, _value in mapping_node.value:
        if getattr(key_node, "value", None) == field:
            return key_node.start_mark.line + 1
    return default_node.start_mark.line + 1


def _setting(key, spec, node, loader, source):
    entry = {}
    for field, field_node, value_node in mapping_pairs(node, loader):
        if field not in _ENTRY_FIELDS:
            raise Invalid(field_node, f"khóa {field!r} không được biết; mỗi thiết lập gồm "
                                       + ", ".join(_ENTRY_FIELDS) + ".")
        entry[field] = (field_node, value_node)
    for field in ("value", "tag", "citation"):
        if field not in entry:
            raise Invalid(node, f"thiếu {field!r} (mỗi thiết lập ghi giá trị, loại "
                                 "căn cứ và trích dẫn).")
    value = spec.spec.parse(entry["value"][1], loader)
    tag = _TAG.parse(entry["tag"][1], loader)
    citation = _CITATION.parse(entry["citation"][1], loader)
    note = _TEXT.parse(entry["note"][1], loader) if "note" in entry else ""
    open_point = _TEXT.parse(entry["open_point"][1], loader) if "open_point" in entry else ""
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


