# fit()'s history: Keras' History params (verbose, epochs, steps) and one numeric vector per
# metric (training, then val_*), as R keras's to_keras_training_history() builds them.

to_keras_training_history <- function(history) {
  keras_training_history(history$params, history$history)
}

keras_training_history <- function(params, history) {
  metrics <- lapply(history, function(values) vapply(values, function(v) mean(as.numeric(v)),
                                                     numeric(1)))
  rows <- max(0L, lengths(metrics))
  metrics <- lapply(metrics, function(v) c(v, rep(NA_real_, rows - length(v))))
  structure(list(params = params, metrics = metrics), class = "keras_training_history")
}

# One row per epoch and metric; the epochs run to params$epochs, padded with NA (early stopping,
# or a fit() that started at initial_epoch > 0, has fewer values than epochs).
as.data.frame.keras_training_history <- function(x, ...) {
  epochs <- as.integer(x$params$epochs)
  names <- names(x$metrics)
  values <- unlist(lapply(x$metrics, function(v) c(v, rep(NA_real_, epochs - length(v)))[seq_len(epochs)]),
                   use.names = FALSE)
  df <- data.frame(
    epoch = rep(seq_len(epochs), length(names)),
    value = values,
    metric = factor(rep(sub("^val_", "", names), each = epochs), unique(sub("^val_", "", names))),
    data = factor(rep(grepl("^val_", names), each = epochs), c(FALSE, TRUE),
                  c("training", "validation")))
  rownames(df) <- NULL
  df
}

# R keras prints the last trained epoch's metrics (4 significant digits); its "Trained on N
# samples" line needs params$samples, which Keras' History has not held since TensorFlow 2.2.
print.keras_training_history <- function(x, ...) {
  epoch <- min(as.integer(x$params$epochs), length(x$metrics[[1]]))
  header <- ""
  if (!is.null(x$params$samples))
    header <- paste0("Trained on ", prettyNum(x$params$samples, big.mark = ","),
                     " samples (batch_size=", x$params$batch_size, ", epochs=", epoch, ")")
  last <- vapply(x$metrics, function(v) prettyNum(v[[epoch]], big.mark = ",", digits = 4,
                                                  scientific = FALSE), character(1))
  labels <- formatC(names(last), width = max(nchar(names(last))))
  cat(paste0(header, "\n", "Final epoch (plot to see history):\n",
             paste0(labels, ": ", last, collapse = "\n")), "\n")
  invisible(x)
}

# plot(history): ggplot2 where installed (one facet per metric, training and validation
# coloured, a loess smooth from 10 epochs), else base graphics - R keras's two methods.
plot.keras_training_history <- function(x, y, metrics = NULL, method = c("auto", "ggplot2", "base"),
                                        smooth = getOption("keras.plot.history.smooth", TRUE),
                                        theme_bw = getOption("keras.plot.history.theme_bw", FALSE),
                                        ...) {
  method <- match.arg(method)
  if (method == "auto") method <- if (requireNamespace("ggplot2", quietly = TRUE)) "ggplot2" else "base"
  df <- as.data.frame(x)
  if (is.null(metrics)) metrics <- Filter(function(n) !grepl("^val_", n), names(x$metrics))
  df <- df[df$metric %in% metrics, ]
  validation <- any(grepl("^val_", names(x$metrics)))
  if (method == "ggplot2") {
    aes <- if (validation) ggplot2::aes(.data$epoch, .data$value, color = .data$data, fill = .data$data)
           else ggplot2::aes(.data$epoch, .data$value)
    p <- ggplot2::ggplot(df, aes)
    p <- p + (if (theme_bw) ggplot2::theme_bw()) +
      ggplot2::geom_point(shape = 21, col = 1, na.rm = TRUE)
    if (smooth && x$params$epochs >= 10)
      p <- p + ggplot2::geom_smooth(se = FALSE, method = "loess", na.rm = TRUE, formula = y ~ x)
    p <- p + ggplot2::facet_grid(metric ~ ., switch = "y", scales = "free_y") +
      ggplot2::theme(axis.title.y = ggplot2::element_blank(), strip.placement = "outside")
    return(p)
  }
  op <- graphics::par(mfrow = c(length(metrics), 1), mar = c(3, 3, 2, 2))
  on.exit(graphics::par(op), add = TRUE)
  for (metric in metrics) {
    d <- df[df$metric == metric, ]
    graphics::plot(d$epoch, d$value, pch = c(1, 4)[d$data], xlab = "epoch", ylab = metric, ...)
    graphics::legend("topright", legend = if (validation) c(metric, paste0("val_", metric)) else metric,
                     pch = if (validation) c(1, 4) else 1)
  }
  invisible(NULL)
}
