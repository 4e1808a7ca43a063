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
    ("thidua.awards.apps", "thidua.awards.services"):
        "AppConfig.ready: the services load models, so the ports are supplied once the app "
        "registry is ready (core.ports)",
}

# Violations that other workstreams are removing while this test lands (issue 12). The
# list may only shrink: a listed violation that no longer exists fails the test too. (The
# app cycles through law exist only because core imports apps above it; law imports core
# alone, and they go when core is the ground floor again.)
KNOWN = frozenset({
    "app cycle: awards -> core",
    "app cycle: awards -> law",
    "app cycle: awards -> org",
    "app cycle: awards -> pledges",
    "app cycle: awards -> scoring",
    "app cycle: awards -> voting",
    "app cycle: core -> awards",
    "app cycle: core -> demo",
    "app cycle: core -> documents",
    "app cycle: core -> org",
    "app cycle: core -> pledges",
    "app cycle: core -> scoring",
    "app cycle: core -> voting",
    "app cycle: demo -> awards",
    "app cycle: demo -> core",
    "app cycle: demo -> law",
    "app cycle: demo -> org",
    "app cycle: demo -> pledges",
    "app cycle: demo -> scoring",
    "app cycle: demo -> voting",
    "app cycle: documents -> awards",
    "app cycle: documents -> core",
    "app cycle: documents -> law",
    "app cycle: documents -> org",
    "app cycle: documents -> pledges",
    "app cycle: documents -> publication",
    "app cycle: documents -> scoring",
    "app cycle: documents -> voting",
    "app cycle: law -> core",
    "app cycle: org -> awards",
    "app cycle: org -> core",
    "app cycle: org -> documents",
    "app cycle: org -> law",
    "app cycle: org -> pledges",
    "app cycle: org -> scoring",
    "app cycle: org -> voting",
    "app cycle: pledges -> core",
    "app cycle: pledges -> law",
    "app cycle: pledges -> org",
    "app cycle: publication -> awards",
    "app cycle: publication -> core",
    "app cycle: publication -> law",
    "app cycle: publication -> org",
    "app cycle: publication -> scoring",
    "app cycle: publication -> voting",
    "app cycle: scoring -> core",
    "app cycle: scoring -> law",
    "app cycle: scoring -> org",
    "app cycle: scoring -> pledges",
    "app cycle: voting -> core",
    "app cycle: voting -> law",
    "app cycle: voting -> org",
    "app cycle: voting -> scoring",
    "file cycle: thidua.awards.proposals -> thidua.awards.proposals.decisions",
    "file cycle: thidua.awards.proposals -> thidua.awards.proposals.dossier",
    "file cycle: thidua.awards.proposals -> thidua.awards.proposals.next_year",
    "file cycle: thidua.awards.proposals.decisions -> thidua.org.services",
    "file cycle: thidua.awards.proposals.dossier -> thidua.awards.proposals.decisions",
    "file cycle: thidua.awards.proposals.dossier -> thidua.org.services",
    "file cycle: thidua.awards.proposals.next_year -> thidua.org.services",
    "file cycle: thidua.core.audit -> thidua.core.models",
    "file cycle: thidua.core.models -> thidua.core.tokens",
    "file cycle: thidua.core.signin -> thidua.core.twofactor",
    "file cycle: thidua.core.tokens -> thidua.core.audit",
    "file cycle: thidua.core.tokens -> thidua.core.models",
    "file cycle: thidua.core.twofactor -> thidua.core.signin",
    "file cycle: thidua.documents.kinds -> thidua.documents.kinds_awards",
    "file cycle: thidua.documents.kinds -> thidua.documents.kinds_conference",
    "file cycle: thidua.documents.kinds -> thidua.documents.kinds_press",
    "file cycle: thidua.documents.kinds_awards -> thidua.awards.proposals",
    "file cycle: thidua.documents.kinds_awards -> thidua.documents.kinds",
    "file cycle: thidua.documents.kinds_conference -> thidua.documents.kinds",
    "file cycle: thidua.documents.kinds_press -> thidua.documents.kinds",
    "file cycle: thidua.documents.kinds_press -> thidua.publication.queries",
    "file cycle: thidua.documents.pack -> thidua.documents.kinds",
    "file cycle: thidua.documents.pack -> thidua.documents.kinds_awards",
    "file cycle: thidua.documents.pack -> thidua.documents.services",
    "file cycle: thidua.documents.pack -> thidua.documents.tasks",
    "file cycle: thidua.documents.services -> thidua.documents.kinds",
    "file cycle: thidua.documents.services -> thidua.documents.tasks",
    "file cycle: thidua.documents.tasks -> thidua.documents.kinds",
    "file cycle: thidua.documents.tasks -> thidua.documents.pack",
    "file cycle: thidua.documents.tasks -> thidua.documents.services",
    "file cycle: thidua.documents.templates.build -> thidua.documents.templates.build_awards",
    "file cycle: thidua.documents.templates.build -> thidua.documents.templates.build_conference",
    "file cycle: thidua.documents.templates.build_awards -> thidua.documents.templates.build",
    "file cycle: thidua.documents.templates.build_conference -> thidua.documents.templates.build",
    "file cycle: thidua.org.guidance -> thidua.documents.services",
    "file cycle: thidua.org.services -> thidua.org.guidance",
    "file cycle: thidua.publication.queries -> thidua.awards.proposals",
    "in function: thidua.api.awards -> thidua.scoring.models",
    "in function: thidua.core.export -> thidua.voting.services",
    "in function: thidua.core.middleware -> thidua.core.tokens",
    "in function: thidua.core.middleware -> thidua.core.twofactor",
    "in function: thidua.core.models -> thidua.core.tokens",
    "in function: thidua.core.signin -> thidua.core.tokens",
    "in function: thidua.core.signin -> thidua.core.twofactor",
    "in function: thidua.core.twofactor -> thidua.core.signin",
    "in function: thidua.core.twofactor -> thidua.org.rules",
    "in function: thidua.documents.kinds -> thidua.documents.signers",
    "in function: thidua.documents.kinds_awards -> thidua.awards.proposals",
    "in function: thidua.documents.kinds_awards -> thidua.documents.kinds",
    "in function: thidua.documents.kinds_awards -> thidua.documents.signers",
    "in function: thidua.documents.kinds_awards -> thidua.voting.models",
    "in function: thidua.documents.kinds_awards -> thidua.voting.queries",
    "in function: thidua.documents.kinds_conference -> thidua.documents.kinds",
    "in function: thidua.documents.kinds_press -> thidua.documents.kinds",
    "in function: thidua.documents.kinds_press -> thidua.publication.queries",
    "in function: thidua.documents.kinds_press -> thidua.publication.rules",
    "in function: thidua.documents.pack -> thidua.documents.tasks",
    "in function: thidua.documents.pack -> thidua.org.rules",
    "in function: thidua.documents.pack -> thidua.voting.models",
    "in function: thidua.documents.rules -> thidua.awards.rules",
    "in function: thidua.documents.rules -> thidua.org.rules",
    "in function: thidua.documents.services -> thidua.documents.tasks",
    "in function: thidua.documents.signers -> thidua.voting.models",
    "in function: thidua.documents.tasks -> thidua.documents.kinds",
    "in function: thidua.documents.tasks -> thidua.documents.pack",
    "in function: thidua.documents.tasks -> thidua.documents.services",
    "in function: thidua.documents.tasks -> thidua.org.rules",
    "in function: thidua.documents.templates.build_awards -> thidua.documents.templates.build",
    "in function: thidua.documents.templates.build_conference -> thidua.documents.templates.build",
    "in function: thidua.org.guidance -> thidua.awards.models",
    "in function: thidua.org.guidance -> thidua.awards.queries",
    "in function: thidua.org.guidance -> thidua.documents.services",
    "in function: thidua.org.guidance -> thidua.pledges.models",
    "in function: thidua.org.guidance -> thidua.scoring.models",
    "in function: thidua.org.guidance -> thidua.scoring.queries",
    "in function: thidua.org.guidance -> thidua.voting.models",
    "in function: thidua.org.guidance -> thidua.voting.queries",
    "in function: thidua.org.queries -> thidua.core.models",
    "in function: thidua.org.services -> thidua.org.guidance",
    "sideways: api -> web",
    "upward: core -> awards",
    "upward: core -> demo",
    "upward: core -> documents",
    "upward: core -> org",
    "upward: core -> pledges",
    "upward: core -> scoring",
    "upward: core -> voting",
    "upward: documents -> publication",
    "upward: org -> awards",
    "upward: org -> documents",
    "upward: org -> pledges",
    "upward: org -> scoring",
    "upward: org -> voting",
})


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
