# The run-artifact contract "parity-run", version 1 (JSON Schema:
# parity/schemas/parity-run-1.schema.json; the Python twin is parity.contract.RunWriter):
#
#   library(parityrun)
#   opts <- parity_args(commandArgs(trailingOnly = TRUE),
#                       settings = list(epochs = 10L, seed = 42L, train_size = NA_integer_))
#   run <- parity_run_open(opts$out, settings = opts$settings)
#   parity_run_history(run, history$metrics)
#   parity_run_predictions(run, probabilities, task = "multiclass")
#   parity_run_evaluation(run, evaluate(model, x_test, y_test))
#   parity_run_caret(run, confusionMatrix(predicted, reference))
#   parity_run_close(run)            # run.json written, directory renamed into place
#
# A run directory holds run.json, one .npy file per array (NPY 1.0, written with writeBin:
# data only, nothing a reader could execute) and one .txt per printed text. Everything is
# written to a temporary directory next to `out` and renamed at parity_run_close(); a run that
# stops before that leaves nothing behind. Every write is checked against the bytes expected,
# so a full disk stops the run with the file's name instead of leaving a truncated array.

parity_contract <- list(name = "parity-run", version = 1L)

# ---- settings: one list of defaults, parsed from --name value ------------------------------
# `settings` gives each setting's default, and so its type: integer (NA_integer_: optional),
# double, logical (a flag without value) or character. `--out DIR` is required and
# `--checkpoint DIR` optional: they say where to write, not what to compute. A new setting is one
# more entry in the caller's list.
parity_args <- function(argv, settings) {
  opts <- list(out = NA_character_, checkpoint = NA_character_, settings = settings)
  flag_of <- function(name) paste0("--", gsub("_", "-", name))
  flags <- vapply(names(settings), flag_of, "")
  expected <- paste(c("--out DIR", "--checkpoint DIR", ifelse(
    vapply(settings, is.logical, TRUE), flags, paste(flags, "VALUE"))), collapse = ", ")
  i <- 1L
  while (i <= length(argv)) {
    a <- argv[[i]]
    if (a %in% c("--out", "--checkpoint")) {
      if (i == length(argv)) stop("option ", a, " needs a directory", call. = FALSE)
      opts[[sub("^--", "", a)]] <- argv[[i + 1L]]
      i <- i + 2L
      next
    }
    name <- names(flags)[match(a, flags)]
    if (is.na(name)) stop("unknown argument '", a, "'; expected ", expected, call. = FALSE)
    default <- settings[[name]]
    if (is.logical(default)) {
      opts$settings[[name]] <- TRUE
      i <- i + 1L
      next
    }
    if (i == length(argv)) stop("option ", a, " needs a value", call. = FALSE)
    value <- argv[[i + 1L]]
    opts$settings[[name]] <- if (is.integer(default)) {
      v <- suppressWarnings(as.numeric(value))
      if (!grepl("^[0-9]+$", value) || is.na(v) || v > .Machine$integer.max)
        stop("option ", a, ": '", value, "' is not an integer from 0 to ",
             .Machine$integer.max, call. = FALSE)
      as.integer(v)
    } else if (is.double(default)) {
      v <- suppressWarnings(as.numeric(value))
      if (is.na(v) || !is.finite(v)) stop("option ", a, ": '", value, "' is not a finite number", call. = FALSE)
      v
    } else value
    i <- i + 2L
  }
  if (is.na(opts$out)) stop("--out DIR is required", call. = FALSE)
  opts
}

