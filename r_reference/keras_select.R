# keras_select.R - kept for scripts that source() it. Which R keras runs is R's library path's
# choice now: `library(keras)` loads a real R keras package where one is installed, else
# keras-caret-parity's (r_packages/keras, which ./setup.sh installs only where there is no real
# one). parityrun::parity_keras_implementation() says which and why; this prints it and keeps
# it in `keras_impl`, as the file did before.
suppressPackageStartupMessages({
  library(keras)
  library(tensorflow)
  library(parityrun)
})
keras_impl <- parity_keras_announce(parity_keras_implementation())
if (keras_impl$name == "keras (CRAN)" && tf_version() >= "2.6") predict_classes <- parity_predict_classes
