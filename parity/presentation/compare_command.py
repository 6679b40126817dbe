"""``parity compare``: the graded verdict of two run directories (either side, any machine or
version), and with ``--seeds K`` each side run K times on Dask and TOST across seeds.

Presentation only: the grading is :mod:`parity.checks.grading`, the seeds'
runs :mod:`parity.orchestration.seeds`.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from dataclasses import asdict
from pathlib import Path

from parity.checks.grading import Equivalence, Verdict, grade_runs, seed_equivalence
from parity.config import AuditConfig, as_options, load_spec
from parity.contract import ContractError, read_run
from parity.errors import UsageError
from parity.orchestration.seeds import SeedTask, read_seed_runs, run_seeds
from parity.rules.compare import json_safe
from parity.rules.grades import DEFAULT_MARGIN, REQUIRE

__all__ = ["add_compare_parser", "run_compare", "format_verdict"]


def format_verdict(v: Verdict, *, require: str) -> str:
    """The human-readable verdict ``parity compare`` prints."""
    lines = []
    for label, rec in (("A", v.a), ("B", v.b)):
        ver = rec.versions
        lines.append(f"{label}: {rec.path} ({rec.side}; keras {ver.get('keras', '?')} "
                     f"[{ver.get('keras_package', ver.get('keras_implementation', '?'))}], "
                     f"tensorflow {ver.get('tensorflow', '?')})")
    for what, d in (("settings", v.settings_differences()), ("versions", v.versions_differences())):
        if d:
            lines.append(f"{what} differ: " + ", ".join(f"{k} {x!r} vs {y!r}" for k, (x, y) in d.items()))
    for name, g in v.groups.items():
        ok = "ok  " if g.meets(require) else "FAIL"
        lines.append(f"{ok} {name:12} {g.grade:14} {g.reason}")
        if name == "predictions" and g.details.get("worst_rows") and g.grade != "bit-identical":
            rows = ", ".join(f"row {w['row']} {w['max_abs_diff']:.3g} (class {w['class_a']}/{w['class_b']}, "
                             f"label {w['label']})" for w in g.details["worst_rows"][:3])
            lines.append(f"{'':22}worst rows: {rows}")
    p = v.paired
    if p is not None:
        lines.append(
            f"paired tests ({p.n} test rows): classes agree {p.agreement}/{p.n}; "
            f"only A right {p.only_a_right}, "
            f"only B right {p.only_b_right}; McNemar ({p.mcnemar_method}) p = {p.mcnemar_p:.4g}; "
            f"accuracy {p.accuracy_a:.4f} vs {p.accuracy_b:.4f}, diff {p.accuracy_diff:+.4f} "
            f"{1 - p.alpha:.0%} CI [{p.accuracy_ci[0]:+.4f}, {p.accuracy_ci[1]:+.4f}] (margin "
            f"+-{p.margin:g}); Kappa {p.kappa_a:.4f} vs {p.kappa_b:.4f}, diff {p.kappa_diff:+.4f} CI "
            f"[{p.kappa_ci[0]:+.4f}, {p.kappa_ci[1]:+.4f}] (margin +-{p.kappa_margin:.4f}); "
            f"CIs: {p.ci_method}")
    elif v.paired_error:
        lines.append(f"paired tests: not run ({v.paired_error})")
    met = v.meets(require)
    lines.append(f"{'PASS' if met else 'FAIL'}: overall grade {v.grade}; required {require} "
                 f"(at worst {REQUIRE[require]}) - "
                 + ", ".join(f"{n} {g.grade}" for n, g in v.groups.items()))
    return "\n".join(lines)


def add_compare_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``compare`` to ``parity``'s subcommands (``subparsers`` from ``add_subparsers``)."""
    c = subparsers.add_parser(
        "compare", allow_abbrev=False,
        help="graded verdict for two run directories (bit-identical < numeric < "
                        "equivalent < different), per group",
        description="Compare two run directories (either side, any machine or version) group by "
                    "group and grade them: bit-identical, numeric (within tolerance), equivalent "
                    "(paired tests on the test set), different. Exit 0 when every group meets "
                    "--require, 1 when not, 2 on a bad directory.")
    c.add_argument("run_a", type=Path, metavar="RUN_A", help="a run directory (parity-run contract)")
    c.add_argument("run_b", type=Path, metavar="RUN_B", help="another run directory")
    c.add_argument("--require", choices=list(REQUIRE), default="exact",
                   help="the worst grade that passes: exact (bit-identical, default), numeric, "
                        "equivalent")
    c.add_argument("--json", type=Path, metavar="FILE", help="also write the verdict as JSON")
    c.add_argument("--margin", type=float, default=DEFAULT_MARGIN,
                   help="equivalence margin of the accuracy difference in every graded group (Kappa's "
                        f"derives from it), and of TOST with --seeds (default {DEFAULT_MARGIN})")
    c.add_argument("--alpha", type=float, default=Equivalence.alpha,
                   help=f"significance level (default {Equivalence.alpha})")
    _add_seeds_options(c)
    c.set_defaults(func=run_compare)
    return c


