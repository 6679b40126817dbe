# Resume an interrupted training exactly: the R twin of python_impl/checkpoint.py.
#
# One file, <dir>/state.bin, rewritten after every epoch (temporary file, then rename): every
# variable fit() changes - the model's weights and each Dropout layer's seed-generator state,
# the optimizer's step count and moments - with the per-epoch history and the run's identity.
# Data only: a first line of JSON (identity, epochs done, history, each variable's path, shape
# and dtype), then every value as a little-endian double (exact for float32 and for the integer
# counters and seeds). Never an RDS: readRDS evaluates what a crafted file stores, and a
# checkpoint directory is a place a user can write to.
# Restoring them all and calling fit(initial_epoch = k) continues bit-identically to an
# uninterrupted run. Keras' own callback_backup_and_restore() is not enough: its weights file
# leaves out the Dropout seed-generator states, so a resumed run repeats the first epochs'
# dropout masks.

checkpoint_variables <- function(model) {
  if (!isTRUE(model$optimizer$built)) model$optimizer$build(model$trainable_variables)
  c(model$variables, model$optimizer$variables)
}

checkpoint_layout <- function(variables) {
  # (through Python: a variable's shape is a TensorShape, which R cannot iterate)
  describe <- reticulate::py_eval(
    "lambda v: [getattr(v, 'path', v.name), [int(d) for d in v.shape], str(v.dtype)]")
  lapply(variables, function(v) {
    d <- describe(v)
    list(path = d[[1]], shape = as.integer(unlist(d[[2]])), dtype = d[[3]])
  })
}

# The settings a checkpoint must match to be resumed, by the one rule both sides follow (the
# Python twin: parity.contract.checkpoint_identity): the settings the run received minus its
# execution settings (how it runs, never what it computes: the audit names them in
# PARITY_EXECUTION_SETTINGS, from the spec's [execution] table; none when run by hand) minus
# epochs (a resumed run may be asked for more). A new setting enters the identity by itself.
parity_execution_settings <- function() {
  value <- Sys.getenv("PARITY_EXECUTION_SETTINGS")
  names <- trimws(strsplit(value, ",", fixed = TRUE)[[1]])
  names <- names[nzchar(names)]
  bad <- names[!grepl("^[A-Za-z_][A-Za-z0-9_]*$", names)]
  if (length(bad))
    stop("PARITY_EXECUTION_SETTINGS='", value, "': '", bad[1], "' is not a setting name; expected ",
         "names of letters, digits and '_', comma-separated", call. = FALSE)
  names
}

parity_checkpoint_identity <- function(settings, execution = parity_execution_settings()) {
  settings[setdiff(names(settings), c(execution, "epochs"))]
}

checkpoint_open <- function(dir, identity) {
  list(dir = dir, file = file.path(dir, "state.bin"), identity = identity)
}

# The checkpoint's header (a list) and values (doubles, in layout order); stop() with the file
# named when it is damaged.
checkpoint_read <- function(file) {
  damaged <- function(why) stop("checkpoint '", file, "' is damaged (", why,
                                "); delete it to train this side from the start", call. = FALSE)
  con <- file(file, "rb")
  on.exit(close(con))
  header <- tryCatch(jsonlite::fromJSON(readLines(con, n = 1L, warn = FALSE), simplifyVector = FALSE),
                     error = function(e) damaged(conditionMessage(e)))
  n <- sum(vapply(header$layout, function(l) prod(unlist(l$shape)), 1)) +
    length(header$history_names) * header$epochs_done
  values <- readBin(con, "double", n = n + 1L, size = 8L, endian = "little")
  if (length(values) != n) damaged(paste(length(values), "values,", n, "expected"))
  list(header = header, values = values)
}

