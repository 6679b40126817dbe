"""Benchmark: what the capture layer costs a side (issue 24: <= 3% of a side's wall time).

    .venv/bin/python benchmarks/bench_capture.py [--repeat 3] [--profile smoke] [pair ...]

For each pair of examples/ with scripts as written (``as_written.R``, ``as_written.py``), in one
run, one process at a time: each script run plainly (``Rscript as_written.R --epochs N``,
``python as_written.py --epochs N``) and captured (``python -m parity.capture --out DIR
--settings JSON -- <the same command>``), alternating, ``--repeat`` times each, with the
settings of the pair's ``captured.toml`` profile and one TensorFlow thread (the audit's). The
wall time of a side is its process's, start to exit (R's and TensorFlow's start-up included, as
a user waits for it); the overhead is (captured - plain) / plain of the fastest runs (the least
disturbed). Prints Markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import cpu_line

from parity.config import AuditConfig, as_options, load_spec
from parity.orchestration import sides
from parity.paths import CHECKOUT

EXAMPLES = CHECKOUT / "examples"


def _timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"bench_capture: {' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}"
                 f"{proc.stderr[-2000:]}")
    return seconds


def bench_pair(pair: Path, profile: str, repeat: int) -> list[tuple[str, str, float, float]]:
    cfg = AuditConfig.resolve(load_spec(pair / "captured.toml"), profile=profile)
    settings = cfg.settings
    env = {**sides.side_env(), "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}
    options = as_options(cfg.computation_settings())
    rows = []
    for side, command in (("R", ["Rscript", str(pair / "as_written.R")]),
                          ("Python", [sys.executable, str(pair / "as_written.py")])):
        plain, captured = [], []
        for _ in range(repeat):
            plain.append(_timed(command + options, env))
            out = Path(tempfile.mkdtemp(prefix="bench-capture-")) / "run"
            script = command if side == "R" else command[1:]
            captured.append(_timed([sys.executable, "-m", "parity.capture", "--out", str(out),
                                    "--settings", json.dumps(settings), "--", *script, *options], env))
            shutil.rmtree(out.parent)
        rows.append((pair.name, side, min(plain), min(captured)))
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--profile", default="smoke")
    p.add_argument("pairs", nargs="*", help="example folders (default: every pair with as_written scripts)")
    args = p.parse_args(argv)
    pairs = ([EXAMPLES / name for name in args.pairs] if args.pairs else
             sorted(d for d in EXAMPLES.iterdir() if (d / "as_written.py").is_file()))
    print(f"Machine: {cpu_line()}; profile {args.profile}, fastest of {args.repeat} runs each, "
          f"one process at a time\n")
    print("| pair | side | plain (s) | captured (s) | overhead |")
    print("|---|---|---|---|---|")
    worst = 0.0
    for pair in pairs:
        for name, side, plain, captured in bench_pair(pair, args.profile, args.repeat):
            overhead = (captured - plain) / plain
            worst = max(worst, overhead)
            print(f"| {name} | {side} | {plain:.2f} | {captured:.2f} | {overhead:+.1%} |", flush=True)
    print(f"\nLargest overhead: {worst:+.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
