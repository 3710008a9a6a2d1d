"""Claims and verdicts: every `=` of every formula, checked at several sizes, depths and layers.

A formula's chain s0 = s1 = ... = sk gives one claim per `=`. Each step is compared with
the chain's reference, the quantity the chain is about: s0 when it names a quantity that
the other steps agree with; when s0 disagrees with the rest but s1 names a quantity they
agree with, s0 carries a wrong label. So a wrong middle step is caught even when both ends
are right, and a wrong label does not make every later step look wrong.

A claim holds when it holds in every environment: two or three size choices with pairwise
distinct widths (the document's own output width kept), every depth L = 2..5 of a general
network, every layer l a formula written for layer l can name, and both concrete activations
substituted for a generic g.
"""
from __future__ import annotations

import os
import re
import time

import numpy as np
from dataclasses import dataclass, field, replace

from ..corpus import Formula, Section
from ..errors import GradauditError, NotationError
from ..notation import ast as N
from ..notation.parser import warm_parser
from ..notation.tokens import reading_words
from . import budget, diagnose, exact, layout, net, open_readings, termwise
from .. import infer, primitives
from .resolve import normalize, transform
from .compare import Match, compare, describe_shape, finite
from .kinds import checked
from .aliases import ToolName, alias_key, mark_alias_cycles, register_definitions
from .evaluate import (is_function_name, is_loss, notes_sizes, quantity_key, softmax_of_element, infer_ranges, Context,
                       DimensionError, EvalError, UnknownSymbol, evaluate, walk)
from .model import G_CHOICES, NumericModel, Sizes, size_choices
from .scalar_model import ScalarModel

RUN_SPENT = "run budget spent (--max-seconds): not audited"
# GRADAUDIT_EXACT=0 switches the 60-digit confirmation off (bench/RESULTS.md measures its cost with it)
CONFIRM = os.environ.get("GRADAUDIT_EXACT", "1") != "0"
VERDICTS = ("correct", "notation", "error", "unsupported")
GENERAL_DEPTHS = (2, 3, 4, 5)


@dataclass
class ErrorItem:
    kind: str                     # one of kinds.Kind: any other is a bug, refused here
    detail: str
    fix_latex: str = ""

    def __post_init__(self):
        checked(self.kind)


@dataclass
class Result:
    file: str
    line: int
    id: str
    source: str
    latex: str
    claim: str
    verdict: str
    errors: list = field(default_factory=list)
    corrected_latex: str = ""
    seconds: float = 0.0
    step: int = 1
    steps: int = 1
    reason: str = ""
    section: str = ""
    document: str = ""
    notes: list = field(default_factory=list)

    def as_json(self) -> dict:
        return {"file": self.file, "line": self.line, "id": self.id, "step": self.step, "steps": self.steps,
                "source": self.source, "latex": self.latex, "claim": self.claim, "verdict": self.verdict,
                "errors": [e.__dict__ for e in self.errors], "corrected_latex": self.corrected_latex,
                "reason": self.reason, "seconds": round(self.seconds, 4), "section": self.section,
                "document": self.document}


# ---- environments -------------------------------------------------------------------------------------

class Environments:
    """The models a section's claims are evaluated in, built once per section."""

    def __init__(self, section: Section):
        self.section = section
        arch = section.architecture
        self.arch = arch
        self.models = []   # (model, depth)
        gs = G_CHOICES if _uses_g(arch) else ("tanh",)
        if arch.convention == "scalar":
            activation = section.activation or "sigmoid"
            g = activation if activation in ("sigmoid", "tanh", "relu") else "tanh"   # g names the section's activation
            for seed in (0, 1):
                self.models.append((ScalarModel(arch, activation=activation, seed=seed, g=g), 1))
            self.single = self.models
            return
        depths = GENERAL_DEPTHS if arch.general else (arch.parameter_layers,)
        self.single = []   # one-example models: index notation (a_j, w_{i,j}) speaks of one example
        for depth in depths:
            for seed, sizes in enumerate(size_choices(arch, depth)):
                for g in gs:
                    model = NumericModel(arch, depth, sizes, g=g, seed=seed)
                    self.models.append((model, depth))
                    one = model if sizes.m == 1 else NumericModel(arch, depth, Sizes(sizes.widths, 1), g=g, seed=seed)
                    self.single.append((one, depth))

    def contexts(self, layer_symbols: set, hidden: int = 0, indexed: bool = False):
        """Every context a claim must hold in: per model, per value of a free layer index l.

        In a general L-layer network the output layer is written L, so a formula naming layer 2
        but not L speaks of a hidden layer: it is checked at the depths where layer 2 is hidden.
        """
        for model, depth in (self.single if indexed else self.models):
            if self.arch.general and hidden and "L" not in layer_symbols and depth <= hidden:
                continue
            base = dict(L=depth)
            variable = free_layer_variable(layer_symbols)
            if variable is not None:
                for l in range(1, depth + 1):
                    yield self._context(model, dict(base, **{variable: l}), variable)
            else:
                yield self._context(model, base)

    def _context(self, model, bindings, variable="l"):
        s = self.section
        default = None
        if s.default_layer is not None:
            default = bindings["L"] if s.default_layer == "L" else int(s.default_layer)
        elif self.arch.convention == "scalar" or (not self.arch.general and self.arch.parameter_layers == 1):
            default = 1
        return Context(model=model, shorthand=s.shorthand, default_layer=default, superscript=s.superscript,
                       subscript=s.subscript, aliases=s.parsed_aliases, bindings=bindings, layer_variable=variable)


SIZE_LETTERS = {"m"}   # n is a layer when written only where layers go


def free_layer_variable(layer_symbols: set):
    """The letter a claim uses for 'any layer': l, or the one other lower-case letter written where a layer goes
    (Goodfellow's W^{(k)}); None when there is none, or several besides l (which one would vary is unclear).
    n and m are sizes in these notations (n^{[l]} units, m examples), never taken for a layer."""
    if "l" in layer_symbols:
        return "l"
    letters = sorted(s for s in layer_symbols if len(s) == 1 and s.islower() and s not in SIZE_LETTERS)
    return letters[0] if len(letters) == 1 else None


def _uses_g(arch) -> bool:
    layers = list(arch.layers) + [x for x in (arch.hidden, arch.output) if x is not None]
    return any(layer.activation == "g" for layer in layers)


# ---- evaluating one side in every environment ------------------------------------------------------------

@dataclass
class Outcome:
    match: Match | None           # None: not evaluable anywhere
    reason: str = ""
    dimension: bool = False       # a product did not conform
    unknown: str = ""             # an unknown quantity's text
    applicable: int = 0


def judge(ref: N.Node, step: N.Node, contexts: list, deadline: float, ops=None) -> Outcome:
    """How `step` compares with `ref` across the contexts where both can be evaluated."""
    with np.errstate(all="ignore"):   # log of a negative, 0/0: a formula's value, not our warning
        return _judge(ref, step, contexts, deadline, ops)


