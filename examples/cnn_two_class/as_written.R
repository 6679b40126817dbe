#!/usr/bin/env Rscript
# Fashion-MNIST, a small convolutional network that tells footwear (sandals, sneakers, ankle
# boots: classes 5, 7, 9) from every other article, and caret's two-class report with a positive
# class, a prevalence and mode = "everything" - as its author wrote it before adding any writer
# call (analysis.R is this script plus the parityrun calls that write the contract).
# captured.toml audits it and its port as_written.py unmodified: the capture layer records the
# keras and caret calls.
#
#   Rscript examples/cnn_two_class/as_written.R [--epochs 2] [--seed 42] [--train-size 60000]
#           [--test-size 10000]

library(keras)
library(tensorflow)
library(caret)
options(warn = 1, width = 80)

# the settings, parsed by hand: --epochs N --seed N --train-size N --test-size N
opt <- list(epochs = 2L, seed = 42L, train_size = 60000L, test_size = 10000L)
args <- commandArgs(trailingOnly = TRUE)
while (length(args) >= 2L && gsub("-", "_", sub("^--", "", args[1])) %in% names(opt)) {
  value <- suppressWarnings(as.integer(args[2]))
  if (is.na(value)) stop(args[1], " ", args[2], ": expected an integer", call. = FALSE)
  opt[[gsub("-", "_", sub("^--", "", args[1]))]] <- value
  args <- args[-(1:2)]
}
if (length(args) > 0L)
  stop("unknown option ", args[1], "; expected --epochs N, --seed N, --train-size N, ",
       "--test-size N", call. = FALSE)

# Seeds and determinism: the same calls, in the same order, as as_written.py
set.seed(opt$seed)
keras$backend$clear_session()
keras$utils$set_random_seed(as.integer(opt$seed))
tf$config$experimental$enable_op_determinism()

c(c(x_train, y_train), c(x_test, y_test)) %<-% dataset_fashion_mnist()
x_train <- x_train[seq_len(opt$train_size), , , drop = FALSE]
y_train <- y_train[seq_len(opt$train_size)]
x_test <- x_test[seq_len(opt$test_size), , , drop = FALSE]
y_test <- y_test[seq_len(opt$test_size)]
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
summary(model)
model %>% compile(optimizer = "adam", loss = "binary_crossentropy", metrics = "accuracy")
history <- model %>% fit(x_train, is_footwear(y_train), epochs = opt$epochs, verbose = 2)

probabilities <- model %>% predict(x_test, verbose = 0)
predicted <- as.integer(probabilities > 0.5)
predicted_f <- factor(predicted, levels = 0:1)
reference_f <- factor(is_footwear(y_test), levels = 0:1)
cm <- confusionMatrix(predicted_f, reference_f, positive = "1", prevalence = 0.3,
                      mode = "everything")
print(cm)
