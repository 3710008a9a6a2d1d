"""Fuzzing the auditor with the corpus itself: every formula of derivations/ and every derivation file,
mutated, must get verdicts within its budget, never reach the safety net, and stay under the memory ceiling.

    python bench/fuzz.py --minutes 30 --seed 1            # the long run (bench/RESULTS.md)
    python bench/fuzz.py --formulas 200 --files 20        # a fixed number of cases

A formula case takes one formula of a derivation file, applies one to three mutations (a number made
huge, nested sums with Kronecker deltas, an elided sum with a huge index, a deleted or repeated piece,
an inserted token, ...) and audits it in its section, as the runner would, with a budget of --budget
seconds. A file case mutates a derivation file's text (a line dropped, repeated or moved, a value of
another type, a formula written as an inline table or without latex, front matter for a Markdown
note, ...) and audits the whole file. The promises checked for each case:
- no verdict and no file error carries the safety net's marker (an internal error: a bug);
- a file's problem is a GradauditError naming the file and a line;
- each formula takes at most its budget plus MARGIN seconds;
- the process's peak memory stays under the ceiling (gradaudit.audit.budget.MEMORY_CEILING).
`tests/test_fuzz_corpus.py` runs a short seeded slice of this in the suite.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import re
import resource
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from gradaudit import corpus  # noqa: E402
from gradaudit.audit import budget, net  # noqa: E402
from gradaudit.audit.auditor import SectionAuditor  # noqa: E402
from gradaudit.audit.verdict import VERDICTS  # noqa: E402
from gradaudit.audit.runner import audit_paths  # noqa: E402
from gradaudit.commands import explain  # noqa: E402
from gradaudit.errors import GradauditError  # noqa: E402

MARGIN = 1.0          # seconds a formula may take past its budget (one evaluation step, the verdict's text)
DERIVATIONS = ROOT / "derivations"

# pieces a mutation inserts: what texts write, and what broke the promises before
TOKENS = [r"\dots", r"\cdots", r"\delta_{ij}", r"\delta_{ik}", "_{i}", "_{j}", "^{T}", "^{-1}", r"\sum_{j=1}^{n}",
          r"\sum_{i=1}^{300}", r"\sum_{k=0}^{10^{9}}", r"\mathbb{R}^{[n^L,m]}", r"\mathbb{R}^{[10^{30}, m]}",
          r"\frac{1}{0}", r"\frac{", "}{", "{", "}", "(", ")", r"\left(", r"\right)", "e^{", r"\max_{a=0}^{p-1}",
          r"\begin{cases}", r"\end{cases}", "&", r"\\", r"\text{if } i \neq j", r"\odot", r"\cdot", "*", "+", "-",
          "=", "'", r"\sigma(", r"\log", r"np.sum(", ", axis=1, keepdims=True)", "a_{100000000}", "z_{0}",
          "w_{i,j}", "x_{[i+p, j+q]}", r"\mathcal{L}", "dZ^{[L]}", "W^{[l+1]T}", "A^{[0]}", "10^{300}", "1e308",
          r"\infty", r"\partial", r"\frac{\partial J}{\partial W^{[2]}}", "^{[", "]}", r"\hat{y}", "_{n}", "^{(L)}"]
NUMBERS = ["0", "1", "2", "300", "100000000", "10^{30}", "-1", r"\frac{1}{0}", "1.5", "999999999999999999999"]


@dataclass
class Stats:
    formulas: int = 0
    files: int = 0
    explained: int = 0
    claims: int = 0
    verdicts: dict = field(default_factory=lambda: {v: 0 for v in VERDICTS})
    file_errors: int = 0
    worst_over: float = float("-inf")     # seconds past the budget, the worst formula
    worst_case: str = ""
    failures: list = field(default_factory=list)
    seconds: float = 0.0

    def fail(self, what: str, case: str) -> None:
        self.failures.append({"what": what, "case": case[:2000]})

    def as_json(self) -> dict:
        return {"formulas": self.formulas, "files": self.files, "explained": self.explained, "claims": self.claims, "verdicts": self.verdicts,
                "file_errors": self.file_errors, "worst_seconds_over_budget": round(self.worst_over, 3),
                "worst_case": self.worst_case[:300], "peak_rss_mb": round(peak_rss_mb(), 1),
                "seconds": round(self.seconds, 1), "failures": self.failures}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # Linux: kilobytes


# ---- mutations -----------------------------------------------------------------------------------------------

def mutate_formula(latex: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 3)):
        latex = rng.choice(FORMULA_MUTATIONS)(latex, rng)
    return latex


def _huge_number(s, rng):
    spots = [m.span() for m in re.finditer(r"\d+", s)]
    if not spots:
        return s + " + " + rng.choice(NUMBERS)
    a, b = rng.choice(spots)
    return s[:a] + "{" + rng.choice(NUMBERS) + "}" + s[b:]


def _insert_token(s, rng):
    k = rng.randint(0, len(s))
    return s[:k] + rng.choice(TOKENS) + s[k:]


def _delete(s, rng):
    if not s:
        return s
    a = rng.randrange(len(s))
    return s[:a] + s[a + rng.randint(1, 12):]


def _repeat(s, rng):
    if not s:
        return s
    a = rng.randrange(len(s))
    piece = s[a:a + rng.randint(1, 30)]
    return s[:a] + piece * rng.choice([2, 3, 50]) + s[a:]


def _nested_sums(s, rng):
    """Sums over ranges of a few hundred around the right side, with Kronecker deltas (issue 19, item 2)."""
    left, eq, right = s.partition("=")
    if not eq:
        return s
    labels = rng.sample(["i", "j", "k", "p", "q", "t"], rng.randint(2, 4))
    n = rng.choice(["300", "n", "50", "C"])
    sums = "".join(rf"\sum_{{{x}=1}}^{{{n}}}" for x in labels)
    deltas = "".join(rf"\delta_{{{a}{b}}}" for a, b in zip(labels, labels[1:], strict=False))
    return f"{left}={sums} {deltas} ({right})"


def _elided_huge(s, rng):
    """An elided sum whose written terms carry a huge index (issue 19, item 3)."""
    left, eq, right = s.partition("=")
    big = rng.choice(["100000000", "10^{9}", "3", "0"])
    return f"{left or 'z_j'}= e^{{z_{{1}}}} + e^{{z_{{{big}}}}} + \\dots + e^{{z_{{n}}}} + {right}"


def _swap_sides(s, rng):
    parts = s.split("=")
    rng.shuffle(parts)
    return "=".join(parts)


def _index_everything(s, rng):
    label = rng.choice(["i", "j", "{i,j}", "{[i+p,j+q]}", "{100000}", "{0}"])
    return re.sub(r"([A-Za-z])(\^\{\[[^\]]*\]\})", lambda m: m.group(1) + "_" + label + m.group(2), s, count=2)


FORMULA_MUTATIONS = [_huge_number, _insert_token, _insert_token, _delete, _repeat, _nested_sums, _elided_huge,
                     _swap_sides, _index_everything]


def mutate_file(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 3)):
        text = rng.choice(FILE_MUTATIONS)(text, rng)
    return text


def _lines(fn):
    def apply(text, rng):
        lines = text.split("\n")
        if len(lines) < 2:
            return text
        return "\n".join(fn(lines, rng))
    return apply


@_lines
def _drop_line(lines, rng):
    del lines[rng.randrange(len(lines))]
    return lines


@_lines
def _duplicate_line(lines, rng):
    k = rng.randrange(len(lines))
    lines.insert(k, lines[k])
    return lines


@_lines
def _move_line(lines, rng):
    line = lines.pop(rng.randrange(len(lines)))
    lines.insert(rng.randrange(len(lines) + 1), line)
    return lines


def _retype_value(text, rng):
    spots = [m.span(1) for m in re.finditer(r"^\s*[A-Za-z_\"]+\s*=\s*([^\n]*)$", text, re.M)]
    if not spots:
        return text
    a, b = rng.choice(spots)
    return text[:a] + rng.choice(["3", "[1, 2]", "{}", "true", "'x'", '"d999-nothing"', "1e400", "''''''"]) + text[b:]


def _drop_latex(text, rng):
    spots = [m.span() for m in re.finditer(r"^latex = '''.*?'''\n", text, re.M | re.S)]
    if not spots:
        return text
    a, b = rng.choice(spots)
    return text[:a] + text[b:]


def _inline_table(text, rng):
    """The file rewritten with every section's formulas as inline tables, `formula = [{...}, ...]` (a form TOML
    allows), one formula per line, so that the lines its messages name can be checked against these."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return text
    out = [f"{k} = {_toml_value(v)}" for k, v in data.items() if k != "section"]
    for section in data.get("section", []) if isinstance(data.get("section"), list) else []:
        if not isinstance(section, dict):
            return text
        out.append("\n[[section]]")
        out += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in section.items() if k != "formula"]
        formulas = section.get("formula", [])
        if isinstance(formulas, list) and formulas:
            out.append("formula = [")
            out += [f"  {_toml_value(f)}," for f in formulas]
            out.append("]")
    return "\n".join(out) + "\n"


