"""What an audit runs: the spec (a TOML file: the two sides' commands, their settings and
profiles, the check groups, tolerance overrides, published figures) and the configuration one
invocation resolves from it.

The tutorial is the built-in spec, ``parity/specs/tutorial.toml``; ``parity audit --spec FILE``
audits any pair of scripts that take ``--out DIR`` (and their settings as ``--name value``) and
write the run-artifact contract (:mod:`parity.contract`).

Examples
--------
>>> spec = load_spec()
>>> config = AuditConfig.resolve(spec, profile="smoke")
>>> config.settings["epochs"], config.settings["train_size"], config.parallel
(1, 2000, True)
>>> AuditConfig.resolve(spec, profile="smoke", keras_defaults=True).settings.get("threads")
"""

from __future__ import annotations

import fnmatch
import json
import shutil
import string
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parity.contract import R_INT_MAX  # settings reach R as integers: 32-bit
from parity.errors import ParityError
from parity.paths import R_REFERENCE, SPECS
from parity.rules import battery as _battery
from parity.rules.compare import Tolerance
from parity.rules.grades import DEFAULT_MARGIN, REQUIRE

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, from PyPI
    import tomli as tomllib

__all__ = ["SpecError", "Spec", "Side", "load_spec", "AuditConfig", "CHECK_GROUPS",
           "BUILTIN_SPEC", "R_INT_MAX", "PLACEHOLDERS", "as_options", "scripts_spec",
           "SCRIPT_GROUPS", "CAPTURE_EXECUTION"]

BUILTIN_SPEC = SPECS / "tutorial.toml"
#: every check group the engine knows (parity.checks), in report order
CHECK_GROUPS = ("data", "normalization", "model", "training", "predictions", "confusion",
                "evaluation", "measures", "calls", "battery", "published")
#: the groups of an audit of two scripts (``parity audit --r X.R --python X.py``): every group
#: that compares what the sides did (a group no side recorded a call for reports one info row)
SCRIPT_GROUPS = ("data", "normalization", "model", "training", "predictions", "confusion",
                 "evaluation", "measures", "calls")
#: the execution settings a captured side can be given (an unmodified script takes none: the
#: audit sets them in its environment)
CAPTURE_EXECUTION = {"threads": ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")}
#: settings that change how a side executes, never what it computes (the "execution" table)
SPEC_VERSION = 1


class SpecError(ParityError, ValueError):
    """A spec file that cannot be used; the message names the file, the key and what was expected."""


@dataclass(frozen=True)
class Side:
    label: str  # "R" or "Python"
    command: tuple[str, ...]
    checkpoint: bool
    #: run the script unmodified under the capture layer (parity.capture): it writes no run
    #: directory itself, takes no --out, and its library calls are recorded
    capture: bool = False


@dataclass(frozen=True)
class Spec:
    path: Path
    name: str
    title: str
    sides: dict[str, Side]  # "r", "python"
    settings: dict[str, Any]
    profiles: dict[str, dict[str, Any]]
    default_profile: str
    execution_settings: dict[str, Any]
    parallel: bool
    groups: tuple[str, ...]
    tolerances: dict[str, Tolerance]
    published: dict[str, Any] = field(default_factory=dict)
    #: the caret battery's (seed, size) (parity.rules.battery)
    battery: tuple[int, int] = (0, 0)
    #: a group no side recorded anything for is one info row, not a check that did not run:
    #: set for an audit of two scripts (``--r``/``--python``), whose groups are not chosen
    only_recorded_groups: bool = False

    def tolerance(self, check: str, default: Tolerance) -> Tolerance:
        """The rule for one check: the first override whose pattern matches, else ``default``."""
        for pattern, tol in self.tolerances.items():
            if fnmatch.fnmatchcase(check, pattern):
                return tol
        return default


def _get(table: dict, key: str, kind, where: str, default: Any = ...) -> Any:
    if key not in table:
        if default is ...:
            raise SpecError(f"{where}: missing key {key!r}")
        return default
    value = table[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, (int, float))):
        raise SpecError(f"{where}: {key} = {value!r}; expected {_kind_name(kind)}")
    return value


def _kind_name(kind) -> str:
    names = {str: "a string", bool: "true or false", int: "an integer", list: "an array",
             dict: "a table"}
    return names.get(kind, str(kind))


