# The contract's parts: every number in a double array, bit for bit; names and facts in
# run.json; bad input an error naming the argument and the value.

hard <- c(0.1 + 0.2, 1/3, 2^-1074, -0.0, NA_real_, NaN)

new_run <- function() {
  out <- file.path(tempfile("runs"), "run")
  dir.create(dirname(out))
  parity_run_open(out, settings = list(seed = 1L))
}

bytes <- function(x) writeBin(x, raw(), endian = "little")
meta_of <- function(out) jsonlite::fromJSON(file.path(out, "run.json"), simplifyVector = FALSE)

test_that("normalization: min, max, mean in a double array, every bit; storage in run.json", {
  run <- new_run()
  for (i in seq_along(hard)) parity_run_normalization(run, paste0("p", i), hard[i])
  parity_run_normalization(run, "ints", matrix(1:6, 2), save = TRUE)
  out <- parity_run_close(run)
  for (i in seq_along(hard))
    expect_identical(bytes(read_npy(out, paste0("normalization.p", i, ".min_max_mean"))),
                     bytes(c(min(hard[i]), max(hard[i]), mean(hard[i]))))
  expect_identical(read_npy(out, "normalization.ints.min_max_mean"), c(1, 6, 3.5))
  expect_identical(read_npy(out, "normalized.ints"), 1:6)
  meta <- meta_of(out)
  expect_identical(meta$normalization$p1, list(storage = "double"))
  expect_identical(meta$normalization$ints, list(storage = "integer"))
  expect_error(parity_run_normalization(new_run(), "train", letters),
               "x for part 'train' is a character \\(length 26\\); expected a non-empty numeric")
  expect_error(parity_run_normalization(new_run(), "a/b", 1), "part = \"a/b\": expected one name")
})

test_that("predictions: regression, binary with its threshold, multiclass, undeclared", {
  run <- new_run()
  parity_run_predictions(run, matrix(hard, ncol = 2), task = "regression")
  out <- parity_run_close(run)
  expect_identical(bytes(read_npy(out, "predicted_values")), bytes(hard))
  expect_identical(meta_of(out)$task, "regression")
  expect_false(file.exists(file.path(out, "predicted_classes.npy")))

  run <- new_run()
  parity_run_predictions(run, matrix(c(0.2, 0.3, 0.9, NA)), task = "binary", threshold = 0.1 + 0.2)
  out <- parity_run_close(run)
  expect_identical(bytes(read_npy(out, "classification_threshold")), bytes(0.1 + 0.2))
  expect_identical(read_npy(out, "predicted_classes"), c(0L, 0L, 1L, NA))
  run <- new_run()
  parity_run_predictions(run, c(0.5, 0.51), task = "binary")
  out <- parity_run_close(run)
  expect_identical(read_npy(out, "classification_threshold"), 0.5)
  expect_identical(read_npy(out, "predicted_classes"), c(0L, 1L))

  run <- new_run()
  parity_run_predictions(run, matrix(c(0.2, 0.5, 0.5, 0.1, 0.3, 0.4), 2, byrow = TRUE), task = "multiclass")
  out <- parity_run_close(run)
  expect_identical(read_npy(out, "predicted_classes"), c(1L, 2L))
  expect_identical(meta_of(out)$task, "multiclass")

  run <- new_run()
  parity_run_predictions(run, c(0.7, 0.2), c(1, 0))  # the old call: nothing declared
  out <- parity_run_close(run)
  expect_null(meta_of(out)$task)
  expect_false(file.exists(file.path(out, "classification_threshold.npy")))
  expect_identical(read_npy(out, "predicted_classes"), c(1, 0))

  expect_error(parity_run_predictions(new_run(), 1:3 / 4, task = "binomial"),
               "task = \"binomial\"; expected one of \"regression\", \"binary\", \"multiclass\"")
  expect_error(parity_run_predictions(new_run(), 1:3 / 4, threshold = 0.4),
               "threshold = 0.4: only a binary task has a threshold; give task = \"binary\" \\(task is not declared\\)")
  expect_error(parity_run_predictions(new_run(), diag(2), task = "multiclass", threshold = 0.4),
               "\\(task is \"multiclass\"\\)")
  expect_error(parity_run_predictions(new_run(), 1:3 / 4, task = "binary", threshold = NA_real_),
               "threshold = NA; expected one finite number")
  expect_error(parity_run_predictions(new_run(), 1:3 / 4, 1:3, task = "regression"),
               "classes given for task = \"regression\"")
  expect_error(parity_run_predictions(new_run(), 1:3 / 4, task = "multiclass"),
               "needs an n x k matrix of probabilities \\(k > 1\\); outputs is a numeric \\(length 3\\)")
  expect_error(parity_run_predictions(new_run(), "0.5"), "outputs is \"0.5\"; expected predict")
})

