"""The real-notes corpus (tests/real_notes/): gradaudit run as a user runs it on notes people published.

Three guarantees, per claim:
- the hand keys are right: verify_keys.py checks every key against finite differences of the
  note's network (no gradaudit code involved);
- no claim keyed `right` is reported `error` (the hard invariant). The false alarms gradaudit
  raises today are listed in FALSE_ALARMS, each an xfail(strict=True) with its cause, so that
  fixing one turns its test red until it leaves the list;
- every other verdict stays as pinned in tests/real_notes/pinned.yaml (a regression pin, not a
  key: `python bench/bench_real_notes.py --pin` re-pins after a deliberate change).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent / "real_notes"))
import harness
import verify_keys

KEYS = harness.keys()
PINS = yaml.safe_load((harness.HERE / "pinned.yaml").read_text(encoding="utf-8"))

SECTION = "a section whose own network the file cannot declare yet (issue 20 item 1)"
BISHOP = "Bishop's names (a the weighted input, z = h(a) the activation, y the output) read as deeplearning.ai's"
FALSE_ALARMS = {
    # --- names: the note's own names
}


@pytest.fixture(scope="module")
def reports():
    return harness.run_all(list(KEYS))


@pytest.fixture(scope="module")
def audited(reports):
    return {(c.note, c.id): c for note in KEYS for c in harness.claims(note, KEYS[note], reports[note])}


def _ids(verdicts):
    return [(note, cid) for note, claims in KEYS.items() for cid, key in claims.items() if key["verdict"] in verdicts]


def test_corpus_is_large_and_varied():
    notes = list(KEYS)
    sources = {yaml.safe_load((harness.HERE / f"{n}.md").read_text(encoding="utf-8").split("---")[1])["source"]
               .split("/blob/")[0] for n in notes}
    assert len(notes) >= 10 and len(sources) >= 10
    assert sum(len(c) for c in KEYS.values()) >= 200
    assert len({harness.NOTATION[n] for n in notes}) >= 3


@pytest.mark.parametrize("note", list(KEYS))
def test_front_matter_names_source_and_network(note):
    header = yaml.safe_load((harness.HERE / f"{note}.md").read_text(encoding="utf-8").split("---")[1])
    assert header["source"].startswith("https://github.com/")
    assert {"layers", "loss", "averaging", "convention"} <= set(header["network"])


def test_keys_agree_with_finite_differences():
    assert verify_keys.verify(KEYS) == []


def test_every_result_is_keyed(reports):
    for note, report in reports.items():
        mapped = {t for cid, key in KEYS[note].items() for t in key.get("tool", [cid])}
        displays = {cid.split(".")[0] for cid in KEYS[note]}
        for r in report["results"]:
            rid = f"{r['id']}.{r['step']}"
            assert rid in mapped or r["id"] in displays and r["verdict"] == "unsupported", (note, rid, r["claim"])


def _false_alarm_params():
    for note, cid in _ids(("right",)):
        reason = FALSE_ALARMS.get((note, cid))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        yield pytest.param(note, cid, marks=marks, id=f"{note}-{cid}")


@pytest.mark.parametrize(("note", "cid"), list(_false_alarm_params()))
def test_no_right_claim_is_an_error(audited, note, cid):
    c = audited[(note, cid)]
    assert c.verdict != "error", f"{note} {cid} keyed right ({c.key['reason']}), reported {c.pin}: {c.reason}"


def test_false_alarm_list_names_keyed_right_claims():
    right = set(_ids(("right",)))
    assert set(FALSE_ALARMS) <= right


@pytest.mark.parametrize(("note", "cid"), [(n, c) for n in KEYS for c in KEYS[n]],
                         ids=[f"{n}-{c}" for n in KEYS for c in KEYS[n]])
def test_verdict_is_pinned(audited, note, cid):
    assert audited[(note, cid)].pin == PINS[note][cid]
