# Integer sequences, the RStudio keras way: an embedding, a 1-D convolution and global max
# pooling learn whether the motif 7, 8, 9 occurs; the rarer class weighs more (class_weight),
# one sigmoid unit gives its probability, and caret's confusionMatrix reports "motif" as the
# positive class (mode = "everything"). Its Python port is analysis.py; spec.toml audits both.
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
sequences <- read.csv(file.path(here, "sequences.csv"))
tokens <- paste0("t", 1:20)
train <- sequences[sequences$split == "train", ]
test <- sequences[sequences$split == "test", ]
x_train <- as.matrix(train[, tokens])
x_test <- as.matrix(test[, tokens])
y_train <- as.integer(train$label == "motif")
y_test <- as.integer(test$label == "motif")

model <- keras_model_sequential(input_shape = 20) %>%
  layer_embedding(input_dim = 31, output_dim = 8) %>%
  layer_conv_1d(filters = 16, kernel_size = 3, activation = "relu") %>%
  layer_global_max_pooling_1d() %>%
  layer_dense(units = 1, activation = "sigmoid")
summary_text <- summary(model)

model %>% compile(loss = "binary_crossentropy", optimizer = "adam", metrics = "accuracy")
# about one sequence in five holds the motif: weigh those four times as much
class_weight <- list("0" = 1, "1" = 4)
history <- model %>% fit(x_train, y_train, epochs = s$epochs, batch_size = 32,
                         class_weight = class_weight, verbose = 0)

probabilities <- model %>% predict(x_test, verbose = 0)
predicted <- as.integer(probabilities > 0.5)
labels <- c("none", "motif")
predicted_label <- factor(labels[predicted + 1L], levels = labels)
reference <- factor(test$label, levels = labels)
cm <- confusionMatrix(predicted_label, reference, positive = "motif", mode = "everything")
print(cm)

parity_run_data(run, "train_sequences", x_train, dim(sequences[, tokens]))
parity_run_data(run, "test_sequences", x_test, dim(sequences[, tokens]))
parity_run_labels(run, y_train, y_test)
parity_run_model(run, model, summary_text)
parity_run_history(run, history$metrics)
parity_run_weights(run, class_weight = class_weight)
parity_run_predictions(run, probabilities, predicted, task = "binary", threshold = 0.5)
parity_run_caret(run, cm, data = predicted_label, reference = reference)
parity_run_set(run, "implementation", parity_keras_implementation())  # which R keras ran, and why
parity_run_close(run)