test_that("evaluation: names in run.json, values every bit", {
  run <- new_run()
  parity_run_evaluation(run, setNames(as.list(hard), paste0("v", 1:6)))
  out <- parity_run_close(run)
  expect_identical(bytes(read_npy(out, "evaluation")), bytes(hard))
  expect_identical(meta_of(out)$evaluation, list(names = as.list(paste0("v", 1:6))))
  run <- new_run()
  parity_run_evaluation(run, c(loss = 0.25))
  expect_identical(meta_of(parity_run_close(run))$evaluation$names, list("loss"))
  expect_error(parity_run_evaluation(new_run(), c(0.1, 0.2)),
               "results is a numeric \\(length 2\\) without a name for every value")
  expect_error(parity_run_evaluation(new_run(), list(loss = "low")),
               "element 'loss' is \"low\"; expected one number per name")
})

test_that("callbacks: facts as JSON keeps them, whole doubles as integers, bad facts named", {
  run <- new_run()
  parity_run_callbacks(run, list(reduce_lr = list(monitor = "val_loss", patience = 3, cooldown = 0L,
                                                  verbose = FALSE, min_lr = NULL)))
  out <- parity_run_close(run)
  expect_identical(meta_of(out)$callbacks$reduce_lr,
                   list(monitor = "val_loss", patience = 3L, cooldown = 0L, verbose = FALSE, min_lr = NULL))
  expect_match(paste(readLines(file.path(out, "run.json")), collapse = ""), "\"patience\": 3,")
  expect_error(parity_run_callbacks(new_run(), list(lr = list(factor = 0.1))),
               "lr\\$factor = 0.1: expected one string, integer or TRUE/FALSE")
  expect_error(parity_run_callbacks(new_run(), list(lr = list(patience = NA_integer_))), "lr\\$patience = NA")
  expect_error(parity_run_callbacks(new_run(), list(history = list(a = 1L))), "callback name \"history\"")
  expect_error(parity_run_callbacks(new_run(), list(list(a = 1L))), "expected a named list")
})

test_that("weights: class_weight's classes and weights, sample_weight, every bit", {
  run <- new_run()
  parity_run_weights(run, class_weight = list("0" = 0.1 + 0.2, "1" = 5), sample_weight = hard)
  out <- parity_run_close(run)
  expect_identical(meta_of(out)$weights, list(class_weight_classes = list("0", "1")))
  expect_identical(bytes(read_npy(out, "weights.class_weight")), bytes(c(0.1 + 0.2, 5)))
  expect_identical(bytes(read_npy(out, "weights.sample_weight")), bytes(hard))
  expect_error(parity_run_weights(new_run(), class_weight = c(1, 5)), "class_weight is a numeric \\(length 2\\) without a name")
  expect_error(parity_run_weights(new_run(), sample_weight = c("1", "2")),
               "sample_weight is a character \\(length 2\\); expected numbers")
  expect_error(parity_run_weights(new_run(), sample_weight = diag(2)), "expected one weight per training row")
})

