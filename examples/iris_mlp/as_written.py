"""The Python port of as_written.R, as its author wrote it before adding any writer call
(analysis.py is this script plus the RunWriter calls): iris, standardized as R's scale() does,
one-hot species, a small MLP trained with categorical cross-entropy, caret's
confusionMatrix(mode="prec_recall"). captured.toml audits the two scripts unmodified.

The port uses two libraries of this project as a port may: parity.rnum for R's scale() (R's
sample sd, summed as R sums) and python_impl.caret for caret.

    python as_written.py [--epochs 30] [--seed 42]
"""

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import tensorflow as tf
from tensorflow import keras

from parity import rnum
from python_impl.caret import confusion_matrix

parser = argparse.ArgumentParser(allow_abbrev=False)
parser.add_argument("--epochs", type=int, default=30)
parser.add_argument("--seed", type=int, default=42)
args = parser.parse_args()

keras.utils.set_random_seed(args.seed)
tf.config.experimental.enable_op_determinism()

iris = pd.read_csv(Path(__file__).with_name("iris.csv"))
features = ["Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"]
species = sorted(iris["Species"].unique())  # R's factor levels: sorted
train = iris[iris["split"] == "train"]
test = iris[iris["split"] == "test"]
y_train_codes = pd.Categorical(train["Species"], categories=species).codes.astype(np.int32)

# R's scale(): the sample sd (ddof=1), summed as R sums; the test set with the train's numbers
scaled = rnum.scale(train[features].to_numpy())
x_train = scaled.x
x_test = rnum.scale(test[features].to_numpy(), center=scaled.center, scale=scaled.scale).x
y_train = keras.utils.to_categorical(y_train_codes, num_classes=3)

model = keras.Sequential([
    keras.Input(shape=(4,)),
    keras.layers.Dense(16, activation="relu"),
    keras.layers.Dense(3, activation="softmax"),
])
model.summary()

model.compile(loss="categorical_crossentropy",
              optimizer=keras.optimizers.Adam(learning_rate=0.01), metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=args.epochs, batch_size=16, verbose=0)

probabilities = model.predict(x_test, verbose=0)
predicted = probabilities.argmax(axis=1)
predicted_species = pd.Categorical([species[i] for i in predicted], categories=species)
reference = pd.Categorical(test["Species"], categories=species)
cm = confusion_matrix(predicted_species, reference, mode="prec_recall")
print(cm)
