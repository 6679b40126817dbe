"""Published figures: what a tutorial or paper prints, compared with a run (check group
"published"). The figures come from the spec's ``[published]`` table (the tutorial's are in
``parity/specs/tutorial.toml``)."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import scipy.stats

from python_impl.caret import binom_ci

__all__ = ["parse_printed_report", "compare_printed", "accuracy_against", "compare_summary"]


def parse_printed_report(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """The overall block and the by-class rows of a caret print, as printed strings.

    By-class rows are joined across R's column blocks, so they compare with published rows
    whatever the wrapping.
    """
    overall: dict[str, str] = {}
    by_class: dict[str, list[str]] = {}
    section = None
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.startswith("Overall Statistics"):
            section = "overall"
            continue
        if line.startswith("Statistics by Class"):
            section = "by_class"
            continue
        if section == "overall" and " : " in line:
            name, value = line.split(" : ", 1)
            overall[name.strip()] = value.strip()
        elif section == "by_class" and line and not line.lstrip().startswith("Class:"):
            parts = line.split()
            values = [p for p in parts if _is_number_or_na(p)]
            name = " ".join(parts[: len(parts) - len(values)])
            by_class.setdefault(name, []).extend(values)
    return overall, {k: " ".join(v) for k, v in by_class.items()}


def _is_number_or_na(token: str) -> bool:
    if token in ("NA", "NaN"):
        return True
    try:
        float(token)
    except ValueError:
        return False
    return True


def compare_printed(text: str, printed: dict[str, dict[str, str]]) -> tuple[list[str], dict[str, Any]]:
    """(names whose printed figure differs, the figures this text prints) for the published
    ``overall`` and ``by_class`` figures."""
    overall, by_class = parse_printed_report(text)
    got = {**{k: overall.get(k) for k in printed.get("overall", {})},
           **{k: by_class.get(k) for k in printed.get("by_class", {})}}
    want = {**printed.get("overall", {}), **printed.get("by_class", {})}
    return [k for k in want if got[k] != want[k]], got


def accuracy_against(run_caret, table) -> dict[str, Any]:
    """This run's accuracy against the published table's: a two-proportion z-test and both
    Clopper-Pearson CIs (binom.test's)."""

    table = np.asarray(table)
    x2, n2 = int(np.trace(table)), int(table.sum())
    rt = np.asarray(run_caret.table)
    x1, n1 = int(np.trace(rt)), int(rt.sum())
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2)) if n1 and n2 else 0.0
    z = (x1 / n1 - x2 / n2) / se if se > 0 else math.nan
    p = float(2 * scipy.stats.norm.sf(abs(z))) if se > 0 else math.nan

    def ci(x, n):
        return [float(v) for v in binom_ci(np.float64(x), np.float64(n))]

    return {"published": {"accuracy": x2 / n2, "n": n2, "ci95": ci(x2, n2)},
            "run": {"accuracy": x1 / n1 if n1 else math.nan, "n": n1, "ci95": ci(x1, n1)},
            "test": {"accuracy_diff": (x1 / n1 if n1 else math.nan) - x2 / n2, "z": z, "p_two_sided": p},
            "verdict": "" if math.isnan(p) else ("significantly different at 5%" if p < 0.05
                                                 else "not significantly different at 5%")}


def compare_summary(text: str, published: dict[str, Any]):
    """A printed Keras summary (any Keras) against the published rows (name, class, output
    width, params) and total; rows the publication declares omitted (``omits``) must be
    exactly the ones missing, with no parameters. Returns (ok, rows, detail, reason)."""
    got = [(name, cls, int(shape.strip("()").split(",")[-1]), params)
           for name, cls, shape, params in summary_rows(text)]
    printed = [tuple(row) for row in published["layers"]]
    omitted = [row for row in got if row not in printed]
    extra = [row for row in printed if row not in got]
    total = summary_total(text)
    declared = list(published.get("omits", []))
    ok = (not extra and [row[0] for row in omitted] == declared
          and all(row[3] == 0 for row in omitted) and total == published.get("total_params", total))
    reason = (f"the published summary omits {', '.join(declared)}: "
              f"{published.get('omits_reason', '')}" if ok and declared else
              "" if ok else "unexpected difference from the published summary")
    return ok, got, {"omitted_by_publication": omitted, "not_in_model": extra,
                     "total_printed": total}, reason


def summary_rows(text: str) -> list[tuple[str, str, str, int]]:
    """(name, class, output shape, params) rows of a printed Keras summary, any Keras."""
    rows = []
    pat = re.compile(r"([A-Za-z_][\w]*) \((\w+)\)\s*[│|]?\s*(\([^)]*\))\s*[│|]?\s*([\d,]+)")
    for line in text.splitlines():
        m = pat.search(line)
        if m:
            rows.append((m[1], m[2], m[3].replace(" ", ""), int(m[4].replace(",", ""))))
    return rows


def summary_total(text: str) -> int | None:
    """The model's parameter count a printed summary states: "Total params", less the
    "Optimizer params" Keras 3 adds to it once the model has trained (the optimizer's state is
    not the model's: a summary printed after fit(), as a capture takes it, counts them).

    Examples
    --------
    >>> summary_total("Total params: 333,440 (1.27 MB)\\nOptimizer params: 222,294 (868 KB)")
    111146
    >>> summary_total("Total params: 111,146 (434.16 KB)")
    111146
    """
    m = re.search(r"Total params:\s*([\d,]+)", text)
    if not m:
        return None
    optimizer = re.search(r"Optimizer params:\s*([\d,]+)", text)
    return int(m[1].replace(",", "")) - (int(optimizer[1].replace(",", "")) if optimizer else 0)
