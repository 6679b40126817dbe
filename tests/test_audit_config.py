"""Audit profiles and execution settings (no R needed)."""

from __future__ import annotations

import pytest

from parity.audit import KERAS_DEFAULTS, PROFILES, TUNED, AuditConfig


def test_profiles():
    assert AuditConfig.from_profile("smoke").side_settings()["train_size"] == 2000
    assert AuditConfig.from_profile("seed").epochs == 200 == PROFILES["seed"][0]
    assert AuditConfig.from_profile("default", epochs=5, seed=7).side_settings() == {
        "epochs": 5, "seed": 7, "train_size": None, "test_size": None,
        "steps_per_execution": TUNED["steps_per_execution"], "threads": TUNED["threads"]}


def test_keras_defaults_switch_only_execution_settings():
    tuned = AuditConfig.from_profile("smoke")
    plain = AuditConfig.from_profile("smoke", keras_defaults=True)
    assert plain.execution() == KERAS_DEFAULTS and tuned.execution() == TUNED
    assert {k: v for k, v in plain.side_settings().items() if k not in TUNED} == \
        {k: v for k, v in tuned.side_settings().items() if k not in TUNED}


def test_unknown_profile():
    with pytest.raises(ValueError, match=r"profile 'huge': expected one of smoke, default, seed"):
        AuditConfig.from_profile("huge")
