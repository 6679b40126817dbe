"""Multi-seed comparison of two sides on Dask distributed (``parity compare --seeds K``).

One pair of runs shows whether two implementations compute the same numbers; whether they
train *equally well* needs several seeds. :func:`run_seeds` runs each side once per seed, each
run a subprocess (``<side command> --out DIR --seed S <options>``) inside a Dask task, on a
``LocalCluster`` (default) or an existing cluster (``--scheduler ADDRESS``; its workers need this
project importable and the side commands runnable). The cluster must be trusted: Dask's client
unpickles what the scheduler and the workers send (the task results among them), and pickle
runs code; the run directories themselves are read as data (:func:`parity.contract.read_run`).
It is resumable per task: a task whose run directory exists is skipped (run directories appear
atomically, so an existing one is complete), so an interrupted sweep continues where it
stopped. Progress is printed per finished task, across tasks.

:func:`parity.checks.grading.seed_equivalence` then tests, per metric - test accuracy, Kappa,
each class's sensitivity - whether the two sides are equivalent across seeds with TOST (two
one-sided t-tests on the per-seed differences A - B, paired by seed, at the margin), and
reports each side's seed-to-seed spread. :func:`run_seed_audit` is ``parity audit --seeds K``'s
strategy, called by the one audit runner (:mod:`parity.orchestration.runner`).

Layout: ``RUN_A/seed-<S>/`` and ``RUN_B/seed-<S>/`` (each a parity-run directory), and
``<dir>/seed-<S>.log`` with each run's console output.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parity.checks import CheckList, build_checks
from parity.checks.grading import seed_equivalence
from parity.checks.groups import grade_pair
from parity.contract import SIDE_LABELS, ContractError, RunRecord, read_run
from parity.orchestration import sides
from parity.orchestration.result import AuditResult
from parity.rules.grades import REQUIRE

__all__ = ["SeedTask", "run_seeds", "read_seed_runs", "audit_tasks", "run_seed_audit"]


@dataclass(frozen=True)
class SeedTask:
    """One run: a side's command for one seed, written to ``out``."""

    label: str  # "R" or "Python" in an audit, "A" or "B" in parity compare
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
    done = proc.returncode == 0 and out.is_dir()
    result = {"label": task.label, "seed": task.seed, "seconds": time.monotonic() - t0,
              "status": "done" if done else "failed", "returncode": proc.returncode, "log": str(log)}
    if not done:  # the error itself, as the audit shows a failed side's
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        result["cause"] = " | ".join(sides.failure_cause(text, proc.returncode).splitlines())
    return result


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
    # Dask is the audit extra's, imported here to keep it out of the core
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
                     f"exit {r.get('returncode')}: {r.get('cause', '')}; see {r.get('log')}")
            say(f"[{i}/{len(tasks)}] side {r['label']} seed {r['seed']}: {r['status']} {extra}  "
                f"(elapsed {time.monotonic() - t0:.0f} s)")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return results




def read_seed_runs(directory: Path, seeds: list[int]) -> dict[int, RunRecord]:
    """The runs ``directory/seed-<S>/`` of ``seeds`` (ContractError when one is unusable)."""
    return {s: read_run(directory / f"seed-{s}") for s in seeds}



# --------------------------------------------------------------------------- the audit's --seeds


def audit_tasks(config, root: Path, seeds: list[int]) -> tuple[list[SeedTask], dict[str, Path]]:
    """The spec's two sides for each seed, as tasks writing ``root/<side>/seed-<S>/`` (the
    directories are made), and the two side directories."""
    unseeded = dataclasses.replace(config, settings={k: v for k, v in config.settings.items()
                                                     if k != "seed"})
    dirs = {"r": root / "r", "python": root / "python"}
    # only what the sides need on top of the worker's environment
    env = tuple(sides.side_env_overrides(config.spec.execution_settings).items())
    tasks = []
    for s in seeds:
        for side, label in SIDE_LABELS.items():
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
            return None, (f"exit {r['returncode']}: {r.get('cause', '')} (log {r['log']})" if r
                          else str(exc))

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
        for name, g in grade_pair(config, rr, pp).groups.items():
            c.add(f"seeds.{s}.grade.{name}", "seeds", g.grade, REQUIRE[require], ok=g.meets(require),
                  reason=g.reason, rule=f"seed {s}: graded verdict at least {REQUIRE[require]} "
                                        f"(--require {require})")
    complete = [s for s, ((rr, _), (pp, _)) in pairs.items() if rr is not None and pp is not None]
    if len(complete) >= 2:
        tost_res = seed_equivalence({s: pairs[s][0][0] for s in complete},
                                    {s: pairs[s][1][0] for s in complete}, margin=config.margin,
                                    labels=(SIDE_LABELS["r"], SIDE_LABELS["python"]))
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
