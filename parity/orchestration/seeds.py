"""Multi-seed comparison of two sides on Dask distributed (``parity compare --seeds K``).

One pair of runs shows whether two implementations compute the same numbers; whether they
train *equally well* needs several seeds. :func:`run_seeds` runs each side once per seed, each
run a subprocess (``<side command> --out DIR --seed S <options>``) inside a Dask task, on a
``LocalCluster`` (default) or an existing cluster (``--scheduler ADDRESS``; its workers need this
project importable and the side commands runnable). It is resumable per task: a task whose run
directory exists is skipped (run directories appear atomically, so an existing one is
complete), so an interrupted sweep continues where it stopped. Progress is printed per finished
task, across tasks.

:func:`seed_equivalence` then tests, per metric - test accuracy, Kappa, each class's
sensitivity - whether the two sides are equivalent across seeds with TOST (two one-sided
t-tests on the per-seed differences A - B, paired by seed, at a user margin), and reports each
side's seed-to-seed spread.

Layout: ``RUN_A/seed-<S>/`` and ``RUN_B/seed-<S>/`` (each a parity-run directory), and
``<dir>/seed-<S>.log`` with each run's console output.
"""

from __future__ import annotations

import math
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from parity.contract import ContractError, RunRecord, read_run

__all__ = ["SeedTask", "run_seeds", "tost", "seed_equivalence", "read_seed_runs", "audit_tasks",
           "add_seeds_options", "run_seeds_command", "DEFAULT_SIDE_COMMAND", "DEFAULT_RUN_OPTIONS"]

#: the Python side, as ``python -m python_impl`` with this interpreter
DEFAULT_SIDE_COMMAND = f"{shlex.quote(sys.executable)} -m python_impl"
#: the smoke profile's computation and execution settings (parity/specs/tutorial.toml)
DEFAULT_RUN_OPTIONS = ("--epochs 1 --train-size 2000 --test-size 500 --threads 1 "
                       "--steps-per-execution 256")


@dataclass(frozen=True)
class SeedTask:
    """One run: a side's command for one seed, written to ``out``."""

    label: str  # "A" or "B"
    seed: int
    command: tuple[str, ...]
    out: str
    cwd: str
    #: environment variables added to this run's (e.g. TF_USE_LEGACY_KERAS for one side)
    env: tuple[tuple[str, str], ...] = ()

    def argv(self) -> list[str]:
        return [*self.command, "--out", self.out, "--seed", str(self.seed)]


def _execute(task: SeedTask) -> dict[str, Any]:
    """Run one task (in a Dask worker); skip it when its run directory exists."""
    out = Path(task.out)
    if out.is_dir():
        return {"label": task.label, "seed": task.seed, "status": "skipped", "seconds": 0.0}
    log = out.parent / f"{out.name}.log"
    t0 = time.monotonic()
    with open(log, "wb") as f:
        proc = subprocess.run(task.argv(), cwd=task.cwd, env={**os.environ, **dict(task.env)}, stdout=f,
                              stderr=subprocess.STDOUT, check=False)
    return {"label": task.label, "seed": task.seed, "seconds": time.monotonic() - t0,
            "status": "done" if proc.returncode == 0 and out.is_dir() else "failed",
            "returncode": proc.returncode, "log": str(log)}


