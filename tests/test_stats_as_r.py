"""``parity stats`` reads labels as R reads them, sends them to R unchanged and prints as R
prints (issue 14). Every comparison here is with live R (rpy2): R reads the same files itself
(``read.csv``, or ``readLines`` + ``type.convert``) and caret prints its report."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from parity.rules import labels_io
from python_impl.caret.confusion import confusion_matrix

pytestmark = pytest.mark.r

_R_FROM_FILES = r"""
function(pred, ref, csv) {
  rd <- function(f) if (csv) read.csv(f, stringsAsFactors = FALSE, encoding = "UTF-8")[[1]] else
    type.convert(readLines(f, encoding = "UTF-8"), as.is = TRUE, na.strings = "NA")
  d <- rd(pred); r <- rd(ref)
  cm <- suppressWarnings(confusionMatrix(factor(d), factor(r)))
  list(text = paste(capture.output(print(cm)), collapse = "\n"), levels = levels(factor(r)),
       type = typeof(r))
}
"""


def _r_lines(text: str) -> list[str]:
    return [s.rstrip() for s in text.split("\n")]


def _port(pred_path, ref_path):
    pred, ref = labels_io.read_labels(pred_path), labels_io.read_labels(ref_path)
    return pred, ref, confusion_matrix(*labels_io.factor_pairs(pred, ref))


def _r_from_files(r_caret, pred_path, ref_path):
    ro = r_caret.r_env()
    res = dict(ro.r(_R_FROM_FILES)(str(pred_path), str(ref_path), pred_path.suffix == ".csv").items())
    return str(res["text"][0]), [str(x) for x in res["levels"]], str(res["type"][0])


def _write(path, labels, header=True):
    """A CSV of two columns (labels first, so an empty label is an empty field, not a blank
    line, which read.csv skips), or one label per line."""
    text = "label,other\n" + "".join(f"{v},x\n" for v in labels) if header else "\n".join(labels) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def _assert_same_as_r(r_caret, tmp_path, pred, ref, suffix=".csv", levels=None):
    """The port (read_labels -> factor_pairs -> confusion_matrix) prints exactly what caret
    prints when R reads the same files, and rbridge (which gets the labels as read) agrees."""
    p = _write(tmp_path / f"pred{suffix}", pred, suffix == ".csv")
    r = _write(tmp_path / f"ref{suffix}", ref, suffix == ".csv")
    pv, rv, cm = _port(p, r)
    r_text, r_levels, _ = _r_from_files(r_caret, p, r)
    assert cm.levels == r_levels
    if levels is not None:
        assert r_levels == levels
    assert str(cm).split("\n") == _r_lines(r_text)
    bridged = r_caret.caret_from_labels(pv, rv)  # what `parity stats --r` compares with
    assert _r_lines(bridged.text) == _r_lines(r_text)
    return cm


# ----------------------------------------------------------------------------- 1. big integers


def test_integers_beyond_r_integer_are_doubles_with_r_level_text(r_caret, tmp_path):
    labels = ["2147483648", "3000000000", "1000000000000000", "5", "2147483647", "100000"]
    cm = _assert_same_as_r(r_caret, tmp_path, labels[1:] + labels[:1], labels,
                           levels=["5", "1e+05", "2147483647", "2147483648", "3e+09", "1e+15"])
    assert cm.overall["Accuracy"] == 0


def test_npy_int64_beyond_r_integer(r_caret, tmp_path):
    # within 2**53: doubles, printed as R prints doubles; beyond: decimal strings, kept apart
    for ref, expected in ((np.array([2**31, 3 * 10**9, 10**15, 5, -(2**31)], dtype=np.int64),
                           ["-2147483648", "5", "2147483648", "3e+09", "1e+15"]),
                          (np.array([2**53 + 1, 2**53 + 3, 7], dtype=np.int64),
                           ["7", "9007199254740993", "9007199254740995"])):
        pred = ref[::-1].copy()
        np.save(tmp_path / "p.npy", pred)
        np.save(tmp_path / "r.npy", ref)
        p, r = labels_io.read_labels(tmp_path / "p.npy"), labels_io.read_labels(tmp_path / "r.npy")
        cm = confusion_matrix(*labels_io.factor_pairs(p, r))
        bridged = r_caret.caret_from_labels(p, r)
        assert cm.levels == bridged.levels == expected
        assert str(cm).split("\n") == _r_lines(bridged.text)
        # the raw int64 arrays straight into rbridge: the same R vectors (no int32 wrap-around)
        assert r_caret.caret_from_labels(pred, ref).levels == expected


# ----------------------------------------------------------------------------- 2. R errors


def test_r_errors_become_rerror_with_rs_message(r_caret):
    with pytest.raises(r_caret.RError, match="cannot have more levels than the reference") as info:
        r_caret.caret_from_labels(np.array(["a", "b", "c"]), np.array(["a", "b", "b"]))
    assert isinstance(info.value, r_caret.RUnavailable)  # what `parity stats` turns into exit 2
    assert "more levels" in info.value.r_message


# ----------------------------------------------------------------------------- 3.-4. printing


@pytest.mark.parametrize("labels", [
    ["日本", "e\u0301x", "\u00e9", "😀", "a", "☕", "\uff21", "\u00ad", "\u200b"],
    ["a\nb", "c\td", 'q"x', "b\\s", "z\x01y", "\x7f", "x\u0085y", "\u0378", "\U00010fff"],
], ids=["wide-and-combining", "escapes"])
def test_printed_like_r_unicode_and_escapes(r_caret, labels):
    ref = np.array(labels * 2, dtype=object)
    pred = np.array(labels + labels[::-1], dtype=object)
    r = r_caret.caret_from_labels(pred, ref)
    assert str(confusion_matrix(pred, ref)).split("\n") == _r_lines(r.text)


def test_two_classes_positive_label_escaped(r_caret):
    ref = np.array(["a\nb", "日本", "a\nb", "日本"], dtype=object)
    pred = np.array(["a\nb", "日本", "日本", "日本"], dtype=object)
    r = r_caret.caret_from_labels(pred, ref)
    text = str(confusion_matrix(pred, ref))
    assert text.split("\n") == _r_lines(r.text)
    assert "'Positive' Class : a\\nb" in text


# ----------------------------------------------------------------------------- 5. max.print


def test_max_print_400_classes(r_caret):
    k = 400  # 160,000 table entries > max.print (99,999): R prints 249 rows, then its message
    ref = np.repeat(np.arange(k), 2)
    pred = ref.copy()
    pred[::2] = np.random.default_rng(1).integers(0, k, k)
    r = r_caret.caret_from_labels(pred, ref)
    text = str(confusion_matrix(pred, ref))
    assert ' [ reached getOption("max.print") -- omitted 151 rows ]' in text.split("\n")
    assert text.split("\n") == _r_lines(r.text)


# ----------------------------------------------------------------------------- 6. type.convert


@pytest.mark.parametrize("values", [
    ["10", "1_0"], ["+5", "07", " 7"], ["7 ", "8"], ["0x1A", "8"], ["\u0663", "8"], ["1e3", "8"],
    ["2147483647", "-2147483647"], ["-2147483648", "1"], ["Inf", "-inf", "Infinity", "NaN"],
    ["T", "F", "TRUE"], ["TRUE", "false"], ["1", "TRUE"], ["0x1.8p1", "0x1.8", "0x.8p1"],
    ["1d5", "2"], ["12345678901234567890", "1"], [".5", "-.5e-3", "1e", "1e+"], [" NA", "1"],
    ["0.1", "0.30000000000000004", "0.3", "1e5"], ["NA", "1", ""], ["", "a", "NA"],
])
def test_type_convert_as_r(r_caret, values):
    from rpy2.robjects import StrVector

    ro = r_caret.r_env()
    rv = ro.r["type.convert"](StrVector(values), **{"as.is": True, "na.strings": "NA"})
    r_levels = [str(x) for x in ro.r("function(x) levels(factor(x))")(rv)]
    r_na = [bool(x) for x in ro.r("function(x) is.na(x) & !is.nan(x)")(rv)]
    r_type = ro.r["typeof"](rv)[0]
    v = labels_io.r_vector(labels_io.type_convert(values))
    assert labels_io._r_factor(v)[1] == r_levels
    assert v.na.tolist() == r_na
    assert v.kind == {"logical": "character"}.get(r_type, r_type)


def test_numerals_r_keeps_apart(r_caret, tmp_path):
    _assert_same_as_r(r_caret, tmp_path, ["10", "1_0", "10", "+5"], ["1_0", "10", "10", "+5"],
                      levels=["+5", "10", "1_0"])
    # without "1_0" the column is integer: "+5" is 5 and "010" is 10
    _assert_same_as_r(r_caret, tmp_path, ["010", "+5", "10"], ["10", "5", "5"], levels=["5", "10"])


def test_one_label_per_line_uses_the_same_rules(r_caret, tmp_path):
    _assert_same_as_r(r_caret, tmp_path, ["1", "07", "a,b", "07"], ["1", "a,b", "a,b", "07"],
                      suffix=".txt", levels=["07", "1", "a,b"])


# ----------------------------------------------------------------------------- 7. NA


def test_na_labels_as_caret(r_caret, tmp_path):
    # NA and empty numeric fields are R's NA; their pairs are dropped by table(), but the other
    # side's value still makes its level (3 is a reference level only through an NA pair)
    cm = _assert_same_as_r(r_caret, tmp_path, ["1", "2", "NA", "2", "1", "", "3"],
                           ["1", "NA", "3", "2", "1", "2", "3"], levels=["1", "2", "3"])
    assert int(cm.table.to_numpy().sum()) == 4


def test_na_in_character_column(r_caret, tmp_path):
    # (an empty field in a character column is the label "", as in R; caret itself then fails
    # with "subscript out of bounds", so it is not compared here)
    _assert_same_as_r(r_caret, tmp_path, ["a", "NA", "c", "b", "a"], ["a", "b", "c", "b", "NA"],
                      levels=["a", "b", "c"])


def test_na_partner_of_a_foreign_level_is_caret_error(r_caret, tmp_path):
    p = _write(tmp_path / "p.csv", ["1", "2", "4", "1"])
    r = _write(tmp_path / "r.csv", ["1", "2", "NA", "3"])
    pv, rv = labels_io.read_labels(p), labels_io.read_labels(r)
    with pytest.raises(ValueError, match="levels not found in reference"):
        labels_io.factor_pairs(pv, rv)
    with pytest.raises(r_caret.RError, match="levels not found"):
        r_caret.caret_from_labels(pv, rv)


def test_cli_stats_r_with_na_labels(r_caret, tmp_path, capsys):
    from parity.presentation import cli

    if "factor_pairs" not in inspect.getsource(cli._cmd_stats):
        pytest.skip("parity/cli.py does not pass labels through labels_io.factor_pairs yet")
    p = _write(tmp_path / "p.csv", ["1", "2", "NA", "2", "1", "", "3"])
    r = _write(tmp_path / "r.csv", ["1", "NA", "3", "2", "1", "2", "3"])
    code = cli.main(["stats", "--pred", str(p), "--ref", str(r), "--r"])
    out = capsys.readouterr().out
    assert code == 0 and "FAIL" not in out, out  # every statistic and the printed text agree
