"""The parity audit: run the R reference and the Python port on one configuration, then compare
them check by check.

Every check has a name, the R value, the Python value, the difference, the tolerance rule and a
status: ``pass``, ``fail``, ``not_run`` (with the reason) or ``info`` (reported, never decides
the outcome, e.g. this run's accuracy against the seed's). A required check that did not run is
not a pass: the audit passes only when every required check passed.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from parity import compare, rrun, seed
from parity.compare import EXACT, STATS, Tolerance, stat_tolerance, values_agree

__all__ = ["PROFILES", "AuditConfig", "Check", "AuditResult", "run_audit", "SideData"]

#: name -> (epochs, train_size, test_size)
PROFILES: dict[str, tuple[int, int | None, int | None]] = {
    "smoke": (1, 2000, 500),
    "default": (3, None, None),
    "seed": (200, None, None),
}


@dataclass(frozen=True)
class AuditConfig:
    """What both sides run; the defaults here are the tuned execution settings (the last three).

    ``steps_per_execution`` never changes a result. The thread count can: TensorFlow's CPU MatMul
    rounds the model's 32x784 by 784x128 product (and its weight gradient) differently with one
    and with two intra-op threads on some CPUs (measured on an AMD EPYC; identical on the
    machine of the 2026-11-24 benchmark), so a tuned run may differ in the last bits from one at
    Keras' defaults
    (BENCHMARKS.md). Both sides always run the same settings, so R-vs-Python parity is exact
    either way; ``--keras-defaults`` reproduces the seed script's own settings."""

    profile: str = "default"
    epochs: int = 3
    seed: int = 42
    train_size: int | None = None
    test_size: int | None = None
    steps_per_execution: int = 256
    #: TensorFlow intra/inter-op threads per side (None: TF's default)
    threads: int | None = 1
    #: train the two sides at the same time (one core each with threads=1)
    parallel: bool = True

    @classmethod
    def from_profile(cls, profile: str, *, epochs: int | None = None, seed: int | None = None,
                     keras_defaults: bool = False) -> AuditConfig:
        if profile not in PROFILES:
            raise ValueError(f"profile {profile!r}: expected one of {', '.join(PROFILES)}")
        p_epochs, train, test = PROFILES[profile]
        execution = KERAS_DEFAULTS if keras_defaults else {}
        return cls(profile, p_epochs if epochs is None else epochs, 42 if seed is None else seed,
                   train, test, **execution)

    def execution(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("steps_per_execution", "threads", "parallel")}

    def side_settings(self) -> dict[str, Any]:
        return {"epochs": self.epochs, "seed": self.seed, "train_size": self.train_size,
                "test_size": self.test_size, "steps_per_execution": self.steps_per_execution,
                "threads": self.threads}


@dataclass
class Check:
    name: str
    group: str
    r_value: Any
    python_value: Any
    difference: Any
    rule: str
    status: str  # pass | fail | not_run | info
    reason: str = ""
    required: bool = True


@dataclass
class SideData:
    """What one side produced, in a common shape."""

    full_dims: dict[str, list[int]]
    dims: dict[str, list[int]]
    images_type: str  # R typeof, or NumPy dtype
    labels_type: str
    train_labels: np.ndarray
    test_labels: np.ndarray
    normalized: dict[str, np.ndarray | None]
    normalization: dict[str, dict]
    layers: list[dict]
    summary_text: str
    history: dict[str, list[float]]
    proba: np.ndarray
    predicted: np.ndarray
    caret: Any  # R: rbridge.CaretResult from the R run; Python: ConfusionMatrix
    confusion_text: str
    versions: dict[str, str]
    timings: dict[str, float]
    execution: dict[str, Any] = field(default_factory=dict)


