"""``parity stats`` formats: --table (R's write.csv of cm$table), --json (strict JSON, NA and
NaN as strings or null), --tidy (broom's tidy() rows as CSV)."""

from __future__ import annotations

import csv
import json
import math
import shutil
import subprocess

import numpy as np
import pytest
from conftest import TUTORIAL_TABLE, unavailable

from parity.cli import main
from python_impl.caret import BY_CLASS_NAMES, confusion_matrix_from_table, is_na

# R 4.2.2: write.csv(as.matrix(confusionMatrix(p, r)$table)) for p, r over levels a, b, c
R_TABLE_CSV = '"","a","b","c"\n"a",2,1,0\n"b",1,1,0\n"c",0,0,1\n'
LEVELS = ["a", "b", "c"]
COUNTS = [[2, 1, 0], [1, 1, 0], [0, 0, 1]]


def _strict(text: str):
    """json.loads that refuses NaN/Infinity (not JSON)."""
    def refuse(name):
        raise ValueError(f"non-standard JSON constant {name}")
    return json.loads(text, parse_constant=refuse)


@pytest.fixture()
def table_csv(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text(R_TABLE_CSV)
    return path


def test_table_prints_as_the_same_labels_do(table_csv, tmp_path, capsys):
    assert main(["stats", "--table", str(table_csv)]) == 0
    from_table = capsys.readouterr().out
    rows, cols = np.nonzero(np.asarray(COUNTS))
    n = np.asarray(COUNTS)[rows, cols]
    (tmp_path / "p.txt").write_text("\n".join(np.repeat(np.array(LEVELS)[rows], n)) + "\n")
    (tmp_path / "r.txt").write_text("\n".join(np.repeat(np.array(LEVELS)[cols], n)) + "\n")
    assert main(["stats", "--pred", str(tmp_path / "p.txt"), "--ref", str(tmp_path / "r.txt")]) == 0
    assert capsys.readouterr().out == from_table
    assert "Prediction a b c" in from_table and "Accuracy : 0.6667" in from_table


@pytest.mark.parametrize("content, message", [
    ('"","a"\n"a",1\n', "expected an empty first cell, then at least 2 level names"),
    ('"","a","a"\n"a",1,0\n"a",0,1\n', "header repeats level(s) ['a']"),
    ('"","a","b"\n"a",1,0\n', "1 row(s) of counts; expected 2"),
    ('"","a","b"\n"a",1,0\n"c",0,1\n', "line 3 is row 'c'; expected 'b'"),
    ('"","a","b"\n"a",1\n"b",0,1\n', "line 2 has 2 field(s); expected 3"),
    ('"","a","b"\n"a",1,-2\n"b",0,1\n', "line 2, column 'b': '-2'; expected a non-negative integer count"),
    ('"","a","b"\n"a",1,NA\n"b",0,1\n', "line 2, column 'b': 'NA'; expected a non-negative"),
    ('"","a","b"\n"a",1,0.5\n"b",0,1\n', "line 2, column 'b': '0.5'"),
    ("", "empty file"),
])
def test_bad_tables_name_the_line_and_value(tmp_path, capsys, content, message):
    path = tmp_path / "t.csv"
    path.write_text(content)
    assert main(["stats", "--table", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"--table {path}" in err and message in err


def test_table_excludes_pred_and_ref(table_csv, capsys):
    assert main(["stats", "--table", str(table_csv), "--pred", str(table_csv)]) == 2
    assert "--table and --pred/--ref are mutually exclusive" in capsys.readouterr().err
    assert main(["stats", "--pred", str(table_csv)]) == 2
    assert "expected --pred FILE and --ref FILE (label files), or --table FILE" in capsys.readouterr().err
    assert main(["stats", "--table", str(table_csv), "--json-null"]) == 2
    assert "--json-null changes the JSON output: use it with --json" in capsys.readouterr().err


def _na_nan_table(tmp_path):
    """A table whose result holds R's NA (a class never in the reference: its sensitivity) and
    NaN (McNemar on a pair with no counts)."""
    path = tmp_path / "t.csv"
    path.write_text('"","x","y","z"\n"x",3,1,0\n"y",2,4,0\n"z",1,0,0\n')
    cm = confusion_matrix_from_table(np.array([[3, 1, 0], [2, 4, 0], [1, 0, 0]]), labels=["x", "y", "z"])
    return path, cm


def test_json_is_strict_with_na_and_nan_apart(tmp_path, capsys):
    path, cm = _na_nan_table(tmp_path)
    assert main(["stats", "--table", str(path), "--json", "--mode", "everything"]) == 0
    out = _strict(capsys.readouterr().out)
    assert set(out) == {"levels", "positive", "mode", "dnn", "table", "overall", "by_class"}
    assert out["levels"] == ["x", "y", "z"] and out["positive"] is None and out["mode"] == "everything"
    assert out["table"] == [[3, 1, 0], [2, 4, 0], [1, 0, 0]] and out["dnn"] == ["Prediction", "Reference"]
    seen = set()
    for row, stats in out["by_class"].items():
        for stat, value in stats.items():
            want = cm.by_class.loc[row, stat]
            if math.isnan(want):
                assert value == ("NA" if is_na(want) else "NaN"), (row, stat)
                seen.add(value)
            else:
                assert value == float(want)
    for name, value in out["overall"].items():
        want = cm.overall[name]
        assert value == (("NA" if is_na(want) else "NaN") if math.isnan(want) else float(want))
        seen.add(value)
    assert {"NA", "NaN"} <= seen  # the example holds both
    assert main(["stats", "--table", str(path), "--json", "--json-null"]) == 0
    nulls = _strict(capsys.readouterr().out)
    for row, stats in nulls["by_class"].items():
        for stat, value in stats.items():
            assert (value is None) == bool(math.isnan(cm.by_class.loc[row, stat]))


def test_json_two_classes(tmp_path, capsys):
    path = tmp_path / "t.csv"
    path.write_text('"","yes","no"\n"yes",5,1\n"no",2,7\n')
    assert main(["stats", "--table", str(path), "--json", "--positive", "no", "--prevalence", "0.4"]) == 0
    out = _strict(capsys.readouterr().out)
    assert out["positive"] == "no" and out["by_class"]["Prevalence"] == 0.4
    assert set(out["by_class"]) == {"Sensitivity", "Specificity", "Pos Pred Value", "Neg Pred Value",
                                    "Precision", "Recall", "F1", "Prevalence", "Detection Rate",
                                    "Detection Prevalence", "Balanced Accuracy"}


def test_tidy_follows_broom(tmp_path, capsys):
    path, cm = _na_nan_table(tmp_path)
    tidy = tmp_path / "tidy.csv"
    assert main(["stats", "--table", str(path), "--tidy", str(tidy)]) == 0
    assert "Confusion Matrix and Statistics" in capsys.readouterr().out  # the print stays
    with open(tidy, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["term", "class", "estimate", "conf.low", "conf.high", "p.value"]
    body = rows[1:]
    assert len(body) == 3 + 11 * 3
    o = cm.overall
    assert body[0] == ["accuracy", "NA", repr(float(o["Accuracy"])), repr(float(o["AccuracyLower"])),
                       repr(float(o["AccuracyUpper"])), repr(float(o["AccuracyPValue"]))]
    assert body[1] == ["kappa", "NA", repr(float(o["Kappa"])), "NA", "NA", "NA"]
    assert body[2] == ["mcnemar", "NA", "NA", "NA", "NA", "NaN"]  # broom's term; McNemar NaN here
    # by class: statistic by statistic, each for every class (broom's gather), "Class: " dropped
    assert [r[:2] for r in body[3:6]] == [["sensitivity", "x"], ["sensitivity", "y"], ["sensitivity", "z"]]
    assert body[5][2] == "NA"  # z never in the reference: caret's NA sensitivity
    assert body[-1][:2] == ["balanced_accuracy", "z"]
    terms = [r[0] for r in body[3::3]]
    assert terms == ["sensitivity", "specificity", "pos_pred_value", "neg_pred_value", "precision",
                     "recall", "f1", "prevalence", "detection_rate", "detection_prevalence",
                     "balanced_accuracy"]
    stat_of = {name.lower().replace(" ", "_"): name for name in BY_CLASS_NAMES}
    for r in body[3:]:
        value = cm.by_class.loc[f"Class: {r[1]}", stat_of[r[0]]]
        expected = ("NA" if is_na(value) else "NaN") if math.isnan(value) else repr(float(value))
        assert r[2] == expected and r[3:] == ["NA", "NA", "NA"], r


def test_tidy_two_classes_names_the_positive(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('"","yes","no"\n"yes",5,1\n"no",2,7\n')
    tidy = tmp_path / "tidy.csv"
    assert main(["stats", "--table", str(path), "--tidy", str(tidy), "--json"]) == 0
    rows = list(csv.reader(open(tidy, newline="")))[1:]
    assert len(rows) == 3 + 11 and {r[1] for r in rows[3:]} == {"yes"}
    assert main(["stats", "--table", str(path), "--tidy", str(tmp_path / "no" / "t.csv")]) == 2


@pytest.mark.r
def test_table_written_by_r_reads_back(tmp_path, capsys):
    """R writes the table (quoted names with a comma and a quote); parity stats reads it."""
    if shutil.which("Rscript") is None:
        unavailable("Rscript not found; run ./setup.sh")
    path = tmp_path / "r_table.csv"
    code = ('suppressPackageStartupMessages(library(caret)); '
            'p <- factor(c("x \\"q\\"", "y,z", "y,z", "w"), levels = c("w", "x \\"q\\"", "y,z")); '
            'r <- factor(c("x \\"q\\"", "y,z", "w", "w"), levels = levels(p)); '
            f'write.csv(as.matrix(confusionMatrix(p, r)$table), "{path}")')
    proc = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=120,
                          env={"TZ": "UTC", "PATH": "/usr/bin:/bin"})
    if proc.returncode != 0:
        unavailable(f"Rscript with caret failed: {proc.stderr.strip()}")
    assert path.read_text().splitlines()[0] == '"","w","x ""q""","y,z"'
    assert main(["stats", "--table", str(path), "--json"]) == 0
    out = _strict(capsys.readouterr().out)
    assert out["levels"] == ["w", 'x "q"', "y,z"]
    assert out["table"] == [[1, 0, 0], [0, 1, 0], [1, 0, 1]]


@pytest.mark.r
def test_table_with_r_agrees_and_json_carries_the_comparison(tmp_path, capsys, r_caret):
    path = tmp_path / "seed.csv"
    names = [str(i) for i in range(10)]
    lines = ['"",' + ",".join(f'"{n}"' for n in names)]
    lines += [f'"{n}",' + ",".join(str(int(v)) for v in row) for n, row in zip(names, TUTORIAL_TABLE,
                                                                                  strict=True)]
    path.write_text("\n".join(lines) + "\n")
    assert main(["stats", "--table", str(path), "--r", "--mode", "everything"]) == 0
    assert "21/21 agree" in capsys.readouterr().out
    assert main(["stats", "--table", str(path), "--r", "--json"]) == 0
    out = _strict(capsys.readouterr().out)
    assert out["r_comparison"]["agree"] == out["r_comparison"]["compared"] == 21
    assert out["overall"]["Accuracy"] == 0.8906
