# iris, the RStudio keras way: scale() the four measurements, one-hot the species with
# to_categorical(), a small MLP trained with categorical cross-entropy, and caret's
# confusionMatrix(mode = "prec_recall"). Its Python port is analysis.py; spec.toml audits both.
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
summary_text <- summary(model)

model %>% compile(
  loss = "categorical_crossentropy",
  optimizer = optimizer_adam(learning_rate = 0.01),
  metrics = "accuracy"
)
history <- model %>% fit(x_train, y_train, epochs = s$epochs, batch_size = 16, verbose = 0)

probabilities <- model %>% predict(x_test, verbose = 0)
predicted <- max.col(probabilities, ties.method = "first") - 1L
species <- levels(iris$Species)
predicted_species <- factor(species[predicted + 1L], levels = species)
cm <- confusionMatrix(predicted_species, test$Species, mode = "prec_recall")
print(cm)

parity_run_data(run, "train_features", as.matrix(train[, features]), dim(iris[, features]))
parity_run_data(run, "test_features", as.matrix(test[, features]), dim(iris[, features]))
parity_run_labels(run, as.integer(train$Species) - 1L, as.integer(test$Species) - 1L)
parity_run_normalization(run, "train", x_train, save = TRUE)
parity_run_normalization(run, "test", x_test, save = TRUE)
parity_run_model(run, model, summary_text)
parity_run_history(run, history$metrics)
parity_run_predictions(run, probabilities, predicted, task = "multiclass")
parity_run_caret(run, cm, data = predicted_species, reference = test$Species)
parity_run_set(run, "implementation", parity_keras_implementation())  # which R keras ran, and why
parity_run_close(run)
