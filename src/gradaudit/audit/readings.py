"""Readings of a claim that a careful reader gives its notation, and the tests the verdict asks of a claim.

The auditor (auditor.py) tries these where a claim does not hold as written: the sums over the
examples a text leaves implicit, one example's lowercase vectors, an informal product read as an
operator, a dot product, the hidden layers' formula; and it asks whether a side can be evaluated
at all, or names something the notes define elsewhere.
"""
from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from ..notation import ast as N
from ..notation.tree import transform, walk
from . import layout
from .aliases import alias_target
from .compare import Match, close
from .evaluate import evaluate, infer_ranges
from .judge import judge
from .names import BASE, SCALARS, is_loss, loss_call, quantity_key
from .tree import DimensionError, UnknownSymbol, show as _latex


def one_example_chain(chain, section) -> bool:
    """Index notation (a_j, w_{i,j}) and one example's lowercase names speak of one example, unless the chain
    sums over the m examples."""
    return (any(isinstance(n, N.Sym) and n.index for node in chain for n in walk(node))
            or one_example_names(chain, section)) \
        and not any(over_examples(n, section.parsed_aliases) for node in chain for n in walk(node)) \
        and not batch_entries(chain, section)


def batch_entries(chain, section) -> bool:
    """U_{qj}, y_{qj}, \\delta_{qj}: in a text whose quantities are matrices of examples (row or column layout),
    two indices on a quantity that is not a weight name an example and a unit: the claim is about the batch."""
    if section.architecture.convention not in ("row", "column", "column-wT"):
        return False
    return any(isinstance(n, N.Sym) and len(n.index) == 2 and n.name not in ("W", "w") and n.layer is not None
               or isinstance(n, N.Sym) and len(n.index) == 2 and n.name in ("y", "t", "x", "X", "Y")
               or isinstance(n, N.Sym) and len(n.index) == 2 and _names_a_batch_matrix(n, section)
               for node in chain for n in walk(node))


def _names_a_batch_matrix(sym: N.Sym, section) -> bool:
    """CS231n's P_{ij}, S_{ij}, where the notes' forward pass names P and S (P: A^{[3]}): an entry of a layer's
    activation or pre-activation, whose rows or columns are the examples."""
    target = alias_target(sym, getattr(section, "parsed_aliases", None) or {})
    return isinstance(target, N.Sym) and target.name in ("A", "Z") and target.layer is not None


def one_example_names(chain, section) -> bool:
    """dW = dz a^T: in a batch text (Z, A for m examples, one column each: the column or column-wT convention)
    lowercase z, a, dz are one example's vectors (Ng's notation, dw = x dz in his logistic regression), so the
    claim is checked on one-example networks, where there is no 1/m."""
    if not section.architecture.layout.examples_in_columns:
        return False
    names = [n.of.name if isinstance(n, N.Shorthand) else n.name for node in chain for n in walk(node)
             if isinstance(n, (N.Sym, N.Shorthand))]
    lower = [x for x in names if x in ("a", "z", "y")]    # y, \hat{y}: one example's label and output
    return bool(lower) and not any(x in ("A", "Z", "Y", "X") for x in names)   # X: the batch, not one example


def layer_parts(chain) -> list:
    """Every node written inside a layer index of the chain (the n of W^{[n]}, A^{[n-1]})."""
    parts = []
    for node in chain:
        for sub in walk(node):
            layer = getattr(sub, "layer", None) if isinstance(sub, (N.Sym, N.Call)) else None
            if layer is not None:
                parts.extend(walk(layer))
    return parts


def names_the_input(*sides) -> bool:
    """X, x or A^{[0]}: the network's input, which is the previous layer's activation for layer 1 only."""
    for side in sides:
        for n in walk(side):
            if isinstance(n, N.Sym) and n.name in ("X", "x") and n.layer is None and not n.tag:
                return True
            if isinstance(n, N.Sym) and n.name in ("A", "a") and n.layer == N.Num(0):
                return True
    return False


