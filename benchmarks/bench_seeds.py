"""Benchmark: K seeds x 2 sides on Dask distributed against the same tasks one after another.

    .venv/bin/python benchmarks/bench_seeds.py [--seeds 8] [--profiles smoke,default] [--workers 2]

In one run, on this machine: for each profile, the K x 2 runs (the tutorial's R and Python
sides, the audit's execution settings) as tasks on a LocalCluster of ``--workers`` processes
(parity.orchestration.seeds.run_seeds, what ``parity audit --seeds K`` runs), then the same tasks one after
another in this process (plain subprocess calls). Also the engine's per-task overhead: a task
that runs ``true``, on the cluster and directly. Prints Markdown for BENCHMARKS.md, with the
arithmetic for K = 100 seeds at the tutorial's 200-epoch profile on N workers.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from parity.config import AuditConfig, load_spec
from parity.orchestration.seeds import SeedTask, _execute, audit_tasks, run_seeds


def tasks_for(profile: str, seeds: int, root: Path) -> list[SeedTask]:
    """What ``parity audit --seeds`` runs for this profile (parity.orchestration.seeds.audit_tasks)."""
    config = AuditConfig.resolve(load_spec(), profile=profile)
    return audit_tasks(config, root, list(range(42, 42 + seeds)))[0]


def main() -> None:
    ap = argparse.ArgumentParser(allow_abbrev=False)
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--profiles", default="smoke,default")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_seeds."))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"K = {args.seeds} seeds x 2 sides, LocalCluster of {args.workers} workers\n")
    print("| profile | runs | LocalCluster wall | one after another | speed-up | median run |")
    print("|---|---|---|---|---|---|")
    medians = {}
    for profile in args.profiles.split(","):
        t0 = time.monotonic()
        results = run_seeds(tasks_for(profile, args.seeds, tmp / profile / "cluster"),
                            workers=args.workers, say=lambda _line: None)
        cluster_s = time.monotonic() - t0
        assert all(r["status"] == "done" for r in results), results
        t1 = time.monotonic()
        one = [_execute(t) for t in tasks_for(profile, args.seeds, tmp / profile / "sequential")]
        sequential_s = time.monotonic() - t1
        assert all(r["status"] == "done" for r in one), one
        medians[profile] = statistics.median(r["seconds"] for r in one)
        print(f"| {profile} | {len(one)} | {cluster_s:.0f} s | {sequential_s:.0f} s | "
              f"{sequential_s / cluster_s:.2f}x | {medians[profile]:.1f} s |")
    # per-task overhead: a task whose command does nothing
    noop = [SeedTask("x", i, ("true",), str(tmp / "noop" / f"t{i}"), str(Path.cwd())) for i in range(20)]
    (tmp / "noop").mkdir()
    t0 = time.monotonic()
    run_seeds(noop, workers=args.workers, say=lambda _line: None)
    cluster_noop = time.monotonic() - t0
    t1 = time.monotonic()
    for _ in range(20):
        subprocess.run(["true"], check=True)
    direct_noop = time.monotonic() - t1
    print(f"\nPer-task overhead: 20 no-op tasks took {cluster_noop:.2f} s on the LocalCluster "
          f"(start-up and shutdown included) against {direct_noop:.2f} s as plain subprocesses: "
          f"{(cluster_noop - direct_noop) / 20 * 1000:.0f} ms per task, amortized.")
    if {"default", "smoke"} <= set(medians):
        # a run = start-up (the smoke run is almost only that) + epochs; the default profile's
        # extra time over smoke is 3 full epochs plus its larger data I/O: an upper bound per epoch
        startup = medians["smoke"]
        per_epoch = (medians["default"] - startup) / 3
        run_200 = startup + 200 * per_epoch
        core_h = 200 * run_200 / 3600
        print(f"\nOn paper, K = 100 seeds at the tutorial profile (200 epochs, 200 runs): one run "
              f"~ {run_200 / 60:.0f} min ({startup:.1f} s start-up + 200 x {per_epoch:.1f} s, an "
              f"upper bound per epoch), {core_h:.0f} h of one core in all; on N one-core workers "
              f"~ {core_h:.0f} / N h (N = 2: {core_h / 2:.0f} h; N = 50: {core_h / 50:.1f} h), "
              "the per-task overhead above being negligible.")
    print(f"\n(work files in {tmp})")


if __name__ == "__main__":
    main()
