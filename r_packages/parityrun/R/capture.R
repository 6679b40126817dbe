# Capture: an unmodified R script's keras, caret and pROC calls, recorded as they are made and
# written as ONE contract run directory when R exits (the Python twin is parity.capture).
#
#   R_PROFILE_USER=parity/capture/capture.Rprofile PARITY_CAPTURE_OUT=DIR \
#     PARITY_CAPTURE_SETTINGS='{"epochs": 2}' PARITY_CAPTURE_SCRIPT=analysis.R \
#     PARITY_CAPTURE_ARGS='["--epochs", "2"]' Rscript analysis.R --epochs 2
#
# (`python -m parity.capture --out DIR -- Rscript analysis.R ...` sets that environment.)
#
# Hooks: keras' compile/fit/evaluate/predict are S3 methods registered for Keras' model classes
# (ours and the real package's alike); when the keras namespace loads, each registered method
# is re-registered as a hooked copy (capture_hook: the same function with the capture's entry and
# exit added to its body, as trace() does). caret's and pROC's functions are replaced by hooked
# copies in their namespaces when those load, before library() copies them, so library(caret)
# and caret::confusionMatrix both reach the hook. The copies keep the original's frame, so what
# a function sees of its call (match.call(), substitute(): pROC prints them) is unchanged (a
# wrapper function adds a frame: pROC then printed its call as roc.default(response = ..1, ...)).
# Only the outermost captured call is recorded (caret's functions call each other; twoClassSummary
# calls pROC); a recording failure is kept as the call's capture_error. Parts that need Python
# (the model's layers and summary, early stopping's facts) are written when the call returns.
#
# At exit: an exit finalizer (reg.finalizer(onexit = TRUE)) runs on every way out of Rscript -
# the script's end, quit(), and the "Execution halted" after an uncaught error (measured: .Last
# is skipped on that path, and neither .Last nor a finalizer can see quit()'s status). So the
# capture notes the outcome as it happens: an error that reaches R's top level through a global
# calling handler (errors caught by try()/tryCatch() never reach it), and quit()'s status
# through trace(). options(error) is not used: a non-interactive R with an error handler set
# goes on with the next expression instead of halting, which would change the script.

capture_state <- new.env(parent = emptyenv())
capture_state$active <- FALSE

capture_caret_functions <- c(
  "confusionMatrix", "postResample", "defaultSummary", "twoClassSummary", "prSummary",
  "multiClassSummary", "mnLogLoss", "sensitivity", "specificity", "posPredValue", "negPredValue",
  "precision", "recall", "F_meas")
capture_keras_verbs <- c("compile", "fit", "evaluate", "predict")
capture_packages <- list(
  caret = list(kind = "caret", functions = capture_caret_functions),
  pROC = list(kind = "statistic", functions = c("roc", "auc", "ci.auc")))
