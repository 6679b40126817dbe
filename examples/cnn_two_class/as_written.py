"""The Python port of as_written.R, as its author wrote it before adding any writer call
(analysis.py is this script plus the RunWriter calls): Fashion-MNIST, a small convolutional
network that tells footwear (sandals, sneakers, ankle boots: classes 5, 7, 9) from every other
article, and caret's two-class report (python_impl.caret) with a positive class, a prevalence
and mode = "everything". captured.toml audits the two scripts unmodified.

    python examples/cnn_two_class/as_written.py [--epochs 2] [--seed 42] [--train-size 60000]
           [--test-size 10000]
"""

import argparse

import numpy as np
import pandas as pd

from python_impl import keras_env

# Keras reads KERAS_HOME once, when it is first imported: the port's data are the checkout's
# .keras cache, where setup.sh linked Debian's Fashion-MNIST files (no download)
keras_env.prepare()
import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402

from python_impl.caret import confusion_matrix  # noqa: E402

p = argparse.ArgumentParser(allow_abbrev=False)
p.add_argument("--epochs", type=int, default=2)
p.add_argument("--seed", type=int, default=42)
p.add_argument("--train-size", type=int, default=60000)
p.add_argument("--test-size", type=int, default=10000)
s = p.parse_args()

# Seeds and determinism: the same calls, in the same order, as as_written.R
keras.backend.clear_session()
keras.utils.set_random_seed(s.seed)
tf.config.experimental.enable_op_determinism()

(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
x_train, y_train = x_train[:s.train_size], y_train[:s.train_size]
x_test, y_test = x_test[:s.test_size], y_test[:s.test_size]
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
model.summary(line_length=80)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, is_footwear(y_train), epochs=s.epochs, batch_size=32,
                    shuffle=True, verbose=2)  # R keras's defaults, spelled out

probabilities = model.predict(x_test, batch_size=32, verbose=0)
predicted = (probabilities[:, 0] > 0.5).astype(np.int32)
predicted_f = pd.Categorical(predicted, categories=[0, 1])
reference_f = pd.Categorical(is_footwear(y_test), categories=[0, 1])
cm = confusion_matrix(predicted_f, reference_f, positive="1", prevalence=0.3,
                      mode="everything")
print(cm)
