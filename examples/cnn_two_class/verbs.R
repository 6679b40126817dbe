# The three R keras 2.x layer verbs this example needs beyond the tutorial's, in the style of
# r_reference/keras_fallback.R (source that first): integers and shapes converted as R keras
# converts them, the layer added to the piped model in place, the model returned invisibly.

# The fallback's own verb body when it has one (it names layers as the real package does),
# else create the layer after the pipe's earlier steps, so layers are created in pipe order
# (under Keras 3 creation order decides the initial weights).
layer_verb <- function(object, layer_class, args, prefix) {
  if (exists("pipe_layer", mode = "function")) return(pipe_layer(object, layer_class, args, prefix))
  model <- object
  add_layer(model, do.call(layer_class, args))
}

layer_reshape <- function(object, target_shape, input_shape = NULL, name = NULL) {
  args <- list(target_shape = normalize_shape(target_shape), name = name)
  if (!is.null(input_shape)) args$input_shape <- normalize_shape(input_shape)
  layer_verb(object, keras$layers$Reshape, args, "reshape")
}

layer_conv_2d <- function(object, filters, kernel_size, activation = NULL, name = NULL) {
  layer_verb(object, keras$layers$Conv2D,
             list(filters = as.integer(filters), kernel_size = normalize_shape(kernel_size),
                  activation = activation, name = name), "conv2d")
}

layer_max_pooling_2d <- function(object, pool_size = c(2L, 2L), name = NULL) {
  layer_verb(object, keras$layers$MaxPooling2D,
             list(pool_size = normalize_shape(pool_size), name = name), "max_pooling2d")
}
