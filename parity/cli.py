"""``parity``: audit (R vs Python, check by check), doctor (what is installed), stats (caret
statistics for any predictions).

Exit status, for every command: 0 success (audit: every required check passed), 1 a check or a
comparison failed, 2 a usage or environment error.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

__all__ = ["main", "UsageError"]


class UsageError(Exception):
    """Bad arguments or an unusable environment: exit status 2."""


class Progress:
    """Per-side progress: epoch n/N, elapsed, ETA; one rewritten line on a TTY, plain lines
    otherwise, nothing with --quiet."""

    def __init__(self, *, quiet: bool, stream=None):
        import threading

        self.quiet = quiet
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.state: dict[str, tuple[int, int, str]] = {}  # side -> (epoch, epochs, line)
        self.lock = threading.Lock()  # the two sides report from their own threads

    def __call__(self, side: str, epoch: int, epochs: int, elapsed: float,
                 resumed_from: int = 0) -> None:
        if self.quiet:
            return
        ran = epoch - resumed_from  # epochs this process trained: the rate for the ETA
        eta = elapsed / ran * (epochs - epoch) if ran > 0 else float("nan")
        text = f"[{side}] epoch {epoch}/{epochs}  elapsed {elapsed:6.1f}s  ETA {eta:6.1f}s"
        if resumed_from:
            text += f"  (resumed at {resumed_from})"
        with self.lock:
            if self.tty:  # one line, both sides, rewritten in place
                self.state[side] = (epoch, epochs, text)
                done = all(e == n for e, n, _ in self.state.values())
                self.stream.write("\r" + " | ".join(t for _, _, t in self.state.values()).ljust(100)
                                  + ("\n" if done else ""))
            else:
                self.stream.write(text + "\n")
            self.stream.flush()

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.stream, flush=True)


# --------------------------------------------------------------------------- audit


def _cmd_audit(args) -> int:
    from parity import audit, config, report, rrun, workdir
    from parity.contract import ContractError

    # Every input is checked before anything runs: spec, profile, settings, --out, --r-run.
    try:
        spec = config.load_spec(args.spec)
        cfg = config.AuditConfig.resolve(spec, profile=args.profile, epochs=args.epochs,
                                         seed=args.seed, keras_defaults=args.keras_defaults)
        reused = audit.check_reused_r_run(args.r_run, cfg) if args.r_run is not None else None
    except (config.SpecError, ContractError) as exc:
        raise UsageError(str(exc)) from None
    if args.resume and args.out is None:
        raise UsageError("--resume needs --out: the report directory the interrupted audit "
                         "was writing")
    out = args.out or Path("reports") / time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    if args.out is None:
        if Path("reports").exists() and not Path("reports").is_dir():
            raise UsageError("./reports exists and is not a directory: give --out DIR")
        Path("reports").mkdir(exist_ok=True)
    if spec.path == config.BUILTIN_SPEC:
        from parity import doctor

        problems = doctor.blocking_problems()
        if problems:
            raise UsageError("the audit cannot run:\n  " + "\n  ".join(problems)
                             + "\n(run `parity doctor` for details)")
    progress = Progress(quiet=args.quiet)
    try:
        work = workdir.ResumableDir(out, cfg.identity(), resume=args.resume)
        for side in ("r", "python"):  # the commands resolve (Rscript found...) before any run
            cfg.side_command(side, Path("out"), None)
    except (workdir.WorkDirError, config.SpecError) as exc:
        raise UsageError(str(exc)) from None
    try:
        with work as work_path, _sigterm_as_interrupt():
            progress.say(f"parity audit: spec {spec.name}, profile {cfg.profile}, settings "
                         f"{cfg.settings}, "
                         f"{'sides in parallel' if cfg.parallel else 'one side at a time'}"
                         f"{', resuming ' + str(work.path) if work.resumed else ''} -> {out}")
            if args.resume and not work.resumed:
                progress.say(f"(nothing to resume at {work.path}: a new audit starts)")
            result = audit.run_audit(cfg, work_path, progress=progress,
                                     reuse_r_run=reused.path if reused else None)
            report.write_reports(result, work_path, first64=work_path / "first64.png")
    except workdir.WorkDirError as exc:
        raise UsageError(str(exc)) from None
    except KeyboardInterrupt:
        if not work.path.is_dir():
            raise
        print(f"\nparity audit: interrupted; the finished work is kept in {work.path}\n"
              f"continue with: {_resume_command(args, out)}", file=sys.stderr)
        return 2
    except (OSError, rrun.RRunError) as exc:
        kept = f"; the finished work is kept in {work.path}" if work.path.is_dir() else ""
        raise UsageError(f"{exc}{kept}"
                         + (f"\ncontinue with: {_resume_command(args, out)}" if kept else "")) from None
    s = result.summary()
    if not args.quiet:
        for c in result.checks:
            if c.status != "pass":
                print(f"  {c.status.upper():8} {c.name}: {c.reason or c.rule}")
    print(f"{s['outcome'].upper()}: {s['pass']} passed, {s['fail']} failed, {s['not_run']} not run, "
          f"{s['info']} informational; reports in {out}")
    return 0 if result.passed else 1


def _resume_command(args, out: Path) -> str:
    """The command that continues this audit."""
    argv = ["parity", "audit", "--out", str(out)]
    for flag, value in (("--spec", args.spec), ("--profile", args.profile), ("--epochs", args.epochs),
                        ("--seed", args.seed), ("--r-run", args.r_run)):
        if value is not None:
            argv += [flag, str(value)]
    return " ".join(argv + (["--keras-defaults"] if args.keras_defaults else []) + ["--resume"])


class _sigterm_as_interrupt:
    """SIGTERM (a scheduler stopping the job) ends the audit as Ctrl-C does: the sides are
    stopped and their checkpoints kept for --resume."""

    def __enter__(self):
        import signal

        def interrupt(signum, frame):
            raise KeyboardInterrupt

        self.previous = signal.signal(signal.SIGTERM, interrupt)

    def __exit__(self, *exc):
        import signal

        signal.signal(signal.SIGTERM, self.previous)
        return False


# --------------------------------------------------------------------------- doctor


def _cmd_doctor(args) -> int:
    from parity import doctor

    rows = doctor.diagnose()
    width = max(len(r.component) for r in rows)
    for r in rows:
        mark = "ok " if r.ok else "MISSING"
        print(f"{mark:7} {r.component.ljust(width)}  {r.version}")
        if not r.ok and r.fix:
            print(f"{'':7} {'':{width}}  fix: {r.fix}")
    blocking = [r for r in rows if not r.ok and r.required]
    print("the audit can run" if not blocking else
          f"the audit cannot run: {', '.join(r.component for r in blocking)} missing")
    return 1 if blocking else 0


# --------------------------------------------------------------------------- stats


def _cmd_stats(args) -> int:
    import warnings

    from parity import labels_io
    from python_impl.caret.confusion import confusion_matrix

    try:
        pred = labels_io.read_labels(args.pred, column=args.pred_column)
        ref = labels_io.read_labels(args.ref, column=args.ref_column)
        prevalence = labels_io.parse_prevalence(args.prevalence)
    except labels_io.LabelFileError as exc:
        raise UsageError(str(exc)) from None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cm = confusion_matrix(*labels_io.factor_pairs(pred, ref), positive=args.positive,
                                  prevalence=prevalence, mode=args.mode)
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    print(cm)
    if not args.r:
        return 0
    from parity import rbridge
    from parity.compare import caret_values_of_r, compare_caret
    from parity.contract import caret_values_of_port

    try:
        r = rbridge.caret_from_labels(pred, ref, positive=args.positive, prevalence=prevalence,
                                      mode=args.mode)
    except rbridge.RUnavailable as exc:
        raise UsageError(str(exc)) from None
    print("\nComparison with R caret (in-process through rpy2):")
    rows = compare_caret(caret_values_of_r(r), caret_values_of_port(cm))
    for row in rows:
        shown = f"R {row.r!r:24} Python {row.python!r}" if row.name.startswith("overall.") else ""
        print(f"  {'ok  ' if row.ok else 'FAIL'} {row.name:42} {shown}".rstrip())
    failures = sum(not row.ok for row in rows)
    print(f"{len(rows) - failures}/{len(rows)} agree")
    return 1 if failures else 0


# --------------------------------------------------------------------------- main


def _parser() -> argparse.ArgumentParser:
    from python_impl.caret.confusion import MODES

    p = argparse.ArgumentParser(prog="parity", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    a = sub.add_parser("audit", help="run R and Python side by side and compare them")
    a.add_argument("--spec", type=Path, help="the audit's spec (TOML): the two sides' commands, "
                   "settings, profiles, checks (default: the built-in tutorial spec)")
    a.add_argument("--profile", help="a profile of the spec; the tutorial's: smoke (2,000/500 "
                   "images, 1 epoch), default (full data, 3 epochs), tutorial (full data, 200 "
                   "epochs, the tutorial's settings)")
    a.add_argument("--epochs", type=int, help="override the profile's epochs")
    a.add_argument("--seed", type=int, help="random seed for both sides (default 42)")
    a.add_argument("--out", type=Path, help="report directory (default ./reports/<UTC time>/)")
    a.add_argument("--keras-defaults", action="store_true",
                   help="leave out the spec's execution settings and run one side after the "
                        "other (the tutorial's: steps_per_execution=256, 1 TF thread per side, "
                        "both sides at once; see BENCHMARKS.md)")
    a.add_argument("--r-run", type=Path, help="reuse an existing R run directory instead of "
                   "running R (it must have been made with the same settings; checked first)")
    a.add_argument("--resume", action="store_true",
                   help="continue the interrupted audit of --out from each side's last finished "
                        "epoch (the result is bit-identical to an uninterrupted audit)")
    a.add_argument("--quiet", action="store_true", help="no progress, only the outcome line")
    a.set_defaults(func=_cmd_audit)

    d = sub.add_parser("doctor", help="list every component with its version, and fixes")
    d.set_defaults(func=_cmd_doctor)

    s = sub.add_parser("stats", help="caret's confusionMatrix for two label files")
    s.add_argument("--pred", type=Path, required=True, help="predicted labels: .csv, .txt, .npy")
    s.add_argument("--ref", type=Path, required=True, help="reference labels: .csv, .txt, .npy")
    s.add_argument("--pred-column", help="CSV column of --pred (default: the first)")
    s.add_argument("--ref-column", help="CSV column of --ref (default: the first)")
    s.add_argument("--positive", help="positive class (two classes)")
    s.add_argument("--prevalence", help="a probability (two classes) or LABEL=P,LABEL=P,...")
    s.add_argument("--mode", choices=list(MODES), default="sens_spec")
    s.add_argument("--r", action="store_true", help="also run caret in R and compare")
    s.set_defaults(func=_cmd_stats)
    from parity.grading import add_compare_parser

    add_compare_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"parity {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"parity {args.command}: interrupted; no report was written", file=sys.stderr)
        return 2
