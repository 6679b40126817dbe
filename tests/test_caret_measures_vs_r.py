"""caret's performance measures and pROC's AUC: the port against live R (rpy2), bit for bit.

Each case runs the R function and the port on the same generated input and compares every
value's bits (NA only with NA, NaN only with NaN), the names and their order, R's error
message and R's warnings.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from python_impl import caret as port
from python_impl.caret import NA, is_na

pytestmark = pytest.mark.r

_R_CODE = r"""
local({
  suppressPackageStartupMessages({library(caret); library(pROC)})
  .h21_call <<- function(fun, args) {
    warns <- character(0)
    res <- tryCatch(withCallingHandlers(do.call(fun, args), warning = function(w) {
      warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning")
    }), error = function(e) structure(list(conditionMessage(e)), class = "h21err"))
    if (inherits(res, "h21err")) return(list(error = res[[1]], warnings = warns))
    v <- as.numeric(res)
    list(value = v, names = if (is.null(names(res))) character(0) else names(res),
         is_na = is.na(v) & !is.nan(v), warnings = warns)
  }
  .h21_factor <<- function(codes, lv) {
    lv <- as.vector(lv); codes <- as.vector(codes)
    factor(lv[ifelse(codes < 0, NA, codes + 1)], levels = lv)
  }
  .h21_df <<- function(obs_codes, obs_lv, pred_codes, pred_lv, probs, prob_names) {
    d <- data.frame(obs = .h21_factor(obs_codes, obs_lv), pred = .h21_factor(pred_codes, pred_lv))
    probs <- as.matrix(probs)
    for (j in seq_along(prob_names)) d[[as.vector(prob_names)[j]]] <- as.vector(probs[, j])
    d
  }
})
"""


@pytest.fixture(scope="module")
def r(r_caret):
    import os

    ro = r_caret.r_env()
    missing = [
        p
        for p in ("pROC", "ModelMetrics", "MLmetrics", "ROCR", "e1071")
        if not ro.r(f'isTRUE(requireNamespace("{p}", quietly = TRUE))')[0]
    ]
    if missing:
        reason = (
            f"R packages {missing} missing: apt-get install r-cran-proc r-cran-modelmetrics r-cran-mlmetrics"
        )
        if os.environ.get("CI"):
            pytest.fail(f"required in CI but unavailable: {reason}")
        pytest.skip(reason)
    ro.r(_R_CODE)
    return ro


def _conv():
    from rpy2.robjects import default_converter, numpy2ri
    from rpy2.robjects.conversion import localconverter

    return localconverter(default_converter + numpy2ri.converter)


def _rv(x):
    """A NumPy array (or scalar) as an R vector, converted here once (numpy2ri, locally)."""
    from rpy2.robjects import BoolVector, FloatVector, IntVector, StrVector
    from rpy2.robjects.conversion import get_conversion

    if isinstance(x, bool):
        return BoolVector([x])
    if isinstance(x, str):
        return StrVector([x])
    if isinstance(x, float):
        return FloatVector([x])
    if isinstance(x, int):
        return IntVector([x])
    if not isinstance(x, np.ndarray | np.generic):
        return x
    with _conv():
        return get_conversion().py2rpy(x)


def _r_null():
    import rpy2.rinterface as ri

    return ri.NULL


def _r_factor(r, cat: pd.Categorical):
    from rpy2.robjects import StrVector

    return r.r[".h21_factor"](
        _rv(np.asarray(cat.codes, dtype=np.int32)), StrVector([str(c) for c in cat.categories])
    )


def _r_df(r, d: pd.DataFrame):
    from rpy2.robjects import StrVector

    obs, pred = d["obs"].array, d["pred"].array
    prob_names = [c for c in d.columns if c not in ("obs", "pred")]
    probs = d[prob_names].to_numpy(dtype=np.float64) if prob_names else np.zeros((len(d), 0))
    return r.r[".h21_df"](
        _rv(np.asarray(obs.codes, np.int32)),
        StrVector([str(c) for c in obs.categories]),
        _rv(np.asarray(pred.codes, np.int32)),
        StrVector([str(c) for c in pred.categories]),
        _rv(probs),
        StrVector(prob_names),
    )


def _r_call(r, fun: str, *args, **kwargs):
    from rpy2.robjects.vectors import ListVector

    arglist = [_rv(a) for a in list(args) + list(kwargs.values())]
    names = [""] * len(args) + [k.replace("_", ".") for k in kwargs]
    lst = ListVector.from_length(len(arglist))
    for i, a in enumerate(arglist):
        lst[i] = a
    lst.names = r.StrVector(names)
    out = r.r[".h21_call"](r.r(fun), lst)
    res = {name: out[i] for i, name in enumerate(out.names)}
    return {
        k: ([str(x) for x in v] if k in ("warnings", "names", "error") else np.asarray(v))
        for k, v in res.items()
    }


def _py_call(fn, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = fn(*args, **kwargs)
        except port.RError as exc:
            return {"error": str(exc), "warnings": [str(w.message) for w in caught]}
    return {
        "value": value,
        "warnings": [str(w.message) for w in caught if issubclass(w.category, port.RWarning)],
    }


def _bits(x: float) -> int:
    return int(np.float64(x).view(np.int64))


def assert_same(py: dict, rr: dict, what: str) -> None:
    assert py["warnings"] == rr["warnings"], f"{what}: warnings {py['warnings']} vs R {rr['warnings']}"
    if "error" in rr:
        assert py.get("error") == str(rr["error"][0]), f"{what}: R stopped with {rr['error'][0]!r}, port {py}"
        return
    assert "error" not in py, f"{what}: port raised {py['error']!r}, R returned {rr['value']}"
    value = py["value"]
    if isinstance(value, pd.Series):
        assert list(value.index) == list(rr["names"]), f"{what}: names {list(value.index)} vs R {rr['names']}"
        values = value.to_numpy()
    else:
        values = np.atleast_1d(np.asarray(value, dtype=np.float64))
    assert values.size == rr["value"].size, f"{what}: {values} vs R {rr['value']}"
    for i, (p, q, q_na) in enumerate(zip(values, rr["value"], rr["is_na"], strict=True)):
        label = f"{what}[{rr['names'][i] if len(rr['names']) else i}]"
        if np.isnan(q):
            assert np.isnan(p) and is_na(p) == bool(q_na), (
                f"{label}: R {'NA' if q_na else 'NaN'}, port {p!r} (NA={is_na(p)})"
            )
        else:
            assert _bits(p) == _bits(q), f"{label}: port {p!r} vs R {q!r}"


# --------------------------------------------------------------------------- generated inputs


def _two_class(
    rng,
    n,
    *,
    lv=("yes", "no"),
    tie_step=0.05,
    p_yes=0.5,
    na=0,
    nan=0,
    separable=False,
    constant=False,
    categories=None,
):
    obs = np.where(rng.random(n) < p_yes, lv[0], lv[1])
    score = rng.random(n)
    prob = np.where(obs == lv[0], 0.3 + 0.7 * score, 0.7 * score)
    if separable:
        prob = np.where(obs == lv[0], 0.6 + 0.4 * score, 0.4 * score)
    if tie_step:
        prob = np.round(prob / tie_step) * tie_step
    if constant:
        prob = np.full(n, 0.5)
    pred = np.where(prob >= 0.5, lv[0], lv[1])
    cats = list(categories or lv)
    d = pd.DataFrame(
        {
            "obs": pd.Categorical(obs, categories=cats),
            "pred": pd.Categorical(pred, categories=cats),
            lv[0]: prob,
            lv[1]: 1 - prob,
        }
    )
    if na:
        d.loc[rng.choice(n, na, replace=False), lv[0]] = NA
        d.loc[rng.choice(n, na, replace=False), "obs"] = None
    if nan:
        d.loc[rng.choice(n, nan, replace=False), lv[0]] = np.nan
    return d


def _multi_class(rng, n, k=4, *, absent=(), tie_digits=2, never_predicted=()):
    lv = [f"c{i}" for i in range(k)]
    allowed = [x for x in lv if x not in absent]
    obs = rng.choice(allowed, n)
    raw = rng.random((n, k)) + 2.0 * (np.asarray(lv)[None, :] == obs[:, None])
    prob = np.round(raw / raw.sum(axis=1, keepdims=True), tie_digits)
    pred_idx = prob.argmax(axis=1)
    pred = np.asarray(lv)[pred_idx]
    for x in never_predicted:
        pred[pred == x] = lv[0] if x != lv[0] else lv[1]
    d = pd.DataFrame({"obs": pd.Categorical(obs, categories=lv), "pred": pd.Categorical(pred, categories=lv)})
    for j, x in enumerate(lv):
        d[x] = prob[:, j]
    return d, lv


def _cases_two_class():
    rng = np.random.default_rng(21)
    yield (
        "n2",
        _two_class(rng, 2, p_yes=0.5)
        if False
        else pd.DataFrame(
            {
                "obs": pd.Categorical(["yes", "no"], categories=["yes", "no"]),
                "pred": pd.Categorical(["yes", "yes"], categories=["yes", "no"]),
                "yes": [0.7, 0.6],
                "no": [0.3, 0.4],
            }
        ),
    )
    yield "ties n50", _two_class(rng, 50)
    yield "coarse ties n200", _two_class(rng, 200, tie_step=0.25)
    yield "no ties n300", _two_class(rng, 300, tie_step=0)
    yield "separable", _two_class(rng, 80, separable=True)
    yield "constant", _two_class(rng, 40, constant=True)
    yield "NA and NaN", _two_class(rng, 120, na=7, nan=5)
    yield "one class only", _two_class(rng, 30, p_yes=1.0)
    yield "levels out of order", _two_class(rng, 60, lv=("b", "a"))
    yield "rare class", _two_class(rng, 500, p_yes=0.01)


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("lev_given", [True, False])
def test_two_class_summaries_match_caret(r, lev_given):
    for name, d in _cases_two_class():
        lev = list(d["obs"].cat.categories)
        r_lev = lev if lev_given else _r_null()
        rd = _r_df(r, d)
        from rpy2.robjects import StrVector

        r_lev = StrVector(lev) if lev_given else _r_null()
        py_lev = lev if lev_given else None
        for fun, pyfn in (
            ("caret::twoClassSummary", port.two_class_summary),
            ("caret::prSummary", port.pr_summary),
            ("caret::mnLogLoss", port.mn_log_loss),
            ("caret::multiClassSummary", port.multi_class_summary),
            ("caret::defaultSummary", port.default_summary),
        ):
            assert_same(
                _py_call(pyfn, d, lev=py_lev), _r_call(r, fun, rd, lev=r_lev), f"{fun} {name} lev={lev_given}"
            )


def test_multi_class_summaries_match_caret(r):
    from rpy2.robjects import StrVector

    rng = np.random.default_rng(2021)
    cases = [
        ("k4", _multi_class(rng, 300)),
        ("k3 ties", _multi_class(rng, 90, 3, tie_digits=1)),
        ("absent class", _multi_class(rng, 120, 4, absent=("c2",))),
        ("never predicted", _multi_class(rng, 150, 4, never_predicted=("c3",))),
        ("k10", _multi_class(rng, 1000, 10)),
        ("hard 0/1 probabilities (log-loss clipping)", _multi_class(rng, 60, 3, tie_digits=0)),
    ]
    for name, (d, lv) in cases:
        rd = _r_df(r, d)
        for lev in (lv, lv[::-1]):
            for fun, pyfn in (
                ("caret::multiClassSummary", port.multi_class_summary),
                ("caret::mnLogLoss", port.mn_log_loss),
                ("caret::defaultSummary", port.default_summary),
            ):
                assert_same(
                    _py_call(pyfn, d, lev=lev), _r_call(r, fun, rd, lev=StrVector(lev)), f"{fun} {name} {lev}"
                )
    d, lv = cases[0][1]
    d = d.copy()
    d.loc[[3, 10], "c1"] = np.nan
    d.loc[[5], "obs"] = None
    assert_same(
        _py_call(port.multi_class_summary, d, lev=lv),
        _r_call(r, "caret::multiClassSummary", _r_df(r, d), lev=StrVector(lv)),
        "multi NA",
    )


def test_post_resample_regression_matches_caret(r):
    rng = np.random.default_rng(7)
    cases = {
        "n2": (np.array([1.0, 2.0]), np.array([1.5, 1.0])),
        "n1000": (rng.normal(size=1000), rng.normal(size=1000)),
        "ties": (np.round(rng.normal(size=300), 1), np.round(rng.normal(size=300), 1)),
        "pred NA": (np.where(rng.random(50) < 0.2, NA, rng.normal(size=50)), rng.normal(size=50)),
        "obs NA": (rng.normal(size=50), np.where(rng.random(50) < 0.2, NA, rng.normal(size=50))),
        "obs NaN": (rng.normal(size=50), np.where(rng.random(50) < 0.2, np.nan, rng.normal(size=50))),
        "constant pred": (np.full(20, 3.0), rng.normal(size=20)),
        "sd zero after NA": (np.array([1.0, 2.0, 3.0, 4.0]), np.array([5.0, 5.0, NA, NA])),
        "large offset": (1e8 + rng.normal(size=200), 1e8 + rng.normal(size=200)),
        "empty": (np.array([NA, NA]), np.array([1.0, 2.0])),
    }
    for name, (pred, obs) in cases.items():
        rr = _r_call(r, "caret::postResample", pred, obs)
        assert_same(_py_call(port.post_resample, pred, obs), rr, f"postResample {name}")


def test_post_resample_classes_match_caret(r):
    rng = np.random.default_rng(8)
    lv = ["a", "b", "c"]
    obs = pd.Categorical(rng.choice(lv, 200), categories=lv)
    pred = pd.Categorical(rng.choice(lv, 200), categories=lv)
    one = pd.Categorical(["a"] * 5, categories=["a"])
    nan_pred = pd.Categorical(np.where(rng.random(200) < 0.1, None, rng.choice(lv, 200)), categories=lv)
    for name, (p, o) in {"k3": (pred, obs), "one level": (one, one), "pred NA": (nan_pred, obs)}.items():
        assert_same(
            _py_call(port.post_resample, p, o),
            _r_call(r, "caret::postResample", _r_factor(r, p), _r_factor(r, o)),
            f"postResample {name}",
        )


def test_single_statistics_match_caret(r):
    from rpy2.robjects import StrVector

    rng = np.random.default_rng(9)
    lv = ["pos", "neg"]
    pairs = {
        "random": (rng.choice(lv, 100), rng.choice(lv, 100)),
        "never predicted pos": (np.array(["neg"] * 20), rng.choice(lv, 20)),
        "no pos in reference": (rng.choice(lv, 20), np.array(["neg"] * 20)),
    }
    fns = [
        ("caret::sensitivity", port.sensitivity, "positive"),
        ("caret::specificity", port.specificity, "negative"),
        ("caret::posPredValue", port.pos_pred_value, "positive"),
        ("caret::negPredValue", port.neg_pred_value, "negative"),
        ("caret::precision", port.precision, "relevant"),
        ("caret::recall", port.recall, "relevant"),
        ("caret::F_meas", port.f_meas, "relevant"),
    ]
    for name, (p, o) in pairs.items():
        pc, oc = pd.Categorical(p, categories=lv), pd.Categorical(o, categories=lv)
        for rname, fn, arg in fns:
            assert_same(
                _py_call(fn, pc, oc), _r_call(r, rname, _r_factor(r, pc), _r_factor(r, oc)), f"{rname} {name}"
            )
            label = "neg" if arg != "negative" else "pos"
            assert_same(
                _py_call(fn, pc, oc, **{arg: label}),  # noqa
                _r_call(r, rname, _r_factor(r, pc), _r_factor(r, oc), **{arg: StrVector([label])}),
                f"{rname} {name} {arg}={label}",
            )
    # NA in the labels, prevalence given, levels that are not two, beta
    pc = pd.Categorical(np.where(rng.random(60) < 0.1, None, rng.choice(lv, 60)), categories=lv)
    oc = pd.Categorical(np.where(rng.random(60) < 0.1, None, rng.choice(lv, 60)), categories=lv)
    for rname, fn, _ in fns:
        assert_same(
            _py_call(fn, pc, oc), _r_call(r, rname, _r_factor(r, pc), _r_factor(r, oc)), f"{rname} NA"
        )
    assert_same(
        _py_call(port.pos_pred_value, pc, oc, prevalence=0.2),
        _r_call(r, "caret::posPredValue", _r_factor(r, pc), _r_factor(r, oc), prevalence=0.2),
        "ppv prevalence",
    )
    assert_same(
        _py_call(port.f_meas, pc, oc, beta=2.5),
        _r_call(r, "caret::F_meas", _r_factor(r, pc), _r_factor(r, oc), beta=2.5),
        "F beta",
    )
    three = pd.Categorical(rng.choice(["a", "b", "c"], 30))
    assert_same(
        _py_call(port.sensitivity, three, three),
        _r_call(r, "caret::sensitivity", _r_factor(r, three), _r_factor(r, three)),
        "three levels",
    )


def test_table_methods_match_caret(r):
    from rpy2.robjects import StrVector

    rng = np.random.default_rng(10)
    lv = ["a", "b", "c", "d"]
    counts = rng.integers(0, 30, size=(4, 4))
    counts[:, 2] = 0  # a reference class never observed
    table = pd.DataFrame(counts, index=lv, columns=lv)
    rtab = r.r("function(m, lv) as.table(matrix(as.integer(m), nrow = length(lv), dimnames = list(lv, lv)))")(
        _rv(counts.ravel(order="F").astype(np.float64)), StrVector(lv)
    )
    for rname, fn, arg in [
        ("caret::sensitivity", port.sensitivity, "positive"),
        ("caret::specificity", port.specificity, "negative"),
        ("caret::posPredValue", port.pos_pred_value, "positive"),
        ("caret::negPredValue", port.neg_pred_value, "negative"),
        ("caret::precision", port.precision, "relevant"),
        ("caret::recall", port.recall, "relevant"),
        ("caret::F_meas", port.f_meas, "relevant"),
    ]:
        assert_same(_py_call(fn, table), _r_call(r, rname, rtab), f"{rname} table")
        for label in ("b", "c"):
            assert_same(
                _py_call(fn, table, **{arg: label}),
                _r_call(r, rname, rtab, **{arg: StrVector([label])}),
                f"{rname} table {arg}={label}",
            )


def _roc_inputs():
    rng = np.random.default_rng(11)
    yield "n2", np.array([0, 1]), np.array([0.3, 0.7]), {}
    yield "n3 tie", np.array([1, 0, 1]), np.array([0.5, 0.5, 0.2]), {}
    y = rng.integers(0, 2, 400)
    yield "ties", y, np.round(rng.normal(size=400) + y, 1), {}
    yield "reversed auto", y, -np.round(rng.normal(size=400) + y, 1), {}
    yield "forced <", y, -np.round(rng.normal(size=400) + y, 1), {"direction": "<"}
    yield "forced >", y, np.round(rng.normal(size=400) + y, 2), {"direction": ">"}
    yield "separable", y, y * 2.0 + rng.random(400), {}
    yield "constant", y, np.full(400, 0.5), {}
    x = np.round(rng.normal(size=400) + y, 1)
    x[::17] = np.nan
    x[::23] = NA
    yield "NA NaN", y, x, {}
    yield "levels given", np.where(y == 1, "case", "ctrl"), x, {"levels": ["case", "ctrl"]}
    yield "three levels", rng.integers(0, 3, 300), rng.normal(size=300), {}
    yield "one level", np.zeros(10, dtype=int), rng.normal(size=10), {}
    yield "infinite", y, np.where(np.arange(400) == 5, np.inf, x), {}
    yield "one case", np.array([0, 0, 0, 1]), np.array([0.1, 0.2, 0.3, 0.4]), {}
    yield "medians equal", np.array([0, 0, 1, 1]), np.array([1.0, 2.0, 2.0, 1.0]), {}


def _r_roc_args(resp, pred, kw):
    from rpy2.robjects import FloatVector, IntVector, StrVector

    if resp.dtype.kind in "iu":
        rr = IntVector(resp.tolist())
    else:
        rr = StrVector(resp.tolist())
    args = {"quiet": True}
    if "levels" in kw:
        args["levels"] = StrVector(kw["levels"])
    if "direction" in kw:
        args["direction"] = kw["direction"]
    return rr, FloatVector(pred.tolist()), args


def test_roc_auc_and_delong_match_proc(r):
    for name, resp, pred, kw in _roc_inputs():
        rr, rp, args = _r_roc_args(resp, pred, kw)
        assert_same(
            _py_call(port.roc_auc, resp, pred, **kw), _r_call(r, "pROC::auc", rr, rp, **args), f"auc {name}"
        )
        for level in (0.95, 0.8, 1.0, 0.0, 1.5):
            assert_same(
                _py_call(port.ci_auc_delong, resp, pred, conf_level=level, **kw),
                _r_call(r, "pROC::ci.auc", rr, rp, method="delong", conf_level=level, **args),
                f"ci.auc {name} {level}",
            )


def test_million_rows_with_ties_match_r(r):
    """One 10^6 case for AUC and DeLong CI, 10^5 rows for the multi-class summary (R's own
    ``multiClassSummary`` takes ~14 s at 10^6; benchmarks/bench_measures.py checks that size)."""
    from rpy2.robjects import StrVector

    rng = np.random.default_rng(12)
    n = 10**6
    y = rng.integers(0, 2, n)
    x = np.round(rng.normal(size=n) + 0.8 * y, 2)
    assert_same(
        _py_call(port.roc_auc, y, x), _r_call(r, "pROC::auc", y.astype(np.int32), x, quiet=True), "auc 1e6"
    )
    assert_same(
        _py_call(port.ci_auc_delong, y, x),
        _r_call(r, "pROC::ci.auc", y.astype(np.int32), x, quiet=True, method="delong"),
        "ci 1e6",
    )
    d, lv = _multi_class(rng, n // 10, 3)
    assert_same(
        _py_call(port.multi_class_summary, d, lev=lv),
        _r_call(r, "caret::multiClassSummary", _r_df(r, d), lev=StrVector(lv)),
        "multiClassSummary 1e5",
    )


def test_errors_and_messages_match_caret(r):
    from rpy2.robjects import StrVector

    d = _two_class(np.random.default_rng(13), 20)
    rd = _r_df(r, d)
    three = StrVector(["yes", "no", "maybe"])
    assert_same(
        _py_call(port.two_class_summary, d, lev=["yes", "no", "maybe"]),
        _r_call(r, "caret::twoClassSummary", rd, lev=three),
        "twoClass 3 levels",
    )
    assert_same(
        _py_call(port.two_class_summary, d, lev=["no", "yes"]),
        _r_call(r, "caret::twoClassSummary", rd, lev=StrVector(["no", "yes"])),
        "twoClass lev order",
    )
    assert_same(
        _py_call(port.pr_summary, d, lev=["maybe", "no"]),
        _r_call(r, "caret::prSummary", rd, lev=StrVector(["maybe", "no"])),
        "prSummary no column",
    )
    assert_same(
        _py_call(port.mn_log_loss, d, lev=["yes", "maybe"]),
        _r_call(r, "caret::mnLogLoss", rd, lev=StrVector(["yes", "maybe"])),
        "mnLogLoss column",
    )
    m, lv = _multi_class(np.random.default_rng(14), 30, 3)
    assert_same(
        _py_call(port.pr_summary, m, lev=lv),
        _r_call(r, "caret::prSummary", _r_df(r, m), lev=StrVector(lv)),
        "prSummary 3 levels",
    )
    inf = d.copy()
    inf.loc[3, "yes"] = np.inf
    assert_same(
        _py_call(port.two_class_summary, inf, lev=["yes", "no"]),
        _r_call(r, "caret::twoClassSummary", _r_df(r, inf), lev=StrVector(["yes", "no"])),
        "twoClass infinite probability",
    )
    wide = d.copy()
    wide["obs"] = pd.Categorical(wide["obs"].astype(str), categories=["yes", "no", "maybe"])
    wide["pred"] = pd.Categorical(wide["pred"].astype(str), categories=["yes", "no", "maybe"])
    assert_same(
        _py_call(port.two_class_summary, wide, lev=["yes", "no"]),
        _r_call(r, "caret::twoClassSummary", _r_df(r, wide), lev=StrVector(["yes", "no"])),
        "twoClass obs with 3 levels",
    )
    other = m.copy()
    other["pred"] = pd.Categorical(other["pred"].astype(str), categories=lv[::-1])
    assert_same(
        _py_call(port.multi_class_summary, other, lev=lv),
        _r_call(r, "caret::multiClassSummary", _r_df(r, other), lev=StrVector(lv)),
        "levels differ",
    )


def test_examples_are_r_values(r):
    """The docstrings' examples print what R prints."""
    lv = ["yes", "no"]
    d = pd.DataFrame(
        {
            "obs": pd.Categorical(["yes", "no"], categories=lv),
            "pred": pd.Categorical(["yes", "no"], categories=lv),
            "yes": [0.8, 0.4],
            "no": [0.2, 0.6],
        }
    )
    from rpy2.robjects import StrVector

    assert_same(
        _py_call(port.mn_log_loss, d, lev=lv),
        _r_call(r, "caret::mnLogLoss", _r_df(r, d), lev=StrVector(lv)),
        "example",
    )
    resp, pred = np.array([0, 0, 0, 1, 1, 1]), np.array([0.1, 0.4, 0.5, 0.35, 0.8, 0.9])
    rr, rp, args = _r_roc_args(resp, pred, {})
    assert_same(
        _py_call(port.ci_auc_delong, resp, pred),
        _r_call(r, "pROC::ci.auc", rr, rp, method="delong", **args),
        "example ci",
    )


