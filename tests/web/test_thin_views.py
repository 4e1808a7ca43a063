"""Thin views (issue 12): the web layer parses, calls and renders; it never queries.

Every module under ``src/thidua/web`` is read with ``ast`` and refused when it

- touches a model manager (``.objects``) or calls a QuerySet method (``filter``,
  ``select_related``, ``values_list``, a ``get``/``count``/``first`` with a QuerySet's
  signature, …) — reads go through each app's ``queries.py``, writes through services;
- builds a query (``Q``, ``F``, ``Prefetch``, ``Exists`` … from ``django.db.models``);
- uses a model class for anything but its choices or constants: ``Poll.State.PUBLISHED``
  and ``UnitYearFacts.FACT_FIELDS`` are vocabulary, ``Poll`` itself (a lookup, an
  ``isinstance``, ``Poll.DoesNotExist``) is not. Type hints and imports under
  ``TYPE_CHECKING`` are allowed. Objects a URL names are looked up in scope by the app's
  ``queries.py``/``rules.py`` (out of scope → ``NotFound`` → 404), never in the view;
- reads files: ``open()``, ``read_text``/``read_bytes``, ``yaml``, ``__file__``
  (demo data is the ``demo`` app's to load; a stored upload is streamed through its
  field's ``.open()``, which is not a file read of ours).
"""

import ast
import importlib
from pathlib import Path

import pytest
from django.db import models

WEB = Path(__file__).resolve().parents[2] / "src" / "thidua" / "web"

QUERYSET_METHODS = {
    "filter", "exclude", "annotate", "aggregate", "values_list", "order_by",
    "select_related", "prefetch_related", "only", "defer", "distinct", "exists",
    "in_bulk", "iterator", "bulk_create", "bulk_update", "get_or_create",
    "update_or_create", "select_for_update", "raw", "extra", "dates", "datetimes",
    "union", "intersection", "difference", "latest", "earliest", "using",
}
# Names also carried by dicts, lists and strings: a query only with a QuerySet's
# signature (no argument; keywords only; or, for ``values``, any argument). A QuerySet's
# ``update(**fields)`` looks like a dict's: it is caught by the query before it.
NO_ARGUMENT_QUERIES = {"first", "last", "count", "all", "delete", "none"}
KEYWORD_QUERIES = {"get", "create"}
ARGUMENT_QUERIES = {"values"}  # dict.values() takes none
QUERY_BUILDERS = {"Q", "F", "Prefetch", "Exists", "OuterRef", "Subquery", "Count", "Sum",
                  "Max", "Min", "Avg", "Value", "Case", "When", "Func"}
FILE_READS = {"read_text", "read_bytes"}


def _is_vocabulary(value) -> bool:
    if isinstance(value, type):
        return issubclass(value, models.Choices)
    if isinstance(value, str | int | bool):
        return True
    if isinstance(value, tuple | frozenset | list | set):
        return all(_is_vocabulary(item) for item in value)
    if isinstance(value, dict):
        return all(_is_vocabulary(k) and _is_vocabulary(v) for k, v in value.items())
    return isinstance(value, models.Choices)


