"""Every `latex` of derivations/*.toml goes through the parser: at least 97% must parse (and
round-trip), and every one that does not must fail with a NotationError that gives a reason."""
import tomllib
from pathlib import Path

import pytest

from gradaudit.errors import NotationError
from gradaudit.notation.latex import to_latex
from gradaudit.notation.parser import parse

DERIVATIONS = Path(__file__).resolve().parent.parent / "derivations"


def _formulas():
    for path in sorted(DERIVATIONS.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for section in data.get("section", []):
            for formula in section.get("formula", []):
                if "latex" in formula:
                    yield f"{path.name}:{formula.get('id', '?')}", formula["latex"]


FORMULAS = list(_formulas())


@pytest.mark.skipif(not FORMULAS, reason="no derivation files yet")
def test_derivation_formulas_parse():
    failures = []
    for where, latex in FORMULAS:
        try:
            parsed = parse(latex)
        except NotationError as e:
            assert str(e), where
            failures.append(f"{where}: {e}\n    {latex}")
            continue
        assert parse(to_latex(parsed)) == parsed, f"{where}: round trip changed the tree"
    share = 1 - len(failures) / len(FORMULAS)
    report = "\n".join(failures)
    assert share >= 0.97, f"only {share:.1%} of {len(FORMULAS)} formulas parse; failures:\n{report}"
    if failures:
        print(f"{len(failures)} of {len(FORMULAS)} derivation formulas do not parse:\n{report}")
