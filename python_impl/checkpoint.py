"""Resume training exactly where an interrupted run stopped.

A checkpoint is one file, ``<dir>/state.npz``, rewritten atomically (temporary file, then
rename) after every epoch. It holds every variable training changes - the model's (weights
*and* each Dropout layer's seed-generator state) and the optimizer's (Adam's step count and
moments) - with the per-epoch history so far and the run's identity. Restoring all of them and
calling ``fit(initial_epoch = k)`` continues bit-identically to an uninterrupted run
(``tests/test_resume.py``).

Why not Keras' own ``BackupAndRestore``: its weights file holds the layer weights and the
optimizer but not the Dropout seed-generator states, so a resumed run draws the first epochs'
dropout masks again and diverges (measured: epoch-3 loss 1.3276 against 1.3995 on 600 images).
Shuffling needs no state: with a global seed, Keras 3 draws the same permutation every epoch.

Keras 2 (tf-keras, ``TF_USE_LEGACY_KERAS=1``) cannot be resumed exactly: its Dropout draws from
stateful TensorFlow kernels whose position cannot be saved. There, :func:`unavailable_reason`
says so and training runs without checkpoints (an interrupted run starts again).

The R side keeps the same content in ``<dir>/state.bin``, data only (JSON header and
little-endian doubles; r_packages/parityrun/R/checkpoint.R).
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["TrainingCheckpoint", "CheckpointError", "unavailable_reason", "epoch_logger"]

STATE_FILE = "state.npz"


class CheckpointError(ValueError):
    """A checkpoint that does not belong to this run (other data, seed or model)."""


def unavailable_reason() -> str | None:
    """Why this Keras cannot resume exactly, or None when it can."""
    if os.environ.get("TF_USE_LEGACY_KERAS") == "1":
        return ("Keras 2 (tf-keras) draws dropout masks from stateful TensorFlow kernels whose "
                "state cannot be saved, so a resumed run would differ; this run cannot resume")
    return None


def _variables(model) -> list:
    """Everything fit() changes, in a fixed order: the model's variables, then the optimizer's."""
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    return [*model.variables, *model.optimizer.variables]


def _layout(variables) -> list[list]:
    return [[v.path, list(v.shape), str(v.dtype)] for v in variables]


class TrainingCheckpoint:
    """The checkpoint of one training run in ``directory``.

    ``identity`` says which run the checkpoint belongs to (the side, the Keras package and the
    settings by :func:`parity.contract.checkpoint_identity`'s rule); restoring a checkpoint with
    another identity raises :class:`CheckpointError`.
    """

    def __init__(self, directory: str | Path, identity: dict):
        self.directory = Path(directory)
        self.identity = identity
        self.path = self.directory / STATE_FILE

    def restore(self, model) -> tuple[int, dict[str, list[float]]]:
        """Load the saved state into ``model`` (compiled); return (epochs done, history).

        No checkpoint yet: (0, {}) and the model is left as it is.
        """
        if not self.path.exists():
            return 0, {}
        try:
            with np.load(self.path, allow_pickle=False) as saved:
                meta = json.loads(str(saved["meta"]))
                values = [saved[f"v{i}"] for i in range(len(meta["layout"]))]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:  # damaged
            raise CheckpointError(f"checkpoint {self.path} is damaged ({exc}); delete it to "
                                  "train this side from the start") from None
        if meta["identity"] != self.identity:
            raise CheckpointError(
                f"checkpoint {self.path} belongs to another run: {meta['identity']}, "
                f"this run is {self.identity}; remove it or use another directory")
        variables = _variables(model)
        if meta["layout"] != _layout(variables):
            raise CheckpointError(f"checkpoint {self.path} holds other variables than this model "
                                  f"({len(meta['layout'])} saved, {len(variables)} here)")
        for var, value in zip(variables, values, strict=True):
            var.assign(value)
        return int(meta["epochs_done"]), meta["history"]

    def save(self, model, epochs_done: int, history: dict[str, list[float]]) -> None:
        """Write the state after ``epochs_done`` epochs, atomically."""
        variables = _variables(model)
        meta = {"identity": self.identity, "epochs_done": epochs_done, "history": history,
                "layout": _layout(variables)}
        arrays = {f"v{i}": np.asarray(v) for i, v in enumerate(variables)}
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.directory / f".{STATE_FILE}.tmp"
        with open(tmp, "wb") as f:
            np.savez(f, meta=np.array(json.dumps(meta)), **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def remove(self) -> None:
        """Delete the checkpoint once the run's artifacts are written."""
        for p in (self.path, self.directory / f".{STATE_FILE}.tmp"):
            p.unlink(missing_ok=True)
        try:
            self.directory.rmdir()
        except OSError:  # not empty (someone else's files) or already gone
            pass


def epoch_logger(model, history: dict[str, list[float]], first_epoch: int,
                 checkpoint: TrainingCheckpoint | None = None):
    """A Keras callback that extends ``history`` (the restored history, possibly empty) in place
    with each epoch's logs and, given a checkpoint, saves the state after each epoch."""
    # TensorFlow loads only when the side trains: keeps it out of the core
    import tensorflow as tf

    assert all(len(v) == first_epoch for v in history.values()), "history and epoch disagree"

    class EpochLogger(tf.keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            for key, value in (logs or {}).items():
                history.setdefault(key, []).append(float(value))
            if checkpoint is not None:
                checkpoint.save(model, epoch + 1, history)

    return EpochLogger()
