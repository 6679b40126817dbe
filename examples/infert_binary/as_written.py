"""The Python port of as_written.R, as its author wrote it before adding any writer call
(analysis.py is this script plus the RunWriter calls): R's infert data standardized as R's
scale() does, a small network with one sigmoid unit for the probability of a case, cases
flagged above 0.35, caret's confusionMatrix with "case" as the positive class
(mode="everything") and twoClassSummary. captured.toml audits the two scripts unmodified.

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
from python_impl.caret import confusion_matrix, two_class_summary

parser = argparse.ArgumentParser(allow_abbrev=False)
parser.add_argument("--epochs", type=int, default=30)
parser.add_argument("--seed", type=int, default=42)
args = parser.parse_args()

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
model.summary()

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
