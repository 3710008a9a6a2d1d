"""The house rules of issue 18 that a newcomer relies on: the audit and notation packages import in one
direction (no circle, so no import hidden inside a function to dodge one), and every traversal of a
parsed tree sees the same children (a `cases` branch included)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from gradaudit.audit import edits
from gradaudit.notation import ast as N
from gradaudit.notation import tree
from gradaudit.notation.parser import parse

SRC = Path(__file__).resolve().parents[1] / "src" / "gradaudit"
LAYERED = ("audit", "notation", "infer")


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path) -> set[str]:
    """The gradaudit modules a module imports when it is loaded (imports inside functions are not counted)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if not base.startswith("gradaudit"):
                continue
            for alias in node.names:   # `from . import budget` imports the module gradaudit.audit.budget
                candidate = f"{base}.{alias.name}"
                found.add(candidate if _exists(candidate) else base)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("gradaudit"))
    return found


def _exists(module: str) -> bool:
    rel = Path(*module.split(".")[1:])
    return (SRC / rel).with_suffix(".py").exists() or (SRC / rel / "__init__.py").exists()


def _graph(package: str) -> dict[str, set[str]]:
    files = sorted((SRC / package).rglob("*.py"))
    names = {_module_name(f) for f in files}
    return {_module_name(f): _top_level_imports(f) & names for f in files}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


@pytest.mark.parametrize("package", LAYERED)
def test_no_import_circle(package):
    assert _cycle(_graph(package)) is None, " -> ".join(_cycle(_graph(package)))


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("package", LAYERED)
def test_no_import_inside_a_function(package):
    inside = []
    for path in sorted((SRC / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inside += [f"{path.relative_to(SRC)}:{n.lineno}" for n in ast.walk(node)
                           if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert inside == []


def test_children_include_cases_branches_and_matrix_entries():
    cases = parse(r"dZ = \begin{cases} W & \text{if } Z > 0 \\ 0 & \text{otherwise} \end{cases}").statements[0].steps[1]
    assert isinstance(cases, N.Cases)
    seen = list(tree.walk(cases))
    assert N.Sym("W") in seen and any(isinstance(n, N.Rel) for n in seen)
    matrix = parse(r"\begin{bmatrix} a & b \\ c & d \end{bmatrix}").statements[0].steps[0]
    assert {n.name for n in tree.walk(matrix) if isinstance(n, N.Sym)} == {"a", "b", "c", "d"}


def test_replace_at_and_at_agree_on_every_path():
    node = parse(r"\frac{1}{m} \sum_{i=1}^{m} \begin{cases} a_i & \text{if } z_i > 0 \\ 0 & \text{otherwise} \end{cases}"
                 ).statements[0].steps[0]
    marker = N.Sym("marker")
    for path, sub in tree.subtrees(node):
        assert tree.at(node, path) == sub
        edited = tree.replace_at(node, path, marker)
        assert tree.at(edited, path) == marker
        assert sum(1 for n in tree.walk(edited) if n == marker) == 1


def test_transform_rebuilds_inside_cases():
    node = parse(r"\begin{cases} 1 & \text{if } z > 0 \\ 0 & \text{otherwise} \end{cases}").statements[0].steps[0]
    renamed = tree.transform(node, lambda n: N.Sym("x") if n == N.Sym("z") else n)
    assert N.Sym("x") in list(tree.walk(renamed)) and N.Sym("z") not in list(tree.walk(renamed))


def test_a_diagnosis_edit_reaches_inside_a_cases_branch():
    """The condition and the values of a `cases` are subtrees like any other: the sign edit flips a branch."""
    node = parse(r"\begin{cases} a - z & \text{if } z > 0 \\ 0 & \text{otherwise} \end{cases}").statements[0].steps[0]
    edited = [new for kind, _, new in edits.edit_sign(node, edits.Given())]
    flipped = N.Add((N.Sym("z"), N.Neg(N.Sym("a"))))
    assert any(isinstance(e, N.Cases) and e.branches[0][0] == flipped for e in edited)


def test_depth_is_iterative():
    node = N.Sym("x")
    for _ in range(5000):
        node = N.Neg(node)
    assert tree.depth(node) == 5001


def test_walk_visits_what_subtrees_visits_in_the_same_order():
    node = parse(r"dZ = \frac{1}{m} \sum_{i=1}^{m} \begin{cases} W^T a_i & \text{if } z_i > 0 \\ 0 & \text{otherwise} "
                 r"\end{cases} + \begin{bmatrix} a & b \end{bmatrix}").statements[0].steps[1]
    assert list(tree.walk(node)) == [sub for _, sub in tree.subtrees(node)]


def test_every_module_can_be_read_in_one_sitting():
    """No module is over 500 lines (issue 18): past that a newcomer cannot hold it, and it has two ideas in it."""
    long = {str(p.relative_to(SRC)): n for p in SRC.rglob("*.py") if (n := len(p.read_text().splitlines())) > 500}
    assert long == {}
