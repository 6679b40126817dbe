# The contract's parts beyond the tutorial's (the Python twins are RunWriter.evaluation,
# .callbacks, .early_stopping, .weights, .post_resample and .summary): every number the engine
# compares goes to a double array, so 0.1 + 0.2, -0.0 and R's NA apart from NaN keep every bit;
# run.json holds only names, levels and facts that JSON keeps exactly.

# ---- validation and conversion, shared by every part ----------------------------------------

# A short description of a received value, for error messages: its value when short, else its
# class and length.
parity_describe <- function(x) {
  if (is.null(x)) return("NULL")
  if (is.atomic(x) && !is.factor(x) && length(x) == 1L && is.null(dim(x)))
    return(if (is.character(x)) paste0("\"", x, "\"") else parity_format_number(x))
  dims <- if (is.null(dim(x))) paste("length", length(x)) else paste(dim(x), collapse = " x ")
  paste0("a ", paste(class(x), collapse = "/"), " (", dims, ")")
}

# A number as R prints it (15 digits), or with 17 when 15 would name another double.
parity_format_number <- function(x) {
  short <- format(x, digits = 15L)
  if (is.numeric(x) && !is.na(x) && !identical(as.numeric(short), as.numeric(x))) format(x, digits = 17L) else short
}

parity_check_name <- function(what, name) {
  if (!is.character(name) || length(name) != 1L || is.na(name) ||
      !grepl("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$", name))
    stop(what, " = ", parity_describe(name), ": expected one name of letters, digits, '_', '.', '-'",
         call. = FALSE)
}

# Numbers as doubles, keeping dims (integer NA becomes NA_real_); anything else is an error.
parity_as_double <- function(x, what = "x") {
  if (!is.numeric(x) && !(is.logical(x) && all(is.na(x))))
    stop(what, " is ", parity_describe(x), "; expected numbers", call. = FALSE)
  storage.mode(x) <- "double"
  x
}

# A named result (a named numeric vector, or a named list of single numbers: evaluate()'s,
# caret's): its names and its values as one double vector.
parity_named_values <- function(result, what) {
  values <- if (is.list(result)) {
    ok <- vapply(result, function(v) (is.numeric(v) || (is.logical(v) && is.na(v))) && length(v) == 1L, TRUE)
    if (!all(ok))
      stop(what, ": element '", names(result)[!ok][1], "' is ", parity_describe(result[!ok][[1]]),
           "; expected one number per name", call. = FALSE)
    unlist(result, use.names = FALSE)
  } else if (is.numeric(result) || (is.logical(result) && all(is.na(result)))) {
    as.vector(result)
  } else {
    stop(what, " is ", parity_describe(result), "; expected a named numeric vector or a named list ",
         "of numbers", call. = FALSE)
  }
  nm <- names(result)
  if (!length(result) || is.null(nm) || anyNA(nm) || any(!nzchar(nm)))
    stop(what, " is ", parity_describe(result), " without a name for every value; expected ",
         "name -> value (e.g. c(loss = 0.3, accuracy = 0.9))", call. = FALSE)
  list(names = as.list(nm), values = as.double(values))
}

# ---- evaluate() ---------------------------------------------------------------------------

parity_run_evaluation <- function(run, results) {
  v <- parity_named_values(results, "parity_run_evaluation: results")
  run$meta$evaluation <- list(names = v$names)
  parity_run_array(run, "evaluation", v$values)
}

# ---- callbacks ----------------------------------------------------------------------------