def dummy_variable(*sides) -> bool:
    """One bare letter (a, z, x: no layer, no index) is the only name, and no generic activation (g, f, \\phi)
    is applied, whose meaning the same line may be defining (g(z) = max(0.01 z, z))."""
    letters = {n.name for side in sides for n in walk(side) if isinstance(n, N.Sym)
               and not (n.name in ("e", "pi") and n.layer is None and not n.index)}
    bare = all(isinstance(n, N.Sym) and n.layer is None and not n.index and not n.tag and not n.hat
               for side in sides for n in walk(side) if isinstance(n, N.Sym) and n.name in letters)
    generic = any(isinstance(n, N.Call) and n.func in ("g", "f", "phi", "h") for side in sides for n in walk(side))
    return len(letters) == 1 and letters <= {"a", "z", "x"} and bare and not generic


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
        new = as_operator(step, ctx)
        if new is not step:
            readings.append(f"{_latex(step.factors[0])} written before an expression is read as the operator "
                            f"that differentiates it")
        summed = example_sums(new, ctx)
        if _np_sums(summed) > _np_sums(new) and not sums_of_one_example(new, ctx):
            readings.append("a sum over i = 1..m of a quantity that has no index i is read as the sum over the "
                            "m examples")
        out.append(summed)
    return out, readings


def _np_sums(node) -> int:
    return sum(1 for n in walk(node) if isinstance(n, N.Sum) and n.style == "np")


def example_sums(step, ctx):
    """\\sum_{i=1}^{m} dZ^{[l]}: the author sums dZ over its m examples and left the index off dZ."""
    arch = ctx.model.arch
    if arch.is_cnn or not ctx.model.layout.batched:
        return step
    axis = ctx.model.layout.example_axis

    def fn(n):
        indexed = _examples_indexed(n, ctx) if over_examples(n, ctx.aliases) else None
        if indexed is not None:
            return indexed
        if over_examples(n, ctx.aliases) \
                and not any(isinstance(x, N.Sym) and x.name == n.index.name for x in walk(n.body)) \
                and not is_loss_term(n.body):   # \sum_i \mathcal{L}^{(i)}: m examples' losses, each a number
            body = transform(n.body, elementwise_first)   # one example's u \odot (v a^T) is (u \odot v) a^T
            if ctx.model.convention == "column" and outer_product(body):
                return body   # \sum_i dz^{(i)} a^{(i)T} is the product of the batches dZ A^T: the product sums
            return N.Sum(n.body, axis=axis, keepdims=True, style="np")
        return n
    return transform(step, fn)


BATCHED = ("X", "A", "Z", "Y")   # the quantities that have one column (or row) per example


def _examples_indexed(n, ctx):
    """\\sum_{i=1}^{m} (a^{(i)} - y^{(i)}) x_j^{(i)}: with a unit index on an example's input (x_j), the example
    superscripts (i) the notes wrote are the sum's index i on every batch quantity of the body: x_j^{(i)} is the
    entry (j, i) of X (of (i, j) in the row layout), a^{(i)} and y^{(i)} of a one-unit output the entry i. None when
    the body has no such unit index, or a batch quantity of several units written without one."""
    label = n.index
    syms = [x for x in walk(n.body) if isinstance(x, N.Sym) and BASE.get(x.name) in BATCHED and x.name.islower()]
    if not any(x.index for x in syms) or any(isinstance(i, N.Sym) and i.name == label.name
                                             for x in syms for i in x.index):
        return None
    columns = ctx.model.layout.examples_in_columns
    for x in syms:
        try:
            shape = np.shape(ctx.model.values[quantity_key(replace(x, index=()), ctx)])
        except (UnknownSymbol, KeyError):
            return None
        if len(x.index) > 1 or (not x.index and 1 not in shape):
            return None

    def put(x):
        if not (isinstance(x, N.Sym) and BASE.get(x.name) in BATCHED and x.name.islower()):
            return x
        index = (x.index + (label,) if columns else (label,) + x.index) if x.index else (label,)
        return replace(x, index=index, index_style="example-last" if columns else "example-first")
    return N.Sum(transform(n.body, put), index=label, lower=n.lower, upper=n.upper, style=n.style)


