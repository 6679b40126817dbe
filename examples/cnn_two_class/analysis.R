#!/usr/bin/env Rscript
# A second audited pair: Fashion-MNIST, a small convolutional network that tells ankle boots
# (class 9) from every other article, and caret's two-class report with a positive class, a
# prevalence and mode = "everything". Its Python port is analysis.py; spec.toml audits the two.
#
#   Rscript examples/cnn_two_class/analysis.R --out DIR [--epochs 2] [--train-size N]
#           [--test-size N] [--seed 42] [--steps-per-execution 1] [--threads N] [--save-normalized]
#
# DIR receives the run-artifact contract "parity-run" through the R package parityrun.

library(keras)
library(tensorflow)
library(parityrun)
library(caret)
options(warn = 1, width = 80)

opts <- parity_args(commandArgs(trailingOnly = TRUE), settings = list(
  epochs = 2L, seed = 42L, train_size = NA_integer_, test_size = NA_integer_,
  steps_per_execution = 1L, threads = NA_integer_, save_normalized = FALSE))
s <- opts$settings
run <- parity_run_open(opts$out, settings = s)

# The thread pools (an execution setting), before TensorFlow starts; and, unless the caller set
# them, this checkout's Python and Keras cache (as analysis.py defaults to)
script_file <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])
parity_tf_environment(dirname(dirname(dirname(normalizePath(script_file)))), threads = s$threads)

# Seeds and determinism: the same calls, in the same order, as analysis.py
set.seed(s$seed)
keras$backend$clear_session()
keras$utils$set_random_seed(as.integer(s$seed))
tf$config$experimental$enable_op_determinism()

c(c(x_train, y_train), c(x_test, y_test)) %<-% dataset_fashion_mnist()
full_dim <- list(train_images = dim(x_train), train_labels = length(y_train),
                 test_images = dim(x_test), test_labels = length(y_test))
first <- function(x, n) {  # the first n images or labels (NA: all), as analysis.py's x[:n]
  if (is.na(n)) x else if (length(dim(x)) == 3L) x[seq_len(n), , , drop = FALSE] else x[seq_len(n)]
}
x_train <- first(x_train, s$train_size); y_train <- first(y_train, s$train_size)
x_test <- first(x_test, s$test_size); y_test <- first(y_test, s$test_size)
parity_run_data(run, "train_images", x_train, full_dim$train_images)
parity_run_data(run, "train_labels", y_train, full_dim$train_labels)
parity_run_data(run, "test_images", x_test, full_dim$test_images)
parity_run_data(run, "test_labels", y_test, full_dim$test_labels)
x_train <- x_train / 255
x_test <- x_test / 255
# the two-class view: 1 = footwear (sandal, sneaker, ankle boot), 0 = any other article
is_footwear <- function(y) as.integer(y %in% c(5L, 7L, 9L))

model <- keras_model_sequential() %>%
  layer_reshape(target_shape = c(28, 28, 1), input_shape = c(28, 28)) %>%
  layer_conv_2d(filters = 8, kernel_size = c(3, 3), activation = "relu") %>%
  layer_max_pooling_2d(pool_size = c(2, 2)) %>%
  layer_flatten() %>%
  layer_dense(units = 1, activation = "sigmoid")
summary_text <- summary(model)  # before fit: Keras 3 then counts the optimizer's variables too
model %>% compile(optimizer = "adam", loss = "binary_crossentropy", metrics = "accuracy",
                  steps_per_execution = s$steps_per_execution)
history <- model %>% fit(x_train, is_footwear(y_train), epochs = s$epochs, verbose = 2)

probabilities <- model %>% predict(x_test, verbose = 0)
predicted <- as.integer(probabilities > 0.5)
predicted_f <- factor(predicted, levels = 0:1)
reference_f <- factor(is_footwear(y_test), levels = 0:1)
cm <- confusionMatrix(predicted_f, reference_f, positive = "1", prevalence = 0.3,
                      mode = "everything")
print(cm)

parity_run_normalization(run, "train", x_train, save = s$save_normalized)
parity_run_normalization(run, "test", x_test, save = s$save_normalized)
parity_run_labels(run, y_train, y_test)
parity_run_model(run, model, summary_text)
parity_run_history(run, history$metrics)
parity_run_predictions(run, probabilities, predicted)
parity_run_caret(run, cm, data = predicted_f, reference = reference_f, prevalence = 0.3)
parity_run_set(run, "versions", list(
  R = paste(R.version$major, R.version$minor, sep = "."),
  caret = as.character(packageVersion("caret")), tensorflow = tf$`__version__`,
  keras = tryCatch(keras$`__version__`, error = function(e) reticulate::import("tf_keras")$`__version__`)))
parity_run_close(run)
cat("artifacts:", opts$out, "\n")
