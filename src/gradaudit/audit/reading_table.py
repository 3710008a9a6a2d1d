"""The readings a careful reader gives notes that leave something open, as ordered tables of named functions.

Each reading is `reading(auditor, claim) -> bool`: it looks at the claim (verdict.Claim), and returns True when
it decided the verdict. verdict.py tries the tables in order: READINGS_WHEN_UNREAD when a side cannot be
evaluated, READINGS_OF_A_DEFINITION and READINGS_WHEN_UNEQUAL when the claim does not hold as written, and
READINGS_BEFORE_DIAGNOSIS before the edit search is asked for a correction.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from .. import infer, primitives
from ..notation import ast as N
from ..notation.tree import transform, walk
from . import diagnose, open_readings, termwise
from .aliases import alias_target
from .compare import Match
from .environments import GENERAL_DEPTHS, layer_symbols
from .evaluate import infer_ranges
from .judge import judge
from .kinds import ErrorItem
from .readings import (beside_the_prediction, defines_the_generic_activation, dot_product_reading,
                       dummy_variable, elementwise_first, example_sums, generic_parameter, hidden_layers_named, names_the_input, notes_own_function, one_example_chain,
                       one_layer_case, unknown_in)
from .names import BASE, EXAMPLE_COUNTS, quantity_key
from .tree import UnknownSymbol, show as _latex

if TYPE_CHECKING:   # the claim a reading looks at; verdict.py imports this table
    from .verdict import Claim, Result



def decide(result: Result, verdict: str, reason: str = "") -> bool:
    result.verdict, result.reason = verdict, reason
    return True


# ---- readings of a claim that cannot be evaluated as written ------------------------------------------------

def wrong_label_of_an_unknown_name(auditor, c: Claim) -> bool:
    """The left side names something the network does not have (dh for db): an edit of the label that makes it
    name what the right side computes is the mistake."""
    if not unknown_in(c.ref, c.contexts):
        return False
    fix = diagnose.relabel(c.ref, c.step, c.contexts, c.budget)
    if fix is None:
        return False
    c.result.verdict = "error"
    c.result.errors.append(fix)
    c.result.corrected_latex = f"{fix.fix_latex} = {_latex(c.step)}"
    return True


def examples_counted_by_n(auditor, c: Claim) -> bool:
    """1/n X^T (yhat - y), \\sum_{i=1}^{n}: n (or N), named nowhere, in a loss averaged over the examples is the
    number of examples m."""
    if c.outcome.unknown not in EXAMPLE_COUNTS or auditor.section.architecture.averaging != "mean":
        return False
    as_m = [example_sums(open_readings.rename(x, c.outcome.unknown, "m"), c.contexts[0]) for x in (c.ref, c.step)]
    auditor._verdict(c.result, *as_m, c.contexts, c.deadline, c.claims)
    said = f"{c.outcome.unknown}, named nowhere, is read as the number of examples m"
    if c.result.verdict == "correct":
        c.result.verdict, c.result.reason = "notation", said
    elif c.result.verdict == "error":
        c.result.reason = (c.result.reason + "; " if c.result.reason else "") + said
    return True


def identity_in_one_letter(auditor, c: Claim) -> bool:
    """\\sigma(a) = 1/(1 + e^{-a}): an identity in one bare letter holds for every value of it, so any layer's
    values test it."""
    if "sets no default layer" not in c.outcome.reason or not dummy_variable(c.ref, c.step):
        return False
    auditor._verdict(c.result, c.ref, c.step, [replace(x, default_layer=1) for x in c.contexts], c.deadline, c.claims)
    return True


def written_terms_of_an_elided_sum(auditor, c: Claim) -> bool:
    """A sum elided with \\dots whose pattern is not one index: the terms it writes out are checked one by one
    (termwise.py); a wrong one is an error, and all right leaves the elided ones unchecked."""
    if not termwise.has_ellipsis(c.step):
        return False
    verdicts = []
    for ctx in c.contexts:
        ctx.index_ranges = {}
        infer_ranges((c.ref, c.step), ctx)
        verdicts.append(termwise.check_written_terms(c.ref, c.step, ctx))
    wrong = next((v for v in verdicts if v is not None and v.kind), None)
    if wrong is not None:
        c.result.verdict = "error"
        c.result.errors.append(ErrorItem(wrong.kind, wrong.detail, ""))
        return True
    if verdicts and all(v is not None for v in verdicts):
        return decide(c.result, "unsupported",
                       "every term written out holds; the terms elided by \\dots cannot be checked")
    return False


def the_one_layer_network(auditor, c: Claim) -> bool:
    """\\partial J / \\partial W = (1/m)(A - y) X^T with W, b, A unindexed in an L-layer network, beside the input X or
    the labels y: the one layer of a network of one layer (L = 1); failing that, a deeper network's first layer
    (A = \\tanh(W X + b)); failing both, as the one layer."""
    if "sets no default layer" not in c.outcome.reason or not one_layer_case(c.ref, c.step):
        return False
    one = auditor.envs.one_layer_contexts()
    if not one:
        return False
    auditor._verdict(c.result, c.ref, c.step, one, c.deadline, c.claims)
    first = [replace(x, default_layer=1) for x in c.contexts]
    if c.result.verdict not in ("correct", "notation") and judge(c.ref, c.step, first, c.deadline).match is Match.EQUAL:
        c.result.errors, c.result.corrected_latex = [], ""
        return decide(c.result, "notation", "W, b, A without a layer index, next to the input X, are read as the first "
                                             "layer's: write the layer to pin it down")
    if c.result.verdict == "correct":
        decide(c.result, "notation", "W, b, A without a layer index, next to the input X or the labels y, are read "
                                      "as the one layer of a network of one layer (L = 1): write the layer to pin it "
                                      "down")
    return True


def the_output_layer_beside_the_prediction(auditor, c: Claim) -> bool:
    """\\hat{y}_j = e^{z_j} / \\sum_k e^{z_k}: z, a (W, b) without a layer next to the prediction are the output
    layer's."""
    if "sets no default layer" not in c.outcome.reason or not beside_the_prediction(c.ref, c.step):
        return False
    output = [replace(x, default_layer=x.bindings.get("L", x.model.output_layer)) for x in c.contexts]
    auditor._verdict(c.result, c.ref, c.step, output, c.deadline, c.claims)
    return True


