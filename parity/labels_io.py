"""Reading label vectors for ``parity stats``: a CSV column (with a header), one label per
line (.txt or any other name), or a 1-D ``.npy`` array."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

__all__ = ["LabelFileError", "read_labels", "parse_prevalence"]


class LabelFileError(ValueError):
    """A label file that cannot be read; the message names the file."""


def _as_ints_if_possible(values: list[str]) -> np.ndarray:
    # R's read.csv would read such a column as integers, and factor() sorts them numerically.
    try:
        return np.array([int(v) for v in values], dtype=np.int64)
    except ValueError:
        return np.array(values, dtype=object)


def read_labels(path: Path, *, column: str | None = None) -> np.ndarray:
    if not path.is_file():
        raise LabelFileError(f"{path}: no such file")
    if path.suffix == ".npy":
        try:
            arr = np.load(path, allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise LabelFileError(f"{path}: not a readable .npy file ({exc})") from None
        if arr.ndim != 1:
            raise LabelFileError(f"{path}: array of shape {arr.shape}, expected one dimension")
        return arr
    try:
        text = path.read_text()
    except UnicodeDecodeError:
        raise LabelFileError(f"{path}: not a text file (expected CSV, one label per line, or .npy)") from None
    if path.suffix == ".csv":
        rows = list(csv.reader(text.splitlines()))
        if len(rows) < 2:
            raise LabelFileError(f"{path}: expected a header line and at least one label")
        header = rows[0]
        col = 0 if column is None else (header.index(column) if column in header else -1)
        if col < 0:
            raise LabelFileError(f"{path}: no column {column!r}; columns are {header}")
        bad = [i + 2 for i, r in enumerate(rows[1:]) if len(r) <= col or r[col] == ""]
        if bad:
            raise LabelFileError(f"{path}: line {bad[0]} has no value in column {header[col]!r}")
        return _as_ints_if_possible([r[col] for r in rows[1:]])
    lines = text.splitlines()
    if not lines:
        raise LabelFileError(f"{path}: empty file (expected one label per line)")
    if any(line.strip() == "" for line in lines):
        first = next(i for i, line in enumerate(lines) if line.strip() == "") + 1
        raise LabelFileError(f"{path}: line {first} is empty (expected one label per line)")
    return _as_ints_if_possible([line.strip() for line in lines])


def parse_prevalence(text: str | None):
    """``0.3`` -> 0.3; ``a=0.2,b=0.8`` -> {"a": 0.2, "b": 0.8}; None -> None."""
    if text is None:
        return None
    try:
        if "=" not in text:
            return float(text)
        pairs = [item.split("=", 1) for item in text.split(",")]
        return {k.strip(): float(v) for k, v in pairs}
    except ValueError:
        raise LabelFileError(
            f"--prevalence {text!r}: expected a probability or LABEL=P,LABEL=P,...") from None
