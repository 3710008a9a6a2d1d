"""The generated functions of a compiled network: its closed forms printed as NumPy by SymPy's lambdify.

Lambdify's `cse` hook receives the core's own named steps (Z1, A1, ..., dZ3, dW3, ...) as the common
subexpressions, so each is computed once, in evaluation order, and steps no output needs are dropped.
The printer (printer.py) adds what NumPyPrinter lacks; KERNELS are the functions it calls.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass

import sympy as sp
from sympy import MatrixSymbol

from ..symbolic.closed_form import LAMBDA
from . import kernels
from .printer import BatchSum, GeneratedPrinter
from .stable import stable_loss, unstable_logs

KERNELS = {name: getattr(kernels, name) for name in (
    "sigmoid", "log_sigmoid", "relu", "softmax", "log_softmax", "logsumexp", "conv2d", "conv2d_grad_kernel_sum",
    "conv2d_grad_input", "maxpool2d", "maxpool2d_grad", "flatten", "unflatten", "conv2d_mc", "conv2d_mc_grad_kernel_sum",
    "conv2d_mc_grad_kernel", "conv2d_mc_grad_input", "pad2d", "crop2d", "channel_sum")}


@dataclass
class Program:
    """The printed functions and what they need: argument symbols, steps, outputs."""
    args: list
    steps: list                 # [(MatrixSymbol, expr)] in evaluation order, only those needed
    outputs: list
    function: object = None
    source: str = ""


def _needed(steps: list, outputs: list) -> list:
    """The steps the outputs depend on, in evaluation order."""
    wanted = set().union(*(o.free_symbols for o in outputs))
    keep = []
    for sym, expr in reversed(steps):
        if sym in wanted:
            keep.append((sym, expr))
            wanted |= expr.free_symbols
    return keep[::-1]


def _program(name, args, steps, outputs, batched) -> Program:
    steps = _needed(steps, outputs)
    printer = GeneratedPrinter(batched=batched)
    fn = sp.lambdify(args, outputs if len(outputs) > 1 else outputs[0], modules=[KERNELS, "numpy"],
                     printer=printer, cse=lambda exprs: (steps, exprs), dummify=False, docstring_limit=0)
    source = inspect.getsource(fn).replace("def _lambdifygenerated(", f"def {name}(", 1)
    return Program(args, steps, outputs, fn, source)


def param_shapes(d, dims, filters) -> dict:
    """Concrete parameter shapes; with filters, conv parameters get a leading filter axis and the flattened dense layer F times the rows."""
    flat_inputs = set()
    for _, expr in d.forward:
        for fl in expr.atoms(sp.MatMul):
            if any(type(f).__name__ == "Flatten" for f in fl.args):
                flat_inputs |= {p for p in d.params.values() if p in fl.args}
    shapes = {}
    values = {d.dims[k]: v for k, v in dims.items() if k in d.dims and isinstance(d.dims[k], sp.Symbol)}
    convs = [x for x in d.arch.layers if x.kind == "conv"]
    ins = [d.arch.channels] + [x.channels for x in convs]
    for name, sym in d.params.items():
        shape = tuple(int(sp.sympify(s).xreplace(values)) for s in sym.shape)
        if d.arch.multichannel and name in conv_biases(d) | {k for k in d.params if k.startswith("K")}:
            i = [f"K{k[1:]}" for k in d.params if k.startswith("K")].index("K" + name[1:])
            k = convs[i].kernel
            shapes[name] = (ins[i + 1], ins[i], k, k) if name.startswith("K") else (ins[i + 1], 1, 1)
            continue
        if d.arch.is_cnn and (name.startswith("K") or name in conv_biases(d)):
            shape = (filters,) + shape
        elif sym in flat_inputs:
            shape = (shape[0] * filters, shape[1])
        shapes[name] = shape
    return shapes


def conv_biases(d) -> set:
    return {f"b{k[1:]}" for k in d.params if k.startswith("K")}


def build_programs(net) -> None:
    """The network's predict, loss and grads functions, printed from its derivation."""
    d = net.derivation
    X, Y = d.inputs["X"], d.inputs["Y"]
    params = list(d.params.values())
    # an L2 penalty's lambda is a number in the generated code: the spec's `lambda:` value
    fixed = {LAMBDA: sp.Rational(str(net.arch.reg_lambda))} if net.arch.regularization is not None else {}
    forward = [(MatrixSymbol(n, *e.shape), e.xreplace(fixed)) for n, e in d.forward]
    backward = [(MatrixSymbol(n, *e.shape), e.xreplace(fixed)) for n, e in d.backward]
    definitions = {sym: e for sym, e in forward}
    out_sym = forward[-1][0]
    loss = stable_loss(d.loss.xreplace(fixed), {out_sym: definitions[out_sym]})
    left = unstable_logs(loss)
    if left:
        net.notes.append(f"loss keeps log of an activation that is not a logit form ({left[0]}): it may be infinite when saturated")
    grads = [next(e for s, e in backward if s.name == "d" + name) for name in d.params]
    grads = [BatchSum(g) if net.batched else g for g in grads]
    everything = [loss, out_sym] + [e for _, e in forward + backward]
    net.dim_symbols = sorted({s for e in everything for s in e.free_symbols
                              if isinstance(s, sp.Symbol) and not isinstance(s, (sp.Dummy, MatrixSymbol))}, key=str)
    dims = net.dim_symbols
    net._dim_values = [None if s.name == "m" else int(net.dims[s.name]) for s in dims]
    net.programs = {
        "predict": _program("predict", [X] + params + dims, forward, [out_sym], net.batched),
        "loss": _program("loss", [X, Y] + params + dims, forward, [loss], net.batched),
        "grads": _program("grads", [X, Y] + params + dims, forward + backward, grads, net.batched),
    }
