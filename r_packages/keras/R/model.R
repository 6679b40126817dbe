# Models: building, compiling, training, evaluating, predicting, inspecting, saving.

keras_model_sequential <- function(layers = NULL, name = NULL, ...) {
  input <- list(...)
  model <- keras$models$Sequential(name = name)
  if (length(input)) {
    # R keras: input_shape, batch_size, dtype, ... in `...` make the model's input layer
    known <- c("input_shape", "batch_size", "dtype", "input_layer_name", "sparse", "batch_shape")
    bad <- setdiff(names(input), known)
    if (length(bad) || is.null(names(input)))
      lacks(paste0("argument '", bad, "'", collapse = ", "), "keras_model_sequential")
    args <- list(shape = normalize_shape(input$input_shape),
                 batch_size = as_nullable_integer(input$batch_size), dtype = input$dtype,
                 name = input$input_layer_name, batch_shape = normalize_shape(input$batch_shape))
    model$add(do.call(keras$Input, Filter(Negate(is.null), args)))
  }
  for (layer in layers) model$add(layer)
  model
}

keras_model <- function(inputs, outputs = NULL, ...) {
  if (is.list(inputs)) inputs <- unname(inputs)
  if (is.list(outputs)) outputs <- unname(outputs)
  keras$models$Model(inputs = inputs, outputs = outputs, ...)
}

check_model <- function(object, fn) {
  if (!is_python(object) || !reticulate::py_has_attr(object, "compile"))
    stop(fn, "(): expected a Keras model, got an object of class ",
         paste(class(object), collapse = "/"), call. = FALSE)
}

compile_keras_model <- function(object, optimizer = NULL, loss = NULL, metrics = NULL,
                                loss_weights = NULL, weighted_metrics = NULL, run_eagerly = NULL,
                                steps_per_execution = NULL, ..., target_tensors = NULL,
                                sample_weight_mode = NULL) {
  if (!is.null(target_tensors)) lacks("argument 'target_tensors'", "compile")
  if (!is.null(sample_weight_mode)) lacks("argument 'sample_weight_mode'", "compile")
  as_list <- function(m) {
    if (is.null(m)) return(NULL)
    if (is_python(m) || is.function(m)) return(list(m))
    as.list(m)
  }
  if (is.numeric(loss_weights)) loss_weights <- as.list(loss_weights)
  args <- list(optimizer = optimizer, loss = loss, metrics = as_list(metrics),
               loss_weights = loss_weights, weighted_metrics = as_list(weighted_metrics),
               run_eagerly = run_eagerly,
               steps_per_execution = as_nullable_integer(steps_per_execution), ...)
  do.call(object$compile, Filter(Negate(is.null), args))
  invisible(object)
}

validation_data_of <- function(validation_data) {
  if (is.null(validation_data) || is_python(validation_data)) return(validation_data)
  if (!is.list(validation_data) || !length(validation_data) %in% 2:3)
    stop("fit(): validation_data = must be list(x_val, y_val) or list(x_val, y_val, ",
         "val_sample_weights), got an object of class ", class(validation_data)[1], call. = FALSE)
  do.call(reticulate::tuple, lapply(validation_data, keras_array))
}

as_class_weight <- function(class_weight) {
  if (is.null(class_weight)) return(NULL)
  if (!is.list(class_weight) || is.null(names(class_weight)))
    stop("class_weight must be a named list of weights", call. = FALSE)
  reticulate::dict(lapply(class_weight, as.numeric))  # "0" -> 0: reticulate makes int keys
}

as_callbacks <- function(callbacks) {
  if (is.null(callbacks)) return(NULL)
  if (is_python(callbacks)) return(list(callbacks))
  callbacks
}

fit_keras_model <- function(object, x = NULL, y = NULL, batch_size = NULL, epochs = 10,
                            verbose = getOption("keras.fit_verbose", default = "auto"),
                            callbacks = NULL,
                            view_metrics = getOption("keras.view_metrics", default = "auto"),
                            validation_split = 0, validation_data = NULL, shuffle = TRUE,
                            class_weight = NULL, sample_weight = NULL, initial_epoch = 0,
                            steps_per_epoch = NULL, validation_steps = NULL, ...) {
  check_dots("fit", list(...))
  if (is.null(batch_size) && is.null(steps_per_epoch)) batch_size <- 32L  # as R keras
  # view_metrics: R keras shows a live plot in RStudio's viewer only; there is none here
  args <- list(
    x = keras_array(x), y = keras_array(y), batch_size = as_nullable_integer(batch_size),
    epochs = as.integer(epochs), verbose = as_verbose(verbose), callbacks = as_callbacks(callbacks),
    validation_split = as.numeric(validation_split),
    validation_data = validation_data_of(validation_data), shuffle = shuffle,
    class_weight = as_class_weight(class_weight), sample_weight = keras_array(sample_weight),
    initial_epoch = as.integer(initial_epoch),
    steps_per_epoch = as_nullable_integer(steps_per_epoch),
    validation_steps = as_nullable_integer(validation_steps))
  history <- do.call(object$fit, Filter(Negate(is.null), args))
  invisible(to_keras_training_history(history))
}

