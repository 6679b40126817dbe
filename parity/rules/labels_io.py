"""Reading label vectors for ``parity stats`` as R reads them, and handing them on unchanged.

Formats: a CSV column (with a header line), one label per line (``.txt`` or any other name),
or a 1-D ``.npy`` array.

How a text column becomes labels (R's ``read.csv`` and ``type.convert(as.is = TRUE)`` rules,
measured on R 4.2.2):

- **Missing values.** ``NA`` (R's ``na.strings``) is a missing label. In a CSV, an empty
  field is missing too unless the column is character, where ``""`` stays a label (as in
  R). Wholly empty CSV lines are skipped (``blank.lines.skip``). Missing values do not decide
  the column's type.
- **Type, decided by the whole column.** *logical* when every value is exactly ``T``, ``F``,
  ``TRUE`` or ``FALSE`` (labels ``FALSE``/``TRUE``); else *integer* when every value is what
  C's ``strtol`` reads completely in base 10 - optional leading white space, an optional
  ``+``/``-``, ASCII digits only - and fits R's integer (``-2147483647 .. 2147483647``;
  ``-2147483648`` is R's NA); else *double* when every value is what R's ``R_strtod`` reads,
  trailing white space allowed: decimals (``1.``, ``.5``, ``1e3``, even ``1e``), hexadecimal
  (``0x1A``, ``0x1p3``), ``Inf``/``inf``/``Infinity``, ``NaN``; else *character*, each value
  kept verbatim (spaces included). So ``+5``, ``07`` and `` 7`` are the integers 5, 7, 7;
  ``7 `` (trailing space), ``1e3`` and ``2147483648`` make the column double; ``1_0``,
  ``1d5``, ``0x``, ``Arabic-Indic 3`` (``\\u0663``) or ``true`` make it character.
- **Levels** are then R's ``factor()``'s: integers in numeric order, printed in decimal;
  doubles in numeric order (``-Inf`` first, ``NaN`` last) printed as R's ``as.character``
  does (15 significant digits: ``1e+05``, ``3e+09``, ``0.333333333333333``; two doubles with
  the same text are one level, as in R); strings in code-point order (R's C-locale order);
  ``FALSE`` before ``TRUE``. Missing labels are no level: caret tabulates with ``table()``,
  which drops every pair with a missing side; a value whose partner is missing still makes
  its level (:func:`factor_pairs`).

The one-label-per-line format follows the same rules as a single CSV column without a header,
except that a line is one value whatever it holds (no quoting, commas are part of the label)
and an empty line is an error (write ``NA`` for a missing label): R would skip it, silently
pairing the following labels with the wrong partners.

A ``.npy`` array keeps its dtype: integers (sent to R as integers when they fit R's integer,
else as doubles, which hold them exactly up to 2**53, else as decimal strings), floats (NaN is
R's ``NaN``, a level of its own, as ``factor()`` makes it), booleans (``FALSE``/``TRUE``) and
strings. Object (pickled) arrays are refused.

Not reproduced: values R's ``type.convert`` would read as complex numbers (``3i``,
``1+2i``) stay character here; a CSV line with too few fields is an error (``read.csv`` fills
it with NA).
"""

from __future__ import annotations

import csv
import io
import math
import re
import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from parity.errors import ParityError
from python_impl.caret.confusion import R_INT_MAX
from python_impl.caret.rformat import as_character

__all__ = ["LabelFileError", "LabelFileWarning", "read_labels", "parse_prevalence", "RVector",
           "r_vector", "factor_pairs", "type_convert", "check_level_count", "MAX_LEVELS",
           "check_readable_file"]

_EXACT_DOUBLE = 2**53
_NA_STRINGS = frozenset({"NA"})
_LOGICAL = {"T": True, "F": False, "TRUE": True, "FALSE": False}
_WS = " \t\n\v\f\r"  # C's isspace in the C locale

