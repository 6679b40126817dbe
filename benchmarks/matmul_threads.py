"""Which of the model's TensorFlow ops round differently with 1 and with 2 intra-op threads.

    .venv/bin/python benchmarks/matmul_threads.py

Explains a difference bench_training.py can show: the audit's tuned runs (one intra-op thread
per side) against the tutorial's script at TF's defaults (one thread per core). Each op runs on fixed
random inputs of the model's shapes (batch 32, 784 -> 128) in a fresh process per thread count
(TensorFlow reads the setting once), with op determinism on; the outputs are compared bit for
bit. Prints Markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

from machine import cpu_line

PROBE = r"""
import hashlib, json, numpy as np, tensorflow as tf
tf.config.experimental.enable_op_determinism()
rng = np.random.default_rng(0)
x = tf.constant(rng.random((32, 784), dtype=np.float32))
w = tf.constant(rng.standard_normal((784, 128), dtype=np.float32))
dy = tf.constant(rng.standard_normal((32, 128), dtype=np.float32))
ops = {
    "forward x @ W (32x784 @ 784x128)": tf.matmul(x, w),
    "weight gradient x^T @ dy (784x32 @ 32x128)": tf.matmul(x, dy, transpose_a=True),
    "input gradient dy @ W^T (32x128 @ 128x784)": tf.matmul(dy, w, transpose_b=True),
    "bias gradient: sum over the batch": tf.reduce_sum(dy, axis=0),
}
print(json.dumps({k: hashlib.sha256(np.asarray(v).tobytes()).hexdigest() for k, v in ops.items()}))
"""


def digests(intra: int) -> dict[str, str]:
    env = dict(os.environ, TF_NUM_INTRAOP_THREADS=str(intra), TF_NUM_INTEROP_THREADS="1",
               TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    one, two = digests(1), digests(2)
    print(f"CPU: {cpu_line()}")
    print()
    print("| op | 1 vs 2 intra-op threads |")
    print("|---|---|")
    for op in one:
        print(f"| {op} | {'identical' if one[op] == two[op] else '**differs**'} |")
    print(f"\n(digest of all: {hashlib.sha256(json.dumps(one).encode()).hexdigest()[:12]} vs "
          f"{hashlib.sha256(json.dumps(two).encode()).hexdigest()[:12]})")


if __name__ == "__main__":
    main()
