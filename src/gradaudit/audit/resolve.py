"""A section's notation conventions applied to a parsed tree, before anything is evaluated.

The parser records what is written (Z_2 has a digit subscript, Y_{pool}^2 a digit
superscript); the section says what that means (a layer, an element index, a power).
"""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from .. import primitives
from ..notation import ast as N
from ..notation.tree import transform, walk
from .aliases import declared_loss, declared_quantity
from .elided import read_elided_sums


def _meaning(section, rename_layers: bool = True):
    """The rewrite of one node from how it is written to what the section's conventions say it means."""
    subscript = getattr(section, "subscript", "index")
    superscript = getattr(section, "superscript", "power")
    variable = getattr(section, "layer_variable", "") if rename_layers else ""

    def fn(n):
        if variable and isinstance(n, (N.Sym, N.Call)) and n.layer is not None:
            n = replace(n, layer=renamed_layer(n.layer, variable))   # Goodfellow's h^{(k)}: the layer l of a general net
        if subscript == "layer" and isinstance(n, N.Sym) and n.layer is None and n.sublayer is None \
                and len(n.index) == 1 and _layer_like(n.index[0]):
            return replace(n, layer=n.index[0], index=(), index_style="", style="_")   # W_l, A_{l-1}: CS231n's layers
        if isinstance(n, N.Sym) and n.sublayer is not None:
            if subscript == "layer" and n.layer is None:
                return replace(n, layer=n.sublayer, sublayer=None)
            if subscript == "index" and not n.index and n.layer is not None or (subscript == "index" and not n.index):
                return replace(n, index=(n.sublayer,), sublayer=None)
        if isinstance(n, N.Sum) and n.index == N.Sym("x") and n.upper is None:
            # Nielsen's \sum_x \|y(x) - a^L(x)\|^2: the sum over the training inputs, x = 1..m
            n = replace(n, body=transform(n.body, _value_at_x), lower=N.Num(Fraction(1)), upper=N.Sym("m"))
        if isinstance(n, N.Sum) and isinstance(n.index, N.Sym):
            n = _per_example_losses(n, getattr(getattr(section, "architecture", None), "averaging", "mean"))
        if superscript == "layer" and isinstance(n, N.Pow) and isinstance(n.base, N.Sym) \
                and n.base.layer is None and isinstance(n.exp, (N.Num, N.Sym)):
            return replace(n.base, layer=n.exp, style="^")
        return n
    return fn


def normalized_name(sym, section):
    """A name the notes declare (a `names:` key, H_{1}) read under the same scripts conventions as the formulas
    are, so that H_1 in a section whose subscripts are layers is the H^{[1]} its formulas are read as. (A layer
    variable, Goodfellow's k, is matched by the alias lookup itself.)"""
    return transform(sym, _meaning(section, rename_layers=False))


def normalize(node, section):
    fn = _meaning(section)
    node = _declared_before_brackets(transform(node, fn), getattr(section, "parsed_aliases", None) or {})
    node = transform(node, _model_of_its_parameters)
    return read_elided_sums(transform(transform(transform(node, _named_activation), _juxtaposition_binds_tighter),
                                      _diagonal))


def _declared_before_brackets(node, aliases):
    """h^{(k-1)} (y - t)^\\top with h a quantity the notes declared: the product h^{(k-1)} (y - t)^\\top, not a
    call of a function h whose value is transposed (the parser reads a letter before brackets as a call)."""
    if not aliases:
        return node

    def named(call):
        if isinstance(call, N.Call) and len(call.args) == 1 and not call.prime:
            sym = N.Sym(call.func, layer=call.layer, style="()" if call.layer is not None else "")
            if declared_quantity(sym, aliases):
                return sym
        return None

    def transposed(n):
        sym = named(n.arg) if isinstance(n, N.Transpose) else None
        return n if sym is None else N.Mul((sym, N.Transpose(n.arg.args[0], n.style)), "juxt")

    def called(n):
        if isinstance(n, N.Call) and not n.prime and declared_loss(N.Sym(n.func), aliases):
            return N.Sym(n.func)   # loss(scores_0, scores_1): the loss, written as a function of what it depends on
        sym = named(n)
        return n if sym is None else N.Mul((sym, n.args[0]), "juxt")
    return transform(transform(node, transposed), called)


PER_EXAMPLE_LOSSES = ("C", "L", "J", "E")


