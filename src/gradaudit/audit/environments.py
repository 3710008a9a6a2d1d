"""The environments a section's claims are evaluated in: its models (every size choice, depth of a
general network and concrete activation for a generic g) and, per model, every value of a free layer
index."""
from __future__ import annotations

from ..corpus import Section
from ..notation import ast as N
from ..notation.tree import walk
from .model import G_CHOICES, NumericModel, Sizes, size_choices
from .names import Context
from .scalar_model import ScalarModel


GENERAL_DEPTHS = (2, 3, 4, 5)


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
