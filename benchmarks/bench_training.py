"""Benchmark: training speed of both sides, and the whole audit against the tutorial's R script.

    .venv/bin/python benchmarks/bench_training.py [--epochs 3] [--audit-epochs 200]

In one run, on this machine, one job at a time:
1. per-epoch time on the full data (60,000 images, batch 32), each side alone, at Keras'
   defaults (steps_per_execution=1, TF's default threads), with steps_per_execution alone, at
   the audit's tuned settings (the tutorial spec's [execution] settings), and tuned with a
   checkpoint saved after every epoch (what the audit runs, so that it can resume); epoch 1
   (tracing, start-up) is left out of the median;
2. whether anything was lost: predictions and per-epoch history of every run, compared bit
   for bit and grouped by result (R vs Python, and each setting vs the defaults; where threads
   matter, benchmarks/matmul_threads.py shows which op);
3. `parity audit --profile tutorial` (both sides, the comparison, the reports) against the tutorial's R
   script alone as the tutorial wrote it (Keras defaults), both with --audit-epochs epochs.
Prints Markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from parity.config import AuditConfig, load_spec
from parity.contract import read_run
from parity.orchestration import sides

SPEC = load_spec()
#: Keras' own execution settings, and the spec's tuned ones
KERAS_DEFAULTS = {"steps_per_execution": 1, "threads": None}
TUNED = SPEC.execution_settings


def command(side: str, out: Path, checkpoint: Path | None, settings: dict) -> list[str]:
    """The audit's command for one side (None settings are left out: Keras' defaults)."""
    kept = {k: v for k, v in settings.items() if v is not None}
    return AuditConfig(SPEC, "bench", kept, parallel=False).side_command(side, out, checkpoint)


def epoch_times(side: sides.SideRun) -> list[float]:
    marks: list[float] = []
    sides.run_sides([side], parallel=False, progress=lambda _l, _e, _n, s, _r: marks.append(s))
    if side.returncode != 0:
        raise SystemExit(side.error())
    return list(np.diff(marks))  # epochs 2..N


def digest(run_dir: Path) -> tuple[str, str]:
    record = read_run(run_dir)
    proba = record.probabilities.astype(np.float32)
    history = {k: v.tolist() for k, v in record.history.items()}
    return (hashlib.sha256(proba.tobytes()).hexdigest()[:16],
            hashlib.sha256(json.dumps(history, sort_keys=True).encode()).hexdigest()[:16])


def main() -> None:
    ap = argparse.ArgumentParser(allow_abbrev=False)
    ap.add_argument("--epochs", type=int, default=3, help="epochs for the per-epoch timing")
    ap.add_argument("--audit-epochs", type=int, default=200, help="0 skips part 3")
    args = ap.parse_args()
    os.environ.setdefault("TZ", "UTC")
    tmp = Path(tempfile.mkdtemp(prefix="bench_training."))
    rows, digests = [], {}
    # the audit's own settings: tuned, and a checkpoint after every epoch (resumable)
    # steps_per_execution alone (TF's default threads) separates the two levers' effects
    spe_only = dict(KERAS_DEFAULTS, steps_per_execution=TUNED["steps_per_execution"])
    for name, execution, checkpoint in (("Keras defaults", KERAS_DEFAULTS, False),
                                        ("steps_per_execution only", spe_only, False),
                                        ("tuned", TUNED, False),
                                        ("tuned + checkpoints", TUNED, True)):
        settings = {"epochs": args.epochs, "seed": 42, "train_size": None, "test_size": None,
                    "steps_per_execution": execution["steps_per_execution"],
                    "threads": execution["threads"]}
        for side in ("R", "Python"):
            out = tmp / f"{side}_{name.replace(' ', '_')}"
            ck = tmp / f"{out.name}_checkpoint" if checkpoint else None
            cmd = command(side.lower(), out, ck, settings)
            times = epoch_times(sides.SideRun(side, cmd, args.epochs))
            digests[(side, name)] = digest(out)
            rows.append((side, name, execution, statistics.median(times), times))

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    print()
    print("| side | settings | median s/epoch (epochs 2..N) | all epochs | predictions sha256 "
          "| history sha256 |")
    print("|---|---|---|---|---|---|")
    for side, name, execution, med, times in rows:
        d = digests[(side, name)]
        spe, thr = execution["steps_per_execution"], execution["threads"] or "TF default"
        print(f"| {side} | {name} (steps_per_execution={spe}, threads={thr}) | {med:.2f} | "
              f"{', '.join(f'{t:.2f}' for t in times)} | `{d[0]}` | `{d[1]}` |")
    print()
    groups: dict[tuple[str, str], list[str]] = {}
    for (side, name), d in digests.items():
        groups.setdefault(d, []).append(f"{side} {name}")
    print(f"Distinct results (predictions and history) among the {len(digests)} runs: {len(groups)}")
    for d, runs in groups.items():
        print(f"- `{d[0]}`: {', '.join(runs)}")

    if args.audit_epochs:
        t0 = time.monotonic()
        seed_out = tmp / "seed_script"
        settings = {"epochs": args.audit_epochs, "seed": 42, "train_size": None, "test_size": None,
                    "steps_per_execution": 1, "threads": None}
        seed_cmd = command("r", seed_out, None, settings)
        subprocess.run(seed_cmd, check=True, capture_output=True,
                       env=dict(os.environ, RETICULATE_PYTHON=sides.r_python()))
        seed_s = time.monotonic() - t0
        t1 = time.monotonic()
        audit = subprocess.run([sys.executable, "-m", "parity", "audit", "--profile", "tutorial",
                                "--epochs", str(args.audit_epochs), "--out", str(tmp / "audit"),
                                "--quiet"], capture_output=True, text=True)
        audit_s = time.monotonic() - t1
        print()
        print(f"| job ({args.audit_epochs} epochs, full data) | wall time |")
        print("|---|---|")
        script = " ".join(Path(c).name for c in seed_cmd[:2])
        print(f"| the tutorial's R script alone, Keras defaults (`{script} "
              f"--epochs {args.audit_epochs}`) | {seed_s:.0f} s |")
        print(f"| `parity audit --profile tutorial` (both sides, comparison, reports) | {audit_s:.0f} s |")
        print()
        outcome = audit.stdout.strip().splitlines()[-1] if audit.stdout else audit.stderr[-500:]
        print(f"audit outcome: {outcome}")
        seed_digest = digest(seed_out)
        audit_digest = digest(tmp / "audit" / "python_run")
        print(f"tutorial script (defaults) vs audit's Python side (tuned), predictions identical: "
              f"**{seed_digest[0] == audit_digest[0]}**")
    print(f"\n(work files in {tmp})")


if __name__ == "__main__":
    main()