def run_seeds(tasks: list[SeedTask], *, scheduler: str | None = None, workers: int = 2,
              say=print) -> list[dict[str, Any]]:
    """Run ``tasks`` on Dask distributed; returns one result per task (status done, skipped or
    failed, seconds, log).

    Parameters
    ----------
    tasks
        the runs (:class:`SeedTask`); each task's parent directory must exist.
    scheduler
        address of an existing Dask scheduler (``tcp://host:8786``); None starts a
        ``LocalCluster`` of ``workers`` single-threaded worker processes, closed at the end.
    workers
        LocalCluster workers; each run uses one TensorFlow thread (``--threads 1``), so one
        worker per core.
    say
        progress output, one line per finished task.
    """
    from dask.distributed import Client, LocalCluster, as_completed

    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers={workers!r}: expected an integer >= 1")
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler, timeout="20s")
    results = []
    try:
        t0 = time.monotonic()
        futures = [client.submit(_execute, task, pure=False,
                                 key=f"parity-seed-{task.label}-{task.seed}-{time.time_ns()}")
                   for task in tasks]
        for i, future in enumerate(as_completed(futures), 1):
            r = future.result()
            results.append(r)
            extra = (f"in {r['seconds']:.1f} s" if r["status"] == "done" else
                     "(run directory exists)" if r["status"] == "skipped" else
                     f"exit {r.get('returncode')}, see {r.get('log')}")
            say(f"[{i}/{len(tasks)}] side {r['label']} seed {r['seed']}: {r['status']} {extra}  "
                f"(elapsed {time.monotonic() - t0:.0f} s)")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return results


def tost(differences, margin: float, *, alpha: float = 0.05) -> dict[str, Any]:
    """Two one-sided t-tests (TOST) that the mean of paired ``differences`` lies within
    ``(-margin, margin)``.

    H0: mean <= -margin or mean >= margin; equivalence when both one-sided p-values are below
    ``alpha``, i.e. the ``1 - 2 alpha`` t interval of the mean lies inside the margin. With zero
    spread (identical sides) the p-value is 0 if ``|mean| < margin``, else 1.

    Examples
    --------
    >>> r = tost([0.001, -0.002, 0.0, 0.001], 0.01)
    >>> r["equivalent"], round(r["p"], 6) < 0.05
    (True, True)
    >>> tost([0.03, 0.05, 0.04], 0.01)["equivalent"]
    False
    """
    from scipy import stats

    d = np.asarray(differences, dtype=np.float64)
    d = d[np.isfinite(d)]
    if d.size < 2:
        return {"n": int(d.size), "mean": float(d.mean()) if d.size else math.nan, "sd": math.nan,
                "p": math.nan, "ci": [math.nan, math.nan], "equivalent": False,
                "reason": "TOST needs at least 2 seeds"}
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    se = sd / math.sqrt(d.size)
    df = d.size - 1
    if se == 0:
        p = 0.0 if abs(mean) < margin else 1.0
        ci = [mean, mean]
    else:
        p_lower = float(stats.t.sf((mean + margin) / se, df))  # H0: mean <= -margin
        p_upper = float(stats.t.cdf((mean - margin) / se, df))  # H0: mean >= margin
        p = max(p_lower, p_upper)
        half = float(stats.t.ppf(1 - alpha, df)) * se
        ci = [mean - half, mean + half]
    return {"n": int(d.size), "mean": mean, "sd": sd, "p": p, "ci": ci, "margin": margin,
            "equivalent": bool(p < alpha), "reason": ""}


def _metrics(rec: RunRecord) -> dict[str, float]:
    if rec.caret is None:
        raise ContractError(f"{rec.path}: no confusion results (caret values) to compare across seeds")
    out = {"accuracy": rec.caret.overall_value("Accuracy"), "kappa": rec.caret.overall_value("Kappa")}
    j = rec.caret.by_class_names.index("Sensitivity")
    rows = rec.caret.by_class_rows or [f"Class: {rec.caret.positive}"]
    for row, value in zip(rows, rec.caret.by_class[:, j], strict=True):
        out[f"sensitivity[{row.removeprefix('Class: ')}]"] = float(value)
    return out


def read_seed_runs(directory: Path, seeds: list[int]) -> dict[int, RunRecord]:
    """The runs ``directory/seed-<S>/`` of ``seeds`` (ContractError when one is unusable)."""
    return {s: read_run(directory / f"seed-{s}") for s in seeds}


