"""Data steps of the tutorial: load Fashion-MNIST, normalise by 255, class names, first-64 figure."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from python_impl import keras_env
from python_impl.idx import FASHION_MNIST_FILES

__all__ = [
    "CLASS_NAMES_FR",
    "CLASS_NAMES_EN",
    "load_fashion_mnist",
    "normalize",
    "NormalizationSummary",
    "summarize_normalization",
    "subset",
    "plot_first_images",
]

#: The tutorial's ``class_names`` (French). The tutorial's extracted text keeps only the last four
#: ('Chemise', 'Baskets', 'Sac', 'Bottines'); the first six are the usual French names of the
#: Fashion-MNIST classes, in the dataset's label order.
CLASS_NAMES_FR = (
    "T-shirt/haut", "Pantalon", "Pull", "Robe", "Manteau",
    "Sandale", "Chemise", "Baskets", "Sac", "Bottines",
)
#: The dataset's own English class names, label 0..9.
CLASS_NAMES_EN = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)

TRAIN_SHAPE = (60000, 28, 28)
TEST_SHAPE = (10000, 28, 28)


def load_fashion_mnist():
    """The tutorial's ``dataset_fashion_mnist()``: Keras' own loader, read from the local cache.

    Returns
    -------
    ((train_images, train_labels), (test_images, test_labels))
        uint8 arrays of shapes (60000, 28, 28), (60000,), (10000, 28, 28), (10000,).

    Raises
    ------
    RuntimeError
        The files are not in ``$KERAS_HOME/datasets/fashion-mnist`` (run ``setup.sh``); Keras
        would otherwise try to download them, which these machines cannot do.
    """
    keras_env.prepare()
    cache = Path(os.environ["KERAS_HOME"]) / "datasets" / "fashion-mnist"

    absent = [name for name in FASHION_MNIST_FILES if not (cache / name).exists()]
    if absent:
        raise RuntimeError(
            f"Fashion-MNIST files missing from {cache}: {', '.join(absent)}; "
            "run ./setup.sh (it links Debian's dataset-fashion-mnist files there)"
        )
    # TensorFlow loads only when the side trains: keeps it out of the core
    from tensorflow import keras

    (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    for name, arr, shape in (("train_images", x_train, TRAIN_SHAPE), ("test_images", x_test, TEST_SHAPE)):
        if arr.shape != shape or arr.dtype != np.uint8:
            raise RuntimeError(f"{name}: got {arr.dtype} {arr.shape}, expected uint8 {shape}")
    return (x_train, y_train), (x_test, y_test)


def subset(data, *, train_size: int | None = None, test_size: int | None = None):
    """The first ``train_size`` training and ``test_size`` test images (all when None)."""
    (x_train, y_train), (x_test, y_test) = data
    for name, size, n in (("train_size", train_size, len(x_train)), ("test_size", test_size, len(x_test))):
        if size is not None and not (isinstance(size, int) and 1 <= size <= n):
            raise ValueError(f"{name}={size!r}: expected an integer from 1 to {n}")
    return (x_train[:train_size], y_train[:train_size]), (x_test[:test_size], y_test[:test_size])


def normalize(images: np.ndarray) -> np.ndarray:
    """The tutorial's ``images / 255``: R divides its integer array into doubles, so float64 here.

    Examples
    --------
    >>> normalize(np.array([0, 51, 255], dtype=np.uint8)).tolist()
    [0.0, 0.2, 1.0]
    """
    return images / 255.0


@dataclass(frozen=True)
class NormalizationSummary:
    min: float
    max: float
    mean: float
    dtype: str


def summarize_normalization(images: np.ndarray) -> NormalizationSummary:
    return NormalizationSummary(
        float(images.min()), float(images.max()), float(images.mean()), str(images.dtype)
    )


def plot_first_images(images: np.ndarray, labels: np.ndarray, path: str | Path, *,
                      class_names=CLASS_NAMES_FR, n: int = 64) -> Path:
    """Save the tutorial's figure: the first ``n`` training images with their class names.

    Like the tutorial's ``par(mfcol = c(8, 8))`` grid, images fill the figure column by column.
    The PNG is written to a temporary file and renamed, so no half-written figure is left.
    """
    # matplotlib (the "audit" extra) loads only to draw figures: out of the core
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    side = int(np.ceil(np.sqrt(n)))
    fig, axes = plt.subplots(side, side, figsize=(side * 1.3, side * 1.45))
    for k, ax in enumerate(axes.T.flat):  # column-major, as mfcol
        ax.set_axis_off()
        if k < min(n, len(images)):
            ax.imshow(images[k], cmap="gray", vmin=0, vmax=255 if images.dtype == np.uint8 else 1)
            ax.set_title(class_names[int(labels[k])], fontsize=7)
    fig.tight_layout(pad=0.3)
    path = Path(path)
    fd, tmp = tempfile.mkstemp(suffix=".png", dir=path.parent)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=80)
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
