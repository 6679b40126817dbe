"""Checks and grading: pure functions of two run records (:mod:`parity.contract`) and the
resolved configuration (:mod:`parity.config`).

- :mod:`parity.checks.groups` - the audit's checks, one function per group (data,
  normalization, model, training, predictions, confusion, battery, published, grade);
- :mod:`parity.checks.grading` - graded verdicts of two runs (``parity compare``, the grade
  group, ``--seeds``), and equivalence across seeds;
- :mod:`parity.checks.published` - published figures and summaries against a run.
"""

from parity.checks.groups import GRADED, GROUPS, NAMES_DIFFER, Check, CheckList, build_checks

__all__ = ["Check", "CheckList", "GROUPS", "GRADED", "NAMES_DIFFER", "build_checks"]