def _judge(ref, step, contexts, deadline, ops) -> Outcome:
    worst = Match.EQUAL
    applicable = 0
    reason = ""
    dimension = False
    unknown = ""
    for ctx in contexts:
        if time.monotonic() > deadline:
            raise TimeoutError
        ctx.index_ranges = {}
        infer_ranges((ref, step), ctx)
        ref_value, exc = _attempt(ref, ctx)
        if isinstance(exc, DimensionError) and _written_size(ref):
            applicable += 1   # Z_{m x 1} = ...: the size written on the left side is wrong, a mistake as on the right
            dimension = True
            reason = str(exc)
            worst = Match.SHAPE
            continue
        if exc is None:
            if ops:
                ctx.informal_ops = ops
            value, exc = _attempt(step, ctx)
            if isinstance(exc, DimensionError):
                applicable += 1
                dimension = True
                reason = str(exc)
                worst = Match.SHAPE
                continue
        if exc is not None:
            unknown = unknown or (exc.text if isinstance(exc, UnknownSymbol) else "")
            reason = reason or (str(exc) if isinstance(exc, EvalError) else net.reason(exc))
            continue
        if not (finite(ref_value) and finite(value)):
            reason = reason or "a side is not a finite number at the points tried (overflow, or a division by zero)"
            continue
        try:
            m = compare(ref_value, value, reshape_ok=ctx.model.arch.is_cnn)
        except EvalError as exc:   # two kinds of value that cannot be set side by side: a reason, not a verdict
            reason = reason or str(exc)
            continue
        applicable += 1
        if m is Match.SHAPE and not reason:
            reason = f"the left side is {describe_shape(ref_value)}, the right side {describe_shape(value)}"
        if m is not Match.EQUAL:
            worst = m if worst in (Match.EQUAL, Match.LOCAL) else worst
        if m in (Match.DIFFER, Match.SHAPE):
            break
    if applicable == 0:
        return Outcome(None, reason or "nothing to evaluate", unknown=unknown)
    return Outcome(worst, reason, dimension=dimension, applicable=applicable)


def _written_size(node) -> bool:
    """A quantity written with its size, Z_{1 x m} or dw_{n x 1}: a wrong size there is the claim's mistake."""
    of = node.of if isinstance(node, N.Shorthand) else node
    return isinstance(of, N.Sym) and of.shape is not None


def _one_example_chain(chain, section) -> bool:
    """Index notation (a_j, w_{i,j}) and one example's lowercase names speak of one example, unless the chain
    sums over the m examples."""
    return (any(isinstance(n, N.Sym) and n.index for node in chain for n in walk(node))
            or _one_example_names(chain, section)) \
        and not any(_over_examples(n) for node in chain for n in walk(node))


def _one_example_names(chain, section) -> bool:
    """dW = dz a^T: in a batch text (Z, A for m examples, one column each: the column or column-wT convention)
    lowercase z, a, dz are one example's vectors (Ng's notation, dw = x dz in his logistic regression), so the
    claim is checked on one-example networks, where there is no 1/m."""
    if section.architecture.convention not in ("column", "column-wT"):
        return False
    names = [n.of.name if isinstance(n, N.Shorthand) else n.name for node in chain for n in walk(node)
             if isinstance(n, (N.Sym, N.Shorthand))]
    lower = [x for x in names if x in ("a", "z", "y")]    # y, \hat{y}: one example's label and output
    return bool(lower) and not any(x in ("A", "Z", "Y") for x in names)


def _name_broken_steps(results: list) -> None:
    """A middle step no small edit explains, in a chain that ends right, is a step that does not follow."""
    if len(results) < 2 or results[-1].verdict not in ("correct", "notation"):
        return
    for k, r in enumerate(results[:-1]):
        kinds = ("unexplained", "label") if k > 0 else ("unexplained",)   # the first claim's label is the chain's
        if r.verdict == "error" and r.errors and all(e.kind in kinds for e in r.errors):
            # a middle step's left side is the chain's, so a "label" there is a step computing something else
            said = "; ".join(e.detail for e in r.errors if e.kind == "label")
            r.errors = [ErrorItem("step", "this middle step does not hold, although the chain's last step does"
                                  + (f" ({said})" if said else ""), "")]
            r.corrected_latex = ""


def _layer_parts(chain) -> list:
    """Every node written inside a layer index of the chain (the n of W^{[n]}, A^{[n-1]})."""
    parts = []
    for node in chain:
        for sub in walk(node):
            layer = getattr(sub, "layer", None) if isinstance(sub, (N.Sym, N.Call)) else None
            if layer is not None:
                parts.extend(walk(layer))
    return parts


def _names_the_input(*sides) -> bool:
    """X, x or A^{[0]}: the network's input, which is the previous layer's activation for layer 1 only."""
    for side in sides:
        for n in walk(side):
            if isinstance(n, N.Sym) and n.name in ("X", "x") and n.layer is None and not n.tag:
                return True
            if isinstance(n, N.Sym) and n.name in ("A", "a") and n.layer == N.Num(0):
                return True
    return False


def _dummy_variable(*sides) -> bool:
    """One bare letter (a, z, x: no layer, no index) is the only name, and no generic activation (g, f, \\phi)
    is applied, whose meaning the same line may be defining (g(z) = max(0.01 z, z))."""
    letters = {n.name for side in sides for n in walk(side) if isinstance(n, N.Sym)
               and not (n.name in ("e", "pi") and n.layer is None and not n.index)}
    bare = all(isinstance(n, N.Sym) and n.layer is None and not n.index and not n.tag and not n.hat
               for side in sides for n in walk(side) if isinstance(n, N.Sym) and n.name in letters)
    generic = any(isinstance(n, N.Call) and n.func in ("g", "f", "phi", "h") for side in sides for n in walk(side))
    return len(letters) == 1 and letters <= {"a", "z", "x"} and bare and not generic


def _unwritten_left_side(results: list, borrowed: str) -> None:
    """A display opening with '&=' and no left side continues a left side the notes do not write: the previous
    display's last one (borrowed) is one reading, not the only one (a display may be left out, as notes copied
    from slides often do), so a step that fails against it is unsupported, not an error."""
    for r in results:
        if r.verdict == "error":
            r.verdict = "unsupported"
            r.reason = (f"this display opens with '=' and no left side; read as continuing the previous display's "
                        f"{borrowed}, it does not hold: write the left side it continues")
            r.errors = []
            r.corrected_latex = ""


def _attempt(node, ctx):
    """(value, None), or (None, the exception): a side the evaluator cannot read is a reason, not a crash."""
    try:
        if isinstance(node, N.Sym) and node.name == "L" and node.layer is None and not node.index and not node.tag:
            return ctx.model.values["J"], None   # L alone as a side is the loss, not the depth
        return evaluate(node, ctx), None
    except TimeoutError:
        raise
    except Exception as exc:  # noqa: BLE001 - reported as the claim's reason
        return None, exc


def layer_symbols(*nodes) -> set:
    found = set()
    for node in nodes:
        for sub in walk(node):
            if isinstance(sub, N.Sym) and sub.layer is not None:
                for s in walk(sub.layer):
                    if isinstance(s, N.Sym):
                        found.add(s.name)
            if isinstance(sub, N.Call) and sub.layer is not None:
                for s in walk(sub.layer):
                    if isinstance(s, N.Sym):
                        found.add(s.name)
    return found


# ---- a section's formulas -----------------------------------------------------------------------------------

INEQUALITIES = {"!=", "<", ">", "<=", ">="}
EXAMPLE_COUNTS = ("n", "N")   # the other letters notes use for the number of examples m


def _numbered_element(chain):
    """The first name the chain indexes by a number (scores_0, W_{12}), or None."""
    for node in chain:
        for n in walk(node):
            if isinstance(n, N.Sym) and any(isinstance(i, N.Num) for i in n.index):
                return n
    return None


def _writes_target(ref, step, ctx) -> bool:
    """Does the claim name the target (y, or the notes' trueprob)?"""
    for x in (ref, step):
        for n in walk(x):
            if isinstance(n, N.Sym):
                try:
                    if quantity_key(n, ctx) == "Y":
                        return True
                except Exception:  # noqa: BLE001 - a name that is no quantity is not the target
                    continue
    return False


def _enumerates(chain) -> bool:
    """Does a sum of the chain write out elements 0, 1, 2 (or 1, 2, ...) of one quantity, one a term
    (scores_0 + scores_1 + scores_2)? Such a sum states the width of its example's network."""
    for node in chain:
        for add in walk(node):
            if not isinstance(add, N.Add) or len(add.terms) < 2:
                continue
            seen = [{(n.name, k, i.value) for n in walk(t) if isinstance(n, N.Sym)
                     for k, i in enumerate(n.index) if isinstance(i, N.Num)} for t in add.terms]
            for name, k, _ in seen[0]:
                values = sorted({v for term in seen for (m, j, v) in term if (m, j) == (name, k)})
                counts = all(any((m, j) == (name, k) for m, j, _ in term) for term in seen)
                if counts and len(values) == len(add.terms) and values[0] in (0, 1) \
                        and values == list(range(int(values[0]), int(values[0]) + len(values))):
                    return True
    return False


