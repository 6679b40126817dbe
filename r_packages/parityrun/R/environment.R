# The side's execution environment: TensorFlow's thread pools from the `threads` setting (NA:
# TensorFlow's default), read once, when TensorFlow starts - so before anything imports it
# (library(keras) does not). With `project_root` (old scripts), that checkout's Python and
# Keras cache where the caller has set none; the installed tensorflow package already knows
# the Python and cache recorded by setup.sh.
parity_tf_environment <- function(project_root = NULL, threads = NA) {
  if (!is.null(project_root)) {
    if (Sys.getenv("RETICULATE_PYTHON") == "" && !reticulate::py_available(initialize = FALSE))
      Sys.setenv(RETICULATE_PYTHON = file.path(project_root, ".venv", "bin", "python"))
    if (Sys.getenv("KERAS_HOME") == "") Sys.setenv(KERAS_HOME = file.path(project_root, ".keras"))
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
