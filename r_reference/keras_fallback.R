# The R keras 2.x verbs the seed uses, on reticulate, for machines where the CRAN package
# `keras` cannot be installed (CRAN is unreachable here). fashion_mnist.R sources this file only
# when requireNamespace("keras") is FALSE; with the CRAN package installed it is not used.
#
# Each verb is a thin wrapper that does what the R keras 2.x package does:
#   - units, epochs, batch sizes and shapes are converted to integers (as.integer,
#     normalize_shape);
#   - arrays go to Keras through keras_array(): reticulate::np_array, R doubles cast to the
#     backend's float32, in C order (R keras's own array conversion);
#   - fit() leaves batch_size to Keras (32) and shuffles (shuffle = TRUE);
#   - layer functions add the layer to the model in place and return the model, so the
#     seed's `%>%` pipe works unchanged;
#   - predict_classes() is the argmax of predict(), 0-based. TensorFlow >= 2.6 removed the
#     Python method (Sequential.predict_classes) that the real R verb called; for a softmax
#     output that method was exactly this argmax.
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

keras_fallback_version <- "keras_fallback.R 1.0 (R keras 2.x verbs on reticulate)"

keras_array <- function(x, dtype = NULL) {
  if (is.null(x) || inherits(x, "python.builtin.object")) return(x)
  if (is.null(dtype) && is.double(x)) dtype <- keras$backend$floatx()
  if (!is.array(x)) x <- as.array(x)
  np_array(x, dtype = dtype, order = "C")
}

as_nullable_integer <- function(x) if (is.null(x)) NULL else as.integer(x)

normalize_shape <- function(shape) {
  if (is.null(shape)) return(NULL)
  do.call(tuple, lapply(as.list(shape), as_nullable_integer))
}

is_keras_model <- function(object) {
  inherits(object, "python.builtin.object") &&
    py_has_attr(object, "layers") && py_has_attr(object, "compile")
}

add_layer <- function(object, layer) {
  if (missing(object) || is.null(object)) return(layer)
  if (!is_keras_model(object))
    stop("expected a Keras model to add the layer to, got an object of class ",
         paste(class(object), collapse = "/"), call. = FALSE)
  object$add(layer)
  invisible(object)
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
  layer <- do.call(keras$layers$Flatten, args)
  add_layer(object, layer)
}

layer_dense <- function(object, units, activation = NULL, name = NULL) {
  add_layer(object, keras$layers$Dense(units = as.integer(units), activation = activation,
                                       name = name))
}

layer_dropout <- function(object, rate, name = NULL) {
  add_layer(object, keras$layers$Dropout(rate = as.numeric(rate), name = name))
}

compile <- function(object, optimizer, loss, metrics = NULL, steps_per_execution = NULL) {
  args <- list(optimizer = optimizer, loss = loss, metrics = as.list(metrics))
  if (!is.null(steps_per_execution)) args$steps_per_execution <- as.integer(steps_per_execution)
  do.call(object$compile, args)
  invisible(object)
}

fit <- function(object, x = NULL, y = NULL, batch_size = NULL, epochs = 10, verbose = 1,
                callbacks = NULL, shuffle = TRUE, initial_epoch = 0) {
  history <- object$fit(
    x = keras_array(x), y = keras_array(y), batch_size = as_nullable_integer(batch_size),
    epochs = as.integer(epochs), verbose = as.integer(verbose), callbacks = callbacks,
    shuffle = shuffle, initial_epoch = as.integer(initial_epoch)
  )
  structure(list(params = list(epochs = as.integer(epochs)),
                 metrics = lapply(history$history, function(v) as.numeric(unlist(v)))),
            class = "keras_training_history")
}

callback_lambda <- function(on_epoch_begin = NULL, on_epoch_end = NULL, on_train_begin = NULL,
                            on_train_end = NULL) {
  keras$callbacks$LambdaCallback(on_epoch_begin = on_epoch_begin, on_epoch_end = on_epoch_end,
                                 on_train_begin = on_train_begin, on_train_end = on_train_end)
}

keras_predict <- function(object, x, batch_size = NULL, verbose = 0) {
  object$predict(keras_array(x), batch_size = as_nullable_integer(batch_size),
                 verbose = as.integer(verbose))
}

# predict() and summary() dispatch on the model's Python classes, under each Keras generation.
for (cls in c("keras.src.models.model.Model", "tf_keras.src.engine.training.Model",
              "keras.engine.training.Model")) {
  registerS3method("predict", cls, function(object, x, batch_size = NULL, verbose = 0, ...)
    keras_predict(object, x, batch_size = batch_size, verbose = verbose))
  registerS3method("summary", cls, function(object, ...) {
    cat(model_summary_text(object), "\n", sep = "")
    invisible(object)
  })
}

predict_classes <- function(object, x, batch_size = NULL, verbose = 0) {
  proba <- keras_predict(object, x, batch_size = batch_size, verbose = verbose)
  as.integer(max.col(proba, ties.method = "first") - 1L)
}

model_summary_text <- function(object) {
  lines <- character(0)
  object$summary(print_fn = function(line, ...) lines <<- c(lines, line), line_length = 80L)
  paste(lines, collapse = "\n")
}
