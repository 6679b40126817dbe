# The k_* helpers R analyses apply to predictions: Keras' backend functions (tf$keras$backend,
# which TensorFlow keeps under Keras 3 too), returning tensors (as.array(), as.numeric() and
# as.integer() give R values). Axes are 1-based, as in R keras (-1: the last).

as_axis <- function(axis) {
  if (is.null(axis)) return(NULL)
  if (length(axis) > 1L) return(lapply(axis, as_axis))
  axis <- as.integer(axis)
  if (is.na(axis) || axis == 0L)
    stop("`axis` argument is 1 based, received ", deparse(axis), call. = FALSE)
  if (axis > 0L) axis - 1L else axis
}

as_tensor_input <- function(x) if (is_python(x)) x else keras_array(x)

k_verb <- function(name, formals_list, axis = FALSE) {
  f <- function() NULL
  formals(f) <- formals_list
  body(f) <- substitute({
    args <- as.list(environment())
    args$x <- as_tensor_input(args$x)
    if (AXIS) args$axis <- as_axis(args$axis)
    do.call(keras$backend[[NAME]], Filter(Negate(is.null), args))
  }, list(NAME = name, AXIS = axis))
  environment(f) <- topenv()
  f
}

k_argmax <- k_verb("argmax", alist(x = , axis = -1), axis = TRUE)
k_argmin <- k_verb("argmin", alist(x = , axis = -1), axis = TRUE)
k_max <- k_verb("max", alist(x = , axis = NULL, keepdims = FALSE), axis = TRUE)
k_min <- k_verb("min", alist(x = , axis = NULL, keepdims = FALSE), axis = TRUE)
k_mean <- k_verb("mean", alist(x = , axis = NULL, keepdims = FALSE), axis = TRUE)
k_sum <- k_verb("sum", alist(x = , axis = NULL, keepdims = FALSE), axis = TRUE)
k_round <- k_verb("round", alist(x = ))
k_abs <- k_verb("abs", alist(x = ))
k_exp <- k_verb("exp", alist(x = ))
k_log <- k_verb("log", alist(x = ))
k_sqrt <- k_verb("sqrt", alist(x = ))
k_square <- k_verb("square", alist(x = ))
k_softmax <- k_verb("softmax", alist(x = , axis = -1), axis = TRUE)
k_cast <- k_verb("cast", alist(x = , dtype = ))
k_one_hot <- function(indices, num_classes) {
  keras$backend$one_hot(as_tensor_input(as.integer(indices)), as.integer(num_classes))
}
k_equal <- function(x, y) keras$backend$equal(as_tensor_input(x), as_tensor_input(y))
k_constant <- function(value, dtype = NULL, shape = NULL, name = NULL) {
  keras$backend$constant(value, dtype = dtype, shape = normalize_shape(shape), name = name)
}
k_get_value <- function(x) keras$backend$get_value(x)
k_eval <- function(x) keras$backend$get_value(x)
k_clear_session <- function() invisible(keras$backend$clear_session())
k_floatx <- function() keras$backend$floatx()
k_set_floatx <- function(floatx) invisible(keras$backend$set_floatx(floatx))
k_epsilon <- function() keras$backend$epsilon()
k_backend <- function() keras$backend$backend()
