"""The Python capture: hooks on Keras' model verbs, on the port's caret and on the statistics
functions a port computes caret's statistics with, and the recorder that turns the calls a
script makes into one contract run directory (``docs``: ``/work/notes/capture.md``; README
"Audit scripts as they are").

Nothing here imports TensorFlow, Keras, scikit-learn, SciPy, statsmodels or the port's caret:
the capture must not import what the script does not (an import can change what a script
does - TensorFlow's start-up, its threads). A module is patched when the script imports it
(:class:`_PatchingFinder`, a ``sys.meta_path`` finder whose loader patches the module right
after it is executed), or at :meth:`CaptureSession.install` when it is already imported.

Only a module's public attribute is patched (``sklearn.metrics.accuracy_score``, the class
attribute ``keras.Model.fit``): ``from sklearn.metrics import accuracy_score`` after the patch
gets the wrapper, a library's calls to its own internal names stay unrecorded, and a captured
function that calls another is recorded once (the outermost call: a depth counter).

Examples
--------
>>> STATISTIC_FUNCTIONS[0], CARET_FUNCTIONS["confusion_matrix"]
('sklearn.metrics.accuracy_score', 'confusionMatrix')
"""

from __future__ import annotations

import copy
import functools
import importlib.abc
import inspect
import math
import platform
import re
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from parity.contract import ARRAY_DTYPES, RunWriter, caret_values_of_port

__all__ = ["STATISTIC_FUNCTIONS", "STATISTIC_REEXPORTS", "CARET_FUNCTIONS", "CARET_MODULES",
           "KERAS_MODULES", "KERAS_METHODS", "REGRESSION_LOSSES", "CaptureSession", "call_label"]

#: the statistics functions captured (kind "statistic"), fully qualified by the public module a
#: script imports them from; covers parity.rules.crosswalk.MAPPED_FUNCTIONS (a test checks it)
STATISTIC_FUNCTIONS: tuple[str, ...] = (
    "sklearn.metrics.accuracy_score", "sklearn.metrics.cohen_kappa_score",
    "sklearn.metrics.confusion_matrix", "sklearn.metrics.precision_score",
    "sklearn.metrics.recall_score", "sklearn.metrics.f1_score", "sklearn.metrics.fbeta_score",
    "sklearn.metrics.precision_recall_fscore_support", "sklearn.metrics.classification_report",
    "sklearn.metrics.balanced_accuracy_score", "sklearn.metrics.roc_auc_score",
    "sklearn.metrics.log_loss", "sklearn.metrics.mean_squared_error",
    "sklearn.metrics.root_mean_squared_error", "sklearn.metrics.mean_absolute_error",
    "sklearn.metrics.r2_score",
    "scipy.stats.pearsonr", "scipy.stats.binomtest",
    "statsmodels.stats.contingency_tables.mcnemar", "statsmodels.stats.proportion.proportion_confint",
    "statsmodels.stats.inter_rater.cohens_kappa",
)
#: modules that re-export statistics functions under another public path (module -> the
#: attributes, each the function of STATISTIC_FUNCTIONS with that last part): a script that
#: writes ``import statsmodels.stats.api as sms`` calls the same function
STATISTIC_REEXPORTS: dict[str, tuple[str, ...]] = {
    "statsmodels.stats.api": ("mcnemar", "proportion_confint", "cohens_kappa"),
}
#: the port's caret functions (python_impl.caret) and caret's R name for each (kind "caret")
CARET_FUNCTIONS: dict[str, str] = {
    "confusion_matrix": "confusionMatrix", "confusion_matrix_from_table": "confusionMatrix",
    "post_resample": "postResample", "default_summary": "defaultSummary",
    "two_class_summary": "twoClassSummary", "pr_summary": "prSummary",
    "multi_class_summary": "multiClassSummary", "mn_log_loss": "mnLogLoss",
    "sensitivity": "sensitivity", "specificity": "specificity", "pos_pred_value": "posPredValue",
    "neg_pred_value": "negPredValue", "precision": "precision", "recall": "recall", "f_meas": "F_meas",
}
#: the port's caret: the package, and the modules defining the functions (python_impl's own
#: workflow calls ``confusion.confusion_matrix``); a function patched in its module is what the
#: package's ``from ... import`` binds, so each call is one wrapper
CARET_MODULES = ("python_impl.caret", "python_impl.caret.confusion", "python_impl.caret.measures",
                 "python_impl.caret.summaries")
