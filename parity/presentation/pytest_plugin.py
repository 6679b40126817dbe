"""The pytest plugin of keras-caret-parity (entry point ``pytest11``: loaded by any pytest in an
environment where the package is installed).

What it gives a test suite:

- fixtures ``r_session`` (R embedded through rpy2: :class:`RSession`) and ``caret`` (R's caret
  as an oracle: :class:`CaretOracle`). Outside CI (``CI`` unset) a missing R, rpy2 or caret
  skips the test with the reason; in CI it fails it, since a CI machine is set up to have R;
- :func:`assert_caret_equal`, the project's one comparison of caret statistics
  (:func:`parity.rules.compare.compare_caret`: table and NIR p-value exact, other statistics
  relative 1e-12, R's NA only equal to NA and NaN only to NaN) as an assertion with a readable
  table of the failing rows;
- ``pytest --parity-spec FILE [--parity-profile NAME] [--parity-out DIR]``: runs the audit of a
  spec once and collects each of its checks as a test item named by the check, so ``-k``,
  ``--junitxml``, ``-n`` (pytest-xdist) and CI integrations apply to them. ``pass`` passes,
  ``fail`` fails with the check's R and Python values, difference and rule, ``not_run`` fails
  (a check that did not run is never a pass), ``info`` passes (``--parity-info skip`` reports it
  as skipped with its reason instead).

Without ``--parity-spec`` the plugin only registers its options, its marker and its fixtures:
nothing is imported beyond pytest and :mod:`parity.errors`, and nothing runs - which is why,
alone in the engine, this module imports the engine inside its functions (pytest loads it in
every session of the environment).

Examples
--------
A user's own function against caret (the ``caret`` fixture needs R with caret, and rpy2)::

    from parity.pytest_plugin import assert_caret_equal

    def my_accuracy_report(pred, ref): ...       # returns a python_impl.caret.ConfusionMatrix

    def test_my_report_matches_caret(caret):
        pred, ref = ["a", "b", "a", "a"], ["a", "b", "b", "a"]
        assert_caret_equal(my_accuracy_report(pred, ref), caret.confusion_matrix(pred, ref))
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from parity.errors import ParityError
from parity.text import shorten

if TYPE_CHECKING:
    from parity.contract import CaretValues

__all__ = ["assert_caret_equal", "caret_values", "RSession", "CaretOracle", "ParityCheckFailed",
           "ParitySpecFile", "ParityCheckItem", "IN_CI"]

#: in CI a missing R is a setup defect: fixtures fail instead of skipping
IN_CI = bool(os.environ.get("CI"))
_MARKER = "parity_check(group, status): a check of the parity audit collected by --parity-spec"


# --------------------------------------------------------------------------- comparison



def caret_values(x: Any) -> CaretValues:
    """Any caret result - the port's ``ConfusionMatrix``, R's ``CaretResult``, a run's
    ``CaretValues`` - as :class:`parity.contract.CaretValues`
    (:func:`parity.rules.compare.caret_values`; TypeError naming any other type)."""
    from parity.rules.compare import caret_values as convert

    return convert(x)


def _cell(value: Any, limit: int = 60) -> str:
    if isinstance(value, float) and math.isnan(value):
        text = "NaN"
    elif isinstance(value, (list, tuple)):
        text = "[" + ", ".join(_cell(v, 24) for v in value) + "]"
    else:
        text = repr(value) if isinstance(value, float) else str(value)
    return shorten(text, limit)


def assert_caret_equal(actual: Any, expected: Any, *, text: bool = True,
                       tolerance: Callable[[str, Any], Any] | None = None) -> None:
    """Assert that two caret results agree under the project's rules.

    One call of :func:`parity.rules.compare.compare_caret` (``expected`` in the R role, ``actual`` in
    the Python role): identical levels, the table exactly, the NIR p-value exactly, every other
    ``$overall`` value and every ``$byClass`` statistic within relative 1e-12 (or both below
    1e-300), R's NA only equal to NA and NaN only to NaN, and the printed text line by line.

    Parameters
    ----------
    actual, expected : ConfusionMatrix, CaretValues or rbridge.CaretResult
        Either side may be any of the three (:func:`caret_values`).
    text : bool, default True
        Compare the printed text too (left out anyway when either side has none).
    tolerance : callable, optional
        ``tolerance(name, default) -> parity.rules.compare.Tolerance`` for a row such as
        ``"overall.Kappa"`` or ``"by_class.F1"`` (default: the project's rule).

    Raises
    ------
    AssertionError
        With one line per failing row: its name, the expected (R) value, the actual (Python)
        value and the rule it broke.
    """
    from parity.rules.compare import caret_values, compare_caret

    exp, act = caret_values(expected), caret_values(actual)
    rows = compare_caret(exp, act, tolerance=tolerance)
    bad = [r for r in rows if not r.ok
           and not (r.name == "printed_text" and (not text or not exp.text or not act.text))]
    if not bad:
        return
    header = ("statistic", "expected (R)", "actual (Python)", "rule")
    table = [header] + [(r.name, _cell(r.r), _cell(r.python),
                         r.rule + (f"; first different line: {r.difference}"
                                   if r.name == "printed_text" and r.difference else ""))
                        for r in bad]
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row[:3], widths, strict=True)) + "  " + row[3]
             for row in table]
    raise AssertionError(f"caret results differ in {len(bad)} of {len(rows)} compared parts:\n"
                         + "\n".join("  " + ln.rstrip() for ln in lines))


# --------------------------------------------------------------------------- fixtures


def _unavailable(reason: str) -> None:
    """Skip outside CI; fail in CI, where a missing R is a setup defect."""
    if IN_CI:
        pytest.fail(f"required in CI but unavailable: {reason}")
    pytest.skip(reason)


class RSession:
    """R embedded through rpy2, with caret and the project's helpers loaded
    (:func:`parity.rules.rbridge.r_env`).

    Conversion between R and NumPy happens only inside :meth:`converter` (or :meth:`eval`,
    which uses it): never through rpy2's global ``activate()``.

    Attributes
    ----------
    ro : module
        ``rpy2.robjects``.
    r : rpy2.robjects.R
        The R evaluator (``r("1 + 1")``, ``r["pbeta"]``), without conversion.
    """

    def __init__(self, ro):
        self.ro = ro
        self.r = ro.r

    def converter(self) -> contextlib.AbstractContextManager:
        """``localconverter(default_converter + numpy2ri.converter)``: R vectors become NumPy
        arrays and back, inside the ``with`` block only."""
        from parity.rules import rbridge

        return rbridge._conv()

    def eval(self, code: str) -> Any:
        """Evaluate R code and return its value converted (numeric vectors as NumPy arrays)."""
        with self.converter():
            return self.r(code)


class CaretOracle:
    """R's caret, called through rpy2, returning :class:`parity.contract.CaretValues` (ready
    for :func:`assert_caret_equal`)."""

    def confusion_matrix(self, data, reference, *, positive: str | None = None,
                         prevalence: float | dict[str, float] | None = None,
                         mode: str = "sens_spec") -> CaretValues:
        """``caret::confusionMatrix(factor(data), factor(reference), positive=, prevalence=,
        mode=)``: the labels reach R as the vectors they stand for
        (:func:`parity.rules.rbridge.caret_from_labels`)."""
        from parity.rules import rbridge
        from parity.rules.compare import caret_values_of_r

        res = rbridge.caret_from_labels(data, reference, positive=positive, prevalence=prevalence,
                                        mode=mode)
        return replace(caret_values_of_r(res), mode=mode, prevalence=prevalence)

    def from_table(self, table, levels: Sequence[str] | None = None, *, positive: str | None = None,
                   prevalence: float | dict[str, float] | None = None,
                   mode: str = "sens_spec") -> CaretValues:
        """``caret::confusionMatrix(as.table(m), ...)`` on a square table of counts (rows =
        Prediction); ``levels`` default ``"0" .. "k-1"``."""
        import numpy as np

        from parity.rules import rbridge
        from parity.rules.compare import caret_values_of_r

        counts = np.asarray(table)
        levels = [str(x) for x in (levels if levels is not None else range(counts.shape[0]))]
        res = rbridge.caret_from_table(counts, levels, positive=positive, prevalence=prevalence,
                                       mode=mode)
        return replace(caret_values_of_r(res), mode=mode, prevalence=prevalence)


@pytest.fixture(scope="session")
def r_session() -> RSession:
    """R through rpy2 (:class:`RSession`); skipped with the reason when R, rpy2 or caret is
    missing, failed instead when ``CI`` is set."""
    from parity.rules import rbridge

    try:
        return RSession(rbridge.r_env())
    except rbridge.RUnavailable as exc:
        _unavailable(str(exc))
        raise  # (not reached: skip and fail raise)


@pytest.fixture(scope="session")
def caret(r_session) -> CaretOracle:
    """R's caret as an oracle (:class:`CaretOracle`): ``caret.confusion_matrix(pred, ref,
    positive=, prevalence=, mode=)`` returns caret's values."""
    return CaretOracle()


