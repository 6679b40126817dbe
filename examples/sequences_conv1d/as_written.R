# Integer sequences, the RStudio keras way, as its author wrote it before adding any writer
# call (analysis.R is this script plus the parityrun calls that write the contract): an
# embedding, a 1-D convolution and global max pooling learn whether the motif 7, 8, 9 occurs;
# the rarer class weighs more (class_weight), one sigmoid unit gives its probability, and
# caret's confusionMatrix reports "motif" as the positive class (mode = "everything").
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
sequences <- read.csv(file.path(here, "sequences.csv"))
tokens <- paste0("t", 1:20)
train <- sequences[sequences$split == "train", ]
test <- sequences[sequences$split == "test", ]
x_train <- as.matrix(train[, tokens])
x_test <- as.matrix(test[, tokens])
y_train <- as.integer(train$label == "motif")

model <- keras_model_sequential(input_shape = 20) %>%
  layer_embedding(input_dim = 31, output_dim = 8) %>%
  layer_conv_1d(filters = 16, kernel_size = 3, activation = "relu") %>%
  layer_global_max_pooling_1d() %>%
  layer_dense(units = 1, activation = "sigmoid")
summary(model)

model %>% compile(loss = "binary_crossentropy", optimizer = "adam", metrics = "accuracy")
# about one sequence in five holds the motif: weigh those four times as much
class_weight <- list("0" = 1, "1" = 4)
history <- model %>% fit(x_train, y_train, epochs = opt$epochs, batch_size = 32,
                         class_weight = class_weight, verbose = 0)

probabilities <- model %>% predict(x_test, verbose = 0)
predicted <- as.integer(probabilities > 0.5)
labels <- c("none", "motif")
predicted_label <- factor(labels[predicted + 1L], levels = labels)
reference <- factor(test$label, levels = labels)
cm <- confusionMatrix(predicted_label, reference, positive = "motif", mode = "everything")
print(cm)
