"""The transcription of document 002 (Rasheed & Zarkoosh) against the document itself.

derivations/002_unveiling_derivatives.toml must match its source exactly: every LaTeX
string (every piece of a split formula, every `lhs`) occurs verbatim in the document, on
the line its locator names; every display block and every table formula with an `=` is
transcribed; ids are unique, sections name known architectures, formulas carry locators.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from gradaudit import architectures

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = Path(__file__).resolve().parents[2] / "shared/documents"
DERIVATION = REPO / "derivations" / "002_unveiling_derivatives.toml"

# Formulas per section, as transcribed: a formula lost or added shows up here.
COUNTS = {"chain-rule": 13, "single-sigmoid": 17, "tanh": 2, "relu": 2, "table2": 17,
          "table3": 17, "softmax": 15, "relu-softmax": 4, "cnn": 39, "table4": 33,
          "table5": 17, "table6": 37}

# Lines of an aligned block that hold no expression, so assert nothing.
EMPTY_LINES = {"&\\vdots", "&="}
# Table 1 (notation only) is not transcribed.
TABLE_1_LINES = range(86, 104)


@pytest.fixture(scope="module")
def data():
    with DERIVATION.open("rb") as handle:
        return tomllib.load(handle)


@pytest.fixture(scope="module")
def document(data):
    path = DOCUMENTS / data["document"]
    if not DOCUMENTS.is_dir() or not path.is_file():
        pytest.skip(f"source document folder {DOCUMENTS} (with {data['document']}) is absent")
    return path.read_text(encoding="utf-8")


def formulas(data):
    return [formula for section in data["section"] for formula in section["formula"]]


def pieces(formula):
    """The verbatim pieces of a formula: its `pieces`, else its latex."""
    return formula.get("pieces", [formula["latex"]])


def test_counts_per_section(data):
    assert {s["id"]: len(s["formula"]) for s in data["section"]} == COUNTS


def test_ids_unique(data):
    ids = [f["id"] for f in formulas(data)] + [s["id"] for s in data["section"]]
    assert len(ids) == len(set(ids))


def test_sections_name_known_architectures(data):
    known = architectures.registry()
    for section in data["section"]:
        assert section["architecture"] in known, section["id"]


def test_every_formula_has_a_locator(data):
    for formula in formulas(data):
        assert any(key in formula for key in ("eq", "table", "heading", "line")), formula["id"]
        assert isinstance(formula["line"], int) and formula["line"] >= 1, formula["id"]


def test_equation_tag_matches_eq(data):
    for formula in formulas(data):
        tag = re.search(r"(?:\\quad \((\d+)\)|\\tag\{(\d+)\})$", formula["latex"])
        if tag:
            assert formula.get("eq") == (tag.group(1) or tag.group(2)), formula["id"]


def test_table_sections_locate_by_table(data):
    for section in data["section"]:
        if section["id"].startswith("table"):
            number = section["id"].removeprefix("table")
            for formula in section["formula"]:
                assert formula["table"].startswith(number + ", "), formula["id"]


def test_latex_verbatim_on_its_line(data, document):
    lines = document.split("\n")
    for formula in formulas(data):
        line = lines[formula["line"] - 1]
        if "pieces" in formula:
            assert formula["latex"] == " ".join(formula["pieces"]), formula["id"]
            assert "$" + "$ $".join(formula["pieces"]) + "$" in line, formula["id"]
        for piece in pieces(formula):
            assert piece in document, formula["id"]
            assert piece.split("\n")[0] in line, formula["id"]
        if "lhs" in formula:
            assert formula["lhs"] in line, formula["id"]


def test_every_display_is_transcribed(data, document):
    """Each $$...$$ block is one formula, or each of its non-empty lines is one."""
    used = {p for f in formulas(data) for p in pieces(f)}
    for match in re.finditer(r"\$\$(.*?)\$\$", document, re.S):
        body = match.group(1)
        if body in used:
            continue
        inner = body[body.index("\\begin{aligned}") + 15:body.index("\\end{aligned}")]
        rows = [row.strip() for row in inner.split("\\\\")]
        missing = [row for row in rows if row and row not in EMPTY_LINES and row not in used]
        assert not missing, (document.count("\n", 0, match.start()) + 1, missing)


def test_every_table_equation_is_transcribed(data, document):
    used = {p for f in formulas(data) for p in pieces(f)}
    for number, line in enumerate(document.split("\n"), 1):
        if "\t" not in line or number in TABLE_1_LINES:
            continue
        items = re.findall(r"\$([^$]*)\$", line)
        for k, item in enumerate(items):
            continued = k > 0 and items[k - 1].rstrip().endswith("=")
            if "=" in item or continued:
                assert item in used, (number, item)
