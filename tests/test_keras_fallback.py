"""keras-caret-parity's R keras (the installed R package `keras`, r_packages/keras) behaves like
the real R keras package (2.11-2.16), and parityrun::parity_keras_implementation() says which
one `library(keras)` loads and whether it can run; R is real (Rscript, reticulate).

Each fixture is one small Rscript run (300 training images, 1 epoch at most) whose results come
back as JSON; the tests assert on them. The real package cannot be installed here (CRAN is
unreachable): path choice is tested through keras_choose(), a pure function, and through fake
installed `keras` packages (a DESCRIPTION in a temporary library). r_reference/keras_fallback.R
and keras_select.R are the shims old scripts source; the tests go through them.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.r
R_DIR = Path(__file__).resolve().parent.parent / "r_reference"
FALLBACK = R_DIR / "keras_fallback.R"
SELECT = R_DIR / "keras_select.R"
TRAIN = 300

# The tutorial's model, with the tutorial's pipe (magrittr evaluates its outermost call first).
TUTORIAL_PIPE = """
model <- keras_model_sequential()
model %>%
  layer_flatten(input_shape = c(28, 28)) %>%
  layer_dense(units = 128, activation = 'relu') %>%
  layer_dropout(rate = 0.1)%>%
  layer_dense(units = 64, activation = 'relu') %>%
  layer_dropout(rate = 0.1)%>%
  layer_dense(units = 32, activation = 'relu') %>%
  layer_dropout(rate = 0.1)%>%
  layer_dropout(rate = 0.1)%>%
  layer_dense(units = 10, activation = 'softmax')
"""


def r_env(**extra) -> dict[str, str]:
    from parity.orchestration.sides import r_python
    from parity.paths import DEFAULT_KERAS_HOME

    env = dict(os.environ, TZ="UTC", RETICULATE_PYTHON=r_python(), TF_CPP_MIN_LOG_LEVEL="2")
    env.setdefault("KERAS_HOME", str(DEFAULT_KERAS_HOME))
    env.update(extra)
    return env


def run_r(rscript, tmp_path: Path, code: str, *, env=None, timeout=300):
    """Run `code` in Rscript; returns (process, the JSON it wrote to `out_json`, if any)."""
    out = tmp_path / "out.json"
    script = tmp_path / "snippet.R"
    script.write_text(f'options(warn = 1, width = 80)\nout_json <- "{out}"\n{code}\n')
    proc = subprocess.run([rscript, str(script)], capture_output=True, text=True,
                          env=env or r_env(), timeout=timeout, cwd=tmp_path)
    return proc, (json.loads(out.read_text()) if out.exists() else None)


def write_json(expr: str) -> str:
    return (f"jsonlite::write_json({expr}, out_json, auto_unbox = TRUE, digits = NA, "
            f"null = 'null', na = 'null', dataframe = 'columns')")


def r_python_tf_keras(env) -> str | None:
    """tf_keras.__version__ in the R side's Python, None when it is not importable there."""
    proc = subprocess.run([env["RETICULATE_PYTHON"], "-c",
                           "import tf_keras; print(tf_keras.__version__)"],
                          capture_output=True, text=True, env=env)
    return proc.stdout.strip() if proc.returncode == 0 else None


# ---- the fallback itself -----------------------------------------------------------------

@pytest.fixture(scope="module")
def fallback_run(rscript, tmp_path_factory):
    code = f"""
source("{FALLBACK}")
res <- list()
keras$backend$clear_session()
keras$utils$set_random_seed(42L)
{TUTORIAL_PIPE}
res$layer_names <- vapply(model$layers, function(l) l$name, "")
res$next_auto_name <- keras$layers$Dense(2L)$name

s <- withVisible(summary(model))
res$summary <- list(visible = s$visible, class = class(s$value), text = s$value,
                    printed = paste(capture.output(summary(model)), collapse = "\\n"),
                    format = format(model))
res$widths <- list()
for (w in c(60L, 100L)) {{
  options(width = w)
  res$widths[[as.character(w)]] <- max(nchar(strsplit(format(model), "\\n")[[1]]))
}}
options(width = 80)
p <- withVisible(print(model))
res$print <- list(visible = p$visible, returns_model = identical(p$value, model),
                  text = paste(capture.output(print(model)), collapse = "\\n"))

d <- dataset_fashion_mnist()
x <- d$train$x[seq_len({TRAIN}), , , drop = FALSE] / 255
y <- d$train$y[seq_len({TRAIN})]
model %>% compile(optimizer = 'adam', loss = 'sparse_categorical_crossentropy',
                  metrics = c('accuracy'))
h <- withVisible(model %>% fit(x, y, epochs = 1, verbose = 2))
res$fit <- list(visible = h$visible, class = class(h$value), params = h$value$params,
                metrics = lapply(h$value$metrics, I), df = as.data.frame(h$value),
                printed = capture.output(print(h$value)))
# a history with fewer values than epochs (fit(initial_epoch = 1)): NA-padded, as R keras
short <- keras:::keras_training_history(list(verbose = 2L, epochs = 3L, steps = 10L),
                                list(loss = list(0.5, 0.25), accuracy = list(0.75, 0.875)))
res$padded <- as.data.frame(short)

xt <- d$test$x[1:50, , , drop = FALSE] / 255
warned <- character()
classes <- withCallingHandlers(model %>% predict_classes(xt), warning = function(w) {{
  warned <<- c(warned, conditionMessage(w)); invokeRestart("muffleWarning")
}})
proba <- model %>% predict(xt, verbose = 0)
res$predict_classes <- list(warnings = I(warned), typeof = typeof(classes), classes = classes,
                            argmax = max.col(proba, ties.method = "first") - 1L,
                            record = keras::predict_classes_method)
{write_json("res")}
"""
    tmp = tmp_path_factory.mktemp("fallback")
    proc, res = run_r(rscript, tmp, code)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc, res


