"""The environment Keras must see before TensorFlow is first imported.

Keras reads ``KERAS_HOME`` once, at import; ``setup.sh`` links Debian's Fashion-MNIST files
under the project's ``.keras``, so the loader needs no network. Called by the Keras entry points
(``python -m python_impl``, :func:`python_impl.data.load_fashion_mnist`), never on import.
"""

from __future__ import annotations

import os

from parity.paths import DEFAULT_KERAS_HOME

__all__ = ["prepare"]


def prepare() -> None:
    """Default ``KERAS_HOME`` to the project's cache and quiet TensorFlow's C++ start-up
    chatter; values the caller set are kept. An empty ``KERAS_HOME`` counts as unset (as in
    the R side's ``parity_tf_environment``): Keras would read it as the current directory."""
    if not os.environ.get("KERAS_HOME"):
        os.environ["KERAS_HOME"] = str(DEFAULT_KERAS_HOME)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
