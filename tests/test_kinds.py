"""One list of the kinds of mistake (audit/kinds.py): the auditor refuses any other, and the SARIF rules, the
README's verdict table and every kind the diagnosis code names agree with it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from gradaudit.audit import sarif
from gradaudit.audit.auditor import ErrorItem
from gradaudit.audit.kinds import NAMES, Kind

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
