#!/usr/bin/env Rscript
# The tutorial's R keras/caret script (Kanlanfeyi & Hounsinou, "Présentation de Keras"), kept line
# by line, plus what a parity check needs: command-line options, seeds, and exact artifacts.
#
#   Rscript r_reference/fashion_mnist.R --out DIR [--epochs 200] [--train-size N]
#           [--test-size N] [--seed 42] [--steps-per-execution 1] [--threads N]
#           [--save-normalized] [--checkpoint DIR]
#
# DIR receives the run-artifact contract "parity-run" (the R package parityrun; JSON Schema
# parity/schemas/parity-run-1.schema.json): run.json, arrays as .npy (labels, probabilities,
# predicted classes, history, caret's table/overall/byClass, with --save-normalized the
# normalized images), the printed model summary and caret print. It is written to a temporary
# directory first and renamed at the end. With --checkpoint DIR the training state is saved in
# DIR after every epoch, and a run that finds it there resumes from it, bit-identically
# (parityrun's checkpoint_*()); DIR is removed once the run directory is written.
# Exit status: 0 on success; 1 with R's error message on stderr otherwise.

library(keras)
library(tensorflow)
library(parityrun)  # the run-artifact contract's writer, the checkpoint, which keras runs
options(warn = 1, width = 80)

# ---- settings: the one place they are listed (the Python twin: python_impl.workflow.RunConfig)
opts <- parity_args(commandArgs(trailingOnly = TRUE), settings = list(
  epochs = 200L, seed = 42L, train_size = NA_integer_, test_size = NA_integer_,
  steps_per_execution = 1L, threads = NA_integer_, save_normalized = FALSE))
settings <- opts$settings
for (s in c("epochs", "steps_per_execution", "train_size", "test_size", "threads"))
  if (!is.na(settings[[s]]) && settings[[s]] < 1L)
    stop("option --", gsub("_", "-", s), ": ", settings[[s]], " must be at least 1", call. = FALSE)
run <- parity_run_open(opts$out, settings = settings)

# (parity option) the thread pools, an execution setting, before TensorFlow starts; and, unless
# the caller set them, this checkout's Python and Keras cache, as the Python side defaults to
# (python_impl.keras_env); without a checkout (a wheel), the ones the R packages recorded
script_file <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])
parity_tf_environment(dirname(dirname(normalizePath(script_file))), threads = settings$threads)

# ---- which R keras runs: keras-caret-parity's, or a real installation where there is one
keras_impl <- parity_keras_announce(parity_keras_implementation())
if (keras_impl$runs != "true") stop("keras: ", keras_impl$reason, call. = FALSE)
if (keras_impl$name == "keras (CRAN)" && tf_version() >= "2.6")
  predict_classes <- parity_predict_classes  # the real one fails there (see its record)

# ---- seeds and determinism: the same calls, in the same order, as python_impl ------------
set.seed(settings$seed)
keras$backend$clear_session()
keras$utils$set_random_seed(as.integer(settings$seed))
tf$config$experimental$enable_op_determinism()

# ==== the tutorial ========================================================================
fashion_mnist <- dataset_fashion_mnist()

#Données d'entrainement
c(train_images, train_labels) %<-% fashion_mnist$train

#Données de test
c(test_images, test_labels) %<-% fashion_mnist$test
typeof(train_images)
full_dims <- list(train_images = dim(train_images), train_labels = length(train_labels),
                  test_images = dim(test_images), test_labels = length(test_labels))

# (parity option) the first N images, as python_impl.data.subset does
for (o in c("train_size", "test_size")) {
  n_avail <- if (o == "train_size") dim(train_images)[1] else dim(test_images)[1]
  if (!is.na(settings[[o]]) && settings[[o]] > n_avail)
    stop("option --", gsub("_", "-", o), ": ", settings[[o]], " is more than the ", n_avail,
         " images available", call. = FALSE)
}
if (!is.na(settings$train_size)) {
  train_images <- train_images[seq_len(settings$train_size), , , drop = FALSE]
  train_labels <- train_labels[seq_len(settings$train_size)]
}
if (!is.na(settings$test_size)) {
  test_images <- test_images[seq_len(settings$test_size), , , drop = FALSE]
  test_labels <- test_labels[seq_len(settings$test_size)]
}