def any_one_parameter(auditor, c: Claim) -> bool:
    """\\partial C / \\partial w_k = (1/n) \\sum_x \\partial C_x / \\partial w_k: w_k is any one parameter, so the claim
    is about every weight (bias) of every layer, entry by entry: the first layer's and the last one's test it."""
    generic = generic_parameter(c.ref, c.step) if "sets no default layer" in c.outcome.reason else None
    if generic is None:
        return False
    at_layers = [replace(x, default_layer=k) for x in c.contexts for k in sorted({1, x.model.output_layer})]
    auditor._verdict(c.result, *generic, at_layers, c.deadline, c.claims)
    return True


READINGS_WHEN_UNREAD = (wrong_label_of_an_unknown_name, examples_counted_by_n, identity_in_one_letter,
                        the_one_layer_network, the_output_layer_beside_the_prediction, any_one_parameter,
                        written_terms_of_an_elided_sum)


# ---- readings of a definition, tried before the claim is evaluated -----------------------------------------

def the_notes_choice_of_the_generic_activation(auditor, c: Claim) -> bool:
    """a = max(0, z), g(z) = max(0.01 z, z): the notes choose the activation the network leaves open (g). Any choice
    is theirs to make; what can be checked is that the right side is the activation they mean, one of the table's,
    at the random z of any layer."""
    var = defines_the_generic_activation(c.ref, c.step, auditor.section.architecture)
    if var is None:
        return False
    tests = [replace(x, default_layer=1) for x in c.contexts]
    for name in primitives.NAMES:
        if name == "g" or not primitives.is_known(name):
            continue
        candidate = N.Call(infer.WRITTEN_FUNCTION.get(name, name), (var,))
        if judge(candidate, c.step, tests, c.deadline).match is Match.EQUAL:
            return decide(c.result, "notation", f"defines the activation g, which the network leaves open, as "
                                                 f"{name}: a choice of the notes, checked only as that function")
    return decide(c.result, "unsupported", "defines the activation g, which the network leaves open, as a function "
                                            "that is none of the activations gradaudit knows: nothing to check it "
                                            "against")


def a_function_of_the_notes_own(auditor, c: Claim) -> bool:
    """y(x) = 1 / (1 + e^{-x}), f(w, b) = wx + b: a function under a letter of the notes' own, which one reading of
    the network can confirm but none can refute (the notes may define any function they like)."""
    own = notes_own_function(c.ref, c.step, auditor.section.architecture)
    if own is None:
        return False
    read, right, other = own
    auditor._verdict(c.result, read, c.step, c.contexts, c.deadline, c.claims)
    dot_product_reading(c.result, c.step)
    if c.result.verdict in ("correct", "notation"):
        return decide(c.result, "notation", right)
    c.result.errors, c.result.corrected_latex = [], ""
    return decide(c.result, "unsupported", other)


