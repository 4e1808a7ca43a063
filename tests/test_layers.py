"""The layering of src/thidua, read from the source (ast, nothing imported): no import
cycle between apps or between files, no app importing one above it or beside it in
thidua.layers.LAYERS, and no thidua import hidden inside a function unless ALLOWED says
why (a library that needs it, never to dodge a cycle)."""

import ast
from dataclasses import dataclass
from pathlib import Path

from thidua.layers import LAYERS, layer_of

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "thidua"

# In-function imports of thidua modules that a library needs, each with its reason:
# (importing module, imported module) -> why.
ALLOWED = {
    ("thidua.core.apps", "thidua.core.signin"):
        "AppConfig.ready: the signal receivers connect once the app registry is ready",
    ("thidua.core.apps", "thidua.core.tokens"):
        "AppConfig.ready: the password-change receiver connects once User is loaded",
    ("thidua.publication.apps", "thidua.documents.kinds"):
        "AppConfig.ready: the press release registers in the kinds registry below it",
    ("thidua.publication.apps", "thidua.publication.paper"):
        "AppConfig.ready: the press release paper loads models of every app it reads",
    ("thidua.awards.apps", "thidua.awards.services"):
        "AppConfig.ready: the services load models, so the ports are supplied once the app "
        "registry is ready (core.ports)",
}

# Violations still being removed: none (the list only ever shrank, and is empty now). A new
# entry needs a reason in the commit that adds it; a fixed one fails the test until removed.
KNOWN = frozenset()


@dataclass(frozen=True)
class Edge:
    source: str  # module name
    target: str
    line: int
    in_function: bool


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_files():
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _resolve(name: str, modules: set) -> str | None:
    """The module `name` loads: itself, else its longest known prefix (a name inside it)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _is_type_checking(node) -> bool:
    test = node.test
    return isinstance(test, ast.Name | ast.Attribute) and (
        getattr(test, "id", None) == "TYPE_CHECKING"
        or getattr(test, "attr", None) == "TYPE_CHECKING")


def _imports(tree, module: str, is_package: bool):
    """(imported name, line, inside a function) for every import the module runs."""
    package = module if is_package else module.rpartition(".")[0]

    def walk(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue  # for type checkers only: never runs
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, child.lineno, in_function
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.rsplit(".", child.level - 1)[0] if child.level > 1 \
                        else package
                    base = f"{anchor}.{base}" if base else anchor
                for alias in child.names:
                    yield f"{base}.{alias.name}", child.lineno, in_function
            else:
                inner = in_function or isinstance(
                    child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
                yield from walk(child, inner)

    yield from walk(tree, False)


def import_edges() -> list[Edge]:
    files = {module_name(p): p for p in source_files()}
    modules = set(files)
    edges = []
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for name, line, in_function in _imports(tree, module, path.name == "__init__.py"):
            if not name.startswith("thidua."):
                continue
            target = _resolve(name, modules)
            if target and target != module and target != "thidua":
                edges.append(Edge(module, target, line, in_function))
    return edges


def app_of(module: str) -> str:
    """thidua.<app>.… → app; a module of the project root (settings, urls…) → ""."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (PACKAGE / parts[-1]).is_dir() else ""


def strongly_connected(graph: dict) -> list[set]:
    """Tarjan's components of `graph` (node -> set of nodes) with more than one node."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _cycle_edges(pairs, kind) -> set[str]:
    graph = {}
    for source, target in pairs:
        graph.setdefault(source, set()).add(target)
    cycles = set()
    for component in strongly_connected(graph):
        cycles |= {f"{kind} cycle: {s} -> {t}" for s, t in pairs
                   if s in component and t in component}
    return cycles


def violations(edges) -> set[str]:
    found = set()
    files = {(e.source, e.target) for e in edges}
    found |= _cycle_edges(files, "file")
    apps = {(app_of(e.source), app_of(e.target)) for e in edges}
    apps = {(s, t) for s, t in apps if s != t}
    found |= _cycle_edges({(s, t) for s, t in apps if s and t}, "app")
    for source, target in apps:
        if not target:
            found.add(f"upward: {source} -> the project root ({target or 'thidua'})")
            continue
        if not source:
            continue  # settings, urls: the root may name any app
        low, high = layer_of(source), layer_of(target)
        if low is None or high is None:
            found.add(f"no layer: {source if low is None else target} is not in LAYERS")
        elif high > low:
            found.add(f"upward: {source} -> {target}")
        elif high == low:
            found.add(f"sideways: {source} -> {target}")
    for edge in edges:
        if edge.in_function and (edge.source, edge.target) not in ALLOWED:
            found.add(f"in function: {edge.source} -> {edge.target}")
    return found


# --- the tests ----------------------------------------------------------------------------

def test_the_import_graph_follows_the_layers():
    """Every violation is new unless KNOWN lists it (and the list holds only live ones)."""
    found = violations(import_edges())
    assert sorted(found - KNOWN) == [], "new layering violations"
    assert sorted(KNOWN - found) == [], "fixed: remove these from KNOWN"


def test_every_app_has_a_layer():
    apps = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert sorted(a for a in apps if layer_of(a) is None) == []
    placed = [app for layer in LAYERS for app in layer]
    assert len(placed) == len(set(placed))


def test_every_allowed_in_function_import_exists_and_says_why():
    edges = {(e.source, e.target) for e in import_edges() if e.in_function}
    assert sorted(set(ALLOWED) - edges) == []
    assert all(len(reason) > 20 for reason in ALLOWED.values())


def test_the_walker_sees_cycles_layers_and_hidden_imports():
    """The checks themselves, on a made-up graph: a file cycle inside an app, an app
    cycle, a lower app importing a higher one, a neighbour, a hidden import."""
    edges = [Edge("thidua.documents.kinds", "thidua.documents.tasks", 1, False),
             Edge("thidua.documents.tasks", "thidua.documents.kinds", 2, True),
             Edge("thidua.org.guidance", "thidua.voting.models", 3, True),
             Edge("thidua.voting.models", "thidua.org.models", 4, False),
             Edge("thidua.api.awards", "thidua.web.views", 5, False),
             Edge("thidua.web.views", "thidua.org.rules", 6, False)]
    assert violations(edges) == {
        "file cycle: thidua.documents.kinds -> thidua.documents.tasks",
        "file cycle: thidua.documents.tasks -> thidua.documents.kinds",
        "in function: thidua.documents.tasks -> thidua.documents.kinds",
        "in function: thidua.org.guidance -> thidua.voting.models",
        "app cycle: org -> voting",
        "app cycle: voting -> org",
        "upward: org -> voting",
        "sideways: api -> web",
    }
