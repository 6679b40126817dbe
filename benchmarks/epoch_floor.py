"""Where one tuned training epoch goes, on this machine: TF's MatMul floor, then the tutorial's fit
with one part taken out at a time.

    .venv/bin/python benchmarks/epoch_floor.py [--epochs 4]

Explains how far the audit's tuned epoch (the tutorial spec's execution settings: its thread count and
steps_per_execution) is from the issue's 1.0 s aim. Each row runs in a fresh process at those
settings, alone on the machine, on the full data (60,000 images, batch 32, 1,875 steps). The
"lever" rows keep the computation and change how it runs; the "diagnostic" rows are not the
tutorial's: they change the model or the training to measure what that part costs.
Wall and CPU seconds are medians of epochs 2..N (epoch 1 traces the graph); CPU above wall is
work done on another thread (Keras' tf.data input pipeline). Prints Markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from machine import cpu_line

from parity.config import load_spec

TUNED = load_spec().execution_settings

ROOT = Path(__file__).resolve().parents[1]

#: The model's two large products, 1,875 times each in one graph loop: the kernel floor.
MATMUL_PROBE = r"""
import json, time, numpy as np, tensorflow as tf
rng = np.random.default_rng(0)
x = tf.constant(rng.random((32, 784), dtype=np.float32))
w = tf.constant(rng.standard_normal((784, 128), dtype=np.float32))
def step(i, acc):
    y = tf.matmul(x, w)                                   # forward, 32x784 @ 784x128
    return i + 1, acc + tf.matmul(x, y, transpose_a=True)  # weight gradient, 784x32 @ 32x128
@tf.function  # an explicit while_loop: AutoGraph cannot read source given with -c
def loop(n):
    return tf.while_loop(lambda i, _: i < n, step, (tf.constant(0), tf.zeros((784, 128))))[1]
loop(tf.constant(10))
walls, cpus = [], []
for _ in range(EPOCHS - 1):
    t, c = time.perf_counter(), time.process_time()
    loop(tf.constant(1875)).numpy()
    walls.append(time.perf_counter() - t); cpus.append(time.process_time() - c)
print(json.dumps({"wall": walls, "cpu": cpus}))
"""

#: The tutorial's fit at the tuned settings, with VARIANT taking one part out.
FIT_PROBE = r"""
import json, time, numpy as np
from python_impl import data, keras_env, model as M
keras_env.prepare()
import tensorflow as tf
keras = tf.keras
(x_train, y_train), _ = data.load_fashion_mnist()
x = data.normalize(x_train)
M.seed_everything(1)
net = M.build_model()
if VARIANT == "no dropout":
    net = keras.Sequential([layer for layer in net.layers
                            if not isinstance(layer, keras.layers.Dropout)])
net.compile(optimizer="sgd" if VARIANT == "sgd instead of adam" else "adam",
            loss="sparse_categorical_crossentropy",
            metrics=[] if VARIANT == "no accuracy metric" else ["accuracy"],
            steps_per_execution=STEPS_PER_EXECUTION, jit_compile=VARIANT == "jit_compile=True")
walls, cpus, losses = [], [], []
class Clock(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.t, self.c = time.perf_counter(), time.process_time()
    def on_epoch_end(self, epoch, logs=None):
        losses.append(float(logs["loss"]))
        if epoch:
            walls.append(time.perf_counter() - self.t); cpus.append(time.process_time() - self.c)
net.fit(x, y_train, epochs=EPOCHS, batch_size=32, verbose=0, callbacks=[Clock()])
print(json.dumps({"wall": walls, "cpu": cpus, "loss": losses, "jit": bool(net.jit_compile)}))
"""

ROWS = (
    ("TF MatMul floor: the two 32x784x128 products only", MATMUL_PROBE, None),
    ("the tutorial's fit, tuned (what each audit side runs)", FIT_PROBE, "tutorial"),
    ("  lever: jit_compile=True (XLA)", FIT_PROBE, "jit_compile=True"),
    ("  lever: TF_ENABLE_ONEDNN_OPTS=0", FIT_PROBE, "TF_ENABLE_ONEDNN_OPTS=0"),
    ("  diagnostic: no dropout", FIT_PROBE, "no dropout"),
    ("  diagnostic: sgd instead of adam", FIT_PROBE, "sgd instead of adam"),
    ("  diagnostic: no accuracy metric", FIT_PROBE, "no accuracy metric"),
)


def measure(probe: str, variant: str | None, epochs: int) -> dict[str, list[float]]:
    code = (probe.replace("EPOCHS", str(epochs)).replace("VARIANT", repr(variant))
            .replace("STEPS_PER_EXECUTION", str(TUNED["steps_per_execution"])))
    threads = str(TUNED["threads"])  # set before TF starts, as python_impl's --threads does
    env = dict(os.environ, TF_NUM_INTRAOP_THREADS=threads, TF_NUM_INTEROP_THREADS=threads,
               TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    if variant == "TF_ENABLE_ONEDNN_OPTS=0":
        env["TF_ENABLE_ONEDNN_OPTS"] = "0"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"{variant or 'matmul'} probe failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    ap.add_argument("--epochs", type=int, default=4, help="epochs per row, >= 2 (default 4)")
    args = ap.parse_args(argv)
    if args.epochs < 2:
        ap.error(f"--epochs={args.epochs}: expected at least 2 (epoch 1 is left out)")
    print(f"CPU: {cpu_line()}; TF threads {TUNED['threads']}, steps_per_execution "
          f"{TUNED['steps_per_execution']}; epochs 2..{args.epochs}\n")
    print("| what runs, per epoch of 1,875 steps | wall s (median) | CPU s (median) "
          "| result vs the tuned fit |")
    print("|---|---|---|---|")
    tuned_losses = None
    for label, probe, variant in ROWS:
        got = measure(probe, variant, args.epochs)
        if variant == "tutorial":
            tuned_losses, same = got["loss"], "-"
        elif "loss" in got:
            same = "identical losses" if got["loss"] == tuned_losses else "other losses"
            if variant == "jit_compile=True" and not got["jit"]:
                same += " (Keras turned XLA off: it refuses it under op determinism)"
        else:
            same = "-"
        wall, cpu = statistics.median(got["wall"]), statistics.median(got["cpu"])
        print(f"| {label} | {wall:.2f} | {cpu:.2f} | {same} |", flush=True)


if __name__ == "__main__":
    main()
