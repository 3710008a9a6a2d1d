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

import contextlib
import time

import numpy as np
from dataclasses import replace
from fractions import Fraction

from ..corpus import Formula, Section
from ..errors import GradauditError, NotationError
from ..notation import ast as N
from ..notation.parser import parse, warm_parser
from ..notation.words import reading_words
from . import budget, net
from ..notation.tree import walk
from .resolve import normalize, normalized_name
from .aliases import ToolName, alias_key, alias_target, mark_alias_cycles, register_definitions
from .evaluate import is_function_name, softmax_of_element
from .indexing import notes_sizes
from .names import BASE, is_loss
from .tree import EvalError
from .tree import show as _latex
from .environments import Environments, free_layer_variable, layer_symbols
from .own_loss import OwnLoss
from .scope import ChainScope, name_broken_steps, unwritten_left_side, write_layer_variable
from .verdict import CONFIRM, Result, Verdicts
from .readings import (dot_product_reading, hidden_layers_named, is_label, known_name, layer_parts,
                       one_example_names, operator_readings, unknown_in, update_rule)
from .worked_example import enumerates, example_label, numbered_element

RUN_SPENT = "run budget spent (--max-seconds): not audited"

# ---- a section's formulas -----------------------------------------------------------------------------------


INEQUALITIES = {"!=", "<", ">", "<=", ">="}
UNIT_LETTERS = ("e", "i", "j", "k", "l", "n", "m", "t", "d")   # indices, sizes, e and Bishop's target t


