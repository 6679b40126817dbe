"""Benchmark: the audit's work after training, replayed on two finished side runs.

    .venv/bin/python benchmarks/bench_post_training.py R_RUN PYTHON_RUN [--repeat 3]
        [--profile] [--checks-out FILE] [--same-checks FILE]

R_RUN and PYTHON_RUN are run directories the sides wrote with their normalized images (the
commands report.json records under ``commands``, run by hand: an audit removes the normalized
arrays once compared). The default profile's audit configuration; what the audit does while
the sides train (:func:`parity.checks.groups.independent_checks`: R started, caret loaded, the
battery) runs once first and is timed apart. Then, per repeat, the post-training phase step
by step, wall and CPU seconds (CPU: this process, R through rpy2 included; the first pass,
as an audit runs it, and the best): reading each run
(:func:`parity.contract.read_run`), each group's checks, the graded verdict, the reports
(figures, json, md, html, junit). ``--profile`` prints cProfile's top functions of one more
pass. ``--checks-out`` writes the checks (report.json's form) to compare before/after a change;
``--same-checks FILE`` exits 1 when the checks differ from FILE's (a checks file or a
report.json): names, statuses, values, differences, rules, reasons.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from machine import cpu_line


class Steps:
    """Wall and CPU seconds per named step, over repeats (the first, as one audit runs it once,
    and the best are printed)."""

    def __init__(self) -> None:
        self.wall: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}

    def time(self, name: str, fn: Callable[[], object]) -> object:
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        self.wall.setdefault(name, []).append(time.perf_counter() - w)
        self.cpu.setdefault(name, []).append(time.process_time() - c)
        return out

    def table(self) -> str:
        rows = ["| step | wall s (first) | CPU s (first) | wall s (best) | CPU s (best) |",
                "|---|---|---|---|---|"]
        for name in self.wall:
            w, c = self.wall[name], self.cpu[name]
            rows.append(f"| {name} | {w[0]:.3f} | {c[0]:.3f} | {min(w):.3f} | {min(c):.3f} |")
        return "\n".join(rows)


def post_training(config, r_dir: Path, py_dir: Path, independent, steps: Steps, out_dir: Path):
    """One pass of the audit's post-training work, as ``run_audit`` and the CLI do it, step by
    step; returns the checks."""
    from parity.checks import groups
    from parity.contract import read_run
    from parity.orchestration.result import AuditResult
    from parity.presentation import report

    w0, c0 = time.perf_counter(), time.process_time()
    r = steps.time("read_run R", lambda: read_run(r_dir))
    py = steps.time("read_run Python", lambda: read_run(py_dir))
    checks = steps.time("build_checks (all groups + grade)", lambda: groups.build_checks(
        config, r, py, {}, independent=independent))
    steps.wall.setdefault("post-training total (read + checks)", []).append(time.perf_counter() - w0)
    steps.cpu.setdefault("post-training total (read + checks)", []).append(time.process_time() - c0)
    # the same work group by group (a second computation, for the breakdown only)
    for group in config.spec.groups:
        c = groups.CheckList(config)
        if group == "published":  # what is left of it after training
            steps.time(f"  group {group}", lambda c=c: groups.check_published(
                c, r, py, figures=independent.get("published")))
        elif group not in independent:
            steps.time(f"  group {group}", lambda c=c, g=group: groups.GROUPS[g](c, r, py))
    c = groups.CheckList(config)
    steps.time("  grade (grade_runs)", lambda: groups.check_grades(c, r, py))
    result = AuditResult(config, checks, "replay", {}, {s: rec.versions for s, rec in
                                                        (("r", r), ("python", py))},
                         records={"r": r, "python": py})
    steps.time("figures (matplotlib)", lambda: report.figures(result))
    steps.time("write_reports (figures included)", lambda: report.write_reports(result, out_dir))
    return checks


def checks_json(checks) -> list[dict]:
    from parity.rules.compare import json_safe
    return json_safe([asdict(c) for c in checks])


def main() -> int:
    ap = argparse.ArgumentParser(allow_abbrev=False)
    ap.add_argument("r_run", type=Path)
    ap.add_argument("python_run", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true", help="cProfile one more pass")
    ap.add_argument("--checks-out", type=Path)
    ap.add_argument("--same-checks", type=Path)
    args = ap.parse_args()
    os.environ.setdefault("TZ", "UTC")
    from parity.checks import groups
    from parity.config import AuditConfig

    config = AuditConfig.resolve()
    print(f"{cpu_line()}; load average {os.getloadavg()[0]:.2f}; profile {config.profile}; "
          f"runs {args.r_run}, {args.python_run}")
    steps = Steps()
    independent = steps.time("meanwhile: independent_checks (R, caret, battery; during training)",
                             lambda: groups.independent_checks(config))
    checks = None
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            checks = post_training(config, args.r_run, args.python_run, independent, steps, Path(tmp))
        print(steps.table())
        if args.profile:
            prof = cProfile.Profile()
            prof.runcall(post_training, config, args.r_run, args.python_run, independent, Steps(),
                         Path(tmp))
            pstats.Stats(prof, stream=sys.stdout).sort_stats("cumulative").print_stats(40)
    got = checks_json(checks)
    if args.checks_out:
        args.checks_out.write_text(json.dumps(got, indent=1) + "\n")
    if args.same_checks:
        want = json.loads(args.same_checks.read_text())
        want = want["checks"] if isinstance(want, dict) else want
        names_got, names_want = [c["name"] for c in got], [c["name"] for c in want]
        if names_got != names_want:
            print(f"checks differ: names {sorted(set(names_got) ^ set(names_want))} "
                  f"(or their order)")
            return 1
        bad = [(a, b) for a, b in zip(want, got, strict=True) if a != b]
        for a, b in bad:
            print(f"check {a['name']} differs:\n  before {a}\n  now    {b}")
        print(f"{len(got)} checks, {len(bad)} differing from {args.same_checks}")
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