test_that("measures: result and inputs as arrays, levels and lev in run.json (NULL as null)", {
  run <- new_run()
  obs <- factor(c("a", "b", "b", NA), levels = c("a", "b"))
  pred <- factor(c("b", "b", "c", "a"), levels = c("a", "b", "c"))
  parity_run_post_resample(run, c(Accuracy = 2/3, Kappa = NA), pred = pred, obs = obs)
  data <- data.frame(obs = c(1/3, 2), pred = c(0.1 + 0.2, NaN))
  parity_run_summary(run, "defaultSummary", c(RMSE = -0.0, Rsquared = NA, MAE = 2^-1074), data)
  two <- data.frame(obs = obs, pred = factor(c("a", "b", "b", "a")), a = hard[1:4], b = 1:4)
  parity_run_summary(run, "twoClassSummary", c(ROC = 0.5, Sens = 1, Spec = 0), two, lev = c("a", "b"))
  out <- parity_run_close(run)
  m <- meta_of(out)$measures
  expect_identical(m$postResample, list(names = list("Accuracy", "Kappa"), levels = list("a", "b"),
                                        pred_levels = list("a", "b", "c"), probability_columns = list(),
                                        lev = NULL))
  expect_identical(read_npy(out, "measures.postResample.obs"), c(0L, 1L, 1L, -1L))
  expect_identical(read_npy(out, "measures.postResample.pred"), c(1L, 1L, 2L, 0L))
  expect_identical(bytes(read_npy(out, "measures.postResample.values")), bytes(c(2/3, NA)))
  expect_null(m$defaultSummary$levels)
  expect_identical(bytes(read_npy(out, "measures.defaultSummary.pred")), bytes(c(0.1 + 0.2, NaN)))
  expect_identical(bytes(read_npy(out, "measures.defaultSummary.values")), bytes(c(-0.0, NA, 2^-1074)))
  expect_false(file.exists(file.path(out, "measures.defaultSummary.probabilities.npy")))
  expect_identical(m$twoClassSummary$probability_columns, list("a", "b"))
  expect_identical(m$twoClassSummary$lev, list("a", "b"))
  expect_identical(bytes(read_npy(out, "measures.twoClassSummary.probabilities")), bytes(c(hard[1:4], 1:4)))
  expect_error(parity_run_summary(new_run(), "postResample", c(a = 1), data),
               "fn = \"postResample\"; expected one of \"defaultSummary\"")
  expect_error(parity_run_summary(new_run(), "mnLogLoss", c(logLoss = 1), data.frame(y = 1)),
               "data is a data.frame \\(1 x 1\\) with columns y; expected caret's data frame")
  expect_error(parity_run_summary(new_run(), "twoClassSummary", c(ROC = 1), transform(two, note = "x")),
               "data column 'note' is a character \\(length 4\\); expected the columns other than obs and pred")
  expect_error(parity_run_post_resample(new_run(), c(RMSE = 1), pred = letters[1:2], obs = 1:2),
               "pred of postResample is a character \\(length 2\\); expected a factor or numbers")
  expect_error(parity_run_post_resample(new_run(), 1, pred = 1, obs = 1), "without a name for every value")
})

test_that("early stopping: a real Keras EarlyStopping's facts after fit()", {
  skip_if_not(identical(parity_keras_implementation(load = FALSE)$runs, "true"),
              "library(keras) cannot run on this Keras (parity_keras_implementation())")
  suppressPackageStartupMessages({ library(keras); library(tensorflow) })
  set_random_seed(3)
  x <- matrix(seq(-1, 1, length.out = 96 * 4), 96, 4)
  y <- x %*% c(1, -2, 0.5, 0) + sin(seq_len(96))
  model <- keras_model_sequential() %>% layer_dense(8, activation = "relu", input_shape = 4) %>% layer_dense(1)
  model %>% compile(optimizer = optimizer_adam(0.05), loss = "mean_squared_error")
  stop_early <- callback_early_stopping(monitor = "val_loss", patience = 2, restore_best_weights = TRUE)
  history <- model %>% fit(x, y, epochs = 40, batch_size = 16, validation_split = 0.25, verbose = 0,
                           shuffle = FALSE, callbacks = list(stop_early))
  run <- new_run()
  parity_run_early_stopping(run, stop_early, history)
  facts <- meta_of(parity_run_close(run))$callbacks$early_stopping
  expect_identical(facts[c("monitor", "patience", "restore_best_weights", "weights_restored")],
                   list(monitor = "val_loss", patience = 2L, restore_best_weights = TRUE, weights_restored = TRUE))
  expect_identical(facts$epochs_run, length(history$metrics$val_loss))
  expect_identical(facts$best_epoch, which.min(history$metrics$val_loss) - 1L)
  expect_gt(facts$stopped_epoch, 0L)   # it stopped training: the last epoch run is stopped_epoch
  expect_identical(facts$epochs_run, facts$stopped_epoch + 1L)
  run <- new_run()   # never fitted, no restoring: nothing restored, no epochs_run without history
  parity_run_early_stopping(run, callback_early_stopping(monitor = "loss", patience = 1))
  facts <- meta_of(parity_run_close(run))$callbacks$early_stopping
  expect_identical(facts[c("monitor", "restore_best_weights", "weights_restored", "stopped_epoch")],
                   list(monitor = "loss", restore_best_weights = FALSE, weights_restored = FALSE,
                        stopped_epoch = 0L))
  expect_null(facts$epochs_run)
  expect_error(parity_run_early_stopping(new_run(), list(monitor = "loss")),
               "callback is a list \\(length 1\\); expected a Keras EarlyStopping callback")
  expect_error(parity_run_early_stopping(new_run(), stop_early, list(loss = 1)),
               "history is a list \\(length 1\\); expected fit\\(\\)'s keras_training_history")
})
