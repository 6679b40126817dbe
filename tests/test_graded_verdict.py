"""The graded verdict on real runs: R and Python across seeds on Dask (TOST), Keras 2 against
Keras 3 (not bit-identical, graded), and a real defect graded "different", never "equivalent".

Slow: each case trains real models (smoke size). The Keras 2 case installs tf-keras (the pinned
version, no dependencies) into a throw-away virtualenv layered over the project's .venv.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import unavailable

from parity.config import AuditConfig, as_options, load_spec
from parity.paths import DEFAULT_KERAS_HOME, PROJECT_ROOT

pytestmark = pytest.mark.slow
#: the spec's smoke profile, as a side's options (without the normalized images: not graded)
SMOKE = as_options({k: v for k, v in AuditConfig.resolve(load_spec(), profile="smoke").settings.items()
                    if k != "save_normalized"})
ENV = dict(os.environ, TZ="UTC", KERAS_HOME=os.environ.get("KERAS_HOME", str(DEFAULT_KERAS_HOME)))
ENV.pop("TF_USE_LEGACY_KERAS", None)


def parity(*args, timeout=900):
    return subprocess.run([sys.executable, "-m", "parity", *args], capture_output=True, text=True,
                          env=ENV, cwd=PROJECT_ROOT, timeout=timeout)


def python_run(out: Path, *, python=sys.executable, env=None, pythonpath=None) -> Path:
    e = dict(env or ENV)
    if pythonpath:  # the copied port first, then this checkout's parity (not the installed one)
        e["PYTHONPATH"] = os.pathsep.join([str(pythonpath), str(PROJECT_ROOT)])
    proc = subprocess.run([python, "-m", "python_impl", "--out", str(out), *SMOKE],
                          capture_output=True, text=True, env=e, cwd=pythonpath or PROJECT_ROOT,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def honest(tmp_path_factory) -> Path:
    return python_run(tmp_path_factory.mktemp("honest") / "run")


@pytest.mark.r
def test_audit_across_seeds_on_dask_reports_tost(rscript, tmp_path):
    out = tmp_path / "report"
    proc = parity("audit", "--seeds", "2", "--profile", "smoke", "--require", "equivalent",
                  "--out", str(out))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "on a LocalCluster of 2 workers" in proc.stdout and "[4/4]" in proc.stdout
    report = json.loads((out / "report.json").read_text())
    by = {c["name"]: c for c in report["checks"]}
    assert report["config"]["seeds"] == 2 and report["config"]["require"] == "equivalent"
    for seed in (42, 43):
        assert by[f"seeds.{seed}.grade.predictions"]["r_value"] == "bit-identical"
    tost = by["seeds.tost.accuracy"]
    assert tost["status"] == "pass" and tost["required"]
    assert len(tost["r_value"]["values"]) == 2 and tost["r_value"]["sd"] is not None
    # resumable per task: the finished runs are reused, nothing trains again
    assert (out / "seeds" / "r" / "seed-43" / "run.json").exists()


def test_a_real_defect_is_graded_different(honest, tmp_path):
    """No normalization (the port forgets `/ 255`): never "equivalent"."""
    copy = tmp_path / "port"
    shutil.copytree(PROJECT_ROOT / "python_impl", copy / "python_impl")
    data = copy / "python_impl" / "data.py"
    data.write_text(data.read_text().replace("return images / 255.0", "return images * 1.0", 1))
    broken = python_run(tmp_path / "broken", pythonpath=copy)
    proc = parity("compare", str(honest), str(broken), "--require", "equivalent",
                  "--json", str(tmp_path / "verdict.json"))
    assert proc.returncode == 1, proc.stdout
    verdict = json.loads((tmp_path / "verdict.json").read_text())
    grades = {g: v["grade"] for g, v in verdict["groups"].items()}
    assert grades == {"training": "different", "predictions": "different", "confusion": "different"}


def test_keras2_against_keras3_is_not_bit_identical_and_graded(honest, tmp_path):
    """The same port on Keras 2 (tf-keras) and on Keras 3: dropout and initializers draw
    differently, so the bits differ; the verdict says how much."""
    k2 = tmp_path / "k2"
    venv.EnvBuilder(with_pip=True).create(k2)
    site = next((k2 / "lib").glob("python3.*/site-packages"))
    here = next(Path(sys.prefix, "lib").glob("python3.*/site-packages"))
    (site / "project_venv.pth").write_text(f"{here}\n")  # TensorFlow & co. from .venv
    pin = next(line.strip() for line in (PROJECT_ROOT / "constraints.txt").read_text().splitlines()
               if line.startswith("tf_keras=="))
    pip = subprocess.run([str(k2 / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
                          "--disable-pip-version-check", pin], capture_output=True, text=True)
    if pip.returncode != 0:
        unavailable(f"cannot install {pin} (PyPI): {pip.stderr[-500:]}")
    home = tmp_path / "home"
    (home / ".keras").mkdir(parents=True)
    # Keras 2's loader ignores KERAS_HOME and reads ~/.keras/datasets
    (home / ".keras" / "datasets").symlink_to(Path(ENV["KERAS_HOME"]) / "datasets")
    keras2 = python_run(tmp_path / "keras2", python=str(k2 / "bin" / "python"),
                        env=dict(ENV, TF_USE_LEGACY_KERAS="1", HOME=str(home)),
                        pythonpath=PROJECT_ROOT)
    proc = parity("compare", str(honest), str(keras2), "--json", str(tmp_path / "verdict.json"))
    assert proc.returncode == 1 and "keras_package" in proc.stdout, proc.stdout
    verdict = json.loads((tmp_path / "verdict.json").read_text())
    grades = {g: v["grade"] for g, v in verdict["groups"].items()}
    assert "bit-identical" not in grades.values(), grades
    assert set(grades.values()) <= {"numeric", "equivalent", "different"}