def seed_equivalence(runs_a: Mapping[int, RunRecord], runs_b: Mapping[int, RunRecord], *,
                     margin: float = 0.01, alpha: float = 0.05) -> dict[str, Any]:
    """TOST of each metric across seeds (A - B, paired by seed) and each side's spread.

    Parameters
    ----------
    runs_a, runs_b
        each side's run per seed (the same seeds on both sides).
    margin
        equivalence margin, in the metric's units (accuracy, Kappa, sensitivity: proportions).
    alpha
        each one-sided test's level (the interval reported is the ``1 - 2 alpha`` one).
    """
    seeds = sorted(runs_a)
    if sorted(runs_b) != seeds:
        raise ValueError(f"seeds {seeds} on side A, {sorted(runs_b)} on side B: expected the same")
    a = {s: _metrics(runs_a[s]) for s in seeds}
    b = {s: _metrics(runs_b[s]) for s in seeds}
    names = [m for m in a[seeds[0]] if all(m in a[s] and m in b[s] for s in seeds)]
    metrics = {}
    for m in names:
        va = np.array([a[s][m] for s in seeds])
        vb = np.array([b[s][m] for s in seeds])
        metrics[m] = {"a": va.tolist(), "b": vb.tolist(),
                      "a_mean": float(va.mean()), "a_sd": float(va.std(ddof=1)) if va.size > 1 else None,
                      "b_mean": float(vb.mean()), "b_sd": float(vb.std(ddof=1)) if vb.size > 1 else None,
                      "tost": tost(va - vb, margin, alpha=alpha)}
    return {"seeds": seeds, "margin": margin, "alpha": alpha, "metrics": metrics,
            "equivalent": all(v["tost"]["equivalent"] for v in metrics.values())}


def add_seeds_options(parser) -> None:
    """``--seeds K`` and its options, on the ``compare`` parser."""
    g = parser.add_argument_group(
        "multi-seed (--seeds K)", "RUN_A and RUN_B become directories of per-seed runs "
        "(seed-<S>/, created as needed); each side runs once per seed on Dask distributed, "
        "tasks whose run directory exists are skipped (resumable); then TOST per metric")
    g.add_argument("--seeds", type=int, metavar="K", help="run and compare K seeds per side")
    g.add_argument("--first-seed", type=int, default=42, help="seeds are FIRST..FIRST+K-1 (default 42)")
    g.add_argument("--side-a", default=DEFAULT_SIDE_COMMAND,
                   help="side A's command; it gets --out DIR --seed S and --run-options "
                        "(default: this Python's `-m python_impl`)")
    g.add_argument("--side-b", default=DEFAULT_SIDE_COMMAND, help="side B's command (same default)")
    g.add_argument("--run-options", default=DEFAULT_RUN_OPTIONS,
                   help=f"options for both sides (default: the smoke profile, {DEFAULT_RUN_OPTIONS!r})")
    g.add_argument("--env-b", action="append", default=[], metavar="NAME=VALUE",
                   help="environment variable for side B only (repeatable), e.g. TF_USE_LEGACY_KERAS=1")
    g.add_argument("--scheduler", help="address of an existing Dask scheduler (default: a LocalCluster)")
    g.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")
    g.add_argument("--tost-margin", type=float, default=0.01,
                   help="TOST equivalence margin for accuracy, Kappa and sensitivities (default 0.01)")