# --------------------------------------------------------------------------- options


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("parity", "keras-caret-parity: the audit's checks as test items")
    group.addoption("--parity-spec", metavar="FILE", type=Path, default=None,
                    help="run the parity audit of this spec (TOML) once and collect each check "
                         "as a test item")
    group.addoption("--parity-profile", metavar="NAME", default=None,
                    help="a profile of the spec (default: the spec's default profile)")
    group.addoption("--parity-out", metavar="DIR", type=Path, default=None,
                    help="the audit's report directory (a new name or an empty directory; "
                         "default ./reports/<UTC time>/)")
    group.addoption("--parity-info", choices=("pass", "skip"), default="pass",
                    help="how an informational check is reported: pass (default) or skip, "
                         "with its reason")


class _State:
    """The audit of one pytest run: configuration, then its checks (dicts of report.json)."""

    def __init__(self, spec_path: Path, cfg, out: Path, default_out: bool):
        self.spec_path = spec_path
        self.cfg = cfg
        self.out = out
        self.default_out = default_out  # ./reports/<time>: ./reports is made when missing
        self.checks: list[dict[str, Any]] | None = None
        self.summary: dict[str, Any] | None = None


_STATE = pytest.StashKey[_State]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _MARKER)
    spec_opt = config.getoption("parity_spec", None)
    if spec_opt is None:
        return
    from parity import config as pconfig

    spec_path = Path(os.path.abspath(spec_opt))
    try:
        spec = pconfig.load_spec(spec_path)
        cfg = pconfig.AuditConfig.resolve(spec, profile=config.getoption("parity_profile"))
    except pconfig.SpecError as exc:
        raise pytest.UsageError(f"--parity-spec: {exc}") from None
    out = config.getoption("parity_out")
    default_out = out is None
    worker = getattr(config, "workerinput", None)
    if worker is not None and "parity_out" in worker:
        out = Path(worker["parity_out"])
    elif out is None:
        out = (config.invocation_params.dir / "reports"
               / time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))
    config.stash[_STATE] = _State(spec_path, cfg, Path(os.path.abspath(out)), default_out)
    # Collect the spec: with paths on the command line, in addition to them; without, alone
    # (pytest --parity-spec FILE runs the audit's checks, not the whole test suite).
    if config.args_source == pytest.Config.ArgsSource.ARGS:
        if str(spec_path) not in config.args:
            config.args.append(str(spec_path))
    else:
        config.args[:] = [str(spec_path)]
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistHooks(), "parity-xdist")


