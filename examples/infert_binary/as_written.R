# R's infert data, the RStudio keras way, as its author wrote it before adding any writer call
# (analysis.R is this script plus the parityrun calls that write the contract): scale() four
# columns, a small network with one sigmoid unit gives the probability of a case, cases are
# flagged above 0.35 (they are a third of the data), caret's confusionMatrix reports "case" as
# the positive class with mode = "everything", and twoClassSummary(). captured.toml audits it
# and its port as_written.py unmodified: the capture layer records the keras and caret calls.
#
#   Rscript as_written.R [--epochs 30] [--seed 42]
library(keras)
library(tensorflow)
library(caret)

# the settings, parsed by hand: --epochs N --seed N
opt <- list(epochs = 30L, seed = 42L)
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
summary(model)

model %>% compile(loss = "binary_crossentropy", optimizer = optimizer_adam(learning_rate = 0.01),
                  metrics = "accuracy")
history <- model %>% fit(x_train, train$case, epochs = opt$epochs, batch_size = 16, verbose = 0)

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
