"""``parity doctor`` tells the truth: a failing or hanging Rscript, a truncated dataset file.

A fake ``Rscript`` on PATH stands in for a broken R installation here: these tests check how
doctor reports a broken tool, not any parity with R.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from parity.orchestration import doctor
from python_impl.idx import FASHION_MNIST_FILES

DEBIAN_DATA = Path("/usr/share/datasets/fashion-mnist")


def _fake_rscript(tmp_path, body: str, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "Rscript"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    return script


def _row(rows, name):
    return next(r for r in rows if r.component == name)


def test_rscript_that_fails_shows_exit_status_and_rs_error(tmp_path, monkeypatch):
    _fake_rscript(tmp_path, 'echo "Error: package or namespace load failed for \'stats\'" >&2\nexit 3',
                  monkeypatch)
    rows = doctor.diagnose()
    r = _row(rows, "R (Rscript)")
    assert not r.ok
    assert "Rscript failed (exit 3)" in r.version and "namespace load failed" in r.version
    assert "not found" not in r.version
    assert _row(rows, "R package caret").version == "unknown (R did not run)"
    assert any(p.startswith("R (Rscript): ") for p in doctor.blocking_problems())


def test_rscript_that_hangs_is_given_up_after_the_timeout(tmp_path, monkeypatch):
    _fake_rscript(tmp_path, "sleep 30", monkeypatch)  # a child process: the group is ended
    monkeypatch.setenv("PARITY_DOCTOR_TIMEOUT", "1")
    start = time.monotonic()
    r = _row(doctor.diagnose(), "R (Rscript)")
    assert time.monotonic() - start < 15
    assert not r.ok and "Rscript did not answer within 1 s" in r.version


def test_default_timeout_is_a_module_constant(monkeypatch):
    monkeypatch.delenv("PARITY_DOCTOR_TIMEOUT", raising=False)
    assert doctor._timeout() == doctor.RSCRIPT_TIMEOUT_S == 60
    monkeypatch.setenv("PARITY_DOCTOR_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="PARITY_DOCTOR_TIMEOUT='soon'"):
        doctor._timeout()


def test_missing_rscript_is_not_found(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert "not found" in _row(doctor.diagnose(), "R (Rscript)").version


@pytest.fixture()
def keras_home(tmp_path, monkeypatch):
    if not all((DEBIAN_DATA / name).is_file() for name in FASHION_MNIST_FILES):
        pytest.skip(f"the Debian Fashion-MNIST files are not in {DEBIAN_DATA}; run ./setup.sh")
    data = tmp_path / "keras" / "datasets" / "fashion-mnist"
    data.mkdir(parents=True)
    for name in FASHION_MNIST_FILES:
        (data / name).symlink_to(DEBIAN_DATA / name)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    _fake_rscript(tmp_path, "exit 1", monkeypatch)  # R is not what these tests look at
    return data


def test_complete_dataset_reports_shapes(keras_home):
    rows = doctor.diagnose()
    r = _row(rows, "dataset t10k-images-idx3-ubyte.gz")
    assert r.ok and r.version.startswith("10000 x 28 x 28")
    assert _row(rows, "dataset train-images-idx3-ubyte.gz").version.startswith("60000 x 28 x 28")


def test_truncated_dataset_file_fails_with_the_fix(keras_home):
    name = "t10k-images-idx3-ubyte.gz"
    (keras_home / name).unlink()
    (keras_home / name).write_bytes((DEBIAN_DATA / name).read_bytes()[:100_000])
    rows = doctor.diagnose()
    r = _row(rows, f"dataset {name}")
    assert not r.ok
    assert "gzip stream truncated" in r.version and name in r.version
    assert r.fix == "apt-get install --reinstall dataset-fashion-mnist && ./setup.sh"
    assert any(p.startswith(f"dataset {name}: unreadable") for p in doctor.blocking_problems())


def test_dataset_file_of_the_wrong_shape(keras_home):
    (keras_home / "t10k-labels-idx1-ubyte.gz").unlink()
    shutil.copy(DEBIAN_DATA / "train-labels-idx1-ubyte.gz", keras_home / "t10k-labels-idx1-ubyte.gz")
    r = _row(doctor.diagnose(), "dataset t10k-labels-idx1-ubyte.gz")
    assert not r.ok and "dimensions (60000,), expected (10000,)" in r.version