def _per_example_losses(n: N.Sum, averaging: str):
    """\\sum_x C_x, \\sum_i L_i, \\sum_n \\partial E_n / \\partial w: a loss letter indexed by the summed index alone
    is one example's loss, so the sum runs over the examples. Summed linearly (as a term, a scaled term or the
    numerator of a derivative) the m examples' losses add up to m J where J is their mean, and to J where J is
    their sum: each is read as J, or J / m. Anywhere else (C_x^2, a product of two) it stays unread."""
    label = n.index.name

    def own(x):
        return isinstance(x, N.Sym) and x.layer is None and not x.hat and x.tag is None and x.sublayer is None \
            and x.name in PER_EXAMPLE_LOSSES and x.index == (N.Sym(label),)

    if not any(own(x) for x in walk(n.body)) or not _linear_in(n.body, own):
        return n
    one = N.Sym("C", tag=label)   # the loss, still marked as one example's (C = \sum_x C_x defines nothing circular)
    loss = one if averaging != "sum" else N.Div(one, N.Sym("m"))
    return replace(n, body=transform(n.body, lambda x: loss if own(x) else x))


def _linear_in(node, own) -> bool:
    """Is node a linear expression of the quantities own picks (each a term, scaled, or differentiated)?"""
    if own(node):
        return True
    if not any(own(x) for x in walk(node)):
        return True
    if isinstance(node, N.Deriv):
        return own(node.num) and not any(own(x) for x in walk(node.den))
    if isinstance(node, N.Neg):
        return _linear_in(node.arg, own)
    if isinstance(node, N.Add):
        return all(_linear_in(t, own) for t in node.terms)
    if isinstance(node, N.Mul) and node.op in ("juxt", "cdot", "times", "star"):
        holding = [f for f in node.factors if any(own(x) for x in walk(f))]
        return len(holding) == 1 and _linear_in(holding[0], own)
    if isinstance(node, N.Div):
        return _linear_in(node.num, own) and not any(own(x) for x in walk(node.den))
    return False


PARAMETERS = ("theta", "Theta", "w", "W", "b")


def _model_of_its_parameters(n):
    """h_\\theta(x), f_{w,b}(x): the model with parameters theta (w, b) at the input x is its prediction \\hat{y};
    J(\\theta): the cost as a function of the parameters is the cost. (The parser reads a letter with a subscript,
    or a single-letter name, before brackets as a product.)"""
    if not (isinstance(n, N.Mul) and n.op == "juxt" and len(n.factors) >= 2):
        return n
    factors = list(n.factors)
    for k in range(len(factors) - 1):
        f, arg = factors[k], factors[k + 1]
        if isinstance(f, N.Deriv) and isinstance(f.num, N.Sym) and f.num.name in ("J", "C", "E") and not f.num.index \
                and arg == f.den and isinstance(arg, N.Sym) and arg.name in ("theta", "Theta") and not arg.index:
            factors[k:k + 2] = [f]   # \nabla_\theta J(\theta): the gradient of the cost as a function of theta
            return factors[0] if len(factors) == 1 else _model_of_its_parameters(N.Mul(tuple(factors), n.op))
        inner = _model_of_its_parameters(N.Mul((f.body, arg), "juxt")) if isinstance(f, N.DerivOp) else None
        if inner is not None and not (isinstance(inner, N.Mul) and inner.factors[-1] == arg):
            factors[k:k + 2] = [replace(f, body=inner)]   # \frac{\partial}{\partial \theta_j} \log h_\theta(x)
            return factors[0] if len(factors) == 1 else _model_of_its_parameters(N.Mul(tuple(factors), n.op))
        if isinstance(f, N.Call) and len(f.args) == 1 and not f.bracket and not f.prime \
                and _model_of_its_parameters(N.Mul((f.args[0], arg), "juxt")) == N.Sym("y", hat=True):
            factors[k:k + 2] = [replace(f, args=(N.Sym("y", hat=True),))]   # \log h_\theta(x): the log of the model's value
            return factors[0] if len(factors) == 1 else _model_of_its_parameters(N.Mul(tuple(factors), n.op))
        if not (isinstance(f, N.Sym) and f.layer is None and f.sublayer is None and not f.hat and f.tag is None):
            continue
        plain = isinstance(arg, N.Sym) and arg.layer is None and not arg.index and not arg.hat and arg.tag is None
        if f.name in ("h", "f") and f.index and all(isinstance(i, N.Sym) and i.name in PARAMETERS and not i.index
                                                    for i in f.index) and plain and arg.name in ("x", "X"):
            factors[k:k + 2] = [N.Sym("y", hat=True)]
        elif f.name in ("J", "C", "E") and not f.index and plain and arg.name in ("theta", "Theta"):
            factors[k:k + 2] = [replace(f)]
        else:
            continue
        return factors[0] if len(factors) == 1 else _model_of_its_parameters(N.Mul(tuple(factors), n.op))
    return n


