# Which R keras runs, and why: for run records (run.json's `implementation`) and for
# `parity doctor` (Rscript -e 'parityrun::parity_keras_implementation(load = FALSE)').
#
# `library(keras)` loads the first `keras` on R's library path. setup.sh (r_packages/install.R)
# installs keras-caret-parity's keras only where no real R keras package is installed, and marks
# it in its DESCRIPTION (`Implementation: keras-caret-parity`), so the two can be told apart. A
# real package runs only where its Python classes are ones it knows (keras_choose()).

# "2.16.0rc0" -> 2.16.0; NA stays NA.
as_version <- function(x) {
  if (is.null(x) || length(x) == 0 || is.na(x) || !nzchar(x)) return(NA)
  numeric_version(regmatches(x, regexpr("^[0-9]+(\\.[0-9]+)*", x)))
}

# The Keras that tf.keras is: TensorFlow up to 2.15 bundles Keras 2; from 2.16 it is Keras 3
# unless TF_USE_LEGACY_KERAS=1 and tf-keras is installed; NA when tf.keras cannot be imported
# (TensorFlow raises ImportError: legacy Keras asked for, tf-keras absent).
keras_generation <- function(tensorflow, legacy_keras, tf_keras) {
  if (as_version(tensorflow) < "2.16") return("Keras 2 (bundled with TensorFlow)")
  if (!legacy_keras) return("Keras 3")
  if (!is.na(tf_keras)) return("Keras 2 (tf-keras)")
  NA_character_
}

# keras_choose(keras_pkg, tensorflow, legacy_keras, tf_keras, unmet): list(use = "keras" or
# "fallback", reason, keras_generation) - whether a real R keras package can run here.
#   keras_pkg     the installed real R keras package's version, NA when not installed
#   tensorflow    the Python TensorFlow version
#   legacy_keras  TRUE when TF_USE_LEGACY_KERAS asks TensorFlow for Keras 2 (tf-keras)
#   tf_keras      the installed tf_keras version, NA when not installed
#   unmet         the package's unmet R requirements (package_requirements_unmet())
# The real package runs only where its Python classes are ones it knows - the S3 methods
# behind `model %>% layer_dense()`, fit() and summary() dispatch on them (its class filter in
# R/package.R): keras.engine.* (Keras <= 2.12), keras.src.engine.* (Keras 2.13-2.15, from R
# keras 2.13.0), tf_keras.src.engine.* (tf-keras, from R keras 2.16.0). No R keras 2.x knows
# Keras 3's classes. R keras 2.16 sets TF_USE_LEGACY_KERAS=1 when it loads.
keras_choose <- function(keras_pkg, tensorflow, legacy_keras, tf_keras, unmet = character()) {
  generation <- keras_generation(tensorflow, legacy_keras, tf_keras)
  fallback <- function(...) list(use = "fallback", reason = paste0(...),
                                 keras_generation = generation)
  if (is.na(generation))
    stop("TF_USE_LEGACY_KERAS=1 asks TensorFlow ", tensorflow, " for tf-keras, which is not ",
         "installed in this Python; install tf_keras (constraints.txt pins it) or unset ",
         "TF_USE_LEGACY_KERAS", call. = FALSE)
  if (is.na(keras_pkg)) return(fallback("the R keras package is not installed"))
  pkg <- paste("the R keras package", keras_pkg)
  if (length(unmet))
    return(fallback(pkg, " cannot load here: it needs ", paste(unmet, collapse = "; ")))
  v <- as_version(keras_pkg)
  if (generation == "Keras 3") {
    if (v >= "2.16")
      return(fallback(pkg, " runs on tf-keras, not on Keras 3 (TensorFlow ", tensorflow, "), ",
                      if (is.na(tf_keras)) "and tf_keras is not installed"
                      else "and TF_USE_LEGACY_KERAS is not set: the Python side runs Keras 3"))
    return(fallback(pkg, " does not run on Keras 3 (TensorFlow ", tensorflow,
                    "); no R keras 2.x does"))
  }
  if (generation == "Keras 2 (tf-keras)" && v < "2.16")
    return(fallback(pkg, " does not know tf-keras' classes (tf_keras.src.*), ",
                    "known from R keras 2.16.0"))
  if (generation == "Keras 2 (bundled with TensorFlow)" && as_version(tensorflow) >= "2.13" &&
      v < "2.13")
    return(fallback(pkg, " does not know the classes of the Keras in TensorFlow ", tensorflow,
                    " (keras.src.*), known from R keras 2.13.0"))
  list(use = "keras", reason = paste0(pkg, " runs on ", generation, " (TensorFlow ",
                                      tensorflow, ")"),
       keras_generation = generation)
}

