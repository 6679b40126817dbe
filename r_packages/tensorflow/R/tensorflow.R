# The parts of R tensorflow (2.16) that R keras scripts use. The Python module is imported on
# first use (reticulate's delay_load), so loading this package starts no Python: a script can
# still set TensorFlow's environment (threads, log level) after library(keras).

tf <- NULL

.onLoad <- function(libname, pkgname) {
  parity_configure_python(parity_python_config())
  tf <<- reticulate::import("tensorflow", delay_load = TRUE)
}

# The Python and Keras cache recorded when the package was installed (r_packages/install.R
# writes inst/parity/config.dcf into the copy it installs); absent in a source tree.
parity_python_config <- function() {
  file <- system.file("parity", "config.dcf", package = "tensorflow")
  config <- if (nzchar(file)) as.list(read.dcf(file)[1, ]) else list()
  list(python = config$Python %||% NA_character_, keras_home = config$KerasHome %||% NA_character_,
       file = if (nzchar(file)) file else NA_character_)
}

`%||%` <- function(x, y) if (is.null(x)) y else x

# Before Python starts: the recorded Python, unless RETICULATE_PYTHON names one (the user's
# choice wins) or Python is already running; KERAS_HOME set to the recorded project cache only
# where the user has not set it, so Keras' own loaders find setup.sh's Fashion-MNIST files;
# TensorFlow's C++ log level 2 (warnings and errors), as the real package sets it, unless set.
parity_configure_python <- function(config) {
  if (reticulate::py_available(initialize = FALSE)) return(invisible(FALSE))
  if (!nzchar(Sys.getenv("RETICULATE_PYTHON")) && !is.na(config$python)) {
    if (!file.exists(config$python))
      packageStartupMessage("tensorflow: the Python recorded at installation (", config$python,
                            ") is gone; reinstall the R packages (./setup.sh) or set RETICULATE_PYTHON")
    else reticulate::use_python(config$python, required = TRUE)
  }
  if (!nzchar(Sys.getenv("KERAS_HOME")) && !is.na(config$keras_home) && dir.exists(config$keras_home))
    Sys.setenv(KERAS_HOME = config$keras_home)
  if (!nzchar(Sys.getenv("TF_CPP_MIN_LOG_LEVEL"))) Sys.setenv(TF_CPP_MIN_LOG_LEVEL = "2")
  invisible(TRUE)
}

# TensorFlow's version, as a numeric_version ("2.21.0-rc1" -> 2.21.0).
tf_version <- function() {
  v <- tf$`__version__`
  numeric_version(regmatches(v, regexpr("^[0-9]+(\\.[0-9]+)*", v)))
}

tf_config <- function() {
  structure(list(available = TRUE, version = tf_version(), version_str = tf$`__version__`,
                 location = dirname(tf$`__file__`), python = reticulate::py_config()$python,
                 python_version = reticulate::py_config()$version),
            class = "tensorflow_config")
}

# R tensorflow's set_random_seed(): R's RNG and Python's, NumPy's and TensorFlow's seeds,
# through keras.utils.set_random_seed(), which sets the last three.
set_random_seed <- function(seed, disable_gpu = TRUE) {
  given <- seed
  seed <- suppressWarnings(as.integer(seed))
  if (length(seed) != 1L || is.na(seed))
    stop("set_random_seed(seed = ", deparse(given), "): expected one integer", call. = FALSE)
  if (disable_gpu) Sys.setenv(CUDA_VISIBLE_DEVICES = "")
  set.seed(seed)
  tf$keras$utils$set_random_seed(seed)
  invisible(NULL)
}

install_tensorflow <- function(...) {
  stop("install_tensorflow(): this tensorflow package is keras-caret-parity's stand-in, which ",
       "uses the Python recorded at installation (", parity_python_config()$python,
       "); install TensorFlow into that Python with pip, or reinstall with r_packages/install.R",
       call. = FALSE)
}

# The generic R keras' evaluate() methods belong to (as in R tensorflow).
evaluate <- function(object, ...) UseMethod("evaluate")

# Eager tensors to R values (what R tensorflow's methods give): through NumPy.
as.array.tensorflow_tensor <- function(x, ...) {
  value <- x$numpy()
  if (inherits(value, "python.builtin.object")) value <- reticulate::py_to_r(value)
  if (is.null(dim(value)) && length(value) != 1L) value <- array(value, dim = length(value))
  value
}
as.numeric.tensorflow_tensor <- function(x, ...) as.numeric(as.array.tensorflow_tensor(x))
as.double.tensorflow_tensor <- as.numeric.tensorflow_tensor
as.integer.tensorflow_tensor <- function(x, ...) as.integer(as.array.tensorflow_tensor(x))
as.logical.tensorflow_tensor <- function(x, ...) as.logical(as.array.tensorflow_tensor(x))

# Arithmetic and comparisons on tensors stay tensors (as in R tensorflow); an R value on either
# side becomes a tensor of the other side's dtype.
Ops.tensorflow_tensor <- function(e1, e2) {
  is_tensor <- function(x) inherits(x, "python.builtin.object")
  if (missing(e2)) {
    if (.Generic == "-") return(tf$negative(e1))
    if (.Generic == "!") return(tf$logical_not(e1))
    if (.Generic == "+") return(e1)
  }
  f <- switch(.Generic, "+" = tf$add, "-" = tf$subtract, "*" = tf$multiply, "/" = tf$truediv,
              "^" = tf$pow, "%%" = tf$math$floormod, "%/%" = tf$math$floordiv,
              "==" = tf$equal, "!=" = tf$not_equal, "<" = tf$less, "<=" = tf$less_equal,
              ">" = tf$greater, ">=" = tf$greater_equal, "&" = tf$logical_and,
              "|" = tf$logical_or,
              stop("operator ", .Generic, " on a tensor is not supported by keras-caret-parity's ",
                   "tensorflow", call. = FALSE))
  if (!is_tensor(e1)) e1 <- tf$convert_to_tensor(e1, dtype = e2$dtype)
  if (!is_tensor(e2)) e2 <- tf$convert_to_tensor(e2, dtype = e1$dtype)
  f(e1, e2)
}
