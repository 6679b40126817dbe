# R values to what Keras takes, as R keras converts them.

# R arrays to NumPy through reticulate::np_array (a bare R vector would reach Python as a list,
# which Keras 3 refuses), R doubles as the backend's float (float32), C order. Lists convert
# element by element (several inputs or outputs); Python objects pass through.
keras_array <- function(x, dtype = NULL) {
  if (is.null(x) || inherits(x, "python.builtin.object")) return(x)
  if (is.data.frame(x)) x <- as.matrix(x)
  if (is.list(x)) return(lapply(x, keras_array, dtype = dtype))
  if (is.factor(x))
    stop("keras_array(): a factor; give as.integer(x) - 1L (0-based class codes) or the ",
         "levels' numbers", call. = FALSE)
  if (is.null(dtype) && is.double(x)) dtype <- keras$backend$floatx()
  if (is.logical(x)) storage.mode(x) <- "integer"
  if (!is.array(x)) x <- as.array(x)
  reticulate::np_array(x, dtype = dtype, order = "C")
}

as_nullable_integer <- function(x) if (is.null(x)) NULL else as.integer(x)

as_integer_tuple <- function(x) {
  if (is.null(x) || inherits(x, "python.builtin.object")) return(x)
  if (length(x) == 1L && !is.list(x)) return(as.integer(x))
  do.call(reticulate::tuple, as.list(as.integer(unlist(x))))
}

# A shape: integers, NA or NULL for an unknown dimension, as a tuple.
normalize_shape <- function(shape) {
  if (is.null(shape) || inherits(shape, "python.builtin.object")) return(shape)
  dims <- lapply(as.list(shape), function(d) if (is.null(d) || is.na(d)) NULL else as.integer(d))
  do.call(reticulate::tuple, dims)
}

as_verbose <- function(verbose) {
  if (identical(verbose, "auto")) return("auto")
  v <- suppressWarnings(as.integer(verbose))
  if (length(verbose) != 1L || is.na(v) || !v %in% 0:2)
    stop("verbose = ", deparse(verbose), ": expected \"auto\", 0, 1 or 2", call. = FALSE)
  v
}

is_python <- function(x) inherits(x, "python.builtin.object")

# The Keras generation behind tf$keras: 3, or 2 (tf-keras, or TensorFlow <= 2.15's own).
# (tf.keras under tf-keras has no __version__: its root package, tf_keras, has)
keras_major <- function() {
  root <- strsplit(keras$`__name__`, ".", fixed = TRUE)[[1]][1]  # "keras" or "tf_keras"
  as.integer(sub("\\..*$", "", reticulate::import(root)$`__version__`))
}
