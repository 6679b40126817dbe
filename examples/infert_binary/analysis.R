# R's infert data, the RStudio keras way: scale() four columns, a small network with one
# sigmoid unit gives the probability of a case, cases are flagged above 0.35 (they are a
# third of the data), and caret's confusionMatrix reports "case" as the positive class with
# mode = "everything". Its Python port is analysis.py; spec.toml audits both.
#
#   Rscript analysis.R --out DIR [--epochs 30] [--seed 42] [--threads N]
library(keras)
library(tensorflow)
library(caret)
library(parityrun)

opts <- parity_args(commandArgs(trailingOnly = TRUE),
                    settings = list(epochs = 30L, seed = 42L, threads = NA_integer_))
s <- opts$settings
if (!is.na(s$threads))  # before TensorFlow starts
  Sys.setenv(TF_NUM_INTRAOP_THREADS = s$threads, TF_NUM_INTEROP_THREADS = s$threads)
run <- parity_run_open(opts$out, settings = s)

set_random_seed(s$seed)
tf$config$experimental$enable_op_determinism()

here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
infert <- read.csv(file.path(here, "infert.csv"))
features <- c("age", "parity", "induced", "spontaneous")
train <- infert[infert$split == "train", ]
test <- infert[infert$split == "test", ]

x_train <- scale(as.matrix(train[, features]))
x_test <- scale(as.matrix(test[, features]), center = attr(x_train, "scaled:center"),
                scale = attr(x_train, "scaled:scale"))

model <- keras_model_sequential() %>%
  layer_dense(units = 8, activation = "relu", input_shape = length(features)) %>%
  layer_dense(units = 1, activation = "sigmoid")
summary_text <- summary(model)

model %>% compile(loss = "binary_crossentropy", optimizer = optimizer_adam(learning_rate = 0.01),
                  metrics = "accuracy")
history <- model %>% fit(x_train, train$case, epochs = s$epochs, batch_size = 16, verbose = 0)

probabilities <- model %>% predict(x_test, verbose = 0)
threshold <- 0.35
predicted <- as.integer(probabilities > threshold)
outcomes <- c("control", "case")
predicted_outcome <- factor(outcomes[predicted + 1L], levels = outcomes)
reference <- factor(outcomes[test$case + 1L], levels = outcomes)
cm <- confusionMatrix(predicted_outcome, reference, positive = "case", mode = "everything")
print(cm)
# caret's twoClassSummary takes the first level ("control") as its event
scored <- data.frame(obs = reference, pred = predicted_outcome,
                     control = 1 - probabilities[, 1], case = probabilities[, 1])
roc_sens_spec <- twoClassSummary(scored, lev = levels(reference))
print(roc_sens_spec)

parity_run_data(run, "train_features", as.matrix(train[, features]), dim(infert[, features]))
parity_run_data(run, "test_features", as.matrix(test[, features]), dim(infert[, features]))
parity_run_labels(run, train$case, test$case)
parity_run_normalization(run, "train", x_train, save = TRUE)
parity_run_normalization(run, "test", x_test, save = TRUE)
parity_run_model(run, model, summary_text)
parity_run_history(run, history$metrics)
parity_run_predictions(run, probabilities, predicted, task = "binary", threshold = threshold)
parity_run_caret(run, cm, data = predicted_outcome, reference = reference)
parity_run_summary(run, "twoClassSummary", roc_sens_spec, data = scored,
                   lev = levels(reference))
parity_run_set(run, "implementation", parity_keras_implementation())  # which R keras ran, and why
parity_run_close(run)
