"""The Python port of analysis.R: an embedding, a 1-D convolution and global max pooling
learn whether the motif 7, 8, 9 occurs in integer sequences; the rarer class weighs more
(class_weight), one sigmoid unit gives its probability, and caret's confusionMatrix reports
"motif" as the positive class (mode="everything").

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
tokens = [f"t{i}" for i in range(1, 21)]
train = sequences[sequences["split"] == "train"]
test = sequences[sequences["split"] == "test"]
x_train = train[tokens].to_numpy(dtype=np.int32)  # R's integers are 32-bit
x_test = test[tokens].to_numpy(dtype=np.int32)
y_train = (train["label"] == "motif").to_numpy(dtype=np.int32)
y_test = (test["label"] == "motif").to_numpy(dtype=np.int32)

model = keras.Sequential([
    keras.Input(shape=(20,)),
    keras.layers.Embedding(input_dim=31, output_dim=8),
    keras.layers.Conv1D(filters=16, kernel_size=3, activation="relu"),
    keras.layers.GlobalMaxPooling1D(),
    keras.layers.Dense(1, activation="sigmoid"),
])
lines = []
model.summary(print_fn=lambda line, **_: lines.append(line))
summary_text = "\n".join(lines)

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

settings = {k: v for k, v in vars(args).items() if k != "out"}
with RunWriter(args.out, side="python", settings=settings) as run:
    run.data("train_sequences", x_train, full_shape=sequences[tokens].shape)
    run.data("test_sequences", x_test, full_shape=sequences[tokens].shape)
    run.labels(y_train, y_test)
    run.model(model, summary_text)
    run.history(history.history)
    run.weights(class_weight=class_weight)
    run.predictions(probabilities, predicted, task="binary", threshold=0.5)
    run.caret(cm, data=predicted_label, reference=reference)
