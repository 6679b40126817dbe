"""The Python port of analysis.R: R's infert data standardized as R's scale() does, a small
network with one sigmoid unit for the probability of a case, cases flagged above 0.35, and
caret's confusionMatrix with "case" as the positive class (mode="everything").

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
from python_impl.caret import confusion_matrix, two_class_summary  # noqa: E402

keras.utils.set_random_seed(args.seed)
tf.config.experimental.enable_op_determinism()

infert = pd.read_csv(Path(__file__).with_name("infert.csv"))
features = ["age", "parity", "induced", "spontaneous"]
train = infert[infert["split"] == "train"]
test = infert[infert["split"] == "test"]

# R's scale(): the sample sd (ddof=1), summed as R sums; the test set with the train's numbers
features_train = train[features].to_numpy(dtype=np.int32)  # R's integers are 32-bit
features_test = test[features].to_numpy(dtype=np.int32)
scaled = rnum.scale(features_train)
x_train = scaled.x
x_test = rnum.scale(features_test, center=scaled.center, scale=scaled.scale).x
y_train = train["case"].to_numpy(dtype=np.int32)
y_test = test["case"].to_numpy(dtype=np.int32)

model = keras.Sequential([
    keras.Input(shape=(len(features),)),
    keras.layers.Dense(8, activation="relu"),
    keras.layers.Dense(1, activation="sigmoid"),
])
lines = []
model.summary(print_fn=lambda line, **_: lines.append(line))
summary_text = "\n".join(lines)

model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=0.01),
              metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=args.epochs, batch_size=16, verbose=0)

probabilities = model.predict(x_test, verbose=0)
threshold = 0.35
predicted = (probabilities[:, 0] > threshold).astype(np.int32)
outcomes = ["control", "case"]
predicted_outcome = pd.Categorical([outcomes[i] for i in predicted], categories=outcomes)
reference = pd.Categorical([outcomes[i] for i in y_test], categories=outcomes)
cm = confusion_matrix(predicted_outcome, reference, positive="case", mode="everything")
print(cm)
# caret's twoClassSummary takes the first level ("control") as its event; 1 - p in double, as R
case_probability = probabilities[:, 0].astype(np.float64)
scored = pd.DataFrame({"obs": reference, "pred": predicted_outcome,
                       "control": 1 - case_probability, "case": case_probability})
roc_sens_spec = two_class_summary(scored, lev=outcomes)
print(roc_sens_spec)

settings = {k: v for k, v in vars(args).items() if k != "out"}
with RunWriter(args.out, side="python", settings=settings) as run:
    run.data("train_features", features_train, full_shape=infert[features].shape)
    run.data("test_features", features_test, full_shape=infert[features].shape)
    run.labels(y_train, y_test)
    run.normalization("train", x_train, save=True)
    run.normalization("test", x_test, save=True)
    run.model(model, summary_text)
    run.history(history.history)
    run.predictions(probabilities, predicted, task="binary", threshold=threshold)
    run.caret(cm, data=predicted_outcome, reference=reference)
    run.summary("twoClassSummary", roc_sens_spec, data=scored, lev=outcomes)
