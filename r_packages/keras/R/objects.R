# Optimizers, losses, metrics, initializers, regularizers: R keras's names; the arguments given
# go to Keras' class (Keras' own defaults for the others, as R keras's capture_args() does).

py_object_verb <- function(fn, path, formals_list, modifiers = list()) {
  f <- function() NULL
  formals(f) <- c(formals_list, alist(... = ))
  body(f) <- substitute({
    args <- capture_args(match.call(), environment(), MODIFIERS, ignore = "")
    do.call(py_path(PATH), args)
  }, list(PATH = path, MODIFIERS = modifiers))
  environment(f) <- topenv()
  f
}

# "optimizers.Adam" -> keras$optimizers$Adam, looked up when called
py_path <- function(path) {
  obj <- keras
  for (part in strsplit(path, ".", fixed = TRUE)[[1]]) obj <- obj[[part]]
  obj
}

optimizer_common <- alist(weight_decay = NULL, clipnorm = NULL, clipvalue = NULL,
                          global_clipnorm = NULL, use_ema = FALSE, ema_momentum = 0.99,
                          ema_overwrite_frequency = NULL, jit_compile = TRUE)
optimizer_adam <- py_object_verb("optimizer_adam", "optimizers.Adam", c(alist(
  learning_rate = 0.001, beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-07, amsgrad = FALSE),
  optimizer_common, alist(name = "Adam")))
optimizer_sgd <- py_object_verb("optimizer_sgd", "optimizers.SGD", c(alist(
  learning_rate = 0.01, momentum = 0, nesterov = FALSE, amsgrad = FALSE), optimizer_common,
  alist(name = "SGD")))
optimizer_rmsprop <- py_object_verb("optimizer_rmsprop", "optimizers.RMSprop", c(alist(
  learning_rate = 0.001, rho = 0.9, momentum = 0, epsilon = 1e-07, centered = FALSE),
  optimizer_common, alist(name = "RMSprop")))
optimizer_adagrad <- py_object_verb("optimizer_adagrad", "optimizers.Adagrad", c(alist(
  learning_rate = 0.001, initial_accumulator_value = 0.1, epsilon = 1e-07), optimizer_common,
  alist(name = "Adagrad")))
optimizer_adamax <- py_object_verb("optimizer_adamax", "optimizers.Adamax", c(alist(
  learning_rate = 0.001, beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-07), optimizer_common,
  alist(name = "Adamax")))
optimizer_nadam <- py_object_verb("optimizer_nadam", "optimizers.Nadam", c(alist(
  learning_rate = 0.001, beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-07), optimizer_common,
  alist(name = "Nadam")))
optimizer_adadelta <- py_object_verb("optimizer_adadelta", "optimizers.Adadelta", c(alist(
  learning_rate = 0.001, rho = 0.95, epsilon = 1e-07), optimizer_common, alist(name = "Adadelta")))

# A loss: with y_true and y_pred, its values (Keras' function); without, the loss object
# (Keras' class), for compile(loss = ).
loss_verb <- function(fn, class_name, function_name, formals_list) {
  f <- function() NULL
  formals(f) <- c(alist(y_true = , y_pred = ), formals_list,
                  alist(... = , reduction = "auto"), list(name = function_name))
  body(f) <- substitute({
    args <- capture_args(match.call(), environment(), list(axis = as.integer),
                         ignore = c("y_true", "y_pred"))
    if (identical(args$reduction, "auto")) args$reduction <- NULL  # Keras 3 has no "auto"
    if (missing(y_true) && missing(y_pred)) return(do.call(keras$losses[[CLASS]], args))
    args$reduction <- NULL
    args$name <- NULL
    do.call(keras$losses$get(FUNCTION), c(list(keras_array(y_true), keras_array(y_pred)), args))
  }, list(CLASS = class_name, FUNCTION = function_name))
  environment(f) <- topenv()
  attr(f, "py_function_name") <- function_name
  f
}

loss_binary_crossentropy <- loss_verb("loss_binary_crossentropy", "BinaryCrossentropy",
  "binary_crossentropy", alist(from_logits = FALSE, label_smoothing = 0, axis = -1L))
loss_categorical_crossentropy <- loss_verb("loss_categorical_crossentropy",
  "CategoricalCrossentropy", "categorical_crossentropy",
  alist(from_logits = FALSE, label_smoothing = 0L, axis = -1L))
loss_sparse_categorical_crossentropy <- loss_verb("loss_sparse_categorical_crossentropy",
  "SparseCategoricalCrossentropy", "sparse_categorical_crossentropy",
  alist(from_logits = FALSE, axis = -1L))
loss_mean_squared_error <- loss_verb("loss_mean_squared_error", "MeanSquaredError",
  "mean_squared_error", list())
loss_mean_absolute_error <- loss_verb("loss_mean_absolute_error", "MeanAbsoluteError",
  "mean_absolute_error", list())