class SectionAuditor:
    def __init__(self, section: Section, document: str, timeout: float = 5.0, run_deadline: float = float("inf")):
        from ..notation.parser import parse
        self._parse = parse
        self.section = section
        self.document = document
        self.timeout = timeout
        self.run_deadline = run_deadline   # time.monotonic() when the whole run's --max-seconds are spent
        section.parsed_aliases = self._aliases()
        self._envs = None
        self._column_envs = None
        self.previous_reference = None
        self.references = {}   # formula id -> the quantity its first chain is about (for `continues`)
        self.conditions = {}   # id(chain) -> a test of a context's layer numbers ('for l < L')
        self.inequalities = []  # relations of the formula being read that are not equalities
        self.borrowed = set()

    def parse(self, latex):
        """A formula read as its notes' (their multi-letter names are names, tokens.words_in)."""
        with reading_words(getattr(self.section, "words", ())):
            return self._parse(latex)

    @property
    def envs(self) -> Environments:
        if self._envs is None:
            self._envs = Environments(self.section)
        return self._envs

    @property
    def column_envs(self) -> Environments:
        """An index-notation network (z_j = sum_k w_{k,j} a_k) with its vectors as columns, z = w^T a + b: a text
        may write whole vectors either way round, and both are the same network."""
        if self._column_envs is None:
            section = replace(self.section, architecture=replace(self.section.architecture, convention="column-wT"))
            section.parsed_aliases = self.section.parsed_aliases
            self._column_envs = Environments(section)
        return self._column_envs

    def check_names(self, path: str) -> None:
        """Each `names:` entry must stand for a quantity of the network: a name for nothing is refused (exit 2)."""
        for name, line in self.section.names.items():
            target = self.section.aliases.get(name, "")
            try:
                key = _single_node(self.parse(name))
                value = _single_node(self.parse(target))
            except (NotationError, ValueError):
                raise GradauditError(f"names: cannot read {name} = {target[:60]} as a name and one quantity",
                                     file=path, line=line) from None
            if not isinstance(key, N.Sym):
                raise GradauditError(f"names: {name[:40]} is not a name (a letter with optional indices)",
                                     file=path, line=line)
            unknown = None if is_function_name(value) else self._unknown_in(value)   # f: g names a function
            if unknown:
                raise GradauditError(f"names: {target[:60]} is no quantity of the network ({unknown})",
                                     file=path, line=line)

    def _unknown_in(self, node) -> str | None:
        """The unknown symbol a quantity names in every context of the network, or None when it names something."""
        reason = None
        for ctx in self.envs.contexts(layer_symbols(node), hidden_layers_named([node])):
            try:
                evaluate(node, ctx)
                return None
            except UnknownSymbol as exc:
                reason = str(exc)
            except Exception:   # noqa: BLE001 - any other failure is about the reading, not the name
                return None
        return reason and f"unknown: {reason}"

    def _aliases(self) -> dict:
        out = {}
        for name, target in self.section.aliases.items():
            try:
                key = _single_node(self.parse(name))
                value = _single_node(self.parse(target))
            except (NotationError, ValueError):
                continue
            if isinstance(key, N.Sym):
                # a `names:` entry's target is in the tool's vocabulary (final); other aliases chain
                out[alias_key(key)] = ToolName(value) if name in self.section.names else value
        return mark_alias_cycles(out)

    def remember(self, formula: Formula) -> None:
        """Skip a formula but keep what later `= ...` continuation lines refer to (explain, notebooks)."""
        try:
            parsed = self.parse(formula.latex)
            self._definitions(parsed)        # a definition skipped over still names its quantity
            self._chains(parsed, formula)
        except Exception:  # noqa: BLE001 - an unreadable formula leaves the context as it was
            pass

    def audit(self, formula: Formula) -> list[Result]:
        with np.errstate(all="ignore"):   # log of a negative, 0/0: a formula's value, not a warning of ours
            return self._audit(formula)

    def _audit(self, formula: Formula) -> list[Result]:
        base = dict(file=formula.file, line=formula.line, id=formula.id, source=formula.locator,
                    latex=formula.latex, section=self.section.id, document=self.document)
        if time.monotonic() >= self.run_deadline:
            return [Result(**base, claim="", verdict="unsupported", reason=RUN_SPENT)]
        self.envs   # the section's models and the parser's tables are built once, outside any formula's budget
        warm_parser()
        start = time.monotonic()
        deadline = min(start + self.timeout, self.run_deadline)
        with budget.limit(deadline):   # reading, normalizing, evaluating, diagnosing: one budget
            try:
                results = self._audit_within(formula, base, start, deadline)
            except TimeoutError:
                results = [Result(**base, claim="", verdict="unsupported", reason=self._spent_reason())]
            except Exception as exc:  # noqa: BLE001 - the safety net: a bug of ours must not lose the file
                results = [Result(**base, claim="", verdict="unsupported", reason=net.reason(exc))]
        elapsed = time.monotonic() - start
        for r in results:
            r.seconds = elapsed / max(1, len(results))
        return results

    def _spent_reason(self) -> str:
        return RUN_SPENT if time.monotonic() >= self.run_deadline else f"timed out after {self.timeout:g} s"

    def _audit_within(self, formula: Formula, base: dict, start: float, deadline: float) -> list[Result]:
        try:
            parsed = self.parse(formula.latex)
        except NotationError as exc:
            return [Result(**base, claim="", verdict="unsupported", reason=f"cannot parse: {exc.message}")]
        notes = list(getattr(parsed, "notes", ()) or ())
        self._definitions(parsed)
        chains = self._chains(parsed, formula)
        if not chains:
            reason = (f"an inequality ({', '.join(sorted(set(self.inequalities)))}) is not a claim gradaudit checks"
                      if self.inequalities else "no equation to check (a definition context or an algorithm line)")
            return [Result(**base, claim="", verdict="unsupported", reason=reason)]
        results = []
        total_claims = sum(len(c) - 1 for c in chains)
        step_no = 0
        for chain in chains:
            try:
                results.extend(self._audit_chain(chain, base, deadline, step_no, total_claims))
            except TimeoutError:
                for k in range(step_no, total_claims):
                    results.append(Result(**base, claim="", verdict="unsupported", step=k + 1, steps=total_claims,
                                          reason=self._spent_reason()))
                break
            except Exception as exc:  # noqa: BLE001 - the safety net: the formula's other chains still count
                for k in range(step_no, step_no + len(chain) - 1):
                    results.append(Result(**base, claim="", verdict="unsupported", step=k + 1, steps=total_claims,
                                          reason=(str(exc) if isinstance(exc, EvalError) else net.reason(exc))))
            step_no += len(chain) - 1
        if notes:
            for r in results:
                if r.verdict == "correct":  # right only as the parser repaired it: informal, not exact
                    r.verdict = "notation"
                    r.reason = "read with a repair of the LaTeX: " + "; ".join(notes)
        for r in results:
            r.notes = notes
            if self.section.layer_variable:
                _write_layer_variable(r, self.section.layer_variable)
        return results

    def _definitions(self, parsed) -> None:
        """\\delta^l \\equiv \\frac{\\partial C}{\\partial z^l}: the notes name a quantity for the formulas after it."""
        statements = [N.Statement(tuple(normalize(x, self.section) for x in st.steps[:2]), (":=",))
                      for st in parsed.statements if isinstance(st, N.Statement) and None not in st.steps
                      and (st.rels == (":=",) or st.rels[:1] == ("=",) and len(st.steps) >= 2
                           and self._names_a_derivative(st.steps[:2]))]   # \delta = dE/da = ...: a chain defines too
        if statements:
            register_definitions(statements, self.section.parsed_aliases, _known_name)

    def _names_a_derivative(self, steps) -> bool:
        """\\delta^l_j = \\frac{\\partial C}{\\partial z^l_j} written with '=': a name nothing in the network or the notes
        means yet, equated to a derivative of the loss, is the notes' definition of that name (Nielsen's delta)."""
        name, target = steps
        if not (isinstance(name, N.Sym) and isinstance(target, N.Deriv) and isinstance(target.num, N.Sym)
                and self._names_the_loss(target.num) and isinstance(target.den, N.Sym)) or _known_name(name):
            return False
        plain = replace(name, index=(), index_style="", layer=None, style="")
        return not any(isinstance(k, N.Sym) and replace(k, index=(), index_style="", layer=None, style="") == plain
                       for k in self.section.parsed_aliases)

    def _names_the_loss(self, sym: N.Sym) -> bool:
        """J, C, L, or the notes' own name for it (Bishop's E_n, declared or inferred as J)."""
        value = self.section.parsed_aliases.get(alias_key(sym))
        value = getattr(value, "target", value)
        return is_loss(sym) or (isinstance(value, N.Sym) and is_loss(value))

    # -- chains
    def _chains(self, parsed, formula: Formula) -> list[list]:
        chains = []
        lhs_node = None
        if formula.lhs:
            try:
                lhs_node = _single_node(self.parse(formula.lhs))
            except (NotationError, ValueError):
                lhs_node = None
        self.inequalities = []
        self.conditions = {}   # keyed by id() of this formula's chains only: ids of freed lists come back
        self.borrowed = set()  # ids of this formula's chains whose left side is an earlier display's
        for statement in parsed.statements:
            if not isinstance(statement, N.Statement):
                continue
            steps = [normalize(x, self.section) if x is not None else None for x in statement.steps]
            rels = list(statement.rels)
            unequal = [r for r in rels if r in INEQUALITIES]
            if unequal and len(steps) == 2:
                self.inequalities += unequal   # 'dW \neq ...' is no derivation step: never read as '='
                continue
            current = []
            for i, step in enumerate(steps):
                if step is None or (i > 0 and i - 1 < len(rels) and rels[i - 1] in INEQUALITIES):
                    continue   # inside a chain, what follows a \neq is a side condition (i \neq j), not a step
                current.append(step)
                rel = rels[i] if i < len(rels) else None
                if rel in ("->",) and i + 1 < len(steps) and not isinstance(steps[i + 1], N.Space) \
                        and _is_label(steps[i + 1]) and i + 2 < len(steps):
                    chains.append(current)   # "a = b -> c = d": a new equation starts at c
                    current = []
            chains.append(current)
            condition = self._layer_condition(getattr(statement, "annotation", ""))
            if condition is not None:
                self.conditions[id(current)] = condition
            opens = statement.steps and (statement.steps[0] is None or getattr(statement, "opens_with", ""))
            if opens and self.previous_reference is not None and not formula.continues:
                chains[-1].insert(0, self.previous_reference)
                self.borrowed.add(id(chains[-1]))
        chains = [c for c in chains if c]
        if lhs_node is not None:
            lhs_node = normalize(lhs_node, self.section)
        if lhs_node is not None and chains:
            chains[0].insert(0, lhs_node)
        elif formula.continues and chains and self.references.get(formula.continues) is not None:
            chains[0].insert(0, self.references[formula.continues])
        elif formula.continues and self.previous_reference is not None and chains:
            chains[0].insert(0, self.previous_reference)
        if chains and len(chains[-1]) > 1:
            self.previous_reference = chains[-1][0]
        if chains and len(chains[0]) > 1:
            self.references[formula.id] = chains[0][0]
        return [c for c in chains if len(c) > 1]

    def _layer_condition(self, annotation: str):
        """'for l < L', 'if l \\le L-1': a side condition on layer numbers, as a test of a context's bindings."""
        words = annotation.strip().split(None, 1)
        if len(words) < 2 or words[0].lower().strip(",") not in ("for", "if", "when", "whenever"):
            return None
        try:
            statement = next(x for x in self.parse(words[1]).statements if isinstance(x, N.Statement))
        except (NotationError, StopIteration):
            return None
        ops = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
               ">=": lambda a, b: a >= b, "!=": lambda a, b: a != b, "=": lambda a, b: a == b}
        if len(statement.steps) != 2 or len(statement.rels) != 1 or statement.rels[0] not in ops:
            return None
        names = {n.name for side in statement.steps for n in walk(side) if isinstance(n, N.Sym)}
        free = names - {"L"}   # l, or the one other letter a text uses for any layer (Goodfellow's k)
        if not names or len(free) > 1 or any(len(n) != 1 or not n.islower() or n in SIZE_LETTERS for n in free):
            return None
        test, (left, right) = ops[statement.rels[0]], statement.steps

        def holds(ctx) -> bool:
            from .evaluate import layer_value
            try:
                return bool(test(layer_value(left, ctx), layer_value(right, ctx)))
            except EvalError:
                return True   # the condition names a layer this claim does not run over
        return holds

    def _audit_chain(self, chain, base, deadline, offset, total) -> list[Result]:
        symbols = layer_symbols(*chain)
        free = free_layer_variable(symbols)
        inside = {id(x) for x in _layer_parts(chain)} if free and free != "l" else set()
        if inside and any(isinstance(n, N.Sym) and n.name == free and id(n) not in inside
                          for node in chain for n in walk(node)):
            symbols = symbols - {free}   # n also written as a number of its own (1/n): not a layer variable
        contexts = list(self.envs.contexts(symbols, hidden_layers_named(chain), self._one_example(chain)))
        condition = self.conditions.get(id(chain))
        if condition is not None:
            contexts = [c for c in contexts if condition(c)]   # 'for l < L': only the layers the text means
        if not contexts:
            raise EvalError("no depth of this network has the layers the formula names")
        numbered = _numbered_element(chain)
        declared = notes_sizes(self.section.architecture)
        if numbered is not None and declared:
            # scores_0 + scores_1 + scores_2: the notes' own example, checked at the sizes they declare
            contexts = [c for c in contexts if tuple(getattr(c.model.sizes, "widths", ())) == declared] or contexts
        chain_as_read = chain
        chain, readings = operator_readings(chain, contexts)
        written_lhs = chain[0]
        chain = update_rule(chain)
        reference, label_fix = self._reference(chain, contexts, deadline)
        results = []
        for k in range(1, len(chain)):
            step = chain[k]
            claim_text = f"{_latex(reference if reference is not None else chain[k - 1])} = {_latex(step)}"
            result = Result(**base, claim=claim_text, verdict="unsupported", step=offset + k, steps=total)
            if k == 1 and label_fix is not None:
                result.verdict = "error"
                result.errors.append(label_fix)
                result.corrected_latex = f"{label_fix.fix_latex} = {_latex(step)}"
                if CONFIRM:   # shown only if it holds in 60 digits too
                    self._verify_correction(result, contexts, deadline)
                results.append(result)
                continue
            ref = reference if reference is not None else chain[k - 1]
            self._accepted = None   # what float64 accepted, for the 60-digit confirmation
            self._verdict(result, ref, step, contexts, deadline, total)
            self._verify_correction(result, contexts, deadline)
            self._confirm(result, ref, step, contexts, deadline, total)
            self._layout_definition(result, ref, step)
            if numbered is not None and result.verdict == "error":
                self._example_label(result, ref, step, contexts, deadline)
            if result.verdict == "correct" and any(softmax_of_element(n) for x in (ref, step) for n in walk(x)):
                result.verdict = "notation"
                result.reason = "softmax(z_k), the softmax of one element, read as element k of softmax(z)"
            _dot_product_reading(result, step)
            if result.verdict == "correct" and readings:
                result.verdict = "notation"
                result.reason = "; ".join(readings)
            results.append(result)
        _name_broken_steps(results)
        if self.section.architecture.averaging != "single" and self._sums_a_lone_index(chain):
            for r in results:   # \sum_i dS_i: i may be the example (a row of the batch) or a unit; not pinned down
                if r.verdict == "error":
                    r.verdict, r.errors, r.corrected_latex = "unsupported", [], ""
                    r.reason = ("a sum with no limits over an element index: whether "
                                "it runs over the examples or over the units is not pinned down, and read as "
                                "gradaudit reads it, it does not hold")
        if numbered is not None and not declared and not self.section.architecture.is_cnn and _enumerates(chain):
            for r in results:   # an example's elements by number hold at its sizes, which the notes do not give
                if r.verdict == "error":
                    r.verdict, r.errors, r.corrected_latex = "unsupported", [], ""
                    r.reason = (f"the formula names elements by number ({_latex(numbered)}), so it speaks of one "
                                "example's sizes, and the network declares none (sizes: [...]); at the widths "
                                "tried it does not hold")
        if id(chain_as_read) in self.borrowed and reference is chain[0]:
            _unwritten_left_side(results if label_fix is None else results[:1], _latex(chain[0]))
        if chain[0] is not written_lhs:   # an update rule: show its left side as written, not as W_{new}
            for r in results:
                tagged, written = _latex(chain[0]), _latex(written_lhs)
                r.claim = r.claim.replace(tagged, written, 1)
                if r.corrected_latex.startswith(tagged):
                    r.corrected_latex = written + r.corrected_latex[len(tagged):]
        return results

    def _example_label(self, result: Result, ref, step, contexts, deadline) -> None:
        r"""A worked example's claim by numbered elements that holds when the example's target is one class
        (-scores_2 + \log \sum_j e^{scores_j}: the true class is 2) speaks of that example's label, which the notes
        fix and gradaudit cannot know: unsupported, saying which class, never an error."""
        if self.section.architecture.loss != "cce" or _writes_target(ref, step, contexts[0]):
            return   # a claim that writes the target (trueprob_2) speaks of every target
        width = min(np.shape(c.model.values["Y"])[c.model.class_axis] for c in contexts)
        labels = []
        for label in range(width):
            labelled = [replace(c, model=c.model.with_label(label)) for c in contexts]
            try:
                outcome = judge(ref, step, labelled, deadline)
            except (EvalError, ValueError, ArithmeticError, IndexError):
                continue
            if outcome.match is Match.EQUAL:
                labels.append(label)
        if labels:
            base = 0 if any(isinstance(n, N.Sym) and (N.Num(0) in n.index or "0" in n.index_style.partition("digits:")[2])
                            for x in (ref, step) for n in walk(x)) else 1
            classes = " or ".join(str(c + base) for c in labels)
            result.verdict, result.errors, result.corrected_latex = "unsupported", [], ""
            result.reason = (f"it holds only when the example's true class is {classes} (as the formula counts): "
                             "the notes' example fixes its label, which gradaudit does not know")

    def _sums_a_lone_index(self, chain) -> bool:
        """Does a sum with no limits bind an element index of some name (\\sum_i dS_i, \\sum_k \\sum_j (W^{[l]}_{kj})^2)?
        Its range is then not pinned down (the examples, or the units); a sum with limits says which."""
        for node in chain:
            for n in walk(node):
                if isinstance(n, N.Sum) and n.index is not None and n.upper is None and n.lower is None:
                    bound = n.index.name
                    if any(isinstance(x, N.Sym) and any(isinstance(i, N.Sym) and i.name == bound for i in x.index)
                           for x in walk(n.body)):
                        return True
        return False

    def _one_example(self, chain) -> bool:
        """Index notation and one example's lowercase names speak of one example, unless the chain sums up to the
        example count (m, or the notes' own name for it)."""
        return _one_example_chain(chain, self.section) and not any(
            isinstance(n, N.Sum) and self._example_count(n.upper) for node in chain for n in walk(node))

    def _example_count(self, node) -> bool:
        """m, or the notes' own name for it (CS231n's N): a sum up to it runs over the batch's examples."""
        if node == N.Sym("m"):
            return True
        value = self.section.parsed_aliases.get(alias_key(node)) if isinstance(node, N.Sym) else None
        return getattr(value, "target", value) == N.Sym("m")   # a names: entry's target is wrapped (ToolName)

    def _reference(self, chain, contexts, deadline):
        """The quantity the chain is about, and a label error on its first step if there is one."""
        first = chain[0]
        if len(chain) < 3 or not _is_label(first) or _unknown_in(first, contexts):
            return first, None   # a name the network does not know is no wrong label: its claim is unsupported
        agree_first = sum(1 for s in chain[1:] if _agrees(first, s, contexts, deadline))
        if agree_first >= 1:
            return first, None
        second = chain[1]
        if _is_label(second) and sum(1 for s in chain[2:] if _agrees(second, s, contexts, deadline)) >= 1:
            fix = diagnose.relabel(first, second, contexts, deadline)
            if fix is not None:
                return second, fix
            return second, ErrorItem("label", f"{_latex(first)} names another quantity than the steps that follow "
                                              f"({_latex(second)})", "")
        return first, None

    def _verdict(self, result: Result, ref, step, contexts, deadline, claims: int = 1):
        outcome = judge(ref, step, contexts, deadline)
        budget = min(deadline, time.monotonic() + max(0.5, self.timeout / (2 * max(1, claims))))
        if outcome.match is None and _unknown_in(ref, contexts):
            fix = diagnose.relabel(ref, step, contexts, budget)
            if fix is not None:
                result.verdict = "error"
                result.errors.append(fix)
                result.corrected_latex = f"{fix.fix_latex} = {_latex(step)}"
                return
        if outcome.match is None and outcome.unknown in EXAMPLE_COUNTS and self.section.architecture.averaging == "mean":
            # 1/n X^T (yhat - y), \sum_{i=1}^{n}: n, named nowhere, in a loss averaged over the examples
            as_m = [_example_sums(open_readings.rename(x, outcome.unknown, "m"), contexts[0]) for x in (ref, step)]
            self._verdict(result, *as_m, contexts, deadline, claims)
            said = f"{outcome.unknown}, named nowhere, is read as the number of examples m"
            if result.verdict == "correct":
                result.verdict, result.reason = "notation", said
            elif result.verdict == "error":
                result.reason = (result.reason + "; " if result.reason else "") + said
            return
        if outcome.match is None and "sets no default layer" in outcome.reason and _dummy_variable(ref, step):
            # \sigma(a) = 1/(1 + e^{-a}): an identity in one bare letter holds for every value of it, so any
            # layer's values test it
            self._verdict(result, ref, step, [replace(c, default_layer=1) for c in contexts], deadline, claims)
            return
        if outcome.match is None and termwise.has_ellipsis(step):
            if self._written_terms(result, ref, step, contexts):
                return
        if outcome.match is None:
            searchable = not any(isinstance(n, OPAQUE) for n in walk(step)) and _fails_on_dimensions(step, contexts)
            if searchable and _foreign(outcome.unknown):
                searchable = False   # a name of the notes' own (N): an edit deleting it would explain nothing
            if searchable and (outcome.unknown or _evaluable(ref, contexts)):
                found = diagnose.bounded_search(ref, step, contexts, budget, self.strict)
                if found is not None:
                    self._apply(result, ref, found)
                    return
            result.verdict = "unsupported"
            result.reason = outcome.reason
            return
        if outcome.match is Match.SHAPE and _written_size(ref) and not _evaluable(ref, contexts):
            result.verdict = "error"   # the left side's written size is wrong: no edit of the right side helps
            result.errors.append(ErrorItem("dimension", outcome.reason, ""))
            return
        if outcome.match is Match.EQUAL:
            result.verdict = "correct"
            self._accepted = (ref, step, contexts, (Match.EQUAL,))
            return
        if outcome.match is Match.LOCAL:
            result.verdict = "notation"
            result.reason = "a Jacobian written as the factor it contributes in backpropagation"
            self._accepted = (ref, step, contexts, (Match.EQUAL, Match.LOCAL))
            return
        if self.section.architecture.convention == "index" and self._holds_with_column_vectors(ref, step, deadline):
            result.verdict = "correct"
            return
        hidden = [c for c in contexts if c.layer_variable in c.bindings and "L" in c.bindings
                  and c.bindings[c.layer_variable] < c.bindings["L"]]
        if _names_the_input(ref, step) and all(c.bindings[c.layer_variable] == 1 for c in hidden):
            hidden = []   # z^{[l]} = W^{[l]} x + b^{[l]} holding at l = 1 alone: the input x is layer 1's only
        if hidden and len(hidden) < len(contexts) and judge(ref, step, hidden, deadline).match is Match.EQUAL:
            result.verdict = "notation"
            result.reason = ("holds for the hidden layers l < L, not for the output layer l = L, which has a formula "
                             "of its own: say 'for l < L'")
            self._accepted = (ref, step, hidden, (Match.EQUAL,))
            return
        if self.section.shorthand_open and any(isinstance(n, N.Shorthand) for side in (ref, step) for n in walk(side)):
            per_example = [replace(c, shorthand="per-example") for c in contexts if c.shorthand == "total"]
            if per_example and judge(ref, step, per_example, deadline).match is Match.EQUAL:
                result.verdict = "notation"   # the notes never say whether dZ is one example's or the batch's
                result.reason = ("holds when dZ is read per example (dZ^{[L]} = A^{[L]} - Y, the 1/m in dW), which "
                                 "these notes do not pin down; declare 'shorthand: per-example' or 'total'")
                self._accepted = (ref, step, per_example, (Match.EQUAL,))
                return
        self._diagnose(result, ref, step, contexts, deadline, budget, outcome)

    def _diagnose(self, result: Result, ref, step, contexts, deadline, budget, outcome):
        """A claim that does not hold: a layout repair, else the smallest edit that makes it right."""
        free = contexts[0].layer_variable if contexts else "l"
        if free == "n" and free in contexts[0].bindings:
            # n is also a count in these notes (the layers, the units): Z^{[n]} holding at one n only names that
            # layer; Goodfellow's k is a layer variable like l, and a claim that holds at one k only is wrong
            holding = sorted({c.bindings[free] for c in contexts
                              if judge(ref, step, [c], deadline).match is Match.EQUAL})
            if holding:
                result.verdict = "notation"
                result.reason = (f"the layer index {free} is bound nowhere in the formula; the claim holds for "
                                 f"{free} = {', '.join(map(str, holding))} only: say which layer it means")
                return
        regrouped = transform(step, _elementwise_first)
        if regrouped != step and judge(ref, regrouped, contexts, deadline).match is Match.EQUAL:
            result.verdict = "notation"   # (u \odot v) a^T: the brackets the notes wrote, which the tree cannot keep
            result.reason = ("holds with the elementwise product taken before the matrix product, (u \odot v) a^T, "
                             "as brackets around it say; without them it reads u \odot (v a^T)")
            return
        reading = self._open_reading(ref, step, contexts, deadline)
        if reading:
            result.verdict = "notation"
            result.reason = reading
            return
        if self._contradicts_declared_activation(result, ref, step, contexts, deadline):
            return
        repaired = layout.repair(ref, step, contexts, deadline)
        if repaired is not None:
            if repaired.layout_only or not self.strict:
                result.verdict = "notation"
                result.reason = repaired.detail
                result.corrected_latex = f"{_latex(ref)} = {_latex(repaired.node)}"
                self._accepted = (ref, repaired.node, contexts, (Match.EQUAL,))   # if its LaTeX does not parse back
                return
            result.verdict = "error"
            result.errors.append(ErrorItem(repaired.kind, repaired.detail, _latex(repaired.node)))
            result.corrected_latex = f"{_latex(ref)} = {_latex(repaired.node)}"
            return
        found = diagnose.bounded_search(ref, step, contexts, budget, self.strict)
        if found is not None:
            self._apply(result, ref, found)
            return
        result.verdict = "error"
        kind = "dimension" if outcome.match is Match.SHAPE else "unexplained"
        detail = (outcome.reason or "the two sides have different shapes") if outcome.match is Match.SHAPE \
            else "no small edit makes it right"
        result.errors.append(ErrorItem(kind, detail, ""))

    def _layout_definition(self, result: Result, ref, step) -> None:
        """Z = A W + b in a network whose layout is W A: the forward formula defines another network than the one
        declared (or inferred from the notes' other formulas), an error of kind `definition`."""
        if result.verdict != "error" or [e.kind for e in result.errors] != ["transpose"] or not result.corrected_latex \
                or not isinstance(ref, N.Sym):
            return
        written = infer.affine_of(step, ref)
        network_rows = self.section.architecture.convention == "row"
        if written is None or (written[3] == "row") == network_rows:
            return   # the weight on the network's side: a transpose slip (w X for w^T X), not another network
        network = "the network inferred from the notes' other formulas" if self.section.inferred \
            else "the declared network"
        layout = self.section.architecture.declared_convention or self.section.architecture.convention
        error = result.errors[0]
        error.kind = "definition"
        error.detail = f"this forward formula writes another layout than {network} ({layout}): {error.detail}"

    def _contradicts_declared_activation(self, result: Result, ref, step, contexts, deadline) -> bool:
        """A forward formula `A = \\sigma(Z)` in a network declared with tanh there: the notes define another
        network than the one declared. An error of kind `definition`, corrected with the declared activation."""
        written = infer.activation_of(step)
        if written is None or not isinstance(ref, N.Sym):
            return False
        name, arg = written
        for other in primitives.NAMES:
            if other in (name, "g") or not primitives.is_known(other):
                continue
            candidate = N.Call(infer.WRITTEN_FUNCTION.get(other, other), (arg,))
            if judge(ref, candidate, contexts, deadline).match is Match.EQUAL:
                result.verdict = "error"
                network = "the network inferred from the notes' first formulas" if self.section.inferred \
                    else "the declared network"
                result.errors.append(ErrorItem(
                    "definition", f"the activation here is {other}, not {name}: this formula defines another network "
                    f"than {network}", _latex(candidate)))
                result.corrected_latex = f"{_latex(ref)} = {_latex(candidate)}"
                return True
        return False

    def _open_reading(self, ref, step, contexts, deadline) -> str:
        """The reading the notes leave open under which a failing claim holds (open_readings.py), or ''."""
        for read, why in open_readings.READINGS:
            new = read(step, contexts[0])
            if new != step and judge(ref, new, contexts, deadline).match is Match.EQUAL:
                return why
        n = hidden_layers_named([ref, step])
        symbols = layer_symbols(ref, step)
        if self.section.architecture.general and n in GENERAL_DEPTHS and not symbols & {"L", "l"}:
            # layer n of a note's n-layer example is its output layer, not a hidden layer of a deeper network
            example = [c for c in self.envs.contexts(symbols, 0, _one_example_chain([ref, step], self.section))
                       if c.bindings.get("L") == n]
            if example and judge(ref, step, example, deadline).match is Match.EQUAL:
                return (f"holds when layer {n} is the output layer (an example network of {n} layers), not for a "
                        f"hidden layer {n} of a deeper network: say which the formula means")
        return ""

    def _holds_with_column_vectors(self, ref, step, deadline) -> bool:
        if any(isinstance(n, N.Sym) and n.index for node in (ref, step) for n in walk(node)):
            return False   # element indices mean the same in both layouts: nothing to reread
        columns = list(self.column_envs.contexts(layer_symbols(ref, step), hidden_layers_named([ref, step])))
        holds = bool(columns) and judge(ref, step, columns, deadline).match is Match.EQUAL
        if holds:
            self._accepted = (ref, step, columns, (Match.EQUAL,))
        return holds

    def _written_terms(self, result: Result, ref, step, contexts) -> bool:
        """A sum elided with \\dots: check the terms it writes out (termwise.py). True when that decides it."""
        verdicts = []
        for ctx in contexts:
            ctx.index_ranges = {}
            infer_ranges((ref, step), ctx)
            verdicts.append(termwise.check_written_terms(ref, step, ctx))
        wrong = next((v for v in verdicts if v is not None and v.kind), None)
        if wrong is not None:
            result.verdict = "error"
            result.errors.append(ErrorItem(wrong.kind, wrong.detail, ""))
            return True
        if verdicts and all(v is not None for v in verdicts):
            result.verdict = "unsupported"
            result.reason = "every term written out holds; the terms elided by \\dots cannot be checked"
            return True
        return False

    def _verify_correction(self, result: Result, contexts, deadline):
        """A corrected formula is shown only if its LaTeX parses back to a claim that holds, in float64 and then
        in 60-digit arithmetic (an edit that holds only to float64's precision is no diagnosis)."""
        if not result.corrected_latex:
            return
        repaired = None
        try:
            parsed = self.parse(result.corrected_latex)
            statement = next(s for s in parsed.statements if isinstance(s, N.Statement))
            left, right = update_rule([normalize(x, self.section) for x in statement.steps[:2]])
            budget = max(deadline, time.monotonic() + 1.0)
            outcome = judge(left, right, contexts, budget)
            ok = outcome.match in (Match.EQUAL, Match.LOCAL)
            if not ok and not self.strict and outcome.match is not None:
                repaired = layout.repair(left, right, contexts, budget)
                ok = repaired is not None
        except Exception:  # unreadable or unevaluable: not a verified correction
            ok = False
        if ok and CONFIRM:
            right = repaired.node if repaired is not None else right
            confirmed = exact.confirm(judge, left, right, contexts, budget, (Match.EQUAL, Match.LOCAL))
            ok = confirmed.evaluated   # unconfirmable: not shown, as a correction that does not parse back
            if ok and not confirmed.holds:
                self._near_miss(result, "the edit the search found is right only to float64's precision (corrected, "
                                        f"{confirmed.detail})")
                return
        if not ok:
            result.corrected_latex = ""
            for e in result.errors:
                e.fix_latex = ""
            result.reason = (result.reason + "; " if result.reason else "") + \
                "the correction found could not be verified from its LaTeX, so it is not shown"

    def _confirm(self, result: Result, ref, step, contexts, deadline, claims: int) -> None:
        """A claim float64 accepts is evaluated once more in 60 digits (audit/exact.py); one that fails there is
        an error, diagnosed as any other (its correction, if one is found, confirmed in 60 digits too)."""
        accepted, self._accepted = self._accepted, None
        if not CONFIRM or accepted is None or result.verdict not in ("correct", "notation") or result.corrected_latex:
            return
        left, right, where, accept = accepted
        confirmed = exact.confirm(judge, left, right, where, deadline, accept)
        if confirmed.holds:
            return
        if not confirmed.evaluated:   # a failure of the 60-digit evaluation is no evidence against the claim
            result.verdict, result.reason, result.errors, result.corrected_latex = "unsupported", confirmed.detail, [], ""
            return
        result.verdict, result.reason, result.errors, result.corrected_latex = "error", "", [], ""
        budget = min(deadline, time.monotonic() + max(0.5, self.timeout / (2 * max(1, claims))))
        self._diagnose(result, ref, step, contexts, deadline, budget, Outcome(Match.DIFFER))
        self._verify_correction(result, contexts, deadline)
        if result.verdict != "error" or (result.errors and result.errors[0].kind == "unexplained"):
            self._near_miss(result, confirmed.detail)

    def _near_miss(self, result: Result, detail: str) -> None:
        """An error float64 cannot see: no correction is shown, only what the 60-digit evaluation found."""
        result.verdict = "error"
        result.corrected_latex = ""
        result.reason = ""
        result.errors = [ErrorItem("unexplained", f"{detail}; no small edit makes it right", "")]

    def _apply(self, result, ref, found):
        result.verdict = "error"
        if found.ref is None and isinstance(found.node, (N.Shorthand, N.Deriv)) \
                and found.kind in ("index", "step", "definition"):
            found.kind = "label"   # one name equated to another: the name is what is wrong
        if found.node is None:   # a diagnosis without a correction (a chain factor that is zero)
            result.errors.append(ErrorItem(found.kind, found.detail, ""))
            return
        fixed_ref = found.ref if found.ref is not None else ref
        fixed_label = found.kind == "label" and found.ref is not None
        result.errors.append(ErrorItem(found.kind, found.detail, _latex(fixed_ref if fixed_label else found.node)))
        for kind, detail in found.more:
            result.errors.append(ErrorItem(kind, detail, _latex(found.node)))
        result.corrected_latex = f"{_latex(fixed_ref)} = {_latex(found.node)}"

    @property
    def strict(self) -> bool:
        """Strict sections treat a misplaced transpose or order as an error; informal ones as notation."""
        return self.section.notation != "informal"