@dataclass
class AuditResult:
    config: AuditConfig
    checks: list[Check]
    started: str
    durations: dict[str, float]
    versions: dict[str, dict[str, str]]
    artifacts: dict[str, str] = field(default_factory=dict)
    #: per side, the epochs trained by earlier, interrupted attempts (resumed from checkpoints)
    resumed: dict[str, int] = field(default_factory=dict)
    figures: dict[str, bytes] = field(default_factory=dict)
    plot_data: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(c.status == "pass" for c in self.checks if c.required)

    def summary(self) -> dict[str, Any]:
        counts = {s: sum(c.status == s for c in self.checks)
                  for s in ("pass", "fail", "not_run", "info")}
        return {"outcome": "pass" if self.passed else "fail", **counts,
                "required": sum(c.required for c in self.checks),
                "failed_checks": [c.name for c in self.checks if c.required and c.status != "pass"]}


#: Keras' own execution settings, one side after the other (``parity audit --keras-defaults``)
KERAS_DEFAULTS: dict[str, Any] = {"steps_per_execution": 1, "threads": None, "parallel": False}
#: the tuned settings: AuditConfig's defaults
TUNED: dict[str, Any] = AuditConfig().execution()


# --------------------------------------------------------------------------- sides


def load_r_side(run_dir: Path) -> SideData:
    """Read the R run's artifacts: JSON metadata, and arrays through rpy2's readRDS."""
    from parity import rbridge

    meta = json.loads((run_dir / "run.json").read_text())
    read = rbridge.read_rds
    train_labels = np.asarray(read(run_dir / "train_labels.rds"))
    test_labels = np.asarray(read(run_dir / "test_labels.rds"))
    proba = np.asarray(read(run_dir / "probabilities.rds"), dtype=np.float64)
    predicted = np.asarray(read(run_dir / "predicted_classes.rds"))
    history_r = read(run_dir / "history.rds")
    history = {str(k): [float(x) for x in np.asarray(v)] for k, v in history_r.items()}
    dims = meta["data"]["dims"]
    normalized: dict[str, np.ndarray | None] = {}
    for part in ("train", "test"):
        path = run_dir / f"{part}_images_normalized.f64"
        if path.exists():
            shape = tuple(dims[f"{part}_images"])
            normalized[part] = np.fromfile(path, dtype="<f8").reshape(shape, order="F")
        else:
            normalized[part] = None
    caret = rbridge.caret_from_labels(predicted, test_labels)
    return SideData(
        full_dims=meta["data"]["full_dims"],
        dims={k: (v if isinstance(v, list) else [v]) for k, v in dims.items()},
        images_type=meta["data"]["typeof"]["train_images"],
        labels_type=meta["data"]["typeof"]["train_labels"],
        train_labels=train_labels, test_labels=test_labels, normalized=normalized,
        normalization=meta["normalization"], layers=meta["model"]["layers"],
        summary_text=(run_dir / "model_summary.txt").read_text(),
        history=history, proba=proba, predicted=predicted,
        caret=_stored_caret(meta, caret),
        confusion_text=(run_dir / "confusion_matrix.txt").read_text().rstrip("\n"),
        versions={**meta["versions"], "keras_impl": meta["keras_impl"]["name"],
                  "keras_impl_version": meta["keras_impl"]["version"]},
        timings=meta.get("timings", {}),
        execution={k: meta["config"].get(k) for k in ("steps_per_execution", "threads")},
    )


def _stored_caret(meta, recomputed):
    """The caret values the R run itself wrote (JSON), in rbridge.CaretResult's shape.

    JSON loses NA vs NaN and may round; so the R run's own numbers are cross-checked against
    caret recomputed from its predictions, and the recomputed (exact) values are used.
    """
    stored = meta["confusion"]["overall"]
    for key, v in stored.items():
        if not values_agree(recomputed.overall[key], math.nan if v is None else v,
                            Tolerance(rel=1e-14, abs_floor=1e-300)):
            raise RuntimeError(f"R run's stored {key}={v} differs from caret on its predictions")
    return recomputed


