"""A training checkpoint's identity is derived by one rule on both sides - the settings the side
runs with, minus the execution settings the audit names (the spec's ``[execution]`` table, in
``PARITY_EXECUTION_SETTINGS``), minus epochs - so a new setting enters both identities without
a change to either side (:func:`parity.contract.checkpoint_identity`,
``parityrun::parity_checkpoint_identity``)."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import fields
from pathlib import Path

import pytest

from parity.config import AuditConfig, as_options, load_spec
from parity.contract import EXECUTION_SETTINGS_ENV, checkpoint_identity, execution_settings
from parity.orchestration import sides
from parity.paths import PROJECT_ROOT
from python_impl.workflow import RunConfig

SPEC = load_spec()
#: the tutorial's settings as an audit passes them, plus a setting no side knows yet
SETTINGS = {**AuditConfig.resolve(SPEC).settings, "new_setting": 5}
EXECUTION = tuple(SPEC.execution_settings)


def test_the_rule():
    identity = checkpoint_identity(SETTINGS, execution=EXECUTION)
    assert identity == {k: v for k, v in SETTINGS.items() if k != "epochs" and k not in EXECUTION}
    assert identity["new_setting"] == 5 and "epochs" not in identity
    assert EXECUTION and not set(EXECUTION) & set(identity)


def test_the_audit_names_the_spec_execution_settings_to_every_side():
    env = sides.side_env(EXECUTION)
    assert execution_settings(env) == EXECUTION == ("steps_per_execution", "threads")
    assert execution_settings({}) == ()  # a side run by hand: only epochs leave the identity
    assert checkpoint_identity(SETTINGS, execution=execution_settings({})) == {
        k: v for k, v in SETTINGS.items() if k != "epochs"}


def test_a_bad_variable_is_named():
    with pytest.raises(ValueError, match=r"PARITY_EXECUTION_SETTINGS='threads;rm': 'threads;rm'"):
        execution_settings({EXECUTION_SETTINGS_ENV: "threads;rm"})


def test_the_python_side_uses_the_rule(monkeypatch):
    """The port's identity is the rule's, with its side and Keras generation; its settings
    are RunConfig's, so a field added there enters the identity by itself."""
    from python_impl import workflow

    monkeypatch.setenv(EXECUTION_SETTINGS_ENV, ",".join(EXECUTION))
    monkeypatch.setattr(workflow, "versions", lambda: {"keras_package": "keras"})
    config = RunConfig(epochs=2, train_size=10)
    identity = workflow.checkpoint_identity(config, "python")
    assert identity == {"side": "python", **checkpoint_identity(config.settings()), "keras_package": "keras"}
    assert {f.name for f in fields(RunConfig)} - set(identity) == {"epochs", *EXECUTION}


# The R rule on the same settings: parity_args parses them from the audit's command line, as
# r_reference/fashion_mnist.R does, with the new setting declared; prints the identity's JSON.
R_SCRIPT = r"""
suppressPackageStartupMessages(library(parityrun))
argv <- commandArgs(TRUE)
opts <- parity_args(argv, settings = list(
  epochs = 200L, seed = 42L, train_size = NA_integer_, test_size = NA_integer_,
  steps_per_execution = 1L, threads = NA_integer_, save_normalized = FALSE, new_setting = 0L))
cat(jsonlite::toJSON(parity_checkpoint_identity(opts$settings), auto_unbox = TRUE, null = "null",
                     na = "null"), "\n")
"""


@pytest.mark.r
def test_r_side_derives_the_same_identity(rscript, tmp_path):
    """The installed parityrun may predate this rule: install this checkout's into a
    temporary library (the machine's site library is shared)."""
    lib = tmp_path / "lib"
    lib.mkdir()
    install = subprocess.run([str(Path(rscript).with_name("R")), "CMD", "INSTALL", "--no-test-load",
                              f"--library={lib}", str(PROJECT_ROOT / "r_packages" / "parityrun")],
                             capture_output=True, text=True, env=dict(os.environ, TZ="UTC"), timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    script = tmp_path / "identity.R"
    script.write_text(R_SCRIPT)
    argv = ["--out", str(tmp_path / "out"), *as_options(SETTINGS)]  # as the audit passes them
    env = sides.side_env(EXECUTION) | {"R_LIBS": str(lib)}
    proc = subprocess.run([rscript, str(script), *argv], capture_output=True, text=True, env=env,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    r_identity = json.loads(proc.stdout)
    python_settings = {f.name: f.default for f in fields(RunConfig)} | {"new_setting": 0} | SETTINGS
    assert r_identity == checkpoint_identity(python_settings, execution=EXECUTION)
    assert r_identity["new_setting"] == 5 and not {"epochs", *EXECUTION} & set(r_identity)
