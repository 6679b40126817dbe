"""parity.rnum against live R (rpy2): every result bit for bit, NA told from NaN.

Data are generated with fixed seeds: ordinary values, a large offset (1e8 + small noise, where
double accumulation loses bits), mixed and wide-ranging magnitudes, overflowing sums and Inf,
NA and NaN, n = 1, 2 and 10^5, constant columns. One test shows that NumPy's own functions
differ from R on the same data, so the module is what makes a port match. Tests without the
``r`` marker need no R (doctests, the x87 type, the overlap with rformat.r_round).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from parity import rnum
from python_impl.caret import NA, is_na

PROBS = np.array([0.0, 0.1, 0.25, 1 / 3, 0.5, 0.9, 0.99, 1.0, 1 + 1e-15, -1e-15, NA])

# One R call per data set: everything the module reproduces, computed by R itself.
_R_ALL = r"""
function(x, probs) {
  s <- scale(x)
  sw <- function(expr) suppressWarnings(expr)
  list(scale = unname(s), center = unname(attr(s, "scaled:center")),
       scale_sd = unname(attr(s, "scaled:scale")),
       scale_nocenter = unname(scale(x, center = FALSE)),
       scale_given = unname(scale(x, center = seq_len(ncol(x)), scale = rep(2, ncol(x)))),
       colMeans = colMeans(x), colMeans_rm = colMeans(x, na.rm = TRUE),
       mean = apply(x, 2, mean), mean_all = mean(x), mean_rm = apply(x, 2, mean, na.rm = TRUE),
       var = unname(var(x)), var_rm = unname(var(x, na.rm = TRUE)),
       var_pair = unname(var(x, use = "pairwise.complete.obs")),
       var_vec = var(x[, 1]), var_vec_rm = var(x[, 1], na.rm = TRUE),
       cov_xy = var(x[, 1], x[, 2]), cov_xy_pair = var(x[, 1], x[, 2], use = "pairwise.complete.obs"),
       sd = apply(x, 2, sd), sd_rm = apply(x, 2, sd, na.rm = TRUE), sd_vec = sd(x[, 2]),
       cor = sw(unname(cor(x))), cor_cmpl = sw(unname(cor(x, use = "na.or.complete"))),
       cor_pair = sw(unname(cor(x, use = "pairwise.complete.obs"))),
       cor_xy = sw(cor(x[, 1], x[, 2])), cor_xy_cmpl = sw(cor(x[, 1], x[, 2], use = "na.or.complete")),
       cor_xy_pair = sw(cor(x[, 1], x[, 2], use = "pairwise.complete.obs")),
       cor_xm = sw(unname(cor(x[, 1], x))),
       quantile = quantile(x[, 1], probs, na.rm = TRUE, names = FALSE))
}
"""


def _port(x: np.ndarray) -> dict:
    """What the port computes for each entry of _R_ALL."""
    p = x.shape[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "the standard deviation is zero"
        s = rnum.scale(x)
        return {
            "scale": s.x, "center": s.center, "scale_sd": s.scale,
            "scale_nocenter": rnum.scale(x, center=False).x,
            "scale_given": rnum.scale(x, center=np.arange(1, p + 1), scale=np.full(p, 2.0)).x,
            "colMeans": rnum.col_means(x), "colMeans_rm": rnum.col_means(x, na_rm=True),
            "mean": [rnum.mean(x[:, j]) for j in range(p)],
            "mean_all": rnum.mean(x),
            "mean_rm": [rnum.mean(x[:, j], na_rm=True) for j in range(p)],
            "var": rnum.var(x), "var_rm": rnum.var(x, na_rm=True),
            "var_pair": rnum.var(x, use="pairwise.complete.obs"),
            "var_vec": rnum.var(x[:, 0]), "var_vec_rm": rnum.var(x[:, 0], na_rm=True),
            "cov_xy": rnum.var(x[:, 0], x[:, 1]),
            "cov_xy_pair": rnum.var(x[:, 0], x[:, 1], use="pairwise.complete.obs"),
            "sd": rnum.sd(x), "sd_rm": rnum.sd(x, na_rm=True), "sd_vec": rnum.sd(x[:, 1]),
            "cor": rnum.cor(x), "cor_cmpl": rnum.cor(x, use="na.or.complete"),
            "cor_pair": rnum.cor(x, use="pairwise.complete.obs"),
            "cor_xy": rnum.cor(x[:, 0], x[:, 1]),
            "cor_xy_cmpl": rnum.cor(x[:, 0], x[:, 1], use="na.or.complete"),
            "cor_xy_pair": rnum.cor(x[:, 0], x[:, 1], use="pairwise.complete.obs"),
            "cor_xm": rnum.cor(x[:, 0], x),
            "quantile": rnum.quantile(x[:, 0], PROBS, na_rm=True),
        }


def _na_mask(a: np.ndarray) -> np.ndarray:
    """R's NA (python_impl.caret.is_na) per element; NaN positions only are asked."""
    out = np.zeros(a.shape, dtype=bool)
    for i in np.flatnonzero(np.isnan(a)):
        out[i] = is_na(a[i])
    return out


