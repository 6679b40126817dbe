"""The Python port of as_written.R, as its author wrote it before adding any writer call
(analysis.py is this script plus the RunWriter calls): an embedding and a GRU read integer
sequences, a softmax names the token range each draws most from; one-hot labels, categorical
cross-entropy, 20% of the training rows held out for validation (validation_split), then
caret's confusionMatrix (python_impl.caret). captured.toml audits the two scripts unmodified.

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
tokens = [f"t{i}" for i in range(1, 13)]
ranges = sorted(sequences["label"].unique())  # R's factor levels: sorted
train = sequences[sequences["split"] == "train"]
test = sequences[sequences["split"] == "test"]
x_train = train[tokens].to_numpy(dtype=np.int32)  # R's integers are 32-bit
x_test = test[tokens].to_numpy(dtype=np.int32)
y_train = pd.Categorical(train["label"], categories=ranges).codes.astype(np.int32)

model = keras.Sequential([
    keras.Input(shape=(12,)),
    keras.layers.Embedding(input_dim=21, output_dim=8),
    keras.layers.GRU(16),
    keras.layers.Dense(3, activation="softmax"),
])
model.summary()

model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
history = model.fit(x_train, keras.utils.to_categorical(y_train, num_classes=3),
                    epochs=args.epochs, batch_size=32, validation_split=0.2, verbose=0)

probabilities = model.predict(x_test, verbose=0)
predicted = probabilities.argmax(axis=1)
predicted_range = pd.Categorical([ranges[i] for i in predicted], categories=ranges)
reference = pd.Categorical(test["label"], categories=ranges)
cm = confusion_matrix(predicted_range, reference)
print(cm)