LAYER_L = re.compile(r"(\^\{?[\[(]?)l(?=[\])}+\-])")


def _write_layer_variable(result: Result, variable: str) -> None:
    """The claim and its correction shown with the notes' own layer letter (h^{(k)}), not the l it was read as."""
    def put(text: str) -> str:
        return LAYER_L.sub(lambda m: m.group(1) + variable, text) if text else text
    result.claim = put(result.claim)
    result.corrected_latex = put(result.corrected_latex)
    for e in result.errors:
        e.fix_latex, e.detail = put(e.fix_latex), put(e.detail)


def hidden_layers_named(chain) -> int:
    """The largest concrete layer number a chain names (0 when none)."""
    top = 0
    for node in chain:
        for sub in walk(node):
            layer = getattr(sub, "layer", None) if isinstance(sub, (N.Sym, N.Call)) else None
            if isinstance(layer, N.Num):
                top = max(top, int(layer.value))
    return top


def operator_readings(chain, contexts):
    """dA/dZ written before the expression it differentiates (dA/dZ [1/(1+e^{-Z})]) is the operator d/dZ.

    The reading is taken only when the expression is the numerator's own value, so that it
    cannot turn a product into something else; the claim is then `notation`.
    """
    out, readings = [], []
    ctx = contexts[0]
    for step in chain:
        new = _as_operator(step, ctx)
        if new is not step:
            readings.append(f"{_latex(step.factors[0])} written before an expression is read as the operator "
                            f"that differentiates it")
        summed = _example_sums(new, ctx)
        if summed is not new and not _sums_of_one_example(new, ctx):
            readings.append("a sum over i = 1..m of a quantity that has no index i is read as the sum over the "
                            "m examples")
        out.append(summed)
    return out, readings


