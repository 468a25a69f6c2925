"""The package's layering: no import cycles inside `digitize/`, every module imports only its own
layer or a lower one, no product module imports the development tools, and no module over 600
lines.

Every import counts, at module level or inside a function (a lazy import still runs the other
module), and importing `digitize.a.b` also runs the package `digitize.a`: a module importing a
package that imports it back is a cycle too. Imports under `if TYPE_CHECKING:` never run and
do not count."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "digitize"
MAX_LINES = 600

# The layers, bottom first, by the name under `digitize.` (a top-level module or a package). A
# module may import its own layer and those below it, never one above. The producing stages
# still import each other both ways (ocr and extract, signing and bundle), so they share one
# layer for now; the validation stage sits below all of them.
LAYERS: list[set[str]] = [
    # the lower layer: what every stage uses (identity and certificate loading included)
    {"digitize", "answers", "clock", "config", "errors", "fsutil", "identity", "model", "paths",
     "privacy", "procs", "i18n", "pdfcaps", "shipped", "poppler"},
    # judging signatures: verify, change policy, visual check, trust store, report
    {"validation"},
    # the producing stages
    {"scan", "ocr", "extract", "tables", "procedures", "schemas", "signing", "bundle", "index",
     "setup"},
    {"pipeline"},
    {"web", "cli", "__main__"},
]
# Tools for tests, benchmarks and a developer's machine (test PKI, CSC test service): they may
# import the product, no module of the product may import them.
DEVTOOLS = "devtools"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _type_checking_only(node):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _imports(node)


def _targets(name: str, known: dict[str, Path], own: set[str]) -> set[str]:
    """What importing `name` runs: the deepest module of ours it names, and the packages above
    it, except the importer's own packages (they run before the importer itself; naming one of
    them explicitly still counts)."""
    parts = name.split(".")
    found = [".".join(parts[:i]) for i in range(1, len(parts) + 1)
             if ".".join(parts[:i]) in known]
    if not found:
        return set()
    return {found[-1]} | (set(found[:-1]) - own)


def import_graph() -> dict[str, set[str]]:
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        parts = name.split(".")
        own = {".".join(parts[:i]) for i in range(1, len(parts))}
        targets: set[str] = set()
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    targets |= _targets(alias.name, known, own)
                continue
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                targets |= _targets(f"{base}.{alias.name}", known, own)
        graph[name] = targets - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected group of modules (Tarjan), as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles_inside_digitize() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = {"digitize.a": {"digitize.b"}, "digitize.b": {"digitize.c"},
             "digitize.c": {"digitize.a"}, "digitize.d": {"digitize.a"}}
    assert cycles(graph) == [["digitize.a", "digitize.b", "digitize.c"]]


def test_a_package_importing_its_module_back_is_a_cycle(tmp_path: Path) -> None:
    # signing/signer.py importing `digitize.signing` whose __init__ imports signer: a cycle.
    graph = {"digitize.signing": {"digitize.signing.signer"},
             "digitize.signing.signer": {"digitize.signing.x", "digitize.signing"}}
    assert cycles(graph) == [["digitize.signing", "digitize.signing.signer"]]


def test_lazy_imports_count() -> None:
    tree = ast.parse("def f():\n    from digitize.config import load_config\n")
    assert [n.module for n in _imports(tree) if isinstance(n, ast.ImportFrom)] == [
        "digitize.config"]
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                     "    from digitize.config import Config\n")
    assert [n.module for n in _imports(tree) if isinstance(n, ast.ImportFrom)] == ["typing"]


def _unit(module: str) -> str:
    """`digitize.signing.sign` -> `signing`; the package itself -> `digitize`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _layer(module: str) -> int | None:
    unit = _unit(module)
    return next((i for i, names in enumerate(LAYERS) if unit in names), None)


def layering_violations(graph: dict[str, set[str]]) -> list[str]:
    """Each import that goes up a layer or into the development tools, and each module in no
    declared layer, as one line."""
    found: list[str] = []
    for module in sorted(graph):
        if _unit(module) == DEVTOOLS:
            continue
        level = _layer(module)
        if level is None:
            found.append(f"{module}: in no declared layer")
            continue
        for target in sorted(graph[module]):
            if _unit(target) == DEVTOOLS:
                found.append(f"{module} imports the development tools ({target})")
                continue
            above = _layer(target)
            if above is not None and above > level:
                found.append(f"{module} imports {target}, a layer above it")
    return found


def test_every_import_goes_down_and_no_product_module_imports_the_devtools() -> None:
    assert layering_violations(import_graph()) == []


def test_the_verification_stage_lives_apart_from_signing() -> None:
    signing = PACKAGE / "signing"
    verification = {"verify", "diffpolicy", "visual", "trust", "html_report", "fetch",
                    "fastnames", "fasthex", "objstm"}
    assert {p.stem for p in signing.glob("*.py")} & verification == set()
    assert not (signing / "trust_vn").exists()
    assert {p.stem for p in (PACKAGE / "validation").glob("*.py")} >= verification
    assert not {"testpki", "csctest"} & {p.stem for p in PACKAGE.rglob("*.py")
                                         if _unit(module_name(p)) != DEVTOOLS}


def _graph_of(sources: dict[str, str], tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    """The import graph of a fake `digitize` package written from `sources` (a name that
    prefixes another is a package)."""
    root = tmp_path / "digitize"
    for name, text in sources.items():
        parts = name.split(".")[1:]
        is_package = any(other.startswith(name + ".") for other in sources)
        path = root.joinpath(*parts, "__init__.py") if is_package else root.joinpath(
            *parts[:-1], parts[-1] + ".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    monkeypatch.setitem(globals(), "PACKAGE", root)
    return import_graph()


def test_the_layer_check_finds_violations(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    graph = _graph_of({
        "digitize": "",
        "digitize.errors": "",
        "digitize.validation": "",
        "digitize.validation.verify": "from digitize.signing.sign import sign_pdf\n",
        "digitize.validation.trust": "def f():\n    from digitize.devtools import testpki\n",
        "digitize.signing": "",
        "digitize.signing.sign": "from digitize.validation.verify import verify_pdf\n"
                                 "from digitize.errors import X\n",
        "digitize.devtools": "",
        "digitize.devtools.testpki": "from digitize.signing.sign import sign_pdf\n",
        "digitize.newstage": "import digitize.errors\n",
    }, tmp_path, monkeypatch)
    assert layering_violations(graph) == [
        "digitize.newstage: in no declared layer",
        "digitize.validation.trust imports the development tools (digitize.devtools)",
        "digitize.validation.trust imports the development tools (digitize.devtools.testpki)",
        "digitize.validation.verify imports digitize.signing, a layer above it",
        "digitize.validation.verify imports digitize.signing.sign, a layer above it",
    ]
    # the real tree's own rules, spelled as a graph: a clean one passes
    assert layering_violations({"digitize.signing.sign": {"digitize.validation.verify",
                                                          "digitize.errors"},
                                "digitize.devtools.testpki": {"digitize.signing"}}) == []


def test_no_module_over_600_lines() -> None:
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
