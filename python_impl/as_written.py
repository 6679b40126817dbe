"""The tutorial's R script (``r_reference/fashion_mnist_as_written.R``) ported to Python line by
line, as a port's author writes it: tf.keras for keras, :mod:`python_impl.caret` for caret, no
writer call. ``parity/specs/tutorial_captured.toml`` audits the two scripts unmodified: the
capture layer records their keras and caret calls. (``python -m python_impl`` is the same port
instrumented: it writes the run directory itself.)

    python -m python_impl.as_written [--epochs 200] [--seed 42] [--train-size 60000]
           [--test-size 10000]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from python_impl import keras_env
from python_impl.caret import confusion_matrix

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m python_impl.as_written", allow_abbrev=False,
                                description="The tutorial's Fashion-MNIST script, ported.")
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--train-size", type=int, default=60000)
    p.add_argument("--test-size", type=int, default=10000)
    args = p.parse_args(argv)
    # Keras reads KERAS_HOME once, when it is first imported: the checkout's .keras, where
    # setup.sh linked Debian's Fashion-MNIST files (no download); TensorFlow loads only here
    keras_env.prepare()
    import tensorflow as tf  # after prepare(): Keras reads KERAS_HOME when it is first imported
    from tensorflow import keras

    keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()

    fashion_mnist = keras.datasets.fashion_mnist.load_data()

    # Données d'entrainement
    train_images, train_labels = fashion_mnist[0]

    # Données de test
    test_images, test_labels = fashion_mnist[1]
    print(train_images.dtype)
    train_images, train_labels = train_images[:args.train_size], train_labels[:args.train_size]
    test_images, test_labels = test_images[:args.test_size], test_labels[:args.test_size]

    # Conversion en DataFrame (the data of the tutorial's figure, whose code its text lost)
    image_1 = pd.DataFrame(train_images[0], columns=range(1, 29))
    image_1["y"] = range(1, len(image_1) + 1)
    image_1 = image_1.melt(id_vars="y", var_name="x", value_name="value")
    image_1["x"] = image_1["x"].astype(int)

    train_images = train_images / 255.0  # float64, as R's integers / 255
    test_images = test_images / 255.0

    class_names = ["T-shirt/haut", "Pantalon", "Pull", "Robe", "Manteau", "Sandale",  # noqa: F841
                   "Chemise", "Baskets", "Sac", "Bottines"]

    model = keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dropout(0.1),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dropout(0.1),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dropout(0.1),
        keras.layers.Dropout(0.1),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.summary()

    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    model.fit(train_images, train_labels, epochs=args.epochs, verbose=2)

    # predict_classes(), gone since TensorFlow 2.6: the argmax of predict()
    predictions = np.argmax(model.predict(test_images, verbose=0), axis=-1)
    # Affichage des 50 premières données prédites
    print(predictions[:50])

    test_labels2 = pd.Categorical(test_labels)
    predictions2 = pd.Categorical(predictions)
    matrice_Conf = confusion_matrix(predictions2, test_labels2)
    print(matrice_Conf)


if __name__ == "__main__":
    main()