def _value_at_x(n):
    """Inside a sum over the training inputs x, y(x) and a^L(x) are read y x and a^L x: the value for input x,
    the quantity itself in the batch model (x is the index summed over, never a factor)."""
    if isinstance(n, N.Mul) and n.op == "juxt" and len(n.factors) == 2 and n.factors[1] == N.Sym("x") \
            and isinstance(n.factors[0], N.Sym):
        return n.factors[0]
    return n


def renamed_layer(layer, variable: str):
    """The notes' general layer k read as l; their own l, then a particular layer, is the last one (Goodfellow
    writes h^{(l)} for the output of an l-layer network)."""
    names = {variable: "l", "l": "L"}
    return transform(layer, lambda x: N.Sym(names[x.name]) if isinstance(x, N.Sym) and x.name in names
                     and not x.index and x.layer is None else x)


TAGGED_LETTERS = ("g", "f", "h", "sigma", "phi")   # g_{ReLU}: a letter tagged with its activation


def _named_activation(n):
    """g_{ReLU}(Z), g_{\text{softmax}}(Z): a function letter subscripted with an activation's name, applied to
    what follows it, is that activation (the parser reads a tagged letter before brackets as a product)."""
    if not (isinstance(n, N.Mul) and n.op == "juxt" and len(n.factors) >= 2):
        return n
    factors = list(n.factors)
    for k, f in enumerate(factors[:-1]):
        applied = _apply_last(f, factors[k + 1])
        if applied is not None:
            factors[k:k + 2] = [applied]
            return factors[0] if len(factors) == 1 else _named_activation(N.Mul(tuple(factors), n.op))
    return n


def _apply_last(node, arg):
    """node with its rightmost factor, a tagged function letter, applied to arg (dZ \\cdot g_{ReLU} then (Z)
    reads as dZ \\cdot g_{ReLU}(Z)); None when node does not end with one."""
    if isinstance(node, N.Sym):
        if node.name in TAGGED_LETTERS and node.tag and not node.index and node.layer is None and not node.hat \
                and primitives.named(node.tag) is not None:
            return N.Call(primitives.named(node.tag), (arg,))
        return None
    if isinstance(node, N.Mul) and node.factors:
        last = _apply_last(node.factors[-1], arg)
        return None if last is None else N.Mul(node.factors[:-1] + (last,), node.op)
    return None


def _diagonal(n):
    """diag(v) M is v \\odot M (each row of M scaled by an entry of v), and M diag(v) is M \\odot v^T: the
    diagonal matrix of a vector, written as the elementwise product the evaluator knows."""
    if not (isinstance(n, N.Mul) and n.op in ("juxt", "cdot") and len(n.factors) >= 2):
        return n
    factors = list(n.factors)
    for k, f in enumerate(factors):
        if isinstance(f, N.Call) and f.func == "diag" and len(f.args) == 1 and not f.prime and f.layer is None:
            if k + 1 < len(factors):
                factors[k:k + 2] = [N.Mul((f.args[0], factors[k + 1]), "odot")]
            else:
                factors[k - 1:k + 1] = [N.Mul((factors[k - 1], N.Transpose(f.args[0])), "odot")]
            return factors[0] if len(factors) == 1 else _diagonal(N.Mul(tuple(factors), n.op))
    return n


def _layer_like(node) -> bool:
    """l, L, L-1, l+1: a subscript that names a layer in a section whose subscripts are layers."""
    if isinstance(node, N.Sym):
        return node.name in ("l", "L") and node.layer is None and not node.index
    if isinstance(node, N.Add):
        return _layer_like(node.terms[0]) and all(isinstance(t, N.Num) for t in node.terms[1:])
    return False


def _juxtaposition_binds_tighter(n):
    """g'(Z) \\odot W^T dZ is g'(Z) \\odot (W^T dZ): a matrix product written by juxtaposition binds tighter
    than an explicit elementwise product (\\odot, *), as W^T dZ \\odot g'(Z) is (W^T dZ) \\odot g'(Z)."""
    if isinstance(n, N.Mul) and n.op == "juxt" and len(n.factors) >= 2 and isinstance(n.factors[0], N.Mul) \
            and n.factors[0].op in ("odot", "star") and len(n.factors[0].factors) >= 2:
        inner = n.factors[0]
        tail = N.Mul((inner.factors[-1],) + n.factors[1:], "juxt")
        return N.Mul(inner.factors[:-1] + (tail,), inner.op)
    return n
