"""The graded verdict's vocabulary, written once: the grades, what ``--require`` accepts, and
the equivalence margin's default (``--margin`` of ``parity audit`` and ``parity compare``).

Examples
--------
>>> meets("numeric", "exact"), meets("numeric", "equivalent"), meets(NOT_COMPARED, "equivalent")
(False, True, False)
"""

from __future__ import annotations

__all__ = ["GRADES", "NOT_COMPARED", "REQUIRE", "DEFAULT_MARGIN", "meets"]

#: the grades, best first
GRADES = ("bit-identical", "numeric", "equivalent", "different")
#: a group one of the runs has no arrays for: never meets a requirement
NOT_COMPARED = "not-compared"
#: ``--require`` values and the worst grade each accepts
REQUIRE = {"exact": "bit-identical", "numeric": "numeric", "equivalent": "equivalent"}
#: the equivalence margin (accuracy; Kappa's derives from it): one point of accuracy, about a
#: quarter of the measured seed-to-seed spread (parity.checks.grading.Equivalence says why)
DEFAULT_MARGIN = 0.01


def meets(grade: str, require: str) -> bool:
    """Whether ``grade`` is at least as good as ``require`` (a key of :data:`REQUIRE`); a group
    not compared, or any grade not in :data:`GRADES`, never is."""
    if require not in REQUIRE:
        raise ValueError(f"require={require!r}: expected one of {', '.join(REQUIRE)}")
    return grade in GRADES and GRADES.index(grade) <= GRADES.index(REQUIRE[require])
