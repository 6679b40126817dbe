"""Where the project's files are: the one place paths are defined.

Two layouts are supported, and every path below is right in both:

- a **source checkout** (``pip install -e .``, or the files used in place): the R scripts are
  ``<checkout>/r_reference/``, the project's Keras cache ``<checkout>/.keras`` (``setup.sh``
  fills it) and its virtualenv ``<checkout>/.venv``;
- an **installed wheel**: the wheel carries the R scripts as package data of ``parity``
  (``site-packages/parity/r_reference/*.R``; ``pyproject.toml`` maps the checkout's
  ``r_reference/`` there), so ``parity audit`` runs from any directory.

:data:`PROJECT_ROOT` is the directory that holds ``r_reference/`` (the checkout, or the
installed ``parity`` package): the R scripts derive their defaults from it the same way
(``fashion_mnist.R``: ``project_root <- dirname(script_dir)``), so both sides agree on
:data:`DEFAULT_KERAS_HOME`. From a wheel, set ``KERAS_HOME`` to a directory holding
``datasets/fashion-mnist`` (``setup.sh`` makes one at ``<checkout>/.keras``).

Importing this module reads no environment variable and changes none.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

__all__ = ["PACKAGE_DIR", "CHECKOUT", "INSTALLED", "PROJECT_ROOT", "R_REFERENCE", "SPECS",
           "SCHEMAS", "DEFAULT_KERAS_HOME", "VENV_PYTHON", "EXTRAS",
           "missing_extras", "check_output_dir"]

#: the ``parity`` package directory (in the checkout, or in site-packages)
PACKAGE_DIR = Path(__file__).resolve().parent
_SHIPPED_R = PACKAGE_DIR / "r_reference"  # only in an installed wheel
#: the source checkout this ``parity`` was imported from, or None (an installed wheel)
CHECKOUT: Path | None = (PACKAGE_DIR.parent if (PACKAGE_DIR.parent / "r_reference").is_dir()
                         and (PACKAGE_DIR.parent / "pyproject.toml").is_file() else None)
#: True when the R scripts come from the installed package, not a checkout
INSTALLED = CHECKOUT is None and _SHIPPED_R.is_dir()
#: the R reference scripts and the R contract writer
R_REFERENCE = _SHIPPED_R if CHECKOUT is None and _SHIPPED_R.is_dir() else PACKAGE_DIR.parent / "r_reference"
#: the directory holding ``r_reference/``: the checkout, or the installed ``parity`` package
PROJECT_ROOT = R_REFERENCE.parent
#: built-in audit specs (TOML) and the run-artifact JSON Schema
SPECS = PACKAGE_DIR / "specs"
SCHEMAS = PACKAGE_DIR / "schemas"
#: the project-local Keras cache setup.sh fills with Debian's Fashion-MNIST files (the R
#: script's default too); from a wheel, set KERAS_HOME instead
DEFAULT_KERAS_HOME = PROJECT_ROOT / ".keras"
#: the project virtualenv's Python (the R side's reticulate Python by default; absent in a
#: wheel, where the R side uses the audit's own Python)
VENV_PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"

#: the optional parts of the installation (pyproject.toml's extras) and the modules each
#: provides; ``pip install keras-caret-parity`` alone gives the caret port and ``parity stats``
EXTRAS: dict[str, tuple[str, ...]] = {
    "r": ("rpy2",),
    "audit": ("tensorflow", "keras", "matplotlib", "dask", "distributed"),
}


def missing_extras(*extras: str) -> str | None:
    """None when every module of ``extras`` can be imported, else a message naming the missing
    modules and the ``pip install`` command that adds them.

    Only looks the modules up (``importlib.util.find_spec``): nothing is imported.

    Parameters
    ----------
    *extras : str
        Keys of :data:`EXTRAS`, e.g. ``"audit", "r"``.

    Returns
    -------
    str or None

    Examples
    --------
    >>> missing_extras() is None
    True
    """
    missing: dict[str, list[str]] = {}
    for extra in extras:
        if extra not in EXTRAS:
            raise ValueError(f"extra {extra!r}: expected one of {sorted(EXTRAS)}")
        for module in EXTRAS[extra]:
            try:
                found = importlib.util.find_spec(module) is not None
            except (ImportError, ValueError):
                found = False
            if not found:
                missing.setdefault(extra, []).append(module)
    if not missing:
        return None
    modules = ", ".join(m for ms in missing.values() for m in ms)
    wanted = ",".join(missing)
    return (f"not installed: {modules}; install the extra{'s' if len(missing) > 1 else ''} "
            f"{' and '.join(repr(e) for e in missing)}: pip install 'keras-caret-parity[{wanted}]'"
            + (" (in a checkout: ./setup.sh)" if CHECKOUT is not None else ""))


def check_output_dir(out: Path) -> None:
    """The one rule, on the Python side, for a directory a run is written to (R's twin is
    parityrun's): its parent exists, and it is a new name or an empty directory;
    FileNotFoundError or FileExistsError naming it otherwise. The audit's report directory adds
    its own rules on top (:func:`parity.orchestration.workdir.check_output_path`). Here, in the
    layer every other imports, with nothing heavier than pathlib: the capture driver checks
    ``--out`` before it hands an R script to Rscript, without loading NumPy."""
    parent = out.parent
    if not parent.is_dir():
        raise FileNotFoundError(f"{out}: parent directory {parent} does not exist"
                                + (" (it is a file)" if parent.exists() else ""))
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out}: exists and is not an empty directory")
