"""``parity compare`` and :mod:`parity.checks.grading`: each grade and each exit status on synthetic
run directories (written with :class:`parity.contract.RunWriter`), the paired tests against
known values, and one comparison of two real Python runs (slow)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from parity.checks.grading import Equivalence, grade_runs, paired_tests, seed_equivalence
from parity.cli import main as parity_main
from parity.contract import RunWriter, read_run
from parity.rules.stats import cohen_kappa, mcnemar, tost, ulp_distance
from python_impl.caret import confusion_matrix

ROOT = Path(__file__).resolve().parents[1]
N, K = 2000, 10


def main(argv: list[str]) -> int:
    """``parity compare ARGV``, as the command line runs it."""
    return parity_main(["compare", *argv])


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def base():
    """A synthetic "model": 2,000 test rows, 10 classes, about 80% accurate, and a history."""
    rng = np.random.default_rng(7)
    labels = rng.integers(0, K, N).astype(np.uint8)
    logits = rng.normal(size=(N, K))
    logits[np.arange(N), labels] += 2.5
    probs = _softmax(logits)
    history = {"loss": np.array([0.9, 0.6, 0.5]), "accuracy": np.array([0.70, 0.78, 0.81])}
    return labels, probs, history


def write_run(path: Path, labels, probs, history, *, settings=None, classes=None,
              with_history=True) -> Path:
    predicted = probs.argmax(axis=1) if classes is None else classes
    with RunWriter(path, side="python", settings=settings or {"seed": 42}) as w:
        if with_history:
            w.history(history)
        w.labels(test=labels)
        w.predictions(probs, predicted)
        cm = confusion_matrix(predicted.astype(np.int64), labels.astype(np.int64))
        w.caret(cm, data=predicted, reference=labels)
        w.set("versions", {"keras": "test", "tensorflow": "test"})
    return path


def _grades(a: Path, b: Path, **kw):
    v = grade_runs(read_run(a), read_run(b), **kw)
    return {name: g.grade for name, g in v.groups.items()}, v


def _swap_top(probs, rows, new_classes):
    """Make ``new_classes`` the argmax of ``rows`` by swapping two probabilities."""
    p = probs.copy()
    for i, c in zip(rows, new_classes, strict=True):
        top = int(p[i].argmax())
        p[i, top], p[i, c] = p[i, c], p[i, top]
    return p


def _flip(labels, probs, *, right_to_wrong: int, wrong_to_right: int, seed=3):
    """Probabilities with some correct rows made wrong and some wrong rows made right."""
    rng = np.random.default_rng(seed)
    pred = probs.argmax(axis=1)
    right = np.flatnonzero(pred == labels)
    wrong = np.flatnonzero(pred != labels)
    r2w = rng.choice(right, right_to_wrong, replace=False)
    w2r = rng.choice(wrong, wrong_to_right, replace=False)
    p = _swap_top(probs, r2w, [(int(labels[i]) + 1) % K for i in r2w])
    return _swap_top(p, w2r, [int(labels[i]) for i in w2r])


# --------------------------------------------------------------------------- grades


def test_identical_runs_are_bit_identical(tmp_path, base):
    labels, probs, history = base
    a = write_run(tmp_path / "a", labels, probs, history)
    b = write_run(tmp_path / "b", labels, probs.copy(), history)
    grades, v = _grades(a, b)
    assert grades == {"training": "bit-identical", "predictions": "bit-identical",
                      "confusion": "bit-identical"}
    assert v.grade == "bit-identical" and v.meets("exact")
    assert v.paired.agreement == N and v.paired.mcnemar_p == 1.0


def test_tiny_float_perturbation_is_numeric(tmp_path, base):
    labels, probs, history = base
    p = probs.copy()
    p[::7] = np.nextafter(p[::7], np.float32(1))  # one float32 ULP up, every 7th row
    hist = {k: (v.astype(np.float32) * np.float32(1 + 2**-22)).astype(np.float64)
            for k, v in history.items()}  # a couple of float32 ULPs
    assert (p.argmax(axis=1) == probs.argmax(axis=1)).all()
    a = write_run(tmp_path / "a", labels, probs, history)
    b = write_run(tmp_path / "b", labels, p, hist)
    grades, v = _grades(a, b)
    assert grades == {"training": "numeric", "predictions": "numeric", "confusion": "bit-identical"}
    d = v.groups["predictions"].details
    assert d["rows_not_bit_identical"] == len(range(0, N, 7))
    assert d["max_ulps"] == 1.0 and 0 < d["max_abs_diff"] <= 1.2e-7
    t = v.groups["training"].details["per_metric"]["loss"]
    assert t["first_differing_epoch"] == 1 and t["epochs_differing"] == 3
    assert not v.meets("exact") and v.meets("numeric")


def test_perturbation_beyond_tolerance_is_not_numeric(tmp_path, base):
    labels, probs, history = base
    p = probs.copy()
    p[5, 0] += np.float32(2e-6)  # over prob_atol = 1e-6, class unchanged
    assert p[5].argmax() == probs[5].argmax()
    a = write_run(tmp_path / "a", labels, probs, history)
    b = write_run(tmp_path / "b", labels, p, history)
    grades, v = _grades(a, b)
    # the classes are the same: statistically the runs are the same model
    assert grades["predictions"] == "equivalent"
    assert v.groups["predictions"].details["worst_rows"][0]["row"] == 5


def test_class_flips_within_noise_are_equivalent(tmp_path, base):
    labels, probs, history = base
    p = _flip(labels, probs, right_to_wrong=4, wrong_to_right=4)
    hist = {k: v * (1 + 1e-4) for k, v in history.items()}  # beyond rtol 1e-6, inside margins
    a = write_run(tmp_path / "a", labels, probs, history)
    b = write_run(tmp_path / "b", labels, p, hist)
    grades, v = _grades(a, b)
    assert grades == {"training": "equivalent", "predictions": "equivalent", "confusion": "equivalent"}
    assert v.paired.only_a_right == 4 and v.paired.only_b_right == 4
    assert v.paired.mcnemar_method == "exact binomial" and v.paired.mcnemar_p == 1.0
    assert v.paired.accuracy_within_margin and not v.paired.significant
    assert not v.meets("numeric") and v.meets("equivalent")


def test_big_accuracy_drop_is_different(tmp_path, base):
    labels, probs, history = base
    p = _flip(labels, probs, right_to_wrong=200, wrong_to_right=0)  # -10 points
    a = write_run(tmp_path / "a", labels, probs, history)
    b = write_run(tmp_path / "b", labels, p, history)
    grades, v = _grades(a, b)
    # the same history: training is not where these runs differ
    assert grades == {"training": "bit-identical", "predictions": "different", "confusion": "different"}
    assert v.paired.mcnemar_method == "chi-square with continuity correction"
    assert v.paired.mcnemar_p < 1e-40 and v.paired.significant
    assert v.paired.accuracy_diff == pytest.approx(0.1)
    assert "significantly different" in v.groups["predictions"].reason
    assert not v.meets("equivalent")


def test_balanced_flips_too_many_to_show_equivalence(tmp_path, base):
    """No significant difference, but a CI wider than the margin: different, "not shown"."""
    labels, probs, history = base
    p = _flip(labels, probs, right_to_wrong=150, wrong_to_right=150)
    a = write_run(tmp_path / "a", labels, probs, history)
    b = write_run(tmp_path / "b", labels, p, history)
    grades, v = _grades(a, b)
    assert grades["predictions"] == "different"
    assert not v.paired.significant and not v.paired.accuracy_within_margin
    assert "not shown equivalent" in v.groups["predictions"].reason
    # a wider margin accepts it
    grades, _ = _grades(a, b, equivalence=Equivalence(margin=0.05))
    assert grades["predictions"] == "equivalent"


def test_training_divergence_is_located(tmp_path, base):
    labels, probs, history = base
    hist = {k: v.copy() for k, v in history.items()}
    hist["loss"][2] *= 3.0  # epoch 3 blows up
    a = write_run(tmp_path / "a", labels, probs, history)
    b = write_run(tmp_path / "b", labels, probs, hist)
    grades, v = _grades(a, b)
    assert grades["training"] == "different"
    loss = v.groups["training"].details["per_metric"]["loss"]
    assert loss["first_differing_epoch"] == 3 and loss["at_first"]["rel_diff"] == pytest.approx(2.0)
    assert "epoch 3" in v.groups["training"].reason and "last-epoch loss" in v.groups["training"].reason


def test_other_test_set_is_different_and_missing_history_not_compared(tmp_path, base):
    labels, probs, history = base
    other = labels.copy()
    other[:10] = (other[:10] + 1) % K
    a = write_run(tmp_path / "a", labels, probs, history)
    b = write_run(tmp_path / "b", other, _flip(labels, probs, right_to_wrong=1, wrong_to_right=0),
                  history, with_history=False)
    grades, v = _grades(a, b)
    assert v.paired is None and "not the same test set: 10 of 2000" in v.paired_error
    assert grades == {"training": "not-compared", "predictions": "different", "confusion": "different"}
    assert v.grade == "not-compared" and not v.meets("equivalent")


# --------------------------------------------------------------------------- statistics


def test_mcnemar_exact_and_chi_square():
    # exact: b=10, c=2 -> 2 * P(X <= 2 | n=12, 1/2) = 2 * 79 / 4096
    p, stat, method = mcnemar(10, 2)
    assert method == "exact binomial" and stat is None and p == pytest.approx(2 * 79 / 4096)
    # chi-square with continuity correction, as R's mcnemar.test: (|40-20|-1)^2/60; the p-value is
    # R's mcnemar.test(matrix(c(100, 20, 40, 100), 2))$p.value
    p, stat, method = mcnemar(40, 20)
    assert method == "chi-square with continuity correction"
    assert stat == pytest.approx(361 / 60) and p == pytest.approx(0.014171388254012368, rel=1e-12)  # R
    assert mcnemar(13, 12, exact_below=25)[2] == "chi-square with continuity correction"
    assert mcnemar(12, 12, exact_below=25)[2] == "exact binomial"
    with pytest.raises(ValueError, match="b=-1"):
        mcnemar(-1, 2)


def test_kappa_is_carets(base):
    labels, probs, _ = base
    pred = probs.argmax(axis=1)
    cm = confusion_matrix(pred.astype(np.int64), labels.astype(np.int64))
    assert cohen_kappa(pred, labels, K) == pytest.approx(float(cm.overall["Kappa"]), rel=1e-12)


def test_paired_bootstrap_is_reproducible_and_covers_the_difference(base):
    labels, probs, _ = base
    a = probs.argmax(axis=1)
    b = _flip(labels, probs, right_to_wrong=60, wrong_to_right=20).argmax(axis=1)
    t1, t2 = paired_tests(a, b, labels), paired_tests(a, b, labels)
    assert t1.accuracy_ci == t2.accuracy_ci and t1.kappa_ci == t2.kappa_ci
    assert t1.accuracy_diff == pytest.approx(40 / N)
    assert t1.accuracy_ci[0] < t1.accuracy_diff < t1.accuracy_ci[1]
    # analytic paired (Wald) CI for comparison: the bootstrap agrees to within 0.002
    b_, c_ = 60, 20
    se = math.sqrt(b_ + c_ - (b_ - c_) ** 2 / N) / N
    assert t1.accuracy_ci[0] == pytest.approx(40 / N - 1.96 * se, abs=0.002)
    assert t1.accuracy_ci[1] == pytest.approx(40 / N + 1.96 * se, abs=0.002)
    assert t1.kappa_margin == pytest.approx(0.01 / (1 - np.sum((np.bincount(labels) / N) ** 2)))


def test_ulp_distance():
    one = np.float32(1)
    assert ulp_distance(one, np.nextafter(one, np.float32(2)))[()] == 1
    assert ulp_distance(np.float32(-0.0), np.float32(0.0))[()] == 0
    tiny = np.nextafter(np.float32(0), np.float32(1))
    assert ulp_distance(-tiny, tiny)[()] == 2
    assert ulp_distance(0.1, 0.1 + 2**-56)[()] == 1  # float64 values: counted in float64
    assert ulp_distance(np.nan, np.nan)[()] == 0


def test_options_are_checked():
    with pytest.raises(ValueError, match=r"margin=1.5: expected a number in \(0, 1\)"):
        Equivalence(margin=1.5)
    with pytest.raises(ValueError, match="bootstrap=10"):
        Equivalence(bootstrap=10)


# --------------------------------------------------------------------------- the command


def test_exit_statuses(tmp_path, base, capsys):
    labels, probs, history = base
    a = write_run(tmp_path / "a", labels, probs, history)
    same = write_run(tmp_path / "same", labels, probs, history)
    equiv = write_run(tmp_path / "equiv", labels, _flip(labels, probs, right_to_wrong=4,
                                                        wrong_to_right=4), history)
    worse = write_run(tmp_path / "worse", labels, _flip(labels, probs, right_to_wrong=200,
                                                        wrong_to_right=0), history)
    assert main([str(a), str(same)]) == 0
    assert main([str(a), str(equiv)]) == 1  # default --require exact
    assert main([str(a), str(equiv), "--require", "numeric"]) == 1
    assert main([str(a), str(equiv), "--require", "equivalent"]) == 0
    out = tmp_path / "verdict.json"
    assert main([str(a), str(worse), "--require", "equivalent", "--json", str(out)]) == 1
    doc = json.loads(out.read_text())
    assert doc["grade"] == "different" and doc["meets_require"] is False
    assert doc["groups"]["predictions"]["grade"] == "different"
    assert doc["paired_tests"]["only_a_right"] == 200
    printed = capsys.readouterr().out
    assert "FAIL predictions  different" in printed and "McNemar" in printed


def test_bad_directories_exit_2(tmp_path, base, capsys):
    labels, probs, history = base
    a = write_run(tmp_path / "a", labels, probs, history)
    assert main([str(a), str(tmp_path / "nowhere")]) == 2
    assert "RUN_B" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main([str(empty), str(a)]) == 2
    assert f"RUN_A {empty}: not a usable run directory" in capsys.readouterr().err
    broken = write_run(tmp_path / "broken", labels, probs, history)
    (broken / "run.json").write_text("{not json")
    assert main([str(a), str(broken)]) == 2
    assert "run.json: not valid JSON" in capsys.readouterr().err
    assert main([str(a), str(a), "--margin", "2"]) == 2
    assert "margin=2.0" in capsys.readouterr().err
    assert main([str(a), str(a), "--require", "close"]) == 2  # argparse usage error


@pytest.mark.slow
def test_two_real_python_runs_are_bit_identical(tmp_path):
    """The same settings twice on one machine: the workflow is deterministic (smoke size, ~30 s)."""
    env = {**os.environ, "TZ": "UTC"}
    env.pop("TF_USE_LEGACY_KERAS", None)
    runs = []
    for name in ("a", "b"):
        out = tmp_path / name
        subprocess.run([sys.executable, "-m", "python_impl", "--out", str(out), "--epochs", "1",
                        "--train-size", "500", "--test-size", "200", "--threads", "1",
                        "--steps-per-execution", "256", "--seed", "42"], cwd=ROOT, env=env,
                       check=True, capture_output=True, timeout=600)
        runs.append(out)
    assert main([str(runs[0]), str(runs[1])]) == 0
    grades, v = _grades(*runs)
    assert grades == {"training": "bit-identical", "predictions": "bit-identical",
                      "confusion": "bit-identical"}


# --------------------------------------------------------------------------- multi-seed


def test_tost():
    from scipy import stats

    d = [0.002, -0.001, 0.004, 0.0]
    r = tost(d, 0.01)
    m, se = np.mean(d), np.std(d, ddof=1) / 2
    want = max(stats.t.sf((m + 0.01) / se, 3), stats.t.cdf((m - 0.01) / se, 3))
    assert r["p"] == pytest.approx(want, rel=1e-12) and r["equivalent"]
    assert not tost([0.02, 0.03, 0.025], 0.01)["equivalent"]  # outside the margin
    assert not tost([0.05, -0.05, 0.0], 0.01)["equivalent"]  # too noisy to show it
    assert tost([0.0, 0.0, 0.0], 0.01) | {"p": 0.0} == tost([0.0, 0.0, 0.0], 0.01)
    assert not tost([0.0], 0.01)["equivalent"]


def test_seed_equivalence_and_resumable_tasks(tmp_path, base):
    from parity.orchestration.seeds import SeedTask, _execute, read_seed_runs

    labels, probs, history = base
    for side in ("a", "b"):
        (tmp_path / side).mkdir()
        for s in (1, 2, 3):
            p = _flip(labels, probs, right_to_wrong=1, wrong_to_right=1, seed=s)
            write_run(tmp_path / side / f"seed-{s}", labels, p if side == "b" else probs, history)
    # one row per seed flipped each way: accuracy equal, a class's sensitivity within 1/200
    runs_a, runs_b = (read_seed_runs(tmp_path / side, [1, 2, 3]) for side in ("a", "b"))
    res = seed_equivalence(runs_a, runs_b, margin=0.02)
    assert res["equivalent"], {m: v["tost"] for m, v in res["metrics"].items() if not v["tost"]["equivalent"]}
    assert res["metrics"]["accuracy"]["tost"]["mean"] == 0.0
    assert set(res["metrics"]) == {"accuracy", "kappa"} | {f"sensitivity[{k}]" for k in range(K)}
    assert res["metrics"]["accuracy"]["a_sd"] == 0.0 and res["metrics"]["accuracy"]["b_sd"] == 0.0
    narrow = seed_equivalence(runs_a, runs_b, margin=1e-4)
    assert not narrow["equivalent"]
    # a task whose run directory exists is skipped, never run again
    task = SeedTask("A", 1, ("false",), str(tmp_path / "a" / "seed-1"), str(tmp_path))
    assert _execute(task)["status"] == "skipped"
    failing = SeedTask("A", 9, ("false",), str(tmp_path / "a" / "seed-9"), str(tmp_path))
    assert _execute(failing)["status"] == "failed"
