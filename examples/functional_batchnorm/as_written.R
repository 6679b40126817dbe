# Three classes in five dimensions, the RStudio keras way with the functional API, as its
# author wrote it before adding any writer call (analysis.R is this script plus the parityrun
# calls that write the contract): a dense layer, batch normalization, a ReLU and a softmax;
# training watches a separate validation set (validation_data) and stops early, restoring the
# best weights; evaluate() on the test set, then caret's confusionMatrix. captured.toml audits
# it and its port as_written.py unmodified: the capture layer records the keras and caret calls.
#
#   Rscript as_written.R [--epochs 50] [--seed 42]
library(keras)
library(tensorflow)
library(caret)

# the settings, parsed by hand: --epochs N --seed N
opt <- list(epochs = 50L, seed = 42L)
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
blobs <- read.csv(file.path(here, "blobs.csv"), stringsAsFactors = TRUE)
features <- paste0("x", 1:5)
part <- function(name) blobs[blobs$split == name, ]
train <- part("train")
validation <- part("validation")
test <- part("test")
one_hot <- function(d) to_categorical(as.integer(d$class) - 1L, num_classes = 3)

inputs <- layer_input(shape = 5)
outputs <- inputs %>%
  layer_dense(units = 16) %>%
  layer_batch_normalization() %>%
  layer_activation("relu") %>%
  layer_dense(units = 3, activation = "softmax")
model <- keras_model(inputs, outputs)
summary(model)

model %>% compile(loss = "categorical_crossentropy",
                  optimizer = optimizer_adam(learning_rate = 0.05), metrics = "accuracy")
early_stopping <- callback_early_stopping(monitor = "val_loss", patience = 3,
                                          restore_best_weights = TRUE)
history <- model %>% fit(
  as.matrix(train[, features]), one_hot(train), epochs = opt$epochs, batch_size = 32,
  validation_data = list(as.matrix(validation[, features]), one_hot(validation)),
  callbacks = list(early_stopping),
  verbose = 0)

scores <- model %>% evaluate(as.matrix(test[, features]), one_hot(test), verbose = 0)
print(scores)
probabilities <- model %>% predict(as.matrix(test[, features]), verbose = 0)
predicted <- k_get_value(k_argmax(probabilities))
classes <- levels(blobs$class)
predicted_class <- factor(classes[predicted + 1L], levels = classes)
cm <- confusionMatrix(predicted_class, test$class)
print(cm)