def _check_setting(name: str, value: Any, where: str) -> None:
    if isinstance(value, bool) or isinstance(value, str):
        return
    if isinstance(value, int):
        low = 1 if name == "epochs" else 0
        if not low <= value <= R_INT_MAX:
            raise SpecError(f"{where}: {name} = {value}; expected an integer from {low} to "
                            f"{R_INT_MAX} (R's integers are 32-bit)")
        return
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise SpecError(f"{where}: {name} = {value}; expected a finite number")
        if float(f"{value:.15g}") != value:  # the R side records its settings through jsonlite
            raise SpecError(f"{where}: {name} = {value!r}; expected a number of at most 15 "
                            f"significant digits (R's run.json keeps 15: {value:.15g})")
        return
    raise SpecError(f"{where}: {name} = {value!r}; expected an integer, number, string or boolean")


def _tolerance(value: Any, where: str) -> Tolerance:
    if value == "exact":
        return Tolerance()
    if isinstance(value, dict) and set(value) <= {"rel", "abs"} and value:
        try:
            tol = Tolerance(rel=float(value.get("rel", 0.0)), abs_floor=float(value.get("abs", 0.0)))
        except (TypeError, ValueError):
            tol = None
        if tol is not None and tol.rel >= 0 and tol.abs_floor >= 0:
            return tol
    raise SpecError(f"{where}: {value!r}; expected \"exact\" or {{ rel = 1e-9, abs = 0.0 }} "
                    "(non-negative numbers)")


def _known_keys(table: dict, known, where: str) -> None:
    if unknown := sorted(set(table) - set(known)):
        raise SpecError(f"{where}: unknown key(s) {unknown}; expected {', '.join(known)}")


#: what a side command may name in braces, and what each becomes (AuditConfig.side_command)
PLACEHOLDERS = ("python", "r_reference", "spec_dir")


def _check_placeholders(command: list[str], where: str) -> None:
    """Every ``{name}`` of a side command is a known placeholder (``{{`` is a literal brace)."""
    for arg in command:
        try:
            names = [f for _, f, _, _ in string.Formatter().parse(arg) if f is not None]
        except ValueError as exc:
            raise SpecError(f"{where}: command argument {arg!r}: {exc}; write a literal brace "
                            "as {{ or }}") from None
        if bad := [n for n in names if n not in PLACEHOLDERS]:
            raise SpecError(f"{where}: command argument {arg!r}: unknown placeholder "
                            f"{{{bad[0]}}}; expected {', '.join('{' + p + '}' for p in PLACEHOLDERS)}")


def _check_published_keys(published: dict, where: str) -> None:
    """The [published] table's keys (parity.published and parity.checks.check_published)."""
    _known_keys(published, ("source", "levels", "table", "printed", "summary"), where)
    printed = _get(published, "printed", dict, where, {})
    _known_keys(printed, ("overall", "by_class"), f"{where[:-1]}.printed]")
    summary = _get(published, "summary", dict, where, {})
    _known_keys(summary, ("layers", "total_params", "omits", "omits_reason"), f"{where[:-1]}.summary]")