_INTEGER_RE = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-9]+")
_HEX = "0123456789abcdefABCDEF"


#: the most distinct labels a confusion table is built for: k x k counts (3,000 levels: 9
#: million cells, 72 MB); more is almost always an id column read by mistake, and 100,000
#: levels would ask for a 10^10-cell table
MAX_LEVELS = 3000


class LabelFileError(ParityError, ValueError):
    """A label file that cannot be read; the message names the file and what was expected."""


class LabelFileWarning(UserWarning):
    """A label file that reads, but perhaps not as meant (a header that is one of the labels)."""


# --------------------------------------------------------------------------- R's conversions


def _strtod(s: str) -> float | None:
    """R's ``R_strtod`` (R 4.2, ``dec = "."``) over the whole string, as ``type.convert``
    uses it: the double, None where R reads ``NA``; ValueError when R would not read it all
    (only trailing white space may remain)."""
    def done(value, rest: str):
        if rest.strip(_WS):
            raise ValueError(s)
        return value

    if s.startswith("NA"):  # before white space is skipped: " NA" is not NA
        return done(None, s[2:])
    p = s.lstrip(_WS)
    sign = 1.0
    if p[:1] in ("+", "-"):
        sign = -1.0 if p[0] == "-" else 1.0
        p = p[1:]
    low = p.lower()
    if low.startswith("nan"):
        return done(math.nan, p[3:])
    if low.startswith("infinity"):
        return done(sign * math.inf, p[8:])
    if low.startswith("inf"):
        return done(sign * math.inf, p[3:])
    if len(p) > 2 and low.startswith("0x"):
        # R reads every hex digit into the mantissa; a "." restarts the count of fraction bits,
        # which only a binary exponent ("p") applies: 0x1.8 is 24, 0x1.8p0 is 1.5
        i, mant, frac_bits = 2, 0, -1
        while i < len(p) and (p[i] in _HEX or p[i] == "."):
            if p[i] == ".":
                frac_bits = 0
            else:
                mant = 16 * mant + int(p[i], 16)
                frac_bits += 4 if frac_bits >= 0 else 0
            i += 1
        exp, frac_bits = 0, max(frac_bits, 0)
        if i < len(p) and p[i] in "pP":
            i += 1
            exp_sign = 1
            if i < len(p) and p[i] in "+-":
                exp_sign = -1 if p[i] == "-" else 1
                i += 1
            j = i
            while i < len(p) and p[i].isascii() and p[i].isdigit():
                i += 1
            exp = exp_sign * min(int(p[j:i] or 0), 99999) - frac_bits
        return done(sign * _fraction_to_float(Fraction(mant) * Fraction(2) ** exp), p[i:])
    m = re.match(r"([0-9]*)(?:\.([0-9]*))?", p)
    assert m is not None  # every group is optional: matches any string (perhaps empty)
    whole, frac = m.group(1), m.group(2) or ""
    if not whole and not frac:
        raise ValueError(s)  # no digit: R backs out
    i = m.end()
    exp = 0
    if i < len(p) and p[i] in "eE":
        e = re.match(r"([+-]?)([0-9]*)", p[i + 1:])
        assert e is not None  # matches any string (perhaps empty)
        exp = min(int(e.group(2) or 0), 99999) * (-1 if e.group(1) == "-" else 1)
        i += 1 + e.end()
    return done(sign * float(f"{whole or '0'}.{frac or '0'}e{exp}"), p[i:])


def _fraction_to_float(x: Fraction) -> float:
    try:
        return float(x)
    except OverflowError:
        return math.inf


def _strtoi(s: str) -> int | None:
    """C's ``strtol(s, &end, 10)`` read to the end and inside R's integer range, else None."""
    if _INTEGER_RE.fullmatch(s) is None:
        return None
    v = int(s.lstrip(_WS))
    return v if -R_INT_MAX <= v <= R_INT_MAX else None


