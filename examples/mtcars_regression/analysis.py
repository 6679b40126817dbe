"""The Python port of analysis.R: mtcars' mpg from six min-max scaled columns, a small
regression network with a validation split and early stopping that restores the best weights,
evaluate() on the test set, and caret's postResample().

    python analysis.py --out DIR [--epochs 100] [--seed 42] [--threads N]
"""

import argparse
import os
from pathlib import Path

parser = argparse.ArgumentParser(allow_abbrev=False)
parser.add_argument("--out", type=Path, required=True)
parser.add_argument("--epochs", type=int, default=100)
parser.add_argument("--seed", type=int, default=42)
parser.add_argument("--threads", type=int, default=None)
args = parser.parse_args()
if args.threads is not None:  # before TensorFlow starts
    os.environ["TF_NUM_INTRAOP_THREADS"] = os.environ["TF_NUM_INTEROP_THREADS"] = str(args.threads)

import pandas as pd  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402

from parity.contract import RunWriter  # noqa: E402
from python_impl.caret import post_resample  # noqa: E402

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
lines = []
model.summary(print_fn=lambda line, **_: lines.append(line))
summary_text = "\n".join(lines)

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

settings = {k: v for k, v in vars(args).items() if k != "out"}
with RunWriter(args.out, side="python", settings=settings) as run:
    run.data("train_features", train[features].to_numpy(), full_shape=cars[features].shape)
    run.data("test_features", test[features].to_numpy(), full_shape=cars[features].shape)
    run.labels(y_train, y_test)
    run.normalization("train", x_train, save=True)
    run.normalization("test", x_test, save=True)
    run.model(model, summary_text)
    run.history(history.history)
    run.early_stopping(early_stopping, history)
    run.predictions(predicted, task="regression")
    run.evaluation(scores)
    run.post_resample(performance, pred=predicted[:, 0], obs=y_test)
