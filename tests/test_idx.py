"""The independent IDX reader: it agrees with Keras' loader and rejects each kind of bad file."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from python_impl.idx import FASHION_MNIST_FILES, IdxError, read_fashion_mnist_dir, read_idx


def _write_idx(path, array: np.ndarray, *, compress=True, magic=None, shape=None):
    shape = array.shape if shape is None else shape
    header = magic if magic is not None else struct.pack(">HBB", 0, 8, len(shape))
    raw = header + struct.pack(f">{len(shape)}I", *shape) + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw) if compress else raw)
    return path


def test_reads_what_it_wrote(tmp_path):
    a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(read_idx(_write_idx(tmp_path / "a.gz", a)), a)
    np.testing.assert_array_equal(read_idx(_write_idx(tmp_path / "a", a, compress=False)), a)


def test_agrees_with_keras_loader(fashion_mnist):
    import os
    from pathlib import Path

    directory = Path(os.environ["KERAS_HOME"]) / "datasets" / "fashion-mnist"
    ours = read_fashion_mnist_dir(directory)
    for ours_part, keras_part in zip(ours, fashion_mnist, strict=True):
        for a, b in zip(ours_part, keras_part, strict=True):
            assert a.shape == b.shape and a.dtype == b.dtype == np.uint8
            np.testing.assert_array_equal(a, b)
    assert ours[1][1][:10].tolist() == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]
    assert set(FASHION_MNIST_FILES) == {p.name for p in directory.iterdir()}


def test_missing_file(tmp_path):
    with pytest.raises(IdxError, match=r"nothere\.gz: no such file"):
        read_idx(tmp_path / "nothere.gz")


def test_truncated_gzip_names_file(tmp_path):
    path = _write_idx(tmp_path / "cut.gz", np.zeros((50, 28, 28)))
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(IdxError, match=r"cut\.gz: gzip stream truncated"):
        read_idx(path)


def test_corrupt_gzip_crc(tmp_path):
    path = _write_idx(tmp_path / "crc.gz", np.arange(100))
    data = bytearray(path.read_bytes())
    data[-8] ^= 0xFF  # the trailer's CRC-32
    path.write_bytes(bytes(data))
    with pytest.raises(IdxError, match=r"crc\.gz: corrupt gzip data"):
        read_idx(path)


def test_not_gzip_at_all(tmp_path):
    path = tmp_path / "junk.gz"
    path.write_bytes(b"this is not gzip data at all")
    with pytest.raises(IdxError, match=r"junk\.gz: corrupt gzip data"):
        read_idx(path)


def test_bad_magic(tmp_path):
    path = _write_idx(tmp_path / "magic.gz", np.zeros(4), magic=b"\x00\x00\x0d\x01")
    with pytest.raises(IdxError, match=r"magic\.gz: bad magic number 0x00000d01"):
        read_idx(path)


def test_fewer_items_than_header(tmp_path):
    path = _write_idx(tmp_path / "short.gz", np.zeros(10), shape=(12,))
    with pytest.raises(IdxError, match=r"short\.gz: 10 data bytes, but the header announces 12"):
        read_idx(path)


def test_more_items_than_header(tmp_path):
    path = _write_idx(tmp_path / "long.gz", np.zeros(13), shape=(12,))
    with pytest.raises(IdxError, match=r"long\.gz: 13 data bytes"):
        read_idx(path)


def test_unexpected_dimensions(tmp_path):
    path = _write_idx(tmp_path / "dims.gz", np.zeros((2, 28, 27)))
    with pytest.raises(IdxError, match=r"dims\.gz: dimensions \(2, 28, 27\), expected \(2, 28, 28\)"):
        read_idx(path, expected_shape=(2, 28, 28))


def test_directory_reader_names_the_missing_file(tmp_path):
    for name, shape in FASHION_MNIST_FILES.items():
        if "t10k-labels" not in name:
            small = tuple(min(s, 2) for s in shape)
            _write_idx(tmp_path / name, np.zeros(small))
    with pytest.raises(IdxError, match=r"train-images-idx3-ubyte\.gz: dimensions"):
        read_fashion_mnist_dir(tmp_path)