def assert_same_bits(got, want, what: str) -> None:
    """Same shape; every number bit for bit (-0.0 is not 0.0); NA only where R has NA, NaN
    only where R has NaN (a NaN's other bits are not compared)."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.size == 1 and want.size == 1:  # R has no scalars: a length-1 vector
        got, want = got.reshape(1), want.reshape(1)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, R's {want.shape}"
    g, w = got.ravel(), want.ravel()
    g_nan, w_nan = np.isnan(g), np.isnan(w)
    bad = (g_nan != w_nan) | (~g_nan & ~w_nan & (g.view(np.uint64) != w.view(np.uint64)))
    both = g_nan & w_nan
    bad[both] = _na_mask(g[both]) != _na_mask(w[both])
    first = np.flatnonzero(bad)
    assert first.size == 0, (
        f"{what}: {first.size} of {g.size} differ from R, first at {first[0]}: {g[first[0]]!r} "
        f"({int(g.view(np.uint64)[first[0]]):016x}, NA: {is_na(g[first[0]])}) vs R's {w[first[0]]!r} "
        f"({int(w.view(np.uint64)[first[0]]):016x}, NA: {is_na(w[first[0]])})")


@pytest.fixture(scope="module")
def r_call(r_caret):
    """Call R code on NumPy arrays; results come back as NumPy arrays (numpy2ri, locally)."""
    import rpy2.robjects as ro
    from rpy2.rlike.container import OrdDict
    from rpy2.robjects import default_converter, numpy2ri
    from rpy2.robjects.conversion import localconverter

    def call(code: str, *args):
        with localconverter(default_converter + numpy2ri.converter):
            res = ro.r(code)(*args)
            return dict(res.items()) if isinstance(res, OrdDict) else np.asarray(res)

    return call


def _with_missing(x: np.ndarray, rng) -> np.ndarray:
    x = x.copy()
    x[rng.choice(len(x), 3, replace=False), 0] = NA
    x[rng.choice(len(x), 2, replace=False), 1] = np.nan
    x[rng.choice(len(x), 1), 2] = NA
    x[rng.choice(len(x), 1), 2] = np.nan
    return x


def _data(name: str) -> np.ndarray:
    rng = np.random.default_rng(sum(map(ord, name)))
    if name == "ordinary":
        return rng.normal(size=(40, 3))
    if name == "large_offset":
        return 1e8 + rng.normal(scale=1e-3, size=(300, 3))
    if name == "mixed_magnitudes":
        x = rng.normal(size=(60, 3)) * np.array([1e-8, 1.0, 1e12])
        x[::7, 1] *= 1e15  # a column mixing 1e15 and 1
        return x
    if name == "wide_range":  # seed 249: column 1 is where the second pass of R's mean matters
        rng = np.random.default_rng(249)
        return rng.normal(size=(40, 3)) * 10.0 ** rng.integers(-5, 20, (40, 3))
    if name == "na_and_nan":
        return _with_missing(rng.normal(loc=5.0, size=(30, 3)), rng)
    if name == "n1":
        return rng.normal(size=(1, 3))
    if name == "n2":
        return rng.normal(size=(2, 3))
    if name == "n1e5":
        return 1e3 + rng.normal(size=(100_000, 3))
    if name == "huge_and_infinite":  # sums that overflow double (R's mean retries) and Inf
        x = rng.normal(size=(20, 3))
        x[:, 0] = 1e308 * rng.uniform(0.5, 1.0, 20)
        x[3, 1], x[9, 1] = np.inf, -np.inf
        x[5, 2] = np.inf
        return x
    if name == "constant_columns":
        x = rng.normal(size=(25, 3))
        x[:, 1] = 0.1
        x[:, 2] = 3.0
        return x
    raise AssertionError(name)


DATA = ["ordinary", "large_offset", "mixed_magnitudes", "wide_range", "na_and_nan", "n1", "n2", "n1e5",
        "huge_and_infinite", "constant_columns"]


@pytest.mark.r
@pytest.mark.parametrize("name", DATA)
def test_every_function_bit_for_bit_with_r(r_call, name):
    x = _data(name)
    want = r_call(_R_ALL, x, PROBS)
    got = _port(x)
    assert set(got) == set(want)
    for key, value in want.items():
        assert_same_bits(got[key], value, f"{name}: {key}")


def test_long_double_here_is_rs_80_bit_type():
    import platform

    if platform.machine() not in ("x86_64", "AMD64", "i686"):
        pytest.skip(f"np.longdouble is R's LDOUBLE only on x86; this is {platform.machine()}")
    assert rnum.LONG_DOUBLE_IS_X87


def test_wide_range_is_where_the_second_pass_of_mean_matters():
    col = _data("wide_range")[:, 0]
    one_pass = np.float64(np.cumsum(col.astype(np.longdouble))[-1] / np.longdouble(col.size))
    assert one_pass != rnum.mean(col)  # so the data set above checks R's refinement


@pytest.mark.r
def test_missing_values_give_r_na_and_nan(r_call):
    """NA and NaN land where R puts them: R's C code writes NA for a column holding NaN, and
    sums propagate whichever NaN R's long double arithmetic keeps."""
    quiet_na = np.uint64(0x7FF80000000007A2).view(np.float64)  # NA after arithmetic (NA + 0)
    cases = {"na_first": [NA, np.nan, 1.0], "nan_first": [np.nan, NA, 1.0],
             "nan_then_quiet_na": [np.nan, quiet_na, 1.0], "nan_only": [1.0, np.nan, 2.0],
             "na_only": [1.0, 2.0, NA], "inf_minus_inf_then_na": [np.inf, -np.inf, NA],
             "inf_minus_inf_then_quiet_na": [np.inf, -np.inf, quiet_na]}
    for name, values in cases.items():
        v = np.array(values)
        m = np.column_stack([v, v[::-1]])
        want = r_call("function(v, m) list(mean = mean(v), var = var(v), sd = sd(v), cm = colMeans(m), "
                      "cor = suppressWarnings(cor(m)), sc = unname(scale(m)))", v, m)
        got = {"mean": rnum.mean(v), "var": rnum.var(v), "sd": rnum.sd(v), "cm": rnum.col_means(m),
               "cor": rnum.cor(m), "sc": rnum.scale(m).x}
        for key, value in want.items():
            assert_same_bits(got[key], value, f"{name}: {key}")
    assert is_na(rnum.var([1.0, np.nan, 2.0]))  # R: NA_REAL, not the NaN it was given
    assert np.isnan(rnum.mean([np.nan, 1.0])) and not is_na(rnum.mean([np.nan, 1.0]))


