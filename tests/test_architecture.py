"""The layering of ``parity/`` and ``python_impl/`` (ARCHITECTURE.md), computed from the source.

Every module's imports are read with :mod:`ast` (nothing is imported), then:

- no module imports one from a layer above its own (:data:`LAYERS`, in the order data flows);
- the import graph has no cycle;
- the contract imports nothing of the engine or the port (only layer 0's errors, paths, text and R's
  numbers, ``parity.rnum``);
- a function-local import only brings in an optional heavy dependency (TensorFlow, rpy2, Dask,
  matplotlib: :data:`HEAVY`), with a comment saying so - never a module of the project, never
  an ordinary library (the one exception, the pytest plugin, says why in
  :data:`LAZY_MODULES`).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("parity", "python_impl")

#: module-name prefixes and their layer, lowest first; the longest matching prefix decides
LAYERS: dict[str, int] = {
    "parity": 0, "parity.errors": 0, "parity.paths": 0,  # shared by everything
    "parity.text": 0,  # text shortened for display (standard library only)
    # R's numerics (a leaf: NumPy only), for ports and for the port's caret alike
    "parity.rnum": 0,
    "python_impl.caret": 0,  # the port's caret: a library that knows nothing of the engine
    "parity.contract": 1,  # the run-directory contract: schema, reader, Python writer
    # a side's capture (hooks at the library boundary, written through the contract's writer)
    "parity.capture": 1,
    "python_impl": 1,  # the port's workflow (a side): writes the contract
    "parity.rules": 2,  # tolerances, the caret comparison, statistics, R's caret, the battery
    "parity.config": 3,  # the spec and the resolved configuration
    "parity.checks": 4,  # checks and grading: pure functions of run records and the config
    "parity.orchestration": 5,  # the sides' processes, the work directory, seeds, the runner
    "parity.presentation": 6,  # CLI, reports, the pytest plugin
    # the entry points' published names (pyproject.toml, python -m parity), presentation's own
    "parity.__main__": 6, "parity.cli": 6, "parity.pytest_plugin": 6,
}
#: optional heavy dependencies a function may import lazily (they stay out of the core)
HEAVY = ("tensorflow", "keras", "tf_keras", "rpy2", "dask", "distributed", "matplotlib")
#: modules allowed other function-local imports, and why
LAZY_MODULES = {
    "parity.rules.crosswalk": "scikit-learn is a test extra, not a dependency of the engine: the "
    "crosswalk imports it only when it maps a scikit-learn call",
    "parity.capture.driver": "the driver hands an R script to Rscript (execvpe): it loads the "
    "Python capture (NumPy, the contract) only for a Python script",
    "parity.presentation.pytest_plugin": "pytest loads the plugin (an entry point) in every "
    "session of the environment: it imports the engine only when a fixture or --parity-spec "
    "uses it",
}


def _modules() -> dict[str, Path]:
    mods = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            mods[".".join(parts)] = path
    return mods


MODULES = _modules()


def layer_of(module: str) -> int:
    best = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return LAYERS[best]


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if path.name != "__init__.py":
        base = base[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str) -> list[tuple[str, int, bool, ast.stmt]]:
    """(imported module, line, function-local?, node) for every import statement of ``module``
    (``from X import name`` counts as X.name when that is a module of the project)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int, bool, ast.stmt]] = []

    def visit(node: ast.AST, local: bool) -> None:
        for child in ast.iter_child_nodes(node):
            is_local = local or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((a.name, child.lineno, local, child) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = _resolve(module, path, child)
                for a in child.names:
                    full = f"{base}.{a.name}"
                    found.append((full if full in MODULES else base, child.lineno, local, child))
            elif isinstance(child, ast.If) and _is_type_checking(child):
                continue  # typing only: never imported at run time
            visit(child, is_local)

    visit(tree, False)
    return found


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _project(name: str) -> bool:
    return name.split(".")[0] in PACKAGES


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for m in MODULES:
        for name, _line, _local, _node in imports_of(m):
            if _project(name):
                target = name
                while target not in MODULES and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target != m:
                    graph[m].add(target)
    return graph


def test_every_module_has_a_layer():
    assert "parity.contract" in MODULES and "parity.presentation.cli" in MODULES
    for m in MODULES:
        assert layer_of(m) >= 0


def test_no_module_imports_a_layer_above_its_own():
    upward = [f"{m} (layer {layer_of(m)}) imports {t} (layer {layer_of(t)})"
              for m, targets in _graph().items() for t in sorted(targets) if layer_of(t) > layer_of(m)]
    assert not upward, "\n".join(upward)


def test_the_import_graph_has_no_cycle():
    graph = _graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def dfs(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                dfs(nxt, stack + [nxt])
        state[node] = 2

    for m in sorted(graph):
        if m not in state:
            dfs(m, [m])
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_the_contract_imports_nothing_of_the_engine_or_the_port():
    bad = [t for m in MODULES if m == "parity.contract" or m.startswith("parity.contract.")
           for t in _graph()[m] if t not in ("parity", "parity.errors", "parity.paths", "parity.rnum",
                                             "parity.text")
           and not t.startswith("parity.contract.")]
    assert not bad, f"parity.contract imports {bad}"


def test_function_local_imports_only_keep_heavy_dependencies_out_of_the_core():
    bad = []
    for m, path in MODULES.items():
        if m in LAZY_MODULES:
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for name, line, local, _node in imports_of(m):
            if not local:
                continue
            if _project(name) or name.split(".")[0] not in HEAVY:
                bad.append(f"{path.relative_to(ROOT)}:{line}: function-local import of {name}")
                continue
            # the comment saying why: on the import's line, or a few lines above it (its block)
            above = [lines[i] for i in range(line - 2, max(line - 6, -1), -1)]
            if not any("#" in text for text in [lines[line - 1], *above]):
                bad.append(f"{path.relative_to(ROOT)}:{line}: lazy import of {name} without a "
                           "comment saying why")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("module", sorted(LAZY_MODULES))
def test_the_lazy_exceptions_exist(module):
    assert module in MODULES