#: the Keras packages whose ``Model`` class is patched (Keras 3 is ``tf.keras`` too; tf_keras
#: is Keras 2 under TF_USE_LEGACY_KERAS=1)
KERAS_MODULES = ("keras", "tf_keras")
KERAS_METHODS = ("compile", "fit", "evaluate", "predict")
#: compiled losses that make a run a regression (compared lower-case, without underscores)
REGRESSION_LOSSES = frozenset(
    s.replace("_", "") for s in (
        "mse", "mae", "mape", "msle", "huber", "huber_loss", "logcosh", "log_cosh",
        "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
        "mean_squared_logarithmic_error", "MeanSquaredError", "MeanAbsoluteError",
        "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "Huber", "LogCosh"))
_ROLE = re.compile(r"^[A-Za-z0-9_.]+$")
_MARK = "__parity_capture_original__"  # set on every wrapper: the function it wraps


@dataclass(frozen=True)
class _Hook:
    kind: str  # compile, fit, evaluate, predict, caret, statistic
    function: str
    library: str


def _hooks_by_module() -> dict[str, dict[str, _Hook]]:
    out: dict[str, dict[str, _Hook]] = {}
    for qualified in STATISTIC_FUNCTIONS:
        module, attr = qualified.rsplit(".", 1)
        out.setdefault(module, {})[attr] = _Hook("statistic", qualified, module.split(".")[0])
    by_attr = {q.rsplit(".", 1)[1]: q for q in STATISTIC_FUNCTIONS}
    for module, attrs in STATISTIC_REEXPORTS.items():
        out[module] = {attr: _Hook("statistic", by_attr[attr], module.split(".")[0]) for attr in attrs}
    for module in CARET_MODULES:
        out[module] = {attr: _Hook("caret", name, "python_impl.caret")
                       for attr, name in CARET_FUNCTIONS.items()}
    return out


_FUNCTION_HOOKS = _hooks_by_module()
_TARGETS = frozenset(_FUNCTION_HOOKS) | frozenset(KERAS_MODULES)


def call_label(call: Mapping[str, Any]) -> str:
    """How a failure message names a captured call: ``fit (keras)``."""
    return f"{call['function']} ({call['library']})"


# --------------------------------------------------------------------------- the session

_SESSION: CaptureSession | None = None
_DEPTH = threading.local()  # captured calls in progress on this thread: only the outermost records


class CaptureSession:
    """One capture: the hooks, the calls recorded in order, and the run directory being written
    (a :class:`RunWriter` opened at :meth:`install`: each call's arrays are written when the
    call returns, so they hold what the call was given even if the script changes them later).

    Parameters
    ----------
    out : path
        The run directory to write (new, or an empty directory).
    settings : mapping
        The audit's settings, recorded as the run's ``settings``.
    script : str
        The script as given (``analysis.py``, or ``-m package.module``).
    args : list of str
        Its command-line arguments.
    """

    def __init__(self, out: str | Path, *, settings: Mapping[str, Any], script: str, args: list[str]):
        self.writer = _DedupWriter(out, side="python", settings=settings)
        self.script, self.args = script, list(args)
        self.calls: list[dict[str, Any]] = self.writer.calls
        self._patched: list[tuple[Any, str, Any, bool]] = []  # owner, attribute, original, own attribute?
        self._finder: _PatchingFinder | None = None
        self._lock = threading.RLock()
        self._firsts: set[str] = set()  # parts already written (by kind or caret function)
        self._first_predict: tuple[str, str | None] | None = None  # output's array, task
        self._first_cm_data: np.ndarray | None = None

    # -- hooks
    def install(self) -> None:
        """Open the run directory's temporary copy, patch the target modules already imported
        and patch the others when they are imported."""
        global _SESSION
        if _SESSION is not None:
            raise RuntimeError("a capture is already installed in this process")
        self.writer.__enter__()
        _SESSION = self
        self._finder = _PatchingFinder(self._patch_module)
        sys.meta_path.insert(0, self._finder)
        for name in sorted(_TARGETS):
            module = sys.modules.get(name)
            if module is not None:
                self._patch_module(module)

    def uninstall(self) -> None:
        """Remove the finder and restore every patched attribute (the wrappers a script kept
        then call the original without recording)."""
        global _SESSION
        if self._finder is not None and self._finder in sys.meta_path:
            sys.meta_path.remove(self._finder)
        for owner, attr, original, own in reversed(self._patched):
            if own:
                setattr(owner, attr, original)
            else:
                delattr(owner, attr)  # a class attribute inherited before the patch
        self._patched.clear()
        if _SESSION is self:
            _SESSION = None

    def _patch_module(self, module) -> None:
        name = module.__name__
        if name in KERAS_MODULES:
            model = getattr(module, "Model", None)
            if isinstance(model, type):
                for method in KERAS_METHODS:
                    self._patch(model, method, _Hook(method, method, name))
            return
        for attr, hook in _FUNCTION_HOOKS.get(name, {}).items():
            self._patch(module, attr, hook)

    def _patch(self, owner, attr: str, hook: _Hook) -> None:
        original = getattr(owner, attr, None)
        if original is None or not callable(original) or hasattr(original, _MARK):
            return  # absent in this version, or already the wrapper (bound from a patched module)
        own = attr in vars(owner)
        setattr(owner, attr, _wrap(original, hook))
        self._patched.append((owner, attr, original, own))

    # -- the end
    def finish(self) -> Path:
        """Write the parts that wait for later calls, the ``capture`` section, versions and
        implementation, and rename the run directory into place."""
        w = self.writer
        if self._first_predict is not None:
            name, task = self._first_predict
            try:
                with self._transaction():
                    output = w.load(name)
                    classes = self._first_cm_data
                    if task == "regression" or classes is None or len(classes) != output.shape[0]:
                        classes = None
                    w.predictions(output, classes, task=task)
            except Exception as exc:  # recorded on the predict call; the run goes on
                self._note_error(name, exc)
        w.set("capture", {"script": self.script, "args": self.args, "calls": self.calls})
        w.set("versions", _versions())
        keras = next((m for m in KERAS_MODULES if m in sys.modules), None)
        w.set("implementation", {"name": "parity.capture", "keras": keras})
        w.__exit__(None, None, None)
        return w.out

    def abort(self) -> None:
        """Remove the temporary run directory: a failed script leaves no run directory."""
        if self.writer.tmp is not None and self.writer.tmp.exists():
            self.writer.__exit__(RuntimeError, RuntimeError("capture aborted"), None)

    def _note_error(self, array_name: str, exc: Exception) -> None:
        for call in self.calls:
            if array_name in call["arrays"].values():
                _add_error(call["values"], exc)
                return

    # -- recording
    def record(self, hook: _Hook, original, args: tuple, kwargs: dict, result: Any) -> None:
        """Record one call (never raises: a failure is kept in the call's values as
        ``capture_error`` and the script goes on)."""
        with self._lock:
            self.writer.recent = []  # identity holds within one call only (and keeps no array alive)
            index = len(self.calls) + 1
            call: dict[str, Any] = {"kind": hook.kind, "function": hook.function,
                                    "library": hook.library, "arrays": {}, "values": {}}
            self.calls.append(call)
            try:
                bound = _bind(original, args, kwargs)
                recorder = getattr(self, f"_record_{hook.kind}")
                recorder(call, index, bound, result)
            except Exception as exc:
                _add_error(call["values"], exc)
            finally:
                self.writer.recent = []

    def _parts(self, call: dict[str, Any], key: str, write: Callable[[], None]) -> None:
        """Write the contract's parts from the first call of ``key``; a failure is kept on the
        call and undoes what the part had written."""
        if key in self._firsts:
            return
        self._firsts.add(key)
        try:
            with self._transaction():
                write()
        except Exception as exc:
            _add_error(call["values"], exc)

    def _transaction(self):
        return _Transaction(self)

    def _array(self, call: dict[str, Any], index: int, role: str, values) -> None:
        """One array of a call under ``role`` (written once: a part's array is referenced)."""
        call["arrays"][role] = self.writer.capture_array(f"capture.{index}.{role}", values)

    def _argument(self, call: dict[str, Any], index: int, role: str, value: Any) -> None:
        """An argument: numbers as an array, labels as 0-based codes with their levels, a data
        frame column by column, anything else as a JSON value."""
        if not _ROLE.match(role):
            role = "argument"
        if _is_data_frame(value):
            columns = [str(c) for c in value.columns]
            if all(value[c].dtype.kind in "biuf" for c in value.columns):
                self._array(call, index, role, value.to_numpy())
                call["values"][f"{role}_index"] = [_json(v) for v in value.index.tolist()]
            else:
                for i, column in enumerate(value.columns):
                    name = f"{role}.{column}" if _ROLE.match(str(column)) else f"{role}.{i}"
                    self._argument(call, index, name, value[column])
            call["values"][f"{role}_columns"] = columns
            return
        several = _arrays_in(value)
        if several is not None:
            for key, item in several.items():
                self._argument(call, index, f"{role}.{key}" if _ROLE.match(key) else role, item)
            call["values"][f"{role}_items"] = list(several)
            return
        converted = _as_array(value)
        if converted is None:
            call["values"][role] = _json(value)
            return
        arr, levels = converted
        self._array(call, index, role, arr)
        if levels is not None:
            call["values"][f"{role}_levels"] = levels

    def _result(self, call: dict[str, Any], index: int, result: Any) -> None:
        """A statistics function's result: numbers as the array ``result`` (a number is one
        value), a tuple item by item (``result.<i>``), a mapping or a result object as JSON
        (``values.result``: its numeric attributes), text as text."""
        values = call["values"]
        numbers = None if _is_result_object(result) or isinstance(result, (tuple, list)) else _numbers(result)
        if numbers is not None:
            values["result_type"] = "scalar" if np.ndim(result) == 0 else "array"
            self._array(call, index, "result", numbers)
        elif isinstance(result, str) or result is None:
            values["result_type"], values["result"] = "value", _json(result)
        elif isinstance(result, Mapping):
            values["result_type"], values["result"] = "mapping", _json(dict(result))
        elif isinstance(result, (tuple, list)) and not _is_result_object(result):
            values["result_type"], values["result_length"] = "tuple", len(result)
            for i, item in enumerate(result):
                item_numbers = _numbers(item)
                if item_numbers is None:
                    values[f"result.{i}"] = _json(item)
                else:
                    self._array(call, index, f"result.{i}", item_numbers)
        else:  # a result object (scipy's, statsmodels'): its numeric attributes
            values["result_type"], values["result"] = "object", _attributes(result)
            values["result_class"] = type(result).__name__

    def _arguments(self, call: dict[str, Any], index: int, bound: dict[str, Any]) -> None:
        for name, value in bound.items():
            self._argument(call, index, name, value)

    def _record_statistic(self, call, index, bound: dict[str, Any], result) -> None:
        self._arguments(call, index, bound)
        self._result(call, index, result)

    def _record_caret(self, call, index, bound: dict[str, Any], result) -> None:
        w = self.writer
        function = call["function"]
        if function == "confusionMatrix":
            v = caret_values_of_port(result)
            call["values"]["names"] = v.overall_names
            call["values"]["by_class_names"] = v.by_class_names
            call["values"]["by_class_rows"] = v.by_class_rows
            call["values"]["levels"] = v.levels

            def parts() -> None:
                data, reference = bound.get("data"), bound.get("reference")
                w.caret(result, data=data, reference=reference, prevalence=bound.get("prevalence"))
                if data is not None:
                    self._first_cm_data = result.level_codes(data)
                if reference is not None and "test_labels" not in w.meta["arrays"]:
                    w.labels(test=result.level_codes(reference))

            self._parts(call, function, parts)
            self._arguments(call, index, bound)
            self._array(call, index, "result", v.overall)
            self._array(call, index, "by_class", v.by_class)
            return
        if function == "postResample":
            self._parts(call, function, lambda: w.post_resample(result, pred=bound["pred"], obs=bound["obs"]))
        elif function in ("defaultSummary", "twoClassSummary", "prSummary", "multiClassSummary", "mnLogLoss"):
            self._parts(call, function, lambda: w.summary(function, result, data=bound["data"],
                                                          lev=bound.get("lev")))
        self._arguments(call, index, bound)
        if hasattr(result, "index") and hasattr(result, "to_numpy"):  # a named numeric: a Series
            call["values"]["names"] = [str(k) for k in result.index]
            self._array(call, index, "result", result.to_numpy(dtype=np.float64))
        else:
            call["values"]["names"] = None  # an unnamed number, as R's
            self._array(call, index, "result", np.asarray(result, dtype=np.float64).reshape(-1))

    def _record_compile(self, call, index, bound: dict[str, Any], result) -> None:
        model = bound["self"]
        optimizer = getattr(model, "optimizer", None)
        learning_rate: Any = None
        if optimizer is not None and hasattr(optimizer, "learning_rate"):
            try:
                learning_rate = float(np.asarray(optimizer.learning_rate))
            except (TypeError, ValueError):  # a schedule: its class
                learning_rate = type(optimizer.learning_rate).__name__
        metrics = bound.get("metrics") or []
        metrics = metrics if isinstance(metrics, (list, tuple)) else [metrics]
        call["values"].update({
            "loss": _loss_name(bound.get("loss")),
            "optimizer": type(optimizer).__name__ if optimizer is not None else _json(bound.get("optimizer")),
            "learning_rate": _json(learning_rate),
            "metrics": [_metric_name(m) for m in metrics],
        })

    def _record_fit(self, call, index, bound: dict[str, Any], history) -> None:
        w, model = self.writer, bound["self"]
        full = _bind_defaults(bound)
        x, y, sw = (_as_array(full.get(k), labels=False) for k in ("x", "y", "sample_weight"))
        callbacks = full.get("callbacks") or []
        class_weight = full.get("class_weight")
        regression = _is_regression(model)
        logs = dict(getattr(history, "history", {}) or {})
        call["values"].update({
            "epochs": _json(full.get("epochs")), "batch_size": _json(full.get("batch_size")),
            "validation_split": _json(full.get("validation_split")), "shuffle": _json(full.get("shuffle")),
            "epochs_run": len(getattr(history, "epoch", []) or []),
            "class_weight": None if class_weight is None else {
                _class_key(k): _json(v) for k, v in class_weight.items()},
            "callbacks": [type(cb).__name__ for cb in callbacks],
        })

        def parts() -> None:
            if x is not None:
                w.data("fit_x", x[0], full_shape=x[0].shape)
                w.normalization("train", x[0], save=True)
            if y is not None:
                w.data("fit_y", y[0], full_shape=y[0].shape)
                classes = None if regression else _classes(y[0])
                if classes is not None:
                    w.labels(train=classes)
            w.history(logs)
            if class_weight is not None or sw is not None:
                w.weights(class_weight=class_weight, sample_weight=None if sw is None else sw[0])
            stopping = [cb for cb in callbacks
                        if any(c.__name__ == "EarlyStopping" for c in type(cb).__mro__)]
            if stopping:
                w.early_stopping(stopping[0], history)
            w.model(model, _summary_text(model))

        self._parts(call, "fit", parts)
        for role, converted in (("x", x), ("y", y), ("sample_weight", sw)):
            if converted is not None:
                self._array(call, index, role, converted[0])
            elif full.get(role) is not None:  # several inputs, a dataset, a generator
                self._argument(call, index, role, full[role])
        for metric, values in logs.items():
            if _ROLE.match(metric):
                self._array(call, index, f"history.{metric}", np.asarray(values, dtype=np.float64))

    def _record_evaluate(self, call, index, bound: dict[str, Any], result) -> None:
        model = bound["self"]
        names, values = _evaluate_results(model, result)
        call["values"]["names"] = names
        self._parts(call, "evaluate", lambda: self.writer.evaluation(dict(zip(names, values, strict=True))))
        for role in ("x", "y"):
            self._argument(call, index, role, bound.get(role))
        self._array(call, index, "values", np.asarray(values, dtype=np.float64))

    def _record_predict(self, call, index, bound: dict[str, Any], output) -> None:
        w, model = self.writer, bound["self"]
        x = _as_array(bound.get("x"), labels=False)
        task = "regression" if _is_regression(model) else None

        def parts() -> None:
            if x is not None:
                w.data("predict_x", x[0], full_shape=x[0].shape)
                w.normalization("test", x[0], save=True)

        self._parts(call, "predict", parts)
        if x is not None:
            self._array(call, index, "x", x[0])
        else:
            self._argument(call, index, "x", bound.get("x"))
        out = _as_array(output, labels=False)
        if out is None:
            call["values"]["output"] = _json(output)
            return
        self._array(call, index, "output", out[0])
        if self._first_predict is None:  # predictions() waits for the first confusionMatrix's data
            self._first_predict = (call["arrays"]["output"], task)


class _Transaction:
    """Undo what a part wrote to run.json's index when it fails (a half-written part would
    make the whole run fail the schema at the end)."""

    def __init__(self, session: CaptureSession):
        self.session = session

    def __enter__(self):
        w = self.session.writer
        self.meta = copy.deepcopy(w.meta)
        self.arrays = [(call, dict(call["arrays"])) for call in self.session.calls]
        self.by_kind = {k: list(v) for k, v in w.by_kind.items()}
        self.samples = dict(w.samples)
        self.recent = list(w.recent)
        w.renames = []
        return self

    def __exit__(self, exc_type, exc, tb):
        w = self.session.writer
        if exc_type is not None:
            for old, new in reversed(w.renames):
                w.rename_file(new, old)
            w.meta, w.by_kind, w.recent, w.samples = self.meta, self.by_kind, self.recent, self.samples
            for call, arrays in self.arrays:  # in place: the recorder holds these dicts
                call["arrays"] = arrays
        w.renames = []
        return False


class _DedupWriter(RunWriter):
    """A :class:`RunWriter` that writes each array once: a captured call's array equal (dtype,
    shape, every bit) to one already written is referenced by that name, and a part equal to a
    call's array takes over its file (the call then names the part).

    Cheap for large arrays: the same object written twice during one call (the first fit's x is
    the part normalized.train and the call's x) is recognised by identity; otherwise only an
    array of the same dtype and shape is compared, bit by bit, with its file (memory-mapped).
    """

    def __init__(self, out, *, side, settings):
        super().__init__(out, side=side, settings=settings)
        self.by_kind: dict[tuple[str, tuple[int, ...]], list[str]] = {}  # (dtype, shape) -> names
        self.samples: dict[str, bytes] = {}  # name -> _sample(): most different arrays differ there
        self.recent: list[tuple[np.ndarray, str]] = []  # written during the call being recorded
        self.renames: list[tuple[str, str]] = []
        self.calls: list[dict[str, Any]] = []  # the session's calls (their array names follow a rename)

    def same_array(self, arr: np.ndarray) -> str | None:
        """The name of an array already written with the same dtype, shape and bits, or None."""
        kind = _kind(arr)
        if kind is None:
            return None
        for obj, name in self.recent:
            if obj is arr:
                return name
        candidates = self.by_kind.get(kind, [])
        sample = _sample(arr) if candidates else b""
        for name in candidates:
            if self.samples.get(name) == sample and _same_bits(arr, self.load(name, mmap=True)):
                return name
        return None

    def array(self, name: str, values) -> None:
        arr = np.asarray(values)
        owner = self.same_array(arr)
        if owner is not None and owner.startswith("capture.") and not name.startswith("capture."):
            self.rename_file(owner, name)
            self.renames.append((owner, name))
            for call in self.calls:
                call["arrays"] = {r: name if n == owner else n for r, n in call["arrays"].items()}
            return
        super().array(name, arr)
        kind = _kind(arr)
        if kind is not None and owner is None:
            self.by_kind.setdefault(kind, []).append(name)
            self.samples[name] = _sample(arr)
            self.recent.append((arr, name))

    def capture_array(self, name: str, values) -> str:
        """Write a captured call's array unless the same array is written; its name."""
        arr = np.asarray(values)
        owner = self.same_array(arr)
        if owner is not None:
            return owner
        self.array(name, arr)
        return name

    def rename_file(self, old: str, new: str) -> None:
        assert self.tmp is not None
        entry = self.meta["arrays"].pop(old)
        (self.tmp / entry["file"]).rename(self.tmp / f"{new}.npy")
        self.meta["arrays"][new] = {**entry, "file": f"{new}.npy"}
        self.by_kind = {k: [new if n == old else n for n in names] for k, names in self.by_kind.items()}
        self.recent = [(obj, new if n == old else n) for obj, n in self.recent]
        self.samples[new] = self.samples.pop(old)

    def load(self, name: str, *, mmap: bool = False) -> np.ndarray:
        assert self.tmp is not None
        return np.load(self.tmp / self.meta["arrays"][name]["file"], allow_pickle=False,
                       mmap_mode="r" if mmap else None)


def _kind(arr: np.ndarray) -> tuple[str, tuple[int, ...]] | None:
    """dtype (little-endian, as written) and shape; None for what a run cannot hold."""
    if arr.dtype.kind not in "biuf" or arr.dtype.newbyteorder("<").str not in ARRAY_DTYPES:
        return None
    return arr.dtype.newbyteorder("<").str, tuple(arr.shape)


def _sample(arr: np.ndarray) -> bytes:
    """At most 256 of an array's values, evenly spaced in C order: a cheap first test before
    two arrays of the same dtype and shape are compared in full."""
    if arr.ndim == 0 or arr.size == 0:
        return np.ascontiguousarray(arr).tobytes()
    positions = np.unique(np.linspace(0, arr.size - 1, num=min(256, arr.size)).astype(np.int64))
    return arr[np.unravel_index(positions, arr.shape)].tobytes()  # no copy of the whole array


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal to the bit (NaN payloads and -0.0 included), whatever the memory order."""
    if a.shape != b.shape or a.dtype.itemsize != b.dtype.itemsize:
        return False
    bits = np.dtype(f"u{a.dtype.itemsize}")
    return bool(np.array_equal(np.asarray(a, a.dtype.newbyteorder("=")).view(bits),
                               np.asarray(b, b.dtype.newbyteorder("=")).view(bits)))


# --------------------------------------------------------------------------- hooks


def _wrap(original, hook: _Hook):
    """The wrapper: calls ``original`` with the same arguments and returns its result (the same
    object); exceptions pass through; the outermost captured call is recorded when it returns."""

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        session = _SESSION
        depth = getattr(_DEPTH, "n", 0)
        if session is None or depth:
            return original(*args, **kwargs)
        _DEPTH.n = 1
        try:
            result = original(*args, **kwargs)
            session.record(hook, original, args, kwargs, result)  # still at depth 1: nothing it calls records
        finally:
            _DEPTH.n = 0
        return result

    setattr(wrapper, _MARK, original)
    return wrapper


class _PatchingLoader:
    """Delegates to the module's own loader; patches the module once it has been executed."""

    def __init__(self, loader, patch: Callable[[Any], None]):
        self._loader, self._patch = loader, patch

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        self._loader.exec_module(module)
        try:
            self._patch(module)
        except Exception:  # a hook that cannot be installed must not break the import
            pass

    def __getattr__(self, name: str):  # get_resource_reader, get_source, is_package, ...
        return getattr(self._loader, name)


class _PatchingFinder(importlib.abc.MetaPathFinder):
    """Finds the target modules through the other finders and wraps their loader, so each is
    patched when the script imports it (importing them ourselves would change the script's run)."""

    def __init__(self, patch: Callable[[Any], None]):
        self._patch = patch

    def find_spec(self, fullname, path, target=None):
        if fullname not in _TARGETS:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _PatchingLoader(spec.loader, self._patch)  # type: ignore[assignment]
                return spec
        return None


# --------------------------------------------------------------------------- conversions


def _bind(original, args: tuple, kwargs: dict) -> dict[str, Any]:
    """The arguments given, by parameter name (``**kwargs`` flattened)."""
    bound = _signature(original).bind(*args, **kwargs).arguments
    out: dict[str, Any] = {}
    for name, value in bound.items():
        if _signature(original).parameters[name].kind is inspect.Parameter.VAR_KEYWORD:
            out.update(value)
        elif _signature(original).parameters[name].kind is inspect.Parameter.VAR_POSITIONAL:
            out.update({f"{name}.{i}": v for i, v in enumerate(value)})
        else:
            out[name] = value
    return out


@functools.cache
def _signature(function) -> inspect.Signature:
    return inspect.signature(function)


def _bind_defaults(bound: dict[str, Any]) -> dict[str, Any]:
    """fit()'s arguments with the defaults of the Keras that ran (epochs, shuffle, ...)."""
    model = bound["self"]
    params = _signature(type(model).fit).parameters
    return {**{k: p.default for k, p in params.items() if p.default is not inspect.Parameter.empty},
            **bound}


def _is_data_frame(value) -> bool:
    return hasattr(value, "columns") and hasattr(value, "iloc") and hasattr(value, "to_numpy")


def _as_array(value, *, labels: bool = True) -> tuple[np.ndarray, list[str] | None] | None:
    """(array, levels) of an array-like: numbers and booleans as they are (float16 as float64);
    labels (strings, a pandas Categorical) as int32 0-based codes and their levels (R's
    factor(): a Categorical's categories, else the sorted unique strings; -1: missing).
    None for anything else (a number, a string, an object, a dataset)."""
    if value is None or isinstance(value, (str, bytes, bool, int, float, complex, Mapping, np.generic)):
        return None
    if labels and hasattr(value, "dtype") and str(getattr(value, "dtype", "")) == "category":
        value = value.array if hasattr(value, "array") else value
    if labels and hasattr(value, "codes") and hasattr(value, "categories"):  # a pandas Categorical
        return np.asarray(value.codes, dtype=np.int32), [str(c) for c in value.categories]
    if not (isinstance(value, (list, tuple, np.ndarray)) or hasattr(value, "__array__")):
        return None
    if _arrays_in(value) is not None:  # a model's several inputs: not one array
        return None
    try:
        arr = np.asarray(value)
    except Exception:
        return None
    if arr.dtype.kind in "biu" or arr.dtype.kind == "f" and arr.dtype.itemsize in (4, 8):
        return arr, None
    if arr.dtype.kind == "f":
        return arr.astype(np.float64), None
    if labels and arr.dtype.kind in "UO" and arr.ndim == 1:
        strings = [None if _missing(v) else str(v) for v in arr.tolist()]
        if arr.dtype.kind == "O" and not all(s is None or isinstance(v, str)
                                              for s, v in zip(strings, arr.tolist(), strict=True)):
            return None
        levels = sorted({s for s in strings if s is not None})
        index = {s: i for i, s in enumerate(levels)}
        return np.array([-1 if s is None else index[s] for s in strings], dtype=np.int32), levels
    return None


def _numbers(value) -> np.ndarray | None:
    """A numeric result as an array: a number as one value, an array as it is; else None."""
    if isinstance(value, (bool, np.bool_)):
        return np.array([value])
    if isinstance(value, (int, float, np.integer, np.floating)):
        return np.asarray(value).reshape(1)
    converted = _as_array(value, labels=False)
    return None if converted is None else converted[0]


def _arrays_in(value) -> dict[str, Any] | None:
    """The items of a list, tuple or mapping of arrays (a multi-input model's x), by position or
    key; None for anything else (a list of numbers is one array)."""
    if isinstance(value, Mapping):
        items = {str(k): v for k, v in value.items()}
    elif isinstance(value, (list, tuple)):
        items = {str(i): v for i, v in enumerate(value)}
    else:
        return None
    if items and all(isinstance(v, np.ndarray) or hasattr(v, "__array__") and hasattr(v, "shape")
                     for v in items.values()):
        return items
    return None


def _is_result_object(value) -> bool:
    """scipy's and statsmodels' test results (some are tuples: PearsonRResult)."""
    return not isinstance(value, (np.ndarray, Mapping)) and (hasattr(value, "pvalue")
                                                              or hasattr(value, "statistic"))


def _missing(v) -> bool:
    return v is None or isinstance(v, float) and math.isnan(v)


def _json(value: Any) -> Any:
    """A JSON value: numbers (non-finite ones as the strings "NaN", "Inf", "-Inf"), strings,
    booleans, null, lists and objects of them; an object as its class name."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return value if math.isfinite(value) else ("Inf" if value > 0 else "-Inf")
    if isinstance(value, np.generic):
        return _json(value.item())
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if isinstance(value, np.ndarray) and value.size <= 1000:
        return _json(value.tolist())
    if isinstance(value, type):
        return value.__name__
    return type(value).__name__


def _attributes(obj) -> dict[str, Any]:
    """A result object's public numeric (and text) attributes, as JSON."""
    out: dict[str, Any] = {}
    for name in dir(obj):
        if name.startswith("_"):
            continue
        try:
            v = getattr(obj, name)
        except Exception:
            continue
        if isinstance(v, (bool, int, float, str, np.number, np.bool_)):
            out[name] = _json(v)
    return out


def _add_error(values: dict[str, Any], exc: BaseException) -> None:
    message = f"{type(exc).__name__}: {exc}"
    values["capture_error"] = message if "capture_error" not in values else \
        f"{values['capture_error']}; {message}"


def _loss_name(loss) -> Any:
    if loss is None or isinstance(loss, str):
        return loss
    if isinstance(loss, (list, tuple)):
        return [_loss_name(v) for v in loss]
    if isinstance(loss, Mapping):
        return {str(k): _loss_name(v) for k, v in loss.items()}
    if inspect.isfunction(loss) or inspect.isbuiltin(loss):
        return loss.__name__
    return type(loss).__name__


def _metric_name(metric) -> Any:
    if isinstance(metric, str) or metric is None:
        return metric
    if isinstance(metric, (list, tuple, Mapping)):
        return _json(metric)
    return getattr(metric, "__name__", None) or type(metric).__name__


def _is_regression(model) -> bool:
    name = _loss_name(getattr(model, "loss", None))
    return isinstance(name, str) and name.replace("_", "").lower() in {s.lower() for s in REGRESSION_LOSSES}


def _classes(y: np.ndarray) -> np.ndarray | None:
    """The classes a classifier's target holds: one-hot rows -> the 0-based argmax (int32);
    whole numbers (a vector, or n x 1) -> integers; None for anything else."""
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1).astype(np.int32)
    flat = y.reshape(-1) if y.ndim == 2 else y
    if flat.ndim != 1:
        return None
    if flat.dtype.kind in "iu":
        return flat
    if flat.dtype.kind == "b":
        return flat.astype(np.int32)
    if flat.size and bool(np.all(np.isfinite(flat))) and bool(np.all(flat == np.round(flat))):
        return flat.astype(np.int32)
    return None


def _class_key(key) -> str:
    if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
        return str(int(key))
    if isinstance(key, (float, np.floating)) and float(key).is_integer():
        return str(int(key))
    return str(key)


def _summary_text(model) -> str:
    lines: list[str] = []
    model.summary(print_fn=lambda line, **_: lines.append(line))
    return "\n".join(lines)


def _evaluate_results(model, result) -> tuple[list[str], list[float]]:
    """evaluate()'s names and values, the loss first (as R keras names them): a dict as it is;
    a list (or one number) in Keras' order - the loss, then the compiled metrics."""
    if isinstance(result, Mapping):
        names = [str(k) for k in result]
        names = (["loss"] if "loss" in names else []) + [n for n in names if n != "loss"]
        return names, [float(result[n]) for n in names]
    values = [float(v) for v in (result if isinstance(result, (list, tuple)) else [result])]
    names = []
    for metric in getattr(model, "metrics", []):
        inner = getattr(metric, "metrics", None)  # Keras 3 wraps the compiled metrics in one
        names.extend([m.name for m in inner] if isinstance(inner, list) else [metric.name])
    if len(names) != len(values):
        names = list(getattr(model, "metrics_names", []))
    if len(names) != len(values):
        raise ValueError(f"evaluate() returned {len(values)} values; the model names {names}")
    return names, values


def _versions() -> dict[str, str]:
    """Versions of what the script ran with (only the modules it imported)."""
    out = {"python": platform.python_version(), "numpy": np.__version__}
    for module in ("tensorflow", "keras", "tf_keras", "sklearn", "scipy", "statsmodels", "pandas"):
        version = getattr(sys.modules.get(module), "__version__", None)
        if isinstance(version, str):
            out[module] = version
    keras = next((m for m in KERAS_MODULES if m in sys.modules), None)
    if keras is not None:
        out["keras_package"] = keras
    return out