def test_constant_column_scales_to_nan_and_warns_in_cor():
    """R's own values for constant columns are checked above; here R's warning and NA."""
    x = _data("constant_columns")
    s = rnum.scale(x)
    assert s.scale[1] == 0.0 and np.isnan(s.x[:, 1]).all()
    with pytest.warns(RuntimeWarning, match="the standard deviation is zero"):
        c = rnum.cor(x)
    assert is_na(c[0, 1]) and c[1, 1] == 1.0  # R's diagonal stays 1


@pytest.mark.r
def test_round_bit_for_bit_with_r(r_call):
    rng = np.random.default_rng(7)
    ties = [0.15, 0.25, 2.675, 0.285, 1.005, 2.5, -2.5, 0.5, -0.8906, 1234.5, 1250.0, 5e-324]
    x = np.concatenate([ties, rng.normal(size=300) * 10.0 ** rng.integers(-6, 8, 300),
                        [np.inf, -np.inf, np.nan, NA, -0.0, 0.0, 1e-305, 3.3e-320, 1e300]])
    digits = rng.integers(-3, 9, x.size).astype(float)
    digits[:len(ties)] = [1, 1, 2, 2, 2, 0, 0, 0, 2, -1, -2, 323]
    digits[-5:] = [2, 1, 310, 325, -400]
    digits[[20, 21, 22]] = [NA, np.nan, 1.4]
    want = r_call("function(x, d) round(x, d)", x, digits)
    assert_same_bits(rnum.round(x, digits), want, "round(x, digits)")
    for d in (0, 2, -1, 25):
        assert_same_bits(rnum.round(x, d), r_call(f"function(x) round(x, {d})", x), f"round(x, {d})")
    for d, size in ((23, 1e-10), (33, 1e-20), (-23, 1e25)):  # 10^d by squaring is not 10.0**d
        with np.errstate(all="ignore"):
            y = x * size
        assert_same_bits(rnum.round(y, d), r_call(f"function(x) round(x, {d})", y), f"round(x, {d})")


