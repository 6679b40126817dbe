"""Model steps of the tutorial: the MLP, compile, fit, predict, predict_classes.

Everything goes through ``tf.keras`` so that ``TF_USE_LEGACY_KERAS=1`` (with ``tf-keras``)
switches this port and the R reference to Keras 2 together.
"""

from __future__ import annotations

import warnings

import numpy as np

from parity.contract import predicted_classes
from python_impl import keras_env
from python_impl.checkpoint import CheckpointError, TrainingCheckpoint, epoch_logger, unavailable_reason

__all__ = [
    "TUTORIAL_LAYERS",
    "EXPECTED_PARAMS",
    "EXPECTED_TOTAL_PARAMS",
    "seed_everything",
    "build_model",
    "compile_model",
    "fit_model",
    "predict_proba",
    "predict_classes",
    "classes_of",
    "model_summary_text",
]

#: The tutorial's pipe, layer by layer: (class, argument).
TUTORIAL_LAYERS = (
    ("Flatten", (28, 28)),
    ("Dense", (128, "relu")),
    ("Dropout", 0.1),
    ("Dense", (64, "relu")),
    ("Dropout", 0.1),
    ("Dense", (32, "relu")),
    ("Dropout", 0.1),
    ("Dropout", 0.1),
    ("Dense", (10, "softmax")),
)
#: Parameters per layer of that pipe, and their total (the tutorial prints 111,146).
EXPECTED_PARAMS = (0, 100480, 0, 8256, 0, 2080, 0, 0, 330)
EXPECTED_TOTAL_PARAMS = 111146


def _keras():
    keras_env.prepare()
    # TensorFlow loads only when the side trains: keeps it out of the core
    import tensorflow as tf

    return tf, tf.keras


def seed_everything(seed: int, *, deterministic: bool = True) -> None:
    """Fresh Keras session, then the seed for Python, NumPy and TF, and deterministic ops.

    The R reference makes the same calls, in this order, through reticulate.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed={seed!r}: expected a non-negative integer")
    tf, keras = _keras()
    keras.backend.clear_session()  # layer names restart at dense, dense_1, ... as in a new R session
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()


def build_model():
    """The tutorial's ``keras_model_sequential() %>% layer_flatten(...) %>% ...``, uncompiled.

    Examples
    --------
    >>> build_model().count_params()
    111146
    """
    _, keras = _keras()
    model = keras.Sequential()
    for cls, arg in TUTORIAL_LAYERS:
        if cls == "Flatten":
            # The tutorial passes input_shape to the first layer, as R keras 2 does; Keras 3 warns.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                model.add(keras.layers.Flatten(input_shape=arg))
        elif cls == "Dense":
            units, activation = arg
            model.add(keras.layers.Dense(units=units, activation=activation))
        else:
            model.add(keras.layers.Dropout(rate=arg))
    return model


def compile_model(model, *, optimizer: str = "adam", steps_per_execution: int = 1):
    """The tutorial's ``compile(optimizer = 'adam', loss = 'sparse_categorical_crossentropy',
    metrics = c('accuracy'))``. ``steps_per_execution`` is an execution setting only."""
    model.compile(
        optimizer=optimizer,
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
    )
    return model


def fit_model(model, x, y, *, epochs: int = 200, batch_size: int = 32, verbose: int = 0,
              checkpoint: TrainingCheckpoint | None = None) -> dict[str, list[float]]:
    """The tutorial's ``fit(train_images, train_labels, epochs = 200, verbose = 2)``.

    R keras 2 leaves ``batch_size`` to Keras (32) and shuffles; the same here. Returns the
    per-epoch history, e.g. ``{"loss": [...], "accuracy": [...]}``.

    With ``checkpoint``, the state is saved after every epoch and a run that finds a checkpoint
    continues from it (printing ``resume: k/N epochs done``): the result is bit-identical to an
    uninterrupted run (python_impl.checkpoint).
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs={epochs!r}: expected a positive integer")
    if checkpoint is not None and (reason := unavailable_reason()):
        print(f"checkpoints: off ({reason})", flush=True)
        checkpoint = None
    # One code path with and without a checkpoint: the same fit() call and the same callback,
    # which records each epoch's logs (and, with a checkpoint, saves the state).
    done, history = checkpoint.restore(model) if checkpoint is not None else (0, {})
    if done > epochs:
        assert checkpoint is not None  # without one, done is 0 and epochs >= 1
        raise CheckpointError(f"checkpoint {checkpoint.path} has {done} epochs done, more than "
                              f"the {epochs} asked for")
    if done:
        print(f"resume: {done}/{epochs} epochs done", flush=True)
    if done < epochs:
        model.fit(x, y, epochs=epochs, initial_epoch=done, batch_size=batch_size, shuffle=True,
                  verbose=verbose, callbacks=[epoch_logger(model, history, done, checkpoint)])
    return history


def predict_proba(model, x) -> np.ndarray:
    """``predict(model, x)``: softmax outputs, float32, one row per image."""
    return np.asarray(model.predict(x, batch_size=32, verbose=0))


def classes_of(proba: np.ndarray) -> np.ndarray:
    """R keras' ``predict_classes`` rule (:func:`parity.contract.predicted_classes`: the
    0-based argmax of each row, or a single sigmoid unit thresholded at 0.5)."""
    return predicted_classes(proba)


def predict_classes(model, x) -> np.ndarray:
    """R keras' ``predict_classes``: :func:`classes_of` the output of ``predict``."""
    return classes_of(predict_proba(model, x))


def model_summary_text(model) -> str:
    """``summary(model)`` as printed text."""
    lines: list[str] = []
    model.summary(print_fn=lambda s, **_: lines.append(s), line_length=80)
    return "\n".join(lines)
