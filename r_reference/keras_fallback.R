# The R keras 2.x verbs the seed uses, on reticulate, for machines where the R package `keras`
# cannot be installed or cannot run (CRAN is unreachable here). r_reference/keras_select.R
# decides whether this file or the real package is used.
#
# Each verb is a thin wrapper that does what the R keras package does (checked against the
# sources of keras 2.11.1 and 2.16.1, R/layers-core.R, R/model.R, R/history.R):
#   - units, epochs, batch sizes and shapes are converted to integers (as.integer,
#     normalize_shape); fit() and predict() pass batch_size = 32 and verbose = "auto" by
#     default, and fit() shuffles;
#   - arrays go to Keras through keras_array(): reticulate::np_array, R doubles cast to the
#     backend's float32, in C order (R keras's own array conversion);
#   - layer functions add the layer to the piped model in place and return the model
#     invisibly, and name the layers as the real package does (see pipe_layer());
#   - summary() prints Keras' summary at getOption("width") with blank lines dropped and
#     returns the text invisibly; print() and format() of a model give the same text;
#   - fit() returns a "keras_training_history" invisibly, with Keras' params (verbose, epochs,
#     steps); print() and as.data.frame() of it work as in R keras;
#   - predict_classes(): the real verb warns and then fails on TensorFlow >= 2.6, which removed
#     the Python method (Sequential.predict_classes) it called. Here it warns and returns what
#     that method returned: the argmax of predict(), 0-based (keras_fallback_predict_classes).
# Keras is reached as tf$keras, so TF_USE_LEGACY_KERAS=1 switches this file and the Python
# port to Keras 2 (tf-keras) together.

suppressPackageStartupMessages({
  library(reticulate)
  library(magrittr)
  library(zeallot)  # provides %<-%, as R keras re-exports it
})

tf <- import("tensorflow")
keras <- tf$keras
np <- import("numpy", convert = FALSE)
# Keras 3 warns that input_shape belongs to an Input layer; R keras 2 passes it to the layer.
py_run_string("import warnings; warnings.filterwarnings('ignore', message='Do not pass an `input_shape`')")

keras_fallback_version <- "keras_fallback.R 1.1 (R keras 2.11-2.16 verbs on reticulate)"
keras_fallback_predict_classes <- paste(
  "emulated by keras_fallback.R: the pre-2.6 Sequential.predict_classes, i.e. the argmax of",
  "predict(), 0-based (TensorFlow 2.6 removed it; there the R keras package warns, then fails)")

keras_array <- function(x, dtype = NULL) {
  if (is.null(x) || inherits(x, "python.builtin.object")) return(x)
  if (is.null(dtype) && is.double(x)) dtype <- keras$backend$floatx()
  if (!is.array(x)) x <- as.array(x)
  np_array(x, dtype = dtype, order = "C")
}

as_nullable_integer <- function(x) if (is.null(x)) NULL else as.integer(x)

# R keras passes verbose = "auto" through to Keras (TensorFlow >= 2.9), integers otherwise.
as_verbose <- function(verbose) {
  if (identical(verbose, "auto")) return("auto")
  if (length(verbose) != 1 || is.na(suppressWarnings(as.integer(verbose))))
    stop("verbose = ", deparse(verbose), ": expected \"auto\", 0, 1 or 2", call. = FALSE)
  as.integer(verbose)
}

normalize_shape <- function(shape) {
  if (is.null(shape)) return(NULL)
  do.call(tuple, lapply(as.list(shape), as_nullable_integer))
}

is_keras_model <- function(object) {
  inherits(object, "python.builtin.object") &&
    py_has_attr(object, "layers") && py_has_attr(object, "compile")
}

add_layer <- function(object, layer) {
  if (!is_keras_model(object))
    stop("expected a Keras model to add the layer to, got an object of class ",
         paste(class(object), collapse = "/"), call. = FALSE)
  object$add(layer)
  invisible(object)
}

# ---- layer names ---------------------------------------------------------------------------
# The real layer_*() creates its layer before it forces the piped model (create_layer() then
# compose_layer()). magrittr >= 2.0 evaluates a pipe lazily, outermost call first, so the last
# layer of `model %>% layer_a() %>% layer_b()` is created - and named - first: in the seed's
# model the 10-unit output layer is `dense` and the 128-unit layer `dense_3` (with magrittr
# < 2.0, eager, the names ran in pipe order; this code follows either, as it follows the pipe).
# Here the name is taken at that same moment, but the layer is created after the model is
# forced, i.e. in pipe order. Creation order sets the numbers under Keras 3: each layer draws
# its initializer seed and its Dropout seed generator from Python's `random` when it is
# created, so reversed creation changes the weights (measured: set_random_seed(42), max |diff|
# of the predictions 0.65) and would break R-vs-Python bit identity, the Python port creating
# its layers in order. Under Keras 2 (tf-keras), the only generation a real R keras 2.x runs
# on, creation order does not change a bit (measured: identical weights and predictions), so
# there these names with this order reproduce the real package exactly.
reserve_layer_name <- local({
  reserve <- NULL
  function(prefix) {
    if (is.null(reserve)) reserve <<- keras_name_reserver()
    reserve(prefix)
  }
})

