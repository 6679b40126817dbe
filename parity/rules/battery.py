"""The caret battery: R's caret and the port on generated tables, inside every audit (check
group "battery"), so the verdict on the statistics covers more than the run's own table.

A run's table can hide defects: on the tutorial's 10-class table caret's McNemar is NA (some
off-diagonal pairs are empty), and with exactly 1,000 images per class a Kappa that uses the
reference margins twice, or a no-information rate taken as the mean prevalence, is
bit-identical to the correct one. The battery's tables are chosen to expose such defects:

- 2x2 tables with b != c (a defined McNemar p-value) and b = c (no continuity correction);
- k > 2 tables whose off-diagonal pairs are all non-empty (a defined Bowker p-value);
- unbalanced references (the NIR is not 1/k), an empty prediction row, an empty reference
  column, a table with one class only on the diagonal;
- ``positive`` (two classes), ``prevalence`` (a number, and per class for k > 2), and the three
  modes, so every statistic and every printed layout is compared.

Tables come from a seeded NumPy generator: the same seed and size give the same battery.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from parity.rules import rbridge
from parity.rules.compare import compare_caret
from python_impl.caret import confusion_matrix_from_table

__all__ = ["Case", "cases", "DEFAULT_SEED", "DEFAULT_SIZE", "run_case"]

DEFAULT_SEED = 20261126
#: tables per audit: each costs one caret call in R (~5-15 ms) and one in the port
DEFAULT_SIZE = 24
MODES = ("sens_spec", "prec_recall", "everything")


@dataclass(frozen=True)
class Case:
    name: str
    table: np.ndarray  # rows = Prediction, columns = Reference
    levels: list[str]
    options: dict[str, Any] = field(default_factory=dict)


def _diagonal_heavy(rng: np.random.Generator, k: int, n: int, *, off: float = 0.08) -> np.ndarray:
    """Counts with most mass on the diagonal and every off-diagonal cell >= 1."""
    t = rng.multinomial(n, np.full(k * k, 1 / (k * k))).reshape(k, k) * off
    t = np.floor(t).astype(np.int64) + 1
    t[np.diag_indices(k)] += rng.integers(n // (2 * k), n // k + 1, size=k)
    return t


def cases(*, seed: int = DEFAULT_SEED, size: int = DEFAULT_SIZE) -> list[Case]:
    """The battery: ``size`` cases from ``seed`` (the fixed kinds first, then random tables)."""
    if not isinstance(size, int) or size < 8:
        raise ValueError(f"battery size={size!r}: expected an integer >= 8 (one of each kind)")
    rng = np.random.default_rng(seed)
    two = ["neg", "pos"]
    out = [
        Case("mcnemar_2x2", np.array([[40, 7], [19, 34]]), two, {"positive": "pos"}),
        Case("mcnemar_2x2_b_equals_c", np.array([[30, 9], [9, 52]]), two,
             {"positive": "neg", "mode": "everything"}),
        Case("bowker_3x3", _diagonal_heavy(rng, 3, 300), ["a", "b", "c"], {"mode": "everything"}),
        Case("bowker_5x5_unbalanced",
             _diagonal_heavy(rng, 5, 500) * np.array([1, 1, 1, 1, 6]), list("vwxyz"), {}),
        Case("empty_prediction_row", np.array([[20, 3, 1], [0, 0, 0], [2, 5, 30]]),
             ["x1", "x2", "x3"], {"mode": "prec_recall"}),
        Case("empty_reference_column", np.array([[20, 0, 1], [4, 0, 2], [2, 0, 30]]),
             ["c1", "c2", "c3"], {}),
        Case("prevalence_two_class", np.array([[12, 5], [3, 80]]), two,
             {"positive": "pos", "prevalence": 0.3, "mode": "everything"}),
        Case("prevalence_per_class", _diagonal_heavy(rng, 3, 240), ["p", "q", "r"],
             {"prevalence": {"p": 0.5, "q": 0.3, "r": 0.2}}),
    ]
    while len(out) < size:
        i = len(out)
        k = int(rng.integers(2, 7))
        n = int(rng.integers(20, 2000))
        t = _diagonal_heavy(rng, k, n, off=float(rng.uniform(0.0, 0.3)))
        if rng.random() < 0.3:  # unbalanced reference
            t[:, int(rng.integers(k))] *= int(rng.integers(2, 9))
        levels = [f"L{j}" for j in range(k)]
        options: dict[str, Any] = {"mode": MODES[i % 3]}
        if k == 2:
            options["positive"] = levels[int(rng.integers(2))]
            if rng.random() < 0.5:
                options["prevalence"] = float(np.round(rng.uniform(0.05, 0.95), 3))
        out.append(Case(f"random_{i:02d}_k{k}", t, levels, options))
    return out[:size]


def run_case(case: Case, *, tolerance=None) -> list:
    """R's caret and the port on one case: :func:`parity.rules.compare.compare_caret`'s rows
    (``tolerance(name, default)``: a statistic's rule, as compare_caret takes it)."""
    r = rbridge.caret_from_table(case.table, case.levels, **case.options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        port = confusion_matrix_from_table(case.table, labels=case.levels, **case.options)
    return compare_caret(r, port, tolerance=tolerance)