def type_convert(values: list[str]):
    """R's ``type.convert(values, as.is = TRUE, na.strings = "NA")`` for one column.

    Parameters
    ----------
    values : list of str
        The column's fields, as read.

    Returns
    -------
    numpy.ndarray or pandas extension array
        Without missing values: int64 (integer), float64 (double) or object array of str
        (character; logical as ``"FALSE"``/``"TRUE"``). With missing values: a pandas
        ``Int64`` or ``Float64`` array (NA masked; NaN stays a value), or an object array with
        None at the missing positions.

    Examples
    --------
    >>> type_convert(["+5", "07", " 7"]).tolist()
    [5, 7, 7]
    >>> type_convert(["10", "1_0"]).tolist()
    ['10', '1_0']
    >>> type_convert(["1", "NA", "2147483648"]).tolist()
    [1.0, <NA>, 2147483648.0]
    """
    # each distinct field is classified once (label columns hold few distinct values)
    codes, uniq_index = pd.factorize(np.asarray(values, dtype=object), sort=False)
    uniq = [str(v) for v in uniq_index]
    u_missing = np.array([v in _NA_STRINGS for v in uniq], dtype=bool)
    u_blank = np.array([v.strip(_WS) == "" for v in uniq], dtype=bool)
    u_na = u_missing | u_blank
    candidates = [v for v, na in zip(uniq, u_na.tolist(), strict=True) if not na]

    def spread(u_values: np.ndarray, u_mask: np.ndarray):
        data, mask = u_values[codes], u_mask[codes]
        if u_values.dtype == object:
            data = data.copy()
            data[mask] = None
            return data
        if not mask.any():
            return data
        cls = pd.arrays.IntegerArray if u_values.dtype.kind == "i" else pd.arrays.FloatingArray
        return cls(data, mask)

    if all(v in _LOGICAL for v in candidates):
        u_values = np.array([None if na else ("TRUE" if _LOGICAL[v] else "FALSE")
                             for v, na in zip(uniq, u_na.tolist(), strict=True)], dtype=object)
        return spread(u_values, u_na)
    ints = [None if na else _strtoi(v) for v, na in zip(uniq, u_na.tolist(), strict=True)]
    if all(i is not None for i, na in zip(ints, u_na.tolist(), strict=True) if not na):
        return spread(np.array([0 if i is None else i for i in ints], dtype=np.int64), u_na)
    try:
        doubles = [None if na else _strtod(v) for v, na in zip(uniq, u_na.tolist(), strict=True)]
    except ValueError:
        doubles = None
    if doubles is not None:
        mask = np.array([d is None for d in doubles], dtype=bool)  # " NA" is NA too (R_strtod)
        return spread(np.array([0.0 if d is None else d for d in doubles], dtype=np.float64), mask)
    # character: "NA" is missing, blank fields stay as they are
    return spread(np.array(uniq, dtype=object), u_missing)


# --------------------------------------------------------------------------- labels as R vectors


@dataclass(frozen=True)
class RVector:
    """A label vector as it goes to R: its R type, values and missing mask.

    Attributes
    ----------
    kind : {"integer", "double", "character"}
    values : numpy.ndarray
        int32 (integer), float64 (double) or object array of str (character); the entries at
        missing positions are placeholders.
    na : numpy.ndarray of bool
        True where the label is R's NA.
    """

    kind: str
    values: np.ndarray
    na: np.ndarray

    def __len__(self) -> int:
        return len(self.na)


def _numeric_vector(data: np.ndarray, na: np.ndarray) -> RVector:
    """Integers as R holds them: integer when they fit, else double (exact up to 2**53), else
    decimal strings."""
    present = data[~na]
    if data.dtype.kind == "f":
        return RVector("double", data.astype(np.float64), na)
    if present.size == 0 or (int(present.min()) >= -R_INT_MAX and int(present.max()) <= R_INT_MAX):
        return RVector("integer", np.where(na, 0, data).astype(np.int32), na)
    if int(present.min()) >= -_EXACT_DOUBLE and int(present.max()) <= _EXACT_DOUBLE:
        return RVector("double", data.astype(np.float64), na)
    values = np.array([str(int(v)) for v in data.tolist()], dtype=object)
    return RVector("character", values, na)