def _example_sums(step, ctx):
    """\\sum_{i=1}^{m} dZ^{[l]}: the author sums dZ over its m examples and left the index off dZ."""
    from .resolve import transform
    arch = ctx.model.arch
    if arch.is_cnn or getattr(ctx.model, "convention", "") not in ("column", "column-wT", "row"):
        return step
    axis = 1 if ctx.model.convention in ("column", "column-wT") else 0

    def fn(n):
        if _over_examples(n) \
                and not any(isinstance(x, N.Sym) and x.name == n.index.name for x in walk(n.body)) \
                and not _is_loss_term(n.body):   # \sum_i \mathcal{L}^{(i)}: m examples' losses, each a number
            body = transform(n.body, _elementwise_first)   # one example's u \odot (v a^T) is (u \odot v) a^T
            if ctx.model.convention == "column" and _outer_product(body):
                return body   # \sum_i dz^{(i)} a^{(i)T} is the product of the batches dZ A^T: the product sums
            return N.Sum(n.body, axis=axis, keepdims=True, style="np")
        return n
    return transform(step, fn)


def _elementwise_first(n):
    """u \\odot (v a^T), as normalize groups u \\odot v a^T, back to (u \\odot v) a^T: the grouping of bracketed notes."""
    if isinstance(n, N.Mul) and n.op in ("odot", "star") and len(n.factors) >= 2 and isinstance(n.factors[-1], N.Mul) \
            and n.factors[-1].op == "juxt" and len(n.factors[-1].factors) >= 2:
        inner = n.factors[-1]
        return N.Mul((N.Mul(n.factors[:-1] + (inner.factors[0],), n.op),) + inner.factors[1:], "juxt")
    return n


