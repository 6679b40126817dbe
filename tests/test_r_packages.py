"""The R packages of r_packages/ (keras, tensorflow, parityrun): installed by their installer
into a temporary R library, then each package's testthat suite run with Rscript against real
Keras; a failing expectation fails the test. Also: the installer is idempotent, and a script
that starts with library(keras) runs with plain Rscript from any directory.

The packages record the Python and Keras cache they were installed with (setup.sh installs
them into R's site library with .venv's Python and .keras); here they are installed with the
R side's Python (parity.orchestration.sides.r_python) and the project's .keras.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from parity.paths import DEFAULT_KERAS_HOME, PROJECT_ROOT

pytestmark = pytest.mark.r
R_PACKAGES = PROJECT_ROOT / "r_packages"
PACKAGES = ("tensorflow", "keras", "parityrun")


def clean_env(**extra) -> dict[str, str]:
    """No variable of ours: the packages must find Python and the data themselves."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("RETICULATE_PYTHON", "KERAS_HOME", "R_LIBS", "R_LIBS_USER", "PARITY_R_PYTHON")}
    env.update(TZ="UTC", **extra)
    return env


@pytest.fixture(scope="module")
def r_library(rscript, tmp_path_factory) -> Path:
    from parity.orchestration.sides import r_python

    lib = tmp_path_factory.mktemp("rlib")
    cmd = [rscript, str(R_PACKAGES / "install.R"), "--lib", str(lib), "--python", r_python(),
           "--keras-home", str(DEFAULT_KERAS_HOME)]
    first = subprocess.run(cmd, capture_output=True, text=True, env=clean_env(), timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr
    # a second run changes nothing
    again = subprocess.run(cmd, capture_output=True, text=True, env=clean_env(), timeout=300)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [f"install.R: {p}: up to date in {lib}" for p in PACKAGES]
    return lib


@pytest.mark.parametrize("package", PACKAGES)
def test_testthat_suite(rscript, r_library, package, tmp_path):
    code = (f'res <- as.data.frame(testthat::test_dir("{R_PACKAGES / package / "tests" / "testthat"}", '
            f'package = "{package}", load_package = "installed", reporter = "summary", '
            'stop_on_failure = FALSE)); '
            'cat("\\nTESTTHAT", sum(res$failed), sum(res$error), sum(res$nb), "\\n")')
    proc = subprocess.run([rscript, "-e", code], capture_output=True, text=True, cwd=tmp_path,
                          env=clean_env(R_LIBS=str(r_library)), timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("TESTTHAT")][-1]
    failed, errors, expectations = map(int, line.split()[1:])
    assert failed == 0 and errors == 0, proc.stdout[-6000:]
    assert expectations > 0


def test_a_library_keras_script_runs_from_any_directory(rscript, r_library, tmp_path):
    script = tmp_path / "analysis.R"
    script.write_text(
        "library(keras)\nlibrary(tensorflow)\nset_random_seed(1)\n"
        "x <- scale(as.matrix(iris[, 1:4]))\n"
        "y <- to_categorical(as.integer(iris$Species) - 1L)\n"
        "model <- keras_model_sequential() %>% layer_dense(8, activation = 'relu', input_shape = 4) %>%\n"
        "  layer_dense(3, activation = 'softmax')\n"
        "model %>% compile(optimizer = optimizer_adam(0.05), loss = 'categorical_crossentropy',\n"
        "                  metrics = 'accuracy')\n"
        "history <- model %>% fit(x, y, epochs = 2, verbose = 0, validation_split = 0.2)\n"
        "print(evaluate(model, x, y, verbose = 0))\n"
        "cat('data:', dim(dataset_fashion_mnist()$test$x), '\\n')\n")
    proc = subprocess.run([rscript, str(script)], capture_output=True, text=True, cwd="/",
                          env=clean_env(R_LIBS=str(r_library)), timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "loss" in proc.stdout and "accuracy" in proc.stdout
    assert "data: 10000 28 28" in proc.stdout


def test_installer_stays_out_of_a_real_installation(rscript, tmp_path):
    # a real R keras (a DESCRIPTION without our Implementation field) on R's library path
    real = tmp_path / "real" / "keras"
    real.mkdir(parents=True)
    (real / "DESCRIPTION").write_text("Package: keras\nVersion: 2.16.1\n"
                                      "Built: R 4.2.2; ; 2026-01-01 00:00:00 UTC; unix\n")
    lib = tmp_path / "lib"
    proc = subprocess.run([rscript, str(R_PACKAGES / "install.R"), "--lib", str(lib)],
                          capture_output=True, text=True, timeout=600,
                          env=clean_env(R_LIBS=str(tmp_path / "real")))
    assert proc.returncode == 0, proc.stderr
    assert f"a real R package is installed: keras 2.16.1 ({tmp_path / 'real'})" in proc.stdout
    assert sorted(p.name for p in lib.iterdir()) == ["parityrun"]
    assert (real / "DESCRIPTION").read_text().startswith("Package: keras\nVersion: 2.16.1")
