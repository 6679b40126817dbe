"""The Python capture (``python -m parity.capture``): a script run unmodified, its Keras, caret and
statistics calls recorded in order into one contract run directory, read back with the
engine's reader - with real TensorFlow/Keras, the port's caret and scikit-learn/SciPy."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from parity.capture import driver, python_side
from parity.capture.python_side import CARET_FUNCTIONS, STATISTIC_FUNCTIONS, CaptureSession
from parity.contract import read_run
from parity.rules import crosswalk

ROOT = Path(__file__).resolve().parents[1]

#: an MLP on a few rows, as a port writes it: no writer call; it saves what it computed
MLP_SCRIPT = '''
import json
import sys
from pathlib import Path

import numpy as np
import tensorflow as tf
import keras
from sklearn.metrics import accuracy_score, f1_score

from python_impl.caret import confusion_matrix

out = Path(sys.argv[1])
keras.utils.set_random_seed(7)
tf.config.experimental.enable_op_determinism()
rng = np.random.default_rng(0)
x = rng.normal(size=(48, 4)).astype("float32")
codes = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.int64)
y = keras.utils.to_categorical(codes, 2)
x_train, y_train, x_val, y_val, x_test = x[:24], y[:24], x[24:36], y[24:36], x[36:]
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                          keras.layers.Dense(2, activation="softmax")])
model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=0.05),
              metrics=["accuracy"])
stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
history = model.fit(x_train, y_train, epochs=12, batch_size=8, verbose=0, class_weight={0: 1.0, 1: 3.0},
                    callbacks=[stop], validation_data=(x_val, y_val))
loss, accuracy = model.evaluate(x_val, y_val, verbose=0)
probabilities = model.predict(x_test, verbose=0)
predicted = probabilities.argmax(axis=1)
cm = confusion_matrix(predicted, codes[36:])
acc = accuracy_score(codes[36:], predicted)
f1 = f1_score(codes[36:], predicted, zero_division=0.0)
out.mkdir()
np.save(out / "x_train.npy", x_train)
np.save(out / "probabilities.npy", probabilities)
np.save(out / "overall.npy", np.array(list(cm.overall.values()), dtype=np.float64))
for name, values in history.history.items():
    np.save(out / f"history.{name}.npy", np.asarray(values, dtype=np.float64))
(out / "results.json").write_text(json.dumps({"loss": loss, "accuracy": accuracy, "acc": acc, "f1": f1,
                                              "stopped_epoch": stop.stopped_epoch, "cm": str(cm)}))
'''


_ENV = {**os.environ, "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT)}


def _python(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, env=_ENV, capture_output=True, text=True)


@pytest.fixture(scope="module")
def mlp_runs(tmp_path_factory):
    """The MLP script run plainly and captured, each in its own process as the audit runs it
    (side by side: one TensorFlow thread each)."""
    work = tmp_path_factory.mktemp("mlp")
    (work / "mlp.py").write_text(MLP_SCRIPT)
    commands = {"plain": ["mlp.py", "plain_out"],
                "captured": ["-m", "parity.capture", "--out", "run", "--settings", '{"seed": 7}', "--",
                             "mlp.py", "captured_out"]}
    procs = {k: subprocess.Popen([sys.executable, *cmd], cwd=work, env=_ENV, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for k, cmd in commands.items()}
    for name, proc in procs.items():
        _out, err = proc.communicate()
        assert proc.returncode == 0, f"{name}: {err}"
    return work, read_run(work / "run")


def test_the_calls_are_recorded_in_order_once_each(mlp_runs):
    _work, run = mlp_runs
    assert run.side == "python" and run.settings == {"seed": 7}
    assert run.capture is not None and run.capture.script == "mlp.py"
    assert run.capture.args == ["captured_out"]
    # fit() with validation_data runs evaluate() inside: recorded once, as fit (the outermost
    # call); caret's confusionMatrix and sklearn's f1_score call other captured functions too
    assert [(c.kind, c.function, c.library) for c in run.capture.calls] == [
        ("compile", "compile", "keras"), ("fit", "fit", "keras"), ("evaluate", "evaluate", "keras"),
        ("predict", "predict", "keras"), ("caret", "confusionMatrix", "python_impl.caret"),
        ("statistic", "sklearn.metrics.accuracy_score", "sklearn"),
        ("statistic", "sklearn.metrics.f1_score", "sklearn")]
    assert [c.index for c in run.capture.calls] == list(range(1, 8))


def test_the_parts_hold_what_the_calls_were_given_and_returned(mlp_runs):
    work, run = mlp_runs
    mine = work / "captured_out"
    compile_, fit, evaluate, predict, cm, acc, f1 = run.capture.calls
    assert compile_.values == {"loss": "categorical_crossentropy", "optimizer": "Adam",
                               "learning_rate": float(np.float32(0.05)), "metrics": ["accuracy"]}
    x_train = np.load(mine / "x_train.npy")
    assert run.normalized["train"].dtype == np.float32
    assert run.normalized["train"].tobytes() == x_train.tobytes()  # bit for bit
    assert fit.arrays["x"].tobytes() == x_train.tobytes()
    assert run.data["fit_x"].dim == [24, 4] and run.data["fit_y"].dim == [24, 2]
    assert run.train_labels.tolist() == fit.arrays["y"].argmax(axis=1).tolist()
    for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
        saved = np.load(mine / f"history.{name}.npy")
        assert run.history[name].tobytes() == saved.tobytes()
        assert fit.arrays[f"history.{name}"].tobytes() == saved.tobytes()
    results = json.loads((mine / "results.json").read_text())
    epochs_run = len(run.history["loss"])
    assert fit.values == {"epochs": 12, "batch_size": 8, "validation_split": 0.0, "shuffle": True,
                          "epochs_run": epochs_run, "class_weight": {"0": 1.0, "1": 3.0},
                          "callbacks": ["EarlyStopping"]}
    assert run.class_weight == {"0": 1.0, "1": 3.0}
    stopping = run.callbacks["early_stopping"]
    assert stopping["monitor"] == "val_loss" and stopping["restore_best_weights"] is True
    assert stopping["stopped_epoch"] == results["stopped_epoch"] and stopping["epochs_run"] == epochs_run
    assert run.layers is not None and [layer.cls for layer in run.layers] == ["Dense", "Dense"]
    assert run.model_summary is not None and "dense" in run.model_summary
    # evaluate(): the loss first, then the metric, as R keras names them
    assert evaluate.values == {"names": ["loss", "accuracy"]}
    assert run.evaluation == {"loss": results["loss"], "accuracy": results["accuracy"]}
    probabilities = np.load(mine / "probabilities.npy")
    assert predict.arrays["output"].dtype == np.float32
    assert predict.arrays["output"].tobytes() == probabilities.tobytes()  # the array probabilities
    assert np.array_equal(run.probabilities, probabilities.astype(np.float64))  # the reader's float64
    assert run.normalized["test"].shape == (12, 4)
    assert run.predicted.tolist() == probabilities.argmax(axis=1).tolist()
    # caret: the part and the call's result are confusionMatrix's overall, every bit
    overall = np.load(mine / "overall.npy")
    assert run.confusion is not None and run.confusion.overall.tobytes() == overall.tobytes()
    assert cm.arrays["result"].tobytes() == overall.tobytes()
    assert run.confusion.text == results["cm"].rstrip("\n")  # the reader strips the final newline
    assert run.confusion_inputs is not None and run.test_labels.tolist() == run.confusion_inputs[1].tolist()
    # the statistics: their arguments by parameter name, their results as numbers
    assert acc.arrays["result"].tolist() == [results["acc"]]
    assert f1.arrays["result"].tolist() == [results["f1"]]
    assert f1.values["zero_division"] == 0.0 and f1.values["result_type"] == "scalar"
    assert acc.arrays["y_pred"].tolist() == probabilities.argmax(axis=1).tolist()


def test_arrays_are_written_once(mlp_runs):
    work, run = mlp_runs
    meta = json.loads((work / "run" / "run.json").read_text())
    calls = meta["capture"]["calls"]
    assert calls[1]["arrays"]["x"] == "normalized.train"
    assert calls[1]["arrays"]["history.loss"] == "history.loss"
    assert calls[2]["arrays"]["values"] == "evaluation"
    assert calls[3]["arrays"] == {"x": "normalized.test", "output": "probabilities"}
    assert calls[4]["arrays"]["result"] == "confusion.overall"
    files = sorted(p.name for p in (work / "run").iterdir())
    assert len(files) == len(meta["arrays"]) + len(meta["texts"]) + 1  # nothing unlisted
    # no captured call's array repeats another array (parts may repeat each other: test_labels
    # is confusion.reference, both named by the contract)
    contents = {name: (work / "run" / entry["file"]).read_bytes() for name, entry in meta["arrays"].items()}
    for name, data in contents.items():
        if name.startswith("capture."):
            assert [other for other, d in contents.items() if d == data] == [name]


def test_the_script_behaves_as_when_run_plainly(mlp_runs):
    work, _run = mlp_runs
    plain, captured = work / "plain_out", work / "captured_out"
    names = sorted(p.name for p in plain.iterdir())
    assert names == sorted(p.name for p in captured.iterdir())
    for name in names:
        assert (plain / name).read_bytes() == (captured / name).read_bytes(), name


# --------------------------------------------------------------------------- failures and modes

SMALL_CARET = '''
import sys
from python_impl.caret import post_resample
import pandas as pd
levels = ["a", "b"]
result = post_resample(pd.Categorical(["a", "b", "b"], categories=levels),
                       pd.Categorical(["a", "b", "a"], categories=levels))
'''


def _run_main(tmp_path, monkeypatch, body: str, *args: str, name: str = "script.py"):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(textwrap.dedent(body))
    return driver.main(["--out", "run", "--settings", "{}", "--", name, *args])


def test_a_failing_script_writes_no_run_and_names_the_calls_seen(tmp_path, monkeypatch, capsys):
    code = _run_main(tmp_path, monkeypatch, SMALL_CARET + "raise RuntimeError('broken port')\n")
    err = capsys.readouterr().err
    assert code == 1 and not (tmp_path / "run").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".run")]  # no temporary left
    assert "RuntimeError: broken port" in err
    assert err.rstrip().splitlines()[-1] == ("error: parity capture: the Python script script.py failed "
                                             "after 1 captured call: postResample (python_impl.caret)")
    assert err.index("Traceback") < err.index("error: parity capture")
    assert "runpy" not in err  # the traceback starts at the script


def test_a_non_zero_exit_fails_and_exit_zero_ends_normally(tmp_path, monkeypatch, capsys):
    assert _run_main(tmp_path, monkeypatch, "import sys\nsys.exit(3)\n") == 3
    assert capsys.readouterr().err.strip().endswith("failed before any captured call")
    assert not (tmp_path / "run").exists()
    assert _run_main(tmp_path, monkeypatch, SMALL_CARET + "sys.exit(0)\n") == 0
    run = read_run(tmp_path / "run")
    assert [c.function for c in run.capture.calls] == ["postResample"]
    assert run.measures["postResample"].names == ["Accuracy", "Kappa"]
    assert run.capture.calls[0].arrays["result"].tolist() == run.measures["postResample"].values.tolist()


def test_no_recognised_call_is_an_error(tmp_path, monkeypatch, capsys):
    assert _run_main(tmp_path, monkeypatch, "print('hello')\n") == 1
    out = capsys.readouterr()
    assert out.out == "hello\n"
    assert out.err.strip() == ("error: parity capture: script.py ran to its end but made no call the "
                               f"capture recognises ({driver._RECOGNISED})")
    assert not (tmp_path / "run").exists()


def test_a_module_runs_with_its_arguments(tmp_path, monkeypatch):
    package = tmp_path / "portpkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "analysis.py").write_text(SMALL_CARET + textwrap.dedent('''
        from pathlib import Path
        Path("seen.json").write_text(__import__("json").dumps([__name__, sys.argv[1:]]))
    '''))
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))  # as `python -m` has the working directory
    code = driver.main(["--out", "run", "--", "-m", "portpkg.analysis", "--epochs", "2"])
    assert code == 0
    assert json.loads((tmp_path / "seen.json").read_text()) == ["__main__", ["--epochs", "2"]]
    run = read_run(tmp_path / "run")
    assert run.capture.script == "-m portpkg.analysis" and run.capture.args == ["--epochs", "2"]
    assert [c.function for c in run.capture.calls] == ["postResample"]


def test_the_script_sees_its_own_argv_file_and_path(tmp_path, monkeypatch):
    sub = tmp_path / "scripts"
    sub.mkdir()
    (sub / "helper_mod.py").write_text("VALUE = 5\n")
    body = SMALL_CARET + textwrap.dedent('''
        import helper_mod  # next to the script: sys.path[0] is its directory, as with `python script.py`
        from pathlib import Path
        seen = [__name__, sys.argv, __file__, helper_mod.VALUE]
        Path("seen.json").write_text(__import__("json").dumps(seen))
    ''')
    (sub / "port.py").write_text(body)
    monkeypatch.chdir(tmp_path)
    assert driver.main(["--out", "run", "--", "scripts/port.py", "a", "b"]) == 0
    name, argv, file, value = json.loads((tmp_path / "seen.json").read_text())
    assert (name, argv, value) == ("__main__", ["scripts/port.py", "a", "b"], 5)
    assert Path(file).resolve() == (sub / "port.py").resolve()


@pytest.mark.parametrize("argv, message", [
    (["--out", "run", "--settings", "{bad", "--", "x.py"], "--settings '{bad': not valid JSON"),
    (["--out", "run", "--settings", "[1]", "--", "x.py"], "expected a JSON object"),
    (["--out", "run", "--settings", '{"a": [1]}', "--", "x.py"], "a = [1]: expected a number"),
    (["--out", "run"], "no command"),
    (["--out", "run", "--", "missing.py"], "missing.py: no such script"),
    (["--out", "full", "--", "x.py"], "--out full: exists and is not an empty directory"),
    (["--out", "run", "--sett", "{}", "--", "x.py"], "unrecognized arguments: --sett"),
    (["--out", "run", "--", "-m"], "-m: expected a module name"),
])
def test_usage_errors(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.py").write_text("")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "file").write_text("")
    assert driver.main(argv) == 2
    err = capsys.readouterr().err
    assert "error: parity capture: " in err and message in err


def test_the_r_command_and_its_environment(tmp_path, monkeypatch):
    monkeypatch.setattr(driver, "CAPTURE_RPROFILE", tmp_path / "capture.Rprofile")
    driver.CAPTURE_RPROFILE.write_text("")
    (tmp_path / "analysis.R").write_text("x <- 1\n")
    (tmp_path / ".Rprofile").write_text("")
    command = ["Rscript", "analysis.R", "--epochs", "2"]
    program, argv, env = driver.r_command(tmp_path / "run", {"epochs": 2}, command,
                                          environ={"PATH": "/usr/bin"}, cwd=tmp_path)
    assert program == "Rscript" and argv == ["Rscript", "analysis.R", "--epochs", "2"]
    assert env == {"PATH": "/usr/bin", "R_PROFILE_USER": str(driver.CAPTURE_RPROFILE),
                   "PARITY_CAPTURE_OUT": str((tmp_path / "run").absolute()),
                   "PARITY_CAPTURE_SETTINGS": '{"epochs": 2}', "PARITY_CAPTURE_SCRIPT": "analysis.R",
                   "PARITY_CAPTURE_ARGS": '["--epochs", "2"]',
                   "PARITY_CAPTURE_USER_PROFILE": str(tmp_path / ".Rprofile")}
    _, _, env = driver.r_command(tmp_path / "run", {}, ["Rscript", "analysis.R"], cwd=tmp_path,
                                 environ={"R_PROFILE_USER": "/home/u/my.Rprofile"})
    assert env["PARITY_CAPTURE_USER_PROFILE"] == "/home/u/my.Rprofile"
    with pytest.raises(driver.CaptureUsageError, match="--vanilla: the capture starts from the user R"):
        driver.r_command(tmp_path / "run", {}, ["Rscript", "--vanilla", "analysis.R"], cwd=tmp_path)
    with pytest.raises(driver.CaptureUsageError, match="a script file, not -e"):
        driver.r_command(tmp_path / "run", {}, ["Rscript", "-e", "1"], cwd=tmp_path)


# --------------------------------------------------------------------------- the hooks


def test_the_statistics_captured_cover_the_crosswalk():
    assert set(crosswalk.MAPPED_FUNCTIONS) <= set(STATISTIC_FUNCTIONS)
    for qualified in STATISTIC_FUNCTIONS:
        module, attr = qualified.rsplit(".", 1)
        if module.startswith("statsmodels") and python_side.sys.modules.get("statsmodels") is None:
            try:
                __import__(module)
            except ImportError:
                continue  # statsmodels is optional: its hooks wait for its import
        mod = __import__(module, fromlist=[attr])
        assert callable(getattr(mod, attr)), qualified


def test_the_caret_functions_are_the_ports_public_ones():
    import python_impl.caret as caret

    assert set(CARET_FUNCTIONS) <= set(caret.__all__)
    assert CARET_FUNCTIONS["f_meas"] == "F_meas" and CARET_FUNCTIONS["post_resample"] == "postResample"


def test_importing_and_installing_the_capture_imports_no_library():
    code = textwrap.dedent('''
        import sys, tempfile, pathlib
        from parity.capture.python_side import CaptureSession
        out = pathlib.Path(tempfile.mkdtemp()) / "run"
        session = CaptureSession(out, settings={}, script="s.py", args=[])
        session.install()
        heavy = [m for m in ("tensorflow", "keras", "sklearn", "scipy", "statsmodels", "python_impl.caret",
                             "pandas") if m in sys.modules]
        import sklearn.metrics
        patched = hasattr(sklearn.metrics.accuracy_score, "__parity_capture_original__")
        session.uninstall()
        session.abort()
        restored = not hasattr(sklearn.metrics.accuracy_score, "__parity_capture_original__")
        print(heavy, patched, restored)
    ''')
    out = _python(["-c", code], ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[] True True"


def test_statistics_results_and_labels_are_recorded(tmp_path):
    from scipy import stats
    from sklearn import metrics

    session = CaptureSession(tmp_path / "run", settings={}, script="s.py", args=[])
    session.install()
    try:
        y_true, y_pred = ["dog", "cat", "cat", "dog", "cat"], ["dog", "cat", "dog", "dog", "cat"]
        table = metrics.confusion_matrix(y_true, y_pred)
        prfs = metrics.precision_recall_fscore_support(y_true, y_pred, average="binary", pos_label="dog",
                                                       zero_division=np.nan)
        binom = stats.binomtest(4, 5, p=0.5)
        pearson = stats.pearsonr([1.0, 2.0, 3.0, 5.0], [1.0, 2.5, 2.9, 5.5])
        session.finish()
    finally:
        session.uninstall()
        session.abort()
    run = read_run(tmp_path / "run")
    cm, pr, bt, pc = run.capture.calls
    assert cm.function == "sklearn.metrics.confusion_matrix" and cm.library == "sklearn"
    assert cm.arrays["y_true"].tolist() == [1, 0, 0, 1, 0] and cm.values["y_true_levels"] == ["cat", "dog"]
    assert cm.arrays["result"].tolist() == table.tolist() and cm.values["result_type"] == "array"
    assert pr.values["pos_label"] == "dog" and pr.values["zero_division"] == "NaN"
    assert pr.values["result_type"] == "tuple" and pr.values["result_length"] == 4
    assert [pr.arrays[f"result.{i}"].tolist() for i in range(3)] == [[prfs[i]] for i in range(3)]
    assert pr.values["result.3"] is None  # support: None with an average
    assert bt.function == "scipy.stats.binomtest" and bt.library == "scipy"
    assert bt.values["k"] == 4 and bt.values["n"] == 5 and bt.values["p"] == 0.5
    assert bt.values["result"]["pvalue"] == binom.pvalue and bt.values["result_class"] == "BinomTestResult"
    assert pc.values["result"]["statistic"] == pearson.statistic and pc.values["result_type"] == "object"
    assert pc.arrays["x"].tolist() == [1.0, 2.0, 3.0, 5.0]


def test_the_wrapper_changes_nothing_the_call_does(tmp_path):
    from sklearn import metrics

    original = metrics.accuracy_score
    session = CaptureSession(tmp_path / "run", settings={}, script="s.py", args=[])
    session.install()
    try:
        wrapper = metrics.accuracy_score
        assert wrapper is not original and wrapper.__wrapped__ is original
        assert wrapper.__name__ == "accuracy_score"
        assert inspect.signature(wrapper) == inspect.signature(original)
        with pytest.raises(ValueError) as raised:
            metrics.accuracy_score([0, 1], [0, 1, 1])
        with pytest.raises(ValueError) as plain:
            original([0, 1], [0, 1, 1])
        assert str(raised.value) == str(plain.value)
        assert session.calls == []  # a call that raised is not recorded
        out = np.arange(3)
        probe = python_side._wrap(lambda: out, python_side._Hook("statistic", "probe", "test"))
        assert probe() is out  # the same object back
    finally:
        session.uninstall()
        session.abort()
    assert metrics.accuracy_score is original


def test_a_recording_failure_does_not_break_the_script(tmp_path):
    import pandas as pd

    from python_impl import caret

    session = CaptureSession(tmp_path / "run", settings={}, script="s.py", args=[])
    session.install()
    try:
        obs = pd.Categorical(["a", "b", "a"], categories=["a", "b"])
        # text labels for pred: the port re-levels them; the contract's postResample part takes
        # a Categorical or numbers, so writing the part fails - recorded, and the run goes on
        result = caret.post_resample(["a", "b", "b"], obs)
        assert list(result.index) == ["Accuracy", "Kappa"]
        session.finish()
    finally:
        session.uninstall()
        session.abort()
    run = read_run(tmp_path / "run")
    (call,) = run.capture.calls
    assert "capture_error" in call.values and "ValueError" in call.values["capture_error"]
    assert run.measures == {}  # the failed part left nothing half-written
    assert call.arrays["result"].tolist() == result.tolist()
    assert call.arrays["pred"].tolist() == [0, 1, 1] and call.values["pred_levels"] == ["a", "b"]


def test_keras_is_patched_on_the_class_and_restored(tmp_path):
    keras = pytest.importorskip("keras")
    import tensorflow as tf

    assert tf.keras.Model is keras.Model
    before = {m: m in vars(keras.Model) for m in python_side.KERAS_METHODS}
    session = CaptureSession(tmp_path / "run", settings={}, script="s.py", args=[])
    session.install()
    try:
        inputs = keras.Input((2,))
        functional = keras.Model(inputs, keras.layers.Dense(1)(inputs))
        for cls in (keras.Sequential, type(functional)):  # both inherit the wrapper from keras.Model
            below = cls.__mro__[:cls.__mro__.index(keras.Model)]
            for method in python_side.KERAS_METHODS:
                assert not any(method in vars(c) for c in below), (cls, method)
                assert hasattr(getattr(cls, method), "__parity_capture_original__")
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile(loss="mse", optimizer="sgd")
        x = np.arange(8, dtype=np.float32).reshape(4, 2)
        output = model.predict(x, verbose=0)
        a, b = keras.Input((2,), name="a"), keras.Input((1,), name="b")
        two = keras.Model([a, b], keras.layers.Dense(1)(keras.layers.Concatenate()([a, b])))
        two.predict({"a": x, "b": x[:, :1]}, verbose=0)  # several inputs: one array each
        session.finish()
    finally:
        session.uninstall()
        session.abort()
    assert {m: m in vars(keras.Model) for m in python_side.KERAS_METHODS} == before
    run = read_run(tmp_path / "run")
    assert [c.kind for c in run.capture.calls] == ["compile", "predict", "predict"]
    several = run.capture.calls[2]
    assert several.values["x_items"] == ["a", "b"] and several.arrays["x.a"].tobytes() == x.tobytes()
    assert several.arrays["x.b"].tolist() == x[:, :1].tolist()
    assert run.capture.calls[0].values["optimizer"] == "SGD"
    assert run.task == "regression" and np.array_equal(run.predicted_values, output.astype(np.float64))


def test_statsmodels_calls_are_recorded_from_its_public_modules(tmp_path):
    pytest.importorskip("statsmodels")
    session = CaptureSession(tmp_path / "run", settings={}, script="s.py", args=[])
    session.install()
    try:  # imported after the install, as a script's imports are: the names bound are the wrappers
        import statsmodels.stats.api as sms
        from statsmodels.stats.contingency_tables import mcnemar
        from statsmodels.stats.inter_rater import cohens_kappa

        table = np.array([[10, 3], [5, 12]])
        test = mcnemar(table, exact=False, correction=True)
        low, high = sms.proportion_confint(22, 30, method="beta")  # statsmodels.stats.api re-exports it
        kappa = cohens_kappa(table)
        session.finish()
    finally:
        session.uninstall()
        session.abort()
    mc, ci, ck = read_run(tmp_path / "run").capture.calls
    assert mc.function == "statsmodels.stats.contingency_tables.mcnemar" and mc.library == "statsmodels"
    assert mc.arrays["table"].tolist() == table.tolist()
    assert mc.values["exact"] is False and mc.values["result"] == {"pvalue": test.pvalue,
                                                                   "statistic": test.statistic}
    assert ci.function == "statsmodels.stats.proportion.proportion_confint"
    assert ci.values["count"] == 22 and ci.values["method"] == "beta" and ci.values["result_type"] == "tuple"
    assert ci.arrays["result.0"].tolist() == [low] and ci.arrays["result.1"].tolist() == [high]
    assert ck.function == "statsmodels.stats.inter_rater.cohens_kappa"
    assert ck.values["result"]["kappa"] == kappa.kappa and ck.arrays["table"].tolist() == table.tolist()


@pytest.mark.r
def test_rscript_starts_with_the_capture_profile_and_the_scripts_own_arguments(tmp_path):
    """The hand-over, with real R: Rscript replaces the driver (the same pid), reads the profile
    R_PROFILE_USER names, and the script sees exactly its own commandArgs()."""
    import shutil

    if shutil.which("Rscript") is None:
        pytest.skip("Rscript not found; run ./setup.sh")
    profile = tmp_path / "probe.Rprofile"  # stands in for capture.Rprofile: it reports what it saw
    profile.write_text(textwrap.dedent('''
        vars <- c("PARITY_CAPTURE_OUT", "PARITY_CAPTURE_SETTINGS", "PARITY_CAPTURE_SCRIPT",
                  "PARITY_CAPTURE_ARGS", "PARITY_CAPTURE_USER_PROFILE")
        writeLines(c(Sys.getpid(), Sys.getenv(vars)), "profile_saw.txt")
    '''))
    (tmp_path / ".Rprofile").write_text("")
    (tmp_path / "analysis.R").write_text(
        'writeLines(c(commandArgs(trailingOnly = TRUE), grep("^--file=", commandArgs(), value = TRUE)), '
        '"script_saw.txt")\n')
    code = textwrap.dedent(f'''
        import os, sys
        from pathlib import Path
        from parity.capture import driver
        driver.CAPTURE_RPROFILE = Path({str(profile)!r})
        print(os.getpid(), flush=True)
        sys.exit(driver.main(["--out", "run", "--settings", '{{"epochs": 2}}', "--",
                              "Rscript", "analysis.R", "--epochs", "2"]))
    ''')
    env = {k: v for k, v in os.environ.items() if k != "R_PROFILE_USER"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          env={**env, "TZ": "UTC", "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    pid, out, settings, script, args, user = (tmp_path / "profile_saw.txt").read_text().splitlines()
    assert pid == proc.stdout.split()[0]  # execvpe: R is the driver's process
    assert (out, settings, script) == (str(tmp_path / "run"), '{"epochs": 2}', "analysis.R")
    assert json.loads(args) == ["--epochs", "2"] and user == str(tmp_path / ".Rprofile")
    assert (tmp_path / "script_saw.txt").read_text().splitlines() == ["--epochs", "2", "--file=analysis.R"]


def test_the_capture_modules_examples():
    import doctest

    for module in (driver, python_side):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0 and result.attempted > 0, module.__name__


def test_same_arrays_are_found_by_their_bits_not_their_memory_order():
    a = np.arange(24.0).reshape(4, 6)
    assert python_side._same_bits(a, np.asfortranarray(a))
    assert python_side._sample(a) == python_side._sample(np.asfortranarray(a))
    assert python_side._same_bits(np.array([np.nan]), np.array([np.nan]))  # the same NaN bits
    assert not python_side._same_bits(np.array([0.0]), np.array([-0.0]))
    assert not python_side._same_bits(a, a.astype(np.float32))