#: compiled losses that make a run a regression (compared lower-case, without underscores), as
#: parity.capture.python_side.REGRESSION_LOSSES
capture_regression_losses <- gsub("_", "", tolower(c(
  "mse", "mae", "mape", "msle", "huber", "huber_loss", "logcosh", "log_cosh",
  "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
  "mean_squared_logarithmic_error", "MeanSquaredError", "MeanAbsoluteError",
  "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "Huber", "LogCosh")))
capture_recognised <- paste0(
  "keras compile/fit/evaluate/predict, caret's ", paste(capture_caret_functions, collapse = "/"),
  ", pROC's roc/auc/ci.auc")

`%||%` <- function(x, y) if (is.null(x)) y else x

# ---- start ----------------------------------------------------------------------------------

#' Start capturing this R session's keras, caret and pROC calls; the run directory is written
#' when R exits. Called by parity/capture/capture.Rprofile at R's top level (no handlers on the
#' stack: it installs a global calling handler), from the PARITY_CAPTURE_* environment. A bad
#' environment is one `error: parity capture:` line on stderr and exit status 1.
parity_capture_start <- function() {
  if (capture_state$active) stop("parity_capture_start(): the capture is already started", call. = FALSE)
  problem <- tryCatch({ capture_prepare(); NULL }, error = function(e) conditionMessage(e))
  if (!is.null(problem)) {
    cat("error: parity capture: ", problem, "\n", sep = "", file = stderr())
    quit(save = "no", status = 1L, runLast = FALSE)
  }
  # an error that reaches the top level (R then halts): handlers established by the script
  # (try, tryCatch) are above this one, so errors they catch never get here
  globalCallingHandlers(error = function(e) capture_state$error_seen <- TRUE)
  reg.finalizer(capture_state, capture_finish, onexit = TRUE)
  invisible(TRUE)
}

capture_prepare <- function() {
  env <- Sys.getenv(c("PARITY_CAPTURE_OUT", "PARITY_CAPTURE_SETTINGS", "PARITY_CAPTURE_SCRIPT",
                      "PARITY_CAPTURE_ARGS", "PARITY_CAPTURE_USER_PROFILE"), unset = NA)
  if (is.na(env[["PARITY_CAPTURE_OUT"]]) || !nzchar(env[["PARITY_CAPTURE_OUT"]]))
    stop("PARITY_CAPTURE_OUT is not set; expected the run directory to write", call. = FALSE)
  settings <- capture_json_env("PARITY_CAPTURE_SETTINGS", env[["PARITY_CAPTURE_SETTINGS"]], "{}")
  if (!is.list(settings) || (length(settings) && is.null(names(settings))))
    stop("PARITY_CAPTURE_SETTINGS = ", env[["PARITY_CAPTURE_SETTINGS"]], ": expected a JSON object",
         call. = FALSE)
  args <- capture_json_env("PARITY_CAPTURE_ARGS", env[["PARITY_CAPTURE_ARGS"]], "[]")
  if (!is.list(args) || !all(vapply(args, function(a) is.character(a) && length(a) == 1L, TRUE)))
    stop("PARITY_CAPTURE_ARGS = ", env[["PARITY_CAPTURE_ARGS"]], ": expected a JSON list of strings",
         call. = FALSE)
  script <- env[["PARITY_CAPTURE_SCRIPT"]]
  if (is.na(script) || !nzchar(script))
    stop("PARITY_CAPTURE_SCRIPT is not set; expected the script's path as given", call. = FALSE)
  run <- tryCatch(parity_run_open(env[["PARITY_CAPTURE_OUT"]], settings = settings),
                  error = function(e) stop("PARITY_CAPTURE_OUT", sub("^--out", "", conditionMessage(e)),
                                           call. = FALSE))
  # the script sees the environment its author's R has: no PARITY_CAPTURE_*, the user's own
  # R_PROFILE_USER (an R the script starts is not captured into this run)
  Sys.unsetenv(c("PARITY_CAPTURE_OUT", "PARITY_CAPTURE_SETTINGS", "PARITY_CAPTURE_SCRIPT",
                 "PARITY_CAPTURE_ARGS", "PARITY_CAPTURE_USER_PROFILE"))
  user <- env[["PARITY_CAPTURE_USER_PROFILE"]]
  defaults <- normalizePath(c(".Rprofile", "~/.Rprofile"), mustWork = FALSE)
  if (is.na(user) || normalizePath(user, mustWork = FALSE) %in% defaults) Sys.unsetenv("R_PROFILE_USER")
  else Sys.setenv(R_PROFILE_USER = user)

  s <- capture_state
  s$run <- run
  s$script <- script
  s$args <- as.character(unlist(args))
  s$calls <- list()
  s$frames <- list()   # the frames of the captured calls in progress, outermost first
  s$error_seen <- FALSE
  s$quit_status <- NULL
  s$firsts <- character()
  s$first_predict <- NULL
  s$first_cm_data <- NULL
  s$sources <- list()  # array name -> the R object written under it (each array written once)
  s$specs <- list()    # hooked function -> what it is and the original
  s$current <- NULL    # the outermost captured call in progress
  s$forced <- list()   # arguments capture_force evaluated, by frame, until capture_enter reads them
  s$install_errors <- character()  # a package whose functions could not be hooked (run.json errors)
  s$active <- TRUE
  for (pkg in c("keras", names(capture_packages))) capture_on_load(pkg)
  # quit(status = ) is invisible at exit: noted when quit() or q() is called
  for (fn in c("quit", "q"))
    suppressMessages(trace(fn, tracer = quote(parityrun:::capture_note_quit(status)), print = FALSE,
                           where = baseenv()))
  invisible(TRUE)
}

capture_json_env <- function(name, value, default) {
  if (is.na(value) || !nzchar(value)) value <- default
  tryCatch(jsonlite::fromJSON(value, simplifyVector = FALSE),
           error = function(e) stop(name, " = ", value, ": not JSON (",
                                    trimws(gsub("\\s+", " ", conditionMessage(e))), ")", call. = FALSE))
}

capture_note_quit <- function(status) {
  capture_state$quit_status <- tryCatch(as.integer(status), error = function(e) 1L)
}

# Hook a package's functions now if it is loaded, and whenever it loads.
capture_on_load <- function(pkg) {
  install <- function(...) tryCatch(capture_install(pkg), error = function(e) {
    capture_state$install_errors <- c(capture_state$install_errors, paste0(pkg, ": ", conditionMessage(e)))
  })
  if (isNamespaceLoaded(pkg)) install()
  setHook(packageEvent(pkg, "onLoad"), install)
}

capture_install <- function(pkg) {
  ns <- asNamespace(pkg)
  if (pkg == "keras") {
    # every S3 method of the four verbs the keras package registers (Keras' model classes); the
    # function's own binding too, which the package calls directly (keras-caret-parity's
    # predict_classes() calls predict_keras_model(): recorded as the predict it makes)
    s3 <- getNamespaceInfo(ns, "S3methods")
    for (i in which(s3[, 1] %in% capture_keras_verbs)) {
      verb <- s3[i, 1]
      cls <- s3[i, 2]
      method <- utils::getS3method(verb, cls, optional = TRUE, envir = ns)
      if (is.null(method) || isTRUE(attr(method, "parity_capture"))) next
      spec <- list(kind = verb, fn = verb, name = verb, class = cls, library = "keras",
                   generic = FALSE)
      registerS3method(verb, cls, capture_hook(method, spec), envir = ns)
      name <- if (is.na(s3[i, 3])) paste(verb, cls, sep = ".") else s3[i, 3]
      bound <- get0(name, envir = ns, inherits = FALSE)
      if (identical(bound, method)) capture_replace(ns, name, capture_hook(method, spec))
    }
    return(invisible())
  }
  p <- capture_packages[[pkg]]
  attached <- paste0("package:", pkg)
  for (fn in p$functions) {
    original <- get0(fn, envir = ns, inherits = FALSE)
    if (!is.function(original) || isTRUE(attr(original, "parity_capture"))) next
    spec <- list(kind = p$kind, fn = if (p$kind == "statistic") paste0(pkg, "::", fn) else fn,
                 name = fn, library = pkg,
                 generic = any(grepl("UseMethod", deparse(body(original)), fixed = TRUE)))
    hooked <- capture_hook(original, spec)
    capture_replace(ns, fn, hooked)
    if (attached %in% search() && exists(fn, envir = as.environment(attached), inherits = FALSE))
      capture_replace(as.environment(attached), fn, hooked)
  }
  invisible()
}

capture_replace <- function(env, name, value) {
  locked <- bindingIsLocked(name, env)
  if (locked) unlockBinding(name, env)
  assign(name, value, envir = env)
  if (locked) lockBinding(name, env)
}

# The hooked copy of a function: the same formals, environment and body, preceded by the
# capture's entry and an on.exit() that records the outermost call with its returnValue(). No
# frame is added, so sys.call(), match.call(), substitute() and parent.frame() inside it, the
# value's visibility and errors are those of the original. An on.exit() of the body that would
# replace the capture's (add = FALSE) is followed by the capture's again.
capture_hook <- function(original, spec) {
  hooked <- original
  key <- paste0(spec$library, "::", spec$name, if (!is.null(spec$class)) paste0(".", spec$class))
  capture_state$specs[[key]] <- c(spec, list(original = original))
  exit <- quote(on.exit(parityrun:::capture_exit(environment(), returnValue(parityrun:::capture_none)),
                        add = TRUE))
  # the outermost call's arguments, evaluated here, in its own frame (see capture_force)
  force <- lapply(names(formals(original)), function(name) {
    substitute(if (parityrun:::capture_force(environment(), NAME)) VALUE,
               list(NAME = name, VALUE = if (name == "...") quote(list(...)) else as.name(name)))
  })
  enter <- substitute(parityrun:::capture_enter(KEY, environment()), list(KEY = key))
  body(hooked) <- as.call(c(as.name("{"), force, enter, exit, capture_keep_exit(body(original), exit)))
  attr(hooked, "parity_capture") <- TRUE
  hooked
}

# `expr` with every on.exit() that does not add (add = FALSE or not given) followed by `exit`;
# functions defined inside have frames of their own and are left as they are.
capture_keep_exit <- function(expr, exit) {
  if (!is.call(expr) || identical(expr[[1L]], as.name("function"))) return(expr)
  if (identical(expr[[1L]], as.name("on.exit"))) {
    add <- tryCatch(match.call(on.exit, expr)$add, error = function(e) NULL)
    return(if (isTRUE(add)) expr else call("{", expr, exit))
  }
  parts <- as.list(expr)
  for (k in seq_along(parts)[-1L]) {
    part <- parts[[k]]
    if (!missing(part) && is.call(part)) expr[[k]] <- capture_keep_exit(part, exit)
  }
  expr
}

# returnValue()'s default: the function did not return (an error left it)
capture_none <- new.env(parent = emptyenv())

# The outermost captured call's arguments are evaluated before it starts, as Python evaluates
# arguments before a call: a captured call inside an argument is then recorded before this one,
# and the values recorded are those given (the function may reassign its arguments). An argument
# that is a call is evaluated in the function's own frame (capture_hook's `if (...) x`), so an
# error there is the error the function would have raised, evaluated once; a bare name is looked
# up here and, when it is not defined, left alone (pROC's roc(data, response, predictor) takes
# column names it never evaluates). Arguments of nested captured calls stay lazy.
capture_force <- function(frame, name) {
  s <- capture_state
  if (!isTRUE(s$active) || length(s$frames)) return(FALSE)
  exprs <- if (name == "...") as.list(eval(quote(substitute(list(...))), frame))[-1L]
           else if (eval(call("missing", as.name(name)), frame)) return(FALSE)
           else list(eval(call("substitute", as.name(name)), frame))
  shown <- as.character(exprs)  # "" for an empty argument
  if (any(!nzchar(shown))) return(FALSE)
  # names and constants here; calls (any side effects) in the frame, when nothing failed here
  simple <- which(vapply(seq_along(exprs), function(k) !is.call(exprs[[k]]), TRUE))
  element <- function(k) if (name == "...") paste0("..", k) else name
  ok <- TRUE
  forced <- character()
  for (k in simple) {
    value <- tryCatch(eval(as.name(element(k)), frame), error = function(e) capture_none)
    if (identical(value, capture_none)) ok <- FALSE else forced <- c(forced, element(k))
  }
  inline <- ok && length(simple) < length(exprs)
  if (inline) forced <- c(forced, name)
  if (length(s$forced)) {  # (an argument that failed in its frame left its entry behind)
    live <- sys.frames()
    s$forced <- Filter(function(f) any(vapply(live, identical, TRUE, f$frame)), s$forced)
  }
  if (length(forced)) s$forced[[length(s$forced) + 1L]] <- list(frame = frame, names = forced)
  inline
}

# Entry: the frames of the captured calls in progress are a stack (an exit that never ran - a
# frame no longer on R's stack - is dropped). The outermost call's arguments are read as they
# were evaluated (capture_force); one left unevaluated is recorded as its expression.
capture_enter <- function(key, frame) {
  s <- capture_state
  if (!isTRUE(s$active)) return(invisible())
  if (length(s$frames)) {
    live <- sys.frames()
    s$frames <- Filter(function(f) any(vapply(live, identical, TRUE, f)), s$frames)
  }
  mine <- vapply(s$forced, function(f) identical(f$frame, frame), TRUE)
  forced <- unlist(lapply(s$forced[mine], function(f) f$names))
  s$forced <- s$forced[!mine]
  if (!length(s$frames)) {
    spec <- s$specs[[key]]
    args <- tryCatch(capture_frame_args(spec$original, frame, forced), error = function(e) e)
    s$current <- list(frame = frame, spec = spec, args = args)
  }
  s$frames <- c(s$frames, list(frame))
  invisible()
}

# Exit (once per frame): the outermost call is recorded while its frame is still on the
# stack, so captured calls the recording makes are not recorded.
capture_exit <- function(frame, value) {
  s <- capture_state
  if (!isTRUE(s$active)) return(invisible())
  at <- Position(function(f) identical(f, frame), s$frames)
  if (is.na(at)) return(invisible())
  if (at == 1L && identical(frame, s$current$frame)) {
    current <- s$current
    s$current <- NULL
    if (!identical(value, capture_none)) capture_record(current$spec, current$args, value)
  }
  s$frames <- s$frames[-at]
  invisible()
}

# The arguments given to the call in `frame`, in order (a supplied formal, each element of ...):
# their values where `forced` (already evaluated: nothing is evaluated again), else their
# expressions (capture_unevaluated).
capture_frame_args <- function(fn, frame, forced) {
  values <- list()
  roles <- character()
  for (name in names(formals(fn))) {
    if (name == "...") {
      given <- as.list(eval(quote(substitute(list(...))), frame))[-1L]
      names_given <- names(given) %||% rep("", length(given))
      shown <- as.character(given)
      for (k in seq_along(given)) {
        values[length(values) + 1L] <- list(
          if (any(c("...", paste0("..", k)) %in% forced)) eval(as.name(paste0("..", k)), frame)
          else capture_unevaluated(shown[k]))
        roles <- c(roles, names_given[k])
      }
    } else if (!eval(call("missing", as.name(name)), frame)) {
      values[length(values) + 1L] <- list(
        if (name %in% forced) get(name, envir = frame)
        else capture_unevaluated(deparse(eval(call("substitute", as.name(name)), frame))[1L]))
      roles <- c(roles, name)
    }
  }
  structure(values, names = roles)
}

capture_unevaluated <- function(expr) structure(list(expression = expr), class = "parity_capture_unevaluated")

# ---- recording ------------------------------------------------------------------------------

capture_record <- function(spec, args, result) {
  s <- capture_state
  i <- length(s$calls) + 1L
  call <- new.env(parent = emptyenv())
  call$record <- list(kind = spec$kind, `function` = spec$fn, library = spec$library,
                      arrays = structure(list(), names = character(0)),
                      values = structure(list(), names = character(0)))
  s$calls[[i]] <- call
  tryCatch(suppressWarnings(suppressMessages({
    if (inherits(args, "error")) stop(args)
    args <- capture_bind(spec, args)
    recorder <- switch(spec$kind, compile = capture_record_compile, fit = capture_record_fit,
                       evaluate = capture_record_evaluate, predict = capture_record_predict,
                       caret = capture_record_caret, statistic = capture_record_statistic)
    recorder(call, i, spec, args, result)
  })), error = function(e) capture_error(call, e))
  invisible()
}

capture_error <- function(call, e) {
  msg <- if (inherits(e, "condition")) conditionMessage(e) else as.character(e)
  old <- call$record$values$capture_error
  call$record$values$capture_error <- if (is.null(old)) msg else paste0(old, "; ", msg)
}

# The arguments by the parameter names of the function that ran (a generic: the method its
# first argument dispatches to); unnamed extras in `...` are named ..N. attr "fn": that function.
capture_bind <- function(spec, args) {
  fn <- spec$original
  if (isTRUE(spec$generic) && length(args)) {
    # (utils::getS3method() does not see the wrapped generic as one: looked up here, in the
    # package's namespace, then in its S3 methods table)
    ns <- topenv(environment(fn))
    for (cls in c(class(args[[1L]]), "default")) {
      name <- paste(spec$name, cls, sep = ".")
      method <- get0(name, envir = ns, mode = "function") %||%
        get0(name, envir = ns[[".__S3MethodsTable__."]], mode = "function", inherits = FALSE)
      if (!is.null(method)) { fn <- method; break }
    }
  }
  given <- structure(as.list(seq_along(args)), names = names(args))
  matched <- as.list(match.call(fn, as.call(c(as.name("f"), given))))[-1L]
  roles <- names(matched) %||% rep("", length(matched))
  roles[!nzchar(roles)] <- paste0("..", which(!nzchar(roles)))
  structure(args[unlist(matched)], names = roles, fn = fn)
}

# A parameter's default when it is a constant (fit()'s epochs = 10, shuffle = TRUE, ...).
capture_default <- function(fn, name) {
  d <- formals(fn)[[name]]
  if (is.atomic(d)) d else NULL
}

# Write the contract's parts from the first call of `key`; a failure is kept on the call and
# undoes what the part had written (a half-written part would fail the schema at the end).
capture_part <- function(call, key, write) {
  s <- capture_state
  if (key %in% s$firsts) return(invisible(FALSE))
  s$firsts <- c(s$firsts, key)
  run <- s$run
  meta <- run$meta
  sources <- s$sources
  invisible(tryCatch({ write(); TRUE }, error = function(e) {
    new <- setdiff(names(run$meta$arrays), names(meta$arrays))
    unlink(file.path(run$tmp, paste0(new, ".npy")))
    unlink(file.path(run$tmp, setdiff(unlist(run$meta$texts), unlist(meta$texts))))
    run$meta <- meta
    s$sources <- sources
    capture_error(call, e)
    FALSE
  }))
}

# A part's array and the R value it holds, so a call's identical array names it instead of
# being written again.
capture_written <- function(name, value) {
  if (!is.null(capture_state$run$meta$arrays[[name]])) capture_state$sources[[name]] <- value
}

# One array of a call under `role`: the name of an identical array already written (identical()
# is immediate for the same R object), else written as capture.<i>.<role>.
capture_array <- function(call, i, role, value) {
  s <- capture_state
  role <- gsub("[^A-Za-z0-9_.]", "_", role)
  for (name in names(s$sources)) {
    if (identical(s$sources[[name]], value)) {
      call$record$arrays[[role]] <- name
      return(invisible(name))
    }
  }
  name <- substr(paste0("capture.", i, ".", role), 1L, 100L)
  parity_run_array(s$run, name, value)
  s$sources[[name]] <- value
  call$record$arrays[[role]] <- name
  invisible(name)
}

# Labels as 0-based codes into `levels` (-1: NA or not a level), as the parts write them.
capture_codes <- function(x, levels) {
  i <- match(as.character(x), levels) - 1L
  i[is.na(i)] <- -1L
  i
}

# An argument as an array the writer takes: list(value, levels) (levels for labels), or NULL
# when it is not array-like (one number or string: a value). Labels, as in Python's capture: a
# factor, or strings (more than one: R cannot tell c("a") from "a").
capture_as_array <- function(x, labels = TRUE) {
  if (inherits(x, "numpy.ndarray")) x <- reticulate::py_to_r(x)
  if (is.factor(x)) {
    if (!labels) return(NULL)
    return(list(value = capture_codes(x, levels(x)), levels = levels(x)))
  }
  if (is.character(x) && labels && length(x) > 1L) {
    levels <- sort(unique(x[!is.na(x)]))  # factor()'s levels
    return(list(value = capture_codes(x, levels), levels = levels))
  }
  if (inherits(x, "table")) {
    tab <- unclass(x)
    return(list(value = array(if (is.integer(tab)) tab else as.double(tab), dim(tab)), levels = NULL))
  }
  if (is.logical(x) && (length(x) > 1L || !is.null(dim(x)))) {
    storage.mode(x) <- "integer"
    return(list(value = x, levels = NULL))
  }
  if ((is.integer(x) || is.double(x)) && !is.object(x) && (length(x) > 1L || !is.null(dim(x))))
    return(list(value = x, levels = NULL))
  NULL
}

# A value JSON keeps: numbers, strings, booleans, null, lists of them; anything else by class.
capture_json <- function(x) {
  if (is.null(x)) return(NULL)
  if (inherits(x, "python.builtin.object")) return(capture_py_name(x))
  if (is.function(x)) return(attr(x, "py_function_name") %||% "<function>")
  if (inherits(x, "parity_capture_unevaluated")) return(paste0("<not evaluated: ", x$expression, ">"))
  if (is.factor(x)) x <- as.character(x)
  if (is.atomic(x) && is.null(dim(x)) && length(x) <= 1000L) {
    if (length(x) == 1L && is.null(names(x))) return(if (is.na(x)) NULL else unclass(x))
    return(as.list(unclass(x)))
  }
  if (is.list(x) && !is.object(x) && length(x) <= 1000L) return(lapply(x, capture_json))
  paste0("<", paste(class(x), collapse = "/"), ">")
}

capture_py_name <- function(x) {
  name <- tryCatch(reticulate::py_to_r(reticulate::py_get_attr(x, "__name__")), error = function(e) NULL)
  if (is.character(name) && length(name) == 1L) return(name)
  reticulate::py_to_r(reticulate::py_get_attr(reticulate::py_get_attr(x, "__class__"), "__name__"))
}

# An argument: an array (labels as codes with <role>_levels), a data frame column by column (or
# as one matrix when every column is numeric), anything else as a JSON value.
capture_argument <- function(call, i, spec, role, value) {
  if (is.data.frame(value)) {
    call$record$values[[paste0(role, "_columns")]] <- as.list(names(value))
    if (length(value) && all(vapply(value, function(c) is.numeric(c) && !is.object(c), TRUE))) {
      return(capture_array(call, i, role, as.matrix(value)))
    }
    for (k in seq_along(value)) {
      column <- if (grepl("^[A-Za-z0-9_.]+$", names(value)[k])) names(value)[k] else k
      capture_argument(call, i, spec, paste0(role, ".", column), value[[k]])
    }
    return(invisible())
  }
  if (is.list(value) && !is.object(value) && role %in% c("x", "y") && length(value) &&
      all(vapply(value, function(v) !is.null(capture_as_array(v)), TRUE))) {
    for (k in seq_along(value)) capture_argument(call, i, spec, paste0(role, ".", k), value[[k]])
    return(invisible())
  }
  a <- capture_as_array(value)
  if (is.null(a)) {
    call$record$values[role] <- list(capture_json(value))
    return(invisible())
  }
  capture_array(call, i, role, a$value)
  if (!is.null(a$levels)) call$record$values[[paste0(role, "_levels")]] <- as.list(a$levels)
}

capture_arguments <- function(call, i, spec, args, skip = character()) {
  for (role in setdiff(names(args), skip)) capture_argument(call, i, spec, role, args[[role]])
}

# ---- keras ----------------------------------------------------------------------------------

capture_py <- function() {
  if (is.null(capture_state$py)) capture_state$py <- reticulate::py_run_string(paste(
    "def optimizer_facts(model):",
    "    import numpy",
    "    o = getattr(model, 'optimizer', None)",
    "    if o is None:",
    "        return [None, None]",
    "    lr = getattr(o, 'learning_rate', None)",
    "    try:",
    "        lr = float(numpy.asarray(lr))",
    "    except (TypeError, ValueError):",
    "        lr = type(lr).__name__",
    "    return [type(o).__name__, lr]",
    "def is_early_stopping(cb):",
    "    return any(c.__name__ == 'EarlyStopping' for c in type(cb).__mro__)",
    sep = "\n"), local = TRUE, convert = FALSE)
  capture_state$py
}

capture_loss_name <- function(loss) {
  if (is.null(loss) || is.character(loss)) return(if (length(loss) == 1L) loss else as.list(loss))
  if (inherits(loss, "python.builtin.object")) {
    if (inherits(loss, "python.builtin.NoneType")) return(NULL)
    converted <- reticulate::py_to_r(loss)
    if (is.character(converted)) return(converted)
    return(capture_py_name(loss))
  }
  capture_json(loss)
}

capture_is_regression <- function(model) {
  name <- tryCatch(capture_loss_name(reticulate::py_get_attr(model, "loss")), error = function(e) NULL)
  is.character(name) && length(name) == 1L && gsub("_", "", tolower(name)) %in% capture_regression_losses
}

# The classes a classifier's target holds: one-hot rows -> the 0-based argmax; whole numbers (a
# vector, or n x 1) -> integers; NULL for anything else.
capture_classes <- function(y) {
  d <- dim(y)
  if (length(d) == 2L && d[2L] > 1L) return(max.col(y, ties.method = "first") - 1L)
  if (length(d) > 2L) return(NULL)
  v <- as.vector(y)
  if (is.integer(v)) return(v)
  if (is.logical(v)) return(as.integer(v))
  if (is.double(v) && length(v) && all(is.finite(v)) && all(v == round(v)) &&
      all(abs(v) <= .Machine$integer.max)) return(as.integer(v))
  NULL
}

capture_dims <- function(x) if (is.null(dim(x))) length(x) else dim(x)

capture_record_compile <- function(call, i, spec, args, result) {
  model <- args$object
  facts <- reticulate::py_to_r(capture_py()$optimizer_facts(model))
  metrics <- args$metrics
  if (inherits(metrics, "python.builtin.object") || is.function(metrics)) metrics <- list(metrics)
  call$record$values <- list(
    loss = capture_loss_name(args$loss),
    optimizer = facts[[1L]] %||% capture_json(args$optimizer),
    learning_rate = facts[[2L]],
    metrics = lapply(as.list(metrics), function(m) if (is.character(m)) m else capture_json(m)))
}

capture_record_fit <- function(call, i, spec, args, history) {
  s <- capture_state
  run <- s$run
  fn <- attr(args, "fn")
  model <- args$object
  callbacks <- args$callbacks
  if (inherits(callbacks, "python.builtin.object")) callbacks <- list(callbacks)
  metrics <- if (inherits(history, "keras_training_history")) history$metrics else NULL
  class_weight <- args$class_weight
  pick <- function(name) if (name %in% names(args)) args[[name]] else capture_default(fn, name)
  call$record$values <- list(
    epochs = capture_json(pick("epochs")), batch_size = capture_json(args$batch_size),
    validation_split = capture_json(pick("validation_split")), shuffle = capture_json(pick("shuffle")),
    epochs_run = if (length(metrics)) length(metrics[[1L]]) else 0L,
    class_weight = if (is.null(class_weight)) NULL else lapply(as.list(class_weight), as.numeric),
    callbacks = lapply(as.list(callbacks), capture_py_name))
  x <- capture_as_array(args$x, labels = FALSE)
  y <- capture_as_array(args$y, labels = FALSE)
  capture_part(call, "fit", function() {
    if (!is.null(x)) {
      parity_run_data(run, "fit_x", x$value, capture_dims(x$value))
      parity_run_normalization(run, "train", x$value, save = TRUE)
      capture_written("normalized.train", x$value)
    }
    if (!is.null(y)) {
      parity_run_data(run, "fit_y", y$value, capture_dims(y$value))
      classes <- if (capture_is_regression(model)) NULL else capture_classes(y$value)
      if (!is.null(classes)) {
        parity_run_labels(run, train = classes)
        capture_written("train_labels", classes)
      }
    }
    if (length(metrics)) {
      parity_run_history(run, metrics)
      for (m in names(metrics)) capture_written(paste0("history.", m), as.double(metrics[[m]]))
    }
    if (!is.null(class_weight) || !is.null(args$sample_weight)) {
      parity_run_weights(run, class_weight = class_weight, sample_weight = args$sample_weight)
      if (!is.null(args$sample_weight))
        capture_written("weights.sample_weight", as.vector(parity_as_double(args$sample_weight)))
    }
    py <- capture_py()
    stopping <- Filter(function(cb) inherits(cb, "python.builtin.object") &&
                         isTRUE(reticulate::py_to_r(py$is_early_stopping(cb))), as.list(callbacks))
    if (length(stopping)) parity_run_early_stopping(run, stopping[[1L]], history)
    parity_run_model(run, model, utils::capture.output(summary(model)))
  })
  for (role in c("x", "y", "sample_weight"))
    if (!is.null(args[[role]])) capture_argument(call, i, spec, role, args[[role]])
  for (m in names(metrics))
    if (grepl("^[A-Za-z0-9_]+$", m)) capture_array(call, i, paste0("history.", m), as.double(metrics[[m]]))
}

capture_record_evaluate <- function(call, i, spec, args, result) {
  values <- parity_named_values(result, "evaluate()'s result")
  call$record$values$names <- values$names
  capture_part(call, "evaluate", function() {
    parity_run_evaluation(capture_state$run, result)
    capture_written("evaluation", values$values)
  })
  for (role in c("x", "y")) if (!is.null(args[[role]])) capture_argument(call, i, spec, role, args[[role]])
  capture_array(call, i, "values", values$values)
}

capture_record_predict <- function(call, i, spec, args, output) {
  s <- capture_state
  x <- capture_as_array(args$x, labels = FALSE)
  capture_part(call, "predict", function() {
    if (!is.null(x)) {
      parity_run_data(s$run, "predict_x", x$value, capture_dims(x$value))
      parity_run_normalization(s$run, "test", x$value, save = TRUE)
      capture_written("normalized.test", x$value)
    }
  })
  if (!is.null(args$x)) capture_argument(call, i, spec, "x", args$x)
  if (is.null(s$first_predict)) {
    # predictions() waits for the first confusionMatrix's data (its classes); written at exit
    s$first_predict <- list(call = call, i = i, output = output,
                            task = if (capture_is_regression(args$object)) "regression")
    return(invisible())
  }
  capture_argument(call, i, spec, "output", output)
}

# ---- caret and pROC -------------------------------------------------------------------------

capture_record_caret <- function(call, i, spec, args, result) {
  s <- capture_state
  run <- s$run
  fn <- spec$fn
  if (fn == "confusionMatrix") {
    bc <- result$byClass
    levels <- rownames(result$table)
    call$record$values <- list(
      names = as.list(names(result$overall)),
      by_class_names = as.list(if (is.matrix(bc)) colnames(bc) else names(bc)),
      by_class_rows = as.list(if (is.matrix(bc)) rownames(bc) else character(0)),
      levels = as.list(levels))
    overall <- as.double(unname(result$overall))
    by_class <- if (is.matrix(bc)) unname(bc) else matrix(unname(bc), nrow = 1L)
    data <- if (inherits(args$data, "table") || is.matrix(args$data)) NULL else args$data
    capture_part(call, fn, function() {
      parity_run_caret(run, result, data = data, reference = args$reference,
                       prevalence = args$prevalence)
      tab <- unclass(result$table)
      capture_written("confusion.table", array(if (is.integer(tab)) tab else as.double(tab), dim(tab)))
      capture_written("confusion.overall", overall)
      capture_written("confusion.by_class", by_class)
      if (!is.null(data)) {
        s$first_cm_data <- capture_codes(data, levels)
        capture_written("confusion.data", s$first_cm_data)
      }
      if (!is.null(args$reference)) {
        reference <- capture_codes(args$reference, levels)
        capture_written("confusion.reference", reference)
        if (is.null(run$meta$arrays$test_labels)) {
          parity_run_labels(run, test = reference)
          capture_written("test_labels", reference)
        }
      }
    })
    capture_arguments(call, i, spec, args)
    capture_array(call, i, "result", overall)
    capture_array(call, i, "by_class", by_class)
    return(invisible())
  }
  values <- as.double(unname(unlist(result)))
  call$record$values["names"] <- list(if (is.null(names(result))) NULL else as.list(names(result)))
  if (fn == "postResample") {
    capture_part(call, fn, function() {
      parity_run_post_resample(run, result, pred = args$pred, obs = args$obs)
      capture_measure_written(fn, values, args$obs, args$pred)
    })
  } else if (fn %in% parity_measure_functions) {
    capture_part(call, fn, function() {
      parity_run_summary(run, fn, result, data = args$data, lev = args$lev)
      capture_measure_written(fn, values, args$data$obs, args$data$pred)
    })
  }
  capture_arguments(call, i, spec, args)
  capture_array(call, i, "result", values)
}

capture_measure_written <- function(fn, values, obs, pred) {
  as_written <- function(x) if (is.factor(x)) capture_codes(x, levels(x)) else as.vector(parity_as_double(x))
  prefix <- paste0("measures.", fn, ".")
  capture_written(paste0(prefix, "values"), values)
  capture_written(paste0(prefix, "obs"), as_written(obs))
  capture_written(paste0(prefix, "pred"), as_written(pred))
}

# pROC: every argument by its parameter name; a numeric result as the array `result`, an object
# (roc) by its numbers: single numbers and strings in values$result, numeric vectors as arrays.
capture_record_statistic <- function(call, i, spec, args, result) {
  capture_arguments(call, i, spec, args)
  if (is.numeric(result) && is.atomic(result)) {
    call$record$values$result_type <- if (length(result) == 1L) "scalar" else "array"
    call$record$values$result_class <- class(result)[1L]
    return(capture_array(call, i, "result", as.double(as.vector(result))))
  }
  call$record$values$result_type <- "object"
  call$record$values$result_class <- class(result)[1L]
  facts <- structure(list(), names = character(0))
  if (is.list(result)) {
    for (name in names(result)) {
      v <- result[[name]]
      if ((is.numeric(v) || is.character(v) || is.logical(v)) && length(v) == 1L) {
        facts[[name]] <- capture_json(as.vector(v))
      } else if (is.numeric(v) && length(v) > 1L && grepl("^[A-Za-z0-9_.]+$", name)) {
        capture_array(call, i, paste0("result.", name), as.double(as.vector(v)))
      }
    }
  }
  call$record$values$result <- facts
}

# ---- exit -----------------------------------------------------------------------------------

capture_say <- function(message) {
  utils::flush.console()
  cat("error: parity capture: ", message, "\n", sep = "", file = stderr())
}

capture_abort <- function(run) {
  unlink(run$tmp, recursive = TRUE)
  run$closed <- TRUE
}

# The exit finalizer: the run directory after a script that ran to its end, else the message.
capture_finish <- function(state) {
  if (!isTRUE(state$active)) return(invisible())
  state$active <- FALSE
  run <- state$run
  records <- lapply(state$calls, function(call) call$record)
  n <- length(records)
  seen <- paste(vapply(records, function(r) paste0(r[["function"]], " (", r$library, ")"), ""),
                collapse = ", ")
  what <- paste("the R script", state$script)
  status <- state$quit_status
  if ((!is.null(status) && !identical(status, 0L)) ||
      (isTRUE(state$error_seen) && is.null(getOption("error")))) {
    capture_abort(run)
    capture_say(if (n) paste0(what, " failed after ", n, " captured call", if (n != 1L) "s", ": ", seen)
                else paste(what, "failed before any captured call"))
    return(invisible())  # R's own status stands (1 after "Execution halted", or quit()'s)
  }
  if (!n) {
    capture_abort(run)
    capture_say(paste0(state$script, " ran to its end but made no call the capture recognises (",
                       capture_recognised, ")"))
    quit(save = "no", status = 1L, runLast = FALSE)
  }
  problem <- tryCatch({ capture_write(state); NULL }, error = function(e) conditionMessage(e))
  if (!is.null(problem)) {
    capture_abort(run)
    capture_say(paste0("cannot write the run directory ", run$out, " after ", what, " ran (",
                       seen, "): ", problem))
    quit(save = "no", status = 2L, runLast = FALSE)
  }
  invisible()
}

capture_write <- function(state) {
  run <- state$run
  first <- state$first_predict
  if (!is.null(first)) {
    output <- first$output
    rows <- if (is.null(dim(output))) length(output) else dim(output)[1L]
    classes <- state$first_cm_data
    if (!is.null(first$task) || length(classes) != rows) classes <- NULL
    capture_part(first$call, "predictions", function() {
      parity_run_predictions(run, output, classes = classes, task = first$task)
      name <- if (identical(first$task, "regression")) "predicted_values" else "probabilities"
      capture_written(name, if (name == "predicted_values") parity_as_double(output) else output)
    })
    tryCatch(capture_argument(first$call, first$i, list(), "output", output),
             error = function(e) capture_error(first$call, e))
  }
  python <- isNamespaceLoaded("reticulate") && reticulate::py_available(initialize = FALSE)
  parity_run_set(run, "implementation", tryCatch(
    parity_keras_implementation(load = python && capture_py_has("tensorflow")),
    error = function(e) list(name = "unknown", reason = conditionMessage(e))))
  parity_run_set(run, "versions", capture_versions(python))
  if (length(state$install_errors))
    parity_run_set(run, "errors", list(capture = paste("not hooked:",
                                                       paste(state$install_errors, collapse = "; "))))
  parity_run_set(run, "capture", list(script = state$script, args = as.list(state$args),
                                      calls = lapply(state$calls, function(call) call$record)))
  parity_run_close(run)
}

capture_py_has <- function(module) {
  isTRUE(reticulate::py_eval(sprintf("__import__('sys').modules.get('%s') is not None", module)))
}

capture_versions <- function(python) {
  v <- list(R = paste(R.version$major, R.version$minor, sep = "."))
  for (pkg in c("caret", "pROC"))
    if (isNamespaceLoaded(pkg)) v[[pkg]] <- as.character(utils::packageVersion(pkg))
  if (python && capture_py_has("tensorflow")) {
    tf <- reticulate::import("tensorflow")
    v$tensorflow <- tf$`__version__`
    v$keras <- keras_python_version(tf)$version
  }
  v
}