def _dot_product_reading(result: Result, step) -> None:
    """w \\cdot x of two vectors, its only fault a transpose: the inner product w^T x, as the dot says."""
    if result.verdict != "error" or [e.kind for e in result.errors] != ["transpose"]:
        return
    def vector(f):
        return isinstance(f, N.Sym) and f.name.islower() and not f.index and not f.hat
    if any(isinstance(n, N.Mul) and n.op == "cdot" and len(n.factors) == 2 and all(map(vector, n.factors))
           for n in walk(step)):
        result.verdict, result.errors = "notation", []
        result.reason = "u \\cdot v of two vectors read as their inner product u^T v"


def _over_examples(n) -> bool:
    """\\sum_{i=1}^{m} Q, or \\sum_i Q with no limits, where Q has no index i (its per-example superscripts (i)
    read off): the sum over the m examples."""
    if not (isinstance(n, N.Sum) and isinstance(n.index, N.Sym)):
        return False
    if n.upper == N.Sym("m") and n.lower in (N.Num(1), N.Num(0)):
        return True
    return n.upper is None and n.lower is None and n.index.name in ("i", "n") \
        and not any(isinstance(x, N.Sym) and x.name == n.index.name for x in walk(n.body))


def _outer_product(body) -> bool:
    """u v^T of two of one example's column vectors (lowercase a, z, x, dz, ..., or an elementwise expression of
    them such as (a^{[2]} - y))."""
    def vector(x):
        x = x.of if isinstance(x, N.Shorthand) else x
        if isinstance(x, (N.Add, N.Mul)) and not (isinstance(x, N.Mul) and x.op == "juxt"):
            parts = x.terms if isinstance(x, N.Add) else x.factors
            return all(vector(f) or isinstance(f, N.Num) for f in parts) and any(vector(f) for f in parts)
        if isinstance(x, N.Mul):   # W^{[3]T} (a - y): a matrix applied to one example's vector
            return vector(x.factors[-1]) and all(matrix(f) for f in x.factors[:-1])
        if isinstance(x, N.Neg):
            return vector(x.arg)
        return isinstance(x, N.Sym) and x.name in ("a", "z", "x", "y") and not x.index

    def matrix(x):
        x = x.arg if isinstance(x, N.Transpose) else x
        return isinstance(x, N.Sym) and x.name in ("W", "w") and not x.index
    return (isinstance(body, N.Mul) and body.op == "juxt" and len(body.factors) == 2 and vector(body.factors[0])
            and isinstance(body.factors[1], N.Transpose) and vector(body.factors[1].arg))


