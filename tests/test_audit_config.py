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


def test_seed_summary_check_reads_keras2_text_and_names_the_omission():
    from pathlib import Path
    from types import SimpleNamespace

    from parity.audit import seed_summary_check

    # printed by tf-keras 2.21 (TF_USE_LEGACY_KERAS=1) for python_impl.model.build_model()
    text = (Path(__file__).parent / "data" / "keras2_summary.txt").read_text()
    check = seed_summary_check(SimpleNamespace(summary_text=text))
    assert check.status == "pass"
    assert check.difference["omitted_by_seed"] == [("dropout_3", "Dropout", 32, 0)]
    assert "omits dropout_3" in check.reason
    # a summary that lost a dense layer is not the seed's model
    broken = "\n".join(line for line in text.splitlines() if "dense_1" not in line)
    assert seed_summary_check(SimpleNamespace(summary_text=broken)).status == "fail"
