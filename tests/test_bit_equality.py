"""The audit's fast path for bit-identical arrays changes no check: ``bits_equal`` compares in
blocks without copying (R's column-major arrays against Python's row-major ones), and
``agree_and_differences`` gives what ``values_agree`` and ``differences`` give; the reader maps
large arrays read-only and still refuses a truncated one."""

from __future__ import annotations

import numpy as np
import pytest

from parity.rules import stats
from parity.rules.compare import EXACT, STATS, agree_and_differences, differences, values_agree
from python_impl.caret import NA


def _pixels(seed: int = 0) -> np.ndarray:
    # more rows than one block of bits_equal holds, so the blocks and their ends are exercised
    rows = 3 * stats._BITS_CHUNK // 49 + 5
    return np.random.default_rng(seed).random((rows, 7, 7))


def test_bits_equal_across_memory_orders_and_at_every_block_end():
    a = _pixels()
    f = np.asfortranarray(a)  # as R writes it
    assert not f.flags["C_CONTIGUOUS"] and stats.bits_equal(a, f) and stats.bits_equal(f, a)
    rows = stats._BITS_CHUNK // 49
    for row in (0, rows - 1, rows, a.shape[0] - 1):
        g = f.copy(order="F")
        g[row, 6, 6] = np.nextafter(g[row, 6, 6], 2.0)  # one ULP, in one element
        assert not stats.bits_equal(a, g), row


@pytest.mark.parametrize("x, y, same", [
    ([0.0], [-0.0], False),  # equal numbers, other bits
    ([np.nan], [NA], False),  # R's NA is not NaN
    ([NA, np.inf], [NA, np.inf], True),
    (np.zeros((0, 3)), np.zeros((0, 3)), True),
    (np.zeros((2, 3)), np.zeros((3, 2)), False),
    (1.5, 1.5, True),
])
def test_bits_equal_edge_cases(x, y, same):
    assert stats.bits_equal(x, y) is same


@pytest.mark.parametrize("tol", [EXACT, STATS])
def test_agree_and_differences_is_values_agree_and_differences(tol):
    a = _pixels(1)[:50]
    cases = [(a, a.copy()), (a, np.asfortranarray(a)), (a, a * (1 + 1e-13)), (a, a + 1),
             (a, a[:49]), ([0.0, np.nan], [0.0, np.nan]), ([0.0], [-0.0]),
             ([np.nan], [NA]), ([np.inf], [np.inf]), ([1.0, 4.0], [1.0, 5.0]), (2.0, 2.0)]
    for x, y in cases:
        assert agree_and_differences(x, y, tol) == (values_agree(x, y, tol), differences(x, y))


def test_reader_maps_large_arrays_read_only_and_refuses_a_truncated_one(tmp_path, monkeypatch):
    import parity.contract as contract

    monkeypatch.setattr(contract, "MAP_BYTES", 1024)  # the test's small arrays count as large
    pixels = _pixels(2)[:100]
    with contract.RunWriter(tmp_path / "run", side="python", settings={}) as w:
        w.normalization("test", pixels, save=True)
        w.history({"loss": [0.5]})
    record = contract.read_run(tmp_path / "run")
    mapped = record.normalized["test"]
    assert isinstance(mapped, np.memmap) and not mapped.flags.writeable
    assert stats.bits_equal(mapped, pixels)
    assert not isinstance(record.history["loss"], np.memmap)  # small: read into memory
    path = tmp_path / "run" / "normalized.test.npy"
    path.write_bytes(path.read_bytes()[:-8])  # a short file (disk full while writing)
    with pytest.raises(contract.ContractError, match="truncated or unreadable"):
        contract.read_run(tmp_path / "run")
