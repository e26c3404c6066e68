"""The package's shape: imports point one way down the pipeline's layers, no module imports
itself back through another (imports inside functions count), and no module grows past the
size a reader takes in at once. See docs/ARCHITECTURE.md."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "framing"

#: Lowest first: a module may import from its own layer and the layers before it.
LAYERS = [
    ("framing", "framing.frames", "framing.errors"),
    ("framing.io",),
    ("framing.text",),
    ("framing.lexicon",),
    ("framing.model",),
    ("framing.run",),
    ("framing.training",),
    ("framing.comparison",),
    ("framing.cli", "framing.__main__"),
]
MAX_LINES = 450


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported_framing_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """Every framing module ``name`` imports, at top level or inside a function."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[:len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # "from framing.x import y" may name a submodule y
            targets = [module] + [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target.startswith("framing") and target != name:
                found.add(target)
    return found


def layer_of(name: str) -> int:
    best = None
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if name == prefix or (prefix != "framing" and name.startswith(prefix + ".")):
                if best is None or len(prefix) > best[1]:
                    best = (index, len(prefix))
    assert best is not None, f"{name} is in no layer: add it to LAYERS and ARCHITECTURE.md"
    return best[0]


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imported_framing_modules(name, path, known) for name, path in found.items()}


def test_the_graph_is_really_read(graph):
    """The checks below would pass on an empty graph: make sure they see the real imports."""
    assert "framing.model.frame_model" in graph["framing.run.serial"]
    assert "framing.lexicon.matcher" in graph["framing.lexicon.format"]
    assert len(graph) >= 30


def test_imports_point_down_the_layers(graph):
    upward = [f"{source} (layer {layer_of(source)}) imports {target} (layer {layer_of(target)})"
              for source, targets in graph.items() for target in targets
              if layer_of(target) > layer_of(source)
              # the package's __init__ and each subpackage's __init__ re-export their own
              and not target.startswith(source + ".")]
    assert not upward, "\n".join(upward)


def find_cycles(edges: dict[str, set[str]]) -> list[str]:
    """Every cycle a depth-first search meets, as "a -> b -> a"."""
    state: dict[str, int] = {}
    cycles = []

    def visit(node, path):
        state[node] = 1
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    return cycles


def test_no_import_cycles(graph):
    # edges from a package's __init__ to its own submodules are re-exports, not cycles
    edges = {source: {t for t in targets if not t.startswith(source + ".")}
             for source, targets in graph.items()}
    cycles = find_cycles(edges)
    assert not cycles, "\n".join(cycles)


def test_the_checks_can_fail():
    """The cycle search and the layer order on cases made to fail."""
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a -> b -> c -> a"]
    assert find_cycles({"a": {"b"}, "b": set()}) == []
    assert layer_of("framing.cli.classify") > layer_of("framing.model.storage")
    assert layer_of("framing.io.atomic") < layer_of("framing.text.tokens")
    known = set(modules())
    source = "import framing.cli\nfrom framing.model import storage\n"
    path = PACKAGE.parent / "tests" / "_layer_probe.py"
    path.write_text(source)
    try:
        found = imported_framing_modules("framing.io.probe", path, known)
    finally:
        path.unlink()
    assert found == {"framing.cli", "framing.model", "framing.model.storage"}


def test_no_module_is_too_long():
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_at_least_five_stage_subpackages():
    packages = {p.parent.name for p in PACKAGE.rglob("__init__.py") if p.parent != PACKAGE}
    assert len(packages) >= 5


def test_setup_cfg_ships_every_subpackage():
    """setup.cfg lists packages by hand (the model folder is mapped in as framing_models): a
    subpackage missing there would be left out of `pip install .`."""
    import configparser

    config = configparser.ConfigParser()
    config.read(PACKAGE.parent / "setup.cfg")
    listed = set(config["options"]["packages"].split())
    packages = {module_name(p) for p in PACKAGE.rglob("__init__.py")}
    assert packages <= listed, sorted(packages - listed)