# ---- NPY ------------------------------------------------------------------------------------
# R's integer and double vectors, matrices and arrays, in R's column-major order
# (fortran_order), little-endian. NA_integer_ is written as INT_MIN and NA_real_ keeps its NaN
# payload (1954), so a reader tells R's NA from NaN.
parity_write_npy <- function(x, path) {
  if (is.factor(x)) stop("array '", basename(path), "': a factor; write as.integer() or its levels", call. = FALSE)
  descr <- switch(typeof(x), integer = "<i4", double = "<f8",
                  stop("array '", basename(path), "': typeof ", typeof(x),
                       "; expected integer or double", call. = FALSE))
  size <- if (typeof(x) == "integer") 4L else 8L
  dims <- if (is.null(dim(x))) length(x) else dim(x)
  shape <- if (length(dims) == 1L) paste0("(", dims, ",)") else paste0("(", paste(dims, collapse = ", "), ")")
  header <- sprintf("{'descr': '%s', 'fortran_order': True, 'shape': %s, }", descr, shape)
  # magic (6) + version (2) + header length (2) + header + "\n": a multiple of 64 bytes
  header <- paste0(header, strrep(" ", (64L - (11L + nchar(header)) %% 64L) %% 64L), "\n")
  con <- file(path, "wb")
  tryCatch({
    writeBin(c(as.raw(0x93), charToRaw("NUMPY"), as.raw(c(1L, 0L))), con)
    writeBin(nchar(header), con, size = 2L, endian = "little")
    writeBin(charToRaw(header), con)
    writeBin(as.vector(x), con, size = size, endian = "little")
  }, finally = close(con))
  parity_check_written(path, 10 + nchar(header) + size * prod(dims))
  list(file = basename(path), dtype = descr, shape = as.list(as.integer(dims)))
}

parity_check_written <- function(path, expected) {
  got <- file.size(path)
  if (is.na(got) || got != expected)
    stop("could not write '", path, "': ", if (is.na(got)) 0 else got, " of ", expected,
         " bytes on disk (disk full?)", call. = FALSE)
}

# ---- the run --------------------------------------------------------------------------------
parity_run_open <- function(out, settings = list(), side = "r") {
  if (!dir.exists(dirname(out)))
    stop("--out: parent directory '", dirname(out), "' does not exist", call. = FALSE)
  if (file.exists(out) && (!dir.exists(out) || length(list.files(out, all.files = TRUE, no.. = TRUE))))
    stop("--out: '", out, "' exists and is not an empty directory", call. = FALSE)
  run <- new.env(parent = emptyenv())
  run$out <- out
  run$tmp <- tempfile(pattern = paste0(".", basename(out), "."), tmpdir = dirname(out))
  if (!dir.create(run$tmp)) stop("could not create '", run$tmp, "'", call. = FALSE)
  run$closed <- FALSE
  run$meta <- list(contract = parity_contract$name, contract_version = parity_contract$version,
                   side = side, settings = parity_settings_json(settings),
                   arrays = structure(list(), names = character(0)),
                   texts = structure(list(), names = character(0)))
  # a run that never reaches parity_run_close() leaves no partial directory behind
  reg.finalizer(run, function(e) if (!e$closed) unlink(e$tmp, recursive = TRUE), onexit = TRUE)
  run
}

parity_settings_json <- function(settings) {
  s <- lapply(settings, function(v) if (length(v) == 1L && is.na(v)) NULL else v)
  structure(s, names = as.character(names(settings)))
}

parity_run_set <- function(run, section, value) {
  if (section %in% c("contract", "contract_version", "side", "arrays", "texts"))
    stop("section '", section, "' is written by parity_run_close()", call. = FALSE)
  run$meta[[section]] <- value
  invisible(run)
}

parity_run_array <- function(run, name, x) {
  if (!grepl("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$", name))
    stop("array name '", name, "': expected letters, digits, '_', '.', '-'", call. = FALSE)
  run$meta$arrays[[name]] <- parity_write_npy(x, file.path(run$tmp, paste0(name, ".npy")))
  invisible(run)
}

parity_run_text <- function(run, name, text) {
  path <- file.path(run$tmp, paste0(name, ".txt"))
  text <- enc2utf8(paste(text, collapse = "\n"))
  con <- file(path, "wb")
  tryCatch(writeBin(charToRaw(paste0(sub("\n+$", "", text), "\n")), con), finally = close(con))
  parity_check_written(path, nchar(sub("\n+$", "", text), type = "bytes") + 1)
  run$meta$texts[[name]] <- basename(path)
  invisible(run)
}

