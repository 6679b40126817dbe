"""R's printing rules, ported so that Python output matches R's text line by line.

Only what caret's ``print.confusionMatrix`` and the tutorial's ``predictions[1:50]`` need:

- :func:`format_real` is R's ``formatReal``/``encodeReal`` (``format(x, digits=)``, the
  per-column formatting of ``print(matrix, digits=)``, ``as.character(double)`` with 15 digits):
  the choice between fixed and scientific notation, the common number of decimals, NA/NaN/Inf.
- :func:`format_pval` is R's ``format.pval``.
- :func:`print_matrix` is R's ``printMatrix``: row/column labels, the dimnames' names of a
  ``table``, left/right justification, and the wrapping of columns into blocks at
  ``width = 80``.
- :func:`print_vector` is R's vector print with ``[index]`` labels;
  :func:`print_named_vector` R's print of a named double vector (``postResample``'s result).
- :func:`encode_string` is R's ``EncodeString`` without quotes (how ``print`` shows a label
  holding a newline, a backslash or a control character) and :func:`display_width` is the
  width R pads by (East Asian wide characters count 2, combining marks 0), so labels such as
  ``"日本"`` or ``"a\\nb"`` line up as they do in R.

Constants are R's defaults: ``options(digits = 7, width = 80, scipen = 0, max.print = 99999)``,
``print.gap = 1``; a UTF-8 locale (R's in these containers: ``C.UTF-8``).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence

import numpy as np

from parity import rnum

__all__ = [
    "R_WIDTH",
    "format_real",
    "as_character",
    "r_round",
    "format_pval",
    "format_int",
    "print_matrix",
    "print_vector",
    "print_named_vector",
    "encode_string",
    "display_width",
    "R_MAX_PRINT",
]

R_WIDTH = 80
#: ``getOption("max.print")``: a matrix prints at most this many entries (whole rows).
R_MAX_PRINT = 99999
_GAP = 1
_DBL_EPS = 2.220446049250313e-16
_KP_MAX = 27  # R uses an exact long-double table of 10^0 .. 10^27 for scaling
_TBL = [np.longdouble(10) ** k for k in range(_KP_MAX + 1)]


def _scientific(x: float, digits: int) -> tuple[int, int, int, bool]:
    """R's ``scientific()``: (neg, kpower, nsig, roundingwidens) of x at ``digits``."""
    if x == 0.0:
        return 0, 0, 1, False
    neg = 1 if x < 0 else 0
    r = -x if neg else x
    if digits > 15:  # R formats through sprintf("%#.*e") beyond DBL_DIG
        s = f"{r:#.{digits - 1}e}"
        mant, exp = s.split("e")
        mant_digits = mant.replace(".", "")
        nsig = len(mant_digits.rstrip("0")) or 1
        return neg, int(exp), nsig, False
    kp = math.floor(math.log10(r)) - digits + 1
    r_prec = np.longdouble(r)
    if abs(kp) < 10:
        if kp > 0:
            r_prec /= _TBL[kp]
        elif kp < 0:
            r_prec *= _TBL[-kp]
    elif kp <= -308:
        r_prec = (np.longdouble(r) * np.longdouble(1e303)) / np.longdouble(10) ** (kp + 303)
    else:
        r_prec /= np.longdouble(10) ** kp
    if r_prec < _TBL[digits - 1]:
        r_prec *= 10
        kp -= 1
    alpha = float(np.rint(r_prec))  # nearbyintl: half to even
    nsig = digits
    for _ in range(digits):
        alpha /= 10.0
        if alpha == math.floor(alpha):
            nsig -= 1
        else:
            break
    if nsig == 0 and digits > 0:
        nsig = 1
        kp += 1
    kpower = kp + digits - 1
    rgt = min(max(digits - kpower, 0), _KP_MAX)
    fuzz = 0.5 / float(_TBL[rgt])
    widens = 0 < kpower <= _KP_MAX and r < float(_TBL[kpower]) - fuzz
    return neg, kpower, nsig, widens


