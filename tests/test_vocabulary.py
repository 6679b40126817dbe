"""One vocabulary (issue 20): an audit's verdicts name its sides R and Python - "A" and "B"
only where ``parity compare`` grades any two runs - and "seed" means the random seed only
(the document the audit started from is the tutorial)."""

from __future__ import annotations

import re

import numpy as np

from parity.checks.grading import grade_runs
from parity.checks.groups import grade_pair
from parity.config import AuditConfig
from parity.contract import SIDE_LABELS, SIDES, RunWriter, read_run
from parity.paths import PROJECT_ROOT


def _run(path, side, *, history: bool):
    with RunWriter(path, side=side, settings={"seed": 1}) as w:
        if history:
            w.history({"loss": [0.5, 0.25]})
        w.labels(test=np.array([0, 1, 1], dtype=np.int32))
        w.predictions(np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6]]))
    return read_run(path)


def test_an_audit_names_its_sides_and_compare_names_a_and_b(tmp_path):
    r, py = _run(tmp_path / "r", "r", history=True), _run(tmp_path / "py", "python", history=False)
    assert set(SIDE_LABELS) == set(SIDES)
    audit = grade_pair(AuditConfig.resolve(), r, py).groups["training"]
    assert audit.reason == "no history in run Python"
    assert grade_runs(r, py).groups["training"].reason == "no history in run B"


def test_seed_means_the_random_seed():
    """No identifier or comment calls the tutorial "the seed" in the code (README and the
    shared/seed/ folder's name aside)."""
    pattern = re.compile(r"\bSEED_[A-Z]|the seed's|the seed (script|document|tutorial)"
                         r"|==== (end of )?the seed\b")
    found = []
    for folder in ("parity", "python_impl", "r_reference", "r_packages", "benchmarks", "tests"):
        for path in (PROJECT_ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".R", ".toml") and path.name != "test_vocabulary.py":
                for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                    if pattern.search(line):
                        found.append(f"{path.relative_to(PROJECT_ROOT)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)
