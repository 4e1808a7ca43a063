"""Issue 12, "Large modules split by entity": no function in src/thidua over 80 lines
unless its docstring says why, on a line starting "Long because"."""

import ast
from pathlib import Path

import thidua

LIMIT = 80
REASON = "Long because"
SOURCE = Path(thidua.__file__).parent


def _functions(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _justified(node) -> bool:
    doc = ast.get_docstring(node) or ""
    return any(line.strip().startswith(REASON) for line in doc.splitlines())


def long_functions(root: Path) -> list[str]:
    """"path:line name (N lines)" for each unjustified function over LIMIT lines
    (decorators and docstring included), migrations left out."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.relative_to(root).parts:
            continue
        for node in _functions(ast.parse(path.read_text(encoding="utf-8"))):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            length = node.end_lineno - first + 1
            if length > LIMIT and not _justified(node):
                found.append(f"{path.relative_to(root)}:{node.lineno} {node.name} "
                             f"({length} lines)")
    return found


def test_no_function_over_80_lines_without_a_reason():
    assert long_functions(SOURCE) == []


def test_the_check_sees_a_long_function_and_its_reason(tmp_path):
    body = "".join(f"    x{i} = {i}\n" for i in range(LIMIT))
    (tmp_path / "long.py").write_text(f'def long():\n    """Does much."""\n{body}')
    (tmp_path / "why.py").write_text(
        f'def why():\n    """Does much.\n\n    Long because one table.\n    """\n{body}')
    (tmp_path / "short.py").write_text(f'def short():\n{body[:-len("    x79 = 79")-1]}')
    migrations = tmp_path / "app" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "0001_initial.py").write_text(f"def forwards():\n{body}")
    assert long_functions(tmp_path) == [f"long.py:1 long ({LIMIT + 2} lines)"]