parity_run_callbacks <- function(run, facts) {
  if (!is.list(facts) || !length(facts) || is.null(names(facts)))
    stop("parity_run_callbacks: facts is ", parity_describe(facts), "; expected a named list ",
         "callback -> list(fact = value)", call. = FALSE)
  for (name in names(facts)) {
    parity_check_name("parity_run_callbacks: callback name", name)
    if (name %in% c("settings", "execution_settings", "history"))
      stop("parity_run_callbacks: callback name \"", name, "\": expected any name but settings, ",
           "execution_settings and history", call. = FALSE)
    one <- facts[[name]]
    if (!is.list(one) || !length(one) || is.null(names(one)) || any(!nzchar(names(one))))
      stop("parity_run_callbacks: facts$", name, " is ", parity_describe(one), "; expected a ",
           "named list fact -> value", call. = FALSE)
    for (fact in names(one)) {
      v <- one[[fact]]
      whole <- is.double(v) && length(v) == 1L && is.finite(v) && v == round(v) &&
        abs(v) <= .Machine$integer.max
      ok <- is.null(v) || whole ||
        ((is.character(v) || is.integer(v) || is.logical(v)) && length(v) == 1L && !is.na(v))
      if (!ok)
        stop("parity_run_callbacks: ", name, "$", fact, " = ", parity_describe(v), ": expected one ",
             "string, integer or TRUE/FALSE, or NULL (JSON keeps these exactly)", call. = FALSE)
      if (whole) one[[fact]] <- as.integer(v)
    }
    run$meta$callbacks[[name]] <- one
  }
  invisible(run)
}

# A Keras EarlyStopping callback (callback_early_stopping()) after fit(), and fit()'s history:
# what it watched and what it did. stopped_epoch and best_epoch are Keras' 0-based attributes
# (stopped_epoch 0: it did not stop training).
parity_run_early_stopping <- function(run, callback, history = NULL) {
  if (!inherits(callback, "python.builtin.object") ||
      !all(vapply(c("monitor", "patience", "restore_best_weights", "stopped_epoch"),
                  function(a) reticulate::py_has_attr(callback, a), TRUE)))
    stop("parity_run_early_stopping: callback is ", parity_describe(callback), "; expected a ",
         "Keras EarlyStopping callback (callback_early_stopping()) after fit()", call. = FALSE)
  attr_of <- function(name) reticulate::py_to_r(reticulate::py_get_attr(callback, name))
  restore <- isTRUE(attr_of("restore_best_weights"))
  best_weights <- reticulate::py_get_attr(callback, "best_weights", silent = TRUE)
  facts <- list(
    monitor = as.character(attr_of("monitor")), patience = as.integer(attr_of("patience")),
    restore_best_weights = restore, stopped_epoch = as.integer(attr_of("stopped_epoch")),
    best_epoch = if (reticulate::py_has_attr(callback, "best_epoch")) as.integer(attr_of("best_epoch")) else -1L,
    weights_restored = restore && !is.null(best_weights) &&
      !inherits(best_weights, "python.builtin.NoneType"))
  if (!is.null(history)) {
    if (!is.list(history$metrics) || !length(history$metrics))
      stop("parity_run_early_stopping: history is ", parity_describe(history), "; expected ",
           "fit()'s keras_training_history (with $metrics)", call. = FALSE)
    facts$epochs_run <- length(history$metrics[[1L]])
  }
  parity_run_callbacks(run, list(early_stopping = facts))
}

# ---- weights given to fit() ---------------------------------------------------------------

parity_run_weights <- function(run, class_weight = NULL, sample_weight = NULL) {
  if (!is.null(class_weight)) {
    v <- parity_named_values(class_weight, "parity_run_weights: class_weight")
    run$meta$weights$class_weight_classes <- v$names
    parity_run_array(run, "weights.class_weight", v$values)
  }
  if (!is.null(sample_weight)) {
    if (!is.null(dim(sample_weight)) && length(dim(sample_weight)) > 1L && prod(dim(sample_weight)[-1L]) != 1L)
      stop("parity_run_weights: sample_weight is ", parity_describe(sample_weight), "; expected ",
           "one weight per training row", call. = FALSE)
    parity_run_array(run, "weights.sample_weight",
                     as.vector(parity_as_double(sample_weight, "parity_run_weights: sample_weight")))
  }
  invisible(run)
}