def _format_real_spec(values: Sequence[float], digits: int, nsmall: int = 0):
    """R's ``formatReal``: common (width, decimals, exponent flag) for a vector."""
    rgt = mxl = mxsl = mxns = -(10**9)
    mnl = 10**9
    neg = 0
    any_finite = na = nan = posinf = neginf = False
    for x in values:
        if x is None:
            na = True
        elif math.isnan(x):
            nan = True
        elif math.isinf(x):
            posinf, neginf = posinf or x > 0, neginf or x < 0
        else:
            any_finite = True
            neg_i, kpower, nsig, widens = _scientific(float(x), digits)
            left = kpower + 1 - (1 if widens else 0)
            sleft = neg_i + (1 if left <= 0 else left)
            right = nsig - left
            neg = neg or neg_i
            rgt, mxl, mnl = max(rgt, right), max(mxl, left), min(mnl, left)
            mxsl, mxns = max(mxsl, sleft), max(mxns, nsig)
    w = d = e = 0
    if any_finite:
        if mxl < 0:
            mxsl = 1 + neg
        rgt = max(rgt, 0)
        w_fixed = mxsl + rgt + (rgt != 0)
        e = 2 if (mxl > 100 or mnl <= -99) else 1
        d = mxns - 1
        w = neg + (d > 0) + d + 4 + e
        if w_fixed <= w:  # scipen = 0: fixed notation whenever it is not wider
            e = 0
            if nsmall > rgt:
                rgt = nsmall
                w_fixed = mxsl + rgt + (rgt != 0)
            d, w = rgt, w_fixed
    if na:
        w = max(w, 2)
    if nan or posinf:
        w = max(w, 3)
    if neginf:
        w = max(w, 4)
    return w, d, e


def _encode_real(x, w: int, d: int, e: int) -> str:
    if x is None:
        s = "NA"
    elif math.isnan(x):
        s = "NaN"
    elif math.isinf(x):
        s = "Inf" if x > 0 else "-Inf"
    elif e:
        x = x + 0.0  # R never prints a negative zero
        s = f"{x:#.{d}e}" if d else f"{x:.0e}"
    else:
        s = f"{x + 0.0:.{d}f}"
    return s.rjust(w)


def _na_to_none(values) -> list:
    """R's NA is None here; NaN stays NaN (R prints NA and NaN differently)."""
    return [None if v is None else float(v) for v in values]


def format_real(values: Sequence[float | None], digits: int = 7) -> list[str]:
    """R's ``format(x, digits = digits)`` for a double vector: common width, right-justified.

    ``None`` stands for R's ``NA`` (printed "NA"); ``float('nan')`` for ``NaN``.

    Examples
    --------
    >>> format_real([0.845, 0.97856, None], digits=4)
    ['0.8450', '0.9786', '    NA']
    >>> format_real([100000.0])
    ['1e+05']
    """
    vals = _na_to_none(values)
    w, d, e = _format_real_spec(vals, digits)
    return [_encode_real(x, w, d, e) for x in vals]


def r_round(x: float, digits: int) -> float:
    """R's ``round(x, digits)`` (R >= 4.0.0) of one number: :func:`parity.rnum.round`. Of the
    two candidates ``floor(x * 10^d) / 10^d`` and ``ceil(x * 10^d) / 10^d``, the one closer to x
    in double arithmetic; on a tie the one with an even last digit. Python's ``round`` decides on
    the exact binary value instead, which differs near ties.

    Examples
    --------
    >>> r_round(0.15, 1), r_round(2.5, 0), r_round(-0.8906, 2)
    (0.1, 2.0, -0.89)
    """
    return float(rnum.round(float(x), digits))


def as_character(x: float | None) -> str:
    """R's ``as.character()`` of one double: 15 significant digits, shortest notation.

    Examples
    --------
    >>> as_character(0.8906), as_character(0.0001), as_character(None)
    ('0.8906', '1e-04', 'NA')
    """
    return format_real([x], digits=15)[0].strip()


def format_pval(pvalues: Sequence[float | None], digits: int) -> list[str]:
    """R's ``format.pval(pv, digits = digits)`` with ``eps = .Machine$double.eps``.

    Values are formatted jointly, as R does: p-values below eps print as "< 2.2e-16",
    NA and NaN as "NA".

    Examples
    --------
    >>> format_pval([1e-300, None], digits=4)
    ['< 2.2e-16', 'NA']
    """
    present = {i: float(v) for i, v in enumerate(pvalues) if v is not None and not math.isnan(v)}
    out = ["NA"] * len(pvalues)
    idx = list(present)
    vals = present
    is0 = {i for i in idx if vals[i] < _DBL_EPS}
    rest = [i for i in idx if i not in is0]
    rr: dict[int, str] = {}
    if rest:
        expo = {i: math.floor(math.log10(vals[i] if vals[i] > 0 else 1e-50)) for i in rest}
        fixp = [i for i in rest if expo[i] >= -3 or (expo[i] == -4 and digits > 1)]
        sci = [i for i in rest if i not in fixp]
        for group in (fixp, sci):
            if group:
                for i, s in zip(group, format_real([vals[i] for i in group], digits), strict=True):
                    rr[i] = s
        out_rest = rr
        for i in rest:
            out[i] = out_rest[i]
    if is0:
        d = max(1, digits - 2)
        if rest:
            nc = max(len(s) for s in rr.values())
            if d > 1 and d + 6 > nc:
                d = max(1, nc - 7)
            sep = "" if (d == 1 and nc <= 6) else " "
        else:
            sep = "" if d == 1 else " "
        text = "<" + sep + format_real([_DBL_EPS], d)[0]
        for i in is0:
            out[i] = text
    return out