def test_layer_names_follow_the_real_package(fallback_run):
    # R keras creates each layer before forcing the piped model, and magrittr >= 2.0 runs the
    # outermost call first: the output layer is `dense`, the 128-unit layer `dense_3`.
    _, res = fallback_run
    assert res["layer_names"] == ["flatten", "dense_3", "dropout_3", "dense_2", "dropout_2",
                                  "dense_1", "dropout_1", "dropout", "dense"]
    # the names came from Keras' own counter: an unnamed layer continues it
    assert res["next_auto_name"] == "dense_4"


def test_summary_returns_text_invisibly(fallback_run):
    _, res = fallback_run
    s = res["summary"]
    assert s["visible"] is False and s["class"] == "character"
    text = s["text"]
    assert text == text.strip() and text.startswith("Model:")
    lines = text.split("\n")
    assert all(line.strip() for line in lines), "blank line left in the summary"
    assert s["printed"] == text == s["format"]
    assert "dense_3 (Dense)" in text and re.search(r"Total params: 111,?146", text)


def test_summary_width_is_the_console_width(fallback_run):
    _, res = fallback_run
    assert res["widths"] == {"60": 60, "100": 100}


def test_print_of_a_model_prints_its_summary(fallback_run):
    _, res = fallback_run
    assert res["print"]["visible"] is False and res["print"]["returns_model"] is True
    assert res["print"]["text"] == res["summary"]["text"]


def test_fit_returns_the_history_invisibly_with_keras_params(fallback_run):
    _, res = fallback_run
    fit = res["fit"]
    assert fit["visible"] is False and fit["class"] == "keras_training_history"
    assert fit["params"] == {"verbose": 2, "epochs": 1, "steps": math.ceil(TRAIN / 32)}
    assert set(fit["metrics"]) == {"loss", "accuracy"}


def test_history_as_data_frame_and_print(fallback_run):
    _, res = fallback_run
    fit = res["fit"]
    df = fit["df"]
    assert df["epoch"] == [1, 1] and sorted(df["metric"]) == ["accuracy", "loss"]
    assert df["data"] == ["training", "training"]
    by_metric = dict(zip(df["metric"], df["value"], strict=True))
    assert by_metric == {k: v[0] for k, v in fit["metrics"].items()}
    printed = fit["printed"]
    assert printed[0] == "" and printed[1] == "Final epoch (plot to see history):"
    assert {line.split(":")[0].strip() for line in printed[2:]} == {"loss", "accuracy"}
    padded = res["padded"]
    assert padded["epoch"] == [1, 2, 3, 1, 2, 3]
    assert padded["value"] == [0.5, 0.25, None, 0.75, 0.875, None]


def test_predict_classes_emulation_is_announced_and_recorded(fallback_run):
    _, res = fallback_run
    pc = res["predict_classes"]
    assert len(pc["warnings"]) == 1 and "removed from TensorFlow in version 2.6" in pc["warnings"][0]
    assert pc["typeof"] == "integer" and pc["classes"] == pc["argmax"]
    assert "emulated by keras-caret-parity's keras" in pc["record"] and "0-based" in pc["record"]


# ---- which keras runs: the choice and what it records -----------------------------------------

