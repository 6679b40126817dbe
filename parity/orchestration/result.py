"""What one audit produced: its configuration, its checks, the sides' records, timings and
errors. Built by :mod:`parity.orchestration.runner` (and its multi-seed strategy,
:mod:`parity.orchestration.seeds`); rendered by :mod:`parity.presentation.report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from parity.checks import Check
from parity.config import AuditConfig
from parity.contract import RunRecord

__all__ = ["AuditResult", "SIDE_DIRS"]

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
    #: per side, how it ran: ``argv`` (the exact command line), ``env`` (the variables the
    #: audit set for it), ``how`` (ran, resumed from its checkpoint, complete before this
    #: attempt, or an --r-run reused): what reproduces the run
    commands: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(c.status == "pass" for c in self.checks if c.required)

    def summary(self) -> dict[str, Any]:
        counts = {s: sum(c.status == s for c in self.checks)
                  for s in ("pass", "fail", "not_run", "info")}
        return {"outcome": "pass" if self.passed else "fail", **counts,
                "required": sum(c.required for c in self.checks),
                "failed_checks": [c.name for c in self.checks if c.required and c.status != "pass"]}