def run_compare(args) -> int:
    """``parity compare``: 0 when every group meets ``--require``, 1 when not; a bad directory
    or option raises :class:`parity.errors.UsageError` (exit 2)."""
    if getattr(args, "seeds", None) is not None:
        return _run_seeds_command(args)
    try:
        rule = Equivalence(margin=args.margin, alpha=args.alpha)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    records = []
    for label, path in (("RUN_A", args.run_a), ("RUN_B", args.run_b)):
        if not path.is_dir():
            raise UsageError(f"{label} {path}: not a directory (expected a run directory with run.json)")
        try:
            records.append(read_run(path))
        except ContractError as exc:
            raise UsageError(f"{label} {path}: not a usable run directory: {exc}") from None
    verdict = grade_runs(*records, equivalence=rule)
    print(format_verdict(verdict, require=args.require))
    if args.json is not None:
        try:
            args.json.write_text(json.dumps(verdict.to_dict(require=args.require), indent=2,
                                            allow_nan=False) + "\n", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--json {args.json}: cannot write ({exc.strerror or exc})") from None
    return 0 if verdict.meets(args.require) else 1


#: the Python side, as ``python -m python_impl`` with this interpreter
DEFAULT_SIDE_COMMAND = f"{shlex.quote(sys.executable)} -m python_impl"




def _smoke_options() -> str:
    """The built-in spec's smoke profile (with its execution settings; without the seed, which
    each run gets, and the normalized images, which TOST does not use) as command-line options:
    the default ``--run-options``, read from the spec, never copied."""
    settings = AuditConfig.resolve(load_spec(), profile="smoke").settings
    return shlex.join(as_options({k: v for k, v in settings.items()
                                  if k not in ("seed", "save_normalized")}))


def _add_seeds_options(parser) -> None:
    """``--seeds K`` and its options, on the ``compare`` parser."""
    g = parser.add_argument_group(
        "multi-seed (--seeds K)", "RUN_A and RUN_B become directories of per-seed runs "
        "(seed-<S>/, created as needed); each side runs once per seed on Dask distributed, "
        "tasks whose run directory exists are skipped (resumable); then TOST per metric")
    g.add_argument("--seeds", type=int, metavar="K", help="run and compare K seeds per side")
    g.add_argument("--first-seed", type=int, default=42, help="seeds are FIRST..FIRST+K-1 (default 42)")
    g.add_argument("--side-a", default=DEFAULT_SIDE_COMMAND,
                   help="side A's command; it gets --out DIR --seed S and --run-options "
                        "(default: this Python's `-m python_impl`)")
    g.add_argument("--side-b", default=DEFAULT_SIDE_COMMAND, help="side B's command (same default)")
    smoke = _smoke_options()
    g.add_argument("--run-options", default=smoke,
                   help=f"options for both sides (default: the smoke profile, {smoke!r})")
    g.add_argument("--env-b", action="append", default=[], metavar="NAME=VALUE",
                   help="environment variable for side B only (repeatable), e.g. TF_USE_LEGACY_KERAS=1")
    g.add_argument("--scheduler", help="address of an existing Dask scheduler (default: a LocalCluster); "
                   "Dask returns the workers' results pickled: use only a trusted cluster")
    g.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")


def _run_seeds_command(args) -> int:
    """``parity compare RUN_A RUN_B --seeds K``: 0 when every metric is TOST-equivalent, 1 when
    not; a bad option or a failed run raises :class:`parity.errors.UsageError` (exit 2)."""
    if args.seeds < 2:
        raise UsageError(f"--seeds {args.seeds}: expected at least 2 (TOST needs a spread)")
    if not 0 < args.margin < 1:
        raise UsageError(f"--margin {args.margin}: expected a number in (0, 1)")
    env_b = {}
    for item in args.env_b:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--env-b {item!r}: expected NAME=VALUE")
        env_b[name] = value
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    options = shlex.split(args.run_options)
    cwd = str(Path(__file__).resolve().parents[1])
    tasks = []
    for label, d, cmd, env in (("A", args.run_a, args.side_a, {}),
                               ("B", args.run_b, args.side_b, env_b)):
        d.mkdir(parents=True, exist_ok=True)
        for s in seeds:  # interleaved below: both sides progress together
            tasks.append(SeedTask(label, s, (*shlex.split(cmd), *options),
                                  str(d.resolve() / f"seed-{s}"), cwd, tuple(sorted(env.items()))))
    tasks.sort(key=lambda t: (t.seed, t.label))
    print(f"parity compare --seeds: {len(tasks)} runs ({args.seeds} seeds x 2 sides) on "
          f"{args.scheduler or f'a LocalCluster of {args.workers} workers'}", flush=True)
    try:
        results = run_seeds(tasks, scheduler=args.scheduler, workers=args.workers)
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"--scheduler {args.scheduler}: cannot connect ({exc})") from None
    failed = [r for r in results if r["status"] == "failed"]
    if failed:
        raise UsageError("runs failed: " + "; ".join(
            f"side {r['label']} seed {r['seed']} (exit {r['returncode']}: {r.get('cause', '')}; "
            f"log {r['log']})" for r in failed))
    try:
        res = seed_equivalence(read_seed_runs(args.run_a, seeds), read_seed_runs(args.run_b, seeds),
                               margin=args.margin, alpha=args.alpha)
    except ContractError as exc:
        raise UsageError(str(exc)) from None
    print(f"TOST across {len(seeds)} seeds (paired by seed, A - B, margin +-{args.margin:g}, "
          f"alpha {args.alpha:g} each side):")
    for m, v in res["metrics"].items():
        t = v["tost"]
        print(f"  {'ok  ' if t['equivalent'] else 'FAIL'} {m:22} A {v['a_mean']:.4f} (sd {v['a_sd']:.4f})  "
              f"B {v['b_mean']:.4f} (sd {v['b_sd']:.4f})  diff {t['mean']:+.4f} "
              f"{1 - 2 * args.alpha:.0%} CI [{t['ci'][0]:+.4f}, {t['ci'][1]:+.4f}] p = {t['p']:.3g}")
    print(f"{'PASS' if res['equivalent'] else 'FAIL'}: "
          f"{sum(v['tost']['equivalent'] for v in res['metrics'].values())}/{len(res['metrics'])} "
          "metrics equivalent across seeds")
    if args.json is not None:
        doc = {"seeds": res, "runs": [asdict(t) for t in tasks], "results": results}
        args.json.write_text(json.dumps(json_safe(doc), indent=2, allow_nan=False) + "\n")
    return 0 if res["equivalent"] else 1
