# keras-caret-parity's R keras: R keras 2.x's verbs on reticulate. Keras is reached as
# tf$keras, so TF_USE_LEGACY_KERAS=1 gives Keras 2 (tf-keras) to this package and to a Python
# port alike. Nothing here starts Python when the package loads: `keras` below is bound on
# first use.

.onLoad <- function(libname, pkgname) {
  ns <- environment(sys.function())
  cache <- NULL
  # `keras`, as the real package exports it: the Keras module (here tf$keras)
  makeActiveBinding("keras", function() {
    if (is.null(cache)) {
      cache <<- tensorflow::tf$keras
      # Keras 3 warns that input_shape belongs to an Input layer; R keras 2 passes it to the
      # layer, and Keras 3 still honours it
      reticulate::py_run_string(paste0("import warnings; warnings.filterwarnings('ignore', ",
                                       "message='Do not pass an `input_shape`')"))
    }
    cache
  }, ns)
}

# What this implementation is, for run records and `parity doctor` (parityrun's
# parity_keras_implementation() reads it).
parity_implementation <- function() {
  list(name = "keras (keras-caret-parity)", package_version = as.character(utils::packageVersion("keras")),
       follows = "R keras 2.11.1-2.16.1", library = dirname(system.file(package = "keras")))
}

# The error for what the real package has and this one lacks.
lacks <- function(what, fn) {
  stop(fn, "(): ", what, " is not supported by keras-caret-parity's R keras (",
       "it follows R keras 2.x's API but lacks this); see the covered verbs in its README",
       call. = FALSE)
}

# `...` of a verb whose real signature has no `...`: any argument is one we lack or a typo.
check_dots <- function(fn, dots) {
  if (!length(dots)) return(invisible())
  nms <- names(dots)
  if (is.null(nms)) nms <- rep("", length(dots))
  what <- ifelse(nzchar(nms), paste0("argument '", nms, "'"),
                 paste0("an unnamed argument (position ", seq_along(nms), ")"))
  lacks(paste(what, collapse = ", "), fn)
}

not_implemented <- function(fn) function(...) lacks("this verb", fn)
