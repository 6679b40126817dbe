"""Python port of the seed's R keras/caret workflow (Fashion-MNIST MLP + caret confusionMatrix).

Importing this package points Keras at the project-local cache (``<project>/.keras``), where
``setup.sh`` links Debian's Fashion-MNIST files, unless ``KERAS_HOME`` is already set. Keras reads
``KERAS_HOME`` once, at import, so this must happen before TensorFlow is imported.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

os.environ.setdefault("KERAS_HOME", str(PROJECT_ROOT / ".keras"))
# TensorFlow's C++ start-up chatter (oneDNN notices, absl) hides the seed-style output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__all__ = ["PROJECT_ROOT"]
