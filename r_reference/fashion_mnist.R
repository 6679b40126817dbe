#!/usr/bin/env Rscript
# The seed's R keras/caret script (Kanlanfeyi & Hounsinou, "Présentation de Keras"), kept line
# by line, plus what a parity check needs: command-line options, seeds, and exact artifacts.
#
#   Rscript r_reference/fashion_mnist.R --out DIR [--epochs 200] [--train-size N]
#           [--test-size N] [--seed 42] [--steps-per-execution 1] [--threads N]
#           [--save-normalized] [--checkpoint DIR]
#
# Artifacts (in DIR, written to a temporary directory first and renamed at the end):
#   run.json               metadata: options, dims and typeof, normalization summary, layers,
#                          caret's overall/byClass, versions (numbers at 17 significant digits)
#   history.rds            per-epoch loss and accuracy (exact doubles)
#   probabilities.rds      predict() output, one row per test image (float32 values, exact)
#   predicted_classes.rds  predict_classes(), 0-based integers
#   train_labels.rds, test_labels.rds   the label vectors used
#   confusion_matrix.rds   caret's confusionMatrix object;  confusion_matrix.txt  its print
#   model_summary.txt      summary(model) as printed
#   *_images_normalized.f64  (with --save-normalized) the normalized arrays, raw doubles in R's
#                          column-major order, for a pixel-by-pixel comparison
# With --checkpoint DIR the training state is saved in DIR after every epoch, and a run that
# finds it there resumes from it, bit-identically (r_reference/checkpoint.R); DIR is removed
# once the artifacts are written.
# Exit status: 0 on success; 1 with R's error message on stderr otherwise.

options(warn = 1, width = 80)

script_dir <- local({
  file_arg <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(file_arg)) dirname(normalizePath(sub("^--file=", "", file_arg[1]))) else getwd()
})
project_root <- dirname(script_dir)

# ---- options -----------------------------------------------------------------------------
parse_options <- function(argv) {
  opts <- list(epochs = 200L, train_size = NA_integer_, test_size = NA_integer_, seed = 42L,
               steps_per_execution = 1L, threads = NA_integer_, out = NA_character_,
               save_normalized = FALSE, checkpoint = NA_character_)
  int_opts <- c("--epochs" = "epochs", "--train-size" = "train_size",
                "--test-size" = "test_size", "--seed" = "seed",
                "--steps-per-execution" = "steps_per_execution", "--threads" = "threads")
  i <- 1
  while (i <= length(argv)) {
    a <- argv[i]
    if (a %in% names(int_opts)) {
      if (i == length(argv)) stop("option ", a, " needs a value", call. = FALSE)
      v <- suppressWarnings(as.numeric(argv[i + 1]))
      if (is.na(v) || v != round(v) || v < 0 || (a != "--seed" && v < 1))
        stop("option ", a, ": '", argv[i + 1], "' is not a ",
             if (a == "--seed") "non-negative" else "positive", " integer", call. = FALSE)
      opts[[int_opts[[a]]]] <- as.integer(v)
      i <- i + 2
    } else if (a == "--out") {
      if (i == length(argv)) stop("option --out needs a directory", call. = FALSE)
      opts$out <- argv[i + 1]
      i <- i + 2
    } else if (a == "--checkpoint") {
      if (i == length(argv)) stop("option --checkpoint needs a directory", call. = FALSE)
      opts$checkpoint <- argv[i + 1]
      i <- i + 2
    } else if (a == "--save-normalized") {
      opts$save_normalized <- TRUE
      i <- i + 1
    } else {
      stop("unknown argument '", a, "'; expected --out DIR, --epochs N, --train-size N, ",
           "--test-size N, --seed N, --steps-per-execution N, --threads N, --save-normalized, --checkpoint DIR", call. = FALSE)
    }
  }
  if (is.na(opts$out)) stop("--out DIR is required", call. = FALSE)
  if (!dir.exists(dirname(opts$out)))
    stop("--out: parent directory '", dirname(opts$out), "' does not exist", call. = FALSE)
  if (dir.exists(opts$out) && length(list.files(opts$out, all.files = TRUE, no.. = TRUE)))
    stop("--out: '", opts$out, "' exists and is not empty", call. = FALSE)
  opts
}
opts <- parse_options(commandArgs(trailingOnly = TRUE))

# The project's Python and offline data, unless the caller chose others.
if (Sys.getenv("RETICULATE_PYTHON") == "")
  Sys.setenv(RETICULATE_PYTHON = file.path(project_root, ".venv", "bin", "python"))
