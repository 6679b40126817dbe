"""``parity stats`` for regression and class probabilities: caret's ``postResample`` and the
summary functions of ``trainControl(summaryFunction = )``, printed as R prints them, as JSON
(``--json``) or as tidy CSV rows (``--tidy``); with ``--r`` compared with caret in R.

- ``--pred FILE --obs FILE``, numbers: ``postResample(pred, obs)`` (RMSE, Rsquared, MAE).
- ``--prob FILE --obs FILE [--pred FILE]``: the probability CSV has one column per level, its
  header the level names in caret's ``lev`` order (``levels(y)`` in ``train``); ``obs`` (and
  ``pred``) are labels of those levels. Without ``--pred`` the predicted class is each row's
  first level of largest probability, as ``train`` takes it (``apply(prob, 1, which.max)``).
  The summary: ``twoClassSummary`` for two levels, ``multiClassSummary`` for more, or
  ``--summary default|two_class|pr|multi_class|mn_log_loss``.

Files are read as R's ``read.csv`` reads them (:mod:`parity.rules.labels_io`); a value that
cannot be used is exit 2 naming the file, the line and the value.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from parity.errors import UsageError
from parity.paths import missing_extras
from parity.rules import labels_io, rmeasures
from parity.rules.compare import MeasureValues, compare_measures, json_safe
from parity.rules.labels_io import LabelFileError
from python_impl.caret import NA, RError, RWarning, is_na
from python_impl.caret.rformat import as_character, print_named_vector
from python_impl.caret.summaries import (
    default_summary,
    mn_log_loss,
    multi_class_summary,
    post_resample,
    pr_summary,
    two_class_summary,
)

__all__ = ["SUMMARIES", "TIDY_COLUMNS", "add_arguments", "wants_measures", "run", "tidy_cell",
           "write_tidy_rows", "port_values", "read_probabilities", "which_max"]

#: ``--summary`` -> the port's summary function (caret's name: rmeasures.SUMMARY_FUNCTIONS)
SUMMARIES = {"default": default_summary, "two_class": two_class_summary, "pr": pr_summary,
             "multi_class": multi_class_summary, "mn_log_loss": mn_log_loss}
#: the tidy CSV's columns (broom's tidy() of a confusionMatrix; a measure fills term, estimate)
TIDY_COLUMNS = ("term", "class", "estimate", "conf.low", "conf.high", "p.value")
#: columns of caret's summary data frame: no probability column may take their names
_RESERVED = ("obs", "pred")


def add_arguments(s) -> None:
    """The options of the measures' forms, on the ``stats`` parser (``--pred`` is shared)."""
    s.add_argument("--obs", type=Path, help="observed values (numbers: postResample with --pred) "
                   "or observed classes (with --prob): .csv, .txt, .npy")
    s.add_argument("--obs-column", help="CSV column of --obs (default: the first)")
    s.add_argument("--prob", type=Path, help="class probabilities: a CSV with one column per "
                   "level, header = the level names (caret's lev order); with --obs")
    s.add_argument("--summary", choices=list(SUMMARIES),
                   help="with --prob: caret's summary function (default: two_class for two "
                        "levels, multi_class for more); default = defaultSummary")


def wants_measures(args) -> bool:
    """Whether ``parity stats`` was asked for a measure (``--obs`` or ``--prob``)."""
    return args.obs is not None or args.prob is not None


# --------------------------------------------------------------------------- reading


def _raw_values(path: Path, column: str | None) -> list[tuple[str, str]]:
    """(where, field) of each value of a label file, as labels_io reads it: ``line N`` (the
    file's own line numbers) or ``element i`` (.npy); for locating a bad value only."""
    if path.suffix == ".npy":
        arr = np.load(path, allow_pickle=False)
        return [(f"element {i}", str(v)) for i, v in enumerate(arr.tolist())]
    text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    if path.suffix != ".csv":
        lines = text.split("\n")
        return [(f"line {i + 1}", s.removesuffix("\r")) for i, s in enumerate(lines)
                if i < len(lines) - 1 or s]
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = [(reader.line_num, row) for row in reader if row]
    col = rows[0][1].index(column) if column is not None else 0
    return [(f"line {line}", row[col]) for line, row in rows[1:]]


def _not_a_number(value: str) -> bool:
    """Whether a field alone would make R's read.csv column non-numeric (NA and blanks do not)."""
    out = labels_io.type_convert([value])
    return out.dtype == object and out[0] is not None


