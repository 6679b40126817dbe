"""R keras' predict_classes rule is written once per language and once more in the keras
package: ``parity.contract.predicted_classes`` (Python: the writer and the threshold check),
``parityrun:::parity_classes_of`` (R: the writer and ``parity_predict_classes``) and
``keras:::classes_of_outputs`` (keras-caret-parity's keras, which a user installs as ``keras``
and which therefore does not depend on the audit's writer). The three give the same classes,
with the same shape, on the same outputs: ties, a single sigmoid unit (an n x 1 matrix or a
vector), outputs exactly at the threshold, another threshold.

This checkout's two R packages are installed into a temporary library: the machine's site
library is shared."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from parity.contract import predicted_classes
from parity.paths import PROJECT_ROOT

pytestmark = pytest.mark.r

#: name -> (outputs as rows, or a vector; threshold)
CASES = {
    "ties": ([[0.2, 0.4, 0.4], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.1, 0.4], [0.0, 0.0, 1.0]], 0.5),
    "two_units": ([[0.5, 0.5], [0.25, 0.75], [0.9, 0.1]], 0.5),
    "one_unit": ([[0.5], [0.7], [0.1 + 0.2], [0.5000000000000001]], 0.5),
    "vector": ([0.5, 0.7, 0.1 + 0.2, 0.3], 0.5),
    "vector_threshold": ([0.5, 0.7, 0.1 + 0.2, 0.3], 0.1 + 0.2),
}

# Each case as R builds it (rows by row), then "<name>\t<package>\t<JSON of classes and dims>".
R_SCRIPT = r"""
suppressPackageStartupMessages({ library(parityrun); library(jsonlite) })
cases <- fromJSON(commandArgs(TRUE)[1], simplifyVector = FALSE)
say <- function(name, package, classes) cat(name, "\t", package, "\t", toJSON(list(
  classes = as.vector(classes), dim = if (is.null(dim(classes))) NULL else dim(classes))), "\n", sep = "")
for (name in names(cases)) {
  rows <- cases[[name]]$outputs
  outputs <- if (is.list(rows[[1]])) matrix(unlist(rows), nrow = length(rows), byrow = TRUE) else unlist(rows)
  threshold <- cases[[name]]$threshold
  say(name, "parityrun", parityrun:::parity_classes_of(outputs, threshold))
  if (threshold == 0.5 && is.matrix(outputs)) say(name, "keras", keras:::classes_of_outputs(outputs))
}
"""


@pytest.fixture(scope="module")
def r_classes(rscript, tmp_path_factory) -> dict[tuple[str, str], dict]:
    lib = tmp_path_factory.mktemp("rlib")
    r = str(Path(rscript).with_name("R"))
    for package in ("parityrun", "keras"):
        proc = subprocess.run([r, "CMD", "INSTALL", "--no-test-load", f"--library={lib}",
                               str(PROJECT_ROOT / "r_packages" / package)], capture_output=True,
                              text=True, env=dict(os.environ, TZ="UTC"), timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    script = lib / "classes.R"
    script.write_text(R_SCRIPT)
    cases = {name: {"outputs": outputs, "threshold": threshold}
             for name, (outputs, threshold) in CASES.items()}
    proc = subprocess.run([rscript, str(script), json.dumps(cases, allow_nan=False)], capture_output=True,
                          text=True, env=dict(os.environ, TZ="UTC", R_LIBS=str(lib)), timeout=300)
    shutil.rmtree(lib, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr
    out = {}
    for line in proc.stdout.splitlines():
        name, package, result = line.split("\t")
        out[name, package] = json.loads(result)
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_the_three_rules_agree(r_classes, name):
    outputs, threshold = CASES[name]
    python = predicted_classes(np.array(outputs), threshold=threshold)
    got = r_classes[name, "parityrun"]
    assert got["classes"] == python.ravel().tolist()
    assert (got["dim"] or [len(python)]) == list(python.shape)  # R drops a vector's dim
    if threshold == 0.5 and np.ndim(outputs) == 2:
        assert r_classes[name, "keras"] == got
    # the rule itself, not only agreement: the first maximum; strictly above the threshold
    if name == "ties":
        assert python.tolist() == [1, 0, 0, 2]
    if name == "one_unit":
        assert python.ravel().tolist() == [0, 1, 0, 1]
