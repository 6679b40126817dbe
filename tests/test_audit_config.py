"""Specs, profiles, execution settings, the work directory and the run-artifact contract
(no R, no training: the contract's writer and reader on small arrays)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import TUTORIAL

from parity.config import AuditConfig, SpecError, load_spec
from parity.contract import ContractError, RunWriter, drop_arrays, read_run
from parity.orchestration.workdir import ResumableDir, WorkDirError


def test_tutorial_profiles_and_overrides():
    smoke = AuditConfig.resolve(TUTORIAL, profile="smoke")
    assert smoke.settings == {"seed": 42, "save_normalized": True, "epochs": 1, "train_size": 2000,
                              "test_size": 500, "steps_per_execution": 256, "threads": 1}
    assert AuditConfig.resolve(TUTORIAL, profile="tutorial").epochs == 200
    assert AuditConfig.resolve(TUTORIAL).profile == "default"
    custom = AuditConfig.resolve(TUTORIAL, profile="default", epochs=5, seed=7)
    assert custom.settings["epochs"] == 5 and custom.settings["seed"] == 7


def test_keras_defaults_drop_only_execution_settings():
    tuned = AuditConfig.resolve(TUTORIAL, profile="smoke")
    plain = AuditConfig.resolve(TUTORIAL, profile="smoke", keras_defaults=True)
    assert tuned.parallel and not plain.parallel
    assert plain.computation_settings() == tuned.computation_settings() == plain.settings
    assert set(tuned.settings) - set(plain.settings) == {"steps_per_execution", "threads"}


@pytest.mark.parametrize("kwargs, message", [
    ({"profile": "huge"}, r"--profile huge: expected one of smoke, default, tutorial"),
    ({"seed": 2**31}, r"seed = 2147483648; expected an integer from 0 to 2147483647"),
    ({"seed": -1}, r"seed = -1; expected an integer from 0"),
    ({"epochs": 0}, r"epochs = 0; expected an integer from 1"),
    ({"epochs": 10_000_000_000}, r"epochs = 10000000000"),
])
def test_bad_settings_are_refused_before_anything_runs(kwargs, message):
    with pytest.raises(SpecError, match=message):
        AuditConfig.resolve(TUTORIAL, **kwargs)


def test_side_commands_pass_settings_as_options(tmp_path):
    cfg = AuditConfig.resolve(TUTORIAL, profile="smoke")
    cmd = cfg.side_command("python", tmp_path / "out", tmp_path / "ck")
    assert cmd[:3] == [sys.executable, "-m", "python_impl"]
    assert cmd[3:7] == ["--out", str(tmp_path / "out"), "--checkpoint", str(tmp_path / "ck")]
    assert "--save-normalized" in cmd and cmd[cmd.index("--train-size") + 1] == "2000"
    r = cfg.side_command("r", tmp_path / "out", None)
    assert r[0].endswith("Rscript") and r[1].endswith("r_reference/fashion_mnist.R")
    assert "--checkpoint" not in r


SPEC = """
spec_version = 1
name = "mine"
[sides.r]
command = ["Rscript", "{spec_dir}/a.R"]
[sides.python]
command = ["{python}", "{spec_dir}/a.py"]
[settings]
seed = 1
epochs = 2
[profiles]
smoke = { epochs = 1 }
[checks]
groups = ["predictions", "confusion"]
tolerances = { "confusion.*" = { rel = 1e-9 }, "predictions.*" = "exact" }
"""


def test_spec_file_groups_and_tolerance_overrides(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text(SPEC)
    spec = load_spec(path)
    assert spec.groups == ("predictions", "confusion") and spec.default_profile == "smoke"
    assert spec.tolerance("confusion.crossed.overall.Kappa", None).rel == 1e-9
    assert spec.tolerance("predictions.probabilities_max_abs_diff", None).rel == 0
    assert spec.tolerance("training.loss_per_epoch", "default") == "default"
    cmd = AuditConfig.resolve(spec).side_command("python", tmp_path / "o", tmp_path / "ck")
    assert cmd[1] == str(tmp_path / "a.py") and "--checkpoint" not in cmd  # checkpoint: false


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.replace('groups = ["predictions", "confusion"]', 'groups = ["pixels"]'),
     r"groups \['pixels'\] unknown"),
    (lambda s: s.replace("spec_version = 1", "spec_version = 9"), r"spec_version = 9"),
    (lambda s: s.replace('[sides.r]\ncommand = ["Rscript", "{spec_dir}/a.R"]', ""),
     r"\[sides\] has \['python'\]; expected exactly r and python"),
    (lambda s: "surprise = 1\n" + s, r"unknown key\(s\) \[.surprise.\]"),
    (lambda s: s.replace('"exact" }', '"loose" }'), r"'loose'; expected \"exact\""),
    (lambda s: s.replace("seed = 1", "seed = -3"), r"seed = -3; expected an integer from 0"),
    (lambda s: s.replace("name = ", "name = = "), r"not valid TOML"),
    (lambda s: s + "[execution]\nparalel = false\n", r"\[execution\]: unknown key\(s\) \['paralel'\]"),
    (lambda s: s.replace('{spec_dir}/a.R"]', '{spec_dir}/a.R"]\nchekpoint = true'),
     r"\[sides.r\]: unknown key\(s\) \['chekpoint'\]; expected command, checkpoint"),
    (lambda s: s.replace("smoke = { epochs = 1 }", "smoke = { epoch = 1 }"),
     r"\[profiles.smoke\]: unknown setting\(s\) \['epoch'\]"),
    (lambda s: s.replace("{spec_dir}/a.py", "{specdir}/a.py"),
     r"\[sides.python\]: command argument '\{specdir\}/a.py': unknown placeholder \{specdir\}"),
    (lambda s: s.replace("{spec_dir}/a.py", "{spec_dir/a.py"), r"\[sides.python\]: command argument"),
    (lambda s: s + "[published]\nsummary = { layers = [], totl_params = 3 }\n",
     r"\[published.summary\]: unknown key\(s\) \['totl_params'\]"),
    (lambda s: s.replace("[checks]", "[checks]\ntolerance = {}"),
     r"\[checks\]: unknown key\(s\) \['tolerance'\]"),
])
def test_bad_spec_names_the_key(tmp_path, edit, message):
    path = tmp_path / "spec.toml"
    path.write_text(edit(SPEC))
    with pytest.raises(SpecError, match=message):
        load_spec(path)


def test_missing_spec_file(tmp_path):
    with pytest.raises(SpecError, match=r"no such file"):
        load_spec(tmp_path / "nope.toml")


# --------------------------------------------------------------------------- contract


def _write(out: Path, **extra) -> Path:
    from python_impl.caret import confusion_matrix

    pred, ref = np.array([0, 1, 1, 2, 2, 2]), np.array([0, 1, 2, 2, 2, 1])
    with RunWriter(out, side="python", settings={"seed": 1, **extra}) as w:
        w.predictions(np.eye(3, dtype=np.float32)[pred], pred)
        w.labels(test=ref)
        w.history({"loss": [0.5, 0.25]})
        w.caret(confusion_matrix(pred, ref), data=pred, reference=ref)
    return out


def test_contract_round_trip_validates_against_the_schema(tmp_path):
    import jsonschema

    from parity.contract import schema

    run = read_run(_write(tmp_path / "run"))
    jsonschema.Draft202012Validator(schema()).validate(json.loads((run.path / "run.json").read_text()))
    assert run.side == "python" and run.settings == {"seed": 1}
    assert run.predicted.tolist() == [0, 1, 1, 2, 2, 2] and run.history["loss"].tolist() == [0.5, 0.25]
    assert run.confusion.levels == ["0", "1", "2"] and run.confusion_inputs[1].tolist() == [0, 1, 2, 2, 2, 1]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left


@pytest.mark.parametrize("damage, message", [
    (lambda d: (d / "run.json").write_text("{\"contract\": \"parity-run\", \"x\": NaN}"), r"NaN is not JSON"),
    (lambda d: (d / "predicted_classes.npy").write_bytes(
        (d / "predicted_classes.npy").read_bytes()[:-8]), r"predicted_classes.npy"),
    (lambda d: (d / "probabilities.npy").unlink(), r"probabilities.npy: missing"),
    (lambda d: _edit_json(d, lambda m: m.update(contract_version=2)), r"contract_version 2"),
    (lambda d: _edit_json(d, lambda m: m["arrays"]["probabilities"].update(file="../x.npy")),
     r"expected a file name inside the run directory"),
    (lambda d: _edit_json(d, lambda m: m["arrays"]["probabilities"].update(shape=[6, 4])),
     r"run.json says <f4 \[6, 4\]"),
    (lambda d: np.save(d / "probabilities.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True),
     r"(dtype '\|O'|not a readable NPY)"),
])
def test_reader_refuses_damaged_runs_with_the_file_named(tmp_path, damage, message):
    run = _write(tmp_path / "run")
    damage(run)
    with pytest.raises(ContractError, match=message):
        read_run(run)


def _edit_json(run: Path, change) -> None:
    meta = json.loads((run / "run.json").read_text())
    change(meta)
    (run / "run.json").write_text(json.dumps(meta))


def test_writer_leaves_nothing_when_the_run_fails(tmp_path):
    with pytest.raises(RuntimeError, match="boom"), RunWriter(tmp_path / "run", side="r", settings={}) as w:
        w.array("x", np.arange(3))
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(Exception, match="expected numbers or booleans"), \
            RunWriter(tmp_path / "run", side="r", settings={}) as w:
        w.array("names", np.array(["a", "b"], dtype=object))


def test_dropped_arrays_keep_the_run_valid(tmp_path):
    run = _write(tmp_path / "run")
    drop_arrays(run, ["probabilities"], reason="compared, then removed")
    record = read_run(run)
    assert record.probabilities is None and not (run / "probabilities.npy").exists()


@pytest.mark.r
def test_crafted_rds_in_an_r_run_is_never_evaluated(tmp_path, rscript):
    """R's readRDS evaluates a stored promise; the engine reads JSON and NPY only, so an RDS
    file planted in an --r-run directory (here: one that would create a marker file) is data
    that nothing opens."""
    marker = tmp_path / "evaluated"
    run = _write(tmp_path / "r_run")
    meta = json.loads((run / "run.json").read_text())
    meta["side"] = "r"
    (run / "run.json").write_text(json.dumps(meta))
    code = (f'e <- new.env(); delayedAssign("x", file.create("{marker}"), assign.env = e); '
            f'saveRDS(e, "{run}/history.rds"); '
            f'stopifnot(!file.exists("{marker}"))')
    subprocess.run([rscript, "-e", code], check=True, capture_output=True, env=dict(os.environ, TZ="UTC"))
    probe = subprocess.run([rscript, "-e", f'e <- readRDS("{run}/history.rds"); invisible(e$x)'],
                           capture_output=True, env=dict(os.environ, TZ="UTC"))
    assert probe.returncode == 0 and marker.exists(), "the crafted file must really run code"
    marker.unlink()
    cfg = AuditConfig(TUTORIAL, "test", {"seed": 1}, parallel=False)
    from parity.orchestration.runner import check_reused_r_run

    record = check_reused_r_run(run, cfg)  # what `parity audit --r-run` reads
    assert record.side == "r" and not marker.exists()
    from parity.cli import main

    assert main(["audit", "--r-run", str(run), "--out", str(tmp_path / "rep")]) == 2  # settings differ
    assert not marker.exists()


# --------------------------------------------------------------------------- work directory


def test_work_dir_lock_names_the_running_audit(tmp_path):
    first = ResumableDir(tmp_path / "rep", {"a": 1}, resume=False)
    with first:
        with pytest.raises(WorkDirError, match=rf"another audit \(pid {os.getpid()}\)"):
            ResumableDir(tmp_path / "rep", {"a": 1}, resume=True).__enter__()
    assert (tmp_path / "rep").is_dir() and not (tmp_path / ".rep.lock").exists()


def test_failed_audit_keeps_its_work(tmp_path):
    work = ResumableDir(tmp_path / "rep", {"a": 1}, resume=False)
    with pytest.raises(RuntimeError), work as path:
        (path / "r_run").mkdir()
        raise RuntimeError("a side failed")
    assert (tmp_path / ".rep.partial" / "r_run").is_dir()  # finished work stays
    with pytest.raises(WorkDirError, match="--resume"):
        ResumableDir(tmp_path / "rep", {"a": 1}, resume=False).__enter__()
    with ResumableDir(tmp_path / "rep", {"a": 1}, resume=True) as path:
        assert (path / "r_run").is_dir()


@pytest.mark.parametrize("make, message", [
    (lambda t: (t / "f").write_text("x") and t / "f", r"exists and is not an empty directory"),
    (lambda t: t / "file" / "sub" if (t / "file").write_text("x") else None,
     r"does not exist \(it is a file\)"),
    (lambda t: Path("."), r"expected a new directory name"),
    (lambda t: (t / "link").symlink_to(t) or t / "link", r"symbolic link"),
])
def test_bad_output_paths(tmp_path, make, message):
    with pytest.raises(WorkDirError, match=message):
        ResumableDir(make(tmp_path), {}, resume=False)


def test_published_summary_reads_keras2_text_and_names_the_omission():
    from parity.checks.published import compare_summary

    # printed by tf-keras 2.21 (TF_USE_LEGACY_KERAS=1) for python_impl.model.build_model()
    text = (Path(__file__).parent / "data" / "keras2_summary.txt").read_text()
    ok, _, detail, reason = compare_summary(text, TUTORIAL.published["summary"])
    assert ok and detail["omitted_by_publication"] == [("dropout_3", "Dropout", 32, 0)]
    assert "omits dropout_3" in reason
    # a summary that lost a dense layer is not the tutorial's model
    broken = "\n".join(line for line in text.splitlines() if "dense_1" not in line)
    assert not compare_summary(broken, TUTORIAL.published["summary"])[0]