def r_vector(x) -> RVector:
    """The R vector a label array stands for (what ``parity stats --r`` sends to R).

    NumPy integers go as R integers while they fit, else as doubles (exact up to 2**53), else
    as decimal strings; floats as doubles (NaN stays R's ``NaN``); booleans as ``"FALSE"``/
    ``"TRUE"``; strings as character. pandas ``Int64``/``Float64``/``boolean`` arrays and object
    arrays mark missing labels (``pd.NA``, ``None``) as R's NA; a Categorical goes as its labels.

    Raises
    ------
    TypeError
        Not a 1-D array-like, or a dtype that is not a label (complex, datetime, ...).
    """
    if isinstance(x, pd.Series):
        x = x.array
    if isinstance(x, pd.Categorical):
        cats = [str(c) for c in x.categories]
        codes = np.asarray(x.codes)
        values = np.array([cats[c] if c >= 0 else "" for c in codes.tolist()], dtype=object)
        return RVector("character", values, codes < 0)
    if isinstance(x, pd.api.extensions.ExtensionArray):
        na = np.asarray(x.isna(), dtype=bool)
        if isinstance(x, pd.arrays.BooleanArray):
            values = np.array(["TRUE" if v else "FALSE" for v in x.to_numpy(bool, na_value=False)],
                              dtype=object)
            return RVector("character", values, na)
        if isinstance(x, pd.arrays.FloatingArray):
            return RVector("double", x.to_numpy(np.float64, na_value=0.0), na)
        if isinstance(x, pd.arrays.IntegerArray):
            return _numeric_vector(x.to_numpy(np.int64, na_value=0), na)
        x = x.to_numpy(object, na_value=None)
    if isinstance(x, str) or np.ndim(x) != 1:
        raise TypeError(f"labels: expected a 1-D array-like, got {type(x).__name__} with "
                        f"{np.ndim(x)} dimensions")
    arr = np.asarray(x)
    no_na = np.zeros(len(arr), dtype=bool)
    if arr.dtype.kind == "b":
        return RVector("character", np.where(arr, "TRUE", "FALSE").astype(object), no_na)
    if arr.dtype.kind in "iuf":
        return _numeric_vector(arr, no_na)
    if arr.dtype.kind in "US":
        return RVector("character", arr.astype(str).astype(object), no_na)
    if arr.dtype.kind == "O":
        na = np.array([v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
                       for v in arr.tolist()], dtype=bool)
        values = np.array(["" if m else str(v) for v, m in zip(arr.tolist(), na, strict=True)],
                          dtype=object)
        return RVector("character", values, na)
    raise TypeError(f"labels of dtype {arr.dtype}: expected integers, floats, booleans or strings")


def _level_text(v: float) -> str:
    return as_character(v)


def _r_factor(v: RVector) -> tuple[np.ndarray, list[str]]:
    """R's ``factor(x)``: codes (-1 for NA) and levels."""
    codes = np.full(len(v), -1, dtype=np.intp)
    present = ~v.na
    vals = v.values[present]
    if v.kind == "character":
        if not len(vals):
            return codes, []
        fcodes, uniq = pd.factorize(vals, sort=False)
        order = sorted(range(len(uniq)), key=lambda i: uniq[i])  # code-point (C-locale) order
        rank = np.empty(len(order), dtype=np.intp)
        rank[order] = np.arange(len(order))
        codes[present] = rank[fcodes]
        return codes, [str(uniq[i]) for i in order]
    uniq, inv = np.unique(vals, return_inverse=True)  # numeric order, NaN last
    if v.kind == "integer":
        codes[present] = inv
        return codes, [str(int(u)) for u in uniq.tolist()]
    # as.character of each distinct double; doubles with the same text share a level
    levels: list[str] = []
    index: dict[str, int] = {}
    to_level = np.empty(len(uniq), dtype=np.intp)
    for i, u in enumerate(uniq.tolist()):
        text = _level_text(u)
        if text not in index:
            index[text] = len(levels)
            levels.append(text)
        to_level[i] = index[text]
    codes[present] = to_level[inv]
    return codes, levels