# Facts of one input array: full dims, dims used, typeof.
parity_run_data <- function(run, name, used, full_dim) {
  dims <- if (is.null(dim(used))) length(used) else dim(used)
  run$meta$data[[name]] <- list(full_dim = as.list(as.integer(full_dim)),
                                dim = as.list(as.integer(dims)), type = typeof(used))
  invisible(run)
}

# Summary of one normalized array: its storage in run.json; min, max and mean as the double
# array normalization.<part>.min_max_mean (jsonlite would keep 15 digits of them); with `save`
# the array itself.
parity_run_normalization <- function(run, part, x, save = FALSE) {
  parity_check_name("parity_run_normalization: part", part)
  if (!is.numeric(x) || !length(x))
    stop("parity_run_normalization: x for part '", part, "' is ", parity_describe(x),
         "; expected a non-empty numeric vector, matrix or array", call. = FALSE)
  run$meta$normalization[[part]] <- list(storage = storage.mode(x))
  parity_run_array(run, paste0("normalization.", part, ".min_max_mean"),
                   as.double(c(min(x), max(x), mean(x))))
  if (save) parity_run_array(run, paste0("normalized.", part), x)
  invisible(run)
}

# A Keras model's layers (through reticulate) and its printed summary.
parity_run_model <- function(run, model, summary_text) {
  # (a Python helper: Keras 3 gives a tuple, Keras 2 a TensorShape, which R cannot iterate)
  shape_of <- reticulate::py_eval(
    "lambda layer: [d if d is None else int(d) for d in layer.output.shape]")
  layers <- lapply(model$layers, function(layer) {
    list(name = layer$name, class = layer$`__class__`$`__name__`,
         output_shape = lapply(shape_of(layer), function(d) if (is.null(d)) NA else d),
         params = as.integer(layer$count_params()))
  })
  run$meta$model <- list(layers = layers,
                         total_params = sum(vapply(layers, function(l) l$params, 1L)))
  parity_run_text(run, "model_summary", summary_text)
}

# Per-epoch metrics: a named list of numeric vectors (history$metrics).
parity_run_history <- function(run, metrics) {
  for (m in names(metrics)) parity_run_array(run, paste0("history.", m), as.double(metrics[[m]]))
  invisible(run)
}

parity_run_labels <- function(run, train = NULL, test = NULL) {
  if (!is.null(train)) parity_run_array(run, "train_labels", train)
  if (!is.null(test)) parity_run_array(run, "test_labels", test)
  invisible(run)
}

# The model's outputs on the test set and the task they answer (parity_run_tasks). Without
# `task` nothing is declared: the reader infers multiclass for more than one column, else
# binary, with no threshold.
parity_run_tasks <- c("regression", "binary", "multiclass")

