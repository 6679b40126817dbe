test_that("tf is TensorFlow, on the recorded Python unless RETICULATE_PYTHON says otherwise", {
  expect_s3_class(tf_version(), "numeric_version")
  expect_identical(as.character(tf_version()),
                   regmatches(tf$`__version__`, regexpr("^[0-9]+(\\.[0-9]+)*", tf$`__version__`)))
  config <- parity_python_config()
  python <- Sys.getenv("RETICULATE_PYTHON", config$python)
  if (!is.na(python) && nzchar(python))
    expect_equal(normalizePath(reticulate::py_config()$python), normalizePath(python))
})

test_that("set_random_seed seeds R and Keras' generators (the same draws after a reseed)", {
  set_random_seed(3)
  r1 <- runif(1)
  k1 <- as.numeric(tf$keras$random$uniform(list(2L), seed = NULL))
  set_random_seed(3)
  expect_identical(runif(1), r1)
  expect_identical(as.numeric(tf$keras$random$uniform(list(2L), seed = NULL)), k1)
  expect_error(set_random_seed("a"), "expected one integer")
})

test_that("tensors convert to R values", {
  t <- tf$constant(c(1.5, 2.5))
  expect_identical(as.numeric(t), c(1.5, 2.5))
  expect_identical(as.integer(tf$constant(c(1L, 2L))), c(1L, 2L))
  expect_equal(dim(as.array(tf$constant(matrix(1:6, 2)))), c(2L, 3L))
})

test_that("install_tensorflow says what to do instead", {
  expect_error(install_tensorflow(), "keras-caret-parity's stand-in")
})

test_that("arithmetic and comparisons on tensors stay tensors", {
  t <- tf$constant(c(1L, 2L, 3L))
  expect_identical(as.integer(t + 1L), c(2L, 3L, 4L))
  expect_identical(as.logical(t > 1L), c(FALSE, TRUE, TRUE))
  expect_identical(as.integer(-t), c(-1L, -2L, -3L))
})
