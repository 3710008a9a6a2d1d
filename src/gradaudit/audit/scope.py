"""What a chain of steps is about: the layers it runs over, its examples, the quantity it names, and what its
results say when the notes leave the layer or the range of a sum open. SectionAuditor mixes this in.
"""
from __future__ import annotations

import re
from dataclasses import replace

from ..errors import NotationError
from ..infer.numbering import layer_condition
from ..notation import ast as N
from ..notation.tree import walk
from . import diagnose
from .aliases import alias_key, alias_target
from .compare import Match
from .environments import SIZE_LETTERS, layer_symbols
from .judge import judge
from .kinds import ErrorItem
from .names import BASE, layer_value
from .readings import agrees, is_label, one_example_chain, unknown_in
from .resolve import renamed_layer
from .tree import EvalError, show as _latex
from .names import EXAMPLE_COUNTS
from .verdict import Result

LAYERED = ("W", "b", "Z", "A")   # quantities every layer has: written without a layer, their layer is not said


def name_broken_steps(results: list) -> None:
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


def unwritten_left_side(results: list, borrowed: str) -> None:
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


LAYER_L = re.compile(r"(\^\{?[\[(]?)l(?=[\])}+\-])")


def write_layer_variable(result: Result, variable: str) -> None:
    """The claim and its correction shown with the notes' own layer letter (h^{(k)}), not the l it was read as."""
    def put(text: str) -> str:
        return LAYER_L.sub(lambda m: m.group(1) + variable, text) if text else text
    result.claim = put(result.claim)
    result.corrected_latex = put(result.corrected_latex)
    for e in result.errors:
        e.fix_latex, e.detail = put(e.fix_latex), put(e.detail)


