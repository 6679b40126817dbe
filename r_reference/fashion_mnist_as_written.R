#!/usr/bin/env Rscript
# The tutorial's R script as its authors wrote it (shared/seed/000_a92bc3679fa58126.txt,
# Kanlanfeyi & Hounsinou, "Présentation de Keras"): no writer call, nothing for the audit.
# parity/specs/tutorial_captured.toml audits it and its Python port (python_impl/as_written.py)
# unmodified: the capture layer records the keras and caret calls. fashion_mnist.R is the same
# script instrumented (the writer calls, checkpoints, execution settings).
#
# Added to the tutorial's lines, as a user who wants to rerun it would: four settings on the
# command line (the seed trains 200 epochs on every image), the seeds and deterministic ops
# (without them no two runs agree), the first N images, and the complete class names (the
# extracted text keeps only the last four).
#
#   Rscript r_reference/fashion_mnist_as_written.R [--epochs 200] [--seed 42]
#           [--train-size 60000] [--test-size 10000]

library(keras)
library(tensorflow)

# the settings, parsed by hand: --epochs N --seed N --train-size N --test-size N
opt <- list(epochs = 200L, seed = 42L, train_size = 60000L, test_size = 10000L)
args <- commandArgs(trailingOnly = TRUE)
while (length(args) >= 2L && gsub("-", "_", sub("^--", "", args[1])) %in% names(opt)) {
  value <- suppressWarnings(as.integer(args[2]))
  if (is.na(value)) stop(args[1], " ", args[2], ": expected an integer", call. = FALSE)
  opt[[gsub("-", "_", sub("^--", "", args[1]))]] <- value
  args <- args[-(1:2)]
}
if (length(args) > 0L)
  stop("unknown option ", args[1], "; expected --epochs N, --seed N, --train-size N, ",
       "--test-size N", call. = FALSE)
set_random_seed(opt$seed)
tf$config$experimental$enable_op_determinism()

fashion_mnist <- dataset_fashion_mnist()

#Données d'entrainement
c(train_images, train_labels) %<-% fashion_mnist$train

#Données de test
c(test_images, test_labels) %<-% fashion_mnist$test
typeof(train_images)
train_images <- train_images[seq_len(opt$train_size), , , drop = FALSE]
train_labels <- train_labels[seq_len(opt$train_size)]
test_images <- test_images[seq_len(opt$test_size), , , drop = FALSE]
test_labels <- test_labels[seq_len(opt$test_size)]

library(tidyr)
library(ggplot2)

#Conversionn en DataFrame
image_1 <- as.data.frame(train_images[1, , ])
colnames(image_1) <- seq_len(ncol(image_1))
image_1$y <- seq_len(nrow(image_1))
image_1 <- gather(image_1, "x", "value", -y)
image_1$x <- as.integer(image_1$x)

train_images <- train_images / 255
test_images <- test_images / 255

class_names = c('T-shirt/haut', 'Pantalon', 'Pull', 'Robe', 'Manteau', 'Sandale',
                'Chemise',
                'Baskets',
                'Sac',
                'Bottines')

model <- keras_model_sequential()
model %>%
  layer_flatten(input_shape = c(28, 28)) %>%
  layer_dense(units = 128, activation = 'relu') %>%
  layer_dropout(rate = 0.1)%>%
  layer_dense(units = 64, activation = 'relu') %>%
  layer_dropout(rate = 0.1)%>%
  layer_dense(units = 32, activation = 'relu') %>%
  layer_dropout(rate = 0.1)%>%
  layer_dropout(rate = 0.1)%>%
  layer_dense(units = 10, activation = 'softmax')
summary(model)

model %>% compile(
  optimizer = 'adam',
  loss = 'sparse_categorical_crossentropy',
  metrics = c('accuracy')
)

model %>% fit(train_images, train_labels, epochs = opt$epochs, verbose = 2)

predictions <- model %>% predict_classes(test_images)
#Affichage des 50 premières données prédites
predictions[1:50]

library(caret)
test_labels2 = factor(test_labels)
predictions2 = factor(predictions)
matrice_Conf = confusionMatrix(predictions2, test_labels2)
matrice_Conf