def run_seeds_command(args) -> int:
    """``parity compare RUN_A RUN_B --seeds K``: 0 when every metric is TOST-equivalent, 1 when
    not; a bad option or a failed run raises :class:`parity.cli.UsageError` (exit 2)."""
    import json

    from parity.cli import UsageError

    if args.seeds < 2:
        raise UsageError(f"--seeds {args.seeds}: expected at least 2 (TOST needs a spread)")
    if not 0 < args.tost_margin < 1:
        raise UsageError(f"--tost-margin {args.tost_margin}: expected a number in (0, 1)")
    env_b = {}
    for item in args.env_b:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--env-b {item!r}: expected NAME=VALUE")
        env_b[name] = value
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    options = shlex.split(args.run_options)
    cwd = str(Path(__file__).resolve().parents[1])
    tasks = []
    for label, d, cmd, env in (("A", args.run_a, args.side_a, {}),
                               ("B", args.run_b, args.side_b, env_b)):
        d.mkdir(parents=True, exist_ok=True)
        for s in seeds:  # interleaved below: both sides progress together
            tasks.append(SeedTask(label, s, (*shlex.split(cmd), *options),
                                  str(d.resolve() / f"seed-{s}"), cwd, tuple(sorted(env.items()))))
    tasks.sort(key=lambda t: (t.seed, t.label))
    print(f"parity compare --seeds: {len(tasks)} runs ({args.seeds} seeds x 2 sides) on "
          f"{args.scheduler or f'a LocalCluster of {args.workers} workers'}", flush=True)
    try:
        results = run_seeds(tasks, scheduler=args.scheduler, workers=args.workers)
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"--scheduler {args.scheduler}: cannot connect ({exc})") from None
    failed = [r for r in results if r["status"] == "failed"]
    if failed:
        raise UsageError("runs failed: " + "; ".join(f"side {r['label']} seed {r['seed']} (exit "
                                                     f"{r['returncode']}, log {r['log']})" for r in failed))
    try:
        res = seed_equivalence(read_seed_runs(args.run_a, seeds), read_seed_runs(args.run_b, seeds),
                               margin=args.tost_margin, alpha=args.alpha)
    except ContractError as exc:
        raise UsageError(str(exc)) from None
    print(f"TOST across {len(seeds)} seeds (paired by seed, A - B, margin +-{args.tost_margin:g}, "
          f"alpha {args.alpha:g} each side):")
    for m, v in res["metrics"].items():
        t = v["tost"]
        print(f"  {'ok  ' if t['equivalent'] else 'FAIL'} {m:22} A {v['a_mean']:.4f} (sd {v['a_sd']:.4f})  "
              f"B {v['b_mean']:.4f} (sd {v['b_sd']:.4f})  diff {t['mean']:+.4f} "
              f"{1 - 2 * args.alpha:.0%} CI [{t['ci'][0]:+.4f}, {t['ci'][1]:+.4f}] p = {t['p']:.3g}")
    print(f"{'PASS' if res['equivalent'] else 'FAIL'}: "
          f"{sum(v['tost']['equivalent'] for v in res['metrics'].values())}/{len(res['metrics'])} "
          "metrics equivalent across seeds")
    if args.json is not None:
        from parity.compare import json_safe

        doc = {"seeds": res, "runs": [asdict(t) for t in tasks], "results": results}
        args.json.write_text(json.dumps(json_safe(doc), indent=2, allow_nan=False) + "\n")
    return 0 if res["equivalent"] else 1


# --------------------------------------------------------------------------- the audit's --seeds


def audit_tasks(config, root: Path, seeds: list[int]) -> tuple[list[SeedTask], dict[str, Path]]:
    """The spec's two sides for each seed, as tasks writing ``root/<side>/seed-<S>/`` (the
    directories are made), and the two side directories."""
    import dataclasses

    from parity import rrun

    unseeded = dataclasses.replace(config, settings={k: v for k, v in config.settings.items()
                                                     if k != "seed"})
    dirs = {"r": root / "r", "python": root / "python"}
    # only what the sides need on top of the worker's environment
    env = tuple((k, v) for k, v in rrun.side_env().items()
                if k in ("TZ", "PYTHONUNBUFFERED", "RETICULATE_PYTHON", "KERAS_HOME"))
    tasks = []
    for s in seeds:
        for side, label in (("r", "R"), ("python", "Python")):
            dirs[side].mkdir(parents=True, exist_ok=True)
            tasks.append(SeedTask(label, s, tuple(unseeded.side_command(side, None, None)),
                                  str(dirs[side] / f"seed-{s}"), str(Path.cwd()), env))
    return tasks, dirs


