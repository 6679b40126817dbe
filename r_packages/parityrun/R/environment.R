# The side's execution environment: TensorFlow's thread pools from the `threads` setting (NA:
# TensorFlow's default), read once, when TensorFlow starts - so before anything imports it
# (library(keras) does not). With `project_root` (a checkout holding the script), that
# checkout's .venv Python and .keras cache where they exist and the caller has set none, as the
# Python side defaults to its own checkout's (parity.paths): an audited pair then agrees on its
# data whichever checkout last installed the R packages (they record that one's). Without it,
# the Python and cache the installed tensorflow package recorded.
parity_tf_environment <- function(project_root = NULL, threads = NA) {
  if (!is.null(project_root)) {
    python <- file.path(project_root, ".venv", "bin", "python")
    if (Sys.getenv("RETICULATE_PYTHON") == "" && file.exists(python) &&
        !reticulate::py_available(initialize = FALSE))
      Sys.setenv(RETICULATE_PYTHON = python)
    cache <- file.path(project_root, ".keras")
    if (Sys.getenv("KERAS_HOME") == "" && dir.exists(cache)) Sys.setenv(KERAS_HOME = cache)
  }
  if (Sys.getenv("TF_CPP_MIN_LOG_LEVEL") == "") Sys.setenv(TF_CPP_MIN_LOG_LEVEL = "2")
  if (!is.na(threads)) Sys.setenv(TF_NUM_INTRAOP_THREADS = threads, TF_NUM_INTEROP_THREADS = threads)
  invisible(NULL)
}

keras_callback_lambda <- function(...) getExportedValue("keras", "callback_lambda")(...)

# The Python the installed tensorflow package records (or a real tensorflow's choice), set before
# anything here starts Python (the NPY reader in tests, parity_keras_implementation()).
.onLoad <- function(libname, pkgname) {
  if (nzchar(system.file(package = "tensorflow"))) try(loadNamespace("tensorflow"), silent = TRUE)
}
