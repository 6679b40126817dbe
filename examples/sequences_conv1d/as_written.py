"""The Python port of as_written.R, as its author wrote it before adding any writer call
(analysis.py is this script plus the RunWriter calls): an embedding, a 1-D convolution and
global max pooling learn whether the motif 7, 8, 9 occurs in integer sequences; the rarer class
weighs more (class_weight), one sigmoid unit gives its probability, and caret's confusionMatrix
(python_impl.caret) reports "motif" as the positive class (mode="everything"). captured.toml
audits the two scripts unmodified.

    python as_written.py [--epochs 10] [--seed 42]
"""

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import tensorflow as tf
from tensorflow import keras

from python_impl.caret import confusion_matrix

parser = argparse.ArgumentParser(allow_abbrev=False)
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--seed", type=int, default=42)
args = parser.parse_args()

keras.utils.set_random_seed(args.seed)
tf.config.experimental.enable_op_determinism()

sequences = pd.read_csv(Path(__file__).with_name("sequences.csv"))
tokens = [f"t{i}" for i in range(1, 21)]
train = sequences[sequences["split"] == "train"]
test = sequences[sequences["split"] == "test"]
x_train = train[tokens].to_numpy(dtype=np.int32)  # R's integers are 32-bit
x_test = test[tokens].to_numpy(dtype=np.int32)
y_train = (train["label"] == "motif").to_numpy(dtype=np.int32)

model = keras.Sequential([
    keras.Input(shape=(20,)),
    keras.layers.Embedding(input_dim=31, output_dim=8),
    keras.layers.Conv1D(filters=16, kernel_size=3, activation="relu"),
    keras.layers.GlobalMaxPooling1D(),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.summary()

model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
# about one sequence in five holds the motif: weigh those four times as much
class_weight = {0: 1.0, 1: 4.0}
history = model.fit(x_train, y_train, epochs=args.epochs, batch_size=32,
                    class_weight=class_weight, verbose=0)

probabilities = model.predict(x_test, verbose=0)
predicted = (probabilities[:, 0] > 0.5).astype(np.int32)
labels = ["none", "motif"]
predicted_label = pd.Categorical([labels[i] for i in predicted], categories=labels)
reference = pd.Categorical(test["label"], categories=labels)
cm = confusion_matrix(predicted_label, reference, positive="motif", mode="everything")
print(cm)
