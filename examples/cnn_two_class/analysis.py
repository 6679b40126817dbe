"""The Python port of analysis.R: Fashion-MNIST, a small convolutional network that tells
footwear (sandals, sneakers, ankle boots: classes 5, 7, 9) from every other article, and caret's
two-class report with a positive class, a prevalence and mode = "everything".

    python examples/cnn_two_class/analysis.py --out DIR [--epochs 2] [--train-size N] ...

DIR receives the run-artifact contract "parity-run" through parity.contract.RunWriter.
"""

import argparse
import os
from pathlib import Path

import numpy as np
import pandas as pd

p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
p.add_argument("--out", type=Path, required=True)
for name, default in (("epochs", 2), ("seed", 42), ("train_size", None), ("test_size", None),
                      ("steps_per_execution", 1), ("threads", None)):
    p.add_argument("--" + name.replace("_", "-"), type=int, default=default)
p.add_argument("--save-normalized", action="store_true")
s = p.parse_args()
settings = {k: v for k, v in vars(s).items() if k != "out"}  # as analysis.R records them

# The thread pools are read once, when TensorFlow starts (as on the R side); KERAS_HOME first.
if s.threads is not None:
    os.environ["TF_NUM_INTRAOP_THREADS"] = os.environ["TF_NUM_INTEROP_THREADS"] = str(s.threads)
from python_impl import keras_env  # noqa: E402
from python_impl.workflow import versions  # noqa: E402

keras_env.prepare()
import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402

from parity.contract import RunWriter  # noqa: E402
from python_impl.caret import confusion_matrix  # noqa: E402

# Seeds and determinism: the same calls, in the same order, as analysis.R
keras.backend.clear_session()
keras.utils.set_random_seed(s.seed)
tf.config.experimental.enable_op_determinism()

with RunWriter(s.out, side="python", settings=settings) as run:
    (x_train, y_train), (x_test, y_test) = full = keras.datasets.fashion_mnist.load_data()
    x_train, y_train = x_train[:s.train_size], y_train[:s.train_size]  # [:None]: all of it
    x_test, y_test = x_test[:s.test_size], y_test[:s.test_size]
    for name, used, whole in (("train_images", x_train, full[0][0]),
                              ("train_labels", y_train, full[0][1]),
                              ("test_images", x_test, full[1][0]),
                              ("test_labels", y_test, full[1][1])):
        run.data(name, used, full_shape=whole.shape)
    x_train = x_train / 255.0  # float64, as R's x / 255
    x_test = x_test / 255.0

    def is_footwear(y):  # the two-class view: 1 = footwear (classes 5, 7, 9), as R's integers
        return np.isin(y, [5, 7, 9]).astype(np.int32)

    # layers created in the R pipe's order: under Keras 3 that order sets the initial weights
    model = keras.Sequential()
    model.add(keras.layers.Reshape((28, 28, 1), input_shape=(28, 28)))
    model.add(keras.layers.Conv2D(filters=8, kernel_size=(3, 3), activation="relu"))
    model.add(keras.layers.MaxPooling2D(pool_size=(2, 2)))
    model.add(keras.layers.Flatten())
    model.add(keras.layers.Dense(units=1, activation="sigmoid"))
    lines = []
    model.summary(print_fn=lambda line, **_: lines.append(line), line_length=80)
    print(summary_text := "\n".join(lines))  # before fit, as in R
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"],
                  steps_per_execution=s.steps_per_execution)
    history = model.fit(x_train, is_footwear(y_train), epochs=s.epochs, batch_size=32,
                        shuffle=True, verbose=2)  # R keras's defaults, spelled out

    probabilities = model.predict(x_test, batch_size=32, verbose=0)
    predicted = (probabilities[:, 0] > 0.5).astype(np.int32)
    predicted_f = pd.Categorical(predicted, categories=[0, 1])
    reference_f = pd.Categorical(is_footwear(y_test), categories=[0, 1])
    cm = confusion_matrix(predicted_f, reference_f, positive="1", prevalence=0.3,
                          mode="everything")
    print(cm)

    run.normalization("train", x_train, save=s.save_normalized)
    run.normalization("test", x_test, save=s.save_normalized)
    run.labels(y_train, y_test)
    run.model(model, summary_text)
    run.history(history.history)
    run.predictions(probabilities, predicted)
    run.caret(cm, data=predicted_f, reference=reference_f, prevalence=0.3)
    run.set("versions", versions())  # (the port's: tf-keras has its version elsewhere)
print(f"artifacts: {s.out}")
