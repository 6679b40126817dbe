"""``parity stats``: label files in, caret's report out; ``--r`` compares with caret in R."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import TUTORIAL_TABLE

from parity.cli import main


@pytest.fixture()
def seed_labels(tmp_path):
    rows, cols = np.nonzero(TUTORIAL_TABLE)
    counts = TUTORIAL_TABLE[rows, cols]
    pred, ref = np.repeat(rows, counts), np.repeat(cols, counts)
    np.save(tmp_path / "pred.npy", pred)
    (tmp_path / "ref.csv").write_text("label\n" + "\n".join(map(str, ref)) + "\n")
    (tmp_path / "pred.txt").write_text("\n".join(map(str, pred)) + "\n")
    return tmp_path


def test_prints_the_seed_report(seed_labels, capsys):
    assert main(["stats", "--pred", str(seed_labels / "pred.npy"),
                 "--ref", str(seed_labels / "ref.csv")]) == 0
    out = capsys.readouterr().out
    assert "Accuracy : 0.8906" in out and "95% CI : (0.8843, 0.8967)" in out
    assert "Kappa : 0.8784" in out


def test_text_one_label_per_line_and_modes(seed_labels, capsys):
    assert main(["stats", "--pred", str(seed_labels / "pred.txt"), "--ref",
                 str(seed_labels / "ref.csv"), "--mode", "prec_recall"]) == 0
    out = capsys.readouterr().out
    assert "F1" in out and "Sensitivity" not in out


@pytest.mark.r
def test_r_comparison_agrees(seed_labels, capsys, r_caret):
    code = main(["stats", "--pred", str(seed_labels / "pred.npy"), "--ref",
                 str(seed_labels / "ref.csv"), "--r", "--mode", "everything"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "21/21 agree" in out  # levels, table, 7 overall, 11 by class (each over 10 classes), text


@pytest.mark.r
def test_r_comparison_fails_on_a_wrong_statistic(seed_labels, capsys, r_caret, monkeypatch):
    from python_impl.caret import confusion

    monkeypatch.setattr(confusion, "kappa", lambda correct, n, ni, nj: 0.5)
    code = main(["stats", "--pred", str(seed_labels / "pred.npy"), "--ref",
                 str(seed_labels / "ref.csv"), "--r"])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL overall.Kappa" in out


def test_two_class_positive_and_prevalence(tmp_path, capsys):
    (tmp_path / "p.txt").write_text("yes\nno\nyes\nyes\nno\n")
    (tmp_path / "r.txt").write_text("yes\nno\nno\nyes\nno\n")
    assert main(["stats", "--pred", str(tmp_path / "p.txt"), "--ref", str(tmp_path / "r.txt"),
                 "--positive", "yes", "--prevalence", "0.3"]) == 0
    out = capsys.readouterr().out
    assert "'Positive' Class : yes" in out and "Prevalence : 0.3000" in out


@pytest.mark.parametrize(("setup", "message"), [
    (lambda d: None, "no such file"),
    (lambda d: (d / "pred.csv").write_text("label\n"), "expected a header line and at least one label"),
    (lambda d: (d / "pred.txt").write_text("1\n\n2\n"), "line 2 is empty"),
    (lambda d: np.save(d / "pred.npy", np.zeros((2, 2))), "expected one dimension"),
    (lambda d: (d / "pred.npy").write_bytes(b"garbage"), "not a readable .npy file"),
])
def test_bad_files_exit_2(tmp_path, capsys, setup, message):
    (tmp_path / "ref.txt").write_text("1\n2\n")
    setup(tmp_path)
    name = next((p.name for p in tmp_path.iterdir() if p.name.startswith("pred")), "pred.txt")
    assert main(["stats", "--pred", str(tmp_path / name), "--ref", str(tmp_path / "ref.txt")]) == 2
    assert message in capsys.readouterr().err


def test_bad_options_exit_2(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("1\n2\n1\n")
    assert main(["stats", "--pred", str(tmp_path / "a.txt"), "--ref", str(tmp_path / "a.txt"),
                 "--prevalence", "x=y"]) == 2
    assert "--prevalence 'x=y'" in capsys.readouterr().err
    assert main(["stats", "--pred", str(tmp_path / "a.txt"), "--ref", str(tmp_path / "a.txt"),
                 "--positive", "7"]) == 2
    assert "positive='7': not a level" in capsys.readouterr().err
    assert main(["stats", "--mode", "nope", "--pred", "a", "--ref", "b"]) == 2