def factor_pairs(data, reference):
    """caret's view of two label vectors: ``factor(data)``, ``factor(reference)``, and only the
    pairs ``table()`` counts.

    Each vector's levels come from all its non-missing labels (R's ``factor()``); pairs with a
    missing label on either side are then dropped, as ``table()`` drops them. Integer vectors
    without missing labels are returned as they are (the port tabulates them fastest).

    Returns
    -------
    (data, reference)
        Arrays or pandas Categoricals (categories = R's level strings, in R's order) for
        :func:`python_impl.caret.confusion.confusion_matrix`.

    Raises
    ------
    ValueError
        Lengths that differ; data labels outside the reference's levels (caret counts them with
        ``table(data)``, before pairs with a missing reference are dropped).
    TypeError
        Labels that are not a 1-D array-like of labels.
    """
    d, r = r_vector(data), r_vector(reference)
    if len(d) != len(r):
        raise ValueError(f"data has {len(d)} labels and reference has {len(r)}: expected the same length")
    if d.kind == r.kind == "integer" and not d.na.any() and not r.na.any():
        return d.values.astype(np.int64), r.values.astype(np.int64)
    dc, dl = _r_factor(d)
    rc, rl = _r_factor(r)
    ref_levels = set(rl)
    counts = np.bincount(dc[dc >= 0], minlength=len(dl))
    used = {lv: int(counts[i]) for i, lv in enumerate(dl) if lv not in ref_levels and counts[i] > 0}
    if used and set(dl) & ref_levels and len(dl) <= len(rl):  # caret's earlier checks first
        raise ValueError(f"data contain levels not found in reference {rl}: "
                         + ", ".join(f"{lv!r} ({n} labels)" for lv, n in used.items()))
    keep = (dc >= 0) & (rc >= 0)
    return (pd.Categorical.from_codes(dc[keep], categories=dl),
            pd.Categorical.from_codes(rc[keep], categories=rl))


# --------------------------------------------------------------------------- files


def _decode(path: Path) -> str:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LabelFileError(
            f"{path}: not UTF-8 text at byte {exc.start} (expected a CSV, one label per line, "
            "or a .npy file)") from None
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise LabelFileError(f"{path}: line {line} holds a NUL byte, which no R string can hold "
                             "(expected text labels)")
    return text.removeprefix("\ufeff")


def _read_npy(path: Path) -> np.ndarray:
    with open(path, "rb") as fh:
        if fh.read(6) != b"\x93NUMPY":
            raise LabelFileError(f"{path}: not a readable .npy file (no NumPy header; expected an "
                                 "array saved with numpy.save)")
    try:
        arr = np.load(path, allow_pickle=False)
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise LabelFileError(
                f"{path}: an object (pickled) array, which is not loaded; expected integers, "
                "floats, booleans or strings (e.g. np.save(path, labels.astype(str)))") from None
        raise LabelFileError(f"{path}: not a readable .npy file ({exc})") from None
    except OSError as exc:
        raise LabelFileError(f"{path}: not a readable .npy file ({exc})") from None
    if not isinstance(arr, np.ndarray):
        raise LabelFileError(f"{path}: an .npz archive, expected a single .npy array")
    if arr.ndim != 1:
        raise LabelFileError(f"{path}: array of shape {arr.shape}, expected one dimension")
    if arr.size == 0:
        raise LabelFileError(f"{path}: no labels (empty array)")
    if arr.dtype.kind == "S":
        try:
            return np.array([b.decode("utf-8") for b in arr.tolist()], dtype=object)
        except UnicodeDecodeError:
            raise LabelFileError(f"{path}: byte strings that are not UTF-8") from None
    if arr.dtype.kind not in "biufU":
        raise LabelFileError(f"{path}: labels of dtype {arr.dtype}; expected integers, floats, "
                             "booleans or strings")
    v = r_vector(arr)  # integers beyond R's integer become doubles or strings, as R receives them
    if v.kind == "double" and arr.dtype.kind in "iu":
        return v.values
    if v.kind == "character":
        return v.values
    return arr