def _as_doubles(values, what: str, path: Path, column: str | None) -> np.ndarray:
    """A column read by labels_io as doubles, R's NA kept; LabelFileError at the first value
    that is not a number."""
    v = labels_io.r_vector(values)
    if v.kind in ("integer", "double"):  # logical columns and booleans arrive as character
        out = v.values.astype(np.float64)
        out[v.na] = NA
        return out
    where, field = next(((w, f) for w, f in _raw_values(path, column) if _not_a_number(f)),
                        ("", str(values[0])))
    raise LabelFileError(f"{what} {path}: {where + ': ' if where else ''}{field!r} is not a number; "
                         "expected numbers (R's read.csv reads the column as character or logical)")


def _level_strings(values) -> list[str | None]:
    """Each label as R's ``factor()`` names it (``as.character``), None for NA."""
    v = labels_io.r_vector(values)
    if v.kind == "integer":
        text = [str(int(x)) for x in v.values.tolist()]
    elif v.kind == "double":
        text = [as_character(float(x)) for x in v.values.tolist()]
    else:
        text = [str(x) for x in v.values.tolist()]
    return [None if na else t for t, na in zip(text, v.na.tolist(), strict=True)]


def _codes_in(labels: list[str | None], lev: list[str], what: str, path: Path,
              column: str | None) -> np.ndarray:
    """0-based codes into ``lev`` (-1 for NA); LabelFileError at the first label not in lev."""
    index = {lv: i for i, lv in enumerate(lev)}
    codes = np.array([-1 if x is None else index.get(x, -2) for x in labels], dtype=np.intp)
    bad = np.flatnonzero(codes == -2)
    if bad.size:
        i = int(bad[0])
        where = _raw_values(path, column)[i][0]
        raise LabelFileError(f"{what} {path}: {where}: label {labels[i]!r} is not a level of the "
                             f"probabilities' header {lev}; expected one of them (or NA)")
    return codes


def read_probabilities(path: Path) -> tuple[list[str], np.ndarray, list[int]]:
    """The ``--prob`` CSV: (levels from the header, n x k doubles with R's NA, each row's line).

    Raises
    ------
    LabelFileError
        Naming the file, and the line and value where there is one: no such file, not UTF-8,
        not CSV, fewer than two or repeated level names, a level named ``obs`` or ``pred``
        (caret's columns), a row with another number of fields, a value that is not a number.
    """
    what = "--prob"
    rows = labels_io.read_csv_rows(path, what, "a CSV of class probabilities")
    if len(rows) < 2:
        raise LabelFileError(f"{what} {path}: expected a header of level names, then one row of "
                             "probabilities per observation")
    lev = rows[0][1]
    if len(lev) < 2 or len(set(lev)) != len(lev) or "" in lev:
        raise LabelFileError(f"{what} {path}: line {rows[0][0]}: header {lev}; expected at least "
                             "2 distinct, non-empty level names (one column per level)")
    if reserved := [lv for lv in lev if lv in _RESERVED]:
        raise LabelFileError(f"{what} {path}: level(s) {reserved} in the header: caret's summary "
                             f"data already has columns {list(_RESERVED)}; rename the level")
    for line, row in rows[1:]:
        if len(row) != len(lev):
            raise LabelFileError(f"{what} {path}: line {line} has {len(row)} field(s); expected "
                                 f"{len(lev)}, one per level of the header {lev}")
    probs = np.empty((len(rows) - 1, len(lev)), dtype=np.float64)
    for j, level in enumerate(lev):
        fields = [row[j] for _, row in rows[1:]]
        v = labels_io.r_vector(labels_io.type_convert(fields))
        if v.kind not in ("integer", "double"):
            line, field = next((ln, row[j]) for ln, row in rows[1:] if _not_a_number(row[j]))
            raise LabelFileError(f"{what} {path}: line {line}, column {level!r}: {field!r} is not "
                                 "a number; expected probabilities (numbers, NA for missing)")
        probs[:, j] = v.values.astype(np.float64)
        probs[v.na, j] = NA
    return lev, probs, [line for line, _ in rows[1:]]


def which_max(probs: np.ndarray) -> np.ndarray:
    """R's ``apply(probs, 1, which.max)``, 0-based: each row's first largest value, NA and NaN
    skipped; -1 where a row has no value (R then returns no index for it).

    Examples
    --------
    >>> which_max(np.array([[0.5, 0.5], [np.nan, 0.2], [np.nan, np.nan]])).tolist()
    [0, 1, -1]
    """
    present = ~np.isnan(probs)
    top = np.where(present, probs, -np.inf).max(axis=1, initial=-np.inf)
    hit = present & (probs == top[:, None])
    return np.where(hit.any(axis=1), hit.argmax(axis=1), -1)