parity_run_predictions <- function(run, outputs, classes = NULL, task = NULL, threshold = NULL) {
  if (!is.numeric(outputs) || !length(outputs))
    stop("parity_run_predictions: outputs is ", parity_describe(outputs),
         "; expected predict()'s numeric vector or matrix", call. = FALSE)
  if (!is.null(task) && !(is.character(task) && length(task) == 1L && task %in% parity_run_tasks))
    stop("parity_run_predictions: task = ", parity_describe(task), "; expected one of \"",
         paste(parity_run_tasks, collapse = "\", \""), "\" (or NULL: not declared)", call. = FALSE)
  declared <- !is.null(task)
  columns <- if (is.null(dim(outputs))) 1L else prod(dim(outputs)[-1L])
  if (!declared) task <- if (columns > 1L) "multiclass" else "binary"
  if (!is.null(threshold)) {
    if (!identical(task, "binary") || !declared)
      stop("parity_run_predictions: threshold = ", parity_describe(threshold), ": only a binary ",
           "task has a threshold; give task = \"binary\" (task is ",
           if (declared) paste0("\"", task, "\"") else "not declared", ")", call. = FALSE)
    if (!is.numeric(threshold) || length(threshold) != 1L || !is.finite(threshold))
      stop("parity_run_predictions: threshold = ", parity_describe(threshold),
           "; expected one finite number", call. = FALSE)
  }
  if (task == "regression" && !is.null(classes))
    stop("parity_run_predictions: classes given for task = \"regression\", which has no ",
         "predicted classes; give task = \"binary\" or \"multiclass\" for a classifier", call. = FALSE)
  if (task == "multiclass" && columns < 2L)
    stop("parity_run_predictions: task = \"multiclass\" needs an n x k matrix of probabilities ",
         "(k > 1); outputs is ", parity_describe(outputs), call. = FALSE)
  if (declared) run$meta$task <- task
  if (task == "regression") return(parity_run_array(run, "predicted_values", parity_as_double(outputs)))
  parity_run_array(run, "probabilities", outputs)
  if (task == "binary") {
    threshold <- as.double(if (is.null(threshold)) 0.5 else threshold)
    if (declared) parity_run_array(run, "classification_threshold", threshold)
    if (is.null(classes)) {  # one class per row
      p <- if (is.null(dim(outputs))) outputs else matrix(outputs, nrow = dim(outputs)[1L])[, 1L]
      classes <- parity_classes_of(p, threshold)
    }
  } else if (is.null(classes)) {
    classes <- parity_classes_of(outputs)
  }
  parity_run_array(run, "predicted_classes", classes)
}

# caret's confusionMatrix object: table (rows = Prediction), $overall, $byClass, names, print.
# With `data` and `reference` (the factors given to caret) their 0-based codes into the table's
# levels (-1: NA or not a level), so the audit can recompute caret on the same labels;
# `prevalence` as given to caret (NULL: computed from the table).
parity_run_caret <- function(run, cm, data = NULL, reference = NULL, prevalence = NULL) {
  bc <- cm$byClass
  levels <- rownames(cm$table)
  run$meta$confusion <- list(
    levels = as.list(levels), positive = cm$positive, mode = cm$mode,
    prevalence = if (length(prevalence) > 1L || !is.null(names(prevalence))) as.list(prevalence) else prevalence,
    overall_names = as.list(names(cm$overall)),
    by_class_names = as.list(if (is.matrix(bc)) colnames(bc) else names(bc)),
    by_class_rows = as.list(if (is.matrix(bc)) rownames(bc) else character(0)))
  tab <- unclass(cm$table)
  parity_run_array(run, "confusion.table", array(if (is.integer(tab)) tab else as.double(tab), dim(tab)))
  parity_run_array(run, "confusion.overall", unname(cm$overall))
  parity_run_array(run, "confusion.by_class", if (is.matrix(bc)) unname(bc) else matrix(unname(bc), nrow = 1L))
  codes <- function(x) { i <- match(as.character(x), levels) - 1L; i[is.na(i)] <- -1L; i }
  if (!is.null(data)) parity_run_array(run, "confusion.data", codes(data))
  if (!is.null(reference)) parity_run_array(run, "confusion.reference", codes(reference))
  parity_run_text(run, "confusion_matrix", capture.output(print(cm)))
}

parity_run_close <- function(run) {
  # (jsonlite writes at most 15 significant digits: numbers that must keep every bit are arrays)
  json <- jsonlite::toJSON(run$meta, auto_unbox = TRUE, digits = NA, pretty = TRUE,
                           null = "null", na = "null")
  path <- file.path(run$tmp, "run.json")
  con <- file(path, "wb")
  tryCatch(writeBin(charToRaw(enc2utf8(paste0(json, "\n"))), con), finally = close(con))
  parity_check_written(path, nchar(json, type = "bytes") + 1)
  if (dir.exists(run$out)) unlink(run$out, recursive = TRUE)  # empty: checked when opened
  if (!file.rename(run$tmp, run$out)) stop("could not rename '", run$tmp, "' to '", run$out, "'", call. = FALSE)
  run$closed <- TRUE
  invisible(run$out)
}