class _XdistHooks:
    """With pytest-xdist the controller runs the audit before the workers start; the workers
    read its checks from report.json instead of running it again."""

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node) -> None:
        state = node.config.stash.get(_STATE, None)
        if state is not None:
            node.workerinput["parity_out"] = str(state.out)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    state = config.stash.get(_STATE, None)
    if state is None or hasattr(config, "workerinput"):
        return
    if getattr(config.option, "dist", "no") != "no" or getattr(config.option, "numprocesses", None):
        _run_audit(config, state)  # the xdist controller: before it starts the workers


def _run_audit(config: pytest.Config, state: _State) -> None:
    """Run the audit once (or, in an xdist worker, read the controller's report.json)."""
    if state.checks is not None:
        return
    if hasattr(config, "workerinput"):
        saved = json.loads((state.out / "report.json").read_text())
        state.checks, state.summary = saved["checks"], saved["summary"]
        return
    from dataclasses import asdict

    from parity import config as pconfig
    from parity.orchestration import doctor, runner
    from parity.paths import missing_extras
    from parity.presentation import report

    if state.cfg.spec.path.resolve() == pconfig.BUILTIN_SPEC.resolve():
        problem = missing_extras("audit", "r")
        if problem:
            raise ParityAuditError(f"the built-in audit cannot run: {problem}")
        if problems := doctor.blocking_problems():
            raise ParityAuditError("the audit cannot run:\n  " + "\n  ".join(problems))
    if state.default_out and not state.out.parent.exists():
        state.out.parent.mkdir()
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"parity: running the audit of {state.spec_path} (profile "
                            f"{state.cfg.profile}) into {state.out} ...")
    try:  # the one audit runner: SIGTERM as Ctrl-C, a failed side's work kept resumable
        work = runner.open_work_dir(state.cfg, state.out, resume=False)
        result = runner.execute(state.cfg, work, write=lambda res, path: report.write_reports(
            res, path, first64=path / "first64.png"), prepare=report.prepare_figures)
    except (ParityError, OSError, RuntimeError) as exc:
        raise ParityAuditError(str(exc)) from None
    state.checks = [asdict(c) for c in result.checks]
    state.summary = result.summary()