# The installed version of an R package, read from its DESCRIPTION (loading R keras 2.16
# would set TF_USE_LEGACY_KERAS=1); NA when not installed. lib.loc: the library path, not an
# already loaded namespace (what library() would load in a fresh session).
installed_version <- function(pkg, lib.loc = .libPaths()) {
  if (!nzchar(system.file(package = pkg, lib.loc = lib.loc))) return(NA_character_)
  utils::packageDescription(pkg, lib.loc = lib.loc, fields = "Version")
}

# TRUE when the `pkg` that library(pkg) would load is keras-caret-parity's.
is_parity_package <- function(pkg, lib.loc = .libPaths()) {
  identical(utils::packageDescription(pkg, lib.loc = lib.loc, fields = "Implementation"),
            "keras-caret-parity")
}

# The version requirements of `pkg` and of everything it imports that this R does not meet,
# e.g. "reticulate >= 1.31 (installed: 1.28)": loadNamespace() would refuse them.
package_requirements_unmet <- function(pkg) {
  seen <- character()
  unmet <- character()
  visit <- function(p) {
    if (p %in% seen) return(invisible())
    seen <<- c(seen, p)
    fields <- utils::packageDescription(p, lib.loc = .libPaths(), fields = c("Depends", "Imports"))
    deps <- trimws(unlist(strsplit(paste(stats::na.omit(unlist(fields)), collapse = ","), ",")))
    for (dep in deps[nzchar(deps)]) {
      name <- sub("[ (\n].*$", "", dep)
      if (name == "R") next
      installed <- installed_version(name)
      need <- regmatches(dep, regexec("\\(\\s*([<>=]+)\\s*([^) ]+)\\s*\\)", dep))[[1]]
      if (is.na(installed)) {
        unmet <<- c(unmet, paste(name, "(not installed)"))
        next
      }
      if (length(need) == 3 &&
          !do.call(need[2], list(numeric_version(installed), numeric_version(need[3]))))
        unmet <<- c(unmet, paste0(name, " ", need[2], " ", need[3], " (installed: ", installed, ")"))
      visit(name)
    }
  }
  visit(pkg)
  unique(unmet)
}

# The Python package behind tf.keras and its version: tf.keras under tf-keras is
# tf_keras.api._v2.keras, which has no __version__; tf_keras has.
keras_python_version <- function(tf_module) {
  info <- reticulate::py_eval(paste(
    "lambda tf: (lambda root: (root, str(getattr(__import__(root), '__version__', '') or",
    "getattr(tf.keras, '__version__', ''))))(tf.keras.__name__.split('.')[0])"))(tf_module)
  list(package = info[[1]], version = info[[2]])
}

