"""gradaudit: proves or refutes hand-written backpropagation formulas.

Python API: `gradaudit.compile(ARCH, sizes=[...])` returns a network with init, loss,
grads and predict generated from the derived closed forms; `gradaudit.audit_file(path)`
returns the verdict of every formula of a derivation file; `gradaudit.audit_text(latex, network=...)`
audits LaTeX from a string or a cell. `%load_ext gradaudit` adds the `%gradaudit` and `%%audit` magics.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import GradauditError  # noqa: E402


def compile(arch: str | None = None, sizes=None, depth=None, dtype="float64", activation=None, image=None,  # noqa: A001
            network: dict | None = None):
    """Compile a built-in architecture (its id) or a declared network (`network={'layers': [...], 'loss': ...}`,
    the keys of a notes file's `network:` front matter) into NumPy functions; see codegen.network.compile_network."""
    from . import spec
    from .codegen.network import compile_network
    if (arch is None) == (network is None):
        raise GradauditError("give an architecture id or network={...}, not both")
    if network is not None:
        arch = spec.load(network)
    return compile_network(arch, sizes=sizes, depth=depth, dtype=dtype, activation=activation, image=image)


def audit_file(path, **options):
    """Audit one derivation file (.toml, .md, .ipynb); returns the list of results."""
    from .audit.runner import audit_paths
    return audit_paths([path], raise_errors=True, **options).results


def audit_text(latex: str, network=None, **options):
    """Audit the formulas of a LaTeX text (one per line, or per $$ block); results display as HTML in notebooks."""
    from .cells import audit_text as run
    return run(latex, network=network, **options)


def load_ipython_extension(ipython):
    """`%load_ext gradaudit`: the %gradaudit network and %%audit magics."""
    from .magic import load_ipython_extension as load
    load(ipython)


__all__ = ["GradauditError", "compile", "audit_file", "audit_text", "__version__"]