def load_python_side(run_dir: Path) -> SideData:
    """Read the Python run's artifacts (written by ``python -m python_impl --out``).

    The normalized arrays are recomputed here with the port's own ``normalize`` on the images
    read by the independent IDX reader (the tests cross-check it against Keras' loader), so
    this process needs no TensorFlow.
    """
    from python_impl.caret import confusion as pconf
    from python_impl import data as pdata
    from python_impl import idx

    meta = json.loads((run_dir / "run.json").read_text())
    cfg, info = meta["config"], meta["data"]
    data_dir = Path(os.environ["KERAS_HOME"]) / "datasets" / "fashion-mnist"
    (x_train, _), (x_test, _) = pdata.subset(idx.read_fashion_mnist_dir(data_dir),
                                             train_size=cfg["train_size"], test_size=cfg["test_size"])
    predicted = np.load(run_dir / "predicted_classes.npy")
    test_labels = np.load(run_dir / "test_labels.npy")
    return SideData(
        full_dims={"train_images": info["full_train_images"], "test_images": info["full_test_images"]},
        dims={k: info[k] for k in ("train_images", "test_images", "train_labels", "test_labels")},
        images_type=info["images_dtype"], labels_type=info["labels_dtype"],
        train_labels=np.load(run_dir / "train_labels.npy"), test_labels=test_labels,
        normalized={"train": pdata.normalize(x_train), "test": pdata.normalize(x_test)},
        normalization={k: {**v, "storage_mode": v["dtype"]} for k, v in meta["normalization"].items()},
        layers=meta["model"]["layers"],
        summary_text=(run_dir / "model_summary.txt").read_text(), history=meta["history"],
        proba=np.load(run_dir / "probabilities.npy").astype(np.float64), predicted=predicted,
        caret=pconf.confusion_matrix(predicted, test_labels.astype(np.int64)),
        confusion_text=(run_dir / "confusion_matrix.txt").read_text().rstrip("\n"),
        versions=meta["versions"], timings=meta["timings"],
        execution={k: cfg.get(k) for k in ("steps_per_execution", "threads")},
    )


# --------------------------------------------------------------------------- checks


def _jsonable(x):
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, float) and math.isnan(x):
        return None
    return x


class _Checks:
    def __init__(self):
        self.items: list[Check] = []

    def add(self, name, group, r, py, *, ok: bool, difference=None, rule: str, required=True,
            status: str | None = None, reason: str = ""):
        st = status or ("pass" if ok else "fail")
        self.items.append(Check(name, group, _jsonable(r), _jsonable(py), _jsonable(difference),
                                rule, st, reason, required))

    def equal(self, name, group, r, py, rule="equal"):
        self.add(name, group, r, py, ok=r == py, difference=None if r == py else "differs",
                 rule=rule)

    def numeric(self, name, group, r, py, tol: Tolerance = EXACT):
        r_arr, p_arr = np.asarray(r, dtype=float), np.asarray(py, dtype=float)
        diff = compare.max_abs_diff(r_arr, p_arr)
        ok = values_agree(r_arr, p_arr, tol)
        if r_arr.size > 12:  # large arrays: report a digest, not every value
            r, py = f"{r_arr.shape} array", f"{p_arr.shape} array"
        self.add(name, group, r, py, ok=ok, difference=diff, rule=tol.describe())

    def not_run(self, name, group, reason, rule="-"):
        self.items.append(Check(name, group, None, None, None, rule, "not_run", reason, True))


def _summary_rows(text: str) -> list[tuple[str, str, str, int]]:
    """(name, class, output shape, params) rows of a printed Keras summary, any Keras."""
    rows = []
    pat = re.compile(r"([A-Za-z_][\w]*) \((\w+)\)\s*[│|]?\s*(\([^)]*\))\s*[│|]?\s*([\d,]+)")
    for line in text.splitlines():
        m = pat.search(line)
        if m:
            rows.append((m[1], m[2], m[3].replace(" ", ""), int(m[4].replace(",", ""))))
    return rows


