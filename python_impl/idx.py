"""An independent reader for the IDX files behind Fashion-MNIST.

It exists to cross-check the arrays returned by Keras' own loader: it parses the magic number,
the dimensions and the item count itself, and checks the gzip stream's CRC and length, so that a
missing, truncated or corrupt file fails with an error that names the file.

IDX layout (big-endian): two zero bytes, a type code (0x08 = unsigned byte), the number of
dimensions, one uint32 per dimension, then the data.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

__all__ = ["IdxError", "read_idx", "FASHION_MNIST_FILES", "read_fashion_mnist_dir"]

_UBYTE = 0x08

#: file name -> (number of dimensions, expected shape) of the four original files.
FASHION_MNIST_FILES = {
    "train-images-idx3-ubyte.gz": (60000, 28, 28),
    "train-labels-idx1-ubyte.gz": (60000,),
    "t10k-images-idx3-ubyte.gz": (10000, 28, 28),
    "t10k-labels-idx1-ubyte.gz": (10000,),
}


class IdxError(ValueError):
    """A file that is not a valid, complete IDX file."""


def read_idx(path: str | Path, *, expected_shape: tuple[int, ...] | None = None) -> np.ndarray:
    """Read one (optionally gzip-compressed) IDX file of unsigned bytes.

    Parameters
    ----------
    path : str or Path
        The file; a name ending in ``.gz`` is decompressed, and its CRC and length are checked.
    expected_shape : tuple of int, optional
        When given, the dimensions in the header must equal it.

    Returns
    -------
    numpy.ndarray of uint8 with the header's shape.

    Raises
    ------
    IdxError
        Missing file, bad gzip stream, bad magic number, or fewer/more data bytes than the
        header announces. The message names the file.

    Examples
    --------
    >>> labels = read_idx("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")
    >>> labels[:10].tolist()
    [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]
    """
    path = Path(path)
    if not path.is_file():
        raise IdxError(f"{path}: no such file (expected an IDX file)")
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = _gunzip(path, raw)
    if len(raw) < 4:
        raise IdxError(f"{path}: {len(raw)} bytes, too short for an IDX header (4 bytes at least)")
    zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype_code != _UBYTE or not 1 <= ndim <= 4:
        raise IdxError(
            f"{path}: bad magic number 0x{raw[:4].hex()} "
            f"(expected 0x000008NN: unsigned bytes, NN = 01..04 dimensions)"
        )
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise IdxError(f"{path}: header truncated ({len(raw)} of {header_len} bytes)")
    shape = struct.unpack(f">{ndim}I", raw[4:header_len])
    if expected_shape is not None and tuple(shape) != tuple(expected_shape):
        raise IdxError(f"{path}: dimensions {shape}, expected {tuple(expected_shape)}")
    n_items = int(np.prod(shape))
    n_data = len(raw) - header_len
    if n_data != n_items:
        raise IdxError(
            f"{path}: {n_data} data bytes, but the header announces {n_items} "
            f"({' x '.join(map(str, shape))})"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header_len).reshape(shape)


def _gunzip(path: Path, raw: bytes) -> bytes:
    # gzip.decompress checks the trailer's CRC-32 and length; a cut stream raises EOFError.
    try:
        return gzip.decompress(raw)
    except EOFError as exc:
        raise IdxError(f"{path}: gzip stream truncated ({len(raw)} bytes): {exc}") from None
    except (OSError, zlib.error) as exc:
        raise IdxError(f"{path}: corrupt gzip data: {exc}") from None


def read_fashion_mnist_dir(directory: str | Path):
    """Read the four Fashion-MNIST files of ``directory``, checking each one's shape.

    Returns ``((train_images, train_labels), (test_images, test_labels))`` like Keras' loader.
    """
    directory = Path(directory)
    arrays = {
        name: read_idx(directory / name, expected_shape=shape)
        for name, shape in FASHION_MNIST_FILES.items()
    }
    return (
        (arrays["train-images-idx3-ubyte.gz"], arrays["train-labels-idx1-ubyte.gz"]),
        (arrays["t10k-images-idx3-ubyte.gz"], arrays["t10k-labels-idx1-ubyte.gz"]),
    )
