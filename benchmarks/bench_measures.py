"""Benchmark: the caret/pROC measures of python_impl.caret against R, same run, same inputs.

    .venv/bin/python benchmarks/bench_measures.py [--n 1000000] [--repeat 3]

On n rows with ties (scores rounded to 2 decimals; 3 classes for the summary), best of
--repeat, in one process:
- pROC::auc(response, predictor) vs roc_auc;
- pROC::ci.auc(..., method = "delong") vs ci_auc_delong;
- caret::multiClassSummary(data, lev) vs multi_class_summary;
- sklearn.metrics.roc_auc_score, for scale.
R is timed inside R (system.time over the call, data already in R: conversion excluded); the
results are checked equal to the bit before timing. Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import warnings

import numpy as np
import pandas as pd
from machine import best, cpu_line


def main() -> None:
    ap = argparse.ArgumentParser(allow_abbrev=False)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    os.environ.setdefault("TZ", "UTC")
    from parity.rules import rbridge
    from python_impl.caret import ci_auc_delong, multi_class_summary, roc_auc

    ro = rbridge.r_env()
    from rpy2.robjects import StrVector, default_converter, numpy2ri
    from rpy2.robjects.conversion import localconverter
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    n = args.n
    y = rng.integers(0, 2, n)
    x = np.round(rng.normal(size=n) + 0.8 * y, 2)
    lv = ["a", "b", "c"]
    obs = rng.integers(0, 3, n)
    raw = rng.random((n, 3)) + 2.0 * (np.arange(3)[None, :] == obs[:, None])
    prob = np.round(raw / raw.sum(axis=1, keepdims=True), 2)
    d = pd.DataFrame(
        {
            "obs": pd.Categorical.from_codes(obs, lv),
            "pred": pd.Categorical.from_codes(prob.argmax(axis=1), lv),
        }
    )
    for j, level in enumerate(lv):
        d[level] = prob[:, j]

    ro.r("suppressPackageStartupMessages(library(pROC))")
    with localconverter(default_converter + numpy2ri.converter):
        ro.globalenv["y"] = y.astype(np.int32)
        ro.globalenv["x"] = x
        ro.globalenv["obs"] = obs.astype(np.int32)
        ro.globalenv["pred"] = prob.argmax(axis=1).astype(np.int32)
        ro.globalenv["prob"] = prob
    ro.globalenv["lv"] = StrVector(lv)
    ro.r("""
      d <- data.frame(obs = factor(lv[obs + 1], levels = lv), pred = factor(lv[pred + 1], levels = lv))
      for (j in seq_along(lv)) d[[lv[j]]] <- prob[, j]
      .time <- function(expr, repeat_n) min(replicate(repeat_n, system.time(eval(expr))[["elapsed"]]))
    """)

    def r_time(code: str) -> float:
        return float(ro.r(f".time(quote({code}), {args.repeat})")[0])

    def r_value(code: str) -> np.ndarray:
        return np.asarray(ro.r(f"as.numeric({code})"))

    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        checks = {
            "AUC": (
                lambda: roc_auc(y, x),
                "auc(y, x, quiet = TRUE)",
            ),
            "DeLong CI": (
                lambda: ci_auc_delong(y, x),
                'ci.auc(y, x, quiet = TRUE, method = "delong")',
            ),
            "multiClassSummary": (
                lambda: multi_class_summary(d, lev=lv).to_numpy(),
                "caret::multiClassSummary(d, lev = lv)",
            ),
        }
        for name, (py, rcode) in checks.items():
            ours = np.atleast_1d(np.asarray(py(), dtype=np.float64))
            theirs = r_value(rcode)
            same = ours.view(np.int64).tolist() == theirs.view(np.int64).tolist()
            rows.append((name, best(py, args.repeat), r_time(rcode), same))
        sk = best(lambda: roc_auc_score(y, x), args.repeat)

    print(f"n = {n:,} rows with ties; best of {args.repeat}; {cpu_line()}\n")
    print("| measure | port | R | R / port | bit-identical |")
    print("|---|---|---|---|---|")
    for name, ours_t, r_t, same in rows:
        print(f"| {name} | {ours_t:.3f} s | {r_t:.3f} s | {r_t / ours_t:.1f}x | {'yes' if same else 'NO'} |")
    print(f"\nsklearn.metrics.roc_auc_score on the same AUC input: {sk:.3f} s")


if __name__ == "__main__":
    main()
