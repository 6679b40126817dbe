# iris, the RStudio keras way, as its author wrote it before adding any writer call (analysis.R
# is this script plus the parityrun calls that write the contract): scale() the four
# measurements, one-hot the species with to_categorical(), a small MLP trained with categorical
# cross-entropy, and caret's confusionMatrix(mode = "prec_recall"). captured.toml audits it and
# its port as_written.py unmodified: the capture layer records the keras and caret calls.
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
iris <- read.csv(file.path(here, "iris.csv"), stringsAsFactors = TRUE)
features <- c("Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width")
train <- iris[iris$split == "train", ]
test <- iris[iris$split == "test", ]

# scale() the training set; the test set with the training set's centre and scale
x_train <- scale(as.matrix(train[, features]))
x_test <- scale(as.matrix(test[, features]), center = attr(x_train, "scaled:center"),
                scale = attr(x_train, "scaled:scale"))
y_train <- to_categorical(as.integer(train$Species) - 1L, num_classes = 3)

model <- keras_model_sequential() %>%
  layer_dense(units = 16, activation = "relu", input_shape = 4) %>%
  layer_dense(units = 3, activation = "softmax")
summary(model)

model %>% compile(
  loss = "categorical_crossentropy",
  optimizer = optimizer_adam(learning_rate = 0.01),
  metrics = "accuracy"
)
history <- model %>% fit(x_train, y_train, epochs = opt$epochs, batch_size = 16, verbose = 0)

probabilities <- model %>% predict(x_test, verbose = 0)
predicted <- max.col(probabilities, ties.method = "first") - 1L
species <- levels(iris$Species)
predicted_species <- factor(species[predicted + 1L], levels = species)
cm <- confusionMatrix(predicted_species, test$Species, mode = "prec_recall")
print(cm)