def load_spec(path: str | Path | None = None) -> Spec:
    """Read and validate a spec; the built-in tutorial spec when ``path`` is None. A spec is
    data: nothing in it is executed except the two side commands, when the audit runs them."""
    path = Path(path) if path is not None else BUILTIN_SPEC
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"--spec {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"--spec {path}: cannot read it ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"--spec {path}: not valid TOML ({exc})") from None
    where = str(path)
    version = _get(raw, "spec_version", int, where)
    if version != SPEC_VERSION:
        raise SpecError(f"{where}: spec_version = {version}; this parity reads version {SPEC_VERSION}")
    known = {"spec_version", "name", "title", "default_profile", "sides", "settings", "profiles",
             "execution", "checks", "published"}
    if unknown := sorted(set(raw) - known):
        raise SpecError(f"{where}: unknown key(s) {unknown}; expected {sorted(known)}")
    sides_raw = _get(raw, "sides", dict, where)
    if set(sides_raw) != {"r", "python"}:
        raise SpecError(f"{where}: [sides] has {sorted(sides_raw)}; expected exactly r and python")
    sides = {}
    for key, label in (("r", "R"), ("python", "Python")):
        t = _get(sides_raw, key, dict, f"{where} [sides]")
        command = _get(t, "command", list, f"{where} [sides.{key}]")
        if not command or not all(isinstance(a, str) and a for a in command):
            raise SpecError(f"{where} [sides.{key}]: command = {command!r}; expected a non-empty "
                            "array of non-empty strings")
        _known_keys(t, ("command", "checkpoint", "capture"), f"{where} [sides.{key}]")
        _check_placeholders(command, f"{where} [sides.{key}]")
        sides[key] = Side(label, tuple(command),
                          _get(t, "checkpoint", bool, f"{where} [sides.{key}]", False),
                          _get(t, "capture", bool, f"{where} [sides.{key}]", False))
        if sides[key].capture and sides[key].checkpoint:
            raise SpecError(f"{where} [sides.{key}]: capture = true and checkpoint = true; a "
                            "captured script runs unmodified and cannot resume from a checkpoint")
    settings = dict(_get(raw, "settings", dict, where, {}))
    profiles = _get(raw, "profiles", dict, where, {"default": {}})
    if not profiles:
        raise SpecError(f"{where}: [profiles] is empty; expected at least one profile")
    for name, prof in profiles.items():
        if not isinstance(prof, dict):
            raise SpecError(f"{where} [profiles]: {name} = {prof!r}; expected a table of settings")
    default_profile = _get(raw, "default_profile", str, where, next(iter(profiles)))
    if default_profile not in profiles:
        raise SpecError(f"{where}: default_profile = {default_profile!r}; expected one of "
                        f"{sorted(profiles)}")
    execution = _get(raw, "execution", dict, where, {})
    _known_keys(execution, ("settings", "parallel"), f"{where} [execution]")
    exec_settings = dict(_get(execution, "settings", dict, f"{where} [execution]", {}))
    captured = any(s.capture for s in sides.values())
    if captured and (bad := sorted(set(exec_settings) - set(CAPTURE_EXECUTION))):
        raise SpecError(f"{where} [execution]: settings {bad} cannot reach a captured script (it "
                        f"runs unmodified); a captured side takes only {sorted(CAPTURE_EXECUTION)}, "
                        "which the audit sets in its environment")
    for name, prof in profiles.items():
        # a profile changes declared settings only: a typo (epoch = 3) is not a new setting
        if unknown := sorted(set(prof) - set(settings) - set(exec_settings)):
            raise SpecError(f"{where} [profiles.{name}]: unknown setting(s) {unknown}; a profile "
                            f"sets only settings declared in [settings] (with their defaults) or "
                            f"[execution] settings: {sorted(set(settings) | set(exec_settings))}")
    for table, values in (("settings", settings), ("execution.settings", exec_settings),
                          *((f"profiles.{n}", p) for n, p in profiles.items())):
        for k, v in values.items():
            _check_setting(k, v, f"{where} [{table}]")
    checks = _get(raw, "checks", dict, where, {})
    groups = tuple(_get(checks, "groups", list, f"{where} [checks]", list(CHECK_GROUPS)))
    if bad := [g for g in groups if g not in CHECK_GROUPS]:
        raise SpecError(f"{where} [checks]: groups {bad} unknown; expected some of {list(CHECK_GROUPS)}")
    tolerances = {str(k): _tolerance(v, f"{where} [checks.tolerances] {k!r}")
                  for k, v in _get(checks, "tolerances", dict, f"{where} [checks]", {}).items()}
    bat = _get(checks, "battery", dict, f"{where} [checks]", {})
    if unknown := sorted(set(bat) - {"seed", "size"}):
        raise SpecError(f"{where} [checks.battery]: unknown key(s) {unknown}; expected seed, size")
    battery = (_get(bat, "seed", int, f"{where} [checks.battery]", _battery.DEFAULT_SEED),
               _get(bat, "size", int, f"{where} [checks.battery]", _battery.DEFAULT_SIZE))
    if battery[1] < 8 or battery[0] < 0:
        raise SpecError(f"{where} [checks.battery]: seed = {battery[0]}, size = {battery[1]}; "
                        "expected seed >= 0 and size >= 8")
    if unknown := sorted(set(checks) - {"groups", "tolerances", "battery"}):
        raise SpecError(f"{where} [checks]: unknown key(s) {unknown}; expected groups, "
                        "tolerances, battery")
    published = _get(raw, "published", dict, where, {})
    _check_published_keys(published, f"{where} [published]")
    if "published" in groups and not published:
        raise SpecError(f"{where}: check group \"published\" needs a [published] table")
    return Spec(path=path, name=_get(raw, "name", str, where), title=_get(raw, "title", str, where, ""),
                sides=sides, settings=settings, profiles=profiles, default_profile=default_profile,
                execution_settings=exec_settings,
                parallel=_get(execution, "parallel", bool, f"{where} [execution]", True),
                groups=groups, tolerances=tolerances, published=published, battery=battery)