def _toml_key(key) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _toml_value(value) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value))


def _truncate(text, rng):
    return text[:rng.randrange(len(text) + 1)]


def _insert_junk(text, rng):
    k = rng.randrange(len(text) + 1)
    return text[:k] + rng.choice(["\n[[section]]\n", "\n[[section.formula]]\n", "\nlatex = 3\n", "'''", '"', "\x00",
                                  "\nfoo = 1\n", "\n[section]\n", "\ncontinues = \"nothing\"\n", "$$", "\n---\n"]) + text[k:]


FILE_MUTATIONS = [_drop_line, _duplicate_line, _move_line, _retype_value, _drop_latex, _inline_table, _truncate,
                  _insert_junk]


def as_markdown(doc: corpus.Document, rng: random.Random) -> str:
    """A note of one section's formulas, with front matter and, sometimes, broken Markdown around them."""
    section = rng.choice(doc.sections)
    head = [f"architecture: {section.architecture.id}"]
    if section.activation:
        head.append(f"activation: {section.activation}")
    if section.shorthand != "total":
        head.append(f"shorthand: {section.shorthand}")
    if section.default_layer:
        head.append(f"default_layer: {section.default_layer}")
    for name, target in list(section.aliases.items())[:3]:
        head.append(f"alias: {name} = {target}")
    body = [f"$${f.latex}$$\n" for f in section.formulas[:12]]
    extras = ["$$", "```\n$$x$$\n", "`$$`", r"\begin{equation}", r"\[ a = b", "\n---\n", "\\", "<!-- $$ -->"]
    for _ in range(rng.randint(0, 3)):
        body.insert(rng.randrange(len(body) + 1), rng.choice(extras) * rng.choice([1, 1, 50]))
    return "---\n" + "\n".join(head) + "\n---\n\n" + "\n".join(body)


