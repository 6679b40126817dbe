"""Item 4 of issue 23: the spec is checked completely before anything runs (exit 2 naming the
key), and no command line of the project takes an abbreviation of an option."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from parity.cli import main as parity_main

ROOT = Path(__file__).resolve().parents[1]

SPEC = """\
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
[execution]
settings = { threads = 1 }
[checks]
groups = ["predictions"]
"""


@pytest.mark.parametrize("edit, named", [
    (lambda s: s.replace("threads = 1 }", "threads = 1 }\nparalel = false"), "paralel"),
    (lambda s: s.replace('a.R"]', 'a.R"]\nchekpoint = true'), "chekpoint"),
    (lambda s: s.replace("smoke = { epochs = 1 }", "smoke = { epoch = 1 }"), "epoch"),
    (lambda s: s.replace("{spec_dir}/a.py", "{r_refrence}/a.py"), "{r_refrence}"),
    (lambda s: s.replace("seed = 1", "seed = 1\nrate = 0.30000000000000004"), "15 significant digits"),
])
def test_audit_refuses_a_spec_with_an_unknown_key_before_running(tmp_path, capsys, edit, named):
    spec = tmp_path / "spec.toml"
    spec.write_text(edit(SPEC))
    out = tmp_path / "report"
    assert parity_main(["audit", "--spec", str(spec), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert named in err and "Traceback" not in err
    assert not out.exists()  # nothing ran


def test_a_profile_may_set_an_execution_setting(tmp_path):
    from parity.config import load_spec

    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC.replace("smoke = { epochs = 1 }", "smoke = { epochs = 1, threads = 2 }"))
    assert load_spec(spec).profiles["smoke"] == {"epochs": 1, "threads": 2}


def test_python_side_takes_no_abbreviation(tmp_path, capsys):
    from python_impl.workflow import main

    with pytest.raises(SystemExit) as exc:
        main(["--epoch", "3", "--out", str(tmp_path / "run")])
    assert exc.value.code == 2 and "--epoch" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["audit", "--epoch", "3"],
    ["audit", "--prof", "smoke"],
    ["stats", "--pre", "a.csv", "--ref", "b.csv"],
    ["compare", "a", "b", "--req", "exact"],
])
def test_parity_takes_no_abbreviation(argv, capsys):
    assert parity_main(argv) == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def _argparse_calls(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            if name in ("ArgumentParser", "add_parser"):
                yield node


def test_every_argument_parser_refuses_abbreviations():
    """Every parser the project builds (the engine, the port, the examples, the benchmarks)
    says allow_abbrev=False: a typo (--epoch) is an error, never another option."""
    files = [p for d in ("parity", "python_impl", "examples", "benchmarks", "scripts")
             for p in (ROOT / d).rglob("*.py")]
    calls = [(p, n) for p in files for n in _argparse_calls(p)]
    assert calls
    bad = [f"{p.relative_to(ROOT)}:{n.lineno}" for p, n in calls
           if not any(k.arg == "allow_abbrev" and isinstance(k.value, ast.Constant)
                      and k.value.value is False for k in n.keywords)]
    assert not bad, bad