# --------------------------------------------------------------------------- the port


def port_values(function: str, result: pd.Series, caught) -> MeasureValues:
    """:class:`MeasureValues` of a port result (a Series with caret's names) and the warnings
    it raised (R's, :class:`python_impl.caret.RWarning`), with R's print of it."""
    values = result.to_numpy(dtype=np.float64)
    names = [str(k) for k in result.index]
    text = "\n".join(print_named_vector([None if is_na(x) else float(x) for x in values.tolist()],
                                        names))
    return MeasureValues(function=function, names=names, values=values, text=text,
                         warnings=tuple(str(w.message) for w in caught if issubclass(w.category, RWarning)))


def _run_port(function: str, call) -> MeasureValues:
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = call()
    except RError as exc:  # R stops here too: caret's own message
        raise UsageError(f"caret's {function} stops: {exc}") from None
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{function}: {exc}") from None
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    return port_values(function, result, caught)


# --------------------------------------------------------------------------- output


def tidy_cell(x) -> str:
    """A tidy CSV cell: numbers in shortest round-trip form, R's NA and broom's empty cells
    ``NA``, NaN ``NaN`` (what R's ``read.csv`` reads back).

    Examples
    --------
    >>> [tidy_cell(x) for x in (0.1, None, NA, float("nan"), float("-inf"), "RMSE")]
    ['0.1', 'NA', 'NA', 'NaN', '-Inf', 'RMSE']
    """
    if x is None:
        return "NA"
    if isinstance(x, str):
        return x
    x = float(x)
    if math.isnan(x):
        return "NA" if is_na(x) else "NaN"
    return repr(x) if math.isfinite(x) else ("Inf" if x > 0 else "-Inf")


