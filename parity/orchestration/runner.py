"""The one audit runner: the command line, the pytest plugin and ``--seeds`` all run an audit
through :func:`open_work_dir` and :func:`execute`.

:func:`execute` holds the rules every audit follows: its work lives in the resumable work
directory (:mod:`parity.orchestration.workdir`) until the report is written; SIGTERM ends it as
Ctrl-C does (the sides are stopped, their checkpoints kept for ``--resume``); a side that failed
keeps the work directory resumable. One attempt (:func:`run_audit`) runs both sides
(:mod:`parity.orchestration.sides`), reads their run directories (:mod:`parity.contract`) and
builds the checks (:mod:`parity.checks`); with ``seeds > 1`` the seeds' strategy
(:mod:`parity.orchestration.seeds`) runs instead. Writing the reports is the caller's
(``write``): rendering belongs to :mod:`parity.presentation`.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from parity.checks import Check, build_checks
from parity.checks.groups import independent_checks
from parity.config import AuditConfig
from parity.contract import SIDE_LABELS, ContractError, RunRecord, drop_arrays, read_run
from parity.orchestration import seeds, sides
from parity.orchestration.result import SIDE_DIRS, AuditResult
from parity.orchestration.workdir import ResumableDir

__all__ = ["AuditResult", "run_audit", "check_reused_r_run", "SIDE_DIRS", "open_work_dir", "execute",
           "sigterm_as_interrupt"]


def open_work_dir(config: AuditConfig, out: Path, *, resume: bool) -> ResumableDir:
    """The audit's work directory for the report directory ``out``, checked before anything
    runs (WorkDirError), and each side's command resolved (SpecError: Rscript not found...)."""
    work = ResumableDir(out, config.identity(), resume=resume)
    for side in ("r", "python"):
        config.side_command(side, Path("out"), None)
    return work


class sigterm_as_interrupt:
    """SIGTERM (a scheduler stopping the job) ends the audit as Ctrl-C does: the sides are
    stopped and their checkpoints kept for --resume."""

    def __enter__(self):
        def interrupt(signum, frame):
            raise KeyboardInterrupt

        self.previous = signal.signal(signal.SIGTERM, interrupt)

    def __exit__(self, *exc):
        signal.signal(signal.SIGTERM, self.previous)
        return False


def execute(config: AuditConfig, work: ResumableDir, *, write: Callable[[AuditResult, Path], None],
            progress: sides.ProgressFn | None = None, say: Callable[[str], None] | None = None,
            reuse_r_run: Path | None = None, scheduler: str | None = None,
            workers: int = 2, prepare: Callable[[], None] | None = None) -> AuditResult:
    """Run one audit in ``work`` (from :func:`open_work_dir`) and ``write(result, work_path)``
    its reports there; on return the work directory has become the report directory, or stays
    ``.partial`` and resumable when a side failed (``work.keep_partial``). ``prepare()``, the
    caller's own work before ``write`` that needs no result (the CLI loads its figures'
    library), runs while the sides train.

    KeyboardInterrupt (Ctrl-C, SIGTERM) propagates with the finished work kept in ``work.path``.
    """
    say = say or (lambda text: None)
    with work as work_path, sigterm_as_interrupt():
        say(f"parity audit: spec {config.spec.name}, profile {config.profile}, settings "
            f"{config.settings}, "
            f"{'sides in parallel' if config.parallel else 'one side at a time'}"
            f"{', resuming ' + str(work.path) if work.resumed else ''} -> {work.target}")
        if work.resume and not work.resumed:
            say(f"(nothing to resume at {work.path}: a new audit starts)")
        if config.seeds > 1:
            result = seeds.run_seed_audit(config, work_path, scheduler=scheduler, workers=workers,
                                          say=say)
        else:
            result = run_audit(config, work_path, progress=progress, reuse_r_run=reuse_r_run,
                               prepare=prepare)
        write(result, work_path)
        # a side that failed leaves its finished epochs: keep them resumable
        work.keep_partial = bool(result.errors)
    return result


def check_reused_r_run(path: Path, config: AuditConfig) -> RunRecord:
    """An ``--r-run`` directory, read and matched against the audit's settings before anything
    runs; ContractError with what differs."""
    record = read_run(path)
    if record.side != "r":
        raise ContractError(f"--r-run {path}: a {record.side} run; expected the R side's run")
    if record.dropped:  # the r_run/ of an earlier report: what the checks compare is gone
        names = ", ".join(sorted(record.dropped))
        command = " ".join(config.side_command("r", Path("DIR"), None))
        raise ContractError(
            f"--r-run {path}: its arrays {names} were removed after it was compared "
            f"({next(iter(record.dropped.values()))}), so this audit could not compare them; "
            f"give an R run made outside an audit ({command}), or leave out --r-run to run R again")
    want = config.computation_settings()
    got = {k: record.settings.get(k) for k in want}
    if got != want:
        diff = {k: (got[k], want[k]) for k in want if got[k] != want[k]}
        raise ContractError(f"--r-run {path}: made with other settings than this audit's "
                            f"({', '.join(f'{k}: {a!r} there, {b!r} here' for k, (a, b) in diff.items())})")
    return record


