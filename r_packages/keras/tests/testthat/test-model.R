toy <- function() {
  set.seed(1)
  x <- matrix(runif(64 * 3), ncol = 3)
  list(x = x, y = as.integer(x[, 1] + x[, 2] > 1))
}

small_model <- function() {
  tensorflow::set_random_seed(1)
  keras_model_sequential() %>%
    layer_dense(units = 4, activation = "relu", input_shape = 3) %>%
    layer_dense(units = 1, activation = "sigmoid")
}

test_that("compile returns the model invisibly; fit returns the history invisibly", {
  d <- toy()
  model <- small_model()
  out <- withVisible(model %>% compile(optimizer = optimizer_adam(learning_rate = 0.01),
                                       loss = "binary_crossentropy", metrics = "accuracy"))
  expect_false(out$visible)
  expect_identical(out$value, model)
  h <- withVisible(model %>% fit(d$x, d$y, epochs = 2, batch_size = 16, verbose = 0,
                                 validation_split = 0.25))
  expect_false(h$visible)
  history <- h$value
  expect_s3_class(history, "keras_training_history")
  expect_setequal(names(history$metrics), c("loss", "accuracy", "val_loss", "val_accuracy"))
  expect_equal(history$params$epochs, 2L)
  expect_equal(history$params$steps, 3L)  # 48 training rows / 16
  df <- as.data.frame(history)
  expect_equal(nrow(df), 8L)
  expect_setequal(levels(df$data), c("training", "validation"))
  expect_output(print(history), "Final epoch \\(plot to see history\\)")
  expect_s3_class(plot(history, method = "ggplot2"), "ggplot")
})

test_that("fit: validation_data, class_weight, sample_weight, shuffle, callbacks", {
  d <- toy()
  model <- small_model()
  model %>% compile(optimizer = "sgd", loss = loss_binary_crossentropy(),
                    metrics = list(metric_binary_accuracy()))
  log <- tempfile(fileext = ".csv")
  seen <- integer()
  h <- model %>% fit(d$x, d$y, epochs = 3, verbose = 0, validation_data = list(d$x, d$y),
                     class_weight = list("0" = 1, "1" = 2), shuffle = FALSE, callbacks = list(
                       callback_csv_logger(log),
                       callback_lambda(on_epoch_end = function(epoch, logs) seen <<- c(seen, epoch)),
                       callback_reduce_lr_on_plateau(monitor = "loss", patience = 1)))
  expect_equal(seen, 0:2)
  expect_equal(nrow(utils::read.csv(log)), 3L)
  expect_true(all(c("val_loss", "val_binary_accuracy") %in% names(h$metrics)))
  h2 <- model %>% fit(d$x, d$y, epochs = 1, verbose = 0, sample_weight = rep(c(1, 2), 32))
  expect_length(h2$metrics$loss, 1L)
  expect_error(model %>% fit(d$x, d$y, class_weight = c(1, 2)), "named list")
  expect_error(model %>% fit(d$x, d$y, foo = 1), "fit\\(\\): argument 'foo'")
})

test_that("early stopping with restore_best_weights stops and pads the history with NA", {
  d <- toy()
  model <- small_model()
  model %>% compile(optimizer = optimizer_sgd(learning_rate = 0), loss = "mse")
  es <- callback_early_stopping(monitor = "loss", patience = 1, restore_best_weights = TRUE)
  expect_equal(keras_class(es), "EarlyStopping")
  h <- model %>% fit(d$x, d$y, epochs = 20, verbose = 0, callbacks = es)
  expect_lt(length(h$metrics$loss), 20L)
  df <- as.data.frame(h)
  expect_equal(nrow(df), 20L)
  expect_true(anyNA(df$value))
})

test_that("evaluate returns a named numeric vector, loss first; predict returns R arrays", {
  d <- toy()
  model <- small_model()
  model %>% compile(optimizer = "adam", loss = "binary_crossentropy", metrics = "accuracy")
  e <- model %>% evaluate(d$x, d$y, verbose = 0)
  expect_type(e, "double")
  expect_equal(names(e), c("loss", "accuracy"))
  p <- model %>% predict(d$x, verbose = 0)
  expect_equal(dim(p), c(64L, 1L))
  expect_equal(as.numeric(p), as.numeric(model(keras_array(d$x))$numpy()), tolerance = 1e-6)
  expect_warning(cl <- predict_classes(model, d$x), "removed from TensorFlow in version 2.6")
  expect_equal(as.integer(cl), as.integer(p > 0.5))
})

test_that("summary prints and returns its text invisibly; format and print agree", {
  model <- small_model()
  s <- withVisible(summary(model))
  expect_false(s$visible)
  expect_match(s$value, "^Model:")
  expect_false(grepl("\n\\s*\n", s$value))
  expect_identical(format(model), s$value)
  expect_output(print(model), "Total params")
})

test_that("weights: get, set, freeze; saving in HDF5, whole model and weights", {
  d <- toy()
  model <- small_model()
  model %>% compile(optimizer = "adam", loss = "binary_crossentropy")
  w <- get_weights(model)
  expect_equal(dim(w[[1]]), c(3L, 4L))
  w[[4]][] <- 0.5
  set_weights(model, w)
  expect_equal(as.numeric(get_weights(model)[[4]]), 0.5)
  expect_identical(get_layer(model, index = 1)$name, model$layers[[1]]$name)
  freeze_weights(model, from = 1, to = 1)
  expect_equal(vapply(model$layers, function(l) l$trainable, TRUE), c(FALSE, TRUE))
  freeze_weights(model, to = -2)
  expect_equal(vapply(model$layers, function(l) l$trainable, TRUE), c(FALSE, TRUE))
  freeze_weights(model, which = function(l) l$name == model$layers[[2]]$name)
  expect_equal(vapply(model$layers, function(l) l$trainable, TRUE), c(TRUE, FALSE))
  expect_error(freeze_weights(model, from = "nope"), "no layer \"nope\"")
  unfreeze_weights(model)
  expect_true(all(vapply(model$layers, function(l) l$trainable, TRUE)))
  f <- tempfile(fileext = ".h5")
  save_model_hdf5(model, f)
  m2 <- load_model_hdf5(f)
  expect_equal(predict(m2, d$x, verbose = 0), predict(model, d$x, verbose = 0))
  wf <- tempfile(fileext = ".weights.h5")
  save_model_weights_hdf5(model, wf)
  m3 <- small_model()
  load_model_weights_hdf5(m3, wf)
  expect_equal(predict(m3, d$x, verbose = 0), predict(model, d$x, verbose = 0))
})

test_that("keras_model_sequential(input_shape =) makes the input; callback_model_checkpoint saves", {
  model <- keras_model_sequential(input_shape = 3) %>% layer_dense(units = 1)
  expect_equal(py_shape(model$inputs[[1]]), list(NULL, 3L))
  expect_error(keras_model_sequential(frob = 1), "argument 'frob'")
  d <- toy()
  model %>% compile(optimizer = "adam", loss = "mean_squared_error")
  path <- tempfile(fileext = ".weights.h5")
  cb <- callback_model_checkpoint(path, monitor = "loss", save_best_only = TRUE,
                                  save_weights_only = TRUE)
  expect_equal(keras_class(cb), "ModelCheckpoint")
  model %>% fit(d$x, d$y, epochs = 2, verbose = 0, callbacks = list(cb))
  expect_true(file.exists(path))
  expect_error(callback_model_checkpoint(path, period = 2), "argument 'period'")
})
