test_that("a run directory is written with exact arrays, read back by NumPy", {
  out <- file.path(tempfile("runs"), "run")
  dir.create(dirname(out))
  opts <- parity_args(c("--out", out, "--epochs", "3"), settings = list(epochs = 1L, seed = 42L))
  expect_identical(opts$settings, list(epochs = 3L, seed = 42L))
  run <- parity_run_open(opts$out, settings = opts$settings)
  x <- c(0.1, NA, NaN, 1 / 3)
  parity_run_array(run, "x", x)
  parity_run_array(run, "m", matrix(1:6, 2))
  parity_run_text(run, "note", "hello")
  parity_run_close(run)
  expect_setequal(list.files(out), c("run.json", "x.npy", "m.npy", "note.txt"))
  np <- reticulate::import("numpy", convert = FALSE)
  got <- reticulate::py_to_r(np$load(file.path(out, "x.npy"), allow_pickle = FALSE))
  expect_identical(as.numeric(got)[c(1, 4)], x[c(1, 4)])
  m <- reticulate::py_to_r(np$load(file.path(out, "m.npy"), allow_pickle = FALSE))
  expect_identical(m, matrix(1:6, 2))
  meta <- jsonlite::fromJSON(file.path(out, "run.json"))
  expect_equal(meta$contract, "parity-run")
  expect_equal(meta$settings$epochs, 3L)
})

test_that("bad settings are errors naming the value", {
  expect_error(parity_args(c("--out", "x", "--epochs", "zero"), list(epochs = 1L)),
               "option --epochs: 'zero' is not an integer")
  expect_error(parity_args(c("--out", "x", "--what"), list(epochs = 1L)), "unknown argument '--what'")
})

test_that("keras_choose: a real R keras runs only on a Keras it knows", {
  expect_equal(keras_choose(NA, "2.21.0", FALSE, NA)$use, "fallback")
  expect_equal(keras_choose("2.16.1", "2.21.0", TRUE, "2.21.0")$use, "keras")
  expect_match(keras_choose("2.11.1", "2.21.0", FALSE, NA)$reason, "does not run on Keras 3")
})

test_that("parity_keras_implementation says which keras library(keras) loads, and why", {
  info <- parity_keras_implementation(load = FALSE)
  expect_true(all(vapply(info, is.character, TRUE)))
  if (identical(utils::packageDescription("keras", fields = "Implementation"), "keras-caret-parity")) {
    expect_equal(info$name, "keras (keras-caret-parity)")
    expect_equal(info$runs, "true")
    expect_match(info$reason, "no real R keras package is installed")
  }
  lib <- tempfile("fake")
  dir.create(file.path(lib, "keras"), recursive = TRUE)
  writeLines(c("Package: keras", "Version: 2.11.1", "Built: R 4.2.2; ; 2026-01-01 00:00:00 UTC; unix"),
             file.path(lib, "keras", "DESCRIPTION"))
  old <- .libPaths()
  on.exit(.libPaths(old))
  .libPaths(c(lib, old))
  real <- parity_keras_implementation(load = FALSE)
  expect_equal(real$name, "keras (CRAN)")
  expect_equal(real$version, "2.11.1")
})
