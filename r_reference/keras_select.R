# Which R keras runs the seed: the real R package `keras` where it can run on this Python,
# else r_reference/keras_fallback.R. Sourced (into the global environment) by fashion_mnist.R:
#
#   source(file.path(script_dir, "keras_select.R"))
#
# Afterwards the seed's verbs (layer_dense, fit, predict_classes, ...), `keras` and `tf` are
# defined, one line "keras: using ... (why)" has been printed, and `keras_impl` records the
# choice, all as character strings:
#   name                "keras (CRAN)" or "keras_fallback.R"
#   version             the R package's version, or keras_fallback_version
#   reason              why this implementation was chosen
#   keras_generation    "Keras 2 (bundled with TensorFlow)", "Keras 2 (tf-keras)" or "Keras 3"
#   keras_package       the Python package behind tf.keras: "keras" or "tf_keras"
#   keras_version       its __version__ (tf.keras has none under tf-keras: tf_keras's)
#   tensorflow_version  TensorFlow's __version__
#   predict_classes     how predict_classes() obtains the classes
#
# The decision is keras_choose(), a pure function of versions, so that it can be tested
# without installing the real package.

suppressPackageStartupMessages(library(reticulate))

keras_select_dir <- local({
  # source() keeps the file it reads in `ofile`; fashion_mnist.R's script_dir otherwise.
  files <- unlist(lapply(rev(sys.frames()), function(frame)
    if (exists("ofile", envir = frame, inherits = FALSE)) get("ofile", envir = frame)))
  files <- Filter(function(f) is.character(f) && grepl("keras_select\\.R$", f), files)
  if (length(files)) dirname(normalizePath(files[[1]]))
  else if (exists("script_dir")) script_dir
  else stop("keras_select.R: cannot tell its own directory; source() it by its path",
            call. = FALSE)
})

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
# "fallback", reason, keras_generation).
#   keras_pkg     the installed R keras package's version, NA when not installed
#   tensorflow    the Python TensorFlow version
#   legacy_keras  TRUE when TF_USE_LEGACY_KERAS asks TensorFlow for Keras 2 (tf-keras)
#   tf_keras      the installed tf_keras version, NA when not installed
#   unmet         the package's unmet R requirements (package_requirements_unmet())
# The real package runs only where its Python classes are ones it knows - the S3 methods
# behind `model %>% layer_dense()`, fit() and summary() dispatch on them (its class filter in
# R/package.R): keras.engine.* (Keras <= 2.12), keras.src.engine.* (Keras 2.13-2.15, from R
# keras 2.13.0), tf_keras.src.engine.* (tf-keras, from R keras 2.16.0). No R keras 2.x knows
# Keras 3's classes. R keras 2.16 sets TF_USE_LEGACY_KERAS=1 when it loads; it is used only
# where the environment already asks for tf-keras, so that the Python side (which reads the
# same variable) trains on the same Keras.
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
# would set TF_USE_LEGACY_KERAS=1 whatever is chosen); NA when not installed.
installed_version <- function(pkg) {
  if (!nzchar(system.file(package = pkg))) return(NA_character_)
  utils::packageDescription(pkg, fields = "Version")
}

# The version requirements of `pkg` and of everything it imports that this R does not meet,
# e.g. "reticulate >= 1.31 (installed: 1.28)": loadNamespace() would refuse them.
package_requirements_unmet <- function(pkg) {
  seen <- character()
  unmet <- character()
  visit <- function(p) {
    if (p %in% seen) return(invisible())
    seen <<- c(seen, p)
    fields <- utils::packageDescription(p, fields = c("Depends", "Imports"))
    deps <- trimws(unlist(strsplit(paste(na.omit(unlist(fields)), collapse = ","), ",")))
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
  info <- py_eval(paste(
    "lambda tf: (lambda root: (root, str(getattr(__import__(root), '__version__', '') or",
    "getattr(tf.keras, '__version__', ''))))(tf.keras.__name__.split('.')[0])"))(tf_module)
  list(package = info[[1]], version = info[[2]])
}

local({
  py_tf <- import("tensorflow")
  py_env <- import("os")$environ
  # TensorFlow reads the variable from Python's environment, as here.
  legacy <- py_env$get("TF_USE_LEGACY_KERAS", "") %in% c("1", "true", "True")
  tf_keras <- if (py_module_available("tf_keras")) import("importlib.metadata")$version("tf_keras")
              else NA_character_
  keras_pkg <- installed_version("keras")
  unmet <- if (is.na(keras_pkg)) character() else package_requirements_unmet("keras")
  choice <- keras_choose(keras_pkg, py_tf$`__version__`, legacy, tf_keras, unmet)
  if (choice$use == "keras" && !requireNamespace("keras", quietly = TRUE))
    choice <- list(use = "fallback", keras_generation = choice$keras_generation,
                   reason = paste("the R keras package", keras_pkg, "failed to load"))
  assign("keras_choice", c(choice, tensorflow = py_tf$`__version__`, keras_pkg = keras_pkg),
         envir = globalenv())
})

if (keras_choice$use == "keras") {
  suppressPackageStartupMessages(library(keras))
  tf <- tensorflow::tf
  keras_impl <- list(name = "keras (CRAN)", version = keras_choice$keras_pkg)
  if (as_version(keras_choice$tensorflow) >= "2.6") {
    # The seed's `model %>% predict_classes(x)` would warn and then fail (the Python method is
    # gone): a warning, then the classes Sequential.predict_classes returned. This masks
    # keras::predict_classes, as keras_fallback.R's does.
    predict_classes <- function(object, x, batch_size = NULL, verbose = 0, steps = NULL) {
      warning("predict_classes() was removed from TensorFlow in version 2.6; keras_select.R ",
              "returns what it returned: the argmax of predict(), 0-based", call. = FALSE)
      proba <- predict(object, x, batch_size = batch_size, verbose = verbose, steps = steps)
      if (ncol(proba) > 1L) as.integer(max.col(proba, ties.method = "first") - 1L)
      else array(as.integer(proba > 0.5), dim = dim(proba))
    }
    keras_impl$predict_classes <- paste(
      "emulated by keras_select.R: the R keras package's predict_classes() fails on",
      "TensorFlow", keras_choice$tensorflow, "(removed in 2.6); classes = the argmax of",
      "predict(), 0-based, as the pre-2.6 Sequential.predict_classes")
  } else {
    keras_impl$predict_classes <- "the R keras package's predict_classes() (Sequential.predict_classes)"
  }
} else {
  source(file.path(keras_select_dir, "keras_fallback.R"))
  keras_impl <- list(name = "keras_fallback.R", version = keras_fallback_version,
                     predict_classes = keras_fallback_predict_classes)
}
keras_impl <- local({
  py <- keras_python_version(tf)
  c(keras_impl[c("name", "version")], list(
    reason = keras_choice$reason, keras_generation = keras_choice$keras_generation,
    keras_package = py$package, keras_version = py$version,
    tensorflow_version = keras_choice$tensorflow, predict_classes = keras_impl$predict_classes))
})
cat("keras: using ",
    if (keras_impl$name == "keras_fallback.R") "r_reference/keras_fallback.R"
    else paste("the R keras package", keras_impl$version),
    " (", keras_impl$reason, ")\n", sep = "")
rm(keras_choice)
