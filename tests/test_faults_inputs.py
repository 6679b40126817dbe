"""Fault injection for ``parity stats`` inputs and its output stream, each with a real
``parity`` process and real files or pipes: a directory given as a label file, an id column
read as labels, a CSV without a header line, a label given twice in ``--prevalence``, and a
reader that closes the pipe early. Usage errors exit 2 with a message naming the value and the
fix, never a traceback.
"""

from __future__ import annotations

import subprocess
import sys

from test_faults import ENV, no_traceback

from parity.paths import PROJECT_ROOT


def stats(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "parity", "stats", *map(str, args)],
                          capture_output=True, text=True, env=ENV, cwd=PROJECT_ROOT, timeout=300, **kw)


def write_column(path, header, values) -> None:
    path.write_text("".join(f"{line}\n" for line in ([header] if header is not None else []) + values))


def test_a_directory_is_named_as_a_directory(tmp_path):
    ref = tmp_path / "ref.csv"
    write_column(ref, "y", ["a", "b"])
    for args in (["--pred", tmp_path, "--ref", ref], ["--table", tmp_path]):
        proc = stats(*args)
        assert proc.returncode == 2 and no_traceback(proc), proc.stderr
        assert f"{tmp_path}: is a directory" in proc.stderr and "no such file" not in proc.stderr


def test_an_id_column_is_refused_before_its_table_is_allocated(tmp_path):
    """100,000 distinct labels would be a 10^10-cell table (75 GiB): refused, with the count
    and the fix, under a 2 GB address-space limit that the allocation could not pass."""
    pred, ref = tmp_path / "pred.csv", tmp_path / "ref.csv"
    write_column(pred, "id", [str(i) for i in range(100_000)])
    write_column(ref, "id", [str((7 * i) % 100_000) for i in range(100_000)])

    def limit():
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    proc = stats("--pred", pred, "--ref", ref, preexec_fn=limit)
    assert proc.returncode == 2 and no_traceback(proc), proc.stderr[-2000:]
    assert "MemoryError" not in proc.stderr
    assert f"--pred {pred}: 100,000 distinct labels" in proc.stderr
    assert "--pred-column" in proc.stderr and "at most 3,000 levels" in proc.stderr


def test_a_header_that_is_one_of_the_labels_is_reported(tmp_path):
    """A CSV written without a header line: read.csv takes the first label as the header. The
    counts stay R's (the label is not counted), and a warning says what happened."""
    pred, ref = tmp_path / "pred.csv", tmp_path / "ref.csv"
    write_column(pred, None, ["cat", "dog", "cat", "dog", "cat"])
    write_column(ref, None, ["cat", "dog", "dog", "dog", "cat"])
    proc = stats("--pred", pred, "--ref", ref)
    assert proc.returncode == 0, proc.stderr
    assert f"{pred}: the header 'cat' of column 1 is also one of its labels" in proc.stderr
    assert f"{ref}: the header 'cat'" in proc.stderr
    assert "add a header line" in proc.stderr
    # with a header line nothing is said
    write_column(pred, "label", ["cat", "dog"])
    write_column(ref, "label", ["cat", "dog"])
    quiet = stats("--pred", pred, "--ref", ref)
    assert quiet.returncode == 0 and "warning" not in quiet.stderr, quiet.stderr


def test_a_label_given_twice_in_prevalence_is_named(tmp_path):
    ref = tmp_path / "ref.csv"
    write_column(ref, "y", ["a", "b", "a"])
    proc = stats("--pred", ref, "--ref", ref, "--prevalence", "a=0.2,a=0.8")
    assert proc.returncode == 2 and no_traceback(proc), proc.stderr
    assert "label 'a' is given twice (0.2 and 0.8)" in proc.stderr


def test_a_closed_pipe_ends_quietly(tmp_path):
    """``parity stats --json | <a reader that exits at once>``: no BrokenPipeError traceback;
    the status is a Unix tool's killed by SIGPIPE (141 in the shell)."""
    pred = tmp_path / "pred.csv"
    write_column(pred, "y", [str(i % 40) for i in range(400)])  # a large JSON (40 levels)
    cmd = f"set -o pipefail; {sys.executable} -m parity stats --pred {pred} --ref {pred} --json | true"
    proc = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, env=ENV,
                          cwd=PROJECT_ROOT, timeout=300)
    assert proc.stderr == "" and proc.returncode == 141, (proc.returncode, proc.stderr[-2000:])
