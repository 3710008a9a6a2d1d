"""`gradaudit explain FILE:ID`: one formula in full: its claims, sizes tried, values that differ, the edit found."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from .. import corpus
from ..audit.auditor import SectionAuditor
from ..audit.environments import layer_symbols
from ..audit.readings import hidden_layers_named
from ..audit import budget
from ..audit.evaluate import evaluate, infer_ranges
from ..audit.tree import EvalError
from ..audit.values import Jac, Lab, ShapeOnly
from ..notation.tree import walk
from ..errors import GradauditError
from ..notation import ast as N


def add_arguments(parser) -> None:
    parser.add_argument("target", metavar="FILE:ID", help="a derivation file and a formula id, e.g. derivations/001_deep_network_vectorised.toml:bp.dZL")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds allowed for the formula")


def run(args) -> int:
    if not args.timeout > 0 or args.timeout == float("inf"):   # also refuses nan
        raise GradauditError("--timeout must be positive")
    if ":" not in args.target:
        raise GradauditError("give FILE:ID, e.g. derivations/000_mlp3_differentials.toml:sig.dW3.final")
    # the file ends at the first ':' that follows an existing file's name (an id may hold ':' too)
    cuts = [i for i, c in enumerate(args.target) if c == ":"]
    cut = next((i for i in cuts if Path(args.target[:i]).is_file()), cuts[-1])
    path, fid = args.target[:cut], args.target[cut + 1:]
    doc = corpus.load(Path(path))
    for section in doc.sections:
        auditor = SectionAuditor(section, doc.document, timeout=args.timeout)
        for formula in section.formulas:
            if formula.id != fid:
                auditor.remember(formula)
                continue
            return _explain(auditor, section, formula)
    raise GradauditError(f"no formula with id {fid!r}", file=path)


def _explain(auditor, section, formula) -> int:
    results = explain_formula(auditor, section, formula)
    return 1 if any(r.verdict == "error" for r in results) else 0


def explain_formula(auditor, section, formula) -> list:
    """Print the formula in full; its results (the fuzz harness explains mutated formulas too)."""
    arch = section.architecture
    print(f"{formula.file}:{formula.line}  {formula.id}  ({formula.locator})")
    print(f"  latex:        {formula.latex}")
    print(f"  architecture: {arch.id} ({arch.title}); convention {arch.convention}, loss {arch.loss}, "
          f"averaging {arch.averaging}")
    print(f"  section:      {section.id}; shorthand {section.shorthand}"
          + (f"; default layer {section.default_layer}" if section.default_layer else ""))
    models = auditor.envs.models
    tried = sorted({(getattr(m.sizes, "widths", ()), m.sizes.m, d) for m, d in models})
    print("  sizes tried:  " + "; ".join(f"widths {w}, m = {mm}, L = {d}" for w, mm, d in tried))
    results = auditor.audit(formula)
    for r in results:
        print(f"\n  claim {r.step}/{r.steps}: {r.claim}")
        print(f"    verdict: {r.verdict}" + (f" ({r.reason})" if r.reason else ""))
        for e in r.errors:
            print(f"    {e.kind}: {e.detail}")
            if e.fix_latex:
                print(f"    fix:     {e.fix_latex}")
        if r.corrected_latex:
            print(f"    corrected: {r.corrected_latex}")
    chains = auditor._chains(auditor.parse(formula.latex), formula) if results and results[0].claim else []
    if chains:
        with budget.limit(time.monotonic() + auditor.timeout):
            _values(auditor, chains[0])
    return results


def _values(auditor, chain) -> None:
    """Each side's value at the first size choice, as the audit evaluates it."""
    indexed = any(isinstance(n, N.Sym) and n.index for node in chain for n in walk(node))
    ctx = next(iter(auditor.envs.contexts(layer_symbols(*chain), hidden_layers_named(chain), indexed)), None)
    if ctx is None:
        return
    ctx.index_ranges = {}
    try:
        infer_ranges(chain, ctx)   # as the audit does: i in a_i runs over a's entries
    except EvalError:
        return
    print("\n  values at the first size choice:")
    for node in chain:
        try:
            print(f"    {_short(node)}: {describe(evaluate(node, ctx))}")
        except EvalError as exc:
            print(f"    {_short(node)}: not evaluable here ({exc})")
        except TimeoutError:
            print(f"    {_short(node)}: not evaluated: the formula's {auditor.timeout:g} s are spent")
            return


def describe(value) -> str:
    """A value of any kind the evaluator returns, in one line: its shape and first entries."""
    if isinstance(value, ShapeOnly):
        return f"shape {value.shape} (a size only: no entries)"
    if isinstance(value, Jac):
        return f"a Jacobian of a {value.out_shape} quantity by a {value.in_shape} one, {_entries(value.data)}"
    if isinstance(value, Lab):
        return f"indexed by {', '.join(value.labels)}, shape {np.shape(value.data)}, {_entries(value.data)}"
    return f"shape {np.shape(value)}, {_entries(value)}"


def _entries(data) -> str:
    flat = np.real(np.asarray(data, dtype=complex)).ravel()
    return f"{np.round(flat[:6], 5)}" + (" ..." if flat.size > 6 else "")


def _short(node) -> str:
    from ..notation.latex import to_latex
    text = to_latex(node)
    return text if len(text) < 70 else text[:67] + "..."