def _read_csv(path: Path, text: str, column: str | None):
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = [row for row in reader if row]  # read.csv skips blank lines
    except csv.Error as exc:
        raise LabelFileError(f"{path}: line {reader.line_num}: not valid CSV ({exc})") from None
    if len(rows) < 2:
        raise LabelFileError(f"{path}: expected a header line and at least one label")
    header = rows[0]
    if column is None:
        col = 0
    elif column in header:
        col = header.index(column)
    else:
        raise LabelFileError(f"{path}: no column {column!r}; columns are {header}")
    try:
        values = [r[col] for r in rows[1:]]
    except IndexError:
        reader = csv.reader(io.StringIO(text, newline=""))  # again, for the line number
        line, fields = next((reader.line_num, len(r)) for r in reader if r and len(r) <= col)
        raise LabelFileError(f"{path}: line {line} has {fields} field(s), no value in "
                             f"column {header[col]!r} (column {col + 1})") from None
    if header[col] in values:  # read.csv takes the first line as the header, whatever it holds
        n = values.count(header[col])
        warnings.warn(LabelFileWarning(
            f"{path}: the header {header[col]!r} of column {col + 1} is also one of its labels "
            f"({n} time{'s' if n > 1 else ''}): if the file has no header line, its first label "
            f"was taken as the header and is not counted; add a header line (e.g. \"label\")"),
            stacklevel=3)
    return type_convert(values)


def _read_lines(path: Path, text: str):
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line.removesuffix("\r") for line in lines]
    if not lines:
        raise LabelFileError(f"{path}: empty file (expected one label per line)")
    for i, line in enumerate(lines):
        if line.strip(_WS) == "":
            raise LabelFileError(f"{path}: line {i + 1} is empty (expected one label per line; "
                                 "write NA for a missing label)")
    return type_convert(lines)


def read_labels(path: Path, *, column: str | None = None):
    """Read one label vector as R would (see the module docstring for the rules).

    Parameters
    ----------
    path : Path
        ``.npy`` (a 1-D array), ``.csv`` (a header line, then one row per label) or any other
        name (one label per line).
    column : str, optional
        The CSV column (default: the first).

    Returns
    -------
    numpy.ndarray or pandas extension array
        See :func:`type_convert`; with missing labels, pass both vectors through
        :func:`factor_pairs` before the port, and as they are to R.

    Raises
    ------
    LabelFileError
        Missing or unreadable file, bad encoding, NUL bytes, no labels, an unknown column, a
        short CSV line, an empty line in a one-per-line file, a .npy of the wrong shape or
        dtype. The message names the file and, where there is one, the line.
    """
    path = Path(path)
    check_readable_file(path, "a label file (.csv, .txt or .npy)")
    if path.suffix == ".npy":
        return _read_npy(path)
    text = _decode(path)
    if path.suffix == ".csv":
        return _read_csv(path, text, column)
    return _read_lines(path, text)