READINGS_OF_A_DEFINITION = (the_notes_choice_of_the_generic_activation, a_function_of_the_notes_own)


# ---- readings of a claim that is evaluated and does not hold -------------------------------------------------

def _holds_in(auditor, c: Claim, contexts: list) -> bool:
    """Does the claim hold in these contexts (a reading's)? They are then what the 60-digit confirmation checks."""
    if not contexts or judge(c.ref, c.step, contexts, c.deadline).match is not Match.EQUAL:
        return False
    auditor._accepted = (c.ref, c.step, contexts, (Match.EQUAL,))
    return True


def _element_indices(c: Claim) -> bool:
    """Does the claim index an element (w_{jk})? Element indices mean the same in every layout."""
    return any(isinstance(n, N.Sym) and n.index for node in (c.ref, c.step) for n in walk(node))


def index_notation_with_column_vectors(auditor, c: Claim) -> bool:
    """A section in index notation whose claim is written with whole vectors: read them as columns."""
    if auditor.section.architecture.convention != "index" or _element_indices(c):
        return False
    columns = list(auditor.column_envs.contexts(layer_symbols(c.ref, c.step), hidden_layers_named([c.ref, c.step])))
    return _holds_in(auditor, c, columns) and decide(c.result, "correct")


def hidden_layers_only(auditor, c: Claim) -> bool:
    """A claim for layer l that holds for the hidden layers l < L only: the output layer has a formula of its
    own, and the notes should say 'for l < L'."""
    hidden = [x for x in c.contexts if x.layer_variable in x.bindings and "L" in x.bindings
              and x.bindings[x.layer_variable] < x.bindings["L"]]
    if names_the_input(c.ref, c.step) and all(x.bindings[x.layer_variable] == 1 for x in hidden):
        return False   # z^{[l]} = W^{[l]} x + b^{[l]} holding at l = 1 alone: the input x is layer 1's only
    if len(hidden) == len(c.contexts) or not _holds_in(auditor, c, hidden):
        return False
    return decide(c.result, "notation", "holds for the hidden layers l < L, not for the output layer l = L, which "
                                         "has a formula of its own: say 'for l < L'")


def shorthand_per_example(auditor, c: Claim) -> bool:
    """dZ read as one example's gradient (dZ^{[L]} = A^{[L]} - Y, the 1/m in dW), in notes that never say
    whether dZ is one example's or the batch's."""
    if not auditor.section.shorthand_open or \
            not any(isinstance(n, N.Shorthand) for side in (c.ref, c.step) for n in walk(side)):
        return False
    per_example = [replace(x, shorthand="per-example") for x in c.contexts if x.shorthand == "total"]
    if not _holds_in(auditor, c, per_example):
        return False
    return decide(c.result, "notation", "holds when dZ is read per example (dZ^{[L]} = A^{[L]} - Y, the 1/m in dW), "
                                         "which these notes do not pin down; declare 'shorthand: per-example' or "
                                         "'total'")


VECTOR_LETTERS = {"w": "W", "x": "X", "a": "A", "z": "Z", "y": "Y"}   # one unit's weights, one example's vectors


