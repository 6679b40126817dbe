"""``parity``: audit (R vs Python, check by check), doctor (what is installed), stats (caret
statistics for any predictions), compare (graded verdict of two runs).

Exit status, for every command: 0 success (audit: every required check passed), 1 a check or a
comparison failed, 2 a usage or environment error (:class:`parity.errors.ParityError`, turned
into its exit status here, in :func:`main`, and nowhere else).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from parity import config
from parity.config import AuditConfig, load_spec
from parity.errors import ParityError, UsageError
from parity.orchestration import doctor, runner, sides
from parity.paths import missing_extras
from parity.presentation import report, stats_measures
from parity.presentation.compare_command import add_compare_parser
from parity.rules import labels_io, rbridge
from parity.rules.compare import compare_caret, json_safe
from parity.rules.grades import DEFAULT_MARGIN, REQUIRE
from parity.rules.labels_io import LabelFileError
from parity.text import shorten
from python_impl.caret.confusion import MODES, confusion_matrix, confusion_matrix_from_table

__all__ = ["main", "UsageError"]


class Progress:
    """Per-side progress: epoch n/N, elapsed, ETA; one rewritten line on a TTY, plain lines
    otherwise, nothing with --quiet."""

    def __init__(self, *, quiet: bool, stream=None):
        self.quiet = quiet
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.state: dict[str, tuple[int, int, str]] = {}  # side -> (epoch, epochs, line)
        self.lock = threading.Lock()  # the two sides report from their own threads

    def __call__(self, side: str, epoch: int, epochs: int, elapsed: float,
                 resumed_from: int = 0) -> None:
        if self.quiet:
            return
        ran = epoch - resumed_from  # epochs this process trained: the rate for the ETA
        eta = elapsed / ran * (epochs - epoch) if ran > 0 else float("nan")
        text = f"[{side}] epoch {epoch}/{epochs}  elapsed {elapsed:6.1f}s  ETA {eta:6.1f}s"
        if resumed_from:
            text += f"  (resumed at {resumed_from})"
        with self.lock:
            if self.tty:  # one line, both sides, rewritten in place
                self.state[side] = (epoch, epochs, text)
                done = all(e == n for e, n, _ in self.state.values())
                self.stream.write("\r" + " | ".join(t for _, _, t in self.state.values()).ljust(100)
                                  + ("\n" if done else ""))
            else:
                self.stream.write(text + "\n")
            self.stream.flush()

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.stream, flush=True)


# --------------------------------------------------------------------------- audit


def _cmd_audit(args) -> int:
    # Every input is checked before anything runs: spec, profile, settings, --out, --r-run.
    spec = _audit_spec(args)
    cfg = AuditConfig.resolve(spec, profile=args.profile, epochs=args.epochs, seed=args.seed,
                              keras_defaults=args.keras_defaults, require=args.require,
                              seeds=args.seeds, margin=args.margin)
    if cfg.seeds > 1 and args.r_run is not None:
        raise UsageError("--r-run reuses one R run: it cannot be combined with --seeds")
    if args.workers < 1:
        raise UsageError(f"--workers {args.workers}: expected a positive integer")
    reused = runner.check_reused_r_run(args.r_run, cfg) if args.r_run is not None else None
    # the audit's own Python needs the extras when it trains a tutorial side or runs Dask
    needed = ("audit", "r") if spec.path == config.BUILTIN_SPEC else ("audit",) if cfg.seeds > 1 else ()
    if needed and (problem := missing_extras(*needed)):
        raise UsageError(problem)
    if {"confusion", "battery", "published"} & set(cfg.spec.groups):  # caret in embedded R
        if problem := rbridge.r_home_problem():
            raise UsageError(problem)
    if args.resume and args.out is None:
        raise UsageError("--resume needs --out: the report directory the interrupted audit "
                         "was writing")
    out = args.out or Path("reports") / time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    if args.out is None:
        if Path("reports").exists() and not Path("reports").is_dir():
            raise UsageError("./reports exists and is not a directory: give --out DIR")
        Path("reports").mkdir(exist_ok=True)
    if spec.path == config.BUILTIN_SPEC:
        problems = doctor.blocking_problems()
        if problems:
            raise UsageError("the audit cannot run:\n  " + "\n  ".join(problems)
                             + "\n(run `parity doctor` for details)")
    progress = Progress(quiet=args.quiet)
    work = runner.open_work_dir(cfg, out, resume=args.resume)
    try:
        result = runner.execute(cfg, work, write=_write_reports, progress=progress, say=progress.say,
                                prepare=report.prepare_figures,
                                reuse_r_run=reused.path if reused else None,
                                scheduler=args.scheduler, workers=args.workers)
    except KeyboardInterrupt:
        if not work.path.is_dir():
            raise
        print(f"\nparity audit: interrupted; the finished work is kept in {work.path}\n"
              f"continue with: {_resume_command(args, out)}", file=sys.stderr)
        return 2
    except (OSError, sides.RRunError) as exc:
        kept = f"the finished work is kept in {work.path}" if work.path.is_dir() else ""
        raise UsageError(f"{exc}" + (f"\n{kept}; once fixed, continue with: "
                                    f"{_resume_command(args, out)}" if kept else "")) from None
    s = result.summary()
    if not args.quiet:
        for c in result.checks:
            if c.status != "pass":
                print(f"  {c.status.upper():8} {c.name}: {_check_line(c)}")
    where = work.path if work.keep_partial else out
    print(f"{s['outcome'].upper()}: {s['pass']} passed, {s['fail']} failed, {s['not_run']} not run, "
          f"{s['info']} informational; reports in {where}")
    if work.keep_partial:
        for side, why in result.errors.items():
            print(f"parity audit: the {side} side failed: {why}", file=sys.stderr)
        print(f"parity audit: the finished work is kept in {work.path}; fix the cause and "
              f"continue with: {_resume_command(args, out)}", file=sys.stderr)
    return 0 if result.passed else 1


def _audit_spec(args) -> config.Spec:
    """The spec file, or for ``--r X.R --python X.py`` the spec of two captured scripts."""
    if args.r_script is None and args.python_script is None:
        if args.setting:
            raise UsageError("--setting is for an audit of two scripts (--r and --python); a "
                             "spec declares its settings in [settings] and its profiles")
        return load_spec(args.spec)
    if args.r_script is None or args.python_script is None:
        raise UsageError("--r and --python go together: the R script and its Python port")
    if args.spec is not None or args.profile is not None or args.r_run is not None:
        raise UsageError("--r/--python audit two scripts as they are: without --spec, --profile "
                         "or --r-run (a spec with capture = true sides does the same from a file)")
    return config.scripts_spec(args.r_script, args.python_script,
                               dict(_setting(s) for s in args.setting))


def _setting(text: str) -> tuple[str, object]:
    """``--setting NAME=VALUE``: an integer, a number, true/false, else a string."""
    name, sep, value = text.partition("=")
    if not sep or not name.replace("_", "").isalnum():
        raise UsageError(f"--setting {text!r}: expected NAME=VALUE (e.g. --setting batch_size=32)")
    for parse in (int, float):
        try:
            return name, parse(value)
        except ValueError:
            pass
    return name, {"true": True, "false": False}.get(value, value)


def _write_reports(result, work_path: Path) -> None:
    report.write_reports(result, work_path, first64=work_path / "first64.png")


def _one_line(text: str, limit: int = 300) -> str:
    return shorten(str(text), limit)


def _check_line(check) -> str:
    """A check that did not pass, on one console line: a failed check with its values (R,
    Python, the difference) and its rule; any other with its reason."""
    if check.status != "fail":
        return _one_line(check.reason or check.rule, 500)

    def short(value) -> str:
        return _one_line(json.dumps(value, default=str, ensure_ascii=False), 60)

    values = f"R {short(check.r_value)}, Python {short(check.python_value)}"
    if check.difference is not None:
        values += f", difference {short(check.difference)}"
    return f"{values} (rule: {_one_line(check.rule, 120)})" + (
        f"; {_one_line(check.reason, 200)}" if check.reason else "")


def _resume_command(args, out: Path) -> str:
    """The command that continues this audit."""
    argv = ["parity", "audit", "--out", str(out)]
    for flag, value in (("--spec", args.spec), ("--r", args.r_script), ("--python", args.python_script),
                        *(("--setting", s) for s in args.setting),
                        ("--profile", args.profile), ("--epochs", args.epochs),
                        ("--seed", args.seed), ("--r-run", args.r_run),
                        ("--seeds", args.seeds if args.seeds > 1 else None),
                        ("--require", args.require if args.require != "exact" else None)):
        if value is not None:
            argv += [flag, str(value)]
    return " ".join(argv + (["--keras-defaults"] if args.keras_defaults else []) + ["--resume"])


# --------------------------------------------------------------------------- doctor


def _cmd_doctor(args) -> int:
    rows = doctor.diagnose()
    width = max(len(r.component) for r in rows)
    for r in rows:
        mark = ("warn" if r.warning else "ok ") if r.ok else "MISSING"
        print(f"{mark:7} {r.component.ljust(width)}  {r.version}")
        if r.ok and r.warning:
            print(f"{'':7} {'':{width}}  warning: {r.warning}")
        if not r.ok and r.fix:
            print(f"{'':7} {'':{width}}  fix: {r.fix}")
    blocking = [r for r in rows if not r.ok and r.required]
    print("the audit can run" if not blocking else
          f"the audit cannot run: {', '.join(r.component for r in blocking)} missing")
    return 1 if blocking else 0


# --------------------------------------------------------------------------- stats


def _cmd_stats(args) -> int:
    """``parity stats``: caret's confusionMatrix of two label files (``--pred``/``--ref``) or
    of a count table (``--table``), printed as R prints it, or as JSON (``--json``), or as a
    tidy CSV (``--tidy``); with ``--r`` compared with caret in R on the same input."""
    if stats_measures.wants_measures(args):  # --obs/--prob: postResample, a summary function
        return stats_measures.run(args)
    if args.table is not None and (args.pred is not None or args.ref is not None):
        raise UsageError("--table and --pred/--ref are mutually exclusive: give a count table, "
                         "or two label files")
    if args.table is None and (args.pred is None or args.ref is None):
        raise UsageError("expected --pred FILE and --ref FILE (label files), or --table FILE "
                         "(a square count table)")
    if args.json_null and not args.json:
        raise UsageError("--json-null changes the JSON output: use it with --json")
    with warnings.catch_warnings(record=True) as caught:  # shown once the inputs are read
        warnings.simplefilter("always")
        try:
            prevalence = labels_io.parse_prevalence(args.prevalence)
            if args.table is not None:
                counts, levels = _stats_read_table(args.table)
            else:
                pred = labels_io.read_labels(args.pred, column=args.pred_column)
                ref = labels_io.read_labels(args.ref, column=args.ref_column)
                # before a k x k table is allocated (an id column read as labels)
                labels_io.check_level_count({f"--pred {args.pred}": pred, f"--ref {args.ref}": ref})
            if args.table is not None:
                cm = confusion_matrix_from_table(counts, labels=levels, positive=args.positive,
                                                 prevalence=prevalence, mode=args.mode)
            else:
                cm = confusion_matrix(*labels_io.factor_pairs(pred, ref), positive=args.positive,
                                      prevalence=prevalence, mode=args.mode)
        except (ValueError, TypeError) as exc:  # LabelFileError among them
            for w in caught:  # a header taken from the labels explains a length mismatch
                print(f"warning: {w.message}", file=sys.stderr)
            if isinstance(exc, ParityError):
                raise
            raise UsageError(str(exc)) from None
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    if args.tidy is not None:
        _stats_write_tidy(cm, args.tidy)
    result = _stats_json(cm, null=args.json_null) if args.json else None
    if not args.json:
        print(cm)
    if not args.r:
        if result is not None:
            print(json.dumps(result, indent=2, ensure_ascii=False, allow_nan=False))
        return 0
    if problem := missing_extras("r"):
        raise UsageError(f"--r needs R through rpy2: {problem}")
    if args.table is not None:
        r = rbridge.caret_from_table(counts, levels, positive=args.positive, prevalence=prevalence,
                                     mode=args.mode)
    else:
        r = rbridge.caret_from_labels(pred, ref, positive=args.positive, prevalence=prevalence,
                                      mode=args.mode)
    rows = compare_caret(r, cm)
    failures = sum(not row.ok for row in rows)
    if result is not None:
        def safe(row, value):  # the levels row holds level names, never NA markers
            return value if row.name == "levels" else _stats_json_safe(value, null=args.json_null)

        result["r_comparison"] = {
            "agree": len(rows) - failures, "compared": len(rows),
            "rows": [{"name": row.name, "ok": row.ok, "r": safe(row, row.r),
                      "python": safe(row, row.python), "rule": row.rule,
                      "difference": safe(row, row.difference)} for row in rows]}
        print(json.dumps(result, indent=2, ensure_ascii=False, allow_nan=False))
        return 1 if failures else 0
    print("\nComparison with R caret (in-process through rpy2):")
    for row in rows:
        shown = f"R {row.r!r:24} Python {row.python!r}" if row.name.startswith("overall.") else ""
        print(f"  {'ok  ' if row.ok else 'FAIL'} {row.name:42} {shown}".rstrip())
    print(f"{len(rows) - failures}/{len(rows)} agree")
    return 1 if failures else 0


def _stats_read_table(path: Path):
    """A square count table as R's ``write.csv(as.matrix(cm$table))`` writes it: a header of
    the level names (its first cell, R's ``""``, is ignored), then one row per level, rows =
    Prediction, each starting with its level name; counts are non-negative integers.

    Returns (counts as an int64 array, levels); LabelFileError naming the line otherwise.
    """
    rows = labels_io.read_csv_rows(path, "--table", "a CSV count table")
    if not rows:
        raise LabelFileError(f"--table {path}: empty file (expected a header of level names, then "
                             "one row of counts per level)")
    header = rows[0][1]
    levels = header[1:]
    k = len(levels)
    if k < 2:
        raise LabelFileError(f"--table {path}: line {rows[0][0]}: header {header}; expected an "
                             "empty first cell, then at least 2 level names (write.csv of "
                             "as.matrix(cm$table))")
    if len(set(levels)) != k:
        dup = sorted({x for x in levels if levels.count(x) > 1})
        raise LabelFileError(f"--table {path}: header repeats level(s) {dup}; expected distinct "
                             "level names")
    body = rows[1:]
    if len(body) != k:
        raise LabelFileError(f"--table {path}: {len(body)} row(s) of counts; expected {k}, one per "
                             f"level of the header {levels} (rows = Prediction)")
    counts = np.zeros((k, k), dtype=np.int64)
    for i, (line, row) in enumerate(body):
        if len(row) != k + 1:
            raise LabelFileError(f"--table {path}: line {line} has {len(row)} field(s); expected "
                                 f"{k + 1} (the level name, then {k} counts)")
        if row[0] != levels[i]:
            raise LabelFileError(f"--table {path}: line {line} is row {row[0]!r}; expected "
                                 f"{levels[i]!r} (rows in the header's order: {levels})")
        for j, cell in enumerate(row[1:]):
            value = cell.strip()
            if not value.isascii() or not value.isdigit() or int(value) >= 2**62:
                raise LabelFileError(f"--table {path}: line {line}, column {levels[j]!r}: {cell!r}; "
                                     "expected a non-negative integer count")
            counts[i, j] = int(value)
    if int(counts.sum(dtype=object)) >= 2**62:
        raise LabelFileError(f"--table {path}: a total of {int(counts.sum(dtype=object))} counts; "
                             "expected less than 2**62")
    return counts, levels


def _stats_json_safe(obj, *, null: bool):
    """``obj`` as strict JSON (:func:`parity.rules.compare.json_safe`); with ``null``, the comparison's
    "NA"/"NaN" strings become null too."""
    if isinstance(obj, dict):
        return {k: _stats_json_safe(v, null=null) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_stats_json_safe(v, null=null) for v in obj]
    if null and obj in ("NA", "NaN"):  # compare's report values: R's NA and NaN as strings
        return None
    return json_safe(obj, null=null)


def _stats_json(cm, *, null: bool) -> dict:
    """The result as strict JSON: levels, positive, mode, dnn, table (rows = Prediction),
    overall (caret's names), by_class (two classes: statistic -> value, caret's byClass vector
    for the positive class; more: "Class: <level>" -> statistic -> value)."""
    def num(x):
        return json_safe(float(x), null=null)

    if isinstance(cm.by_class, pd.Series):
        by_class = {str(k): num(v) for k, v in cm.by_class.items()}
    else:
        by_class = {str(row): {str(k): num(v) for k, v in vals.items()}
                    for row, vals in cm.by_class.iterrows()}
    return {"levels": cm.levels, "positive": cm.positive, "mode": cm.mode, "dnn": list(cm.dnn),
            "table": [[int(v) for v in row] for row in cm.table.to_numpy().tolist()],
            "overall": {str(k): num(v) for k, v in cm.overall.items()}, "by_class": by_class}


TIDY_COLUMNS = stats_measures.TIDY_COLUMNS  # one definition, shared with the measures


def _stats_tidy_rows(cm) -> list[tuple]:
    """broom's ``tidy(cm)`` (by_class = TRUE) as rows of :data:`TIDY_COLUMNS`, None for NA.

    As broom writes them: ``accuracy`` (with caret's CI and the P-value [Acc > NIR]),
    ``kappa``, ``mcnemar`` (broom's ``str_to_lower("McNemar")``; no estimate, McNemar's
    p-value), then one row per ``$byClass`` statistic, named in lower case with ``_`` for
    spaces (``pos_pred_value``): for two classes about the positive class, for more classes
    statistic by statistic, each for every class in level order (class without caret's
    ``"Class: "``).
    """
    o = cm.overall
    rows: list[tuple] = [("accuracy", None, o["Accuracy"], o["AccuracyLower"], o["AccuracyUpper"],
                          o["AccuracyPValue"]),
                         ("kappa", None, o["Kappa"], None, None, None),
                         ("mcnemar", None, None, None, None, o["McnemarPValue"])]

    def term(name: str) -> str:
        return name.lower().replace(" ", "_")

    if isinstance(cm.by_class, pd.Series):
        rows += [(term(k), cm.positive, v, None, None, None) for k, v in cm.by_class.items()]
    else:
        for stat in cm.by_class.columns:
            rows += [(term(stat), str(row).removeprefix("Class: "), v, None, None, None)
                     for row, v in cm.by_class[stat].items()]
    return rows


def _stats_write_tidy(cm, path: Path) -> None:
    """Write :func:`_stats_tidy_rows` as CSV (:func:`stats_measures.write_tidy_rows`: numbers
    in shortest round-trip form, R's NA and broom's empty cells ``NA``, NaN ``NaN``)."""
    stats_measures.write_tidy_rows(_stats_tidy_rows(cm), path)


# --------------------------------------------------------------------------- main


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="parity", description=__doc__.split("\n\n")[0],
                                allow_abbrev=False)  # a typo is an error, never another option
    sub = p.add_subparsers(dest="command", required=True)

    a = sub.add_parser("audit", allow_abbrev=False, help="run R and Python side by side and compare them")
    a.add_argument("--spec", type=Path, help="the audit's spec (TOML): the two sides' commands, "
                   "settings, profiles, checks (default: the built-in tutorial spec)")
    a.add_argument("--r", type=Path, dest="r_script", metavar="SCRIPT.R",
                   help="with --python: audit two scripts as they are, captured at the library "
                        "boundary (keras' verbs, caret; no writer calls needed)")
    a.add_argument("--python", type=Path, dest="python_script", metavar="SCRIPT.py",
                   help="with --r: the Python port of the R script")
    a.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE",
                   help="with --r/--python: a setting both scripts take as --name value "
                        "(repeatable; --epochs and --seed too)")
    a.add_argument("--profile", help="a profile of the spec; the tutorial's: smoke (2,000/500 "
                   "images, 1 epoch), default (full data, 3 epochs), tutorial (full data, 200 "
                   "epochs, the tutorial's settings)")
    a.add_argument("--epochs", type=int, help="override the profile's epochs")
    a.add_argument("--seed", type=int, help="random seed for both sides (default 42)")
    a.add_argument("--out", type=Path, help="report directory (default ./reports/<UTC time>/)")
    a.add_argument("--keras-defaults", action="store_true",
                   help="leave out the spec's execution settings and run one side after the "
                        "other (the tutorial's: steps_per_execution=256, 1 TF thread per side, "
                        "both sides at once; see BENCHMARKS.md)")
    a.add_argument("--r-run", type=Path, help="reuse an existing R run directory instead of "
                   "running R (it must have been made with the same settings; checked first)")
    a.add_argument("--resume", action="store_true",
                   help="continue the interrupted audit of --out from each side's last finished "
                        "epoch (the result is bit-identical to an uninterrupted audit)")
    a.add_argument("--require", choices=list(REQUIRE), default="exact",
                   help="the worst graded verdict that passes (bit-identical < numeric < "
                        "equivalent < different); default exact: every bit-exact check decides")
    a.add_argument("--seeds", type=int, default=1, metavar="K",
                   help="run K seeds per side (--seed and the next K-1) on Dask distributed, "
                        "grade each pair and test equivalence across seeds (TOST)")
    a.add_argument("--margin", type=float, default=DEFAULT_MARGIN,
                   help="equivalence margin of the accuracy difference in every graded verdict "
                        "(the grade checks, each seed's pair; Kappa's derives from it) and of "
                        f"the TOST across seeds (accuracy, Kappa, sensitivities); default {DEFAULT_MARGIN}")
    a.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --seeds: an existing Dask scheduler (default: a LocalCluster). "
                        "Dask returns the workers' results pickled: use only a trusted cluster")
    a.add_argument("--workers", type=int, default=2,
                   help="with --seeds: LocalCluster worker processes (default 2)")
    a.add_argument("--quiet", action="store_true", help="no progress, only the outcome line")
    a.set_defaults(func=_cmd_audit)

    d = sub.add_parser("doctor", allow_abbrev=False,
                       help="list every component with its version, and fixes")
    d.set_defaults(func=_cmd_doctor)

    s = sub.add_parser("stats", allow_abbrev=False,
                       help="caret's confusionMatrix, postResample or a summary function",
                       description="caret's confusionMatrix of --pred/--ref label files or of a "
                                   "--table of counts; postResample of numeric --pred/--obs; a "
                                   "summary function (twoClassSummary, ...) of --prob/--obs; "
                                   "printed as R prints it (or --json); --tidy writes tidy rows "
                                   "as CSV; --r compares with caret in R")
    s.add_argument("--pred", type=Path, help="predicted labels or, with --obs, predicted values "
                   "or classes: .csv, .txt, .npy")
    s.add_argument("--ref", type=Path, help="reference labels: .csv, .txt, .npy")
    s.add_argument("--table", type=Path,
                   help="a square count table instead of --pred/--ref, as R's "
                        "write.csv(as.matrix(cm$table)) writes it: header \"\",<levels>, then one "
                        "row per level (rows = Prediction, columns = Reference)")
    s.add_argument("--pred-column", help="CSV column of --pred (default: the first)")
    s.add_argument("--ref-column", help="CSV column of --ref (default: the first)")
    s.add_argument("--positive", help="positive class (two classes)")
    s.add_argument("--prevalence", help="a probability (two classes) or LABEL=P,LABEL=P,...")
    s.add_argument("--mode", choices=list(MODES), default="sens_spec")
    s.add_argument("--json", action="store_true",
                   help="print the result as strict JSON (levels, positive, mode, dnn, table, "
                        "overall, by_class; with --r also r_comparison) instead of R's print; "
                        "R's NA is \"NA\", NaN \"NaN\"")
    s.add_argument("--json-null", action="store_true",
                   help="with --json: NA, NaN and infinities as null instead of strings")
    s.add_argument("--tidy", type=Path, metavar="FILE",
                   help="also write broom's tidy() of the result as CSV (term, class, estimate, "
                        "conf.low, conf.high, p.value; one row per statistic and class)")
    s.add_argument("--r", action="store_true", help="also run caret in R and compare")
    stats_measures.add_arguments(s)
    s.set_defaults(func=_cmd_stats)
    add_compare_parser(sub)
    return p


def _closed_pipe() -> int:
    """The exit of a command whose standard output was closed by its reader: no traceback and
    no message, the status of a Unix tool killed by SIGPIPE (128 + 13), as a shell reports it.
    Standard output is pointed at /dev/null first, so the interpreter's final flush of the
    unwritten rest cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout already closed or replaced: nothing left to flush
        pass
    return 128 + 13


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    try:
        return int(args.func(args))
    except BrokenPipeError:  # the reader went away (`parity stats --json | head`): end quietly
        return _closed_pipe()
    except ParityError as exc:  # the one place an error becomes an exit status
        print(f"parity {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"parity {args.command}: interrupted; no report was written", file=sys.stderr)
        return 2