#' Which R keras runs here, and why.
#'
#' With `load = FALSE` only the installed packages are read (no Python starts): name,
#' version, library, reason. With `load = TRUE` (default) TensorFlow is imported too and the
#' Keras behind it recorded: keras_generation, keras_package, keras_version,
#' tensorflow_version, and how predict_classes() gets its classes. Every value is a string
#' (run.json's `implementation`).
parity_keras_implementation <- function(load = TRUE) {
  # what library(keras) loads from this library path (lib.loc: not an already loaded namespace)
  path <- find.package("keras", lib.loc = .libPaths(), quiet = TRUE)
  if (!length(path))
    return(list(name = "none", version = NA_character_, library = NA_character_,
                reason = paste("no R keras package is installed; run ./setup.sh, or install",
                               "keras-caret-parity's R packages (Rscript r_packages/install.R)"),
                runs = "false"))
  lib <- dirname(path[1])
  version <- installed_version("keras", lib)
  ours <- is_parity_package("keras", lib)
  info <- list(name = if (ours) "keras (keras-caret-parity)" else "keras (CRAN)",
               version = version, library = lib)
  if (ours) {
    info$reason <- paste0("no real R keras package is installed (CRAN is unreachable here): ",
                          "keras-caret-parity's R keras ", version, " from ", lib,
                          ", which follows R keras 2.11.1-2.16.1")
    info$runs <- "true"
  }
  if (!load && ours) return(info)
  tf <- reticulate::import("tensorflow")
  environ <- reticulate::import("os")$environ
  legacy <- environ$get("TF_USE_LEGACY_KERAS", "") %in% c("1", "true", "True")
  tf_keras <- if (reticulate::py_module_available("tf_keras"))
    reticulate::import("importlib.metadata")$version("tf_keras") else NA_character_
  if (!ours) {
    unmet <- package_requirements_unmet("keras")
    choice <- keras_choose(version, tf$`__version__`, legacy, tf_keras, unmet)
    info$runs <- if (choice$use == "keras") "true" else "false"
    info$reason <- if (choice$use == "keras") paste0(
      "a real R keras package is installed (keras-caret-parity's stays out of its way): ",
      choice$reason) else paste0(
      "a real R keras package is installed, so keras-caret-parity's is not, but ",
      choice$reason, "; it cannot run this script here")
    generation <- choice$keras_generation
  } else {
    generation <- keras_generation(tf$`__version__`, legacy, tf_keras)
  }
  if (!load) return(info)
  py <- keras_python_version(tf)
  info$keras_generation <- generation
  info$keras_package <- py$package
  info$keras_version <- py$version
  info$tensorflow_version <- tf$`__version__`
  info$predict_classes <- if (ours) getExportedValue("keras", "predict_classes_method")
    else if (as_version(tf$`__version__`) >= "2.6") paste(
      "emulated by parityrun::parity_predict_classes(): the R keras package's predict_classes()",
      "fails on TensorFlow", tf$`__version__`, "(removed in 2.6); classes = the argmax of",
      "predict(), 0-based, as the pre-2.6 Sequential.predict_classes")
    else "the R keras package's predict_classes() (Sequential.predict_classes)"
  info
}

# One line for the console: "keras: using ... (why)".
parity_keras_announce <- function(info) {
  cat("keras: using ", info$name, " ", info$version, " (", info$reason, ")\n", sep = "")
  invisible(info)
}

# The predicted-classes rule of R keras' predict_classes() (the pre-2.6 Sequential.predict_classes),
# the one on the R side: parity_predict_classes() and the writer (parity_run_predictions) use it.
# More than one output column: the 0-based argmax of each row, the first on ties; one column (or
# a vector): 1 where the output is above `threshold`, else 0, keeping the shape. The Python twin
# is parity.contract.predicted_classes; keras-caret-parity's keras package keeps its own copy
# (keras:::classes_of_outputs: a package installed as `keras` cannot depend on parityrun), and
# tests/test_predicted_classes_rule.py keeps the three equal.
parity_classes_of <- function(outputs, threshold = 0.5) {
  columns <- if (is.null(dim(outputs))) 1L else prod(dim(outputs)[-1L])
  if (columns > 1L)
    return(as.integer(max.col(matrix(outputs, nrow = dim(outputs)[1L]), ties.method = "first") - 1L))
  classes <- as.integer(outputs > threshold)
  dim(classes) <- dim(outputs)
  classes
}

# For a real R keras on TensorFlow >= 2.6, whose predict_classes() warns and then fails (the
# Python method is gone): a warning, then the classes Sequential.predict_classes returned.
parity_predict_classes <- function(object, x, batch_size = NULL, verbose = 0, steps = NULL) {
  warning("predict_classes() was removed from TensorFlow in version 2.6; parityrun returns ",
          "what it returned: the argmax of predict(), 0-based", call. = FALSE)
  parity_classes_of(stats::predict(object, x, batch_size = batch_size, verbose = verbose, steps = steps))
}
