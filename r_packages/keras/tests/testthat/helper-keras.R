# Each test builds real Keras objects through the package and checks them against the Keras
# class or function the verb wraps (no mocks).
keras_class <- function(x) x$`__class__`$`__name__`
py_shape <- function(x) {
  as.list(reticulate::py_eval("lambda t: [None if d is None else int(d) for d in t.shape]")(x))
}
