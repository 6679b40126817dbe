# Resume an interrupted training exactly: the R twin of python_impl/checkpoint.py.
#
# One file, <dir>/state.rds, rewritten after every epoch (temporary file, then rename): every
# variable fit() changes - the model's weights and each Dropout layer's seed-generator state,
# the optimizer's step count and moments - with the per-epoch history and the run's identity.
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

checkpoint_open <- function(dir, identity) {
  list(dir = dir, file = file.path(dir, "state.rds"), identity = identity)
}

# list(epochs_done, history) from the checkpoint, loaded into `model`; 0 epochs when none
# (or when `ck` is NULL: no checkpointing).
checkpoint_restore <- function(ck, model) {
  if (is.null(ck) || !file.exists(ck$file)) return(list(epochs_done = 0L, history = list()))
  state <- readRDS(ck$file)
  if (!identical(state$identity, ck$identity))
    stop("checkpoint '", ck$file, "' belongs to another run (",
         paste(names(state$identity), state$identity, sep = "=", collapse = ", "),
         "); remove it or use another directory", call. = FALSE)
  variables <- checkpoint_variables(model)
  if (!identical(state$layout, checkpoint_layout(variables)))
    stop("checkpoint '", ck$file, "' holds other variables than this model (",
         length(state$layout), " saved, ", length(variables), " here)", call. = FALSE)
  np <- reticulate::import("numpy", convert = FALSE)  # values stay NumPy arrays until assign()
  for (i in seq_along(variables)) {  # (R has no 0-d arrays: shapes are restored explicitly)
    layout <- state$layout[[i]]
    value <- np$asarray(state$values[[i]], dtype = layout$dtype)
    variables[[i]]$assign(np$reshape(value, as.list(layout$shape)))
  }
  state[c("epochs_done", "history")]
}

checkpoint_save <- function(ck, model, epochs_done, history) {
  variables <- checkpoint_variables(model)
  state <- list(identity = ck$identity, epochs_done = as.integer(epochs_done), history = history,
                layout = checkpoint_layout(variables),
                values = lapply(variables, function(v) v$numpy()))
  dir.create(ck$dir, showWarnings = FALSE, recursive = TRUE)
  tmp <- file.path(ck$dir, ".state.rds.tmp")
  saveRDS(state, tmp, compress = FALSE)  # ~1.3 MB each epoch: gzip would cost more than it saves
  if (!file.rename(tmp, ck$file))
    stop("could not write checkpoint '", ck$file, "'", call. = FALSE)
}

# A callback extending the restored history with each epoch's logs and, unless `ck` is NULL,
# saving after each epoch; list(callback, history = function() the history so far).
checkpoint_callback <- function(ck, model, restored) {
  history <- restored$history
  callback <- callback_lambda(on_epoch_end = function(epoch, logs) {
    for (k in names(logs)) history[[k]] <<- c(history[[k]], as.numeric(logs[[k]]))
    if (!is.null(ck)) checkpoint_save(ck, model, as.integer(epoch) + 1L, history)
  })
  list(callback = callback, history = function() history)
}

checkpoint_remove <- function(dir) {
  unlink(file.path(dir, c("state.rds", ".state.rds.tmp")))
  if (dir.exists(dir) && !length(list.files(dir, all.files = TRUE, no.. = TRUE))) unlink(dir, recursive = TRUE)
}