def _summary_total(text: str) -> int | None:
    m = re.search(r"Total params:\s*([\d,]+)", text)
    return int(m[1].replace(",", "")) if m else None


def build_checks(r: SideData | None, py: SideData, r_error: str | None) -> list[Check]:
    from parity import rbridge
    from python_impl.caret import confusion as pconf
    from python_impl.model import EXPECTED_PARAMS, EXPECTED_TOTAL_PARAMS

    c = _Checks()
    if r is None:
        reason = f"the R reference did not run: {r_error}"
        for name, group in (("data.shapes", "data"), ("normalization.pixels", "normalization"),
                            ("model.layers", "model"), ("training.history", "training"),
                            ("predictions.probabilities", "predictions"),
                            ("confusion.table", "confusion")):
            c.not_run(name, group, reason)
        c.items.append(seed_summary_check(py))  # needs only the Python side
    else:
        # ---- data
        for part in ("train_images", "test_images"):
            c.equal(f"data.full_{part}_dims", "data", r.full_dims[part], py.full_dims[part])
        for part in ("train_images", "test_images", "train_labels", "test_labels"):
            c.equal(f"data.{part}_dims", "data", r.dims[part], py.dims[part])
        c.add("data.images_typeof_vs_dtype", "data", r.images_type, py.images_type,
              ok=compare.typeof_matches(r.images_type, py.images_type),
              rule="R typeof maps to the NumPy dtype (integer <-> uint8)")
        c.add("data.labels_typeof_vs_dtype", "data", r.labels_type, py.labels_type,
              ok=compare.typeof_matches(r.labels_type, py.labels_type),
              rule="R typeof maps to the NumPy dtype (integer <-> uint8)")
        for part in ("train", "test"):
            a, b = r.__dict__[f"{part}_labels"], py.__dict__[f"{part}_labels"]
            same = a.shape == b.shape and bool(np.array_equal(a, b))
            c.add(f"data.{part}_labels_identical", "data", f"{a.size} labels", f"{b.size} labels",
                  ok=same, difference=int((a != b).sum()) if a.shape == b.shape else "shape",
                  rule="identical vectors")
        # ---- normalization
        for part in ("train", "test"):
            ra, pa = r.normalized.get(part), py.normalized.get(part)
            if ra is None:
                c.not_run(f"normalization.{part}_pixels_max_abs_diff", "normalization",
                          "the R run did not save its normalized arrays (--save-normalized)")
            else:
                c.numeric(f"normalization.{part}_pixels_max_abs_diff", "normalization", ra, pa)
            c.add(f"normalization.{part}_storage", "normalization",
                  r.normalization[part]["storage_mode"], py.normalization[part]["storage_mode"],
                  ok=compare.typeof_matches(r.normalization[part]["storage_mode"],
                                            py.normalization[part]["storage_mode"]),
                  rule="R double <-> float64")
            rng_r = [r.normalization[part]["min"], r.normalization[part]["max"]]
            rng_p = [py.normalization[part]["min"], py.normalization[part]["max"]]
            c.add(f"normalization.{part}_range", "normalization", rng_r, rng_p,
                  ok=rng_r == rng_p == [0, 1], rule="both exactly [0, 1]")
        # ---- model
        for key, label in (("name", "layer_names"), ("cls", "layer_classes"),
                           ("output_shape", "output_shapes"), ("params", "layer_params")):
            rv = [x[key] for x in r.layers]
            pv = [x[key] for x in py.layers]
            c.equal(f"model.{label}", "model", rv, pv)
        r_total = sum(x["params"] for x in r.layers)
        p_total = sum(x["params"] for x in py.layers)
        c.add("model.total_params", "model", r_total, p_total,
              ok=r_total == p_total == EXPECTED_TOTAL_PARAMS,
              rule=f"both equal the seed's {EXPECTED_TOTAL_PARAMS:,}")
        c.add("model.params_match_seed_code", "model", [x["params"] for x in r.layers],
              [x["params"] for x in py.layers],
              ok=[x["params"] for x in py.layers] == list(EXPECTED_PARAMS)
              == [x["params"] for x in r.layers],
              rule=f"per layer {list(EXPECTED_PARAMS)}")
        r_rows, p_rows = _summary_rows(r.summary_text), _summary_rows(py.summary_text)
        c.add("model.printed_summaries", "model", r_rows, p_rows,
              ok=bool(r_rows) and r_rows == p_rows
              and _summary_total(r.summary_text) == _summary_total(py.summary_text),
              rule="same rows (name, class, shape, params) and total, formatting ignored")
        c.items.append(seed_summary_check(py))
        # ---- training
        c.add("training.execution_settings", "training", r.execution, py.execution,
              ok=r.execution == py.execution,
              rule="the same Keras/TF execution settings on both sides: steps_per_execution never "
                   "changes results, but TF's CPU MatMul may round differently with another "
                   "intra-op thread count (see AuditConfig), so the sides must match")
        for metric in sorted(set(r.history) | set(py.history)):
            if metric not in r.history or metric not in py.history:
                c.add(f"training.{metric}", "training", r.history.get(metric),
                      py.history.get(metric), ok=False, rule="metric present on both sides")
                continue
            c.numeric(f"training.{metric}_per_epoch", "training", r.history[metric],
                      py.history[metric])
        # ---- predictions
        if r.proba.shape == py.proba.shape:
            c.numeric("predictions.probabilities_max_abs_diff", "predictions", r.proba, py.proba)
            identical = int(np.all(r.proba == py.proba, axis=1).sum())
            n = r.proba.shape[0]
            c.add("predictions.bit_identical_rows", "predictions", n, identical, ok=identical == n,
                  difference=n - identical, rule="every row bit-identical")
            agree = int((r.predicted == py.predicted).sum())
            c.add("predictions.class_agreement", "predictions", n, agree, ok=agree == n,
                  difference=n - agree, rule=f"{n}/{n} predicted classes agree")
        else:
            c.add("predictions.shape", "predictions", list(r.proba.shape), list(py.proba.shape),
                  ok=False, rule="same shape")
        # ---- confusion statistics
        r_on_r = r.caret  # caret, on R's predictions
        py_on_py = py.caret  # the port, on Python's predictions
        py_on_r = pconf.confusion_matrix(r.predicted.astype(np.int64), r.test_labels.astype(np.int64))
        r_on_py = rbridge.caret_from_labels(py.predicted, py.test_labels)
        c.numeric("confusion.table", "confusion", r_on_r.table, py_on_py.table.to_numpy())
        c.add("confusion.printed_text", "confusion", "R print(confusionMatrix)", "str(port)",
              ok=[s.rstrip() for s in r.confusion_text.split("\n")] == py.confusion_text.split("\n"),
              rule="identical lines (trailing spaces aside)")
        pairs: tuple[tuple[str, Any, Any], ...] = (("r_predictions", r_on_r, py_on_r),
                              ("python_predictions", r_on_py, py_on_py),
                              ("crossed", r_on_r, py_on_py))
        for label, rv, pv in pairs:
            _stat_checks(c, label, rv, pv)
    _seed_checks(c, py)
    return c.items