def scripts_spec(r_script: str | Path, python_script: str | Path,
                 settings: dict[str, Any] | None = None) -> Spec:
    """The spec of ``parity audit --r X.R --python X.py``: both scripts captured, run as their
    authors run them (``Rscript X.R``, ``python X.py``) with ``settings`` as ``--name value``,
    every group of :data:`SCRIPT_GROUPS` (those no side recorded anything for report one info
    row), one profile. The path of a spec file it does not have is the R script's."""
    scripts = {}
    for side, script, suffixes in (("r", r_script, (".r",)), ("python", python_script, (".py",))):
        path = Path(script)
        if not path.is_file():
            raise SpecError(f"--{side} {script}: no such file")
        if path.suffix.lower() not in suffixes:
            raise SpecError(f"--{side} {script}: expected a{'n R' if side == 'r' else ' Python'} "
                            f"script ({' or '.join(suffixes)})")
        scripts[side] = str(path.resolve())
    settings = dict(settings or {})
    for k, v in settings.items():
        _check_setting(k, v, f"--setting {k}")
    return Spec(path=Path(scripts["r"]), name="scripts",
                title=f"{Path(r_script).name} and {Path(python_script).name}, captured",
                sides={"r": Side("R", ("Rscript", scripts["r"]), False, True),
                       "python": Side("Python", ("{python}", scripts["python"]), False, True)},
                settings=settings, profiles={"default": {}}, default_profile="default",
                execution_settings={}, parallel=True, groups=SCRIPT_GROUPS, tolerances={},
                only_recorded_groups=True)


def as_options(settings: dict[str, Any]) -> list[str]:
    """Settings as a side's command-line options: ``--name value`` (``_`` as ``-``), ``true``
    as a bare flag, ``false`` left out.

    Examples
    --------
    >>> as_options({"train_size": 2000, "save_normalized": True, "debug": False})
    ['--train-size', '2000', '--save-normalized']
    """
    options: list[str] = []
    for name, value in settings.items():
        flag = "--" + name.replace("_", "-")
        if value is True:
            options.append(flag)
        elif value is not False:
            options += [flag, str(value)]
    return options