# (parity) the data facts, before normalization: dims used and typeof
for (name in names(full_dims)) parity_run_data(run, name, get(name), full_dim = full_dims[[name]])

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
# (parity) the same text for the artifacts, taken here: after training Keras 3 would add the
# optimizer's variables to the totals
summary_text <- paste(capture.output(summary(model)), collapse = "\n")

model %>% compile(
  optimizer = 'adam',
  loss = 'sparse_categorical_crossentropy',
  metrics = c('accuracy'),
  steps_per_execution = settings$steps_per_execution  # (parity option) an execution setting
)

fit_started <- Sys.time()
if (!is.na(opts$checkpoint) && Sys.getenv("TF_USE_LEGACY_KERAS") == "1") {
  cat("checkpoints: off (Keras 2 (tf-keras) draws dropout masks from stateful TensorFlow kernels",
      "whose state cannot be saved, so a resumed run would differ; this run cannot resume)\n")
  opts$checkpoint <- NA_character_
}
# (parity option) one code path with and without --checkpoint: the tutorial's fit, continued
# from the saved epoch when resuming, with a callback that records each epoch (and saves it)
ck <- if (is.na(opts$checkpoint)) NULL else checkpoint_open(opts$checkpoint, c(
  list(side = "r"), parity_checkpoint_identity(settings),
  list(keras_package = if (Sys.getenv("TF_USE_LEGACY_KERAS") == "1") "tf_keras" else "keras")))
restored <- checkpoint_restore(ck, model)
if (restored$epochs_done > settings$epochs)
  stop("checkpoint '", ck$file, "' has ", restored$epochs_done, " epochs done, more than the ",
       settings$epochs, " asked for", call. = FALSE)
if (restored$epochs_done > 0) cat("resume: ", restored$epochs_done, "/", settings$epochs, " epochs done\n", sep = "")
epochs_log <- checkpoint_callback(ck, model, restored)
if (restored$epochs_done < settings$epochs)
  model %>% fit(train_images, train_labels, epochs = settings$epochs, verbose = 2,
                initial_epoch = restored$epochs_done, callbacks = list(epochs_log$callback))
metrics <- epochs_log$history()
fit_seconds <- as.numeric(difftime(Sys.time(), fit_started, units = "secs"))

probabilities <- model %>% predict(test_images)
predictions <- model %>% predict_classes(test_images)
#Affichage des 50 premières données prédites
predictions[1:50]

library(caret)
test_labels2 = factor(test_labels)
predictions2 = factor(predictions)
matrice_Conf = confusionMatrix(predictions2, test_labels2)
matrice_Conf
# ==== end of the tutorial =================================================================

# ---- the run directory (parityrun) ------------------------------------------------------
parity_run_normalization(run, "train", train_images, save = settings$save_normalized)
parity_run_normalization(run, "test", test_images, save = settings$save_normalized)
parity_run_labels(run, as.integer(train_labels), as.integer(test_labels))
parity_run_model(run, model, summary_text)
parity_run_history(run, metrics)
parity_run_predictions(run, probabilities, predictions)
parity_run_caret(run, matrice_Conf, data = predictions2, reference = test_labels2)
parity_run_set(run, "timings", list(fit_s = fit_seconds))
parity_run_set(run, "implementation", keras_impl)
parity_run_set(run, "versions", c(
  list(R = paste(R.version$major, R.version$minor, sep = ".")),
  lapply(c(caret = "caret", e1071 = "e1071", reticulate = "reticulate", zeallot = "zeallot",
           jsonlite = "jsonlite"), function(p) as.character(packageVersion(p))),
  # (as.character: reticulate >= 1.31 gives the Python version as a numeric_version)
  list(python = as.character(reticulate::py_config()$version),
       numpy = reticulate::import("numpy")$`__version__`, tensorflow = tf$`__version__`,
       keras = keras_impl$keras_version,
       keras_package = if (Sys.getenv("TF_USE_LEGACY_KERAS") == "1") "tf_keras" else "keras")))
parity_run_close(run)
if (!is.na(opts$checkpoint)) checkpoint_remove(opts$checkpoint)  # complete: nothing to resume
cat("artifacts:", opts$out, "\n")
