"""The tutorial's workflow end to end, in the tutorial's order, writing its run directory.

``python -m python_impl --out DIR`` runs it, prints what the tutorial prints (the data type, the
model summary, the training log, ``predictions[1:50]`` and caret's confusion matrix) and writes
the run-artifact contract (:mod:`parity.contract`) that the audit reads - the same code path
whether a user or the audit runs it.

Settings live in one place, :class:`RunConfig`: its fields are the command-line options
(``--train-size`` for ``train_size``) and the settings recorded in ``run.json``. The R script
keeps its twin list (``settings`` in ``r_reference/fashion_mnist.R``); a new setting is one
field here and one entry there.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

from parity.contract import RunWriter, check_output_dir
from parity.contract import checkpoint_identity as contract_checkpoint_identity
from python_impl import data, keras_env, model
from python_impl.caret import confusion, rformat
from python_impl.checkpoint import CheckpointError, TrainingCheckpoint

__all__ = ["RunConfig", "run", "main", "versions", "WorkflowError"]



def _setting(default, help: str, *, minimum: int | None = 1):
    return field(default=default, metadata={"help": help, "minimum": minimum})


@dataclass(frozen=True)
class RunConfig:
    """What a run computes, and how it executes. ``None`` sizes mean the full data (60,000 /
    10,000 images). Each field is a command-line option and a recorded setting."""

    epochs: int = _setting(200, "training epochs (the tutorial: 200)")
    seed: int = _setting(42, "random seed (set.seed / keras.utils.set_random_seed)", minimum=0)
    train_size: int | None = _setting(None, "use the first N training images")
    test_size: int | None = _setting(None, "use the first N test images")
    #: execution settings: Keras runs this many batches per call (never changes a result);
    #: TensorFlow's intra/inter-op thread pools (None: TF's default), which on some CPUs change
    #: MatMul's float32 rounding (parity.config.AuditConfig, BENCHMARKS.md). Threads are read
    #: when TF starts, so only a new process applies them.
    steps_per_execution: int = _setting(1, "Keras execution setting (speed only: results unchanged)")
    threads: int | None = _setting(None, "TensorFlow intra/inter-op threads (speed; on some CPUs "
                                          "MatMul's last bits depend on it)")
    save_normalized: bool = _setting(False, "also write the normalized images (for a "
                                            "pixel-by-pixel comparison)", minimum=None)

    def __post_init__(self):
        for f in fields(self):
            v = getattr(self, f.name)
            if f.type == "bool" or isinstance(f.default, bool):
                if not isinstance(v, bool):
                    raise ValueError(f"{f.name}={v!r}: expected True or False")
                continue
            if v is None and f.default is None:
                continue
            lo = f.metadata["minimum"]
            if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= confusion.R_INT_MAX:
                raise ValueError(f"{f.name}={v!r}: expected an integer from {lo} to {confusion.R_INT_MAX}"
                                 + (" or None" if f.default is None else ""))

    def settings(self) -> dict:
        """The settings as ``run.json`` records them."""
        return asdict(self)


def versions() -> dict[str, str]:
    # TensorFlow loads only when the side trains: keeps it out of the core
    import tensorflow as tf

    legacy = os.environ.get("TF_USE_LEGACY_KERAS") == "1"
    if legacy:
        # TensorFlow/Keras load only when the side trains: keeps them out of the core
        import tf_keras

        keras_version = tf_keras.__version__
    else:
        # TensorFlow/Keras load only when the side trains: keeps them out of the core
        import keras

        keras_version = keras.__version__
    return {"python": platform.python_version(), "numpy": np.__version__,
            "tensorflow": tf.__version__, "keras": keras_version,
            "keras_package": "tf_keras" if legacy else "keras"}


def checkpoint_identity(config: RunConfig, side: str) -> dict:
    """What a training checkpoint must match to be resumed: the side, the Keras generation and
    the settings by the rule both sides follow (:func:`parity.contract.checkpoint_identity`:
    the settings minus the execution settings the audit names minus epochs)."""
    return {"side": side, **contract_checkpoint_identity(config.settings()),
            "keras_package": versions()["keras_package"]}


def run(config: RunConfig, out: str | Path, *, verbose: int = 2,
        checkpoint_dir: str | Path | None = None, figure_path: str | Path | None = None) -> Path:
    """Run the tutorial's steps and write the run directory ``out`` (atomically).

    With ``verbose=2`` Keras prints one line per epoch, which the audit reads for its progress
    display (parity.orchestration.sides). With ``checkpoint_dir``, training saves its state there after each
    epoch and resumes from it (python_impl.checkpoint).
    """
    t0 = time.monotonic()
    timings: dict[str, float] = {}
    with RunWriter(out, side="python", settings=config.settings()) as w:
        full = data.load_fashion_mnist()
        (x_train_full, y_train_full), (x_test_full, y_test_full) = full
        (train_images, train_labels), (test_images, test_labels) = data.subset(
            full, train_size=config.train_size, test_size=config.test_size)
        print(f"typeof(train_images): {train_images.dtype}")
        for name, used, whole in (("train_images", train_images, x_train_full),
                                  ("train_labels", train_labels, y_train_full),
                                  ("test_images", test_images, x_test_full),
                                  ("test_labels", test_labels, y_test_full)):
            w.data(name, used, full_shape=whole.shape)
        if figure_path is not None:
            data.plot_first_images(train_images, train_labels, figure_path)
        train_x = data.normalize(train_images)
        test_x = data.normalize(test_images)
        w.normalization("train", train_x, save=config.save_normalized)
        w.normalization("test", test_x, save=config.save_normalized)
        w.labels(train_labels, test_labels)
        timings["data_s"] = time.monotonic() - t0

        model.seed_everything(config.seed)
        net = model.build_model()
        model.compile_model(net, steps_per_execution=config.steps_per_execution)
        summary_text = model.model_summary_text(net)
        print(summary_text)
        w.model(net, summary_text)
        checkpoint = None
        if checkpoint_dir is not None:
            checkpoint = TrainingCheckpoint(checkpoint_dir, checkpoint_identity(config, "python"))
        t1 = time.monotonic()
        history = model.fit_model(net, train_x, train_labels, epochs=config.epochs,
                                  verbose=verbose, checkpoint=checkpoint)
        timings["fit_s"] = time.monotonic() - t1
        w.history(history)
        proba = model.predict_proba(net, test_x)
        predicted = model.classes_of(proba)  # from the same outputs: no second predict()
        print("\n".join(rformat.print_vector(predicted[:50].tolist())))
        w.predictions(proba, predicted, task="multiclass")
        errors = {}
        try:
            cm = confusion.confusion_matrix(predicted, test_labels.astype(np.int64))
        except ValueError as exc:  # recorded: the audit reports it with the predictions it had
            errors["confusion"] = str(exc)
            w.set("errors", errors)
        else:
            print(cm)
            w.caret(cm, data=predicted, reference=test_labels)
        timings["total_s"] = time.monotonic() - t0
        w.set("timings", timings)
        w.set("versions", versions())
        w.set("implementation", {"name": "python_impl", "keras": "tf.keras",
                                 "predict_classes": "argmax of predict(), 0-based "
                                                    "(python_impl.model.classes_of)"})
    if errors:
        raise WorkflowError(f"{out}: written without the steps that failed: {errors}")
    return Path(out)


class WorkflowError(RuntimeError):
    """A step failed; the run directory holds what was done before, and the error."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m python_impl", allow_abbrev=False,
                                description="The tutorial's Fashion-MNIST workflow in Python.")
    p.add_argument("--out", type=Path, required=True, help="write the run directory here (new)")
    p.add_argument("--checkpoint", type=Path, default=None,
                   help="save the training state here after each epoch, and resume from it if "
                        "present; removed once the run directory is written")
    for f in fields(RunConfig):
        flag = "--" + f.name.replace("_", "-")
        if isinstance(f.default, bool):
            p.add_argument(flag, action="store_true", help=f.metadata["help"])
        else:
            p.add_argument(flag, type=int, default=f.default, help=f.metadata["help"]
                           + f" (default: {f.default})")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = RunConfig(**{f.name: getattr(args, f.name) for f in fields(RunConfig)})
        check_output_dir(args.out)
    except (FileNotFoundError, FileExistsError) as exc:
        print(f"error: --out {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if config.threads is not None:  # before TensorFlow starts, as the R side does
        os.environ["TF_NUM_INTRAOP_THREADS"] = os.environ["TF_NUM_INTEROP_THREADS"] = str(config.threads)
    keras_env.prepare()
    figure = args.out.parent / f".{args.out.name}.first64.png"
    try:
        run(config, args.out, checkpoint_dir=args.checkpoint, figure_path=figure)
        if figure.exists():
            os.replace(figure, args.out / "first64.png")
        print(f"artifacts: {args.out}")
    except (CheckpointError, RuntimeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, CheckpointError) else 1
    finally:  # the figure waits under a temporary name until the run directory is in place
        figure.unlink(missing_ok=True)
    if args.checkpoint is not None:  # the run is complete: nothing left to resume
        TrainingCheckpoint(args.checkpoint, {}).remove()
    return 0