def read_csv_rows(path: Path, option: str, expected: str) -> list[tuple[int, list[str]]]:
    """The non-blank rows of a UTF-8 CSV file with their line numbers (as ``read.csv`` skips
    blank lines; a leading byte-order mark dropped). Every fault is a LabelFileError starting
    with ``option`` and the path and saying what was ``expected``: not a readable file, not
    UTF-8, not valid CSV (with its line)."""
    try:
        check_readable_file(path, expected)
    except LabelFileError as exc:
        raise LabelFileError(f"{option} {exc}") from None
    try:
        text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise LabelFileError(f"{option} {path}: not UTF-8 text at byte {exc.start} (expected "
                             f"{expected})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return [(reader.line_num, row) for row in reader if row]
    except csv.Error as exc:
        raise LabelFileError(f"{option} {path}: line {reader.line_num}: not valid CSV ({exc})") from None


def check_readable_file(path: Path, expected: str) -> None:
    """LabelFileError unless ``path`` is an existing regular file: a directory, or a name
    that does not exist, is named as such."""
    if path.is_dir():
        raise LabelFileError(f"{path}: is a directory; expected {expected}")
    if not path.exists():
        raise LabelFileError(f"{path}: no such file; expected {expected}")
    if not path.is_file():
        raise LabelFileError(f"{path}: not a regular file; expected {expected}")


def _distinct(labels) -> int:
    v = r_vector(labels)
    present = v.values[~v.na]
    return len(pd.unique(present)) if v.kind == "character" else len(np.unique(present))


def check_level_count(named: dict[str, object], *, limit: int = MAX_LEVELS) -> None:
    """LabelFileError when a label vector has more than ``limit`` distinct labels, before any
    confusion table (``k x k`` counts) is allocated.

    Parameters
    ----------
    named : dict
        What to name in the message (``"--pred pred.csv"``) -> the labels read.
    limit : int, default MAX_LEVELS

    Examples
    --------
    >>> try:
    ...     check_level_count({"--pred p.csv": np.arange(5)}, limit=4)
    ... except LabelFileError as exc:
    ...     print(str(exc)[:61])
    --pred p.csv: 5 distinct labels; a confusion table of 5 x 5 =
    """
    for name, labels in named.items():
        k = _distinct(labels)
        if k > limit:
            cells = f"{k * k:,}" if k * k < 10**9 else f"{k * k:.2g}"
            raise LabelFileError(
                f"{name}: {k:,} distinct labels; a confusion table of {k:,} x {k:,} = {cells} "
                f"counts is more than this command builds (at most {limit:,} levels): is it an id "
                "column? Choose the label column with --pred-column/--ref-column")


def parse_prevalence(text: str | None):
    """``0.3`` -> 0.3; ``a=0.2,b=0.8`` -> {"a": 0.2, "b": 0.8}; None -> None.

    Raises
    ------
    LabelFileError
        Not a number, not ``LABEL=P`` pairs, or a label given twice (naming it).

    Examples
    --------
    >>> parse_prevalence("a=0.2, b=0.8")
    {'a': 0.2, 'b': 0.8}
    >>> try:
    ...     parse_prevalence("a=0.2,a=0.8")
    ... except LabelFileError as exc:
    ...     print(str(exc)[:57])
    --prevalence 'a=0.2,a=0.8': label 'a' is given twice (0.2
    """
    if text is None:
        return None
    expected = "expected a probability or LABEL=P,LABEL=P,..."
    if "=" not in text:
        try:
            return float(text)
        except ValueError:
            raise LabelFileError(f"--prevalence {text!r}: {expected}") from None
    out: dict[str, float] = {}
    for item in text.split(","):
        label, sep, value = item.partition("=")
        label = label.strip()
        try:
            p = float(value)
        except ValueError:
            p = None
        if not sep or not label or p is None:
            raise LabelFileError(f"--prevalence {text!r}: {item.strip()!r} is not LABEL=P; {expected}")
        if label in out:
            raise LabelFileError(f"--prevalence {text!r}: label {label!r} is given twice "
                                 f"({out[label]:g} and {p:g}); expected each label once")
        out[label] = p
    return out