def run_seed_audit(config, work_dir: Path, *, scheduler: str | None = None, workers: int = 2,
                   say=print):
    """``parity audit --seeds K``: the spec's two sides, K seeds each (the configured seed and
    the next K - 1), as tasks on Dask distributed; then every check on the first seed's pair,
    a graded verdict for each seed's pair (``seeds.<S>.grade.<group>``, required), and TOST
    across seeds per metric (``seeds.tost.<metric>``: required under ``--require equivalent``,
    reported otherwise), with each side's seed-to-seed spread.

    Resumable per task: a seed's run directory, once written, is not run again.
    """
    import dataclasses

    from parity.audit import AuditResult
    from parity.checks import CheckList, build_checks
    from parity.grading import REQUIRE, grade_runs

    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    t0 = time.monotonic()
    first = int(config.settings.get("seed", 42))
    seeds = list(range(first, first + config.seeds))
    tasks, dirs = audit_tasks(config, work_dir / "seeds", seeds)
    where = scheduler or f"a LocalCluster of {workers} workers"
    say(f"parity audit --seeds {config.seeds}: {len(tasks)} runs on {where}")
    results = run_seeds(tasks, scheduler=scheduler, workers=workers, say=say)
    failed = {(r["label"], r["seed"]): r for r in results if r["status"] == "failed"}
    durations = {"runs_s": time.monotonic() - t0}

    def record(side: str, s: int):
        try:
            return read_run(dirs[side] / f"seed-{s}"), None
        except ContractError as exc:
            r = failed.get(("R" if side == "r" else "Python", s))
            return None, f"exit {r['returncode']}, log {r['log']}" if r else str(exc)

    pairs = {s: (record("r", s), record("python", s)) for s in seeds}
    (r0, r_err), (p0, p_err) = pairs[seeds[0]]
    first_config = dataclasses.replace(config, settings={**config.settings, "seed": seeds[0]})
    errors = {k: v for k, v in (("r", r_err), ("python", p_err)) if v}
    t1 = time.monotonic()
    checks = build_checks(first_config, r0, p0, errors)
    c = CheckList(config)
    require = config.require
    for s, ((rr, re_), (pp, pe)) in pairs.items():
        if rr is None or pp is None:
            c.not_run(f"seeds.{s}.grade", "seeds", f"seed {s}: " + "; ".join(e for e in (re_, pe) if e))
            continue
        for name, g in grade_runs(rr, pp).groups.items():
            c.add(f"seeds.{s}.grade.{name}", "seeds", g.grade, REQUIRE[require], ok=g.meets(require),
                  reason=g.reason, rule=f"seed {s}: graded verdict at least {REQUIRE[require]} "
                                        f"(--require {require})")
    complete = [s for s, ((rr, _), (pp, _)) in pairs.items() if rr is not None and pp is not None]
    if len(complete) >= 2:
        tost_res = seed_equivalence({s: pairs[s][0][0] for s in complete},
                                    {s: pairs[s][1][0] for s in complete}, margin=config.margin)
        for metric, v in tost_res["metrics"].items():
            t = v["tost"]
            c.add(f"seeds.tost.{metric}", "seeds",
                  {"mean": v["a_mean"], "sd": v["a_sd"], "values": v["a"]},
                  {"mean": v["b_mean"], "sd": v["b_sd"], "values": v["b"]},
                  ok=t["equivalent"], required=require == "equivalent",
                  status=None if require == "equivalent" or t["equivalent"] else "info",
                  difference={"mean_r_minus_python": t["mean"], "ci90": t["ci"], "p": t["p"]},
                  reason=t.get("reason", ""),
                  rule=f"TOST across seeds {complete[0]}..{complete[-1]} (paired by seed, R - "
                       f"Python): equivalent within +-{config.margin:g} at alpha 0.05 each side; "
                       "values: R (r_value) and Python (python_value) per seed, with the spread")
    else:
        c.not_run("seeds.tost", "seeds", f"TOST needs two complete seeds; {len(complete)} completed")
    durations["compare_s"] = time.monotonic() - t1
    durations["total_s"] = time.monotonic() - t0
    records = {k: v for k, v in (("r", r0), ("python", p0)) if v is not None}
    return AuditResult(config, checks + c.items, started, durations,
                       {side: rec.versions for side, rec in records.items()},
                       artifacts={side: str(d.relative_to(work_dir)) for side, d in dirs.items()},
                       resumed={}, records=records)