class ParityAuditError(ParityError):
    """The audit could not run (bad --parity-out, a side's command not found, missing extras)."""


# --------------------------------------------------------------------------- collection


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    state = parent.config.stash.get(_STATE, None)
    if state is not None and file_path == state.spec_path:
        return ParitySpecFile.from_parent(parent, path=file_path)
    return None


class ParitySpecFile(pytest.File):
    """The spec given to ``--parity-spec``: its checks, one item each (the audit runs when the
    spec is collected)."""

    def collect(self) -> Iterator[ParityCheckItem]:
        state = self.config.stash[_STATE]
        _run_audit(self.config, state)
        assert state.checks is not None
        for check in state.checks:
            yield ParityCheckItem.from_parent(self, name=check["name"], check=check)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ParityAuditError):
            return f"parity audit of {self.path} could not run: {excinfo.value}"
        return super().repr_failure(excinfo, style=style)


class ParityCheckFailed(Exception):
    """A required check of the audit failed or did not run."""


def _describe(check: dict[str, Any]) -> str:
    def show(value: Any) -> str:
        text = value if isinstance(value, str) else json.dumps(value, default=str,
                                                              ensure_ascii=False)
        return shorten(text, 400, one_line=False)

    lines = [f"  R:          {show(check['r_value'])}",
             f"  Python:     {show(check['python_value'])}",
             f"  difference: {show(check['difference'])}",
             f"  rule:       {check['rule']}"]
    if check.get("reason"):
        lines.append(f"  reason:     {check['reason']}")
    return "\n".join(lines)


class ParityCheckItem(pytest.Item):
    """One check of the audit; its outcome is the check's status (see the module docstring)."""

    def __init__(self, *, check: dict[str, Any], **kwargs):
        super().__init__(**kwargs)
        self.check = check
        self.add_marker(pytest.mark.parity_check(group=check["group"], status=check["status"]))
        self.user_properties += [("parity_status", check["status"]), ("parity_rule", check["rule"])]
        if self._status() == "info" and self.config.getoption("parity_info") == "skip":
            self.add_marker(pytest.mark.skip(reason=f"informational: {check.get('reason') or check['rule']}"))

    def _status(self) -> str:
        """The check's status; a check that is not required never fails (info)."""
        c = self.check
        if c.get("required", True) or c["status"] == "pass":
            return c["status"]
        return "info"

    def runtest(self) -> None:
        c = self.check
        status = self._status()
        if status in ("pass", "info"):
            return
        if status == "not_run":
            raise ParityCheckFailed(f"{c['name']}: NOT RUN (a required check that did not run is "
                                    f"never a pass)\n{_describe(c)}")
        raise ParityCheckFailed(f"{c['name']}: FAIL\n{_describe(c)}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ParityCheckFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, 0, f"parity check {self.name}"


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is None or state.summary is None or hasattr(config, "workerinput"):
        return
    s = state.summary
    terminalreporter.write_sep("-", "parity audit")
    terminalreporter.write_line(
        f"{s['outcome'].upper()}: {s['pass']} passed, {s['fail']} failed, {s['not_run']} not run, "
        f"{s['info']} informational; reports in {state.out}")
