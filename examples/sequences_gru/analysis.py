"""The Python port of analysis.R: an embedding and a GRU read integer sequences, a softmax
names the token range each draws most from; one-hot labels, categorical cross-entropy, 20% of
the training rows held out for validation (validation_split), then caret's confusionMatrix.

    python analysis.py --out DIR [--epochs 10] [--seed 42] [--threads N]
"""

import argparse
import os
from pathlib import Path

parser = argparse.ArgumentParser(allow_abbrev=False)
parser.add_argument("--out", type=Path, required=True)
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--seed", type=int, default=42)
parser.add_argument("--threads", type=int, default=None)
args = parser.parse_args()
if args.threads is not None:  # before TensorFlow starts
    os.environ["TF_NUM_INTRAOP_THREADS"] = os.environ["TF_NUM_INTEROP_THREADS"] = str(args.threads)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402

from parity.contract import RunWriter  # noqa: E402
from python_impl.caret import confusion_matrix  # noqa: E402

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
y_test = pd.Categorical(test["label"], categories=ranges).codes.astype(np.int32)

model = keras.Sequential([
    keras.Input(shape=(12,)),
    keras.layers.Embedding(input_dim=21, output_dim=8),
    keras.layers.GRU(16),
    keras.layers.Dense(3, activation="softmax"),
])
lines = []
model.summary(print_fn=lambda line, **_: lines.append(line))
summary_text = "\n".join(lines)

model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
history = model.fit(x_train, keras.utils.to_categorical(y_train, num_classes=3),
                    epochs=args.epochs, batch_size=32, validation_split=0.2, verbose=0)

probabilities = model.predict(x_test, verbose=0)
predicted = probabilities.argmax(axis=1)
predicted_range = pd.Categorical([ranges[i] for i in predicted], categories=ranges)
reference = pd.Categorical(test["label"], categories=ranges)
cm = confusion_matrix(predicted_range, reference)
print(cm)

settings = {k: v for k, v in vars(args).items() if k != "out"}
with RunWriter(args.out, side="python", settings=settings) as run:
    run.data("train_sequences", x_train, full_shape=sequences[tokens].shape)
    run.data("test_sequences", x_test, full_shape=sequences[tokens].shape)
    run.labels(y_train, y_test)
    run.model(model, summary_text)
    run.history(history.history)
    run.predictions(probabilities, predicted, task="multiclass")
    run.caret(cm, data=predicted_range, reference=reference)
