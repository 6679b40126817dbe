test_that("optimizers are Keras' classes with the arguments given", {
  o <- optimizer_adam(learning_rate = 0.01)
  expect_equal(keras_class(o), "Adam")
  expect_equal(as.numeric(o$learning_rate$numpy()), 0.01, tolerance = 1e-7)
  expect_equal(keras_class(optimizer_sgd(momentum = 0.9)), "SGD")
  expect_equal(keras_class(optimizer_rmsprop()), "RMSprop")
})

test_that("losses: objects without y, values with y", {
  expect_equal(keras_class(loss_mean_squared_error()), "MeanSquaredError")
  v <- loss_mean_squared_error(matrix(c(0, 1), 1), matrix(c(1, 1), 1))
  expect_equal(as.numeric(v), 0.5)
  expect_equal(keras_class(loss_sparse_categorical_crossentropy(from_logits = TRUE)),
               "SparseCategoricalCrossentropy")
})

test_that("metrics, initializers, regularizers", {
  expect_equal(keras_class(metric_auc()), "AUC")
  # the function form: Keras' binary_accuracy, the mean over the last axis
  expect_equal(as.numeric(metric_binary_accuracy(c(1, 0), c(0.9, 0.8))), 0.5)
  expect_equal(keras_class(initializer_glorot_uniform(seed = 1)), "GlorotUniform")
  expect_equal(keras_class(regularizer_l1_l2()), "L1L2")
})

test_that("to_categorical and the k_* helpers on predictions", {
  expect_equal(to_categorical(c(0, 2, 1)), rbind(c(1, 0, 0), c(0, 0, 1), c(0, 1, 0)))
  expect_equal(dim(to_categorical(0:1, num_classes = 4)), c(2L, 4L))
  p <- rbind(c(0.1, 0.7, 0.2), c(0.5, 0.2, 0.3))
  expect_equal(as.integer(k_argmax(p)), c(1L, 0L))
  expect_equal(as.integer(k_argmax(p, axis = 1)), c(1L, 0L, 1L))
  expect_equal(as.numeric(k_max(p, axis = 2)), c(0.7, 0.5), tolerance = 1e-7)
  expect_error(k_argmax(p, axis = 0), "1 based")
})

test_that("datasets come from Keras' cache", {
  # Keras 3 reads KERAS_HOME; Keras 2 (tf-keras) always reads ~/.keras
  home <- if (keras:::keras_major() >= 3L) Sys.getenv("KERAS_HOME") else path.expand("~/.keras")
  skip_if_not(file.exists(file.path(home, "datasets", "fashion-mnist", "t10k-labels-idx1-ubyte.gz")),
              paste("no Fashion-MNIST in", home))
  d <- dataset_fashion_mnist()
  expect_equal(dim(d$train$x), c(60000L, 28L, 28L))
  expect_equal(as.vector(d$test$y[1:10]), c(9, 2, 1, 1, 6, 1, 4, 6, 5, 7))
})
