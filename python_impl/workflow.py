"""The seed's workflow end to end, in the seed's order, and its artifacts.

``python -m python_impl`` runs it and prints what the seed prints: the data type, the model
summary, the training log, ``predictions[1:50]`` and caret's confusion matrix.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from python_impl import data, keras_env, model
from python_impl.caret import confusion, rformat
from python_impl.checkpoint import CheckpointError, TrainingCheckpoint

__all__ = ["RunConfig", "RunResult", "run", "write_artifacts", "main", "atomic_dir"]


@dataclass(frozen=True)
class RunConfig:
    """What both sides run. ``None`` sizes mean the full data (60,000 / 10,000 images)."""

    epochs: int = 200
    seed: int = 42
    train_size: int | None = None
    test_size: int | None = None
    deterministic: bool = True
    #: execution settings: Keras runs this many batches per call (never changes a result);
    #: TensorFlow's intra/inter-op thread pools (None: TF's default), which on some CPUs change
    #: MatMul's float32 rounding (parity.audit.AuditConfig, BENCHMARKS.md). Threads are read
    #: when TF starts, so only a new process applies them (``python -m python_impl --threads N``).
    steps_per_execution: int = 1
    threads: int | None = None

    def __post_init__(self):
        for name in ("epochs", "steps_per_execution"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{name}={v!r}: expected a positive integer")
        if self.threads is not None and (not isinstance(self.threads, int) or self.threads < 1):
            raise ValueError(f"threads={self.threads!r}: expected a positive integer or None")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise ValueError(f"seed={self.seed!r}: expected a non-negative integer")


@dataclass
class RunResult:
    config: RunConfig
    data_info: dict
    normalization: dict
    layers: list[dict]
    summary_text: str
    history: dict[str, list[float]]
    proba: np.ndarray
    predicted: np.ndarray
    train_labels: np.ndarray
    test_labels: np.ndarray
    confusion: confusion.ConfusionMatrix
    timings: dict[str, float] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)


def versions() -> dict[str, str]:
    import tensorflow as tf

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "tensorflow": tf.__version__,
        "keras": tf.keras.__version__ if hasattr(tf.keras, "__version__") else "",
        "keras_package": "tf_keras" if os.environ.get("TF_USE_LEGACY_KERAS") == "1" else "keras",
    }


def checkpoint_identity(config: RunConfig, side: str) -> dict:
    """What a training checkpoint must match to be resumed: the side, the seed, the data, the
    Keras generation and the thread count (which can change MatMul's rounding). Epochs may
    grow; steps_per_execution never changes a result."""
    return {"side": side, "seed": config.seed, "train_size": config.train_size,
            "test_size": config.test_size, "threads": config.threads,
            "keras_package": versions()["keras_package"]}


def run(config: RunConfig = RunConfig(), *, figure_path: str | Path | None = None,
        verbose: int = 0, checkpoint_dir: str | Path | None = None) -> RunResult:
    """Run the seed's steps. With ``verbose=2`` Keras prints one line per epoch, which is what
    the audit reads for its progress display (parity.rrun). With ``checkpoint_dir``, training
    saves its state there after each epoch and resumes from it (python_impl.checkpoint)."""
    t0 = time.monotonic()
    timings: dict[str, float] = {}
    full = data.load_fashion_mnist()
    (x_train_full, _), (x_test_full, _) = full
    (train_images, train_labels), (test_images, test_labels) = data.subset(
        full, train_size=config.train_size, test_size=config.test_size)
    data_info = {
        "full_train_images": list(x_train_full.shape), "full_test_images": list(x_test_full.shape),
        "train_images": list(train_images.shape), "test_images": list(test_images.shape),
        "train_labels": list(train_labels.shape), "test_labels": list(test_labels.shape),
        "images_dtype": str(train_images.dtype), "labels_dtype": str(train_labels.dtype),
    }
    if figure_path is not None:
        data.plot_first_images(train_images, train_labels, figure_path)
    train_x = data.normalize(train_images)
    test_x = data.normalize(test_images)
    normalization = {
        "train": asdict(data.summarize_normalization(train_x)),
        "test": asdict(data.summarize_normalization(test_x)),
    }
    timings["data_s"] = time.monotonic() - t0

    model.seed_everything(config.seed, deterministic=config.deterministic)
    net = model.build_model()
    model.compile_model(net, steps_per_execution=config.steps_per_execution)
    layers = [asdict(row) for row in model.model_summary_table(net)]
    summary_text = model.model_summary_text(net)
    t1 = time.monotonic()
    checkpoint = None
    if checkpoint_dir is not None:
        checkpoint = TrainingCheckpoint(checkpoint_dir, checkpoint_identity(config, "python"))
    history = model.fit_model(net, train_x, train_labels, epochs=config.epochs,
                              verbose=verbose, checkpoint=checkpoint)
    timings["fit_s"] = time.monotonic() - t1
    t2 = time.monotonic()
    proba = model.predict_proba(net, test_x)
    predicted = model.classes_of(proba)  # from the same outputs: no second predict()
    timings["predict_s"] = time.monotonic() - t2
    cm = confusion.confusion_matrix(predicted, test_labels.astype(np.int64))
    timings["total_s"] = time.monotonic() - t0
    return RunResult(config, data_info, normalization, layers, summary_text, history, proba,
                     predicted, train_labels, test_labels, cm, timings, versions())


class atomic_dir:
    """Build a directory under a temporary name, rename it into place only on success."""

    def __init__(self, target: str | Path):
        self.target = Path(target)

    def __enter__(self) -> Path:
        parent = self.target.parent
        if not parent.is_dir():
            raise FileNotFoundError(f"output directory parent {parent} does not exist")
        if self.target.exists() and any(self.target.iterdir()):
            raise FileExistsError(f"output directory {self.target} exists and is not empty")
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.", dir=parent))
        return self.tmp

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            if self.target.exists():
                self.target.rmdir()
            os.replace(self.tmp, self.target)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return False


def write_artifacts(result: RunResult, out_dir: str | Path) -> Path:
    """Write the run's artifacts (same names as the R reference writes), atomically."""
    with atomic_dir(out_dir) as tmp:
        np.save(tmp / "probabilities.npy", result.proba)
        np.save(tmp / "predicted_classes.npy", result.predicted)
        np.save(tmp / "train_labels.npy", result.train_labels)
        np.save(tmp / "test_labels.npy", result.test_labels)
        (tmp / "model_summary.txt").write_text(result.summary_text + "\n")
        (tmp / "confusion_matrix.txt").write_text(str(result.confusion) + "\n")
        meta = {
            "side": "python",
            "config": asdict(result.config),
            "data": result.data_info,
            "normalization": result.normalization,
            "model": {"layers": result.layers,
                      "total_params": sum(x["params"] for x in result.layers)},
            "history": result.history,
            "confusion": result.confusion.to_dict(),
            "timings": result.timings,
            "versions": result.versions,
        }
        (tmp / "run.json").write_text(json.dumps(meta, indent=2, default=list) + "\n")
    return Path(out_dir)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m python_impl",
                                description="The seed's Fashion-MNIST workflow in Python.")
    p.add_argument("--epochs", type=int, default=200, help="training epochs (seed: 200)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--train-size", type=int, default=None, help="first N training images")
    p.add_argument("--test-size", type=int, default=None, help="first N test images")
    p.add_argument("--steps-per-execution", type=int, default=1,
                   help="Keras execution setting (speed only: results unchanged)")
    p.add_argument("--threads", type=int, default=None,
                   help="TensorFlow intra/inter-op threads (speed; on some CPUs MatMul's "
                        "last bits depend on it)")
    p.add_argument("--out", type=Path, default=None, help="write artifacts to this new directory")
    p.add_argument("--checkpoint", type=Path, default=None,
                   help="save the training state here after each epoch, and resume from it if "
                        "present; removed once the artifacts are written")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = RunConfig(epochs=args.epochs, seed=args.seed, train_size=args.train_size,
                           test_size=args.test_size, steps_per_execution=args.steps_per_execution,
                           threads=args.threads)
        if args.out is not None and not args.out.parent.is_dir():
            raise FileNotFoundError(f"--out: parent directory {args.out.parent} does not exist")
        if args.out is not None and args.out.exists() and any(args.out.iterdir()):
            raise FileExistsError(f"--out: {args.out} exists and is not empty")
    except (ValueError, FileNotFoundError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if config.threads is not None:  # before TensorFlow starts, as the R side does
        os.environ["TF_NUM_INTRAOP_THREADS"] = os.environ["TF_NUM_INTEROP_THREADS"] = str(config.threads)
    figure = None
    if args.out is not None:
        figure = args.out.parent / f".{args.out.name}.first64.png"
    try:
        result = run(config, figure_path=figure, verbose=2, checkpoint_dir=args.checkpoint)
        print(f"typeof(train_images): {result.data_info['images_dtype']}")
        print(result.summary_text)
        print("\n".join(rformat.print_vector(result.predicted[:50].tolist())))
        print(result.confusion)
        if args.out is not None:
            write_artifacts(result, args.out)
            if figure is not None and figure.exists():
                os.replace(figure, args.out / "first64.png")
            print(f"artifacts: {args.out}")
    except CheckpointError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:  # the figure waits under a temporary name until the artifacts are in place
        if figure is not None:
            figure.unlink(missing_ok=True)
    if args.checkpoint is not None:  # the run is complete: nothing left to resume
        TrainingCheckpoint(args.checkpoint, {}).remove()
    return 0