# ---- running the cases -------------------------------------------------------------------------------------------

def load_corpus():
    docs = [corpus.load(p) for p in sorted(DERIVATIONS.glob("*.toml"))]
    texts = {d.path: Path(d.path).read_text() for d in docs}
    formulas = [(d, s, f) for d in docs for s in d.sections for f in s.formulas]
    return docs, texts, formulas


def check_results(results, stats: Stats, case: str, allowed: float) -> None:
    for r in results:
        stats.claims += 1
        if r.verdict not in VERDICTS:
            stats.fail(f"verdict {r.verdict!r}", case)
            continue
        stats.verdicts[r.verdict] += 1
        if net.MARKER in r.reason:
            stats.fail(f"safety net: {r.reason}", case)
        if r.verdict == "unsupported" and not r.reason.strip():
            stats.fail("unsupported without a reason", case)
    seconds = sum(r.seconds for r in results)
    over = seconds - allowed
    if over > stats.worst_over:
        stats.worst_over, stats.worst_case = over, case
    if over > MARGIN:
        stats.fail(f"{seconds:.2f} s for a budget of {allowed:g} s", case)


def formula_case(entry, rng: random.Random, stats: Stats, auditors: dict, timeout: float) -> None:
    doc, section, formula = entry
    key = (doc.path, section.id)
    if key not in auditors:
        auditors[key] = SectionAuditor(section, doc.document, timeout=timeout)
    auditor = auditors[key]
    latex = mutate_formula(formula.latex, rng)
    mutated = corpus.Formula(id=formula.id, latex=latex, file=formula.file, line=formula.line,
                             locator=formula.locator, lhs=formula.lhs, continues="")
    auditor.previous_reference = None
    stats.formulas += 1
    explaining = rng.random() < 0.2   # `gradaudit explain` audits the formula, then prints each side's value
    out = io.StringIO()
    try:
        if explaining:
            with contextlib.redirect_stdout(out):
                results = explain.explain_formula(auditor, section, mutated)
            stats.explained += 1
            if net.MARKER in out.getvalue():
                stats.fail("explain printed the safety net's reason", latex)
        else:
            results = auditor.audit(mutated)
    except Exception as exc:  # noqa: BLE001 - the very thing this harness looks for
        stats.fail(f"{'explain' if explaining else 'audit'} raised {type(exc).__name__}: {exc}", latex)
        return
    if not results or any(r.line != formula.line or r.id != formula.id for r in results):
        stats.fail("results lost the formula's line or id", latex)
    check_results(results, stats, latex, timeout)


