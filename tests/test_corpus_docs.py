"""The transcriptions of documents 000, 001, 003 and 004 against the documents themselves.

A derivation file is data that must match its source exactly: every LaTeX string occurs
verbatim in the document, on the line its locator names, every display block of the
document is transcribed (or listed below as asserting nothing), and the file carries no
verdict of its own (only the keys of derivations/README.md, no comments).
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from gradaudit import architectures

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = Path(__file__).resolve().parents[2] / "shared/documents"
DERIVATIONS = REPO / "derivations"

FILES = {
    "000_mlp3_differentials.toml": "000_cf2634ef2c28c518.txt",
    "001_deep_network_vectorised.toml": "001_56070fb328a432a2.txt",
    "003_two_layer_mse.toml": "003_3f790d5a46ed4546.txt",
    "004_index_notation.toml": "004_6c583175b36db040.txt",
}

# Formulas per section, as transcribed: a formula lost or added shows up here.
COUNTS = {
    "000_mlp3_differentials.toml": {"sigmoid": 36, "tanh": 36},
    "001_deep_network_vectorised.toml": {"mlp3": 57, "bp": 13, "dims": 20},
    "003_two_layer_mse.toml": {"mlp2": 11},
    "004_index_notation.toml": {"sigmoid": 4, "deep": 39},
}

# Display blocks that assert nothing (the first line of the block, and why).
NOT_ASSERTED = {
    "000_cf2634ef2c28c518.txt": {
        3: "bare heading formula followed by 'Calculation:'",
        14: "bare heading formula followed by 'Calculation:'",
    },
}

SECTION_KEYS = {"id", "heading", "architecture", "shorthand", "default_layer", "activation", "notation",
                "superscript", "subscript", "aliases", "formula"}
FORMULA_KEYS = {"id", "heading", "eq", "table", "line", "latex", "continues", "pieces"}
LOCATORS = ("eq", "table", "heading", "line")
SETTINGS = {
    "shorthand": {"total", "per-example"},
    "superscript": {"power", "layer"},
    "subscript": {"index", "layer"},
}

pytestmark = pytest.mark.skipif(
    not DOCUMENTS.is_dir(), reason=f"source documents not found at {DOCUMENTS}")

PARAMS = pytest.mark.parametrize("toml_name", sorted(FILES))


def _load(toml_name: str) -> dict:
    with open(DERIVATIONS / toml_name, "rb") as handle:
        return tomllib.load(handle)


def _document(toml_name: str) -> str:
    return (DOCUMENTS / FILES[toml_name]).read_text(encoding="utf-8")


def _formulas(data: dict):
    for section in data["section"]:
        for formula in section["formula"]:
            yield section, formula


def _table_row(formula) -> str | None:
    """The pattern of the document's line for a table row `| $NAME$ : | $SIZE$ |`, transcribed as the shape
    claim NAME : SIZE with its two cells as `pieces`; None for a formula that is not one."""
    if "pieces" not in formula:
        return None
    name, size = formula["pieces"]
    assert formula["latex"] == f"{name} : {size}", formula["id"]
    return r"^\|\s*\$" + re.escape(name) + r"\$\s*:\s*\|\s*\$" + re.escape(size) + r"\$\s*\|"


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _display_blocks(text: str) -> list[tuple[int, int]]:
    """(first line, last line) of every $$...$$ and equation environment in the text."""
    blocks = []
    for pattern in (r"\$\$(.*?)\$\$", r"\\begin\{equation\}(.*?)\\end\{equation\}"):
        for match in re.finditer(pattern, text, flags=re.S):
            inner = match.group(1)
            lead = len(inner) - len(inner.lstrip())
            start = _line_of(text, match.start(1) + lead)
            blocks.append((start, _line_of(text, match.end(1))))
    return sorted(blocks)


@PARAMS
def test_file_names_its_document(toml_name):
    data = _load(toml_name)
    assert data["document"] == FILES[toml_name]
    assert data["title"].strip()
    assert data["section"], "a derivation file holds at least one section"


@PARAMS
def test_every_latex_occurs_verbatim_in_the_document(toml_name):
    text = _document(toml_name)
    lines = text.split("\n")
    for _, formula in _formulas(_load(toml_name)):
        latex = formula["latex"].strip()
        assert latex, formula["id"]
        row = _table_row(formula)
        if row is not None:
            assert re.match(row, lines[formula["line"] - 1]), f"{formula['id']}: not the row on its line"
            continue
        assert latex in text, f"{formula['id']}: not verbatim in {FILES[toml_name]}"


@PARAMS
def test_line_locator_points_at_the_formula(toml_name):
    lines = _document(toml_name).split("\n")
    for _, formula in _formulas(_load(toml_name)):
        assert any(key in formula for key in LOCATORS), f"{formula['id']}: no locator"
        number = formula["line"]
        assert 1 <= number <= len(lines), formula["id"]
        first = formula["latex"].strip().split("\n")[0].strip()
        if _table_row(formula) is not None:
            assert re.match(_table_row(formula), lines[number - 1]), formula["id"]
            continue
        assert first in lines[number - 1], f"{formula['id']}: not on line {number}"


@PARAMS
def test_formulas_are_in_document_order(toml_name):
    numbers = [formula["line"] for _, formula in _formulas(_load(toml_name))]
    assert numbers == sorted(numbers)


@PARAMS
def test_ids_are_unique(toml_name):
    data = _load(toml_name)
    section_ids = [section["id"] for section in data["section"]]
    formula_ids = [formula["id"] for _, formula in _formulas(data)]
    assert len(section_ids) == len(set(section_ids))
    assert len(formula_ids) == len(set(formula_ids))
    assert all(fid.strip() for fid in formula_ids)


@PARAMS
def test_sections_name_known_architectures_and_settings(toml_name):
    known = architectures.registry()
    text = _document(toml_name)
    for section in _load(toml_name)["section"]:
        assert section["architecture"] in known, section["id"]
        for key, allowed in SETTINGS.items():
            if key in section:
                assert section[key] in allowed, (section["id"], key)
        for name in section.get("aliases", {}):
            assert name in text, f"{section['id']}: alias {name!r} is not a name of the document"


@PARAMS
def test_files_carry_only_format_keys_and_no_comments(toml_name):
    raw = (DERIVATIONS / toml_name).read_text(encoding="utf-8")
    assert not any(line.lstrip().startswith("#") for line in raw.splitlines())
    for section in _load(toml_name)["section"]:
        assert set(section) <= SECTION_KEYS, section["id"]
        for formula in section["formula"]:
            assert set(formula) <= FORMULA_KEYS, formula["id"]


@PARAMS
def test_every_display_block_is_transcribed(toml_name):
    document = FILES[toml_name]
    text = _document(toml_name)
    blocks = _display_blocks(text)
    skipped = NOT_ASSERTED.get(document, {})
    assert set(skipped) <= {start for start, _ in blocks}, "stale NOT_ASSERTED entry"
    numbers = [formula["line"] for _, formula in _formulas(_load(toml_name))]
    for start, end in blocks:
        covered = any(start <= number <= end for number in numbers)
        if start in skipped:
            assert not covered, f"{document}:{start} is both skipped and transcribed"
        else:
            assert covered, f"{document}: display block at line {start} is not transcribed"


@PARAMS
def test_formula_counts_per_section(toml_name):
    counts = {section["id"]: len(section["formula"]) for section in _load(toml_name)["section"]}
    assert counts == COUNTS[toml_name]


@PARAMS
def test_split_blocks_keep_every_piece(toml_name):
    """A block transcribed as several formulas has one per line with '=' (or per \\quad part)."""
    text = _document(toml_name)
    lines = text.split("\n")
    numbers = [formula["line"] for _, formula in _formulas(_load(toml_name))]
    for start, end in _display_blocks(text):
        inside = [number for number in numbers if start <= number <= end]
        if len(inside) < 2:
            continue
        if start == end:
            parts = re.split(r"\\q?quad", lines[start - 1])
            assert len(inside) == len(parts), f"line {start}: {len(parts)} parts"
            continue
        with_equals = {n for n in range(start, end + 1) if "=" in lines[n - 1]}
        assert with_equals == set(inside), f"block at line {start}: lines {sorted(with_equals)}"