loss_huber <- loss_verb("loss_huber", "Huber", "huber", alist(delta = 1))
loss_hinge <- loss_verb("loss_hinge", "Hinge", "hinge", list())
loss_poisson <- loss_verb("loss_poisson", "Poisson", "poisson", list())

# A metric: with y_true and y_pred, Keras' metric function's values; without, the metric
# object (Keras' class), for compile(metrics = ).
metric_verb <- function(class_name, function_name, formals_list, default_name) {
  f <- function() NULL
  formals(f) <- c(alist(y_true = , y_pred = ), formals_list, alist(... = ),
                  list(name = default_name, dtype = NULL))
  body(f) <- substitute({
    args <- capture_args(match.call(), environment(), list(thresholds = as.numeric),
                         ignore = c("y_true", "y_pred"))
    if (missing(y_true) && missing(y_pred)) return(do.call(keras$metrics[[CLASS]], args))
    if (is.null(FUNCTION)) stop("metric ", CLASS, " has no function form: use it in compile()",
                                call. = FALSE)
    args$name <- NULL
    args$dtype <- NULL
    do.call(keras$metrics$get(FUNCTION), c(list(keras_array(y_true), keras_array(y_pred)), args))
  }, list(CLASS = class_name, FUNCTION = function_name))
  environment(f) <- topenv()
  if (!is.null(function_name)) attr(f, "py_function_name") <- function_name
  f
}

metric_binary_accuracy <- metric_verb("BinaryAccuracy", "binary_accuracy",
                                      alist(threshold = 0.5), "binary_accuracy")
metric_categorical_accuracy <- metric_verb("CategoricalAccuracy", "categorical_accuracy",
                                           list(), "categorical_accuracy")
metric_sparse_categorical_accuracy <- metric_verb("SparseCategoricalAccuracy",
  "sparse_categorical_accuracy", list(), "sparse_categorical_accuracy")
metric_accuracy <- metric_verb("Accuracy", NULL, list(), "accuracy")
metric_mean_squared_error <- metric_verb("MeanSquaredError", "mean_squared_error", list(),
                                         "mean_squared_error")
metric_mean_absolute_error <- metric_verb("MeanAbsoluteError", "mean_absolute_error", list(),
                                          "mean_absolute_error")
metric_root_mean_squared_error <- metric_verb("RootMeanSquaredError", NULL, list(),
                                              "root_mean_squared_error")
metric_auc <- metric_verb("AUC", NULL, alist(num_thresholds = 200L, curve = "ROC",
  summation_method = "interpolation", thresholds = NULL, multi_label = FALSE,
  num_labels = NULL, label_weights = NULL, from_logits = FALSE), "auc")
metric_precision <- metric_verb("Precision", NULL, alist(thresholds = NULL, top_k = NULL,
                                                         class_id = NULL), "precision")
metric_recall <- metric_verb("Recall", NULL, alist(thresholds = NULL, top_k = NULL,
                                                   class_id = NULL), "recall")

# ---- initializers and regularizers ---------------------------------------------------------
initializer_verb <- function(class_name, formals_list) {
  py_object_verb(class_name, paste0("initializers.", class_name), formals_list,
                 list(seed = as_nullable_integer))
}
initializer_zeros <- initializer_verb("Zeros", list())
initializer_ones <- initializer_verb("Ones", list())
initializer_constant <- initializer_verb("Constant", alist(value = 0))
initializer_random_normal <- initializer_verb("RandomNormal", alist(mean = 0.0, stddev = 0.05, seed = NULL))
initializer_random_uniform <- initializer_verb("RandomUniform", alist(minval = -0.05, maxval = 0.05, seed = NULL))
initializer_truncated_normal <- initializer_verb("TruncatedNormal", alist(mean = 0.0, stddev = 0.05, seed = NULL))
initializer_orthogonal <- initializer_verb("Orthogonal", alist(gain = 1.0, seed = NULL))
initializer_identity <- initializer_verb("Identity", alist(gain = 1.0))
initializer_glorot_uniform <- initializer_verb("GlorotUniform", alist(seed = NULL))
initializer_glorot_normal <- initializer_verb("GlorotNormal", alist(seed = NULL))
initializer_he_uniform <- initializer_verb("HeUniform", alist(seed = NULL))
initializer_he_normal <- initializer_verb("HeNormal", alist(seed = NULL))
initializer_lecun_uniform <- initializer_verb("LecunUniform", alist(seed = NULL))
initializer_lecun_normal <- initializer_verb("LecunNormal", alist(seed = NULL))

regularizer_l1 <- function(l = 0.01) keras$regularizers$l1(l1 = l)
regularizer_l2 <- function(l = 0.01) keras$regularizers$l2(l2 = l)
regularizer_l1_l2 <- function(l1 = 0.01, l2 = 0.01) keras$regularizers$l1_l2(l1 = l1, l2 = l2)