class ChainScope:
    """The chain-level readings of a section auditor: it brings self.section, self.parse and self._unlayered."""

    def _layer_condition(self, annotation: str):
        """'for l < L', 'if l \\le L-1': a side condition on layer numbers, as a test of a context's bindings."""
        words = annotation.strip().split(None, 1)
        if len(words) < 2 or words[0].lower().strip(",") not in ("for", "if", "when", "whenever"):
            return None
        try:
            statement = next(x for x in self.parse(words[1]).statements if isinstance(x, N.Statement))
        except (NotationError, StopIteration):
            return _listed_layers(annotation, getattr(self.section, "layer_variable", "") or "l")
        ops = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
               ">=": lambda a, b: a >= b, "!=": lambda a, b: a != b, "=": lambda a, b: a == b}
        if len(statement.steps) != 2 or len(statement.rels) != 1 or statement.rels[0] not in ops:
            return _listed_layers(annotation, getattr(self.section, "layer_variable", "") or "l")
        variable = getattr(self.section, "layer_variable", "")
        if variable and variable != "l":   # Goodfellow's 'for k < l': his k is the general layer, his l the last
            statement = replace(statement, steps=tuple(renamed_layer(x, variable) for x in statement.steps))
        names = {n.name for side in statement.steps for n in walk(side) if isinstance(n, N.Sym)}
        free = names - {"L"}   # l, or the one other letter a text uses for any layer (Goodfellow's k)
        if not names or len(free) > 1 or any(len(n) != 1 or not n.islower() or n in SIZE_LETTERS for n in free):
            return None
        test, (left, right) = ops[statement.rels[0]], statement.steps

        def holds(ctx) -> bool:
            try:
                return bool(test(layer_value(left, ctx), layer_value(right, ctx)))
            except EvalError:
                return True   # the condition names a layer this claim does not run over
        return holds

    def _implicit_layers(self, chain) -> set:
        """Bishop's a_j, \\delta_j with no layer written, named a_j: Z^{[l]}_j: the layer the notes' names give them is
        any layer l, so the claim runs over l as if it were written."""
        found = set()
        for node in chain:
            for n in walk(node):
                target = alias_target(n, self.section.parsed_aliases) if isinstance(n, N.Sym) else None
                if target is not None:
                    found |= {x for x in layer_symbols(target) if x == "l"}
                elif isinstance(n, N.Sym) and n.layer is None and n.sublayer is None and BASE.get(n.name) in LAYERED:
                    self._unlayered = n
                    return set()   # Bishop's w_{kj} of \delta_j = h'(a_j) \sum_k w_{kj} \delta_k: in which layer is not said
        return found

    def _at_the_output(self, result: Result, ref, step, contexts, deadline) -> None:
        """A claim whose layer is not written (Bishop's \\delta_k = \\partial E_n/\\partial y_k \\, dy_k/da_k) and that
        holds at the output layer: the notes' unit letter (k, of the outputs y_k) says which layer it is about."""
        output = [c for c in contexts if c.bindings.get("l") == c.bindings.get("L")]
        if output and len(output) < len(contexts) and judge(ref, step, output, deadline).match is Match.EQUAL:
            result.verdict, result.errors, result.corrected_latex = "notation", [], ""
            result.reason = ("no layer is written: the claim holds at the output layer l = L, not at a hidden "
                             "layer; write the layer to pin it down")

    def _sums_a_lone_index(self, chain, one_output: bool = False) -> bool:
        """Does a sum with no limits bind an element index of some name (\\sum_i dS_i, \\sum_k \\sum_j (W^{[l]}_{kj})^2)?
        Its range is then not pinned down (the examples, or the units); a sum with limits says which, unless the
        limit is a count named nowhere (\\frac{1}{n} \\sum_{i=1}^{n} (y_i - \\hat{y}_i)^2: n examples, or n units)."""
        for node in chain:
            for n in walk(node):
                unnamed = isinstance(n, N.Sum) and isinstance(n.upper, N.Sym) and n.upper.name in EXAMPLE_COUNTS \
                    and not n.upper.index and n.upper.layer is None and not self._example_count(n.upper)
                if unnamed and one_output and all(x.name in ("y", "Y") for x in walk(n.body) if isinstance(x, N.Sym)
                                                  and any(isinstance(i, N.Sym) and i.name == n.index.name
                                                          for i in x.index)):
                    continue   # y_i, \\hat{y}_i of a network with one output: i can only be the example
                if isinstance(n, N.Sum) and n.index is not None and (n.upper is None and n.lower is None or unnamed):
                    bound = n.index.name
                    if any(isinstance(x, N.Sym) and any(isinstance(i, N.Sym) and i.name == bound for i in x.index)
                           for x in walk(n.body)):
                        return True
        return False

    def _widths_not_pinned(self, results: list, chain) -> None:
        """\\delta_j = h'(a_j) \\sum_k w_{kj} \\delta_k in notes whose network is inferred and whose names carry no layer:
        an index that runs outside a quantity says the unit letters (Bishop's i, j, k: three layers) name quantities
        of other widths than the inferred network gives them, which the notes do not pin down; not an error."""
        if not self.section.inferred:
            return
        layered = [n for node in chain for n in walk(node) if isinstance(n, N.Sym) and BASE.get(n.name) in LAYERED]
        if not layered or any(n.layer is not None or n.sublayer is not None for n in layered):
            return
        for r in results:
            if r.verdict == "error" and [e.kind for e in r.errors] == ["dimension"] \
                    and r.errors[0].detail.startswith("an index runs outside"):
                r.verdict, r.errors, r.corrected_latex = "unsupported", [], ""
                r.reason = ("no layer is written and an index runs outside a quantity of the network inferred from "
                            "the notes: its unit letters may name other layers' units (Bishop's i, j, k); write the "
                            "layers or declare the network to have it checked")

    def _one_example(self, chain) -> bool:
        """Index notation and one example's lowercase names speak of one example, unless the chain sums up to the
        example count (m, or the notes' own name for it)."""
        return one_example_chain(chain, self.section) and not any(
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
        if len(chain) < 3 or not is_label(first) or unknown_in(first, contexts):
            return first, None   # a name the network does not know is no wrong label: its claim is unsupported
        agree_first = sum(1 for s in chain[1:] if agrees(first, s, contexts, deadline))
        if agree_first >= 1:
            return first, None
        second = chain[1]
        if is_label(second) and sum(1 for s in chain[2:] if agrees(second, s, contexts, deadline)) >= 1:
            fix = diagnose.relabel(first, second, contexts, deadline)
            if fix is not None:
                return second, fix
            return second, ErrorItem("label", f"{_latex(first)} names another quantity than the steps that follow "
                                              f"({_latex(second)})", "")
        return first, None


def _listed_layers(annotation: str, layer_variable: str):
    """'for k = 1, 2', 'for k = 1, \\dots, L-1': the layers a side condition lists, as a test of a context's bindings
    (a condition on another letter, a unit's j, is none)."""
    listed = layer_condition(annotation)
    if listed is None or listed[0] != layer_variable:
        return None
    variable, test = listed

    def holds(ctx) -> bool:
        k = ctx.bindings.get(variable, ctx.bindings.get(ctx.layer_variable))
        return True if k is None else bool(test(k, ctx.bindings.get("L", ctx.depth)))
    return holds