def elementwise_first(n):
    """u \\odot (v a^T), as normalize groups u \\odot v a^T, back to (u \\odot v) a^T: the grouping of bracketed notes."""
    if isinstance(n, N.Mul) and n.op in ("odot", "star") and len(n.factors) >= 2 and isinstance(n.factors[-1], N.Mul) \
            and n.factors[-1].op == "juxt" and len(n.factors[-1].factors) >= 2:
        inner = n.factors[-1]
        return N.Mul((N.Mul(n.factors[:-1] + (inner.factors[0],), n.op),) + inner.factors[1:], "juxt")
    return n


def dot_product_reading(result, step) -> None:
    """w \\cdot x of two vectors, its only fault a transpose: the inner product w^T x, as the dot says."""
    if result.verdict != "error" or [e.kind for e in result.errors] != ["transpose"]:
        return
    def vector(f):
        return isinstance(f, N.Sym) and f.name.islower() and not f.index and not f.hat
    if any(isinstance(n, N.Mul) and n.op == "cdot" and len(n.factors) == 2 and all(map(vector, n.factors))
           for n in walk(step)):
        result.verdict, result.errors = "notation", []
        result.reason = "u \\cdot v of two vectors read as their inner product u^T v"
        return
    # wx + b of the regression notes: the weights and one input written side by side like two numbers, no layer
    # to place them, is their inner product too
    if any(isinstance(n, N.Mul) and n.op == "juxt" and len(n.factors) == 2
           and all(vector(f) and f.layer is None and f.sublayer is None for f in n.factors) for n in walk(step)):
        result.verdict, result.errors = "notation", []
        result.reason = "u v of two vectors written side by side read as their inner product u^T v"


def over_examples(n, aliases=None) -> bool:
    """\\sum_{i=1}^{m} Q, or \\sum_i Q with no limits, where Q has no index i (its per-example superscripts (i)
    read off): the sum over the m examples (up to the notes' own name for m, their n, as well)."""
    if not (isinstance(n, N.Sum) and isinstance(n.index, N.Sym)):
        return False
    count = n.upper == N.Sym("m") or isinstance(n.upper, N.Sym) and bool(aliases) \
        and alias_target(n.upper, aliases) == N.Sym("m")
    if count and n.lower in (N.Num(1), N.Num(0)):
        return True
    return n.upper is None and n.lower is None and n.index.name in ("i", "n") \
        and not any(isinstance(x, N.Sym) and x.name == n.index.name for x in walk(n.body))


def outer_product(body) -> bool:
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


def sums_of_one_example(step, ctx) -> bool:
    """\\sum_{i=1}^{m} (y^{(i)} \\log a^{[L](i)} ...): in a batch text lowercase a, z, y are example i's vectors (Ng),
    so summing them over the examples is what the text says, not a reading of an informal sum."""
    if ctx.model.convention != "column":
        return False
    sums = [n for n in walk(step) if over_examples(n, ctx.aliases)]
    for n in sums:
        names = [x.of.name if isinstance(x, N.Shorthand) else x.name for x in walk(n.body)
                 if isinstance(x, (N.Sym, N.Shorthand))]
        if not any(x in ("a", "z", "y") for x in names) or any(x in ("A", "Z", "Y") for x in names):
            return False
    return bool(sums)


def is_loss_term(node) -> bool:
    """The loss, or a derivative of it (\\sum_x \\partial C_x / \\partial w): one number or one gradient per
    example, never a batch quantity to be summed along its axis of examples. The whole loss's derivative by a batch
    quantity (\\partial J / \\partial Z^{[l]}, a row per example) is such a batch quantity."""
    if isinstance(node, N.Deriv):
        if isinstance(node.den, N.Sym) and BASE.get(node.den.name) in ("Z", "A", "X", "Y") \
                and isinstance(node.num, N.Sym) and not node.num.index and node.num.layer is None:
            return False
        node = node.num
    return is_loss(node) or (isinstance(node, N.Call) and loss_call(node))


