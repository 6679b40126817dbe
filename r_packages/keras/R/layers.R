# Layers: each verb builds its Keras layer from the arguments given (as R keras's
# capture_args(match.call()) does: Keras' own defaults apply to the others), converted as R keras
# converts them (integers, shapes as tuples, NA or NULL for an unknown dimension), then composes
# it with `object`: added in place to a Sequential model (returned invisibly), or called on a
# tensor or model (the functional API: the output is returned); with no `object`, the layer.

# The arguments the caller gave (its match.call()), forced, minus `ignore`, with `modifiers`
# applied; `...` entries are included under their names.
capture_args <- function(call, env, modifiers = list(), ignore = "object") {
  given <- names(as.list(call))[-1L]
  if (is.null(given)) return(list())
  formals_of <- names(formals(sys.function(sys.parent())))
  dots <- if ("..." %in% formals_of) eval(quote(list(...)), env) else list()
  args <- list()
  for (name in setdiff(given[nzchar(given)], ignore)) {
    value <- if (name %in% formals_of) get(name, envir = env) else dots[[name]]
    if (!is.null(value) && !is.null(modifiers[[name]])) value <- modifiers[[name]](value)
    args[name] <- list(value)
  }
  args
}

# Every argument of the calling verb but `object` and `...`, forced, NULL ones left out.
all_args <- function(env, modifiers = list()) {
  names <- setdiff(names(formals(sys.function(sys.parent()))), c("object", "..."))
  args <- list()
  for (name in names) {
    value <- get(name, envir = env)
    if (is.null(value)) next
    if (!is.null(modifiers[[name]])) value <- modifiers[[name]](value)
    args[name] <- list(value)
  }
  args
}

shape_modifiers <- list(input_shape = normalize_shape, batch_input_shape = normalize_shape,
                        batch_size = as_nullable_integer, target_shape = normalize_shape,
                        kernel_size = as_integer_tuple, strides = as_integer_tuple,
                        pool_size = as_integer_tuple, dilation_rate = as_integer_tuple,
                        groups = as.integer, units = as.integer, filters = as.integer,
                        input_dim = as.integer, output_dim = as.integer,
                        input_length = as_nullable_integer, axis = as.integer,
                        noise_shape = normalize_shape, seed = as_nullable_integer)

# ---- names: as the real package, with layers created in pipe order --------------------------
# The real layer_*() creates its layer before it forces the piped model (create_layer() then
# compose_layer()). magrittr >= 2.0 evaluates a pipe lazily, outermost call first, so the last
# layer of `model %>% layer_a() %>% layer_b()` is created - and named - first: in the
# tutorial's model the 10-unit output layer is `dense` and the 128-unit layer `dense_3`. Here the
# name is taken at that same moment, but the layer is created after the model is forced, i.e. in
# pipe order: under Keras 3 each layer draws its initializer and Dropout seeds from Python's
# `random` when it is created, so reversed creation would change every weight (measured:
# set_random_seed(42), max |diff| of the predictions 0.65) and break R-vs-Python bit identity
# (a Python port creates its layers in order). Under Keras 2 (tf-keras), the only generation a
# real R keras 2.x runs on, creation order changes no bit, so there these names with this order
# reproduce the real package exactly.
reserve_layer_name <- function(prefix) keras_name_reserver()(prefix)

# Keras' own counter of automatic names, so a later unnamed layer continues the sequence:
# Keras 2 names layers with backend.unique_object_name(zero_based = TRUE); Keras 3 with a
# counter that its public keras.backend.get_uid() shares (1 -> "dense", 2 -> "dense_1", ...).
keras_name_reserver <- function() {
  root <- strsplit(keras$`__name__`, ".", fixed = TRUE)[[1]][1]  # "keras" or "tf_keras"
  for (module in paste0(root, c(".src.backend", ".backend"))) {
    backend <- tryCatch(reticulate::import(module), error = function(e) NULL)
    if (!is.null(backend) && reticulate::py_has_attr(backend, "unique_object_name"))
      return(function(prefix) backend$unique_object_name(prefix, zero_based = TRUE))
  }
  function(prefix) {
    n <- as.integer(keras$backend$get_uid(prefix))
    if (n == 1L) prefix else paste0(prefix, "_", n - 1L)
  }
}

is_sequential <- function(object) {
  is_python(object) && any(grepl("(^|\\.)Sequential$", class(object)))
}

# Keras 3 layers take no batch_input_shape, batch_size or weights: a batch shape becomes an
# input layer of the Sequential model (what Keras 2 builds from it); weights, given to the layer
# at creation in Keras 2, are set once the layer is built (create_layer()).
keras3_input_args <- function(args, model, fn) {
  args$weights <- NULL
  batch_shape <- args$batch_input_shape
  if (is.null(batch_shape) && !is.null(args$batch_size) && !is.null(args$input_shape))
    batch_shape <- do.call(reticulate::tuple, c(list(args$batch_size), as.list(args$input_shape)))
  if (!is.null(batch_shape)) {
    if (!is_sequential(model))
      lacks("argument 'batch_input_shape'/'batch_size' outside a Sequential model (under Keras 3)", fn)
    if (length(model$layers) == 0L) model$add(keras$Input(batch_shape = batch_shape))
    args$input_shape <- NULL
  }
  args$batch_input_shape <- NULL
  args$batch_size <- NULL
  args
}

