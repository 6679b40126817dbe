test_that("layer_dense wraps Dense with R keras's conversions", {
  l <- layer_dense(units = 4.0, activation = "relu", use_bias = FALSE, name = "d",
                   kernel_initializer = initializer_zeros(), kernel_regularizer = regularizer_l2(0.1))
  expect_equal(keras_class(l), "Dense")
  expect_identical(l$units, 4L)
  expect_false(l$use_bias)
  expect_equal(l$name, "d")
  expect_equal(keras_class(l$kernel_initializer), "Zeros")
  expect_equal(keras_class(l$kernel_regularizer), "L2")
})

test_that("a piped layer is added in place, the model returned invisibly, names as R keras", {
  k_clear_session()
  model <- keras_model_sequential()
  out <- withVisible(model %>% layer_dense(units = 3, input_shape = c(5)) %>% layer_dense(units = 2))
  expect_false(out$visible)
  expect_identical(out$value, model)
  expect_equal(length(model$layers), 2L)
  # magrittr >= 2.0 runs the outermost call first: the last layer is named first
  expect_equal(vapply(model$layers, function(l) l$name, ""), c("dense_1", "dense"))
  expect_equal(count_params(model), 5L * 3L + 3L + 3L * 2L + 2L)
})

test_that("input_shape and batch_input_shape give the model's input; NA and NULL are unknown", {
  m1 <- keras_model_sequential() %>% layer_dense(2, batch_input_shape = list(NULL, 7))
  expect_equal(py_shape(m1$inputs[[1]]), list(NULL, 7L))
  m2 <- keras_model_sequential() %>% layer_dense(2, batch_input_shape = c(4, 7))
  expect_equal(py_shape(m2$inputs[[1]]), list(4L, 7L))
  m3 <- keras_model_sequential() %>% layer_reshape(target_shape = c(2, -1), input_shape = c(6))
  expect_equal(py_shape(m3$outputs[[1]]), list(NULL, 2L, 3L))
})

test_that("each core layer verb builds its Keras class", {
  expect_equal(keras_class(layer_dropout(rate = 0.3)), "Dropout")
  expect_equal(layer_dropout(rate = 0.3)$rate, 0.3)
  expect_equal(keras_class(layer_flatten()), "Flatten")
  expect_equal(keras_class(layer_activation(activation = "tanh")), "Activation")
  expect_equal(keras_class(layer_batch_normalization(momentum = 0.9)), "BatchNormalization")
  e <- layer_embedding(input_dim = 10, output_dim = 3, mask_zero = TRUE)
  expect_equal(keras_class(e), "Embedding")
  expect_identical(c(e$input_dim, e$output_dim), c(10L, 3L))
  c1 <- layer_conv_1d(filters = 4, kernel_size = 3, strides = 2, padding = "same")
  expect_equal(keras_class(c1), "Conv1D")
  expect_equal(unlist(c1$kernel_size), 3L)
  c2 <- layer_conv_2d(filters = 4, kernel_size = c(3, 3))
  expect_equal(keras_class(c2), "Conv2D")
  expect_equal(unlist(c2$kernel_size), c(3L, 3L))
  for (verb in list(list(layer_max_pooling_1d, "MaxPooling1D"), list(layer_max_pooling_2d, "MaxPooling2D"),
                    list(layer_average_pooling_1d, "AveragePooling1D"),
                    list(layer_average_pooling_2d, "AveragePooling2D"),
                    list(layer_global_max_pooling_1d, "GlobalMaxPooling1D"),
                    list(layer_global_max_pooling_2d, "GlobalMaxPooling2D"),
                    list(layer_global_average_pooling_1d, "GlobalAveragePooling1D"),
                    list(layer_global_average_pooling_2d, "GlobalAveragePooling2D")))
    expect_equal(keras_class(verb[[1]]()), verb[[2]])
  expect_equal(keras_class(layer_simple_rnn(units = 2)), "SimpleRNN")
  expect_equal(keras_class(layer_lstm(units = 2, return_sequences = TRUE)), "LSTM")
  expect_equal(keras_class(layer_gru(units = 2)), "GRU")
  expect_equal(keras_class(bidirectional(layer = layer_lstm(units = 2))), "Bidirectional")
})

test_that("the functional API: layer_input, layers on tensors, keras_model", {
  inputs <- layer_input(shape = c(8))
  expect_equal(py_shape(inputs), list(NULL, 8L))
  outputs <- inputs %>% layer_dense(4) %>% layer_dense(1, activation = "sigmoid")
  model <- keras_model(inputs, outputs)
  expect_equal(py_shape(model$outputs[[1]]), list(NULL, 1L))
  expect_equal(count_params(model), 8L * 4L + 4L + 4L + 1L)
})

test_that("an argument this implementation lacks is an error that says so", {
  expect_error(layer_dense(units = 2, frobnicate = 1),
               "layer_dense\\(\\): argument 'frobnicate' is not supported by keras-caret-parity's R keras")
  expect_error(layer_input(shape = 2, foo = 1), "layer_input\\(\\): argument 'foo'")
})

test_that("weights = sets the layer's initial weights", {
  w <- list(matrix(1:6 / 10, 3, 2), c(0.5, -0.5))
  model <- keras_model_sequential() %>% layer_dense(units = 2, input_shape = 3, weights = w)
  got <- get_weights(model)
  expect_equal(got[[1]], w[[1]], tolerance = 1e-7)
  expect_equal(as.numeric(got[[2]]), w[[2]])
})
