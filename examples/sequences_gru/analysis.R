# Integer sequences in three classes, the RStudio keras way: an embedding and a GRU read each
# sequence, a softmax names the token range it draws most from; labels one-hot with
# to_categorical(), categorical cross-entropy, 20% of the training rows held out for
# validation (validation_split), then caret's confusionMatrix. Its Python port is analysis.py;
# spec.toml audits both.
#
#   Rscript analysis.R --out DIR [--epochs 10] [--seed 42] [--threads N]
library(keras)
library(tensorflow)
library(caret)
library(parityrun)

opts <- parity_args(commandArgs(trailingOnly = TRUE),
                    settings = list(epochs = 10L, seed = 42L, threads = NA_integer_))
s <- opts$settings
if (!is.na(s$threads))  # before TensorFlow starts
  Sys.setenv(TF_NUM_INTRAOP_THREADS = s$threads, TF_NUM_INTEROP_THREADS = s$threads)
run <- parity_run_open(opts$out, settings = s)

set_random_seed(s$seed)
tf$config$experimental$enable_op_determinism()

here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
sequences <- read.csv(file.path(here, "sequences.csv"), stringsAsFactors = TRUE)
tokens <- paste0("t", 1:12)
train <- sequences[sequences$split == "train", ]
test <- sequences[sequences$split == "test", ]
x_train <- as.matrix(train[, tokens])
x_test <- as.matrix(test[, tokens])
y_train <- as.integer(train$label) - 1L
y_test <- as.integer(test$label) - 1L

model <- keras_model_sequential(input_shape = 12) %>%
  layer_embedding(input_dim = 21, output_dim = 8) %>%
  layer_gru(units = 16) %>%
  layer_dense(units = 3, activation = "softmax")
summary_text <- summary(model)

model %>% compile(loss = "categorical_crossentropy", optimizer = "adam", metrics = "accuracy")
history <- model %>% fit(x_train, to_categorical(y_train, num_classes = 3), epochs = s$epochs,
                         batch_size = 32, validation_split = 0.2, verbose = 0)

probabilities <- model %>% predict(x_test, verbose = 0)
predicted <- max.col(probabilities, ties.method = "first") - 1L
ranges <- levels(sequences$label)
predicted_range <- factor(ranges[predicted + 1L], levels = ranges)
cm <- confusionMatrix(predicted_range, test$label)
print(cm)

parity_run_data(run, "train_sequences", x_train, dim(sequences[, tokens]))
parity_run_data(run, "test_sequences", x_test, dim(sequences[, tokens]))
parity_run_labels(run, y_train, y_test)
parity_run_model(run, model, summary_text)
parity_run_history(run, history$metrics)
parity_run_predictions(run, probabilities, predicted, task = "multiclass")
parity_run_caret(run, cm, data = predicted_range, reference = test$label)
parity_run_set(run, "implementation", parity_keras_implementation())  # which R keras ran, and why
parity_run_close(run)
