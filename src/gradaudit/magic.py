"""The IPython extension: `%load_ext gradaudit`, then `%gradaudit network ...` and `%%audit`.

    %gradaudit network architecture: d001-mlp-L-g; shorthand: per-example
    %%audit
    dZ^{[L]} = A^{[L]} - Y

The network keys are a notes header's (`;` or new lines between them; `%%gradaudit network` takes
them from the cell). A bad spec or formula text is a one-line UsageError, never a traceback.
"""
from __future__ import annotations

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.display import display

from .cells import audit_text, network_section
from .errors import GradauditError


@magics_class
class GradauditMagics(Magics):
    network = None      # the notebook's Section, set by %gradaudit network

    @line_cell_magic
    def gradaudit(self, line: str, cell: str | None = None):
        command, _, rest = line.strip().partition(" ")
        if command != "network":
            raise UsageError("usage: %gradaudit network architecture: ID; shorthand: ... (the keys of a notes header)")
        spec = rest if not (cell or "").strip() else (cell if not rest.strip() else rest + "\n" + cell)
        try:
            self.network = network_section(spec)
        except GradauditError as exc:
            raise UsageError(f"gradaudit: {exc}") from None
        print(f"gradaudit: network {self.network.architecture.id}")

    @line_cell_magic
    def audit(self, line: str, cell: str | None = None):
        if cell is None:
            raise UsageError("%%audit is a cell magic: write the formulas in the cell below it")
        try:   # with no %gradaudit network, the cell's own forward pass and loss define it
            results = audit_text(cell, network=self.network)
        except GradauditError as exc:
            raise UsageError(f"gradaudit: {exc}") from None
        display(results)


def load_ipython_extension(ipython) -> None:
    ipython.register_magics(GradauditMagics)