class SectionAuditor(ChainScope, OwnLoss, Verdicts):
    def __init__(self, section: Section, document: str, timeout: float = 5.0, run_deadline: float = float("inf")):
        self._parse = parse
        self.section = section
        self.document = document
        self.timeout = timeout
        self.run_deadline = run_deadline   # time.monotonic() when the whole run's --max-seconds are spent
        section.parsed_aliases = self._aliases()
        self._envs = None
        self._other_envs = {}   # convention -> Environments (envs_in)
        self.previous_reference = None
        self.references = {}   # formula id -> the quantity its first chain is about (for `continues`)
        self.conditions = {}   # id(chain) -> a test of a context's layer numbers ('for l < L')
        self.inequalities = []  # relations of the formula being read that are not equalities
        self.borrowed = set()
        self._unlayered = None   # a quantity that kept a chain from taking its layer from the notes' names
        self._declared, self._heading = section.architecture, ""   # own_loss.py: a heading's own loss

    def parse(self, latex):
        """A formula read as its notes' (their multi-letter names are names, words.words_in)."""
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
        return self.envs_in("column-wT")

    def envs_in(self, convention: str) -> Environments:
        """The section's network in another layout, built on first use (the readings that reread a claim so)."""
        if convention not in self._other_envs:
            section = replace(self.section, architecture=replace(self.section.architecture, convention=convention))
            section.parsed_aliases = self.section.parsed_aliases
            self._other_envs[convention] = Environments(section)
        return self._other_envs[convention]

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
            if not isinstance(normalized_name(key, self.section), N.Sym):   # w^{2} under `superscript: layer`
                raise GradauditError(f"names: {name[:40]} is not a name (a letter with optional indices)",
                                     file=path, line=line)
            # a target is in the tool's vocabulary, not the notes' (their z^{1} is not Z^{[1]})
            contexts = [replace(x, aliases={})
                        for x in self.envs.contexts(layer_symbols(value), hidden_layers_named([value]))]
            # f: g names a function; w^{1}: W^{[0]} says that the notes' input layer 1 has no weights
            unknown = None if is_function_name(value) or _input_layers(value) else unknown_in(value, contexts)
            if unknown:
                raise GradauditError(f"names: {target[:60]} is no quantity of the network ({unknown})",
                                     file=path, line=line)

    def _aliases(self) -> dict:
        out = {}
        for name, target in self.section.aliases.items():
            try:
                key = _single_node(self.parse(name))
                value = _single_node(self.parse(target))
            except (NotationError, ValueError):
                continue
            key = normalized_name(key, self.section)
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
        self._enter_heading(formula)
        try:
            _ = self.envs   # the section's models and the parser's tables are built once, outside any formula's budget
        except budget.TooLarge as exc:
            return [Result(**base, claim="", verdict="unsupported", reason=str(exc))]
        warm_parser()
        start = time.monotonic()
        deadline = min(start + self.timeout, self.run_deadline)
        with budget.limit(deadline):   # reading, normalizing, evaluating, diagnosing: one budget
            try:
                results = self._audit_within(formula, base, start, deadline)
                results = self._own_loss(formula, base, start, deadline, results)
                with contextlib.suppress(TimeoutError):   # no time for the readings: the claims stay as first read
                    results = self._undefined_letters(formula, base, start, deadline, results)
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
                write_layer_variable(r, self.section.layer_variable)
        return results

    def _undefined_letters(self, formula: Formula, base: dict, start: float, deadline: float, results: list,
                           assigned: dict | None = None) -> list:
        """\\partial L/\\partial o_i = ... = p_i - y_i in notes that never say what o and p are: a letter of no meaning
        of its own, defined nowhere, is read as the output layer's weighted input or activation (the logits and the
        probabilities of a softmax derivation) when under that reading no step of the display fails and one holds.
        The claims are then `notation`, the reading named; under no such reading they stay unsupported."""
        assigned = assigned or {}
        letter = self._undefined_letter(results)
        if not assigned and (letter is None or not self._loss_by(formula, letter)):
            return results   # only a derivation of the loss by the letter says what the letter must be
        if letter is None or len(assigned) >= 2:
            if not assigned or any(r.verdict == "error" for r in results) \
                    or not any(r.verdict in ("correct", "notation") for r in results):
                return None if assigned else results
            said = ", ".join(f"{k} as {_latex(v)}" for k, v in assigned.items())
            for r in results:
                if r.verdict in ("correct", "notation"):
                    r.verdict = "notation"
                    r.reason = (f"read with {said}, letters the notes define nowhere (the output layer's weighted input "
                                f"and activation): define them to pin the reading down")
            return results
        arch = self.section.architecture
        layer = N.Sym("L") if arch.general else N.Num(Fraction(arch.parameter_layers))
        saved = self.section.parsed_aliases
        for quantity in ("Z", "A"):
            target = N.Sym(quantity, layer=layer, style="[]")
            if target in assigned.values():
                continue
            self.section.parsed_aliases = {**saved, N.Sym(letter): ToolName(target)}
            try:
                found = self._undefined_letters(formula, base, start, deadline,
                                                self._audit_within(formula, base, start, deadline),
                                                dict(assigned, **{letter: target}))
            finally:
                self.section.parsed_aliases = saved
            if found is not None:
                return found
        return None if assigned else results

    def _loss_by(self, formula: Formula, letter: str) -> bool:
        """Does the formula differentiate the loss by the letter (\\partial L/\\partial o_i)?"""
        try:
            parsed = self.parse(formula.latex)
        except NotationError:
            return False
        return any(isinstance(n, N.Deriv) and isinstance(n.num, N.Sym) and self._names_the_loss(n.num)
                   and isinstance(n.den, N.Sym) and n.den.name == letter
                   for st in parsed.statements if isinstance(st, N.Statement) for step in st.steps if step is not None
                   for n in walk(step))

    def _undefined_letter(self, results: list) -> str | None:
        """The one-letter name an unsupported claim stumbled on, when it means nothing to the network or the notes."""
        for r in results:
            if not r.reason.startswith("unknown quantity "):
                continue
            try:
                sym = _single_node(self.parse(r.reason[len("unknown quantity "):]))
            except (NotationError, ValueError):
                return None
            name = getattr(sym, "name", "")
            cnn_size = name in ("k", "p", "s") and self.section.architecture.is_cnn   # p, the padding, in a CNN
            if len(name) == 1 and name.islower() and name not in BASE and not is_loss(sym) and not cnn_size \
                    and name not in ("alpha", "eta", "lambda") and name not in UNIT_LETTERS and alias_target(replace(sym, index=(), layer=None),
                                                                  self.section.parsed_aliases) is None:
                return name
            return None
        return None

    def _definitions(self, parsed) -> None:
        """\\delta^l \\equiv \\frac{\\partial C}{\\partial z^l}: the notes name a quantity for the formulas after it."""
        statements = [N.Statement(tuple(normalize(x, self.section) for x in st.steps[:2]), (":=",))
                      for st in parsed.statements if isinstance(st, N.Statement) and None not in st.steps
                      and (st.rels[:1] == (":=",) and set(st.rels[1:]) <= {"="}   # g \leftarrow \nabla J = ...
                           or st.rels[:1] == ("=",) and len(st.steps) >= 2
                           and self._names_a_derivative(st.steps[:2]))]   # \delta = dE/da = ...: a chain defines too
        if statements:
            register_definitions(statements, self.section.parsed_aliases, known_name)

    def _names_a_derivative(self, steps) -> bool:
        """\\delta^l_j = \\frac{\\partial C}{\\partial z^l_j} written with '=': a name nothing in the network or the notes
        means yet, equated to a derivative of the loss, is the notes' definition of that name (Nielsen's delta)."""
        name, target = steps
        if not (isinstance(name, N.Sym) and isinstance(target, N.Deriv) and isinstance(target.num, N.Sym)
                and self._names_the_loss(target.num) and isinstance(target.den, N.Sym)) or known_name(name):
            return False
        # a name the notes' names already cover (\\delta_j: dJ/dZ_j covers \\delta^{(2)}_k) is a claim to check
        return alias_target(name, self.section.parsed_aliases) is None

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
                        and is_label(steps[i + 1]) and i + 2 < len(steps):
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


    def _audit_chain(self, chain, base, deadline, offset, total) -> list[Result]:
        symbols = layer_symbols(*chain)
        self._unlayered = None
        implicit = free_layer_variable(symbols) is None and bool(self._implicit_layers(chain))
        if implicit:
            symbols |= self._implicit_layers(chain)
        free = free_layer_variable(symbols)
        inside = {id(x) for x in layer_parts(chain)} if free and free != "l" else set()
        if inside and any(isinstance(n, N.Sym) and n.name == free and id(n) not in inside
                          for node in chain for n in walk(node)):
            symbols = symbols - {free}   # n also written as a number of its own (1/n): not a layer variable
        contexts = list(self.envs.contexts(symbols, hidden_layers_named(chain), self._one_example(chain)))
        condition = self.conditions.get(id(chain))
        if condition is not None:
            contexts = [c for c in contexts if condition(c)]   # 'for l < L': only the layers the text means
        if not contexts:
            raise EvalError("no depth of this network has the layers the formula names")
        numbered = numbered_element(chain)
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
            if k >= 2 and results and results[-1].verdict in ("correct", "notation") \
                    and one_example_names(chain, self.section):
                self._local_substitution(result, chain[k - 1], step, contexts, deadline)
            if numbered is not None and result.verdict == "error":
                example_label(result, ref, step, contexts, deadline, self.section.architecture)
            if result.verdict == "correct" and any(softmax_of_element(n) for x in (ref, step) for n in walk(x)):
                result.verdict = "notation"
                result.reason = "softmax(z_k), the softmax of one element, read as element k of softmax(z)"
            dot_product_reading(result, step)
            if implicit and result.verdict == "error":
                self._at_the_output(result, ref, step, contexts, deadline)
            if result.verdict == "correct" and readings:
                result.verdict = "notation"
                result.reason = "; ".join(readings)
            results.append(result)
        name_broken_steps(results)
        self._widths_not_pinned(results, chain)
        for r in results:
            if self._unlayered is not None and r.verdict == "unsupported" and r.reason.startswith("layer index l has"):
                r.reason = (f"no layer is written: the notes' names put the other quantities at a layer l, but "
                            f"{_latex(self._unlayered)} carries none (in Bishop's unit letters, the next layer's): "
                            f"write the layers to have it checked")
        one_output = all(getattr(getattr(c.model, "sizes", None), "widths", (0,))[-1] == 1 for c in contexts)
        if self.section.architecture.averaging != "single" and self._sums_a_lone_index(chain, one_output):
            for r in results:   # \sum_i dS_i: i may be the example (a row of the batch) or a unit; not pinned down
                if r.verdict == "error":
                    r.verdict, r.errors, r.corrected_latex = "unsupported", [], ""
                    r.reason = ("a sum over an element index with no limits, or up to a count named nowhere: whether "
                                "it runs over the examples or over the units is not pinned down, and read as "
                                "gradaudit reads it, it does not hold")
        if numbered is not None and not declared and not self.section.architecture.is_cnn and enumerates(chain):
            for r in results:   # an example's elements by number hold at its sizes, which the notes do not give
                if r.verdict == "error":
                    r.verdict, r.errors, r.corrected_latex = "unsupported", [], ""
                    r.reason = (f"the formula names elements by number ({_latex(numbered)}), so it speaks of one "
                                "example's sizes, and the network declares none (sizes: [...]); at the widths "
                                "tried it does not hold")
        if id(chain_as_read) in self.borrowed and reference is chain[0]:
            unwritten_left_side(results if label_fix is None else results[:1], _latex(chain[0]))
        if chain[0] is not written_lhs:   # an update rule: show its left side as written, not as W_{new}
            for r in results:
                tagged, written = _latex(chain[0]), _latex(written_lhs)
                r.claim = r.claim.replace(tagged, written, 1)
                if r.corrected_latex.startswith(tagged):
                    r.corrected_latex = written + r.corrected_latex[len(tagged):]
        return results


def _single_node(parsed):
    statements = [s for s in parsed.statements if isinstance(s, N.Statement)]
    if len(statements) != 1 or len(statements[0].steps) != 1:
        raise ValueError("not a single expression")
    return statements[0].steps[0]


def _input_layers(node) -> bool:
    """W^{[0]}, Z^{[0]}, b^{[0]}: the input layer's weights, weighted input or bias, which no network has."""
    return isinstance(node, N.Sym) and node.name in ("W", "Z", "b") and node.layer == N.Num(0) and not node.index
