# Callbacks: R keras's names and defaults, Keras' classes.

callback_early_stopping <- function(monitor = "val_loss", min_delta = 0, patience = 0,
                                    verbose = 0, mode = c("auto", "min", "max"),
                                    baseline = NULL, restore_best_weights = FALSE, ...) {
  check_dots("callback_early_stopping", list(...))
  args <- list(monitor = monitor, min_delta = min_delta, patience = as.integer(patience),
               verbose = as.integer(verbose), mode = match.arg(mode), baseline = baseline,
               restore_best_weights = restore_best_weights)
  do.call(keras$callbacks$EarlyStopping, args)
}

callback_reduce_lr_on_plateau <- function(monitor = "val_loss", factor = 0.1, patience = 10,
                                          verbose = 0, mode = c("auto", "min", "max"),
                                          min_delta = 0.0001, cooldown = 0, min_lr = 0.0, ...) {
  check_dots("callback_reduce_lr_on_plateau", list(...))
  keras$callbacks$ReduceLROnPlateau(
    monitor = monitor, factor = as.numeric(factor), patience = as.integer(patience),
    verbose = as.integer(verbose), mode = match.arg(mode), min_delta = as.numeric(min_delta),
    cooldown = as.integer(cooldown), min_lr = as.numeric(min_lr))
}

callback_model_checkpoint <- function(filepath, monitor = "val_loss", verbose = 0,
                                      save_best_only = FALSE, save_weights_only = FALSE,
                                      mode = c("auto", "min", "max"), period = NULL,
                                      save_freq = "epoch", ...) {
  check_dots("callback_model_checkpoint", list(...))
  if (!is.null(period)) lacks("argument 'period' (use save_freq)", "callback_model_checkpoint")
  keras$callbacks$ModelCheckpoint(
    filepath = normalizePath(filepath, mustWork = FALSE), monitor = monitor,
    verbose = as.integer(verbose), save_best_only = save_best_only,
    save_weights_only = save_weights_only, mode = match.arg(mode),
    save_freq = if (is.numeric(save_freq)) as.integer(save_freq) else save_freq)
}

callback_csv_logger <- function(filename, separator = ",", append = FALSE, ...) {
  check_dots("callback_csv_logger", list(...))
  keras$callbacks$CSVLogger(filename = normalizePath(filename, mustWork = FALSE),
                            separator = separator, append = append)
}

callback_terminate_on_naan <- function() keras$callbacks$TerminateOnNaN()

callback_learning_rate_scheduler <- function(schedule) {
  keras$callbacks$LearningRateScheduler(schedule)
}

# callback_lambda(): R functions called with Keras' (epoch, logs) or (batch, logs); epoch and
# batch are 0-based, as Keras gives them.
callback_lambda <- function(on_epoch_begin = NULL, on_epoch_end = NULL,
                            on_batch_begin = NULL, on_batch_end = NULL,
                            on_train_batch_begin = NULL, on_train_batch_end = NULL,
                            on_train_begin = NULL, on_train_end = NULL,
                            on_predict_batch_begin = NULL, on_predict_batch_end = NULL,
                            on_predict_begin = NULL, on_predict_end = NULL,
                            on_test_batch_begin = NULL, on_test_batch_end = NULL,
                            on_test_begin = NULL, on_test_end = NULL, ...) {
  check_dots("callback_lambda", list(...))
  args <- capture_args(match.call(), environment(), ignore = "")
  do.call(keras$callbacks$LambdaCallback, args)
}

callback_tensorboard <- not_implemented("callback_tensorboard")
callback_backup_and_restore <- not_implemented("callback_backup_and_restore")
callback_progbar_logger <- not_implemented("callback_progbar_logger")
callback_remote_monitor <- not_implemented("callback_remote_monitor")