def as_operator(step, ctx):
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


def fails_on_dimensions(step, contexts) -> bool:
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


def foreign(unknown: str) -> bool:
    """An unknown bare name (N, Q, \\beta): no quantity of any network, so what it means is not known, and
    no edit that removes it explains a mistake. (A network's name at a layer it lacks, A^{[4]}, is searched.)"""
    return bool(unknown) and bool(re.fullmatch(r"\\?[A-Za-z]+", unknown))


def evaluable(node, contexts) -> bool:
    for ctx in contexts:
        try:
            ctx.index_ranges = {}
            infer_ranges((node,), ctx)
            evaluate(node, ctx)
            return True
        except Exception:
            continue
    return False


def unknown_in(node, contexts) -> str | None:
    """The unknown symbol a quantity names in every context, or None when it names something (or fails otherwise:
    a failure that is not about the name is about the reading)."""
    reason = None
    for ctx in contexts:
        try:
            evaluate(node, ctx)
            return None
        except UnknownSymbol as exc:
            reason = str(exc)
        except Exception:   # noqa: BLE001 - any other failure is about the reading, not the name
            return None
    return reason and f"unknown: {reason}"


def is_label(node) -> bool:
    return isinstance(node, (N.Deriv, N.Shorthand)) or (isinstance(node, N.Sym) and not node.index)


def agrees(a, b, contexts, deadline) -> bool:
    outcome = judge(a, b, contexts[:2], deadline)
    return outcome.match in (Match.EQUAL, Match.LOCAL) or (
        outcome.match is not None and layout.repair(a, b, contexts[:2], deadline) is not None)


def known_name(sym: N.Sym) -> bool:
    """A name the network already means something by (W, a, the loss, m, \\alpha): never redefined by ':='."""
    return sym.name in BASE or sym.name in SCALARS or is_loss(sym) or sym.name in ("L", "J", "C", "E")


# ---- what a claim defines or leaves unlayered (the readings in verdict.py that use these) -------------------

PARAMETERS = ("theta", "Theta", "w", "W", "b")
UNLAYERED = ("W", "w", "b", "A", "a", "Z", "z")


def _plain_sym(x) -> bool:
    return isinstance(x, N.Sym) and x.layer is None and not x.index and not x.hat and x.tag is None \
        and x.sublayer is None


def defines_the_generic_activation(ref, step, arch):
    """The bare variable (z) when the claim is a = F(z) or g(z) = F(z), F an expression in that variable alone, in a
    network whose activation is left generic (g); None otherwise."""
    layers = list(arch.layers) + [x for x in (arch.hidden, arch.output) if x is not None]
    if not any(layer.activation == "g" for layer in layers):
        return None
    if _plain_sym(ref) and ref.name == "a":
        var = N.Sym("z")
    elif isinstance(ref, N.Call) and ref.func in ("g", "f", "phi") and not ref.prime and ref.layer is None \
            and len(ref.args) == 1 and _plain_sym(ref.args[0]) and ref.args[0].name in ("z", "x", "u"):
        var = ref.args[0]
    else:
        return None
    letters = {n.name for n in walk(step) if isinstance(n, N.Sym)} - {"e"}
    if letters != {var.name} or not all(_plain_sym(n) for n in walk(step) if isinstance(n, N.Sym)
                                        and n.name == var.name):
        return None
    return var