def test_round_is_rformat_r_round_where_that_is_defined():
    """python_impl.caret.rformat.r_round (the printing code's scalar round, 0 <= digits <= 15)
    gives the same bits: one algorithm, R's fround, in two places (see the module's report)."""
    from python_impl.caret.rformat import r_round

    rng = np.random.default_rng(3)
    x = np.concatenate([[0.15, 2.675, 0.285, -0.8906, 2.5], rng.normal(size=200) * 100])
    for d in range(16):
        assert_same_bits(rnum.round(x, d), [r_round(float(v), d) for v in x], f"digits={d}")


@pytest.mark.r
def test_numpy_defaults_differ_from_r_where_rnum_does_not(r_call):
    """The reason for the module: on the same data NumPy's defaults miss R's bits (or R's
    divisor), rnum does not."""
    col = _data("large_offset")[:, 0]
    probs = np.linspace(0.0, 1.0, 101)
    ties = (np.arange(200) + 0.5) / 100  # 0.005, 0.015, ...: R's round(, 2) decides ties its way
    want = r_call("function(x, p, t) list(sd = sd(x), mean = mean(x), cm = colMeans(cbind(x)), "
                  "q = quantile(x * 1e-8, p, names = FALSE), sc = as.vector(scale(x)), "
                  "r = round(t, 2))", col, probs, ties)
    assert np.std(col) != want["sd"][0]  # ddof=0: off by a factor sqrt(n/(n-1))
    assert np.std(col, ddof=1) != want["sd"][0]  # right divisor, double arithmetic: last bits
    assert np.mean(col) != want["mean"][0]
    assert np.any(np.quantile(col * 1e-8, probs) != want["q"])
    assert np.any((col - col.mean()) / col.std(ddof=1) != want["sc"])
    assert np.any(np.round(ties, 2) != want["r"])
    assert_same_bits(rnum.sd(col), want["sd"], "sd")
    assert_same_bits(rnum.mean(col), want["mean"], "mean")
    assert_same_bits(rnum.col_means(col[:, None]), want["cm"], "colMeans")
    assert_same_bits(rnum.quantile(col * 1e-8, probs), want["q"], "quantile")
    assert_same_bits(rnum.scale(col).x, want["sc"], "scale")
    assert_same_bits(rnum.round(ties, 2), want["r"], "round")


