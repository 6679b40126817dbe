"""Where the project's files are: the one place paths are defined."""

from __future__ import annotations

from pathlib import Path

__all__ = ["PROJECT_ROOT", "R_REFERENCE", "R_SCRIPT", "R_WRITER", "SPECS", "SCHEMAS",
           "DEFAULT_KERAS_HOME", "VENV_PYTHON"]

#: the source checkout (or, installed from a wheel, site-packages' parent of ``parity``)
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: the R reference scripts and the R contract writer
R_REFERENCE = PROJECT_ROOT / "r_reference"
R_SCRIPT = R_REFERENCE / "fashion_mnist.R"
R_WRITER = R_REFERENCE / "parity_run.R"
#: built-in audit specs (TOML) and the run-artifact JSON Schema
SPECS = Path(__file__).resolve().parent / "specs"
SCHEMAS = Path(__file__).resolve().parent / "schemas"
#: the project-local Keras cache setup.sh fills with Debian's Fashion-MNIST files
DEFAULT_KERAS_HOME = PROJECT_ROOT / ".keras"
#: the project virtualenv's Python (the R side's reticulate Python by default)
VENV_PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"
