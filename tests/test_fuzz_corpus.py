"""A seeded slice of the corpus fuzzer (bench/fuzz.py; the long run is documented in bench/RESULTS.md).

Mutated formulas of derivations/ audited in their sections, and mutated derivation files and notes audited
whole: never the safety net (an internal error), every file error with its file and line, every formula
within its budget plus the fixed margin, the process under the memory ceiling.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from gradaudit.audit import budget

FUZZ = Path(__file__).resolve().parent.parent / "bench" / "fuzz.py"


@pytest.fixture(scope="module")
def fuzz():
    spec = importlib.util.spec_from_file_location("gradaudit_bench_fuzz", FUZZ)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module   # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_seeded_fuzz_slice_keeps_every_promise(fuzz):
    stats = fuzz.run(seed=19, formulas=150, files=20, timeout=0.5)
    assert stats.formulas == 150 and stats.files == 20
    assert not stats.failures, "\n\n".join(f"{f['what']}\n{f['case']}" for f in stats.failures)
    assert stats.worst_over <= fuzz.MARGIN, stats.worst_case
    assert fuzz.peak_rss_mb() * 1024 * 1024 < budget.MEMORY_CEILING
    assert sum(stats.verdicts.values()) == stats.claims > 150 and stats.file_errors > 0   # both kinds of case ran