# Keras' own counter of automatic names, so a later unnamed layer continues the sequence:
# Keras 2 names layers with backend.unique_object_name(zero_based = TRUE) (keras.backend up to
# 2.12, keras.src.backend / tf_keras.src.backend later); Keras 3 with a counter that its public
# keras.backend.get_uid() shares (1 -> "dense", 2 -> "dense_1", ...).
keras_name_reserver <- function() {
  root <- strsplit(keras$`__name__`, ".", fixed = TRUE)[[1]][1]  # "keras" or "tf_keras"
  for (module in paste0(root, c(".src.backend", ".backend"))) {
    backend <- tryCatch(import(module), error = function(e) NULL)
    if (!is.null(backend) && py_has_attr(backend, "unique_object_name"))
      return(function(prefix) backend$unique_object_name(prefix, zero_based = TRUE))
  }
  function(prefix) {
    n <- as.integer(keras$backend$get_uid(prefix))
    if (n == 1L) prefix else paste0(prefix, "_", n - 1L)
  }
}

# A layer verb's body: with no model, the layer itself; with a model, the layer is named
# before the model (the pipe's earlier steps) is evaluated, created after it, then added.
pipe_layer <- function(object, layer_class, args, prefix) {
  if (missing(object)) return(do.call(layer_class, args))
  if (is.null(args$name)) args$name <- reserve_layer_name(prefix)
  model <- object  # forces the earlier steps of the pipe
  layer <- do.call(layer_class, args)
  if (is.null(model)) return(layer)
  add_layer(model, layer)
}

dataset_fashion_mnist <- function() {
  dataset <- keras$datasets$fashion_mnist$load_data()
  list(train = list(x = dataset[[1]][[1]], y = dataset[[1]][[2]]),
       test = list(x = dataset[[2]][[1]], y = dataset[[2]][[2]]))
}

keras_model_sequential <- function(layers = NULL, name = NULL) {
  keras$models$Sequential(layers = layers, name = name)
}

layer_flatten <- function(object, input_shape = NULL, name = NULL) {
  args <- list(name = name)
  if (!is.null(input_shape)) args$input_shape <- normalize_shape(input_shape)
  pipe_layer(object, keras$layers$Flatten, args, "flatten")
}

layer_dense <- function(object, units, activation = NULL, name = NULL) {
  pipe_layer(object, keras$layers$Dense,
             list(units = as.integer(units), activation = activation, name = name), "dense")
}

layer_dropout <- function(object, rate, name = NULL) {
  pipe_layer(object, keras$layers$Dropout, list(rate = as.numeric(rate), name = name),
             "dropout")
}

compile <- function(object, optimizer, loss, metrics = NULL, steps_per_execution = NULL) {
  args <- list(optimizer = optimizer, loss = loss, metrics = as.list(metrics))
  if (!is.null(steps_per_execution)) args$steps_per_execution <- as.integer(steps_per_execution)
  do.call(object$compile, args)
  invisible(object)
}

# ---- fit and its history ------------------------------------------------------------------
fit <- function(object, x = NULL, y = NULL, batch_size = NULL, epochs = 10, verbose = "auto",
                callbacks = NULL, shuffle = TRUE, initial_epoch = 0, steps_per_epoch = NULL) {
  if (is.null(batch_size) && is.null(steps_per_epoch)) batch_size <- 32L  # as R keras
  if (!is.null(callbacks) && !is.list(callbacks)) callbacks <- list(callbacks)
  history <- object$fit(
    x = keras_array(x), y = keras_array(y), batch_size = as_nullable_integer(batch_size),
    epochs = as.integer(epochs), verbose = as_verbose(verbose), callbacks = callbacks,
    shuffle = shuffle, initial_epoch = as.integer(initial_epoch),
    steps_per_epoch = as_nullable_integer(steps_per_epoch)
  )
  invisible(keras_training_history(history$params, history$history))
}

# Keras' History params (verbose, epochs, steps) and one numeric vector per metric, padded
# with NA to the longest, as R keras's to_keras_training_history() builds them.
keras_training_history <- function(params, history) {
  metrics <- lapply(history, function(values) vapply(values, function(v) mean(as.numeric(v)),
                                                     numeric(1)))
  rows <- max(0L, lengths(metrics))
  metrics <- lapply(metrics, function(v) c(v, rep(NA_real_, rows - length(v))))
  structure(list(params = params, metrics = metrics), class = "keras_training_history")
}

# R keras: one row per epoch and metric; the epochs run to params$epochs, padded with NA
# (a fit() that started at initial_epoch > 0 has fewer values than epochs).
as.data.frame.keras_training_history <- function(x, ...) {
  epochs <- as.integer(x$params$epochs)
  names <- names(x$metrics)
  values <- unlist(lapply(x$metrics, function(v) c(v, rep(NA_real_, epochs - length(v)))),
                   use.names = FALSE)
  is_validation <- grepl("^val_", names)
  df <- data.frame(
    epoch = rep(seq_len(epochs), length(names)),
    value = values,
    metric = factor(rep(sub("^val_", "", names), each = epochs),
                    unique(sub("^val_", "", names))),
    data = factor(rep(is_validation, each = epochs), c(FALSE, TRUE), c("training", "validation"))
  )
  rownames(df) <- NULL
  df
}