def format_int(values: Sequence[int | None]) -> list[str]:
    """R's ``formatInteger``: decimal, common width, NA as "NA"."""
    strs = ["NA" if v is None else str(int(v)) for v in values]
    w = max((len(s) for s in strs), default=0)
    return [s.rjust(w) for s in strs]


# ASCII control characters R's EncodeString writes as C escapes; the others become \\ooo (octal).
_C_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
              "\t": "\\t", "\v": "\\v", "\0": "\\0"}


def _encode_char(ch: str) -> str:
    code = ord(ch)
    if ch == "\\":
        return "\\\\"
    if code < 0x80:
        if 0x20 <= code < 0x7F:
            return ch
        return _C_ESCAPES.get(ch, f"\\{code:03o}")
    if unicodedata.category(ch) in ("Cc", "Cn", "Cs"):  # not printable (iswprint false)
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{{{code:06x}}}"
    return ch


def encode_string(s: str) -> str:
    """R's ``EncodeString(s, quote = 0)`` in a UTF-8 locale: what ``print(x, quote = FALSE)``
    and the dimnames of a printed matrix show.

    A backslash is doubled; ASCII control characters become ``\\n``, ``\\t``, ... or ``\\ooo``
    (octal); non-printable non-ASCII characters (C1 controls, unassigned code points) become
    ``\\uXXXX`` or ``\\U{XXXXXX}``; double quotes and printable characters stay as they are.

    Examples
    --------
    >>> print(encode_string('a\\nb'), encode_string('c\\\\d'), encode_string('z\\x01"'))
    a\\nb c\\\\d z\\001"
    """
    if s.isascii() and s.isprintable() and "\\" not in s:
        return s
    return "".join(_encode_char(ch) for ch in s)


def _char_width(ch: str) -> int:
    code = ord(ch)
    if code == 0xAD:  # soft hyphen: Cf, but R's table gives it width 1
        return 1
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf") \
            or 0x1160 <= code <= 0x11FF:  # Hangul medial vowels and final consonants
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(s: str) -> int:
    """The width R pads a printed string by (``Rstrwid``: R's ``wcwidth`` per character).

    East Asian wide and fullwidth characters (emoji included) count 2; combining marks and
    format characters 0 (the soft hyphen 1); everything else 1. ``s`` is text as printed,
    i.e. after :func:`encode_string`. Python's Unicode tables stand in for R's own
    (``rlocale_widths.h``); they agree on the characters the tests check against live R.

    Examples
    --------
    >>> display_width("日本"), display_width("e\\u0301"), display_width("a")
    (4, 1, 1)
    """
    if s.isascii():
        return len(s)
    return sum(_char_width(ch) for ch in s)


def _rjust(s: str, w: int) -> str:
    return " " * (w - display_width(s)) + s


def _ljust(s: str, w: int) -> str:
    return s + " " * (w - display_width(s))