# R keras returns evaluate()'s values as a named numeric vector, named by the model's metrics
# (loss first).
evaluate_keras_model <- function(object, x = NULL, y = NULL, batch_size = NULL, verbose = "auto",
                                 sample_weight = NULL, steps = NULL, callbacks = NULL, ...) {
  check_dots("evaluate", list(...))
  if (is.null(batch_size) && is.null(steps)) batch_size <- 32L
  args <- list(x = keras_array(x), y = keras_array(y), batch_size = as_nullable_integer(batch_size),
               verbose = as_verbose(verbose), sample_weight = keras_array(sample_weight),
               steps = as_nullable_integer(steps), callbacks = as_callbacks(callbacks),
               return_dict = TRUE)
  result <- do.call(object$evaluate, Filter(Negate(is.null), args))
  values <- vapply(result, function(v) as.numeric(v), numeric(1))
  # loss first, then the compiled metrics, as Keras' metrics_names orders them
  values[c(intersect("loss", names(values)), setdiff(names(values), "loss"))]
}

predict_keras_model <- function(object, x, batch_size = NULL, verbose = "auto", steps = NULL,
                                callbacks = NULL, ...) {
  check_dots("predict", list(...))
  if (is.null(batch_size) && is.null(steps)) batch_size <- 32L  # as R keras
  args <- list(keras_array(x), batch_size = as_nullable_integer(batch_size),
               verbose = as_verbose(verbose), steps = as_nullable_integer(steps),
               callbacks = as_callbacks(callbacks))
  do.call(object$predict, Filter(Negate(is.null), args))
}

# The real predict_classes() warns, then fails on TensorFlow >= 2.6, which removed the Python
# method (Sequential.predict_classes) it called. Here it warns and returns what that method
# returned: the argmax of predict(), 0-based, or the 0.5 threshold for one output unit.
predict_classes <- function(object, x, batch_size = NULL, verbose = 0, steps = NULL) {
  warning("predict_classes() was removed from TensorFlow in version 2.6; keras-caret-parity's ",
          "keras returns what it returned: the argmax of predict(), 0-based", call. = FALSE)
  classes_of_outputs(predict_keras_model(object, x, batch_size = batch_size, verbose = verbose,
                                         steps = steps))
}

# Sequential.predict_classes' rule on predict()'s outputs: more than one column, the 0-based
# argmax of each row (the first on ties); one column, 1 above 0.5, keeping the shape. The twin of
# parityrun::parity_classes_of (this package, installed as `keras`, does not depend on the audit's
# writer); tests/test_predicted_classes_rule.py keeps them equal.
classes_of_outputs <- function(proba) {
  if (ncol(proba) > 1L) return(as.integer(max.col(proba, ties.method = "first") - 1L))
  array(as.integer(proba > 0.5), dim = dim(proba))
}

#: how predict_classes() gets its classes here, for run records
predict_classes_method <- paste(
  "emulated by keras-caret-parity's keras: the pre-2.6 Sequential.predict_classes, i.e. the",
  "argmax of predict(), 0-based (TensorFlow 2.6 removed it; there the R keras package warns,",
  "then fails)")

predict_proba <- function(object, x, batch_size = NULL, verbose = 0, steps = NULL) {
  warning("predict_proba() was removed from TensorFlow in version 2.6; returning predict()",
          call. = FALSE)
  predict_keras_model(object, x, batch_size = batch_size, verbose = verbose, steps = steps)
}

# ---- summary, format, print: R keras's text -------------------------------------------------
# Keras' summary at the console width (less 11 columns when a "Trainable" column is shown),
# captured from stdout, trimmed, blank lines dropped. (R keras passes show_trainable on
# TensorFlow >= 2.8.)
format_keras_model <- function(x, line_length = NULL, positions = NULL, expand_nested = FALSE,
                               show_trainable = NULL, ..., compact = TRUE,
                               width = getOption("width")) {
  if (!x$built) return("Model: <no summary available, model was not built>")
  if (is.null(show_trainable)) show_trainable <- length(x$non_trainable_weights) > 0L
  if (is.null(line_length)) line_length <- width - 11L * show_trainable
  # Keras 3 draws the table with rich, whose console is only as wide as the terminal (80
  # columns without one); COLUMNS widens it to line_length for this call. Keras 2 ignores it.
  environ <- reticulate::import("os")$environ
  columns <- environ$get("COLUMNS")
  environ$update(list(COLUMNS = as.character(as.integer(line_length))))
  on.exit(if (is.null(columns)) environ$pop("COLUMNS", NULL)
          else environ$update(list(COLUMNS = columns)), add = TRUE)
  args <- list(line_length = as.integer(line_length), positions = positions,
               expand_nested = expand_nested, show_trainable = show_trainable, ...)
  text <- trimws(reticulate::py_capture_output(do.call(x$summary, Filter(Negate(is.null), args)),
                                               type = "stdout"))
  if (compact) text <- gsub("\n\\s*\n", "\n", text, perl = TRUE)
  text
}

