"""The corpus audited as its authors wrote it (issue 24): each pair of ``examples/`` also holds
``as_written.R`` and ``as_written.py`` - the same analysis without any writer call - and
``captured.toml``, which runs them unmodified under the capture layer. Each pair audits the
same way captured as instrumented (``spec.toml``: analysis.R/.py with the writer calls): the
same outcome and the same grades. A one-line porting bug in a captured pair fails at the check
that names it, and the tutorial's own R script and its port as written audit PASS captured
(``parity/specs/tutorial_captured.toml``).

The audits the selected tests need start together, two at a time (each side one TensorFlow
thread: two audits fill 2 cores). The R packages (keras, tensorflow, parityrun) must be
installed (./setup.sh).
"""

from __future__ import annotations

import shutil
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from test_examples_corpus import BUGS, EXAMPLES, Audit, audit, r_packages  # noqa: F401 (a fixture)

from parity.paths import SPECS

pytestmark = [pytest.mark.r, pytest.mark.slow]

#: every pair of the corpus, cnn_two_class included
PAIRS = sorted(p.name for p in EXAMPLES.iterdir() if (p / "captured.toml").is_file())
TUTORIAL = SPECS / "tutorial_captured.toml"

#: iris' port standardizes with NumPy's std (ddof=0) where R's scale() divides by n - 1: the
#: same line in as_written.py as in analysis.py, and captured it must fail at the same checks
#: (normalization is compared where it enters fit() and predict(), then what it feeds)
BUG = BUGS["iris: std with ddof=0"]

_ORDER = ("bit-identical", "numeric", "equivalent", "different")


def grades(report: dict) -> dict[str, str]:
    """The graded verdict per group (``grade.<group>`` checks that grade something)."""
    return {c["name"]: c["r_value"] for c in report["checks"]
            if c["group"] == "grade" and c["r_value"] in _ORDER}


def overall_grade(report: dict) -> str:
    """The worst group grade: the audit's graded verdict."""
    return max(grades(report).values(), key=_ORDER.index, default="bit-identical")


class CapturedCorpus:
    """The audits the selected tests need, two at a time; a test waits for its own only."""

    def __init__(self, base, pairs: set[str], bug: bool, tutorial: bool):
        self.base = base
        self.pool = ThreadPoolExecutor(max_workers=2)
        self.audits: dict[str, Future] = {}
        if tutorial:  # the longest first
            self.audits["tutorial"] = self.pool.submit(audit, TUTORIAL, base / "tutorial")
        if bug:
            self.audits["bug"] = self.pool.submit(self._bug_audit)
        for pair in sorted(pairs):  # a pair's two audits together: its test waits for no other
            (base / pair).mkdir()
            for how, spec in (("captured", "captured.toml"), ("instrumented", "spec.toml")):
                self.audits[f"{pair}/{how}"] = self.pool.submit(
                    audit, EXAMPLES / pair / spec, base / pair / how)

    def _bug_audit(self) -> Audit:
        """The bug's pair, captured, with the one line changed in as_written.py; both sides run
        (reusing the honest captured R run would hold a worker while that audit runs)."""
        copy = self.base / "bug" / BUG.pair
        shutil.copytree(EXAMPLES / BUG.pair, copy)
        script = copy / "as_written.py"
        text = script.read_text()
        assert text.count(BUG.old) == 1, f"{BUG.old!r} must occur once in {script}"
        script.write_text(text.replace(BUG.old, BUG.new))
        return audit(copy / "captured.toml", self.base / "bug" / "report")

    def result(self, key: str) -> Audit:
        return self.audits[key].result(timeout=1800)


@pytest.fixture(scope="module")
def captured(r_packages, request, tmp_path_factory):  # noqa: F811 (the imported fixture)
    """Every audit the selected tests of this module need, started at once."""
    items = [item for item in request.session.items if item.module is request.module]
    pairs = {item.callspec.params["pair"] for item in items if hasattr(item, "callspec")}
    names = {item.originalname for item in items}
    c = CapturedCorpus(tmp_path_factory.mktemp("captured"), pairs,
                       bug="test_one_line_bug_in_a_captured_pair_fails_at_its_check" in names,
                       tutorial="test_tutorial_as_written_passes_captured" in names)
    yield c
    c.pool.shutdown(wait=True, cancel_futures=True)


@pytest.mark.parametrize("pair", PAIRS)
def test_captured_pair_audits_as_instrumented(captured, pair):
    a, b = captured.result(f"{pair}/captured"), captured.result(f"{pair}/instrumented")
    assert a.report is not None, a.log
    assert b.report is not None, b.log
    assert (a.status, a.report["summary"]["outcome"]) == (b.status, b.report["summary"]["outcome"]), \
        a.log + "\n" + b.log
    assert a.report["summary"]["not_run"] == b.report["summary"]["not_run"] == 0, a.log
    assert overall_grade(a.report) == overall_grade(b.report)
    # each group the instrumented audit grades, graded the same captured
    shared = grades(b.report).keys() & grades(a.report).keys()
    assert shared, (grades(a.report), grades(b.report))
    assert {g: grades(a.report)[g] for g in shared} == {g: grades(b.report)[g] for g in shared}
    # the captured audit compared the call sequences (the calls group ran and passed)
    calls = [c for c in a.report["checks"] if c["group"] == "calls" and c["status"] != "info"]
    assert calls and all(c["status"] == "pass" for c in calls), calls


def test_one_line_bug_in_a_captured_pair_fails_at_its_check(captured):
    a = captured.result("bug")
    assert a.status == 1, a.log
    assert a.report is not None, a.log
    failed = set(a.report["summary"]["failed_checks"])
    assert failed == BUG.failed, "\n".join(sorted(failed))
    assert a.report["summary"]["not_run"] == 0, a.log


def test_tutorial_as_written_passes_captured(captured):
    a = captured.result("tutorial")
    assert a.status == 0, a.log
    assert a.report["summary"]["outcome"] == "pass" and a.report["summary"]["not_run"] == 0, a.log
    assert {c["group"] for c in a.report["checks"]} >= {"calls", "confusion", "training", "published"}
