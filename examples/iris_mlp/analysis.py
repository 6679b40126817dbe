"""The Python port of analysis.R: iris, standardized as R's scale() does, one-hot species,
a small MLP trained with categorical cross-entropy, caret's confusionMatrix(mode="prec_recall").

    python analysis.py --out DIR [--epochs 30] [--seed 42] [--threads N]
"""

import argparse
import os
from pathlib import Path

parser = argparse.ArgumentParser(allow_abbrev=False)
parser.add_argument("--out", type=Path, required=True)
parser.add_argument("--epochs", type=int, default=30)
parser.add_argument("--seed", type=int, default=42)
parser.add_argument("--threads", type=int, default=None)
args = parser.parse_args()
if args.threads is not None:  # before TensorFlow starts
    os.environ["TF_NUM_INTRAOP_THREADS"] = os.environ["TF_NUM_INTEROP_THREADS"] = str(args.threads)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402

from parity import rnum  # noqa: E402
from parity.contract import RunWriter  # noqa: E402
from python_impl.caret import confusion_matrix  # noqa: E402

keras.utils.set_random_seed(args.seed)
tf.config.experimental.enable_op_determinism()

iris = pd.read_csv(Path(__file__).with_name("iris.csv"))
features = ["Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"]
species = sorted(iris["Species"].unique())  # R's factor levels: sorted
train = iris[iris["split"] == "train"]
test = iris[iris["split"] == "test"]
y_train_codes = pd.Categorical(train["Species"], categories=species).codes.astype(np.int32)
y_test_codes = pd.Categorical(test["Species"], categories=species).codes.astype(np.int32)

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
lines = []
model.summary(print_fn=lambda line, **_: lines.append(line))
summary_text = "\n".join(lines)

model.compile(loss="categorical_crossentropy",
              optimizer=keras.optimizers.Adam(learning_rate=0.01), metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=args.epochs, batch_size=16, verbose=0)

probabilities = model.predict(x_test, verbose=0)
predicted = probabilities.argmax(axis=1)
predicted_species = pd.Categorical([species[i] for i in predicted], categories=species)
reference = pd.Categorical(test["Species"], categories=species)
cm = confusion_matrix(predicted_species, reference, mode="prec_recall")
print(cm)

settings = {k: v for k, v in vars(args).items() if k != "out"}
with RunWriter(args.out, side="python", settings=settings) as run:
    run.data("train_features", train[features].to_numpy(), full_shape=iris[features].shape)
    run.data("test_features", test[features].to_numpy(), full_shape=iris[features].shape)
    run.labels(y_train_codes, y_test_codes)
    run.normalization("train", x_train, save=True)
    run.normalization("test", x_test, save=True)
    run.model(model, summary_text)
    run.history(history.history)
    run.predictions(probabilities, predicted, task="multiclass")
    run.caret(cm, data=predicted_species, reference=reference)