summary_keras_model <- function(object, ...) {
  writeLines(text <- format_keras_model(object, ...))
  invisible(text)
}

print_keras_model <- function(x, ...) {
  writeLines(format_keras_model(x, ...))
  invisible(x)
}

# ---- inspecting and changing a model ---------------------------------------------------------
get_layer <- function(object, name = NULL, index = NULL) {
  # R keras's index is 1-based
  if (!is.null(index)) return(object$layers[[as.integer(index)]])
  object$get_layer(name = name)
}

pop_layer <- function(object) {
  object$pop()
  invisible(object)
}

count_params <- function(object) as.integer(object$count_params())

# get_weights(): R arrays (matrices for a kernel, vectors for a bias), as reticulate converts
# NumPy arrays.
get_weights <- function(object, trainable = NA) {
  if (is.na(trainable)) return(object$get_weights())
  variables <- if (isTRUE(trainable)) object$trainable_weights else object$non_trainable_weights
  lapply(variables, function(v) v$numpy())
}

set_weights <- function(object, weights) {
  object$set_weights(lapply(weights, function(w) keras_array(w, dtype = NULL)))
  invisible(object)
}

# freeze_weights(object, from, to, which): from/to are layer names or 1-based indices.
freeze_weights <- function(object, from = NULL, to = NULL, which = NULL) {
  set_trainable(object, FALSE, from, to, which)
}

unfreeze_weights <- function(object, from = NULL, to = NULL, which = NULL) {
  set_trainable(object, TRUE, from, to, which)
}

set_trainable <- function(object, trainable, from, to, which) {
  if (is.null(from) && is.null(to) && is.null(which)) {
    # Keras 2 sets every sublayer; Keras 3's setter skips them when the model's own flag is
    # unchanged, so each layer is set here too
    object$trainable <- trainable
    for (layer in object$layers) layer$trainable <- trainable
    return(invisible(object))
  }
  if (!is.null(which) && !is.null(from) && !is.null(to))
    stop("both `which` and `from`/`to` can not be supplied", call. = FALSE)
  object$trainable <- TRUE
  layers <- object$layers
  names <- vapply(layers, function(l) l$name, "")
  # a name, a layer, or a 1-based index (negative: from the end)
  position <- function(x) {
    if (is_python(x)) x <- x$name
    i <- if (is.character(x)) match(x, names) else as.integer(x)
    if (!is.na(i) && i < 0L) i <- length(layers) + i + 1L
    if (is.na(i) || i < 1L || i > length(layers))
      stop("no layer ", deparse(x), " in this model (", length(layers), " layers)", call. = FALSE)
    i
  }
  chosen <- if (!is.null(which)) {
    if (is.function(which)) which <- vapply(layers, which, TRUE)
    if (is.logical(which)) base::which(which)
    else vapply(if (is_python(which)) list(which) else as.list(which), position, 1L)
  } else seq.int(position(from %||% 1L), position(to %||% length(layers)))
  for (i in seq_along(layers)) layers[[i]]$trainable <- if (i %in% chosen) trainable else !trainable
  invisible(object)
}

`%||%` <- function(x, y) if (is.null(x)) y else x

# ---- saving -----------------------------------------------------------------------------------
save_model_hdf5 <- function(object, filepath, overwrite = TRUE, include_optimizer = TRUE) {
  filepath <- normalizePath(filepath, mustWork = FALSE)
  if (!overwrite && file.exists(filepath)) stop("file '", filepath, "' exists", call. = FALSE)
  object$save(filepath, overwrite = overwrite, include_optimizer = include_optimizer)
  invisible(TRUE)
}

load_model_hdf5 <- function(filepath, custom_objects = NULL, compile = TRUE) {
  keras$models$load_model(normalizePath(filepath, mustWork = TRUE),
                          custom_objects = custom_objects, compile = compile)
}

save_model_weights_hdf5 <- function(object, filepath, overwrite = TRUE) {
  filepath <- normalizePath(filepath, mustWork = FALSE)
  if (keras_major() >= 3L && !grepl("\\.weights\\.h5$", filepath))
    stop("save_model_weights_hdf5(): under Keras 3 the file name must end in '.weights.h5', ",
         "got '", basename(filepath), "'", call. = FALSE)
  object$save_weights(filepath, overwrite = overwrite)
  invisible(object)
}

load_model_weights_hdf5 <- function(object, filepath, by_name = FALSE, skip_mismatch = FALSE,
                                    reshape = FALSE) {
  args <- list(normalizePath(filepath, mustWork = TRUE), skip_mismatch = skip_mismatch)
  if (by_name) {
    if (keras_major() >= 3L) lacks("argument 'by_name = TRUE' (under Keras 3)", "load_model_weights_hdf5")
    args$by_name <- TRUE
  }
  if (reshape) lacks("argument 'reshape = TRUE'", "load_model_weights_hdf5")
  do.call(object$load_weights, args)
  invisible(object)
}

save_model_tf <- not_implemented("save_model_tf")
load_model_tf <- not_implemented("load_model_tf")
