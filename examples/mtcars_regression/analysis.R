# mtcars, the RStudio keras way: predict mpg from six columns min-max scaled to [0, 1] (by the
# training set's minimum and maximum), a small regression network with a validation split and
# early stopping that restores the best weights, evaluate() on the test set, and caret's
# postResample(). Its Python port is analysis.py; spec.toml audits both.
#
#   Rscript analysis.R --out DIR [--epochs 100] [--seed 42] [--threads N]
library(keras)
library(tensorflow)
library(caret)
library(parityrun)

opts <- parity_args(commandArgs(trailingOnly = TRUE),
                    settings = list(epochs = 100L, seed = 42L, threads = NA_integer_))
s <- opts$settings
if (!is.na(s$threads))  # before TensorFlow starts
  Sys.setenv(TF_NUM_INTRAOP_THREADS = s$threads, TF_NUM_INTEROP_THREADS = s$threads)
run <- parity_run_open(opts$out, settings = s)

set_random_seed(s$seed)
tf$config$experimental$enable_op_determinism()

here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
cars <- read.csv(file.path(here, "mtcars.csv"))
features <- c("cyl", "disp", "hp", "drat", "wt", "qsec")
train <- cars[cars$split == "train", ]
test <- cars[cars$split == "test", ]

# min-max scaling with the training set's minimum and maximum, for both sets
mins <- apply(as.matrix(train[, features]), 2, min)
maxs <- apply(as.matrix(train[, features]), 2, max)
min_max <- function(x) sweep(sweep(x, 2, mins), 2, maxs - mins, "/")
x_train <- min_max(as.matrix(train[, features]))
x_test <- min_max(as.matrix(test[, features]))
y_train <- train$mpg
y_test <- test$mpg

model <- keras_model_sequential() %>%
  layer_dense(units = 16, activation = "relu", input_shape = length(features)) %>%
  layer_dense(units = 1)
summary_text <- summary(model)

model %>% compile(loss = "mse", optimizer = optimizer_adam(learning_rate = 0.1),
                  metrics = "mae")
early_stopping <- callback_early_stopping(monitor = "val_loss", patience = 5,
                                          restore_best_weights = TRUE)
history <- model %>% fit(x_train, y_train, epochs = s$epochs, batch_size = 8,
                         validation_split = 0.2, callbacks = list(early_stopping), verbose = 0)

scores <- model %>% evaluate(x_test, y_test, verbose = 0)
print(scores)
predicted <- model %>% predict(x_test, verbose = 0)
performance <- postResample(pred = predicted[, 1], obs = y_test)
print(performance)

parity_run_data(run, "train_features", as.matrix(train[, features]), dim(cars[, features]))
parity_run_data(run, "test_features", as.matrix(test[, features]), dim(cars[, features]))
parity_run_labels(run, y_train, y_test)
parity_run_normalization(run, "train", x_train, save = TRUE)
parity_run_normalization(run, "test", x_test, save = TRUE)
parity_run_model(run, model, summary_text)
parity_run_history(run, history$metrics)
parity_run_early_stopping(run, early_stopping, history)
parity_run_predictions(run, predicted, task = "regression")
parity_run_evaluation(run, scores)
parity_run_post_resample(run, performance, pred = predicted[, 1], obs = y_test)
parity_run_set(run, "implementation", parity_keras_implementation())  # which R keras ran, and why
parity_run_close(run)
