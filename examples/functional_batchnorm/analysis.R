# Three classes in five dimensions, the RStudio keras way with the functional API: a dense
# layer, batch normalization (one column is on another scale), a ReLU and a softmax; training
# watches a separate validation set (validation_data) and stops early, restoring the best
# weights; evaluate() on the test set, then caret's confusionMatrix. Its Python port is
# analysis.py; spec.toml audits both.
#
#   Rscript analysis.R --out DIR [--epochs 50] [--seed 42] [--threads N]
library(keras)
library(tensorflow)
library(caret)
library(parityrun)

opts <- parity_args(commandArgs(trailingOnly = TRUE),
                    settings = list(epochs = 50L, seed = 42L, threads = NA_integer_))
s <- opts$settings
if (!is.na(s$threads))  # before TensorFlow starts
  Sys.setenv(TF_NUM_INTRAOP_THREADS = s$threads, TF_NUM_INTEROP_THREADS = s$threads)
run <- parity_run_open(opts$out, settings = s)

set_random_seed(s$seed)
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
summary_text <- summary(model)

model %>% compile(loss = "categorical_crossentropy",
                  optimizer = optimizer_adam(learning_rate = 0.05), metrics = "accuracy")
early_stopping <- callback_early_stopping(monitor = "val_loss", patience = 3,
                                          restore_best_weights = TRUE)
history <- model %>% fit(
  as.matrix(train[, features]), one_hot(train), epochs = s$epochs, batch_size = 32,
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

for (p in c("train", "validation", "test"))
  parity_run_data(run, paste0(p, "_features"), as.matrix(part(p)[, features]), dim(blobs[, features]))
parity_run_labels(run, as.integer(train$class) - 1L, as.integer(test$class) - 1L)
parity_run_model(run, model, summary_text)
parity_run_history(run, history$metrics)
parity_run_early_stopping(run, early_stopping, history)
parity_run_predictions(run, probabilities, predicted, task = "multiclass")
parity_run_evaluation(run, scores)
parity_run_caret(run, cm, data = predicted_class, reference = test$class)
parity_run_set(run, "implementation", parity_keras_implementation())  # which R keras ran, and why
parity_run_close(run)