def run_audit(config: AuditConfig, work_dir: Path, *, progress: sides.ProgressFn | None = None,
              reuse_r_run: Path | None = None,
              prepare: Callable[[], None] | None = None) -> AuditResult:
    """Run both sides into ``work_dir`` (each its own process, concurrently when
    ``config.parallel``) and build every check; ``prepare()`` runs while they train.

    Resumable: a side whose run directory is complete is not run again, and each side with
    ``checkpoint = true`` in the spec continues from its checkpoint in ``work_dir``.
    """
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    t0 = time.monotonic()
    dirs = {side: work_dir / name for side, name in SIDE_DIRS.items()}
    if reuse_r_run is not None:
        dirs["r"] = reuse_r_run
    sides.remove_stale_temporaries(work_dir)
    runs: dict[str, sides.SideRun] = {}
    execution = tuple(config.spec.execution_settings)  # both sides leave them out of a checkpoint's identity
    env = sides.side_env_overrides(execution)
    commands: dict[str, dict[str, Any]] = {}
    for side, label in SIDE_LABELS.items():
        if side == "r" and reuse_r_run is not None:
            commands[side] = {"how": f"reused (--r-run {reuse_r_run})", "argv": None, "env": None}
            continue
        cmd = config.side_command(side, dirs[side], work_dir / f"{side}_checkpoint")
        commands[side] = {"how": "complete before this attempt: not run again", "argv": cmd,
                          "env": env}
        if not dirs[side].is_dir():  # else complete: an earlier attempt's
            runs[side] = sides.SideRun(label, cmd, config.epochs, work_dir / f"{side}_run.log")
    independent: dict[str, list[Check]] = {}
    # each side's run, read (or the reader's error) as soon as it is there: a side's when it
    # ends while the other still trains, a run complete before this attempt meanwhile
    read: dict[str, RunRecord | ContractError] = {}

    def read_early(side: str) -> None:
        if dirs[side].is_dir():  # (else the side failed: said below, nothing to read)
            try:
                read[side] = read_run(dirs[side])
            except ContractError as exc:
                read[side] = exc

    def meanwhile() -> None:  # the audit's own work that needs no side's result
        independent.update(independent_checks(config))
        for side in dirs:
            if side not in runs:
                read_early(side)
        if prepare is not None:
            prepare()

    finished = sides.run_sides(list(runs.values()), parallel=config.parallel, progress=progress,
                               meanwhile=meanwhile, execution_settings=execution,
                               finished_side=lambda run: read_early(next(
                                   side for side, r in runs.items() if r is run)))
    durations = {f"{side}_s": runs[side].seconds if side in runs else 0.0 for side in dirs}
    durations["training_wall_s"] = finished - t0
    for side, run in runs.items():
        commands[side]["how"] = (f"resumed from its checkpoint at epoch {run.resumed_from}"
                                 if run.resumed_from else "ran from its first epoch")
    # a side that could not run because of its environment or inputs: exit 2, nothing compared
    # (the finished work stays for --resume); a side that failed after writing its run recorded
    # what failed in it
    failures = {side: run.failure() for side, run in runs.items()
                if run.returncode != 0 and not dirs[side].is_dir()}
    if any(f.fix for f in failures.values()):  # every failing side named, the blocking ones first
        raise sides.SideEnvironmentError("\n".join(
            str(f) for f in sorted(failures.values(), key=lambda f: not f.fix)))
    own = [side for side in dirs if side != "r" or reuse_r_run is None]  # run by this audit
    # epochs each side had trained in earlier, interrupted attempts (all: complete before this one)
    resumed = {side: runs[side].resumed_from if side in runs else (config.epochs or 0)
               for side in own}
    continued = any(side not in runs or runs[side].resumed_from for side in own)

    records: dict[str, RunRecord] = {}
    errors: dict[str, str] = {side: str(f) for side, f in failures.items()}
    for side in dirs:
        if side in failures:
            continue
        try:
            got = read[side] if side in read else read_run(dirs[side])
            if isinstance(got, ContractError):
                raise got
            records[side] = got
        except ContractError as exc:
            ran = runs.get(side)
            errors[side] = str(exc) + (f" (the {ran.label} side exited with status {ran.returncode}; "
                                       f"its log: {ran.log_path})" if ran else "")
    t2 = time.monotonic()
    checks = build_checks(config, records.get("r"), records.get("python"), errors,
                          independent=independent)
    if continued:  # an interrupted audit, continued: say how each side got its run
        how = {side: commands[side]["how"] for side in own}
        from_checkpoint = any(run.resumed_from for run in runs.values())
        checks.append(Check(
            "training.resumed", "training", how.get("r"), how.get("python"), None,
            "how each side's run was made in this resumed audit", "info",
            reason=("a side resumed from its checkpoint, which holds every variable fit() "
                    "changes; " if from_checkpoint else "no side resumed from a checkpoint; ")
                   + "the training checks above compare the complete histories and predictions",
            required=False))
    durations["compare_s"] = time.monotonic() - t2
    durations["total_s"] = time.monotonic() - t0
    for side, record in records.items():  # large (376 MB each at full size): compared, dropped
        if side in runs and not errors:  # (an incomplete audit is resumed: it compares again)
            names = [f"normalized.{part}" for part in record.normalized]
            reason = "compared pixel by pixel by the audit, then removed"
            # the record as the directory will read: its mapped files closed before removal
            record.normalized.clear()
            record.dropped.update(dict.fromkeys(names, reason))
            drop_arrays(dirs[side], names, reason=reason)
    first64 = dirs["python"] / "first64.png"
    if first64.exists():
        os.replace(first64, work_dir / "first64.png")
    return AuditResult(config, checks, started, durations,
                       {side: rec.versions for side, rec in records.items()},
                       artifacts={side: str(d) if side == "r" and reuse_r_run else SIDE_DIRS[side]
                                  for side, d in dirs.items()},
                       resumed=resumed, records=records, errors=errors, commands=commands)
