"""Where derivations live: LaTeX sources and Markdown read by a Markdown parser, as a user runs the CLI."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAPER = ROOT / "tests" / "sources" / "paper.tex"
FRONT = "---\narchitecture: d001-mlp-L-g\nshorthand: per-example\n---\n"
RIGHT = r"dW^{[L]} = \frac{1}{m} dZ^{[L]} A^{[L-1]T}"
WRONG = r"dZ^{[L]} = Y - A^{[L]}"


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "gradaudit", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def results(run) -> list[tuple]:
    return [(r["id"], r["line"], r["verdict"], [e["kind"] for e in r["errors"]]) for r in json.loads(run.stdout)["results"]]


# ---- LaTeX ------------------------------------------------------------------------------------------------------

def test_a_paper_with_macros_labels_and_an_input_that_is_not_followed():
    run = run_cli("check", str(PAPER), "--format", "json")
    assert run.returncode == 1, run.stderr
    assert results(run) == [("eq:dW-out", 15, "correct", []), ("eq:dA-hidden", 19, "error", ["transpose"]),
                            ("f3", 24, "error", ["sign"]), ("f4", 28, "correct", [])]
    report = json.loads(run.stdout)
    claims = [r["claim"] for r in report["results"]]
    assert claims[0] == r"dW^{[L]} = \frac{1}{m} dZ^{[L]} A^{[L-1]T}"      # \d, \bW, \inv and \At expanded
    notes = [(n["line"], n["message"]) for n in report["notes"]]
    assert notes == [(12, r"\input{appendix} is not followed: audit appendix on its own"),
                     (30, r"\include{chapter2} is not followed: audit chapter2 on its own")]
    text = run_cli("check", str(PAPER))
    assert "paper.tex:12: note: \\input{appendix} is not followed" in text.stdout


def test_inline_equalities_of_a_paper_are_audited_only_when_asked():
    run = run_cli("check", str(PAPER), "--format", "json", "--inline")
    assert results(run)[-1] == ("f5", 29, "correct", [])


def tex(tmp_path, body: str, name: str = "t.tex") -> Path:
    path = tmp_path / name
    path.write_text("% gradaudit:\n% architecture: d001-mlp-L-g\n% shorthand: per-example\n" + body)
    return path


def test_a_macro_that_never_stops_expanding_is_a_note_and_the_other_formulas_are_audited(tmp_path):
    tex(tmp_path, "\\def\\a{\\a}\n\\newcommand{\\big}[1]{#1#1#1#1}\n"
                  f"\\[ {WRONG} + \\a \\]\n\\[ \\big{{\\big{{\\big{{\\big{{\\big{{\\big{{\\big{{x}}}}}}}}}}}}}} \\]\n"
                  f"\\begin{{equation}} {RIGHT} \\end{{equation}}\n")
    run = run_cli("check", "t.tex", "--format", "json", cwd=tmp_path)
    report = json.loads(run.stdout)
    assert [(r["line"], r["verdict"]) for r in report["results"]][-1] == (8, "correct"), report["results"]
    assert {r["verdict"] for r in report["results"][:-1]} == {"unsupported"}
    assert [(n["line"], n["message"].split(":")[1].strip()[:20]) for n in report["notes"]] == \
        [(6, "its macros still exp"), (7, "its macros expand pa")]


@pytest.mark.parametrize("body,message", [
    ("\\begin{equation}\n" + WRONG + "\n", "t.tex:4: \\begin{equation} is opened here and never closed"),
    ("text\n$$" + WRONG + "\n", "t.tex:5: $$ is opened here and never closed"),
    ("\\begin{equation}\n" * 20000, "t.tex:"),
])
def test_an_unclosed_display_in_latex_is_a_file_error(tmp_path, body, message):
    tex(tmp_path, body)
    start = time.monotonic()
    run = run_cli("check", "t.tex", cwd=tmp_path)
    assert run.returncode == 2 and message in run.stderr and "internal error" not in run.stderr, run.stderr
    assert time.monotonic() - start < 30


def test_a_tex_file_without_a_header_and_without_a_forward_pass_is_refused_and_a_folder_skips_it(tmp_path):
    (tmp_path / "plain.tex").write_text(f"\\[ {WRONG} \\]\n")
    run = run_cli("check", "plain.tex", cwd=tmp_path)
    assert run.returncode == 2 and "plain.tex:1: no network is declared and the notes do not define one: no " \
        "forward pass is written" in run.stderr, run.stderr
    tex(tmp_path, f"\\[ {WRONG} \\]\n", "mine.tex")
    run = run_cli("check", ".", "--format", "json", cwd=tmp_path)
    assert [r["file"] for r in json.loads(run.stdout)["results"]] == ["mine.tex"], run.stdout
    assert "skipped" in json.loads(run.stdout)["notes"][0]["message"]


def test_a_tex_file_without_a_header_is_audited_in_the_network_it_defines(tmp_path):
    (tmp_path / "paper.tex").write_text(
        "\\begin{align}\nz^{l} &= w^{l} a^{l-1} + b^{l}\\\\\na^{l} &= \\sigma(z^{l})\n\\end{align}\n"
        "\\begin{equation}\nC = \\frac{1}{2}\\|y - a^L\\|^2\n\\end{equation}\n"
        "\\begin{equation}\n\\delta^l_j \\equiv \\frac{\\partial C}{\\partial z^l_j}\n\\end{equation}\n"
        "\\begin{equation}\\label{bp2}\n\\delta^l = ((w^{l+1})^T \\delta^{l+1}) \\odot \\sigma'(z^l)\n\\end{equation}\n"
        "\\begin{equation}\\label{bp2-slip}\n\\delta^l = ((w^{l})^T \\delta^{l+1}) \\odot \\sigma'(z^l)\n\\end{equation}\n")
    report = json.loads(run_cli("check", "paper.tex", "--format", "json", cwd=tmp_path).stdout)
    got = {r["id"]: r["verdict"] for r in report["results"]}
    assert got == {"f1": "correct", "f2": "correct", "f3": "correct", "bp2": "correct", "bp2-slip": "error"}
    assert "sigmoid x (L-1), sigmoid" in report["inferred_networks"][0]["front_matter"]


# ---- Markdown ---------------------------------------------------------------------------------------------------

HIDDEN = FRONT + f"""Inline code `$${WRONG}$$` is code.

