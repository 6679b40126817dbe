"""The run-artifact contract ``parity-run`` (version 1): what one side of an audit writes, the
Python writer, and the engine's one reader.

A run directory holds

- ``run.json`` - strict JSON (no NaN): the contract's name and version, the side, its task
  (regression, binary, multiclass), the settings it ran with, versions, data facts, model
  layers, callbacks' facts, the names of caret's and ``evaluate()``'s results, timings, and an
  index of the arrays and texts below (JSON Schema: ``parity/schemas/parity-run-1.schema.json``);
- one ``.npy`` file per array (NPY format 1.0, little-endian numbers only, C or Fortran order):
  every number the engine compares - labels, probabilities or predicted values, predicted
  classes, the binary threshold, per-epoch history, normalization summaries, ``evaluate()``'s
  results, class and sample weights, caret's table, ``$overall`` and ``$byClass``, caret's
  measures and their inputs (binary, so every bit stays, and R's NA and NaN stay apart; R's
  jsonlite writes JSON numbers with 15 significant digits), optionally the normalized images;
- one UTF-8 ``.txt`` file per printed text (the model summary, caret's print).

Nothing in a run directory is executed or unpickled: JSON is parsed, arrays are read with
``numpy.load(allow_pickle=False)`` after their header was checked against ``run.json``. R
writes the same layout with ``r_reference/parity_run.R`` (``source()`` it; arrays through
``writeBin``), Python with :class:`RunWriter`; :func:`read_run` reads either into one
:class:`RunRecord`.

Examples
--------
>>> import numpy as np, tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "run"
>>> with RunWriter(out, side="python", settings={"seed": 42}) as run:
...     run.predictions(np.array([[0.9, 0.1], [0.2, 0.8]], dtype=np.float32))
>>> record = read_run(out)
>>> record.predicted.tolist(), record.settings
([0, 1], {'seed': 42})
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib import format as npy

from parity.contract.schema_check import schema_errors
from parity.errors import ParityError
from parity.paths import SCHEMAS, check_output_dir  # (re-exported: the contract's writers use it)
from parity.rnum import R_INT_MAX  # R's 32-bit integers (layer 0, NumPy only)

__all__ = ["CONTRACT", "CONTRACT_VERSION", "SCHEMA_FILE", "SIDES", "ARRAY_DTYPES",
           "ContractError", "RunWriter", "read_run", "RunRecord", "DataFact", "Layer", "Normalization",
           "TASKS", "r_typeof", "class_values", "output_rows", "Measure", "MEASURE_FUNCTIONS",
           "CaretValues", "caret_values_of_port", "layer_rows", "check_output_dir",
           "predicted_classes", "schema", "drop_arrays", "Capture", "CapturedCall",
           "EXECUTION_SETTINGS_ENV", "execution_settings", "checkpoint_identity", "SIDE_LABELS"]

CONTRACT = "parity-run"
CONTRACT_VERSION = 1
SCHEMA_FILE = SCHEMAS / f"{CONTRACT}-{CONTRACT_VERSION}.schema.json"
SIDES = ("r", "python")
#: how messages and reports show each side
SIDE_LABELS = {"r": "R", "python": "Python"}
#: the only NPY dtypes a run may hold: numbers and booleans (an object array could hide a pickle)
ARRAY_DTYPES = ("|b1", "|u1", "|i1", "<u2", "<i2", "<i4", "<i8", "<f4", "<f8")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")


class ContractError(ParityError, ValueError):
    """A run directory that does not follow the contract; the message names the file and the
    field, what was found and what was expected."""


@functools.cache
def _schema_text() -> str:
    return SCHEMA_FILE.read_text(encoding="utf-8")


def schema() -> dict[str, Any]:
    """The contract's JSON Schema (draft 2020-12): every rule of run.json the reader relies on."""
    return json.loads(_schema_text())


