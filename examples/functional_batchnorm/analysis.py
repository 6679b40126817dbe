"""The Python port of analysis.R: three classes in five dimensions, a functional Keras model
(dense, batch normalization, ReLU, softmax) trained against a separate validation set with
early stopping that restores the best weights, evaluate() on the test set, then caret's
confusionMatrix.

    python analysis.py --out DIR [--epochs 50] [--seed 42] [--threads N]
"""

import argparse
import os
from pathlib import Path

parser = argparse.ArgumentParser(allow_abbrev=False)
parser.add_argument("--out", type=Path, required=True)
parser.add_argument("--epochs", type=int, default=50)
parser.add_argument("--seed", type=int, default=42)
parser.add_argument("--threads", type=int, default=None)
args = parser.parse_args()
if args.threads is not None:  # before TensorFlow starts
    os.environ["TF_NUM_INTRAOP_THREADS"] = os.environ["TF_NUM_INTEROP_THREADS"] = str(args.threads)

import pandas as pd  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402

from parity.contract import RunWriter  # noqa: E402
from python_impl.caret import confusion_matrix  # noqa: E402

keras.utils.set_random_seed(args.seed)
tf.config.experimental.enable_op_determinism()

blobs = pd.read_csv(Path(__file__).with_name("blobs.csv"))
features = [f"x{i}" for i in range(1, 6)]
classes = sorted(blobs["class"].unique())  # R's factor levels: sorted
parts = {name: blobs[blobs["split"] == name] for name in ("train", "validation", "test")}
x = {name: d[features].to_numpy() for name, d in parts.items()}
codes = {name: pd.Categorical(d["class"], categories=classes).codes for name, d in parts.items()}
y = {name: keras.utils.to_categorical(c, num_classes=3) for name, c in codes.items()}

inputs = keras.Input(shape=(5,))
hidden = keras.layers.Dense(16)(inputs)
hidden = keras.layers.BatchNormalization()(hidden)
hidden = keras.layers.Activation("relu")(hidden)
outputs = keras.layers.Dense(3, activation="softmax")(hidden)
model = keras.Model(inputs, outputs)
lines = []
model.summary(print_fn=lambda line, **_: lines.append(line))
summary_text = "\n".join(lines)

model.compile(loss="categorical_crossentropy",
              optimizer=keras.optimizers.Adam(learning_rate=0.05), metrics=["accuracy"])
early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3,
                                               restore_best_weights=True)
history = model.fit(
    x["train"], y["train"], epochs=args.epochs, batch_size=32,
    validation_data=(x["validation"], y["validation"]),
    callbacks=[early_stopping],
    verbose=0)

loss, accuracy = model.evaluate(x["test"], y["test"], verbose=0)
scores = {"loss": loss, "accuracy": accuracy}
print(scores)
probabilities = model.predict(x["test"], verbose=0)
predicted = probabilities.argmax(axis=1)
predicted_class = pd.Categorical([classes[i] for i in predicted], categories=classes)
reference = pd.Categorical(parts["test"]["class"], categories=classes)
cm = confusion_matrix(predicted_class, reference)
print(cm)

settings = {k: v for k, v in vars(args).items() if k != "out"}
with RunWriter(args.out, side="python", settings=settings) as run:
    for name in parts:
        run.data(f"{name}_features", x[name], full_shape=blobs[features].shape)
    run.labels(codes["train"], codes["test"])
    run.model(model, summary_text)
    run.history(history.history)
    run.early_stopping(early_stopping, history)
    run.predictions(probabilities, predicted, task="multiclass")
    run.evaluation(scores)
    run.caret(cm, data=predicted_class, reference=reference)