CHOOSE_CASES = [
    # keras_pkg, tensorflow, legacy_keras, tf_keras, unmet -> use, reason contains
    (None, "2.21.0", False, None, [], "fallback", "is not installed"),
    ("2.16.1", "2.21.0", False, None, [], "fallback", "tf_keras is not installed"),
    ("2.16.1", "2.21.0", False, "2.21.0", [], "fallback", "TF_USE_LEGACY_KERAS is not set"),
    ("2.16.1", "2.21.0", True, "2.21.0", [], "keras", "runs on Keras 2 (tf-keras)"),
    ("2.16.1", "2.21.0", True, "2.21.0", ["reticulate >= 1.31 (installed: 1.28)"], "fallback",
     "needs reticulate >= 1.31"),
    ("2.11.1", "2.21.0", False, None, [], "fallback", "does not run on Keras 3"),
    ("2.11.1", "2.21.0", True, "2.21.0", [], "fallback", "tf-keras' classes"),
    ("2.11.1", "2.11.1", False, None, [], "keras", "Keras 2 (bundled with TensorFlow)"),
    ("2.11.1", "2.13.0", False, None, [], "fallback", "keras.src"),
    ("2.13.0", "2.15.1", True, None, [], "keras", "TensorFlow 2.15.1"),
    ("2.16.1", "2.16.0rc0", True, "2.16.0", [], "keras", "Keras 2 (tf-keras)"),
]


def r_value(v):
    if v is None:
        return "NA"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, list):
        return "c(" + ", ".join(f'"{x}"' for x in v) + ")" if v else "character()"
    return f'"{v}"'


@pytest.fixture(scope="module")
def select_run(rscript, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("select")
    fake = tmp / "lib"
    # installed but unusable: a requirement no reticulate meets; and an old one (no requirements)
    for name, version, imports in (("needs", "2.16.1", "reticulate (>= 99.0), magrittr"),
                                   ("old", "2.11.1", "")):
        pkg = fake / name / "keras"
        pkg.mkdir(parents=True)
        (pkg / "DESCRIPTION").write_text(
            f"Package: keras\nVersion: {version}\n" + (f"Imports: {imports}\n" if imports else "")
            + "Built: R 4.2.2; ; 2026-01-01 00:00:00 UTC; unix\n")
    cases = ",\n".join(
        f"list({', '.join(r_value(v) for v in case[:5])})" for case in CHOOSE_CASES)
    code = f"""
res <- list()
source("{SELECT}")
res$plain <- keras_impl
choose <- function(args) tryCatch(do.call(keras_choose, args)[c("use", "reason")],
                                  error = function(e) list(use = "error", reason = conditionMessage(e)))
res$cases <- lapply(list({cases}), choose)
res$legacy_without_tf_keras <- choose(list(NA, "2.21.0", TRUE, NA))
for (name in c("needs", "old")) {{
  .libPaths(c(file.path("{fake}", name), .libPaths()))
  res[[name]] <- parityrun::parity_keras_implementation()
  .libPaths(.libPaths()[-1])
}}
{write_json("res")}
"""
    proc, res = run_r(rscript, tmp, code)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc, res


def test_keras_choose_decisions(select_run):
    _, res = select_run
    for case, got in zip(CHOOSE_CASES, res["cases"], strict=True):
        use, fragment = case[5], case[6]
        assert got["use"] == use and fragment in got["reason"], (case, got)
    err = res["legacy_without_tf_keras"]
    assert err["use"] == "error" and "tf-keras, which is not installed" in err["reason"]


def test_select_records_the_implementation(select_run):
    proc, res = select_run
    impl = res["plain"]
    assert set(impl) == {"name", "version", "library", "reason", "runs", "keras_generation",
                         "keras_package", "keras_version", "tensorflow_version", "predict_classes"}
    assert all(isinstance(v, str) and v for v in impl.values()), impl
    assert impl["runs"] == "true"
    if impl["name"] == "keras (keras-caret-parity)":
        assert impl["predict_classes"].startswith("emulated by keras-caret-parity's keras")
        line = f"keras: using keras (keras-caret-parity) {impl['version']} ({impl['reason']})"
        assert line in proc.stdout.splitlines()


def test_installed_but_unusable_package_is_not_used(select_run):
    proc, res = select_run
    # a real installation comes first on R's library path: it is what library(keras) loads, and
    # the record says it cannot run here, and why (ours stays out of its way)
    assert res["needs"]["name"] == "keras (CRAN)" and res["needs"]["runs"] == "false"
    reason = res["needs"]["reason"]
    assert "the R keras package 2.16.1 cannot load here: it needs reticulate >= 99.0" in reason
    assert res["old"]["name"] == "keras (CRAN)" and res["old"]["runs"] == "false"
    assert "the R keras package 2.11.1 does not" in res["old"]["reason"]


def test_keras_version_recorded_under_tf_keras(rscript, tmp_path):
    env = r_env(TF_USE_LEGACY_KERAS="1")
    version = r_python_tf_keras(env)
    if version is None:
        pytest.skip(f"tf_keras is not importable in the R side's Python ({env['RETICULATE_PYTHON']})")
    proc, res = run_r(rscript, tmp_path, f'source("{SELECT}")\n{write_json("keras_impl")}', env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert res["keras_package"] == "tf_keras" and res["keras_version"] == version
    assert res["keras_generation"] == "Keras 2 (tf-keras)"