@pytest.mark.r
def test_errors_name_the_value_and_what_is_allowed(r_call):
    with pytest.raises(ValueError, match=r"use must be one of .*'everything'.*got 'pairwise'"):
        rnum.var([1.0, 2.0], use="pairwise")
    with pytest.raises(ValueError, match="missing observations"):
        rnum.var([1.0, np.nan, 3.0], use="all.obs")
    with pytest.raises(ValueError, match="no complete element pairs"):
        rnum.cor([np.nan, 1.0], [1.0, np.nan], use="complete.obs")
    with pytest.raises(ValueError, match="missing values and NaN's not allowed"):
        rnum.quantile([1.0, NA])
    with pytest.raises(ValueError, match=r"'probs' outside \[0,1\]: \[1.5\]"):
        rnum.quantile([1.0, 2.0], [0.5, 1.5])
    with pytest.raises(ValueError, match="type must be 7.*got 6"):
        rnum.quantile([1.0, 2.0], type=6)
    with pytest.raises(ValueError, match=r"length of 'center' must equal .* \(2\); got 3"):
        rnum.scale(np.ones((3, 2)), center=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="incompatible dimensions: x has 2 rows, y has 3"):
        rnum.cor([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="must be numeric.*dtype <U1"):
        rnum.mean(["a", "b"])
    with pytest.raises(ValueError, match="x must be 2-D; got an array of shape \\(3,\\)"):
        rnum.col_means([1.0, 2.0, 3.0])
    # R agrees that these are errors (same conditions, R's words)
    for code in ('var(c(1, NaN, 3), use = "all.obs")', 'cor(c(NaN, 1), c(1, NaN), use = "complete.obs")',
                 "quantile(c(1, NA))", "quantile(c(1, 2), c(0.5, 1.5))"):
        ok = r_call(f"function() tryCatch({{{code}; FALSE}}, error = function(e) TRUE)")
        assert bool(ok[0]), code


def test_docstring_examples_run():
    import doctest

    result = doctest.testmod(rnum, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10 and result.failed == 0


# 36 integers where R's one-pass integer mean and its two-pass double mean differ in the last bit
_INTS = [700360396, 1410666447, -1216358837, -1360291952, 1657273242, 204670165, 1410872713,
         251990061, -584791442, -500308553, -1068437110, 342576358, 290693685, 1853411383, 180020895,
         -1687976589, 916545284, 1885801760, -1229329660, 158823818, -553395998, 961284929,
         1956682816, -639335736, -1498225544, -1938295068, 214472323, -1276121668, 1980933123,
         -1353007954, 569346722, -62026371, -1661860289, -70570851, -796418072, 497491304]


@pytest.mark.r
def test_integer_input_is_r_integer(r_call):
    """An int32 array is R's integer vector: mean takes one pass (R's integer_mean), the
    rest coerce to double as R does."""
    v = np.array(_INTS, dtype=np.int32)
    m = np.column_stack([v, v[::-1]])
    want = r_call("function(v, m) list(type = typeof(v), mean = mean(v), mean_dbl = mean(as.double(v)), "
                  "cm = colMeans(m), var = var(v), q = quantile(v, c(0.1, 0.5), names = FALSE), "
                  "sc = unname(scale(m)), lmean = mean(v > 0))", v, m)
    assert list(want.pop("type")) == ["integer"]
    got = {"mean": rnum.mean(v), "mean_dbl": rnum.mean(v.astype(float)), "cm": rnum.col_means(m),
           "var": rnum.var(v), "q": rnum.quantile(v, [0.1, 0.5]), "sc": rnum.scale(m).x,
           "lmean": rnum.mean(v > 0)}
    for key, value in want.items():
        assert_same_bits(got[key], value, key)
    assert got["mean"] != got["mean_dbl"]


@pytest.mark.r
def test_empty_input_as_r(r_call):
    e, m0 = np.zeros(0), np.zeros((0, 2))
    want = r_call("function(e, m0) list(mean = mean(e), var = var(e), sd = sd(e), "
                  "q = quantile(e, c(0.1, 0.5), names = FALSE), cm = colMeans(m0), "
                  "sc = attr(scale(m0), 'scaled:scale'), center = attr(scale(m0), 'scaled:center'), "
                  "cov = unname(var(m0)))", e, m0)
    s = rnum.scale(m0)
    got = {"mean": rnum.mean(e), "var": rnum.var(e), "sd": rnum.sd(e), "q": rnum.quantile(e, [0.1, 0.5]),
           "cm": rnum.col_means(m0), "sc": s.scale, "center": s.center, "cov": rnum.var(m0)}
    for key, value in want.items():
        assert_same_bits(got[key], value, key)


@pytest.mark.r
def test_random_sweep_of_short_vectors(r_call):
    """300 vectors of 2..40 values over random magnitudes and offsets: every function, one R call."""
    rng = np.random.default_rng(2026)
    sizes = rng.integers(2, 41, 300)
    vectors = [rng.normal(size=k) * 10.0 ** rng.integers(-8, 12) + rng.choice([0.0, 1e6, -3e9])
               for k in sizes]
    groups = np.repeat(np.arange(1, len(sizes) + 1), sizes)
    want = r_call("""function(v, g) {
        one <- function(x) suppressWarnings(c(mean(x), var(x), sd(x), colMeans(cbind(x)),
            quantile(x, c(0.1, 0.37, 0.9), names = FALSE), cor(x, rev(x)), cor(cbind(x, rev(x)))[1, 2],
            cor(x, rev(x), use = "pairwise.complete.obs"), scale(x)[c(1, length(x))], round(x[1], 3)))
        unlist(lapply(split(v, g), one), use.names = FALSE)
    }""", np.concatenate(vectors), groups.astype(np.int32))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = np.concatenate([[rnum.mean(x), rnum.var(x), rnum.sd(x), rnum.col_means(x[:, None])[0],
                               *rnum.quantile(x, [0.1, 0.37, 0.9]), rnum.cor(x, x[::-1]),
                               rnum.cor(np.column_stack([x, x[::-1]]))[0, 1],
                               rnum.cor(x, x[::-1], use="pairwise.complete.obs"),
                               *rnum.scale(x).x[[0, -1]], rnum.round(x[0], 3)] for x in vectors])
    assert_same_bits(got, want, "sweep")
