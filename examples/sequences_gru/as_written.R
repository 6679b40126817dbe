# Integer sequences in three classes, the RStudio keras way, as its author wrote it before
# adding any writer call (analysis.R is this script plus the parityrun calls that write the
# contract): an embedding and a GRU read each sequence, a softmax names the token range it
# draws most from; labels one-hot with to_categorical(), categorical cross-entropy, 20% of the
# training rows held out for validation (validation_split), then caret's confusionMatrix.
# captured.toml audits it and its port as_written.py unmodified: the capture layer records the
# keras and caret calls.
#
#   Rscript as_written.R [--epochs 10] [--seed 42]
library(keras)
library(tensorflow)
library(caret)

# the settings, parsed by hand: --epochs N --seed N
opt <- list(epochs = 10L, seed = 42L)
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
sequences <- read.csv(file.path(here, "sequences.csv"), stringsAsFactors = TRUE)
tokens <- paste0("t", 1:12)
train <- sequences[sequences$split == "train", ]
test <- sequences[sequences$split == "test", ]
x_train <- as.matrix(train[, tokens])
x_test <- as.matrix(test[, tokens])
y_train <- as.integer(train$label) - 1L

model <- keras_model_sequential(input_shape = 12) %>%
  layer_embedding(input_dim = 21, output_dim = 8) %>%
  layer_gru(units = 16) %>%
  layer_dense(units = 3, activation = "softmax")
summary(model)

model %>% compile(loss = "categorical_crossentropy", optimizer = "adam", metrics = "accuracy")
history <- model %>% fit(x_train, to_categorical(y_train, num_classes = 3), epochs = opt$epochs,
                         batch_size = 32, validation_split = 0.2, verbose = 0)

probabilities <- model %>% predict(x_test, verbose = 0)
predicted <- max.col(probabilities, ties.method = "first") - 1L
ranges <- levels(sequences$label)
predicted_range <- factor(ranges[predicted + 1L], levels = ranges)
cm <- confusionMatrix(predicted_range, test$label)
print(cm)