def vectors_as_columns(auditor, c: Claim) -> bool:
    """z = w^T x + b, \\hat{y} = \\theta^T x, dw = x dz: one unit's weights w and one example's x are vectors, which
    mathematics writes as columns whatever layout the notes' batch matrices have. In a row network, a claim written
    only in lowercase vectors (one example's) is read with them as columns; in a column network, a claim whose
    weights are one unit's lowercase vector w (Ng's logistic regression, dw = \\frac{1}{m} X dZ^T) is read with w
    as a column. Capital batch quantities keep their declared layout, and a matrix w keeps the declared orientation."""
    arch = auditor.section.architecture
    if arch.convention not in ("column", "row") or arch.is_cnn or _element_indices(c):
        return False
    names = _names_read((c.ref, c.step), auditor.section.parsed_aliases)
    if arch.convention == "row":
        if not names & set(VECTOR_LETTERS) or names & set(VECTOR_LETTERS.values()):
            return False
        one_example = True
    else:
        if "w" not in names or "W" in names:
            return False
        one_example = auditor._one_example([c.ref, c.step])
    symbols, hidden = layer_symbols(c.ref, c.step), hidden_layers_named([c.ref, c.step])
    if arch.convention == "row" and _holds_in(auditor, c, list(auditor.envs.contexts(symbols, hidden, True))):
        # one example's vectors first as rows, the notes' own layout
        return decide(c.result, "notation", "lowercase x, z, a: one example's vectors, rows in the notes' layout")
    columns = list(auditor.column_envs.contexts(symbols, hidden, one_example))
    if arch.convention == "column" and not _weights_are_vectors((c.ref, c.step), columns):
        return False
    if not _holds_in(auditor, c, columns):
        return False
    return decide(c.result, "notation", "read with the vectors as columns (w^T x: one unit's weights and one "
                                         "example's inputs as column vectors), as mathematics writes them; the "
                                         f"notes' batch layout is {arch.convention}")


def _names_read(nodes, aliases) -> set:
    """The letters of the claim's names, read through the notes' own names (\\theta: w)."""
    found = set()
    for node in nodes:
        for n in walk(node):
            if isinstance(n, N.Sym):
                target = alias_target(n, aliases)
                found.add(target.name if isinstance(target, N.Sym) else n.name)
    return found


def _weights_are_vectors(nodes, contexts) -> bool:
    """Is every weight the claim names one unit's (a vector: a 1 in its shape) in every context?"""
    for ctx in contexts:
        for node in nodes:
            for n in walk(node):
                target = alias_target(n, ctx.aliases) if isinstance(n, N.Sym) else None
                if isinstance(n, N.Sym) and BASE.get(getattr(target, "name", n.name)) == "W":
                    try:
                        key = quantity_key(n, ctx)
                    except UnknownSymbol:
                        return False
                    if 1 not in np.shape(ctx.model.values[key]):
                        return False
    return True


def batch_layout_left_open(auditor, c: Claim) -> bool:
    """\\nabla_w J = \\frac{1}{m} X^T (\\hat{y} - y) in notes whose forward pass is one example's (\\hat{y}^{(i)} = w^T x^{(i)}
    + b): the inferred layout is the example's, and the batch matrix X may stack the examples as rows (CS229's
    X, m x n) or as columns; a claim about the batch that holds in the other layout is read in it."""
    if not auditor.section.layout_open or auditor.section.architecture.is_cnn:
        return False
    if not _names_read((c.ref, c.step), auditor.section.parsed_aliases) & set(VECTOR_LETTERS.values()):
        return False
    convention = auditor.section.architecture.convention
    symbols, hidden = layer_symbols(c.ref, c.step), hidden_layers_named([c.ref, c.step])
    for other in ("row",) if convention != "row" else ("column-wT", "column"):
        contexts = list(auditor.envs_in(other).contexts(symbols, hidden, False))
        outcome = judge(c.ref, c.step, contexts, c.deadline) if contexts else None
        if outcome is not None and c.outcome.dimension and outcome.match not in (None, Match.EQUAL) \
                and not outcome.dimension and any(n == N.Sym("X") for n in walk(c.step)):
            # X^T (X \theta - y) that the example's layout cannot even multiply, and the other layout can: the claim
            # is about the batch in that layout, and what is wrong with it is found there (a lost 1/m)
            auditor._diagnose(replace(c, contexts=contexts, outcome=outcome))
            return True
        if outcome is not None and outcome.match is Match.EQUAL:
            auditor._accepted = (c.ref, c.step, contexts, (Match.EQUAL,))
            stacked = "rows (X is m x n)" if other == "row" else "columns (X is n x m)"
            return decide(c.result, "notation", f"the notes' forward pass is one example's, which leaves the batch's "
                                                 f"layout open: read with the examples stacked as {stacked}")
    return False


READINGS_WHEN_UNEQUAL = (index_notation_with_column_vectors, vectors_as_columns, batch_layout_left_open,
                         hidden_layers_only, shorthand_per_example)


# ---- readings tried before the diagnosis ----------------------------------------------------------------------