def _stat_checks(c: _Checks, label: str, r_res, py_cm) -> None:
    from python_impl.caret.confusion import BY_CLASS_NAMES, OVERALL_NAMES

    for key in OVERALL_NAMES:
        c.numeric(f"confusion.{label}.overall.{key}", "confusion", r_res.overall[key],
                  py_cm.overall[key], stat_tolerance(key))
    pb = py_cm.by_class.to_numpy(dtype=float)
    rb = r_res.by_class
    for j, stat in enumerate(BY_CLASS_NAMES):
        rv = rb[:, j] if rb.ndim == 2 else rb[j]
        pv = pb[:, j] if pb.ndim == 2 else pb[j]
        c.numeric(f"confusion.{label}.by_class.{stat}", "confusion", rv, pv, STATS)


def _seed_checks(c: _Checks, py: SideData | None) -> None:
    from parity import rbridge
    from python_impl.caret.confusion import confusion_matrix_from_table

    levels = [str(i) for i in range(10)]
    port = confusion_matrix_from_table(seed.SEED_TABLE)
    texts = {"python": str(port)}
    try:
        texts["r"] = rbridge.caret_from_table(seed.SEED_TABLE, levels).text
    except rbridge.RUnavailable as exc:
        c.not_run("seed.r_caret_reproduces_seed_figures", "seed", str(exc))
    for side, text in texts.items():
        overall, by_class = seed.parse_printed_report(text)
        wanted_overall = seed.SEED_OVERALL_PRINTED
        got_overall = {k: overall.get(k) for k in wanted_overall}
        got_by = {k: by_class.get(k) for k in seed.SEED_BY_CLASS_PRINTED}
        mismatches = [k for k in wanted_overall if got_overall[k] != wanted_overall[k]]
        mismatches += [k for k in seed.SEED_BY_CLASS_PRINTED if got_by[k] != seed.SEED_BY_CLASS_PRINTED[k]]
        who = "R caret" if side == "r" else "the Python port"
        c.add(f"seed.{side}_reproduces_seed_figures", "seed",
              {**wanted_overall, **seed.SEED_BY_CLASS_PRINTED} if side == "r" else "(seed)",
              {**got_overall, **got_by}, ok=not mismatches, difference=mismatches or None,
              rule=f"{who} on the seed's table prints every figure the seed prints")
    if py is not None:
        _accuracy_vs_seed(c, py)