def notes_own_function(ref, step, arch):
    """(what the left side is read as, the reason when that holds, the reason when it does not) for a function the
    notes name themselves: y(x) (parsed as the product y x) with the right side an expression in the bare x alone,
    in a network of one activation, is that activation; f(w, b), h(\\theta), a model letter applied to parameters
    alone, is the model's prediction \\hat{y}. None for anything else."""
    if isinstance(ref, N.Call) and ref.func in ("f", "h") and not ref.prime and ref.layer is None and ref.args \
            and all(isinstance(x, N.Sym) and x.name in PARAMETERS and not x.index and x.layer is None for x in ref.args):
        written = _latex(ref)
        return (N.Sym("y", hat=True), f"{written}, the model as a function of its parameters, read as its prediction "
                "\\hat{y}", f"{written} is not the model's prediction \\hat{{y}}: a function of the notes' own, "
                "with nothing to check it against")
    if not (isinstance(ref, N.Mul) and ref.op == "juxt" and len(ref.factors) == 2 and all(map(_plain_sym, ref.factors))):
        return None
    name, var = ref.factors
    letters = {n.name for n in walk(step) if isinstance(n, N.Sym)} - {"e"}
    calls = [n for n in walk(step) if isinstance(n, N.Call) and n.func not in ("exp", "log")]
    if letters != {var.name} or var.name == name.name or calls or len(name.name) != 1:
        return None
    layers = [x for x in (arch.hidden, arch.output) if x is not None] if arch.general else list(arch.layers)
    kinds = {x.activation for x in layers if x.kind in ("dense", "conv")} - {"identity", "linear"}
    if len(kinds) != 1 or kinds & {"g", "softmax"}:
        return None
    activation = kinds.pop()
    written = f"{_latex(name)}({_latex(var)})"
    return (N.Call(activation, (var,)),
            f"{written}, a function of the bare {_latex(var)} alone, read as the definition of the network's "
            f"activation ({activation}) under a name of the notes' own",
            f"{written} defines a function of the notes' own, which is not the network's activation ({activation}): "
            "nothing to check it against")


def _network_names(sides) -> list:
    names = [x.of if isinstance(x, N.Shorthand) else x for side in sides for x in walk(side)
             if isinstance(x, (N.Sym, N.Shorthand))]
    return [x for x in names if isinstance(x, N.Sym)]


def one_layer_case(*sides) -> bool:
    """Every network quantity unlayered (W, b, A, Z, their gradients), and the input X or the labels y named
    beside them: the claim relates the only layer to the network's ends."""
    syms = _network_names(sides)
    if any(x.layer is not None or x.sublayer is not None for x in syms):
        return False
    unlayered = [x for x in syms if x.name in UNLAYERED and not x.index and x.tag is None]
    ends = [x for x in syms if x.name in ("X", "x", "Y", "y") and not x.hat]
    return bool(unlayered) and bool(ends)


def beside_the_prediction(*sides) -> bool:
    """The prediction \\hat{y} named, every other network quantity (z, a, W, b) without a layer and none with one:
    they are the layer that computes \\hat{y}, the output layer."""
    syms = _network_names(sides)
    if any(x.layer is not None or x.sublayer is not None for x in syms):
        return False
    return any(x.hat and x.name == "y" for x in syms) and any(x.name in UNLAYERED and x.tag is None for x in syms)


def generic_parameter(*sides):
    """Nielsen's w_k, b_l: a weight or bias with one bare index and no layer, which the claim only differentiates
    by, is any one parameter. The sides with it read as the whole (unlayered) w or b, whose gradients hold entry by
    entry what the claim says of one entry; None when there is no such name or it stands anywhere else."""
    def generic(x):
        return isinstance(x, N.Sym) and x.name in ("w", "b", "W") and x.layer is None and x.sublayer is None \
            and not x.hat and x.tag is None and len(x.index) == 1 and isinstance(x.index[0], N.Sym) \
            and not x.index[0].index
    names = [x for side in sides for x in walk(side) if generic(x)]
    if not names:
        return None
    as_denominator = [x.den for side in sides for x in walk(side) if isinstance(x, N.Deriv) and generic(x.den)]
    if len(as_denominator) != len(names):
        return None
    return tuple(transform(side, lambda x: replace(x, index=(), index_style="") if generic(x) else x)
                 for side in sides)