# R keras prints the last trained epoch's metrics (4 significant digits); its "Trained on N
# samples" line needs params$samples, which Keras' History has not held since TensorFlow 2.2.
print.keras_training_history <- function(x, ...) {
  epoch <- min(as.integer(x$params$epochs), length(x$metrics[[1]]))
  header <- ""
  if (!is.null(x$params$samples))
    header <- paste0("Trained on ", prettyNum(x$params$samples, big.mark = ","),
                     " samples (batch_size=", x$params$batch_size, ", epochs=", epoch, ")")
  last <- vapply(x$metrics, function(v) prettyNum(v[[epoch]], big.mark = ",", digits = 4,
                                                  scientific = FALSE), character(1))
  labels <- formatC(names(last), width = max(nchar(names(last))))
  cat(paste0(header, "\n", "Final epoch (plot to see history):\n",
             paste0(labels, ": ", last, collapse = "\n")), "\n")
  invisible(x)
}
registerS3method("as.data.frame", "keras_training_history", as.data.frame.keras_training_history)
registerS3method("print", "keras_training_history", print.keras_training_history)

callback_lambda <- function(on_epoch_begin = NULL, on_epoch_end = NULL, on_train_begin = NULL,
                            on_train_end = NULL) {
  keras$callbacks$LambdaCallback(on_epoch_begin = on_epoch_begin, on_epoch_end = on_epoch_end,
                                 on_train_begin = on_train_begin, on_train_end = on_train_end)
}

# ---- predict, predict_classes, summary -----------------------------------------------------
keras_predict <- function(object, x, batch_size = NULL, verbose = "auto", steps = NULL) {
  if (is.null(batch_size) && is.null(steps)) batch_size <- 32L  # as R keras
  object$predict(keras_array(x), batch_size = as_nullable_integer(batch_size),
                 verbose = as_verbose(verbose), steps = as_nullable_integer(steps))
}

predict_classes <- function(object, x, batch_size = NULL, verbose = 0, steps = NULL) {
  warning("predict_classes() was removed from TensorFlow in version 2.6; keras_fallback.R ",
          "returns what it returned: the argmax of predict(), 0-based", call. = FALSE)
  proba <- keras_predict(object, x, batch_size = batch_size, verbose = verbose, steps = steps)
  classes_of(proba)
}

# What Sequential.predict_classes returned: the argmax for more than one output unit, else the
# 0.5 threshold (ties to the first maximum, as numpy's argmax).
classes_of <- function(proba) {
  if (ncol(proba) > 1L) return(as.integer(max.col(proba, ties.method = "first") - 1L))
  array(as.integer(proba > 0.5), dim = dim(proba))
}

# R keras's format() of a model: Keras' summary at the console width (less 11 columns when a
# "Trainable" column is shown), captured from stdout, trimmed, blank lines dropped.
# (R keras passes show_trainable on TensorFlow >= 2.8, which every TensorFlow this project's
# seeds need - set_random_seed, enable_op_determinism - is.)
model_summary_text <- function(object, line_length = NULL, show_trainable = NULL, ...,
                               compact = TRUE, width = getOption("width")) {
  if (!object$built) return("Model: <no summary available, model was not built>")
  if (is.null(show_trainable)) show_trainable <- length(object$non_trainable_weights) > 0L
  if (is.null(line_length)) line_length <- width - 11L * show_trainable
  # Keras 3 draws the table with rich, whose console is only as wide as the terminal (80
  # columns without one); COLUMNS widens it to line_length for this call. Keras 2 ignores it.
  environ <- import("os")$environ
  columns <- environ$get("COLUMNS")
  environ$update(list(COLUMNS = as.character(as.integer(line_length))))
  on.exit(if (is.null(columns)) environ$pop("COLUMNS", NULL)
          else environ$update(list(COLUMNS = columns)), add = TRUE)
  text <- trimws(py_capture_output(
    object$summary(line_length = as.integer(line_length), show_trainable = show_trainable, ...),
    type = "stdout"))
  if (compact) text <- gsub("\n\\s*\n", "\n", text, perl = TRUE)
  text
}

# predict(), summary(), format() and print() dispatch on the model's Python classes, under
# each Keras generation.
for (cls in c("keras.src.models.model.Model", "tf_keras.src.engine.training.Model",
              "keras.src.engine.training.Model", "keras.engine.training.Model")) {
  registerS3method("predict", cls, function(object, x, batch_size = NULL, verbose = "auto",
                                            steps = NULL, ...)
    keras_predict(object, x, batch_size = batch_size, verbose = verbose, steps = steps))
  registerS3method("format", cls, function(x, ...) model_summary_text(x, ...))
  registerS3method("summary", cls, function(object, ...) {
    writeLines(text <- model_summary_text(object, ...))
    invisible(text)
  })
  registerS3method("print", cls, function(x, ...) {
    writeLines(model_summary_text(x, ...))
    invisible(x)
  })
}
