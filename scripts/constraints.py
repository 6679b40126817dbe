"""Install with constraints.txt, or with one of its variants, then run pip.

    python scripts/constraints.py numpy2 [pip install options and packages]

The variant's pins live in constraints.txt itself, as '# numpy2: name==version' after the line
they replace, so every pin stays in one file. tox's numpy2 env uses this as its
install_command.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

CONSTRAINTS = Path(__file__).resolve().parent.parent / "constraints.txt"


def variant_lines(variant: str) -> list[str]:
    tag = f"# {variant}:"
    out = []
    for line in CONSTRAINTS.read_text().splitlines():
        if tag in line and not line.lstrip().startswith("#"):
            out.append(line.split(tag, 1)[1].strip())
        else:
            out.append(line)
    return out


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    variant, pip_args = argv[0], argv[1:]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(variant_lines(variant)) + "\n")
    cmd = [sys.executable, "-m", "pip", "install", "-c", f.name, *pip_args]
    return subprocess.call(cmd, env={k: v for k, v in __import__("os").environ.items()
                                     if k != "PIP_CONSTRAINT"})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