def print_matrix(columns: Sequence[Sequence[str]], *, row_labels: Sequence[str],
                 col_labels: Sequence[str], right: bool = True,
                 row_title: str | None = None, col_title: str | None = None,
                 width: int = R_WIDTH, max_print: int = R_MAX_PRINT) -> list[str]:
    """R's ``printMatrix`` for already formatted cells, one list of strings per column.

    ``right`` justifies cells and column labels right (numbers) or left (``print(x,
    quote = FALSE)`` of a character matrix). ``row_title``/``col_title`` are the names of
    the dimnames, as a ``table`` has ("Prediction", "Reference"). Columns wrap into blocks
    whose lines stay narrower than ``width``. Labels and cells are shown as R shows them
    (:func:`encode_string`) and padded by display width (:func:`display_width`). When the
    matrix has more than ``max_print`` entries, only ``max_print // ncol`` rows are printed
    (in every block), followed by R's ``[ reached getOption("max.print") -- omitted N rows ]``;
    label widths still count every row, as in R. Returns the printed lines.
    """
    columns = [[encode_string(s) for s in col] for col in columns]
    row_labels = [encode_string(s) for s in row_labels]
    col_labels = [encode_string(s) for s in col_labels]
    row_title = None if row_title is None else encode_string(row_title)
    col_title = None if col_title is None else encode_string(col_title)
    ncol = len(columns)
    nrow = len(row_labels)
    nrow_shown = nrow if ncol == 0 or max_print // ncol >= nrow else max_print // ncol
    rlabw = max((display_width(s) for s in row_labels), default=0)
    lbloff = 0
    if row_title is not None:
        rnw = display_width(row_title)
        lbloff = 2 if rnw < rlabw + 2 else rnw - rlabw
        rlabw += lbloff
    col_w = [
        max([display_width(col_labels[j])] + [display_width(s) for s in columns[j][:nrow_shown]]) + _GAP
        for j in range(ncol)
    ]

    def cell(s: str, w: int) -> str:
        return _rjust(s, w) if right else " " * _GAP + _ljust(s, w - _GAP)

    lines: list[str] = []
    jmin = 0
    while jmin < ncol or (ncol == 0 and jmin == 0):
        jmax = jmin
        used = rlabw
        if ncol:
            while True:
                used += col_w[jmax]
                jmax += 1
                if not (jmax < ncol and used + col_w[jmax] < width):
                    break
        if col_title is not None:
            lines.append(" " * rlabw + col_title)
        head = _ljust(row_title or "", rlabw)
        head += "".join(cell(col_labels[j], col_w[j]) for j in range(jmin, jmax))
        lines.append(head)
        for i in range(nrow_shown):
            line = " " * lbloff + _ljust(row_labels[i], rlabw - lbloff)
            line += "".join(cell(columns[j][i], col_w[j]) for j in range(jmin, jmax))
            lines.append(line)
        if ncol == 0:
            break
        jmin = jmax
    if nrow_shown < nrow:
        omitted = nrow - nrow_shown
        lines.append(f' [ reached getOption("max.print") -- omitted {omitted} '
                     f'{"row" if omitted == 1 else "rows"} ]')
    return lines


def print_vector(values: Sequence[int], *, width: int = R_WIDTH) -> list[str]:
    """R's print of an integer vector, with ``[index]`` labels, e.g. ``predictions[1:50]``.

    Examples
    --------
    >>> print_vector([9, 2, 1])
    ['[1] 9 2 1']
    """
    cells = format_int(list(values))
    n = len(cells)
    if n == 0:
        return ["integer(0)"]
    labw = len(str(n)) + 2
    w = len(cells[0]) + _GAP
    lines: list[str] = []
    line = "[1]".rjust(labw)
    used = labw
    for i, s in enumerate(cells):
        if i > 0 and used + w > width:
            lines.append(line)
            line = f"[{i + 1}]".rjust(labw)
            used = labw
        line += " " * _GAP + s
        used += w
    lines.append(line)
    return lines


def print_named_vector(values: Sequence[float | None], names: Sequence[str], *, digits: int = 7,
                       width: int = R_WIDTH) -> list[str]:
    """R's print of a named double vector (``printNamedVector``), e.g. ``postResample``'s.

    Every entry takes one common width (the widest formatted value or name) and is followed by
    ``print.gap`` spaces; as many entries as fit in ``width`` share a line of names and a line
    of values. ``None`` is R's NA, ``float('nan')`` NaN.

    Examples
    --------
    >>> print_named_vector([0.4082483, None], ["RMSE", "Rsquared"])
    ['     RMSE  Rsquared ', '0.4082483        NA ']
    """
    if len(values) != len(names):
        raise ValueError(f"{len(values)} values and {len(names)} names: expected one name per value")
    if not len(values):
        return ["named numeric(0)"]
    cells = [s.strip() for s in format_real(values, digits)]
    shown = [encode_string(n) for n in names]
    w = max([display_width(c) for c in cells] + [display_width(n) for n in shown])
    per_line = max(width // (w + _GAP), 1)
    lines: list[str] = []
    for start in range(0, len(cells), per_line):
        stop = start + per_line
        lines.append("".join(_rjust(n, w) + " " * _GAP for n in shown[start:stop]))
        lines.append("".join(_rjust(c, w) + " " * _GAP for c in cells[start:stop]))
    return lines
