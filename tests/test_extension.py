"""A newcomer adds an activation through the public extension point only (CONTRIBUTING.md): one table entry,
and the network spec, the derivation, the auditor, the notation reader and generated code all know it.

Run in a child process, so the toy entry never leaks into the other tests' table."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(r'''
    import json
    import numpy as np
    import sympy as sp
    import gradaudit
    from gradaudit import primitives

    # softsign(z) = z / (1 + |z|), softsign'(z) = 1 / (1 + |z|)^2: in no table before this line
    primitives.register(primitives.Activation(
        "softsign", lambda z: z / (1 + sp.Abs(z)), lambda z: 1 / (1 + sp.Abs(z)) ** 2,
        latex=("softsign", r"\operatorname{softsign}")))
    out = {}

    # generated code: gradients equal finite differences of the generated loss
    net = gradaudit.compile(network={"layers": ["softsign", "sigmoid"], "loss": "bce"}, sizes=[3, 4, 1])
    rng = np.random.default_rng(0)
    params = net.init(seed=1)
    X, Y = rng.normal(size=(3, 5)), (rng.random((1, 5)) > 0.5) * 1.0
    grads = net.grads(params, X, Y)
    worst = 0.0
    for name, value in params.items():
        for idx in np.ndindex(value.shape):
            up = {k: v.copy() for k, v in params.items()}
            down = {k: v.copy() for k, v in params.items()}
            up[name][idx] += 1e-6
            down[name][idx] -= 1e-6
            fd = (net.loss(up, X, Y) - net.loss(down, X, Y)) / 2e-6
            worst = max(worst, abs(fd - grads[name][idx]))
    out["codegen_fd_error"] = worst

    # the auditor: the notes name it in words, its derivative is checked, a slip is caught
    notes = "\n".join([
        r"$$A^{[1]} = \operatorname{softsign}(Z^{[1]})$$",
        r"$$dZ^{[1]} = W^{[2]T} dZ^{[2]} \odot \operatorname{softsign}'(Z^{[1]})$$",
        r"$$dZ^{[1]} = W^{[2]T} dZ^{[2]} \odot \frac{1}{(1 + |Z^{[1]}|)^2}$$",
        r"$$dZ^{[1]} = W^{[2]} dZ^{[2]} \odot \operatorname{softsign}'(Z^{[1]})$$",
        r"$$A^{[1]} = \tanh(Z^{[1]})$$",
    ])
    results = gradaudit.audit_text(notes, network="network: {layers: [softsign, sigmoid], loss: bce}")
    out["verdicts"] = [(r.verdict, [e.kind for e in r.errors]) for r in results]
    print(json.dumps(out))
''')


def test_a_toy_activation_added_through_the_extension_point_is_derived_audited_and_generated():
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["codegen_fd_error"] < 1e-7
    assert out["verdicts"][0] == ["correct", []]          # the forward formula, named in words
    assert out["verdicts"][1] == ["correct", []]          # the derivative by its name
    assert out["verdicts"][2][0] in ("correct", "unsupported")   # written out with |Z|: never a false alarm
    assert out["verdicts"][3][0] == "error"               # the transpose lost
    assert out["verdicts"][4] == ["error", ["definition"]]   # tanh where the network declares softsign


def test_the_extension_point_refuses_an_incomplete_entry():
    script = ("from gradaudit import primitives\n"
              "from gradaudit.errors import GradauditError\n"
              "for entry in (primitives.Activation('Bad Name', None, None), primitives.Activation('nofunc', None, None),"
              " primitives.Activation('tanh', lambda z: z, lambda z: 1)):\n"
              "    try:\n        primitives.register(entry)\n    except GradauditError as exc:\n        print(exc)\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.stdout.splitlines() == ["register an Activation whose name is lowercase letters and underscores",
                                       "activation nofunc needs its formula and its derivative",
                                       "activation tanh is already in the table"], run.stdout + run.stderr