class _Scan(ast.NodeVisitor):
    def __init__(self, name: str):
        self.name = name
        self.problems: list[str] = []
        self.models: dict[str, type] = {}  # local name → model class imported
        self.parents: dict[int, ast.AST] = {}
        self.annotations: set[int] = set()
        self.type_checking: set[int] = set()

    def report(self, node, text):
        self.problems.append(f"{self.name}:{node.lineno}: {text}")

    def scan(self, tree):
        for parent in ast.walk(tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[id(child)] = parent
            for annotation in _annotations(parent):
                self.annotations.update(id(n) for n in ast.walk(annotation))
            if (isinstance(parent, ast.If) and isinstance(parent.test, ast.Name)
                    and parent.test.id == "TYPE_CHECKING"):
                self.type_checking.update(id(n) for stmt in parent.body for n in ast.walk(stmt))
        self.visit(tree)
        return self.problems

    def visit_ImportFrom(self, node):
        module = node.module or ""
        if id(node) in self.type_checking:
            return
        if module == "django.db.models":
            for alias in node.names:
                if alias.name in QUERY_BUILDERS:
                    self.report(node, f"query expression {alias.name} imported")
        if module == "yaml":
            self.report(node, "yaml imported (a file read)")
        if module.startswith("thidua.") and module.endswith(".models"):
            loaded = importlib.import_module(module)
            for alias in node.names:
                value = getattr(loaded, alias.name)
                if isinstance(value, type) and issubclass(value, models.Model):
                    self.models[alias.asname or alias.name] = value
                elif not _is_vocabulary(value):
                    self.report(node, f"{alias.name} imported from {module}")

    def visit_Import(self, node):
        for alias in node.names:
            if alias.name == "yaml":
                self.report(node, "yaml imported (a file read)")
            if alias.name.startswith("thidua.") and alias.name.endswith(".models"):
                self.report(node, f"{alias.name} imported whole")

    def visit_Attribute(self, node):
        if node.attr == "objects":
            self.report(node, "model manager .objects")
        self.generic_visit(node)

    def visit_Name(self, node):
        if node.id == "__file__":
            self.report(node, "__file__ (a file read)")
        model = self.models.get(node.id)
        if model is None or id(node) in self.annotations:
            return
        parent = self.parents.get(id(node))
        if isinstance(parent, ast.Attribute) and parent.value is node:
            if _is_vocabulary(getattr(model, parent.attr, None)):
                return
            self.report(node, f"{node.id}.{parent.attr}: a model used beyond its choices")
        else:
            self.report(node, f"model {node.id} used beyond its choices")

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, ast.Name) and func.id == "open":
            self.report(node, "open() (a file read)")
        if isinstance(func, ast.Attribute):
            name = func.attr
            if name in QUERYSET_METHODS:
                self.report(node, f".{name}() (a QuerySet method)")
            elif name in NO_ARGUMENT_QUERIES and not node.args and not node.keywords:
                self.report(node, f".{name}() (a QuerySet method)")
            elif name in KEYWORD_QUERIES and not node.args and node.keywords:
                self.report(node, f".{name}(**lookups) (a QuerySet method)")
            elif name in ARGUMENT_QUERIES and (node.args or node.keywords):
                self.report(node, f".{name}(fields) (a QuerySet method)")
            elif name in FILE_READS:
                self.report(node, f".{name}() (a file read)")
        self.generic_visit(node)


def _annotations(node):
    if isinstance(node, ast.arg) and node.annotation is not None:
        yield node.annotation
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None:
        yield node.returns
    if isinstance(node, ast.AnnAssign):
        yield node.annotation


def problems_in(source: str, name: str = "<source>") -> list[str]:
    return _Scan(name).scan(ast.parse(source))


def test_the_scan_finds_each_kind_of_query_and_file_read():
    source = "\n".join([
        "from django.db.models import Q",
        "from thidua.voting.models import Poll",
        "import yaml",
        "def view(request, poll: Poll, rows) -> Poll:",
        "    Poll.objects.filter(pk=1)",
        "    rows.select_related('unit')",
        "    rows.count()",
        "    rows.get(pk=1)",
        "    isinstance(poll, Poll)",
        "    open('demo.yaml')",
        "    path.read_text()",
        "    here = __file__",
        "    state = Poll.State.PUBLISHED",
        "    name = {}.get('x'); words = [1].count(1); n = poll.state",
    ])
    assert problems_in(source) == [
        "<source>:1: query expression Q imported",
        "<source>:3: yaml imported (a file read)",
        "<source>:5: .filter() (a QuerySet method)",
        "<source>:5: model manager .objects",
        "<source>:5: Poll.objects: a model used beyond its choices",
        "<source>:6: .select_related() (a QuerySet method)",
        "<source>:7: .count() (a QuerySet method)",
        "<source>:8: .get(**lookups) (a QuerySet method)",
        "<source>:9: model Poll used beyond its choices",
        "<source>:10: open() (a file read)",
        "<source>:11: .read_text() (a file read)",
        "<source>:12: __file__ (a file read)",
    ]


@pytest.mark.parametrize("path", sorted(WEB.rglob("*.py")), ids=lambda p: p.name)
def test_web_module_has_no_query_and_reads_no_file(path):
    name = str(path.relative_to(WEB.parent))
    assert problems_in(path.read_text(encoding="utf-8"), name) == []
