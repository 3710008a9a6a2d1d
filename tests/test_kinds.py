"""One list of the kinds of mistake (audit/kinds.py): the auditor refuses any other, and the SARIF rules, the
README's verdict table and every kind the diagnosis code names agree with it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from gradaudit.audit import edits, sarif
from gradaudit.audit.kinds import NAMES, ErrorItem, Kind
from gradaudit.notation import ast as N

ROOT = Path(__file__).resolve().parents[1]


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="not a kind of mistake"):
        ErrorItem("sing", "a typo of sign")
    assert ErrorItem(Kind.SIGN, "").kind == "sign"


def test_the_readme_verdict_table_names_every_kind():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `error` |"))
    named = re.findall(r"`([a-z]+)`", row.split("|")[2])
    assert sorted(named) == sorted(NAMES), row


def test_one_sarif_rule_per_kind():
    rules = {rule["id"] for rule in sarif._rules()}
    assert rules == {f"wrong-{kind}" for kind in NAMES} | {"unsupported"}


def test_every_kind_the_diagnosis_code_names_is_in_the_table():
    written = set()
    for path in (ROOT / "src" / "gradaudit" / "audit").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        written |= set(re.findall(r'(?:yield|ErrorItem\(|kind = |kind=)\s*"([a-z]+)"', text))
    assert written and written <= set(NAMES), written - set(NAMES)


def test_every_registered_edit_is_complete():
    """The diagnosis registry (audit/edits.py): each edit names its kinds and side and explains itself."""
    assert len(edits.REGISTRY) >= 15
    for edit in edits.REGISTRY:
        assert edit.kinds and all(isinstance(k, Kind) for k in edit.kinds), edit.name
        assert edit.side in edits.SIDES, edit.name
        assert len(edit.explanation) > 20, edit.name
    assert len({e.name for e in edits.REGISTRY}) == len(edits.REGISTRY)


def test_every_kind_but_unexplained_is_named_by_some_edit():
    named = {k for edit in edits.REGISTRY for k in edit.kinds}
    assert set(Kind) - named == {Kind.UNEXPLAINED}


def test_the_registry_refuses_an_incomplete_edit():
    with pytest.raises(TypeError, match="kinds"):
        edits.diagnosis()(lambda root, given: iter(()))
    with pytest.raises(TypeError, match="docstring"):
        edits.diagnosis(Kind.SIGN)(lambda root, given: iter(()))
    with pytest.raises(TypeError, match="side"):
        edits.diagnosis(Kind.SIGN, side="middle")(lambda root, given: iter(()))


def test_an_edit_naming_a_kind_it_did_not_register_is_refused(monkeypatch):
    def edit_liar(root, given):
        """Claims a sign edit but names the kind `factor`."""
        yield "factor", "not what it registered", root
    monkeypatch.setattr(edits, "REGISTRY", [edits.Edit(edit_liar, (Kind.SIGN,), "right")])
    with pytest.raises(ValueError, match="does not list"):
        list(edits.candidates(N.Sym("x")))


def test_a_new_diagnosis_is_one_decorated_function(monkeypatch):
    """Registering an edit is all it takes for the search to try it: a made-up edit is tried and names its
    kind."""
    monkeypatch.setattr(edits, "REGISTRY", list(edits.REGISTRY))

    @edits.diagnosis(Kind.DEFINITION)
    def edit_toy(root, given):
        """A toy edit for this test: every x becomes y."""
        yield "definition", "x should be y", N.Sym("y") if root == N.Sym("x") else root
    found = [(k, d) for k, d, _ in edits.candidates(N.Sym("x")) if d == "x should be y"]
    assert found == [("definition", "x should be y")]
