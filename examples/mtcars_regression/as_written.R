# mtcars, the RStudio keras way, as its author wrote it before adding any writer call
# (analysis.R is this script plus the parityrun calls that write the contract): predict mpg from
# six columns min-max scaled to [0, 1] (by the training set's minimum and maximum), a small
# regression network with a validation split and early stopping that restores the best weights,
# evaluate() on the test set, and caret's postResample(). captured.toml audits it and its port
# as_written.py unmodified: the capture layer records the keras and caret calls.
#
#   Rscript as_written.R [--epochs 100] [--seed 42]
library(keras)
library(tensorflow)
library(caret)

# the settings, parsed by hand: --epochs N --seed N
opt <- list(epochs = 100L, seed = 42L)
args <- commandArgs(trailingOnly = TRUE)
while (length(args) >= 2L && sub("^--", "", args[1]) %in% names(opt)) {
  value <- suppressWarnings(as.integer(args[2]))
  if (is.na(value)) stop(args[1], " ", args[2], ": expected an integer", call. = FALSE)
  opt[[sub("^--", "", args[1])]] <- value
  args <- args[-(1:2)]
}
if (length(args) > 0L)
  stop("unknown option ", args[1], "; expected --epochs N, --seed N", call. = FALSE)

set_random_seed(opt$seed)
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
summary(model)

model %>% compile(loss = "mse", optimizer = optimizer_adam(learning_rate = 0.1),
                  metrics = "mae")
early_stopping <- callback_early_stopping(monitor = "val_loss", patience = 5,
                                          restore_best_weights = TRUE)
history <- model %>% fit(x_train, y_train, epochs = opt$epochs, batch_size = 8,
                         validation_split = 0.2, callbacks = list(early_stopping), verbose = 0)

scores <- model %>% evaluate(x_test, y_test, verbose = 0)
print(scores)
predicted <- model %>% predict(x_test, verbose = 0)
performance <- postResample(pred = predicted[, 1], obs = y_test)
print(performance)