# list(epochs_done, history) from the checkpoint, loaded into `model`; 0 epochs when none
# (or when `ck` is NULL: no checkpointing).
checkpoint_restore <- function(ck, model) {
  if (is.null(ck) || !file.exists(ck$file)) return(list(epochs_done = 0L, history = list()))
  state <- checkpoint_read(ck$file)
  saved_identity <- state$header$identity
  if (!identical(jsonlite::toJSON(saved_identity, auto_unbox = TRUE, null = "null", na = "null"),
                 jsonlite::toJSON(ck$identity, auto_unbox = TRUE, null = "null", na = "null")))
    stop("checkpoint '", ck$file, "' belongs to another run (",
         paste(names(saved_identity), saved_identity, sep = "=", collapse = ", "),
         "); remove it or use another directory", call. = FALSE)
  variables <- checkpoint_variables(model)
  layout <- checkpoint_layout(variables)
  saved_layout <- lapply(state$header$layout, function(l)
    list(path = l$path, shape = as.integer(unlist(l$shape)), dtype = l$dtype))
  if (!identical(saved_layout, layout))
    stop("checkpoint '", ck$file, "' holds other variables than this model (",
         length(saved_layout), " saved, ", length(variables), " here)", call. = FALSE)
  np <- reticulate::import("numpy", convert = FALSE)  # values stay NumPy arrays until assign()
  at <- 0
  for (i in seq_along(variables)) {  # (R has no 0-d arrays: shapes are restored explicitly)
    n <- prod(layout[[i]]$shape)
    value <- np$asarray(state$values[seq_len(n) + at], dtype = layout[[i]]$dtype)
    at <- at + n
    variables[[i]]$assign(np$reshape(value, as.list(layout[[i]]$shape)))
  }
  done <- as.integer(state$header$epochs_done)
  history <- list()
  for (m in unlist(state$header$history_names)) {  # after the variables, done values each
    history[[m]] <- state$values[seq_len(done) + at]
    at <- at + done
  }
  list(epochs_done = done, history = history)
}

checkpoint_save <- function(ck, model, epochs_done, history) {
  variables <- checkpoint_variables(model)
  header <- list(identity = ck$identity, epochs_done = as.integer(epochs_done),
                 history_names = as.list(names(history)),
                 layout = lapply(checkpoint_layout(variables), function(l)
                   list(path = l$path, shape = as.list(l$shape), dtype = l$dtype)))
  # values: the variables in layout order (C order, as NumPy flattens them), then each metric's
  # history - binary doubles, exact (JSON would keep 15 digits)
  flat <- reticulate::py_eval("lambda v: v.numpy().ravel(order='C').astype('float64')")
  values <- c(unlist(lapply(variables, function(v) as.double(flat(v)))),
              unlist(lapply(history, as.double)))
  dir.create(ck$dir, showWarnings = FALSE, recursive = TRUE)
  tmp <- file.path(ck$dir, ".state.bin.tmp")
  json <- jsonlite::toJSON(header, auto_unbox = TRUE, digits = NA, null = "null", na = "null")
  con <- file(tmp, "wb")
  tryCatch({
    writeBin(charToRaw(paste0(json, "\n")), con)
    writeBin(values, con, size = 8L, endian = "little")
  }, finally = close(con))
  parity_check_written(tmp, nchar(json, type = "bytes") + 1 + 8 * length(values))
  if (!file.rename(tmp, ck$file))
    stop("could not write checkpoint '", ck$file, "'", call. = FALSE)
}

# A callback extending the restored history with each epoch's logs and, unless `ck` is NULL,
# saving after each epoch; list(callback, history = function() the history so far).
checkpoint_callback <- function(ck, model, restored) {
  history <- restored$history
  callback <- keras_callback_lambda(on_epoch_end = function(epoch, logs) {
    for (k in names(logs)) history[[k]] <<- c(history[[k]], as.numeric(logs[[k]]))
    if (!is.null(ck)) checkpoint_save(ck, model, as.integer(epoch) + 1L, history)
  })
  list(callback = callback, history = function() history)
}

checkpoint_remove <- function(dir) {
  unlink(file.path(dir, c("state.bin", ".state.bin.tmp")))
  if (dir.exists(dir) && !length(list.files(dir, all.files = TRUE, no.. = TRUE))) unlink(dir, recursive = TRUE)
}