def _sums_of_one_example(step, ctx) -> bool:
    """\\sum_{i=1}^{m} (y^{(i)} \\log a^{[L](i)} ...): in a batch text lowercase a, z, y are example i's vectors (Ng),
    so summing them over the examples is what the text says, not a reading of an informal sum."""
    if ctx.model.convention != "column":
        return False
    sums = [n for n in walk(step) if _over_examples(n)]
    for n in sums:
        names = [x.of.name if isinstance(x, N.Shorthand) else x.name for x in walk(n.body)
                 if isinstance(x, (N.Sym, N.Shorthand))]
        if not any(x in ("a", "z", "y") for x in names) or any(x in ("A", "Z", "Y") for x in names):
            return False
    return bool(sums)


def _is_loss_term(node) -> bool:
    from .evaluate import _loss_call, is_loss
    return is_loss(node) or (isinstance(node, N.Call) and _loss_call(node))


def _as_operator(step, ctx):
    from .compare import close
    if not (isinstance(step, N.Mul) and len(step.factors) == 2 and isinstance(step.factors[0], N.Deriv)):
        return step
    deriv, body = step.factors
    try:
        num_value = evaluate(deriv.num, ctx)
        body_value = evaluate(body, ctx)
    except Exception:
        return step
    if isinstance(num_value, np.ndarray) and isinstance(body_value, np.ndarray) and close(num_value, body_value):
        return N.DerivOp(deriv.den, body, deriv.partial)
    return step


