"""Benchmark: python_impl.caret.confusion.confusion_matrix against the floor and the alternatives.

    .venv/bin/python benchmarks/bench_confusion.py [--n 10000000] [--repeat 5]

Times, side by side in one run on the same label pairs (best of --repeat):
- the floor: numpy.bincount of pred * k + ref into a k x k table;
- this port: confusion_matrix (levels, table and every caret statistic);
- caret::confusionMatrix in R (rpy2, timed inside R with system.time; conversion excluded);
- sklearn.metrics.confusion_matrix (table only); PyCM's ConfusionMatrix (its statistics).
Also k = 1000 classes, and string labels. Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import warnings

import numpy as np
from machine import best


def main() -> None:
    ap = argparse.ArgumentParser(allow_abbrev=False)
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--pycm-n", type=int, default=1_000_000, help="PyCM is slow; size for it")
    args = ap.parse_args()
    os.environ.setdefault("TZ", "UTC")
    from sklearn.metrics import confusion_matrix as sk_cm

    from python_impl.caret.confusion import confusion_matrix

    rng = np.random.default_rng(0)
    rows = []

    def case(label, k, pred, ref, *, alternatives=True):
        floor = best(lambda: np.bincount(pred * k + ref, minlength=k * k).reshape(k, k), args.repeat) \
            if pred.dtype.kind in "iu" else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            port = best(lambda: confusion_matrix(pred, ref), args.repeat)
        row = {"case": label, "floor": floor, "port": port}
        if alternatives:
            row["sklearn"] = best(lambda: sk_cm(ref, pred), max(1, args.repeat // 2))
            row["caret"] = caret_time(pred, ref)
            import pycm

            m = args.pycm_n
            row["pycm"] = best(lambda: pycm.ConfusionMatrix(actual_vector=ref[:m],
                                                            predict_vector=pred[:m]), 1)
        rows.append(row)

    n = args.n
    ref = rng.integers(0, 10, n)
    pred = np.where(rng.random(n) < 0.89, ref, rng.integers(0, 10, n))
    case(f"10 classes, {n:,} int64 pairs", 10, pred, ref)
    ref_k = rng.integers(0, 1000, n)
    pred_k = np.where(rng.random(n) < 0.89, ref_k, rng.integers(0, 1000, n))
    case(f"1,000 classes, {n:,} int64 pairs", 1000, pred_k, ref_k, alternatives=False)
    names = np.array(["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                      "Sneaker", "Bag", "Ankle boot"])
    m = n // 10
    case(f"10 classes, {m:,} string pairs", 10, names[pred[:m]], names[ref[:m]], alternatives=False)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"NumPy {np.__version__}")
    print()
    print("| case | numpy.bincount (floor) | this port | port / floor | caret (R) | sklearn | PyCM |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        def ms(key, r=r):
            v = r.get(key)
            return "-" if v is None else f"{v * 1000:.0f} ms"
        ratio = f"{r['port'] / r['floor']:.2f}x" if r.get("floor") else "-"
        pycm_txt = ms("pycm") + (f" ({args.pycm_n:,} pairs)" if r.get("pycm") else "")
        print(f"| {r['case']} | {ms('floor')} | {ms('port')} | {ratio} | {ms('caret')} | "
              f"{ms('sklearn')} | {pycm_txt} |")


def caret_time(pred, ref) -> float | None:
    try:
        from rpy2.robjects import default_converter, numpy2ri
        from rpy2.robjects.conversion import localconverter

        from parity.rules import rbridge
    except ImportError:
        return None
    ro = rbridge.r_env()
    with localconverter(default_converter + numpy2ri.converter):
        ro.globalenv["bench_pred"] = pred.astype(np.int32)
        ro.globalenv["bench_ref"] = ref.astype(np.int32)
    # like the tutorial: factor(), then confusionMatrix; best of 3, timed inside R
    code = """min(replicate(3, system.time({
        p <- factor(as.vector(bench_pred)); r <- factor(as.vector(bench_ref))
        suppressWarnings(confusionMatrix(p, r))})[["elapsed"]]))"""
    with localconverter(default_converter + numpy2ri.converter):
        return float(np.asarray(ro.r(code))[0])


if __name__ == "__main__":
    main()