def _accuracy_vs_seed(c: _Checks, py: SideData) -> None:
    """This run's accuracy against the seed's 0.8906: a two-proportion z-test, both CIs."""
    from scipy import stats

    from python_impl.caret import binom_ci

    acc = float(py.caret.overall["Accuracy"])
    n1 = int(py.caret.table.to_numpy().sum())
    x1 = round(acc * n1)
    x2, n2 = round(seed.SEED_ACCURACY * seed.SEED_TEST_N), seed.SEED_TEST_N
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (x1 / n1 - x2 / n2) / se if se > 0 else math.nan
    p = float(2 * stats.norm.sf(abs(z))) if se > 0 else math.nan
    ci_run = [float(v) for v in binom_ci(np.float64(x1), np.float64(n1))]
    ci_seed = [float(v) for v in binom_ci(np.float64(x2), np.float64(n2))]
    c.add("seed.accuracy_vs_seed", "seed",
          {"accuracy": seed.SEED_ACCURACY, "n": n2, "ci95": ci_seed},
          {"accuracy": acc, "n": n1, "ci95": ci_run},
          ok=True, status="info", required=False,
          difference={"accuracy_diff": acc - seed.SEED_ACCURACY, "z": z, "p_two_sided": p},
          rule="reported, not judged: two-proportion z-test and Clopper-Pearson CIs; "
               "training differs across machines, versions and epochs",
          reason=("significantly different at 5%" if p < 0.05 else "not significantly different at 5%")
          if not math.isnan(p) else "")


def seed_summary_check(side: SideData) -> Check:
    """The seed's printed summary against this run's printed summary: rows (name, class,
    output width, params) and total, read from the text on either Keras generation (Keras 2
    prints the seed's layout; Keras 3 a boxed table). Reports what the seed's text omits."""
    got = [(name, cls, int(shape.strip("()").split(",")[-1]), params)
           for name, cls, shape, params in _summary_rows(side.summary_text)]
    printed = list(seed.SEED_SUMMARY_LAYERS)
    omitted = [row for row in got if row not in printed]
    extra = [row for row in printed if row not in got]
    total = _summary_total(side.summary_text)
    ok = (not extra and [r[0] for r in omitted] == ["dropout_3"] and omitted[0][3] == 0
          and total == seed.SEED_TOTAL_PARAMS)
    return Check("model.seed_printed_summary", "model", printed, got,
                 {"omitted_by_seed": omitted, "not_in_model": extra, "total_printed": total},
                 "the seed's summary lists every layer except the fourth dropout (dropout_3, "
                 "0 params, added by its code); totals agree at 111,146",
                 "pass" if ok else "fail",
                 "the seed's printed summary omits dropout_3 (its code has four dropout layers, "
                 "two in a row before the last dense layer); dropout has no parameters, so the "
                 "totals agree" if ok else "unexpected difference from the seed's summary")