```latex
$${WRONG}$$
```

    $${WRONG}$$

<!-- $${WRONG}$$ -->

- a list item:

  $${RIGHT}$$

> a quote: $${WRONG}$$

| step | formula |
|---|---|
| 1 | $${RIGHT}$$ |

<details>
$${WRONG}$$
</details>

The ${WRONG}$ of the prose.
"""


def test_math_in_code_and_comments_is_not_math_in_lists_quotes_tables_and_html_it_is(tmp_path):
    (tmp_path / "hidden.md").write_text(HIDDEN)
    run = run_cli("check", "hidden.md", "--format", "json", cwd=tmp_path)
    assert results(run) == [("f1", 17, "correct", []), ("f2", 19, "error", ["sign"]), ("f3", 23, "correct", []),
                            ("f4", 26, "error", ["sign"])], run.stdout
    inline = run_cli("check", "hidden.md", "--format", "json", "--inline", cwd=tmp_path)
    assert results(inline)[-1] == ("f5", 29, "error", ["sign"])


def test_an_unclosed_fence_in_a_notebook_cell_ends_with_its_cell(tmp_path):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": FRONT + "```\n$$x = 1$$"},
             {"cell_type": "markdown", "metadata": {}, "source": f"$${WRONG}$$"}]
    (tmp_path / "nb.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    run = run_cli("check", "nb.ipynb", "--format", "json", cwd=tmp_path)
    assert [(r["source"], r["verdict"]) for r in json.loads(run.stdout)["results"]] == [("cell 2, line 1", "error")]


@pytest.mark.parametrize("unit", ["\\begin{equation} x\n", "$$ x\n\n", "\\[ x\n", "a \\begin{align} "])
def test_reading_markdown_is_linear_in_unclosed_openers(tmp_path, unit):
    """Issue 19: 20,000 unclosed \\begin{equation} (380 KB) took 34 s before any formula was audited."""
    (tmp_path / "open.md").write_text(FRONT + unit * 20000 + f"\n\n$${WRONG}$$\n")
    start = time.monotonic()
    run = run_cli("check", "open.md", "--format", "json", cwd=tmp_path)
    seconds = time.monotonic() - start
    if unit.startswith("$$"):   # a $$ never closed is reported where it opens
        assert run.returncode == 2 and "open.md:5: a $$ display is opened here and never closed" in run.stderr
    else:
        assert [r[2] for r in results(run)] == ["error"], run.stdout + run.stderr
    assert seconds < 20, seconds


def test_a_display_right_after_a_line_of_text_is_one_formula(tmp_path):
    """The dollarmath block rule, asked whether it ends a paragraph, pushes its token anyway: it is audited once."""
    (tmp_path / "tight.md").write_text(FRONT + f"The output layer:\n$${RIGHT}$$\nand the sign:\n$${WRONG}\n$$\n")
    run = run_cli("check", "tight.md", "--format", "json", cwd=tmp_path)
    assert results(run) == [("f1", 6, "correct", []), ("f2", 8, "error", ["sign"])], run.stdout


def test_a_tex_header_may_declare_its_network_as_yaml(tmp_path):
    """The comment block is the front matter's YAML, read by the same frontmatter.parse: a nested network: spec
    works, and a mistake in it is reported at its line of the .tex file."""
    path = tmp_path / "net.tex"
    path.write_text("% gradaudit:\n%   network:\n%     layers: [tanh, sigmoid]\n%     loss: bce\n"
                    "%     averaging: mean\n%     convention: column\n"
                    "\\[ \\frac{\\partial J}{\\partial Z^{[2]}} = \\frac{1}{m} (A^{[2]} - Y) \\]\n"
                    "\\[ \\frac{\\partial J}{\\partial Z^{[2]}} = \\frac{1}{m} (Y - A^{[2]}) \\]\n")
    run = run_cli("check", "net.tex", "--format", "json", cwd=tmp_path)
    assert [(r["line"], r["verdict"]) for r in json.loads(run.stdout)["results"]] == [(7, "correct"), (8, "error")], \
        run.stdout + run.stderr
    path.write_text(path.read_text().replace("loss: bce", "loss: hinge"))
    run = run_cli("check", "net.tex", cwd=tmp_path)
    assert run.returncode == 2 and "net.tex:4:" in run.stderr, run.stderr
