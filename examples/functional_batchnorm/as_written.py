"""The Python port of as_written.R, as its author wrote it before adding any writer call
(analysis.py is this script plus the RunWriter calls): three classes in five dimensions, a
functional Keras model (dense, batch normalization, ReLU, softmax) trained against a separate
validation set with early stopping that restores the best weights, evaluate() on the test set,
then caret's confusionMatrix (python_impl.caret). captured.toml audits the two scripts
unmodified.

    python as_written.py [--epochs 50] [--seed 42]
"""

import argparse
from pathlib import Path

import pandas as pd
import tensorflow as tf
from tensorflow import keras

from python_impl.caret import confusion_matrix

parser = argparse.ArgumentParser(allow_abbrev=False)
parser.add_argument("--epochs", type=int, default=50)
parser.add_argument("--seed", type=int, default=42)
args = parser.parse_args()

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
model.summary()

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
