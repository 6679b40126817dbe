# Datasets from Keras' cache (KERAS_HOME, see the tensorflow package), and array helpers.

dataset_pair <- function(dataset) {
  list(train = list(x = dataset[[1]][[1]], y = dataset[[1]][[2]]),
       test = list(x = dataset[[2]][[1]], y = dataset[[2]][[2]]))
}

dataset_fashion_mnist <- function() dataset_pair(keras$datasets$fashion_mnist$load_data())

dataset_mnist <- function(path = "mnist.npz") dataset_pair(keras$datasets$mnist$load_data(path))

dataset_imdb <- not_implemented("dataset_imdb")
dataset_cifar10 <- not_implemented("dataset_cifar10")
dataset_boston_housing <- not_implemented("dataset_boston_housing")

# R keras: class codes (0-based) to a one-hot matrix (an R matrix here).
to_categorical <- function(y, num_classes = NULL, dtype = "float32") {
  if (is.factor(y))
    stop("to_categorical(): y is a factor; give 0-based integer codes (as.integer(y) - 1L)",
         call. = FALSE)
  args <- list(reticulate::np_array(as.integer(y)), num_classes = as_nullable_integer(num_classes))
  if (keras_major() < 3L) args$dtype <- dtype  # Keras 3's has no dtype; R gets doubles either way
  do.call(keras$utils$to_categorical, args)
}

# R keras's implementation(): the Python module behind the verbs.
implementation <- function() keras

is_keras_available <- function(version = NULL) {
  available <- tryCatch({ keras$`__name__`; TRUE }, error = function(e) FALSE)
  available
}

install_keras <- function(...) {
  stop("install_keras(): this keras is keras-caret-parity's stand-in; Keras comes with the ",
       "Python recorded when it was installed (see tensorflow::parity_python_config())",
       call. = FALSE)
}