def file_case(doc, text: str, rng: random.Random, stats: Stats, folder: Path, timeout: float) -> None:
    markdown = rng.random() < 0.3
    mutated = as_markdown(doc, rng) if markdown else text
    mutated = mutate_file(mutated, rng)
    path = folder / (f"case{stats.files}.md" if markdown else f"case{stats.files}.toml")
    path.write_text(mutated, encoding="utf-8", errors="surrogateescape")
    stats.files += 1
    case = f"{path.suffix} file:\n{mutated}"
    start = time.monotonic()
    try:
        run = audit_paths([path], timeout=timeout)
    except Exception as exc:  # noqa: BLE001
        stats.fail(f"audit_paths raised {type(exc).__name__}: {exc}", case)
        return
    elapsed = time.monotonic() - start
    for exc in run.file_errors:
        stats.file_errors += 1
        if not isinstance(exc, GradauditError) or net.MARKER in str(exc):
            stats.fail(f"file error from the safety net: {exc}", case)
        elif exc.file != str(path) or not exc.line:
            stats.fail(f"file error without its file and line: {exc}", case)
    by_formula = {}
    for r in run.results:
        by_formula.setdefault((r.file, r.id), []).append(r)
    for results in by_formula.values():
        check_results(results, stats, case, timeout)
    audited = sum(r.seconds for r in run.results)
    if elapsed - audited > 5.0 + 0.25 * len(by_formula):   # reading and section setup: no budget of their own
        stats.fail(f"{elapsed - audited:.1f} s outside the formulas' budgets", case)


def run(seed: int = 0, formulas: int = 100, files: int = 10, minutes: float | None = None,
        timeout: float = 0.5, log=None) -> Stats:
    rng = random.Random(seed)
    docs, texts, entries = load_corpus()
    stats, auditors = Stats(), {}
    start = time.monotonic()
    end = start + minutes * 60 if minutes else None
    plan = ["formula"] * formulas + ["file"] * files
    rng.shuffle(plan)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        k = 0
        while (end is None and k < len(plan)) or (end is not None and time.monotonic() < end):
            kind = plan[k] if end is None else ("file" if k % 20 == 19 else "formula")
            if kind == "file":
                doc = rng.choice(docs)
                file_case(doc, texts[doc.path], rng, stats, folder, timeout)
            else:
                formula_case(rng.choice(entries), rng, stats, auditors, timeout)
            k += 1
            if log and k % 200 == 0:
                print(json.dumps({k: v for k, v in stats.as_json().items() if k != "failures"}), file=log, flush=True)
    stats.seconds = time.monotonic() - start
    if peak_rss_mb() * 1024 * 1024 > budget.MEMORY_CEILING:
        stats.fail(f"peak memory {peak_rss_mb():.0f} MB over the ceiling", "(whole run)")
    return stats


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--formulas", type=int, default=200, help="formula cases (ignored with --minutes)")
    parser.add_argument("--files", type=int, default=20, help="file cases (ignored with --minutes)")
    parser.add_argument("--minutes", type=float, default=None, help="run for this long instead of a fixed count")
    parser.add_argument("--budget", type=float, default=0.5, help="each formula's --timeout (seconds)")
    parser.add_argument("--out", type=Path, default=None, help="write the summary and failures as JSON here")
    args = parser.parse_args(argv)
    stats = run(args.seed, args.formulas, args.files, args.minutes, args.budget, log=sys.stderr)
    summary = stats.as_json()
    text = json.dumps(summary, indent=1)
    if args.out:
        args.out.write_text(text)
    print(text)
    return 1 if stats.failures else 0


if __name__ == "__main__":
    sys.exit(main())
