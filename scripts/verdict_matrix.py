"""The tox matrix as a matrix of graded verdicts (parity.checks.grading), not only a pass per env.

    python scripts/verdict_matrix.py run DIR      # this env's Python side, smoke size, into DIR
    python scripts/verdict_matrix.py compare DIR  # every pair of runs under DIR, graded

Each test env of tox.ini writes one Python run (`run`, the smoke settings with seed 42) into
``.tox/runs/<env>``; the ``verdicts`` env then grades every pair (`compare`) and prints a
Markdown matrix of the worst group grade per pair (bit-identical < numeric < equivalent <
different), also written to ``DIR/verdicts.md``. Which Python, NumPy or Keras generation moves
the numbers, and how far, is then one table.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
from pathlib import Path

from parity.config import AuditConfig, as_options, load_spec

#: the built-in spec's smoke profile, as the Python side's options (no normalized images: not graded)
SMOKE = as_options({k: v for k, v in AuditConfig.resolve(load_spec(), profile="smoke").settings.items()
                    if k != "save_normalized"})


def run(out: Path) -> int:
    shutil.rmtree(out, ignore_errors=True)  # this env's previous run: replaced, not compared
    out.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.run([sys.executable, "-m", "python_impl", "--out", str(out), *SMOKE]).returncode


def compare(root: Path) -> int:
    from parity.checks.grading import grade_runs
    from parity.contract import ContractError, read_run
    from parity.rules.grades import GRADES

    records = {}
    for d in sorted(p for p in root.iterdir() if (p / "run.json").exists()):
        try:
            records[d.name] = read_run(d)
        except ContractError as exc:
            print(f"{d.name}: skipped ({exc})", file=sys.stderr)
    if len(records) < 2:
        print(f"{root}: {len(records)} run(s); run the test envs first (tox -p)", file=sys.stderr)
        return 2
    names = list(records)
    cell: dict[tuple[str, str], str] = {}
    for a, b in itertools.combinations(names, 2):
        verdict = grade_runs(records[a], records[b])
        worst = max((g.grade for g in verdict.groups.values()),
                    key=lambda g: GRADES.index(g) if g in GRADES else len(GRADES))
        cell[a, b] = cell[b, a] = worst
    versions = {n: f"Python {r.versions.get('python')}, NumPy {r.versions.get('numpy')}, "
                   f"{r.versions.get('keras_package')} {r.versions.get('keras')}"
                for n, r in records.items()}
    lines = ["| env | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for a in names:
        lines.append(f"| {a} | " + " | ".join("-" if a == b else cell[a, b] for b in names) + " |")
    lines += ["", *[f"- {n}: {v}" for n, v in versions.items()]]
    text = "\n".join(lines) + "\n"
    (root / "verdicts.md").write_text(text)
    print(text)
    return 0


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("run", "compare"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    return run(Path(argv[1])) if argv[0] == "run" else compare(Path(argv[1]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