# The body of every layer verb: `fn` names the verb for errors, `prefix` is Keras' automatic
# name for the class (reserved before the pipe's earlier steps run, see above).
create_layer <- function(layer_class, object, args, fn, prefix) {
  weights <- if (keras_major() >= 3L) args$weights
  standalone <- function(args) {
    if (!is.null(weights)) lacks("argument 'weights' on a layer not yet built (under Keras 3)", fn)
    if (keras_major() >= 3L) args <- keras3_input_args(args, NULL, fn)
    do.call(layer_class, args)
  }
  if (missing(object)) return(standalone(args))
  if (is.null(args$name)) args$name <- reserve_layer_name(prefix)  # before `object` is forced
  model <- object  # forces the earlier steps of the pipe
  if (is.null(model)) return(standalone(args))
  if (keras_major() >= 3L) args <- keras3_input_args(args, model, fn)
  layer <- do.call(layer_class, args)
  out <- withVisible(compose_layer(model, layer))
  if (!is.null(weights)) {
    if (!layer$built) lacks("argument 'weights' on a layer not yet built (under Keras 3)", fn)
    layer$set_weights(lapply(weights, keras_array))
  }
  if (out$visible) out$value else invisible(out$value)
}

compose_layer <- function(object, layer) {
  if (is_sequential(object)) {
    object$add(layer)
    return(invisible(object))
  }
  if (is.list(object)) object <- unname(object)  # several inputs (layer_concatenate)
  layer(object)
}

# Defines one layer verb per entry: the formals are the real package's (R keras 2.15/2.16), the
# body the shared one. Verbs whose real signature has no `...` get one here, checked, so that an
# argument this implementation lacks is an error that says so (not R's "unused argument").
# Verbs whose real body lists every argument (`dots = "check"`: R keras's older layer functions,
# whose defaults Keras needs, e.g. pool_size) pass all of them, NULL ones left out (Keras' None);
# the others (`dots = "pass"`, R keras's capture_args() style) pass the ones given, and `...`.
layer_verb <- function(fn, class_name, prefix, formals_list, dots = "check") {
  f <- function() NULL
  formals(f) <- c(formals_list, alist(... = ))
  body(f) <- substitute({
    if (DOTS == "check") {
      check_dots(FN, list(...))
      args <- all_args(environment(), shape_modifiers)
    } else args <- capture_args(match.call(), environment(), shape_modifiers)
    create_layer(keras$layers[[CLASS]], object, args, FN, PREFIX)
  }, list(DOTS = dots, FN = fn, CLASS = class_name, PREFIX = prefix))
  environment(f) <- topenv()
  f
}

common <- alist(input_shape = NULL, batch_input_shape = NULL, batch_size = NULL, dtype = NULL,
                name = NULL, trainable = NULL, weights = NULL)
common_no_input <- alist(batch_size = NULL, name = NULL, trainable = NULL, weights = NULL)
regularized <- function() {
  setNames(list("glorot_uniform", "zeros", NULL, NULL, NULL, NULL, NULL),
           c("kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
             "activity_regularizer", "kernel_constraint", "bias_constraint"))
}

layer_dense <- layer_verb("layer_dense", "Dense", "dense", c(
  alist(object = , units = , activation = NULL, use_bias = TRUE), regularized(), common))
layer_dropout <- layer_verb("layer_dropout", "Dropout", "dropout", c(
  alist(object = , rate = , noise_shape = NULL, seed = NULL, input_shape = NULL,
        batch_input_shape = NULL), common_no_input))
layer_flatten <- layer_verb("layer_flatten", "Flatten", "flatten", alist(
  object = , data_format = NULL, input_shape = NULL, dtype = NULL, name = NULL,
  trainable = NULL, weights = NULL))
layer_reshape <- layer_verb("layer_reshape", "Reshape", "reshape", c(
  alist(object = , target_shape = ), common))
layer_activation <- layer_verb("layer_activation", "Activation", "activation", c(
  alist(object = , activation = ), common))
layer_batch_normalization <- layer_verb("layer_batch_normalization", "BatchNormalization",
  "batch_normalization", c(alist(
    object = , axis = -1L, momentum = 0.99, epsilon = 0.001, center = TRUE, scale = TRUE,
    beta_initializer = "zeros", gamma_initializer = "ones", moving_mean_initializer = "zeros",
    moving_variance_initializer = "ones", beta_regularizer = NULL, gamma_regularizer = NULL,
    beta_constraint = NULL, gamma_constraint = NULL, synchronized = FALSE), common))
layer_embedding <- layer_verb("layer_embedding", "Embedding", "embedding", alist(
  object = , input_dim = , output_dim = , embeddings_initializer = "uniform",
  embeddings_regularizer = NULL, activity_regularizer = NULL, embeddings_constraint = NULL,
  mask_zero = FALSE, input_length = NULL, sparse = FALSE), dots = "pass")
