"""The parity audit, orchestrated: run both sides of a spec (parity.config) into the work
directory (parity.workdir), read their run directories (parity.contract), build the checks
(parity.checks). Serialization and rendering live in parity.report.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parity import rrun
from parity.checks import Check, build_checks
from parity.config import AuditConfig
from parity.contract import ContractError, RunRecord, drop_arrays, read_run

__all__ = ["AuditResult", "run_audit", "check_reused_r_run", "SIDE_DIRS"]

#: each side's run directory inside the work directory
SIDE_DIRS = {"r": "r_run", "python": "python_run"}


@dataclass
class AuditResult:
    config: AuditConfig
    checks: list[Check]
    started: str
    durations: dict[str, float]
    versions: dict[str, dict[str, str]]
    artifacts: dict[str, str] = field(default_factory=dict)
    #: per side, the epochs trained by earlier, interrupted attempts (resumed from checkpoints)
    resumed: dict[str, int] = field(default_factory=dict)
    records: dict[str, RunRecord] = field(default_factory=dict)
    #: sides whose run is missing, and why (the audit then stays resumable)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(c.status == "pass" for c in self.checks if c.required)

    def summary(self) -> dict[str, Any]:
        counts = {s: sum(c.status == s for c in self.checks)
                  for s in ("pass", "fail", "not_run", "info")}
        return {"outcome": "pass" if self.passed else "fail", **counts,
                "required": sum(c.required for c in self.checks),
                "failed_checks": [c.name for c in self.checks if c.required and c.status != "pass"]}


def check_reused_r_run(path: Path, config: AuditConfig) -> RunRecord:
    """An ``--r-run`` directory, read and matched against the audit's settings before anything
    runs; ContractError with what differs."""
    record = read_run(path)
    if record.side != "r":
        raise ContractError(f"--r-run {path}: a {record.side} run; expected the R side's run")
    want = config.computation_settings()
    got = {k: record.settings.get(k) for k in want}
    if got != want:
        diff = {k: (got[k], want[k]) for k in want if got[k] != want[k]}
        raise ContractError(f"--r-run {path}: made with other settings than this audit's "
                            f"({', '.join(f'{k}: {a!r} there, {b!r} here' for k, (a, b) in diff.items())})")
    return record


def run_audit(config: AuditConfig, work_dir: Path, *, progress: rrun.ProgressFn | None = None,
              reuse_r_run: Path | None = None) -> AuditResult:
    """Run both sides into ``work_dir`` (each its own process, concurrently when
    ``config.parallel``) and build every check.

    Resumable: a side whose run directory is complete is not run again, and each side with
    ``checkpoint = true`` in the spec continues from its checkpoint in ``work_dir``.
    """
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    t0 = time.monotonic()
    dirs = {side: work_dir / name for side, name in SIDE_DIRS.items()}
    if reuse_r_run is not None:
        dirs["r"] = reuse_r_run
    rrun.remove_stale_temporaries(work_dir)
    sides: dict[str, rrun.SideRun] = {}
    for side, label in (("r", "R"), ("python", "Python")):
        if dirs[side].is_dir():
            continue  # complete: an earlier attempt, or --r-run
        cmd = config.side_command(side, dirs[side], work_dir / f"{side}_checkpoint")
        sides[side] = rrun.SideRun(label, cmd, config.epochs, work_dir / f"{side}_run.log")
    rrun.run_sides(list(sides.values()), parallel=config.parallel, progress=progress)
    durations = {f"{side}_s": sides[side].seconds if side in sides else 0.0 for side in dirs}
    durations["training_wall_s"] = time.monotonic() - t0
    # epochs each side had trained in earlier, interrupted attempts (all: complete before this one)
    resumed = {side: sides[side].resumed_from if side in sides else (config.epochs or 0)
               for side in dirs if side != "r" or reuse_r_run is None}

    records: dict[str, RunRecord] = {}
    errors: dict[str, str] = {}
    for side in dirs:
        if side in sides and sides[side].returncode != 0 and not dirs[side].is_dir():
            errors[side] = sides[side].error()
            continue  # (a side that failed after writing its run recorded what failed in it)
        try:
            records[side] = read_run(dirs[side])
        except ContractError as exc:
            errors[side] = str(exc)
    t2 = time.monotonic()
    checks = build_checks(config, records.get("r"), records.get("python"), errors)
    if any(resumed.values()):
        checks.append(Check(
            "training.resumed", "training", resumed.get("r"), resumed.get("python"), None,
            "epochs trained before this attempt", "info",
            reason="resumed from checkpoints that hold every variable fit() changes; the "
                   "training checks above compare the complete histories and predictions",
            required=False))
    durations["compare_s"] = time.monotonic() - t2
    durations["total_s"] = time.monotonic() - t0
    for side, record in records.items():  # large (376 MB each at full size): compared, dropped
        if side in sides and not errors:  # (an incomplete audit is resumed: it compares again)
            drop_arrays(dirs[side], [f"normalized.{part}" for part in record.normalized],
                        reason="compared pixel by pixel by the audit, then removed")
    first64 = dirs["python"] / "first64.png"
    if first64.exists():
        os.replace(first64, work_dir / "first64.png")
    return AuditResult(config, checks, started, durations,
                       {side: rec.versions for side, rec in records.items()},
                       artifacts={side: str(d) if side == "r" and reuse_r_run else SIDE_DIRS[side]
                                  for side, d in dirs.items()},
                       resumed=resumed, records=records, errors=errors)