if (Sys.getenv("KERAS_HOME") == "") Sys.setenv(KERAS_HOME = file.path(project_root, ".keras"))
if (Sys.getenv("TF_CPP_MIN_LOG_LEVEL") == "") Sys.setenv(TF_CPP_MIN_LOG_LEVEL = "2")
# (parity option) an execution setting: TensorFlow's thread pools, read once when TF starts
if (!is.na(opts$threads))
  Sys.setenv(TF_NUM_INTRAOP_THREADS = opts$threads, TF_NUM_INTEROP_THREADS = opts$threads)

out_tmp <- tempfile(pattern = paste0(".", basename(opts$out), "."), tmpdir = dirname(opts$out))
dir.create(out_tmp)
completed <- FALSE
# No partial artifact set: the temporary directory goes away unless the run completes.
invisible(reg.finalizer(environment(), function(e) if (!completed) unlink(out_tmp, recursive = TRUE),
                        onexit = TRUE))

# ---- keras: the CRAN package when installed, else the project's fallback ----------------
if (requireNamespace("keras", quietly = TRUE)) {
  library(keras)
  keras_impl <- list(name = "keras (CRAN)", version = as.character(packageVersion("keras")))
  tf <- tensorflow::tf
} else {
  source(file.path(script_dir, "keras_fallback.R"))
  keras_impl <- list(name = "keras_fallback.R", version = keras_fallback_version)
}
source(file.path(script_dir, "checkpoint.R"))

# ---- seeds and determinism: the same calls, in the same order, as python_impl ------------
set.seed(opts$seed)
keras$backend$clear_session()
keras$utils$set_random_seed(as.integer(opts$seed))
tf$config$experimental$enable_op_determinism()

# ==== the seed ============================================================================
fashion_mnist <- dataset_fashion_mnist()

#Données d'entrainement
c(train_images, train_labels) %<-% fashion_mnist$train

#Données de test
c(test_images, test_labels) %<-% fashion_mnist$test
typeof(train_images)
full_dims <- list(train_images = dim(train_images), test_images = dim(test_images))
data_typeof <- list(train_images = typeof(train_images), train_labels = typeof(train_labels),
                    test_images = typeof(test_images), test_labels = typeof(test_labels))

# (parity option) the first N images, as python_impl.data.subset does
for (o in c("train_size", "test_size")) {
  n_avail <- if (o == "train_size") dim(train_images)[1] else dim(test_images)[1]
  if (!is.na(opts[[o]]) && opts[[o]] > n_avail)
    stop("option --", gsub("_", "-", o), ": ", opts[[o]], " is more than the ", n_avail,
         " images available", call. = FALSE)
}
if (!is.na(opts$train_size)) {
  train_images <- train_images[seq_len(opts$train_size), , , drop = FALSE]
  train_labels <- train_labels[seq_len(opts$train_size)]
}
if (!is.na(opts$test_size)) {
  test_images <- test_images[seq_len(opts$test_size), , , drop = FALSE]
  test_labels <- test_labels[seq_len(opts$test_size)]
}

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
  steps_per_execution = opts$steps_per_execution  # (parity option) an execution setting
)

fit_started <- Sys.time()
if (!is.na(opts$checkpoint) && Sys.getenv("TF_USE_LEGACY_KERAS") == "1") {
  cat("checkpoints: off (Keras 2 (tf-keras) draws dropout masks from stateful TensorFlow kernels",
      "whose state cannot be saved, so a resumed run would differ; this run cannot resume)\n")
  opts$checkpoint <- NA_character_
}
if (is.na(opts$checkpoint)) {
  history <- model %>% fit(train_images, train_labels, epochs = opts$epochs, verbose = 2)
} else {  # (parity option) the same fit, saved after each epoch, resumed where it stopped
  ck <- checkpoint_open(opts$checkpoint, list(
    side = "r", seed = opts$seed, train_size = opts$train_size, test_size = opts$test_size,
    threads = opts$threads,
    keras_package = if (Sys.getenv("TF_USE_LEGACY_KERAS") == "1") "tf_keras" else "keras"))
  restored <- checkpoint_restore(ck, model)
  if (restored$epochs_done > opts$epochs)
    stop("checkpoint '", ck$file, "' has ", restored$epochs_done, " epochs done, more than the ",
         opts$epochs, " asked for", call. = FALSE)
  if (restored$epochs_done > 0) cat("resume: ", restored$epochs_done, "/", opts$epochs, " epochs done\n", sep = "")
  saving <- checkpoint_callback(ck, model, restored)
  if (restored$epochs_done < opts$epochs)
    model %>% fit(train_images, train_labels, epochs = opts$epochs, verbose = 2,
                  initial_epoch = restored$epochs_done, callbacks = list(saving$callback))
  history <- structure(list(params = list(epochs = opts$epochs), metrics = saving$history()),
                       class = "keras_training_history")
}
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
# ==== end of the seed =====================================================================