def one_value_of_layer_n(auditor, c: Claim) -> bool:
    """Z^{[n]} holding at one n only: n is also a count in these notes (the layers, the units), so the claim
    names that layer (Goodfellow's k is a layer variable like l, and a claim holding at one k only is wrong)."""
    free = c.contexts[0].layer_variable if c.contexts else "l"
    if free != "n" or free not in c.contexts[0].bindings:
        return False
    holding = sorted({x.bindings[free] for x in c.contexts if judge(c.ref, c.step, [x], c.deadline).match is Match.EQUAL})
    if not holding:
        return False
    return decide(c.result, "notation", f"the layer index {free} is bound nowhere in the formula; the claim holds "
                                         f"for {free} = {', '.join(map(str, holding))} only: say which layer it means")


def elementwise_product_first(auditor, c: Claim) -> bool:
    """(u \\odot v) a^T: the brackets the notes wrote around the elementwise product, which the tree cannot keep."""
    regrouped = transform(c.step, elementwise_first)
    if regrouped == c.step or judge(c.ref, regrouped, c.contexts, c.deadline).match is not Match.EQUAL:
        return False
    return decide(c.result, "notation", "holds with the elementwise product taken before the matrix product, "
                                         "(u \\odot v) a^T, as brackets around it say; without them it reads "
                                         "u \\odot (v a^T)")


def reading_the_notes_leave_open(auditor, c: Claim) -> bool:
    """A reading the notes leave open under which the claim holds (open_readings.py: an unindexed sum over the
    examples, and the like), or layer n of a note's n-layer example read as its output layer."""
    for read, why in open_readings.READINGS:
        new = read(c.step, c.contexts[0])
        if new != c.step and judge(c.ref, new, c.contexts, c.deadline).match is Match.EQUAL:
            return decide(c.result, "notation", why)
    n = hidden_layers_named([c.ref, c.step])
    symbols = layer_symbols(c.ref, c.step)
    if auditor.section.architecture.general and n in GENERAL_DEPTHS and not symbols & {"L", "l"}:
        example = [x for x in auditor.envs.contexts(symbols, 0, one_example_chain([c.ref, c.step], auditor.section))
                   if x.bindings.get("L") == n]
        if example and judge(c.ref, c.step, example, c.deadline).match is Match.EQUAL:
            return decide(c.result, "notation", f"holds when layer {n} is the output layer (an example network of "
                                                 f"{n} layers), not for a hidden layer {n} of a deeper network: say "
                                                 "which the formula means")
    return False


def an_undefined_delta_by_the_activation(auditor, c: Claim) -> bool:
    """\\delta the notes never define is read as dJ/dz (Nielsen, Bishop); a claim holding only with dJ/da, the
    other meaning some notes give it, is notation, never an error."""
    if not any(isinstance(x, N.Sym) and x.name == "delta" and alias_target(x, auditor.section.parsed_aliases) is None
               for side in (c.ref, c.step) for x in walk(side)):
        return False
    by_activation = [replace(x, usual_error="A") for x in c.contexts]
    if judge(c.ref, c.step, by_activation, c.deadline).match is not Match.EQUAL:
        return False
    return decide(c.result, "notation", "the notes do not define \\delta: the claim holds with \\delta read as the "
                                         "loss's derivative by the layer's activation, \\partial J/\\partial a, not by "
                                         "its weighted input as Nielsen and Bishop define it; define \\delta to pin "
                                         "it down")


def another_activation_than_declared(auditor, c: Claim) -> bool:
    """A forward formula `A = \\sigma(Z)` in a network declared with tanh there: the notes define another network
    than the one declared. An error of kind `definition`, corrected with the declared activation."""
    written = infer.activation_of(c.step)
    if written is None or not isinstance(c.ref, N.Sym):
        return False
    name, arg = written
    for other in primitives.NAMES:
        if other in (name, "g") or not primitives.is_known(other):
            continue
        candidate = N.Call(infer.WRITTEN_FUNCTION.get(other, other), (arg,))
        if judge(c.ref, candidate, c.contexts, c.deadline).match is Match.EQUAL:
            network = "the network inferred from the notes' first formulas" if auditor.section.inferred \
                else "the declared network"
            c.result.verdict = "error"
            c.result.errors.append(ErrorItem("definition", f"the activation here is {other}, not {name}: this "
                                             f"formula defines another network than {network}", _latex(candidate)))
            c.result.corrected_latex = f"{_latex(c.ref)} = {_latex(candidate)}"
            return True
    return False


READINGS_BEFORE_DIAGNOSIS = (one_value_of_layer_n, elementwise_product_first, reading_the_notes_leave_open,
                             an_undefined_delta_by_the_activation, another_activation_than_declared)