# --------------------------------------------------------------------------- orchestration


def run_audit(config: AuditConfig, work_dir: Path, *, progress: rrun.ProgressFn | None = None,
              reuse_r_run: Path | None = None) -> AuditResult:
    """Run both sides into ``work_dir`` (each its own process, concurrently when
    ``config.parallel``) and build every check.

    Resumable: each side checkpoints its training in ``work_dir`` after every epoch, so a
    ``work_dir`` left by an interrupted audit continues where each side stopped, and a side
    whose run directory is already complete is not run again (see parity.cli, ``--resume``).
    """
    import warnings

    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    t0 = time.monotonic()
    settings = config.side_settings()
    r_dir = reuse_r_run if reuse_r_run is not None else work_dir / "r_run"
    py_dir = work_dir / "python_run"
    _remove_stale_temporaries(work_dir)
    sides: dict[str, rrun.SideRun] = {}
    if reuse_r_run is None and not r_dir.is_dir():
        sides["R"] = rrun.SideRun("R", rrun.r_command(r_dir, checkpoint=work_dir / "r_checkpoint",
                                                      **settings),
                                  config.epochs, work_dir / "r_run.log")
    if not py_dir.is_dir():
        sides["Python"] = rrun.SideRun(
            "Python", rrun.python_command(py_dir, checkpoint=work_dir / "python_checkpoint",
                                          **settings),
            config.epochs, work_dir / "python_run.log")
    rrun.run_sides(list(sides.values()), parallel=config.parallel, progress=progress)
    durations = {f"{label.lower()}_s": sides[label].seconds if label in sides else 0.0
                 for label in ("R", "Python")}
    durations["training_wall_s"] = time.monotonic() - t0
    # epochs each side had trained in earlier, interrupted attempts (all: complete before this one)
    resumed = {label.lower(): sides[label].resumed_from if label in sides else config.epochs
               for label in ("R", "Python") if label != "R" or reuse_r_run is None}

    if "Python" in sides and sides["Python"].returncode != 0:
        raise rrun.RRunError(sides["Python"].error())  # the port itself failed: nothing to compare
    r_side: SideData | None = None
    r_error: str | None = None
    try:
        if "R" in sides and sides["R"].returncode != 0:
            raise rrun.RRunError(sides["R"].error())
        r_side = load_r_side(r_dir)
        _check_r_config(r_dir, config)
    except (rrun.RRunError, FileNotFoundError, RuntimeError) as exc:
        r_error = str(exc)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # caret's level warnings; the checks report levels
        py_side = load_python_side(py_dir)
        t2 = time.monotonic()
        checks = build_checks(r_side, py_side, r_error)
    if any(resumed.values()):
        checks.append(Check(
            "training.resumed", "training", resumed.get("r"), resumed["python"], None,
            "epochs trained before this attempt", "info",
            reason="resumed from checkpoints that hold every variable fit() changes; the "
                   "training checks above compare the complete histories and predictions",
            required=False))
    durations["compare_s"] = time.monotonic() - t2
    durations["total_s"] = time.monotonic() - t0
    if reuse_r_run is None:  # the normalized arrays are large (376 MB at full size): compared, dropped
        for part in ("train", "test"):
            (r_dir / f"{part}_images_normalized.f64").unlink(missing_ok=True)
    first64 = py_dir / "first64.png"
    if first64.exists():
        os.replace(first64, work_dir / "first64.png")
    result = AuditResult(config, checks, started, durations,
                         {"r": r_side.versions if r_side else {}, "python": py_side.versions},
                         artifacts={"r_run": str(r_dir), "python_run": "python_run"},
                         resumed=resumed)
    result.plot_data = {
        "r_table": np.asarray(r_side.caret.table).tolist() if r_side else None,
        "python_table": py_side.caret.table.to_numpy().tolist(),
        "r_history": r_side.history if r_side else None,
        "python_history": py_side.history,
        "by_class": py_side.caret.by_class.to_dict(orient="list")
        if hasattr(py_side.caret.by_class, "columns") else None,
        "levels": py_side.caret.levels,
    }
    return result