conv_formals <- function(strides, dilation, data_format) c(
  alist(object = , filters = , kernel_size = ),
  list(strides = strides, padding = "valid", data_format = data_format, dilation_rate = dilation),
  alist(groups = 1L, activation = NULL, use_bias = TRUE), regularized(), common)
layer_conv_1d <- layer_verb("layer_conv_1d", "Conv1D", "conv1d",
                            conv_formals(1L, 1L, "channels_last"))
layer_conv_2d <- layer_verb("layer_conv_2d", "Conv2D", "conv2d",
                            conv_formals(c(1L, 1L), c(1L, 1L), NULL))
pool_formals <- function(size, data_format) c(
  alist(object = ), list(pool_size = size, strides = NULL, padding = "valid",
                         data_format = data_format), common_no_input)
layer_max_pooling_1d <- layer_verb("layer_max_pooling_1d", "MaxPooling1D", "max_pooling1d",
                                   pool_formals(2L, "channels_last"))
layer_max_pooling_2d <- layer_verb("layer_max_pooling_2d", "MaxPooling2D", "max_pooling2d",
                                   pool_formals(c(2L, 2L), NULL))
layer_average_pooling_1d <- layer_verb("layer_average_pooling_1d", "AveragePooling1D",
                                       "average_pooling1d", pool_formals(2L, "channels_last"))
layer_average_pooling_2d <- layer_verb("layer_average_pooling_2d", "AveragePooling2D",
                                       "average_pooling2d", pool_formals(c(2L, 2L), NULL))
global_formals <- function(data_format) c(alist(object = ), list(data_format = data_format),
                                          alist(keepdims = FALSE))
layer_global_max_pooling_1d <- layer_verb("layer_global_max_pooling_1d", "GlobalMaxPooling1D",
  "global_max_pooling1d", global_formals("channels_last"), dots = "pass")
layer_global_max_pooling_2d <- layer_verb("layer_global_max_pooling_2d", "GlobalMaxPooling2D",
  "global_max_pooling2d", global_formals(NULL), dots = "pass")
layer_global_average_pooling_1d <- layer_verb("layer_global_average_pooling_1d",
  "GlobalAveragePooling1D", "global_average_pooling1d", global_formals("channels_last"),
  dots = "pass")
layer_global_average_pooling_2d <- layer_verb("layer_global_average_pooling_2d",
  "GlobalAveragePooling2D", "global_average_pooling2d", global_formals(NULL), dots = "pass")
rnn_formals <- function(gates) c(
  alist(object = , units = , activation = "tanh"),
  if (gates) alist(recurrent_activation = "sigmoid"),
  alist(use_bias = TRUE, return_sequences = FALSE, return_state = FALSE, go_backwards = FALSE,
        stateful = FALSE, unroll = FALSE, kernel_initializer = "glorot_uniform",
        recurrent_initializer = "orthogonal", bias_initializer = "zeros",
        kernel_regularizer = NULL, recurrent_regularizer = NULL, bias_regularizer = NULL,
        activity_regularizer = NULL, kernel_constraint = NULL, recurrent_constraint = NULL,
        bias_constraint = NULL, dropout = 0.0, recurrent_dropout = 0.0))
layer_simple_rnn <- layer_verb("layer_simple_rnn", "SimpleRNN", "simple_rnn", rnn_formals(FALSE),
                               dots = "pass")
layer_lstm <- layer_verb("layer_lstm", "LSTM", "lstm", c(rnn_formals(TRUE),
  alist(unit_forget_bias = TRUE)), dots = "pass")
layer_gru <- layer_verb("layer_gru", "GRU", "gru", c(rnn_formals(TRUE),
  alist(reset_after = TRUE)), dots = "pass")

# bidirectional(object, layer, ...): the wrapper takes the layer (unpiped) as `layer`.
bidirectional <- function(object, layer, merge_mode = "concat", weights = NULL,
                          backward_layer = NULL, ...) {
  args <- capture_args(match.call(), environment(), shape_modifiers)
  create_layer(keras$layers$Bidirectional, object, args, "bidirectional", "bidirectional")
}

layer_concatenate <- function(inputs, ..., axis = -1L) {
  args <- capture_args(match.call(), environment(), shape_modifiers, ignore = "inputs")
  create_layer(keras$layers$Concatenate, inputs, args, "layer_concatenate", "concatenate")
}

# The functional API's input: a symbolic tensor (keras.Input).
layer_input <- function(shape = NULL, batch_shape = NULL, name = NULL, dtype = NULL,
                        sparse = FALSE, tensor = NULL, ragged = FALSE, ...) {
  check_dots("layer_input", list(...))
  args <- capture_args(match.call(), environment(),
                       list(shape = normalize_shape, batch_shape = normalize_shape), ignore = "")
  if (isFALSE(args$ragged)) args$ragged <- NULL
  do.call(keras$Input, args)
}