def write_tidy_rows(rows, path: Path) -> None:
    """Write rows of :data:`TIDY_COLUMNS` as CSV, to a temporary file renamed into place."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
        try:
            with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(TIDY_COLUMNS)
                w.writerows([tidy_cell(x) for x in row] for row in rows)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise UsageError(f"--tidy {path}: cannot write it ({exc.strerror or exc})") from None


def _json_value(x, *, null: bool):
    if null and x in ("NA", "NaN"):  # the comparison's report values
        return None
    return json_safe(x, null=null)


def _comparison_json(rows, *, null: bool) -> dict:
    failures = sum(not row.ok for row in rows)
    keep = ("names", "warnings", "printed_text")  # names and texts, never NA markers

    def safe(row, value):
        return value if row.name in keep else _json_value(value, null=null)

    return {"agree": len(rows) - failures, "compared": len(rows),
            "rows": [{"name": row.name, "ok": row.ok, "r": safe(row, row.r),
                      "python": safe(row, row.python), "rule": row.rule,
                      "difference": safe(row, row.difference)} for row in rows]}


# --------------------------------------------------------------------------- the command


def _check_options(args) -> None:
    others = [flag for flag, given in (("--ref", args.ref is not None), ("--table", args.table is not None),
                                       ("--ref-column", args.ref_column is not None),
                                       ("--positive", args.positive is not None),
                                       ("--prevalence", args.prevalence is not None),
                                       ("--mode", args.mode != "sens_spec")) if given]
    if others:
        raise UsageError(f"{', '.join(others)}: options of the confusion matrix (--pred/--ref, "
                         "--table); --obs and --prob compute caret's postResample or a summary function")
    if args.obs is None:
        raise UsageError("--prob needs --obs FILE (the observed classes)")
    if args.prob is None and args.pred is None:
        raise UsageError("--obs needs --pred FILE (numbers: postResample) or --prob FILE (class "
                         "probabilities: a summary function)")
    if args.prob is None and args.summary not in (None, "default"):
        raise UsageError(f"--summary {args.summary} needs --prob FILE (class probabilities); "
                         "numeric --pred/--obs give postResample (= defaultSummary)")
    if args.json_null and not args.json:
        raise UsageError("--json-null changes the JSON output: use it with --json")


def _regression(args):
    obs_labels = labels_io.read_labels(args.obs, column=args.obs_column)
    pred_labels = labels_io.read_labels(args.pred, column=args.pred_column)
    obs = _as_doubles(obs_labels, "--obs", args.obs, args.obs_column)
    pred = _as_doubles(pred_labels, "--pred", args.pred, args.pred_column)
    if obs.size != pred.size:
        raise LabelFileError(f"--pred {args.pred} has {pred.size} values and --obs {args.obs} has "
                             f"{obs.size}: expected one prediction per observation")
    port = _run_port("postResample", lambda: post_resample(pred, obs))
    info = {"function": "postResample", "n": int(obs.size)}

    def in_r():
        return rmeasures.r_post_resample(pred_labels, obs_labels)

    return port, info, in_r


def _classes(args):
    lev, probs, _ = read_probabilities(args.prob)
    obs_labels = _level_strings(labels_io.read_labels(args.obs, column=args.obs_column))
    if len(obs_labels) != len(probs):
        raise LabelFileError(f"--obs {args.obs} has {len(obs_labels)} labels and --prob {args.prob} "
                             f"{len(probs)} rows: expected one row of probabilities per observation")
    obs_codes = _codes_in(obs_labels, lev, "--obs", args.obs, args.obs_column)
    pred_labels = None
    if args.pred is not None:
        pred_labels = _level_strings(labels_io.read_labels(args.pred, column=args.pred_column))
        if len(pred_labels) != len(probs):
            raise LabelFileError(f"--pred {args.pred} has {len(pred_labels)} labels and --prob "
                                 f"{args.prob} {len(probs)} rows: expected one per observation")
        pred_codes = _codes_in(pred_labels, lev, "--pred", args.pred, args.pred_column)
    else:
        pred_codes = which_max(probs)
        if (pred_codes < 0).any():
            _, _, lines = read_probabilities(args.prob)
            line = lines[int(np.flatnonzero(pred_codes < 0)[0])]
            raise LabelFileError(f"--prob {args.prob}: line {line}: every probability is NA, so "
                                 "there is no predicted class (caret's which.max); give --pred FILE")
    key = args.summary or ("two_class" if len(lev) == 2 else "multi_class")
    function = rmeasures.SUMMARY_FUNCTIONS[key]
    data = pd.DataFrame({"obs": pd.Categorical.from_codes(obs_codes, categories=lev),
                         "pred": pd.Categorical.from_codes(pred_codes, categories=lev)})
    for j, level in enumerate(lev):
        data[level] = probs[:, j]
    port = _run_port(function, lambda: SUMMARIES[key](data, lev=lev))
    info = {"function": function, "levels": lev, "n": len(probs)}

    def in_r():
        return rmeasures.r_summary(function, obs_labels, pred_labels, probs, lev)

    return port, info, in_r


def run(args) -> int:
    """``parity stats --obs ... (--pred | --prob)``: 0, or 1 when ``--r`` finds a difference;
    a :class:`parity.errors.ParityError` (exit 2) for bad options or files."""
    _check_options(args)
    with warnings.catch_warnings(record=True) as caught:  # labels_io's, about the files read
        warnings.simplefilter("always")
        try:
            port, info, in_r = _classes(args) if args.prob is not None else _regression(args)
        finally:
            for w in caught:
                print(f"warning: {w.message}", file=sys.stderr)
    if args.tidy is not None:
        write_tidy_rows([(name, None, value, None, None, None)
                         for name, value in zip(port.names, port.values.tolist(), strict=True)], args.tidy)
    result = None
    if args.json:
        result = dict(info, values={name: json_safe(value, null=args.json_null)
                                    for name, value in zip(port.names, port.values.tolist(), strict=True)})
    else:
        print(port.text)
    if not args.r:
        if result is not None:
            print(json.dumps(result, indent=2, ensure_ascii=False, allow_nan=False))
        return 0
    if problem := missing_extras("r"):
        raise UsageError(f"--r needs R through rpy2: {problem}")
    rows = compare_measures(in_r(), port)
    failures = sum(not row.ok for row in rows)
    if result is not None:
        result["r_comparison"] = _comparison_json(rows, null=args.json_null)
        print(json.dumps(result, indent=2, ensure_ascii=False, allow_nan=False))
        return 1 if failures else 0
    print(f"\nComparison with R caret's {info['function']} (in-process through rpy2):")
    for row in rows:
        shown = f"R {row.r!r:24} Python {row.python!r}" if row.name in port.names or not row.ok else ""
        print(f"  {'ok  ' if row.ok else 'FAIL'} {row.name:24} {shown}".rstrip())
    print(f"{len(rows) - failures}/{len(rows)} agree")
    return 1 if failures else 0