def update_rule(chain):
    """W = W - alpha dJ/dW: the left side is the updated value."""
    if len(chain) != 2 or not isinstance(chain[0], N.Sym) or chain[0].tag == "new":
        return chain
    names = {(s.name, s.layer) for s in walk(chain[1]) if isinstance(s, N.Sym)}
    if (chain[0].name, chain[0].layer) in names and (("alpha", None) in names or ("eta", None) in names):
        return [replace(chain[0], tag="new"), chain[1]]
    return chain


# nodes no edit can make checkable: elided terms (\dots), matrices written with them, prose
OPAQUE = (N.Dots, N.Matrix, N.Max, N.Text)


def _fails_on_dimensions(step, contexts) -> bool:
    """Edits may repair a step that evaluates to a wrong value or to non-conforming shapes, never one the
    evaluator cannot read (dropping the unreadable part would 'fix' anything)."""
    for ctx in contexts[:3]:
        try:
            ctx.index_ranges = {}
            infer_ranges((step,), ctx)
            evaluate(step, ctx)
            return True
        except (DimensionError, UnknownSymbol):
            return True
        except Exception:
            continue
    return False


def _foreign(unknown: str) -> bool:
    """An unknown bare name (N, Q, \\beta): no quantity of any network, so what it means is not known, and
    no edit that removes it explains a mistake. (A network's name at a layer it lacks, A^{[4]}, is searched.)"""
    return bool(unknown) and bool(re.fullmatch(r"\\?[A-Za-z]+", unknown))


def _evaluable(node, contexts) -> bool:
    for ctx in contexts:
        try:
            ctx.index_ranges = {}
            infer_ranges((node,), ctx)
            evaluate(node, ctx)
            return True
        except Exception:
            continue
    return False


def _unknown_in(node, contexts) -> bool:
    try:
        evaluate(node, contexts[0])
    except UnknownSymbol:
        return True
    except Exception:
        return False
    return False


def _is_label(node) -> bool:
    return isinstance(node, (N.Deriv, N.Shorthand)) or (isinstance(node, N.Sym) and not node.index)


def _agrees(a, b, contexts, deadline) -> bool:
    outcome = judge(a, b, contexts[:2], deadline)
    return outcome.match in (Match.EQUAL, Match.LOCAL) or (
        outcome.match is not None and layout.repair(a, b, contexts[:2], deadline) is not None)


def _known_name(sym: N.Sym) -> bool:
    """A name the network already means something by (W, a, the loss, m, \\alpha): never redefined by ':='."""
    from .evaluate import BASE, SCALARS
    return sym.name in BASE or sym.name in SCALARS or is_loss(sym) or sym.name in ("L", "J", "C", "E")


def _single_node(parsed):
    statements = [s for s in parsed.statements if isinstance(s, N.Statement)]
    if len(statements) != 1 or len(statements[0].steps) != 1:
        raise ValueError("not a single expression")
    return statements[0].steps[0]


def _latex(node) -> str:
    try:
        from ..notation.latex import to_latex
        return to_latex(node)
    except Exception:  # the printer never blocks a verdict
        return repr(node)