class ResumeError(Exception):
    """An interrupted audit that these options cannot continue."""


class ResumableDir:
    """The audit's working directory: ``<parent>/.<name>.partial`` while it runs, renamed to
    ``<name>`` when the audit completes.

    Interrupted (KeyboardInterrupt; the CLI turns SIGTERM into one) or killed, it stays, with
    each side's finished epochs checkpointed, and ``resume=True`` continues it; the settings it
    was started with (``audit.json``) must match. Any other failure removes it, as a failed run
    leaves nothing half-written.
    """

    SETTINGS_FILE = "audit.json"

    def __init__(self, target: str | Path, config: AuditConfig, *, resume: bool):
        self.target = Path(target)
        self.path = self.target.parent / f".{self.target.name}.partial"
        self.config = config
        self.resume = resume
        self.resumed = False

    def _settings(self) -> dict[str, Any]:
        return {"profile": self.config.profile, **self.config.side_settings()}

    def __enter__(self) -> Path:
        if not self.target.parent.is_dir():
            raise FileNotFoundError(f"output directory parent {self.target.parent} does not exist")
        if self.target.exists() and any(self.target.iterdir()):
            raise FileExistsError(f"output directory {self.target} exists and is not empty")
        want = self._settings()
        if self.path.is_dir():
            if not self.resume:
                raise FileExistsError(
                    f"{self.path} holds an interrupted audit for {self.target}: continue it with "
                    "--resume, or delete it to start again")
            got = json.loads((self.path / self.SETTINGS_FILE).read_text())
            if got != want:  # threads included: they can change the last bits (AuditConfig)
                raise ResumeError(f"--resume: the interrupted audit in {self.path} ran {got}; "
                                  f"these options ask for {want}")
            self.resumed = True
        else:
            self.path.mkdir()
            (self.path / self.SETTINGS_FILE).write_text(json.dumps(want, indent=2) + "\n")
        return self.path

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            (self.path / self.SETTINGS_FILE).unlink(missing_ok=True)
            if self.target.exists():
                self.target.rmdir()
            os.replace(self.path, self.target)
        elif not issubclass(exc_type, KeyboardInterrupt):
            shutil.rmtree(self.path, ignore_errors=True)
        return False


def _remove_stale_temporaries(work_dir: Path) -> None:
    """Temporary run directories a killed side could not clean up (an interrupted attempt)."""
    for p in work_dir.glob(".*_run.*"):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


def _check_r_config(r_dir: Path, config: AuditConfig) -> None:
    meta = json.loads((r_dir / "run.json").read_text())["config"]
    want = {k: v for k, v in config.side_settings().items() if k not in ("threads", "steps_per_execution")}
    got = {k: meta.get(k) for k in want}
    if got != want:
        raise RuntimeError(f"the R run in {r_dir} used {got}, but this audit needs {want}")


def result_to_json(result: AuditResult) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "started": result.started,
        "config": asdict(result.config),
        "summary": result.summary(),
        "durations_s": result.durations,
        "versions": result.versions,
        "artifacts": result.artifacts,
        "resumed_epochs": result.resumed,
        "checks": [asdict(c) for c in result.checks],
    }