def check_schema(meta: Any, where: str) -> None:
    """ContractError naming the first fields of ``meta`` (a parsed run.json, from ``where``)
    that break the contract's schema; nothing when it is valid."""
    errors = schema_errors(meta, schema())
    if errors:
        shown = "; ".join(f"{path or 'run.json'}: {message}" for path, message in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        raise ContractError(f"{where}: {shown}{more}")


# --------------------------------------------------------------------------- the record


@dataclass(frozen=True)
class DataFact:
    """One input array as a side loaded it: full dims, dims used, and its type (R ``typeof``
    or NumPy dtype name). ``typeof`` is the R type the values correspond to, which the Python
    writer records (:func:`r_typeof`); None when the run did not say (then the check maps the
    dtype name)."""

    full_dim: list[int]
    dim: list[int]
    type: str
    typeof: str | None = None


#: tasks a run declares (``task`` in run.json); the predictions checks follow it
TASKS = ("regression", "binary", "multiclass")


def r_typeof(values) -> str | None:
    """The R type an array's values correspond to, by meaning rather than by width: integers
    that fit R's 32-bit integer (NA is INT_MIN, so -2^31 does not) are ``"integer"`` whatever
    their NumPy width; float64 is ``"double"``; bool is ``"logical"``. None when R has no such
    type (float32, or integers beyond R's range).

    Examples
    --------
    >>> import numpy as np
    >>> r_typeof(np.array([0, 9], dtype=np.int64)), r_typeof(np.zeros(2, np.uint8))
    ('integer', 'integer')
    >>> r_typeof(np.array([2**31])), r_typeof(np.zeros(2)), r_typeof(np.zeros(2, np.float32))
    (None, 'double', None)
    """
    arr = np.asarray(values)
    if arr.dtype.kind == "b":
        return "logical"
    if arr.dtype == np.float64:
        return "double"
    if arr.dtype.kind in "iu":
        if arr.size == 0:
            return "integer"
        lo, hi = int(arr.min()), int(arr.max())
        return "integer" if -R_INT_MAX <= lo and hi <= R_INT_MAX else None
    return None


def class_values(values: np.ndarray | None) -> np.ndarray | None:
    """Class labels or codes as the checks compare them: one value per row (an n x 1 array is
    its flattening), and doubles that are all whole numbers as integers - R's ``ifelse(p >
    0.5, 1, 0)`` gives the doubles 0 and 1, which are the classes 0 and 1, not "0.0" and "1.0"."""
    if values is None:
        return None
    arr = np.asarray(values)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.dtype.kind == "f" and arr.size and bool(np.all(np.isfinite(arr))) \
            and bool(np.all(arr == np.round(arr))) and float(np.abs(arr).max()) <= 2**53:
        arr = arr.astype(np.int64)
    return arr


def output_rows(values: np.ndarray | None) -> np.ndarray | None:
    """A model's outputs with one row per example: a vector of n outputs is the n x 1 matrix
    it flattens (``predict()`` of one unit is n x 1 in R and often flattened in Python)."""
    if values is None:
        return None
    arr = np.asarray(values, dtype=np.float64)
    return arr.reshape(-1, 1) if arr.ndim == 1 else arr


@dataclass(frozen=True)
class Normalization:
    """Summary of one normalized array: its storage (R ``storage.mode`` or NumPy dtype) and its
    minimum, maximum and mean (None when the run recorded none).

    ``exact`` says whether the numbers keep every bit: they do when they come from the array
    ``normalization.<part>.min_max_mean`` (both writers write it) or from a JSON number the
    Python writer wrote (shortest round-trip repr). An older R writer put them in run.json
    through jsonlite, which keeps 15 significant digits: ``exact`` is then False and the
    checks compare at 15 digits, saying so.
    """

    storage: str
    min: float | None
    max: float | None
    mean: float | None
    exact: bool


@dataclass(frozen=True)
class Layer:
    name: str
    cls: str
    output_shape: list[int | None]
    params: int


@dataclass(frozen=True)
class CaretValues:
    """caret's ``confusionMatrix`` result in one form, from R (a run, or rpy2) or from the port.

    ``overall`` follows ``overall_names``; ``by_class`` is k x 11 (one row for two classes), in
    caret's column order. R's NA is the NaN with payload 1954 (:func:`python_impl.caret.is_na`),
    so NA and NaN stay apart wherever the values travel as binary doubles.
    """

    levels: list[str]
    table: np.ndarray
    overall_names: list[str]
    overall: np.ndarray
    by_class_names: list[str]
    by_class_rows: list[str]
    by_class: np.ndarray
    positive: str | None = None
    mode: str = "sens_spec"
    text: str = ""
    #: the prevalence given to caret (None: computed from the table)
    prevalence: float | dict[str, float] | None = None

    def overall_value(self, name: str) -> float:
        return float(self.overall[self.overall_names.index(name)])


#: caret's performance functions a run may record (``measures`` in run.json), and the port's
#: name for each (python_impl.caret)
MEASURE_FUNCTIONS = {"postResample": "post_resample", "defaultSummary": "default_summary",
                     "twoClassSummary": "two_class_summary", "prSummary": "pr_summary",
                     "multiClassSummary": "multi_class_summary", "mnLogLoss": "mn_log_loss"}


@dataclass(frozen=True)
class Measure:
    """One caret performance function's result and the inputs it was given, so the audit can
    recompute it on the other side (R's caret on the port's inputs, the port on R's).

    ``values`` follow ``names`` (R's NA is the NaN with payload 1954). Class inputs are 0-based
    codes (-1: NA) into ``levels`` (``obs``) and ``pred_levels`` (``pred``); numeric inputs
    (a regression's ``postResample``) are the values, and ``levels`` is None.
    ``probabilities`` has one column per name in ``probability_columns``; ``lev`` is the
    ``lev`` argument given (None: R's NULL).
    """

    function: str
    names: list[str]
    values: np.ndarray
    obs: np.ndarray | None = None
    pred: np.ndarray | None = None
    levels: list[str] | None = None
    pred_levels: list[str] | None = None
    probabilities: np.ndarray | None = None
    probability_columns: list[str] = field(default_factory=list)
    lev: list[str] | None = None


def caret_values_of_port(cm) -> CaretValues:
    """:class:`CaretValues` of a :class:`python_impl.caret.ConfusionMatrix` (read through its
    ``overall`` mapping and ``by_class`` pandas object, which carry caret's names in caret's
    order: the contract imports nothing of the port)."""
    bc = cm.by_class
    two = bc.ndim == 1
    names = [str(k) for k in (bc.index if two else bc.columns)]
    return CaretValues(
        levels=cm.levels, table=cm.table.to_numpy(), overall_names=[str(k) for k in cm.overall],
        overall=np.array([cm.overall[k] for k in cm.overall], dtype=np.float64),
        by_class_names=names,
        by_class_rows=[] if two else [str(r) for r in bc.index],
        by_class=np.asarray(bc.to_numpy(dtype=np.float64)).reshape(-1, len(names)),
        positive=cm.positive, mode=cm.mode, text=str(cm))


@dataclass(frozen=True)
class CapturedCall:
    """One library call a capture recorded (run.json ``capture.calls``): ``kind`` (compile,
    fit, evaluate, predict, caret, statistic), ``function``, ``library``, its arrays by role
    (loaded) and its other facts."""

    index: int  # 1-based, in the order the script made the calls
    kind: str
    function: str
    library: str
    arrays: dict[str, np.ndarray]
    values: dict[str, Any]
    #: role -> the name of its array in the run (``capture.<i>.<role>``, or a part's array)
    array_names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Capture:
    """A captured run: the script the side ran, its arguments, and its calls in order."""

    script: str
    args: list[str]
    calls: list[CapturedCall]


@dataclass
class RunRecord:
    """Everything one side produced, as the engine compares it. Optional parts are None when
    the run did not write them; the checks that need them then report "not run"."""

    path: Path
    side: str
    settings: dict[str, Any]
    versions: dict[str, str]
    implementation: dict[str, Any]
    data: dict[str, DataFact]
    normalization: dict[str, Normalization]
    layers: list[Layer] | None
    total_params: int | None
    history: dict[str, np.ndarray]
    train_labels: np.ndarray | None
    test_labels: np.ndarray | None
    probabilities: np.ndarray | None
    predicted: np.ndarray | None
    #: caret's confusionMatrix: run.json's ``confusion`` section, its ``confusion.*`` arrays and
    #: the ``confusion_matrix`` text (one name, "confusion", from run.json to the report)
    confusion: CaretValues | None
    #: the labels given to caret, as 0-based codes into ``confusion.levels`` (-1: not a level):
    #: the arrays ``confusion.data`` and ``confusion.reference``
    confusion_inputs: tuple[np.ndarray, np.ndarray] | None
    model_summary: str | None
    normalized: dict[str, np.ndarray] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    #: "regression", "binary" or "multiclass": as the run declared it, else inferred from the
    #: probabilities (one column: binary; more: multiclass); None without predictions
    task: str | None = None
    task_declared: bool = False
    #: binary: a row is class 1 when its probability is above this (the array
    #: classification_threshold; None when the run recorded none)
    threshold: float | None = None
    #: regression: the model's outputs, n x k (array predicted_values)
    predicted_values: np.ndarray | None = None
    #: ``evaluate()``'s results, name -> value, in the run's order
    evaluation: dict[str, float] | None = None
    #: callbacks' facts: callback -> fact -> value (e.g. early_stopping -> best_epoch -> 3)
    callbacks: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: class_weight given to fit(): class (as R's level string) -> weight
    class_weight: dict[str, float] | None = None
    sample_weight: np.ndarray | None = None
    #: caret's performance functions: function name -> :class:`Measure`
    measures: dict[str, Measure] = field(default_factory=dict)
    #: steps that failed (step -> message), e.g. {"confusion": "data contain levels not found..."}
    errors: dict[str, str] = field(default_factory=dict)
    #: arrays removed after the run was written (name -> why; :func:`drop_arrays`)
    dropped: dict[str, str] = field(default_factory=dict)
    #: a captured run (section ``capture``): its script and calls, in order; None when the
    #: run was written by writer calls
    capture: Capture | None = None


# --------------------------------------------------------------------------- NPY


def _npy_header(path: Path) -> tuple[str, bool, tuple[int, ...]]:
    """(descr, fortran_order, shape) of an NPY file, read without loading it."""
    try:
        with open(path, "rb") as f:
            version = npy.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = npy.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, fortran, dtype = npy.read_array_header_2_0(f)
            else:
                raise ValueError(f"NPY version {version}")
    except (OSError, ValueError) as exc:
        raise ContractError(f"{path}: not a readable NPY file ({exc})") from None
    return dtype.str, bool(fortran), tuple(int(d) for d in shape)


#: arrays of at least this many bytes are memory-mapped, read-only, by :func:`read_run`
MAP_BYTES = 16 << 20


def _load_array(run_dir: Path, name: str, entry: Mapping[str, Any]) -> np.ndarray:
    file = entry.get("file")
    if not isinstance(file, str) or "/" in file or "\\" in file or file.startswith("."):
        raise ContractError(f"{run_dir}/run.json: arrays.{name}.file {file!r}: expected a file "
                            "name inside the run directory")
    path = run_dir / file
    if not path.is_file():
        raise ContractError(f"{path}: missing (run.json lists it as array {name!r})")
    descr, _, shape = _npy_header(path)
    if descr not in ARRAY_DTYPES:
        raise ContractError(f"{path}: dtype {descr!r}; expected one of {', '.join(ARRAY_DTYPES)}")
    want_dtype, want_shape = entry.get("dtype"), entry.get("shape")
    if want_dtype != descr or list(shape) != want_shape:
        raise ContractError(f"{path}: holds {descr} {list(shape)}, run.json says {want_dtype} "
                            f"{want_shape}")
    expected_bytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(descr).itemsize
    try:
        # a large array (the normalized images: 376 MB a side) is mapped read-only, not
        # copied: a check reads it once, straight from the page cache the side's write filled
        arr = np.load(path, allow_pickle=False,
                      mmap_mode="r" if expected_bytes >= MAP_BYTES else None)
    except (OSError, ValueError, EOFError) as exc:  # a short file (disk full while writing)
        raise ContractError(f"{path}: truncated or unreadable ({exc}); expected {descr} "
                            f"{list(shape)}, {expected_bytes} bytes of data") from None
    if arr.nbytes != expected_bytes:
        raise ContractError(f"{path}: {arr.nbytes} bytes of data, expected {expected_bytes}")
    return arr


# --------------------------------------------------------------------------- writer


def _jsonable(x: Any) -> Any:
    """Plain JSON values; NaN is not JSON, so a NaN here is the writer's error."""
    if isinstance(x, Mapping):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if isinstance(x, np.generic):
        return _jsonable(x.item())
    if isinstance(x, float) and not math.isfinite(x):
        raise ContractError(f"{x!r} cannot be written to run.json (JSON has no NaN or Inf); "
                            "store it in an array")
    if isinstance(x, Path):
        return str(x)
    return x


def layer_rows(model) -> list[dict[str, Any]]:
    """name, class, output shape (None for the batch) and parameters of each layer of a Keras
    model (Keras 2 or 3), as the contract stores them."""
    rows = []
    for layer in model.layers:
        rows.append({"name": layer.name, "class": type(layer).__name__,
                     "output_shape": [None if d is None else int(d) for d in layer.output.shape],
                     "params": int(layer.count_params())})
    return rows


def predicted_classes(probabilities, *, threshold: float = 0.5) -> np.ndarray:
    """R keras' ``predict_classes`` rule (keras 2.x before TensorFlow 2.6; R's twin is
    ``r_packages/keras/R/model.R``), the one on the Python side: with more than one output
    unit the argmax of each row, 0-based, the first maximum on ties (R's ``max.col(ties.method
    = "first")``); with a single sigmoid unit (an n x 1 matrix, or a vector of n outputs) 1
    where the output is above ``threshold``, else 0, keeping the shape given (R returns n x 1).
    A binary run's classes come from its recorded threshold (``classification_threshold``),
    0.5 when it records none.

    Examples
    --------
    >>> predicted_classes(np.array([[0.2, 0.8], [0.5, 0.5]])).tolist()
    [1, 0]
    >>> predicted_classes(np.array([[0.7], [0.5]])).tolist()
    [[1], [0]]
    >>> predicted_classes(np.array([0.7, 0.5, 0.3]), threshold=0.4).tolist()
    [1, 1, 0]
    """
    p = np.asarray(probabilities)
    if p.ndim == 1 or p.ndim == 2 and p.shape[1] == 1:
        return (p > threshold).astype(np.int64)
    return p.argmax(axis=-1).astype(np.int64)


#: the environment variable in which the audit names, comma-separated, the settings it passes a
#: side that are execution settings (the spec's ``[execution]`` table: how a side runs, never
#: what it computes); a side run by hand has none
EXECUTION_SETTINGS_ENV = "PARITY_EXECUTION_SETTINGS"


def execution_settings(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The execution settings the audit named in :data:`EXECUTION_SETTINGS_ENV` (of
    ``environ``, default ``os.environ``); () when it is unset or empty. R's twin is
    ``parityrun::parity_execution_settings()``.

    Examples
    --------
    >>> execution_settings({"PARITY_EXECUTION_SETTINGS": "steps_per_execution,threads"})
    ('steps_per_execution', 'threads')
    >>> execution_settings({})
    ()
    """
    value = (os.environ if environ is None else environ).get(EXECUTION_SETTINGS_ENV, "")
    names = tuple(n.strip() for n in value.split(",") if n.strip())
    bad = [n for n in names if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n)]
    if bad:
        raise ValueError(f"{EXECUTION_SETTINGS_ENV}={value!r}: {bad[0]!r} is not a setting name; "
                         "expected names of letters, digits and '_', comma-separated")
    return names


def checkpoint_identity(settings: Mapping[str, Any], *, execution: Iterable[str] | None = None
                        ) -> dict[str, Any]:
    """The settings a training checkpoint must match to be resumed, by the one rule both sides
    follow (R's twin: ``parityrun::parity_checkpoint_identity()``): the settings the side runs
    with, minus the execution settings (default: :func:`execution_settings`, as the audit
    names them) and minus ``epochs`` (a resumed run may be asked for more). A new setting
    therefore enters every side's identity without a change to either.

    Examples
    --------
    >>> checkpoint_identity({"seed": 42, "epochs": 3, "threads": 1, "train_size": None},
    ...                     execution=["threads"])
    {'seed': 42, 'train_size': None}
    """
    dropped = {"epochs", *(execution_settings() if execution is None else execution)}
    return {k: v for k, v in settings.items() if k not in dropped}


class RunWriter:
    """Write one side's run directory, atomically: everything goes to a temporary directory
    next to ``out``, renamed to ``out`` only when the block ends without an exception.

    ``out`` must not exist, or be an empty directory. Every write is checked: a short write
    (disk full) raises ``OSError`` naming the file, and the temporary directory is removed.

    Examples
    --------
    A port writes what it has; every section is optional except ``side`` and ``settings``:

    >>> import numpy as np, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "run"
    >>> with RunWriter(out, side="python", settings={"epochs": 2}) as run:
    ...     run.history({"loss": [0.9, 0.5]})
    ...     run.text("model_summary", "Model: sequential")
    >>> sorted(p.name for p in out.iterdir())
    ['history.loss.npy', 'model_summary.txt', 'run.json']
    """

    def __init__(self, out: str | Path, *, side: str, settings: Mapping[str, Any]):
        if side not in SIDES:
            raise ValueError(f"side={side!r}: expected one of {SIDES}")
        self.out = Path(out)
        self.meta: dict[str, Any] = {"contract": CONTRACT, "contract_version": CONTRACT_VERSION,
                                     "side": side, "settings": dict(settings),
                                     "arrays": {}, "texts": {}}
        self.tmp: Path | None = None

    # -- the directory
    def __enter__(self) -> RunWriter:
        check_output_dir(self.out)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.", dir=self.out.parent))
        return self

    def __exit__(self, exc_type, exc, tb):
        assert self.tmp is not None
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return False
        try:
            meta = _jsonable(self.meta)
            check_schema(meta, f"{self.out}/run.json")  # the writer never writes what the reader refuses
            self._write_file("run.json", (json.dumps(meta, indent=2, allow_nan=False) + "\n").encode())
            if self.out.is_dir():
                self.out.rmdir()  # empty, checked on entry
            os.replace(self.tmp, self.out)
        except BaseException:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise
        return False

    def _write_file(self, name: str, payload: bytes | None = None, *, array=None) -> None:
        """Write one file of the run (bytes, or an array as NPY), flushed to disk; a failed or
        short write (disk full) raises OSError naming the file."""
        assert self.tmp is not None, "use RunWriter in a with block"
        path = self.tmp / name
        try:
            with open(path, "wb") as f:
                if array is not None:
                    np.save(f, array, allow_pickle=False)
                else:
                    assert payload is not None, "_write_file: payload or array"
                    f.write(payload)
                f.flush()
                os.fsync(f.fileno())
                size = f.tell()
        except OSError as exc:
            if exc.errno is None:  # NumPy's short write ("N requested and M written"): no errno
                raise OSError(f"cannot write {path}: {exc} (disk full?)") from None
            raise OSError(exc.errno, f"cannot write {path}: {exc.strerror or exc}") from None
        if path.stat().st_size != size:
            raise OSError(f"cannot write {path}: {path.stat().st_size} of {size} bytes on disk")

    # -- generic parts
    def set(self, section: str, value: Any) -> None:
        """A metadata section of run.json (``versions``, ``implementation``, ``timings``, ...)."""
        if section in ("contract", "contract_version", "side", "arrays", "texts"):
            raise ValueError(f"section {section!r} is written by RunWriter itself")
        self.meta[section] = value

    def array(self, name: str, values) -> None:
        """One array, as ``<name>.npy``; numbers and booleans only, little-endian."""
        if not _NAME.match(name):
            raise ValueError(f"array name {name!r}: expected letters, digits, '_', '.', '-'")
        arr = np.asarray(values)
        if arr.dtype.kind not in "biuf":
            raise ContractError(f"array {name!r}: dtype {arr.dtype}; expected numbers or booleans")
        arr = arr.astype(arr.dtype.newbyteorder("<"), copy=False)
        if arr.dtype.str not in ARRAY_DTYPES:
            raise ContractError(f"array {name!r}: dtype {arr.dtype.str}; expected one of "
                                f"{', '.join(ARRAY_DTYPES)}")
        self._write_file(f"{name}.npy", array=arr)
        self.meta["arrays"][name] = {"file": f"{name}.npy", "dtype": arr.dtype.str,
                                     "shape": list(arr.shape)}

    def text(self, name: str, text: str) -> None:
        """One printed text, as ``<name>.txt`` (UTF-8, a final newline added)."""
        if not _NAME.match(name):
            raise ValueError(f"text name {name!r}: expected letters, digits, '_', '.', '-'")
        self._write_file(f"{name}.txt", (text.rstrip("\n") + "\n").encode())
        self.meta["texts"][name] = f"{name}.txt"

    # -- the contract's parts, by what a workflow has in hand
    def data(self, name: str, used, *, full_shape) -> None:
        """Facts of one input array: its full shape, the shape used, its dtype."""
        used = np.asarray(used)
        self.meta.setdefault("data", {})[name] = {
            "full_dim": [int(d) for d in full_shape], "dim": list(used.shape),
            "type": str(used.dtype), "typeof": r_typeof(used)}

    def normalization(self, part: str, x, *, save: bool = False) -> None:
        """Summary of one normalized array: its storage in run.json, its minimum, maximum and
        mean as the float64 array ``normalization.<part>.min_max_mean`` (every bit kept); with
        ``save`` the array itself, for a pixel-by-pixel comparison."""
        x = np.asarray(x)
        self.meta.setdefault("normalization", {})[part] = {"storage": str(x.dtype)}
        self.array(f"normalization.{part}.min_max_mean",
                   np.array([x.min(), x.max(), x.mean()], dtype=np.float64))
        if save:
            self.array(f"normalized.{part}", x)

    def model(self, model, summary_text: str) -> None:
        """A Keras model's layers and its printed summary."""
        rows = layer_rows(model)
        self.meta["model"] = {"layers": rows, "total_params": sum(r["params"] for r in rows)}
        self.text("model_summary", summary_text)

    def history(self, history: Mapping[str, Any]) -> None:
        """Per-epoch metrics (``History.history``), one array each."""
        for metric, values in history.items():
            self.array(f"history.{metric}", np.asarray(values, dtype=np.float64))

    def labels(self, train=None, test=None) -> None:
        for name, values in (("train_labels", train), ("test_labels", test)):
            if values is not None:
                self.array(name, values)

    def predictions(self, outputs, classes=None, *, task: str | None = None,
                    threshold: float | None = None) -> None:
        """The model's outputs on the test set, and what the run declares about them.

        Parameters
        ----------
        outputs
            ``predict()``'s result: class probabilities (``task="multiclass"``: n x k; binary:
            n or n x 1, the probability of class 1) or predicted values (regression: n or n x k).
        classes
            the predicted classes the run used; default: :func:`predicted_classes` of the
            outputs with the run's threshold (the 0-based argmax, or a single unit's
            ``outputs > threshold``). None for a regression.
        task
            ``"regression"``, ``"binary"`` or ``"multiclass"``, recorded in run.json: the
            predictions checks follow it. Left out, nothing is recorded and the reader infers
            multiclass for more than one column, else binary (with no recorded threshold, so
            the threshold checks do not run). A regression must say so.
        threshold
            ``task="binary"`` only: the class is 1 when the probability is above it (default
            0.5), recorded as the float64 array ``classification_threshold``.
        """
        outputs = np.asarray(outputs)
        declared = task is not None
        if task is None:
            task = "multiclass" if outputs.ndim == 2 and outputs.shape[1] > 1 else "binary"
        if task not in TASKS:
            raise ValueError(f"task={task!r}: expected one of {TASKS}")
        if threshold is not None and (task != "binary" or not declared):
            raise ValueError(f"threshold={threshold!r}: only a binary task has a threshold; give "
                             f"task='binary' (task={task!r})")
        if declared:
            self.meta["task"] = task
        if task == "regression":
            if classes is not None:
                raise ValueError("classes: a regression has no predicted classes; give "
                                 "task='binary' or 'multiclass' for a classifier")
            self.array("predicted_values", outputs)
            return
        self.array("probabilities", outputs)
        if task == "binary":
            threshold = 0.5 if threshold is None else float(threshold)
            if declared:
                self.array("classification_threshold", np.array([threshold], dtype=np.float64))
            if classes is None:  # one class per row, as R's writer records them
                classes = predicted_classes(outputs.reshape(outputs.shape[0], -1)[:, 0],
                                            threshold=threshold).astype(np.int32)
        elif classes is None:  # R integers, as R's writer records them (max.col() - 1L)
            classes = predicted_classes(outputs).astype(np.int32)
        self.array("predicted_classes", classes)

    def caret(self, cm, *, data=None, reference=None, prevalence=None) -> None:
        """A :class:`python_impl.caret.ConfusionMatrix`: table, statistics, names, print; with
        ``data`` and ``reference`` (the labels given to caret) their codes into the table's
        levels, so the audit can recompute caret on them; ``prevalence`` as given to caret
        (None: computed from the table)."""
        v = caret_values_of_port(cm)
        if isinstance(prevalence, Mapping):
            prevalence = {str(k): float(p) for k, p in prevalence.items()}
        elif prevalence is not None:
            prevalence = float(prevalence)
        self.meta["confusion"] = {"levels": v.levels, "positive": v.positive, "mode": v.mode,
                                  "prevalence": prevalence, "overall_names": v.overall_names,
                                  "by_class_names": v.by_class_names,
                                  "by_class_rows": v.by_class_rows}
        # R's table() counts are R integers (int32), as R's writer stores them; a count beyond
        # R's integer range only as a double, as R would hold it
        self.array("confusion.table", v.table.astype(
            np.int32 if v.table.size == 0 or v.table.max() <= R_INT_MAX else np.float64))
        self.array("confusion.overall", v.overall)
        self.array("confusion.by_class", v.by_class)
        for name, labels in (("data", data), ("reference", reference)):
            if labels is not None:
                self.array(f"confusion.{name}", cm.level_codes(labels))
        self.text("confusion_matrix", v.text)

    def evaluation(self, results) -> None:
        """``evaluate()``'s results: a mapping name -> value (Keras' ``return_dict=True``) or
        a pandas Series; the names in run.json, the values in the float64 array
        ``evaluation`` (every bit kept)."""
        names, values = _named_values(results, "evaluation")
        self.meta["evaluation"] = {"names": names}
        self.array("evaluation", values)

    def callbacks(self, facts: Mapping[str, Mapping[str, Any]]) -> None:
        """Facts about callbacks, callback name -> fact -> value (strings, integers,
        booleans: JSON keeps them exactly). :meth:`early_stopping` writes Keras'."""
        for name, values in facts.items():
            if not _NAME.match(name) or name in ("settings", "execution_settings", "history"):
                raise ValueError(f"callback name {name!r}: expected letters, digits, '_' (and not "
                                 "settings, execution_settings or history)")
            for fact, value in values.items():
                if not isinstance(value, (str, int, bool)) and value is not None:
                    raise ContractError(f"callbacks.{name}.{fact} = {value!r}: expected a string, "
                                        "an integer, a boolean or None")
            self.meta.setdefault("callbacks", {})[name] = dict(values)

    def early_stopping(self, callback, history=None) -> None:
        """A Keras ``EarlyStopping`` callback after ``fit()``: what it watched (monitor, mode,
        patience, restore_best_weights) and what it did - epochs_run (from ``history``, the
        ``History`` fit returned), stopped_epoch and best_epoch (Keras' 0-based attributes;
        stopped_epoch 0: it did not stop training) and weights_restored (Keras restores the
        best epoch's weights at the end of training whenever restore_best_weights is set and
        it recorded them)."""
        restore = bool(callback.restore_best_weights)
        facts = {"monitor": str(callback.monitor), "patience": int(callback.patience),
                 "restore_best_weights": restore, "stopped_epoch": int(callback.stopped_epoch),
                 "best_epoch": int(getattr(callback, "best_epoch", -1)),
                 "weights_restored": restore and getattr(callback, "best_weights", None) is not None}
        if history is not None:
            facts["epochs_run"] = len(history.epoch)
        self.callbacks({"early_stopping": facts})

    def weights(self, *, class_weight: Mapping[Any, float] | None = None, sample_weight=None) -> None:
        """The weights given to ``fit()``: ``class_weight`` (class -> weight; the classes as
        R's level strings in run.json, the weights in the float64 array
        ``weights.class_weight``) and ``sample_weight`` (one per training row, the float64
        array ``weights.sample_weight``)."""
        if class_weight is not None:
            self.meta.setdefault("weights", {})["class_weight_classes"] = [
                _class_name(k) for k in class_weight]
            self.array("weights.class_weight", np.array(list(class_weight.values()), dtype=np.float64))
        if sample_weight is not None:
            sw = np.asarray(sample_weight, dtype=np.float64)
            if sw.ndim == 2 and sw.shape[1] == 1:  # one weight per row, a vector as R's writer records it
                sw = sw[:, 0]
            self.array("weights.sample_weight", sw)

    def post_resample(self, result, *, pred, obs) -> None:
        """caret's ``postResample(pred, obs)``: the result (a pandas Series, as
        :func:`python_impl.caret.post_resample` returns it, or a mapping) and its inputs -
        numbers (regression) or pandas Categoricals (Accuracy, Kappa)."""
        self._measure("postResample", result, obs=obs, pred=pred)

    def summary(self, function: str, result, *, data, lev=None) -> None:
        """One of caret's summary functions (``defaultSummary``, ``twoClassSummary``,
        ``prSummary``, ``multiClassSummary``, ``mnLogLoss``): its result and the ``data`` it
        was given (caret's: ``obs`` and ``pred`` Categoricals, one probability column per
        level) with ``lev``."""
        if function not in MEASURE_FUNCTIONS or function == "postResample":
            raise ValueError(f"function={function!r}: expected one of "
                             f"{[f for f in MEASURE_FUNCTIONS if f != 'postResample']}")
        probs = [str(c) for c in data.columns if c not in ("obs", "pred")]
        self._measure(function, result, obs=data["obs"], pred=data["pred"],
                      probabilities=data[probs].to_numpy(dtype=np.float64) if probs else None,
                      probability_columns=probs, lev=None if lev is None else [str(x) for x in lev])

    def _measure(self, function, result, *, obs, pred, probabilities=None, probability_columns=(),
                 lev=None) -> None:
        names, values = _named_values(result, function)
        entry: dict[str, Any] = {"names": names, "levels": None, "pred_levels": None,
                                 "probability_columns": list(probability_columns), "lev": lev}
        for part, x in (("obs", obs), ("pred", pred)):
            x = getattr(x, "array", x)  # a pandas Series: its values
            if hasattr(x, "codes") and hasattr(x, "categories"):  # a pandas Categorical
                entry["levels" if part == "obs" else "pred_levels"] = [str(c) for c in x.categories]
                self.array(f"measures.{function}.{part}", np.asarray(x.codes, dtype=np.int32))
            else:
                self.array(f"measures.{function}.{part}", np.asarray(x, dtype=np.float64))
        if probabilities is not None:
            self.array(f"measures.{function}.probabilities", probabilities)
        self.array(f"measures.{function}.values", values)
        self.meta.setdefault("measures", {})[function] = entry


def _class_name(key) -> str:
    """A class_weight key as R names the class (``as.character``): whole numbers without a
    decimal point (1.0 -> "1"), anything else as its string."""
    if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
        return str(int(key))
    if isinstance(key, (float, np.floating)) and float(key).is_integer():
        return str(int(key))
    return str(key)


def _named_values(result, what: str) -> tuple[list[str], np.ndarray]:
    """Names and float64 values of a named result (a mapping or a pandas Series)."""
    if hasattr(result, "index") and hasattr(result, "to_numpy"):  # a pandas Series
        names, values = [str(k) for k in result.index], result.to_numpy(dtype=np.float64)
    elif isinstance(result, Mapping):
        names, values = [str(k) for k in result], np.array(list(result.values()), dtype=np.float64)
    else:
        raise TypeError(f"{what}: {type(result).__name__}; expected a mapping name -> value or a "
                        "pandas Series")
    return names, values



# --------------------------------------------------------------------------- reader



def _check_confusion_shapes(meta: Mapping[str, Any], where: str) -> None:
    """The rules the schema states in words (arrays.description) but cannot express: the
    confusion arrays' shapes agree with caret's names."""
    c, arrays = meta.get("confusion"), meta["arrays"]
    if c is None:
        return
    k, rows = len(c["levels"]), len(c["by_class_rows"]) or 1
    want = {"confusion.table": [k, k], "confusion.overall": [len(c["overall_names"])],
            "confusion.by_class": [rows, len(c["by_class_names"])]}
    for name, shape in want.items():
        if arrays[name]["shape"] != shape:
            raise ContractError(
                f"{where}: arrays.{name}.shape {arrays[name]['shape']}; expected {shape} (from "
                f"confusion: {k} levels, {len(c['overall_names'])} overall names, "
                f"{len(c['by_class_rows'])} by-class rows, {len(c['by_class_names'])} statistics)")


def read_run(run_dir: str | Path) -> RunRecord:
    """Read a run directory written by either writer; :class:`ContractError` when it does not
    follow the contract. Reads JSON and NPY data only: nothing in it is executed."""
    run_dir = Path(run_dir)
    meta_path = run_dir / "run.json"
    if not meta_path.is_file():
        raise ContractError(f"{run_dir}: no run.json (not a {CONTRACT} run directory)")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"),
                          parse_constant=lambda c: _bad_constant(meta_path, c))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContractError(f"{meta_path}: not valid JSON ({exc})") from None
    where = str(meta_path)
    if not isinstance(meta, dict):
        raise ContractError(f"{where}: expected a JSON object")
    if meta.get("contract") != CONTRACT:
        raise ContractError(f"{where}: contract {meta.get('contract')!r}; expected {CONTRACT!r}")
    if meta.get("contract_version") != CONTRACT_VERSION:
        raise ContractError(f"{where}: contract_version {meta.get('contract_version')!r}; this "
                            f"reader reads version {CONTRACT_VERSION}")
    check_schema(meta, where)  # from here on, every field read has the schema's structure
    side = meta["side"]
    arrays_index, texts_index = meta["arrays"], meta["texts"]
    _check_confusion_shapes(meta, where)
    arrays = {name: _load_array(run_dir, name, entry) for name, entry in arrays_index.items()}

    def text(name: str) -> str | None:
        file = texts_index.get(name)
        if file is None:
            return None
        if not isinstance(file, str) or "/" in file or file.startswith("."):
            raise ContractError(f"{where}: texts.{name} {file!r}: expected a file name")
        path = run_dir / file
        try:
            return path.read_text(encoding="utf-8").rstrip("\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise ContractError(f"{path}: cannot read text {name!r} ({exc})") from None

    data = {name: DataFact([int(d) for d in f["full_dim"]], [int(d) for d in f["dim"]], str(f["type"]),
                           None if f.get("typeof") is None else str(f["typeof"]))
            for name, f in meta.get("data", {}).items()}
    model = meta.get("model") or {}
    layers = [Layer(r["name"], r["class"], list(r["output_shape"]), int(r["params"]))
              for r in model["layers"]] if "layers" in model else None
    caret = None
    if "confusion" in meta:  # (the schema requires its arrays; their shapes are checked above)
        c = meta["confusion"]
        caret = CaretValues(
            levels=[str(x) for x in c["levels"]], table=arrays["confusion.table"],
            overall_names=list(c["overall_names"]),
            overall=arrays["confusion.overall"].astype(np.float64),
            by_class_names=list(c["by_class_names"]), by_class_rows=list(c.get("by_class_rows", [])),
            by_class=arrays["confusion.by_class"].astype(np.float64).reshape(
                -1, len(c["by_class_names"])),
            positive=c.get("positive"), mode=c.get("mode", "sens_spec"),
            text=text("confusion_matrix") or "", prevalence=c.get("prevalence"))
    probabilities = output_rows(arrays.get("probabilities"))
    task, threshold = _task(meta, arrays, probabilities, where)
    return RunRecord(
        path=run_dir, side=side, settings=meta["settings"],
        versions={str(k): str(v) for k, v in meta.get("versions", {}).items()},
        implementation=meta.get("implementation", {}), data=data,
        normalization=_normalization(meta.get("normalization", {}), arrays, side, where),
        layers=layers,
        total_params=model.get("total_params"),
        history={k.removeprefix("history."): v.astype(np.float64) for k, v in arrays.items()
                 if k.startswith("history.")},
        train_labels=class_values(arrays.get("train_labels")),
        test_labels=class_values(arrays.get("test_labels")),
        probabilities=probabilities,
        predicted=class_values(arrays.get("predicted_classes")), confusion=caret,
        confusion_inputs=(arrays["confusion.data"], arrays["confusion.reference"])
        if "confusion.data" in arrays and "confusion.reference" in arrays else None,
        model_summary=text("model_summary"),
        normalized={k.removeprefix("normalized."): v for k, v in arrays.items()
                    if k.startswith("normalized.")},
        timings={str(k): float(v) for k, v in meta.get("timings", {}).items()},
        errors={str(k): str(v) for k, v in meta.get("errors", {}).items()},
        dropped={str(k): str(v) for k, v in meta.get("dropped_arrays", {}).items()},
        task=task, task_declared="task" in meta, threshold=threshold,
        predicted_values=output_rows(arrays.get("predicted_values")),
        evaluation=_evaluation(meta, arrays, where),
        callbacks={str(k): dict(v) for k, v in meta.get("callbacks", {}).items()},
        class_weight=_class_weight(meta, arrays, where),
        sample_weight=arrays.get("weights.sample_weight"),
        measures=_measures(meta, arrays, where),
        capture=_capture(meta, arrays, where))


def _capture(meta, arrays, where: str) -> Capture | None:
    if "capture" not in meta:
        return None
    c = meta["capture"]
    calls = []
    dropped = meta.get("dropped_arrays", {})  # (compared by an audit, then removed: drop_arrays)
    for i, call in enumerate(c["calls"], start=1):
        missing = sorted(name for name in call["arrays"].values()
                         if name not in arrays and name not in dropped)
        if missing:
            raise ContractError(f"{where}: capture.calls[{i - 1}] ({call['kind']} {call['function']}) "
                                f"names arrays the run does not have: {', '.join(missing)}")
        calls.append(CapturedCall(i, call["kind"], call["function"], call["library"],
                                  {role: arrays[name] for role, name in call["arrays"].items()
                                   if name in arrays},
                                  dict(call["values"]), dict(call["arrays"])))
    return Capture(str(c["script"]), [str(a) for a in c["args"]], calls)


def _evaluation(meta, arrays, where: str) -> dict[str, float] | None:
    if "evaluation" not in meta:
        return None
    names = list(meta["evaluation"].get("names", []))
    values = arrays.get("evaluation")
    if values is None or values.shape != (len(names),):
        raise ContractError(f"{where}: evaluation names {names} need the array evaluation with "
                            f"{len(names)} values; found {None if values is None else list(values.shape)}")
    return dict(zip(names, values.astype(np.float64).tolist(), strict=True))


def _class_weight(meta, arrays, where: str) -> dict[str, float] | None:
    classes = (meta.get("weights") or {}).get("class_weight_classes")
    values = arrays.get("weights.class_weight")
    if classes is None and values is None:
        return None
    if classes is None or values is None or values.shape != (len(classes),):
        raise ContractError(f"{where}: weights.class_weight_classes and the array "
                            "weights.class_weight go together, one weight per class")
    return dict(zip([str(c) for c in classes], values.astype(np.float64).tolist(), strict=True))


def _measures(meta, arrays, where: str) -> dict[str, Measure]:
    out = {}
    for fn, entry in (meta.get("measures") or {}).items():
        if fn not in MEASURE_FUNCTIONS:
            raise ContractError(f"{where}: measures.{fn}: expected one of {list(MEASURE_FUNCTIONS)}")
        names = [str(x) for x in entry["names"]]
        values = arrays.get(f"measures.{fn}.values")
        if values is None or values.shape != (len(names),):
            raise ContractError(f"{where}: measures.{fn} names {names} need the array "
                                f"measures.{fn}.values with {len(names)} values")
        probs = arrays.get(f"measures.{fn}.probabilities")
        cols = [str(x) for x in entry.get("probability_columns") or []]
        if probs is not None:
            probs = probs.astype(np.float64).reshape(probs.shape[0], -1)
            if probs.shape[1] != len(cols):
                raise ContractError(f"{where}: measures.{fn}.probabilities has {probs.shape[1]} "
                                    f"columns; probability_columns names {len(cols)}")
        lists = {k: None if entry.get(k) is None else [str(x) for x in entry[k]]
                 for k in ("levels", "pred_levels", "lev")}
        out[str(fn)] = Measure(fn, names, values.astype(np.float64), obs=arrays.get(f"measures.{fn}.obs"),
                               pred=arrays.get(f"measures.{fn}.pred"), probabilities=probs,
                               probability_columns=cols, **lists)
    return out


def _task(meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray], probabilities: np.ndarray | None,
          where: str) -> tuple[str | None, float | None]:
    """The run's task and, for a binary one, its threshold (declared, else inferred)."""
    task = meta.get("task")
    if task is not None and task not in TASKS:
        raise ContractError(f"{where}: task {task!r}; expected one of {TASKS}")
    if task is None and probabilities is not None:
        task = "multiclass" if probabilities.shape[-1] > 1 else "binary"
    if task is None and "predicted_values" in arrays:
        task = "regression"
    threshold = None
    if "classification_threshold" in arrays:
        t = arrays["classification_threshold"]
        if t.shape != (1,) or task != "binary":
            raise ContractError(f"{where}: classification_threshold is for a binary task: one "
                                f"number; found shape {list(t.shape)} with task {task!r}")
        threshold = float(t[0])
    return task, threshold


def _normalization(section: Mapping[str, Any], arrays: Mapping[str, np.ndarray], side: str,
                   where: str) -> dict[str, Normalization]:
    """Each part's :class:`Normalization`: the numbers from ``normalization.<part>.min_max_mean``
    when the run wrote it, else from run.json (exact when Python wrote them)."""
    out = {}
    for part, facts in section.items():
        if not isinstance(facts, Mapping) or not isinstance(facts.get("storage"), str):
            raise ContractError(f"{where}: normalization.{part}: expected an object with a "
                                f"storage string, got {facts!r}")
        exact = arrays.get(f"normalization.{part}.min_max_mean")
        lo: float | None
        hi: float | None
        mean: float | None
        if exact is not None:
            if exact.shape != (3,):
                raise ContractError(f"{where}: array normalization.{part}.min_max_mean has shape "
                                    f"{list(exact.shape)}; expected [3] (min, max, mean)")
            lo, hi, mean = (float(v) for v in exact.astype(np.float64))
        else:
            lo, hi, mean = (None if facts.get(k) is None else float(facts[k])
                            for k in ("min", "max", "mean"))
        out[str(part)] = Normalization(facts["storage"], lo, hi, mean,
                                       exact=exact is not None or side == "python")
    return out


def drop_arrays(run_dir: str | Path, names, *, reason: str) -> None:
    """Remove arrays from a run directory, keeping it a valid run: ``run.json`` is rewritten
    (atomically) without them and lists them under ``dropped_arrays`` with ``reason``. The
    audit does this with the normalized images (376 MB per side at full size) once compared."""
    run_dir = Path(run_dir)
    meta_path = run_dir / "run.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    names = [n for n in names if n in meta["arrays"]]
    if not names:
        return
    files = [meta["arrays"].pop(name)["file"] for name in names]
    meta.setdefault("dropped_arrays", {}).update({name: reason for name in names})
    tmp = meta_path.with_name(".run.json.tmp")
    tmp.write_text(json.dumps(meta, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    os.replace(tmp, meta_path)  # the index first: a run never lists a file it lacks
    for file in files:
        (run_dir / file).unlink(missing_ok=True)


def _bad_constant(path: Path, constant: str):
    raise ContractError(f"{path}: {constant} is not JSON (store non-finite numbers in arrays)")