def test_other_input_types_match_r(r):
    """A character obs column, a response factor with unused levels, integer regression data."""
    from rpy2.robjects import IntVector, StrVector

    d = pd.DataFrame({"obs": ["a", "b", "a", "b"], "pred": pd.Categorical(["a", "b", "b", "b"])})
    rd = r.r('data.frame(obs = c("a", "b", "a", "b"), pred = factor(c("a", "b", "b", "b")))')
    for lev in (["a", "b"], ["b", "a"]):
        assert_same(
            _py_call(port.default_summary, d, lev=lev),
            _r_call(r, "caret::defaultSummary", rd, lev=StrVector(lev)),
            f"defaultSummary character obs {lev}",
        )
    unused = pd.Categorical(["x", "y", "x", "y"], categories=["x", "y", "z"])
    r_unused = r.r('factor(c("x", "y", "x", "y"), levels = c("x", "y", "z"))')
    assert_same(
        _py_call(port.roc_auc, unused, np.array([1.0, 2.0, 3.0, 4.0])),
        _r_call(r, "pROC::auc", r_unused, np.array([1.0, 2.0, 3.0, 4.0]), quiet=True),
        "auc unused level",
    )
    no_case = pd.Categorical(["x", "x"], categories=["x", "y", "z"])
    assert_same(
        _py_call(port.roc_auc, no_case, np.array([1.0, 2.0])),
        _r_call(
            r,
            "pROC::auc",
            r.r('factor(c("x", "x"), levels = c("x", "y", "z"))'),
            np.array([1.0, 2.0]),
            quiet=True,
        ),
        "auc no case",
    )
    pred, obs = np.array([1, 2, 3, 5]), np.array([2, 2, 4, 4])
    assert_same(
        _py_call(port.post_resample, pred, obs),
        _r_call(r, "caret::postResample", IntVector(pred.tolist()), IntVector(obs.tolist())),
        "postResample integers",
    )


def test_character_pred_column_matches_caret(r):
    """A ``pred`` column that is not a factor: each summary's own error (or NA), as in caret."""
    from rpy2.robjects import StrVector

    d = pd.DataFrame({"obs": pd.Categorical(["a", "b", "a"]), "pred": ["a", "b", "b"], "a": [0.6, 0.3, 0.4]})
    d["b"] = 1 - d["a"]
    rd = r.r(
        'data.frame(obs = factor(c("a", "b", "a")), pred = c("a", "b", "b"), a = c(0.6, 0.3, 0.4),'
        " b = 1 - c(0.6, 0.3, 0.4))"
    )
    for fun, pyfn in (
        ("caret::twoClassSummary", port.two_class_summary),
        ("caret::prSummary", port.pr_summary),
        ("caret::multiClassSummary", port.multi_class_summary),
        ("caret::defaultSummary", port.default_summary),
    ):
        assert_same(_py_call(pyfn, d, lev=["a", "b"]), _r_call(r, fun, rd, lev=StrVector(["a", "b"])), fun)
