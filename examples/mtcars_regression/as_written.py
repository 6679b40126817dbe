"""The Python port of as_written.R, as its author wrote it before adding any writer call
(analysis.py is this script plus the RunWriter calls): mtcars' mpg from six min-max scaled
columns, a small regression network with a validation split and early stopping that restores
the best weights, evaluate() on the test set, and caret's postResample() (python_impl.caret).
captured.toml audits the two scripts unmodified.

    python as_written.py [--epochs 100] [--seed 42]
"""

import argparse
from pathlib import Path

import pandas as pd
import tensorflow as tf
from tensorflow import keras

from python_impl.caret import post_resample

parser = argparse.ArgumentParser(allow_abbrev=False)
parser.add_argument("--epochs", type=int, default=100)
parser.add_argument("--seed", type=int, default=42)
args = parser.parse_args()

keras.utils.set_random_seed(args.seed)
tf.config.experimental.enable_op_determinism()

cars = pd.read_csv(Path(__file__).with_name("mtcars.csv"))
features = ["cyl", "disp", "hp", "drat", "wt", "qsec"]
train = cars[cars["split"] == "train"]
test = cars[cars["split"] == "test"]

# min-max scaling with the training set's minimum and maximum, for both sets
mins = train[features].min().to_numpy()
maxs = train[features].max().to_numpy()
x_train = (train[features].to_numpy() - mins) / (maxs - mins)
x_test = (test[features].to_numpy() - mins) / (maxs - mins)
y_train = train["mpg"].to_numpy()
y_test = test["mpg"].to_numpy()

model = keras.Sequential([
    keras.Input(shape=(len(features),)),
    keras.layers.Dense(16, activation="relu"),
    keras.layers.Dense(1),
])
model.summary()

model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=0.1), metrics=["mae"])
early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5,
                                               restore_best_weights=True)
history = model.fit(x_train, y_train, epochs=args.epochs, batch_size=8, validation_split=0.2,
                    callbacks=[early_stopping], verbose=0)

loss, mae = model.evaluate(x_test, y_test, verbose=0)
scores = {"loss": loss, "mae": mae}
print(scores)
predicted = model.predict(x_test, verbose=0)
performance = post_resample(predicted[:, 0], y_test)  # caret's RMSE, Rsquared, MAE
print(performance)