@dataclass(frozen=True)
class AuditConfig:
    """One audit: the spec, the profile, and the settings both sides get (the spec's, then the
    profile's, then the command line's, then the execution settings unless ``keras_defaults``).

    The execution settings never change what is computed, except that TensorFlow's CPU MatMul
    may round differently with another intra-op thread count (measured on an AMD EPYC;
    BENCHMARKS.md). Both sides always get the same settings, so R-vs-Python parity is exact
    either way; ``keras_defaults`` runs the tutorial script's own settings."""

    spec: Spec
    profile: str
    settings: dict[str, Any]
    parallel: bool
    keras_defaults: bool = False
    #: the worst graded verdict that passes (parity.checks.grading): exact, numeric or equivalent
    require: str = "exact"
    #: K > 1: each side runs K seeds (seed, seed + 1, ...) on Dask distributed (parity.orchestration.seeds)
    seeds: int = 1
    #: equivalence margin (accuracy, Kappa, sensitivities) of the seeds' TOST; parity.checks.grading
    #: Equivalence explains the default
    margin: float = DEFAULT_MARGIN

    @classmethod
    def resolve(cls, spec: Spec | None = None, *, profile: str | None = None,
                epochs: int | None = None, seed: int | None = None,
                keras_defaults: bool = False, require: str = "exact",
                seeds: int = 1, margin: float = DEFAULT_MARGIN) -> AuditConfig:
        if require not in REQUIRE:
            raise SpecError(f"--require {require}: expected one of {', '.join(REQUIRE)}")
        if not isinstance(seeds, int) or seeds < 1:
            raise SpecError(f"--seeds {seeds}: expected a positive integer")
        if not 0 < margin < 1:
            raise SpecError(f"--margin {margin}: expected a number between 0 and 1")
        spec = spec or load_spec()
        if seeds > 1 and any(s.capture for s in spec.sides.values()):
            # a seed's task appends --out and --seed to the side's command: a captured script
            # takes neither (the driver's --out and --settings would have to carry each seed)
            raise SpecError(f"--seeds {seeds}: not available for captured sides (capture = true, "
                            "--r/--python) yet; run one seed, or sides that write the contract")
        profile = profile or spec.default_profile
        if profile not in spec.profiles:
            raise SpecError(f"--profile {profile}: expected one of {', '.join(spec.profiles)} "
                            f"(spec {spec.path.name})")
        settings = {**spec.settings, **spec.profiles[profile]}
        for name, value in (("epochs", epochs), ("seed", seed)):
            if value is not None:
                _check_setting(name, value, f"--{name}")
                settings[name] = value
        if not keras_defaults:
            settings.update(spec.execution_settings)
        if seeds > 1 and settings.get("seed", 0) + seeds - 1 > R_INT_MAX:
            raise SpecError(f"--seeds {seeds}: seeds {settings.get('seed', 0)}.. pass R's "
                            f"integer limit {R_INT_MAX}")
        return cls(spec, profile, settings, spec.parallel and not keras_defaults, keras_defaults,
                   require, seeds, margin)

    @property
    def epochs(self) -> int | None:
        return self.settings.get("epochs")

    def computation_settings(self) -> dict[str, Any]:
        """The settings that decide the numbers (what a reused --r-run must match)."""
        return {k: v for k, v in self.settings.items() if k not in self.spec.execution_settings}

    def identity(self) -> dict[str, Any]:
        """What an interrupted audit must match to be resumed (threads included: they can
        change the last bits)."""
        identity = {"spec": str(self.spec.path), "profile": self.profile,
                    "settings": self.settings, "seeds": self.seeds}
        if self.spec.only_recorded_groups:  # two scripts, no spec file: the scripts are the identity
            identity["sides"] = {k: list(s.command) for k, s in self.spec.sides.items()}
        return identity

    def side_command(self, side: str, out: Path | None, checkpoint: Path | None) -> list[str]:
        """The command line of one side: the spec's command, --out (unless None: the caller
        adds it), --checkpoint, settings."""
        s = self.spec.sides[side]
        fill = {"python": sys.executable, "r_reference": str(R_REFERENCE),
                "spec_dir": str(self.spec.path.resolve().parent)}
        assert set(fill) == set(PLACEHOLDERS)  # load_spec checked every placeholder
        cmd = [arg.format(**fill) for arg in s.command]
        exe = shutil.which(cmd[0])
        if exe is None:
            raise SpecError(f"{self.spec.path} [sides.{side}]: {cmd[0]!r} not found"
                            + (" (install R with ./setup.sh)" if cmd[0] == "Rscript" else ""))
        cmd[0] = exe
        if s.capture:
            return self._captured_command(cmd, out)
        if out is not None:
            cmd += ["--out", str(out)]
        if s.checkpoint and checkpoint is not None:
            cmd += ["--checkpoint", str(checkpoint)]
        return cmd + as_options(self.settings)

    def _captured_command(self, cmd: list[str], out: Path | None) -> list[str]:
        """A captured side: ``python -m parity.capture --out DIR --settings JSON -- <command>``
        (a Python script runs in that Python, so the driver is the command's own interpreter;
        Rscript is exec'd by the audit's). The script gets the computation settings as
        ``--name value``; the execution settings reach it as environment variables
        (:data:`CAPTURE_EXECUTION`), set with ``env`` so the recorded argv shows them."""
        python = Path(cmd[0]).name.startswith("python")
        driver, script = (cmd[:1], cmd[1:]) if python else ([sys.executable], cmd)
        env = [f"{var}={self.settings[name]}" for name, variables in CAPTURE_EXECUTION.items()
               if name in self.settings for var in variables]
        prefix = [shutil.which("env") or "/usr/bin/env", *env] if env else []
        outs = ["--out", str(out)] if out is not None else []
        return [*prefix, *driver, "-m", "parity.capture", *outs,
                "--settings", json.dumps(self.settings, sort_keys=True), "--", *script,
                *as_options(self.computation_settings())]

    def to_json(self) -> dict[str, Any]:
        return {"spec": self.spec.name, "spec_path": str(self.spec.path), "profile": self.profile,
                "settings": self.settings, "parallel": self.parallel,
                "keras_defaults": self.keras_defaults, "require": self.require, "seeds": self.seeds,
                "margin": self.margin}