# ---- caret's postResample and summary functions -------------------------------------------

parity_measure_functions <- c("postResample", "defaultSummary", "twoClassSummary", "prSummary",
                              "multiClassSummary", "mnLogLoss")

parity_run_post_resample <- function(run, result, pred, obs) {
  parity_run_measure(run, "postResample", result, obs = obs, pred = pred)
}

parity_run_summary <- function(run, fn, result, data, lev = NULL) {
  summaries <- parity_measure_functions[-1L]
  if (!is.character(fn) || length(fn) != 1L || !fn %in% summaries)
    stop("parity_run_summary: fn = ", parity_describe(fn), "; expected one of \"",
         paste(summaries, collapse = "\", \""), "\" (postResample: parity_run_post_resample())",
         call. = FALSE)
  if (!is.data.frame(data) || !all(c("obs", "pred") %in% names(data)))
    stop("parity_run_summary: data is ", parity_describe(data), if (is.data.frame(data))
      paste0(" with columns ", paste(names(data), collapse = ", ")), "; expected caret's data ",
      "frame with columns obs and pred (and one probability column per level)", call. = FALSE)
  columns <- setdiff(names(data), c("obs", "pred"))
  if (!is.null(lev) && (!is.character(lev) || anyNA(lev)))
    stop("parity_run_summary: lev = ", parity_describe(lev), "; expected the class levels ",
         "(character) or NULL", call. = FALSE)
  probabilities <- NULL
  if (length(columns)) {
    numeric_column <- vapply(data[columns], is.numeric, TRUE)
    if (!all(numeric_column))
      stop("parity_run_summary: data column '", columns[!numeric_column][1], "' is ",
           parity_describe(data[[columns[!numeric_column][1]]]), "; expected the columns other than ",
           "obs and pred to be class probabilities (numbers)", call. = FALSE)
    probabilities <- as.matrix(data[columns])
    storage.mode(probabilities) <- "double"
    dimnames(probabilities) <- NULL
  }
  parity_run_measure(run, fn, result, obs = data$obs, pred = data$pred,
                     probabilities = probabilities, columns = columns, lev = lev)
}

# One measure: the result's names and levels in run.json (every key present; NULL is null), its
# values and inputs as arrays. Factors become 0-based codes into their levels (-1: NA), as
# confusion.data; numbers (postResample on a regression) their double values.
parity_run_measure <- function(run, fn, result, obs, pred, probabilities = NULL,
                               columns = character(0), lev = NULL) {
  v <- parity_named_values(result, paste0("parity_run_", if (fn == "postResample") "post_resample"
                                          else "summary", ": result of ", fn))
  input <- function(x, part) {
    if (is.factor(x)) {
      codes <- match(as.character(x), levels(x)) - 1L
      codes[is.na(codes)] <- -1L
      return(codes)
    }
    if (!is.numeric(x))
      stop("parity_run_", if (fn == "postResample") "post_resample" else "summary", ": ", part,
           " of ", fn, " is ", parity_describe(x), "; expected a factor or numbers", call. = FALSE)
    as.vector(parity_as_double(x, part))
  }
  obs_codes <- input(obs, "obs")
  pred_codes <- input(pred, "pred")
  run$meta$measures[[fn]] <- list(
    names = v$names,
    levels = if (is.factor(obs)) as.list(levels(obs)) else NULL,
    pred_levels = if (is.factor(pred)) as.list(levels(pred)) else NULL,
    probability_columns = as.list(columns),
    lev = if (is.null(lev)) NULL else as.list(lev))
  prefix <- paste0("measures.", fn, ".")
  parity_run_array(run, paste0(prefix, "values"), v$values)
  parity_run_array(run, paste0(prefix, "obs"), obs_codes)
  parity_run_array(run, paste0(prefix, "pred"), pred_codes)
  if (!is.null(probabilities)) parity_run_array(run, paste0(prefix, "probabilities"), probabilities)
  invisible(run)
}