# ---- artifacts ----------------------------------------------------------------------------
# (a Python helper: Keras 3 gives a tuple, Keras 2 a TensorShape, which R cannot iterate)
output_shape <- reticulate::py_eval("lambda layer: [d if d is None else int(d) for d in layer.output.shape]")
layer_rows <- lapply(model$layers, function(layer) {
  list(name = layer$name, cls = layer$`__class__`$`__name__`,
       output_shape = lapply(output_shape(layer), function(d) if (is.null(d)) NA else d),
       params = as.integer(layer$count_params()))
})

norm_summary <- function(x) list(min = min(x), max = max(x), mean = mean(x),
                                 storage_mode = storage.mode(x))
py_versions <- list(python = reticulate::py_config()$version,
                    numpy = reticulate::import("numpy")$`__version__`,
                    tensorflow = tf$`__version__`,
                    keras = tryCatch(keras$`__version__`, error = function(e) ""),
                    keras_package = if (Sys.getenv("TF_USE_LEGACY_KERAS") == "1") "tf_keras" else "keras")
r_versions <- c(list(R = paste(R.version$major, R.version$minor, sep = ".")),
                lapply(c(caret = "caret", e1071 = "e1071", reticulate = "reticulate",
                         zeallot = "zeallot", jsonlite = "jsonlite"),
                       function(p) as.character(packageVersion(p))))
meta <- list(
  side = "r",
  config = list(epochs = opts$epochs, seed = opts$seed,
                train_size = if (is.na(opts$train_size)) NULL else opts$train_size,
                test_size = if (is.na(opts$test_size)) NULL else opts$test_size,
                steps_per_execution = opts$steps_per_execution,
                threads = if (is.na(opts$threads)) NULL else opts$threads),
  data = list(full_dims = full_dims, typeof = data_typeof,
              dims = list(train_images = dim(train_images), test_images = dim(test_images),
                          train_labels = length(train_labels), test_labels = length(test_labels))),
  normalization = list(train = norm_summary(train_images), test = norm_summary(test_images)),
  model = list(layers = layer_rows, total_params = model$count_params()),
  history = lapply(history$metrics, I),  # I(): stay an array even for one epoch
  confusion = list(levels = levels(test_labels2), table = unclass(as.matrix(matrice_Conf$table)),
                   overall = as.list(matrice_Conf$overall),
                   by_class = lapply(seq_len(nrow(matrice_Conf$byClass)), function(i)
                     as.list(matrice_Conf$byClass[i, ]))),
  timings = list(fit_s = fit_seconds),
  keras_impl = keras_impl,
  versions = c(r_versions, py_versions)
)
jsonlite::write_json(meta, file.path(out_tmp, "run.json"), auto_unbox = TRUE, digits = NA,
                     pretty = TRUE, null = "null", na = "null")
saveRDS(history$metrics, file.path(out_tmp, "history.rds"))
saveRDS(probabilities, file.path(out_tmp, "probabilities.rds"))
saveRDS(predictions, file.path(out_tmp, "predicted_classes.rds"))
saveRDS(as.integer(train_labels), file.path(out_tmp, "train_labels.rds"))
saveRDS(as.integer(test_labels), file.path(out_tmp, "test_labels.rds"))
saveRDS(matrice_Conf, file.path(out_tmp, "confusion_matrix.rds"))
writeLines(capture.output(print(matrice_Conf)), file.path(out_tmp, "confusion_matrix.txt"))
writeLines(summary_text, file.path(out_tmp, "model_summary.txt"))
if (opts$save_normalized) {
  writeBin(as.vector(train_images), file.path(out_tmp, "train_images_normalized.f64"))
  writeBin(as.vector(test_images), file.path(out_tmp, "test_images_normalized.f64"))
}

if (dir.exists(opts$out)) unlink(opts$out, recursive = TRUE)  # empty, checked above
if (!file.rename(out_tmp, opts$out)) stop("could not move artifacts to '", opts$out, "'", call. = FALSE)
completed <- TRUE
if (!is.na(opts$checkpoint)) checkpoint_remove(opts$checkpoint)  # complete: nothing to resume
cat("artifacts:", opts$out, "\n")
