# The R capture (parity_capture_start): an unmodified caret script run with Rscript and a profile
# that starts the capture - its output unchanged, its calls recorded in order (outermost only),
# the contract's parts bit for bit what the script computed; a failing script, quit(status = 3)
# and a script without a recognised call leave no run directory. (Keras: tests/test_capture_r.py.)

rscript <- file.path(R.home("bin"), "Rscript")

# Runs `code` as script.R in a fresh directory, captured (or not), from that directory;
# list(status, stdout, stderr, out, dir).
run_script <- function(code, args = character(), capture = TRUE, env = character()) {
  dir <- tempfile("capture-")
  dir.create(dir)
  writeLines(code, file.path(dir, "script.R"))
  profile <- file.path(dir, "profile.R")
  writeLines(if (capture) "parityrun::parity_capture_start()" else "", profile)
  out <- file.path(dir, "run")
  vars <- c(TZ = "UTC", R_PROFILE_USER = profile)
  if (capture) vars <- c(vars, PARITY_CAPTURE_OUT = out, PARITY_CAPTURE_SETTINGS = '{"seed": 1}',
                         PARITY_CAPTURE_SCRIPT = "script.R",
                         PARITY_CAPTURE_ARGS = as.character(jsonlite::toJSON(args)))
  vars[names(env)] <- env
  old <- setwd(dir)
  on.exit(setwd(old))
  status <- system2(rscript, c("script.R", shQuote(args)), stdout = "stdout.txt", stderr = "stderr.txt",
                    env = paste0(names(vars), "=", shQuote(vars)))
  list(status = status, stdout = readLines(file.path(dir, "stdout.txt")),
       stderr = readLines(file.path(dir, "stderr.txt")), out = out, dir = dir)
}

bits <- function(x) writeBin(as.double(x), raw(), endian = "little")

caret_script <- '
library(caret)
cat("args:", commandArgs(trailingOnly = TRUE), "\n")
cat("file:", grep("^--file=", commandArgs(FALSE), value = TRUE), "\n")
cat("capture variables seen:", Sys.getenv("PARITY_CAPTURE_OUT"), "\n")
set.seed(3)
obs <- factor(sample(c("no", "yes"), 30, TRUE), levels = c("no", "yes"))
p <- runif(30)
pred <- factor(ifelse(p > 0.5, "yes", "no"), levels = c("no", "yes"))
ignored <- try(confusionMatrix(1:3, "a"), silent = TRUE) # an error the script catches
cm <- confusionMatrix(pred, obs, positive = "yes")      # calls sensitivity() and others: not recorded
print(cm$overall)
postResample(pred, obs)                                  # printed at top level, as without capture
summary2 <- twoClassSummary(data.frame(obs = obs, pred = pred, yes = p, no = 1 - p),
                            lev = c("no", "yes"))        # calls pROC::roc: not recorded
print(summary2)
writeBin(c(cm$overall, postResample(pred, obs), summary2), commandArgs(trailingOnly = TRUE)[1])
'

test_that("a caret script: output unchanged, outermost calls in order, parts bit for bit", {
  skip_if_not_installed("caret")
  numbers <- tempfile(fileext = ".bin")
  plain <- run_script(caret_script, args = c(numbers, "--seed", "1"), capture = FALSE)
  captured <- run_script(caret_script, args = c(numbers, "--seed", "1"))
  expect_identical(captured$status, 0L)
  expect_identical(captured$stdout, plain$stdout)
  expect_true(any(grepl(paste0("args: ", numbers, " --seed 1"), captured$stdout, fixed = TRUE)))
  expect_true("file: --file=script.R " %in% captured$stdout)
  expect_true("capture variables seen:  " %in% captured$stdout)
  expect_false(any(grepl("parity capture", captured$stderr)))

  meta <- jsonlite::fromJSON(file.path(captured$out, "run.json"), simplifyVector = FALSE)
  calls <- meta$capture$calls
  expect_identical(vapply(calls, function(c) c[["function"]], ""),
                   c("confusionMatrix", "postResample", "twoClassSummary", "postResample"))
  expect_identical(unique(vapply(calls, function(c) c$kind, "")), "caret")
  expect_identical(meta$capture$script, "script.R")
  expect_identical(unlist(meta$capture$args), c(numbers, "--seed", "1"))
  expect_identical(meta$settings, list(seed = 1L))
  expect_identical(meta$side, "r")

  expected <- readBin(numbers, "double", 7L + 2L + 3L)
  expect_identical(bits(read_npy(captured$out, "confusion.overall")), bits(expected[1:7]))
  expect_identical(bits(read_npy(captured$out, "measures.postResample.values")), bits(expected[8:9]))
  expect_identical(bits(read_npy(captured$out, "measures.twoClassSummary.values")), bits(expected[10:12]))
  # a call's array that is a part's array names it (written once)
  expect_identical(calls[[1]]$arrays$result, "confusion.overall")
  expect_identical(calls[[1]]$arrays$data, "confusion.data")
  expect_identical(calls[[1]]$arrays$reference, "confusion.reference")
  expect_identical(calls[[2]]$arrays$result, "measures.postResample.values")
  expect_identical(calls[[3]]$arrays$result, "measures.twoClassSummary.values")
  expect_identical(calls[[4]]$arrays$result, "measures.postResample.values")  # the same numbers
  expect_identical(calls[[1]]$values$positive, "yes")
  expect_identical(unlist(calls[[1]]$values$reference_levels), c("no", "yes"))
  # strings are labels, as in Python's capture: lev = c("no", "yes") as codes into sorted levels
  expect_identical(unlist(calls[[3]]$values$lev_levels), c("no", "yes"))
  expect_identical(read_npy(captured$out, calls[[3]]$arrays$lev), c(0L, 1L))
  expect_identical(unlist(calls[[2]]$values$names), c("Accuracy", "Kappa"))
  # labels(test = reference's codes): the first confusionMatrix's, none from a fit
  expect_identical(read_npy(captured$out, "test_labels"),
                   read_npy(captured$out, "confusion.reference"))
  expect_true(meta$implementation$name %in% c("none", "keras (keras-caret-parity)", "keras (CRAN)"))
  expect_false(any(grepl("^\\.run\\.", list.files(captured$dir, all.files = TRUE))))
})

test_that("arguments: a captured call inside one is recorded first, once; errors and names as without", {
  skip_if_not_installed("caret")
  skip_if_not_installed("pROC")
  code <- paste(
    "library(caret)", "suppressMessages(library(pROC))",
    "x <- factor(c('a', 'b', 'a', 'b')); y <- factor(c('a', 'b', 'b', 'b'))",
    "f <- function() { cat('evaluating the argument\\n'); stop('bad argument') }",
    "r <- try(postResample(f(), y))",
    "print(sensitivity(confusionMatrix(x, y)$table))",
    "df <- data.frame(obs = y, p = c(0.1, 0.9, 0.4, 0.6))",
    "print(roc(df, obs, p, quiet = TRUE)$auc)  # column names, never evaluated",
    "print(roc(y, df$p, quiet = TRUE)$call)", sep = "\n")
  plain <- run_script(code, capture = FALSE)
  captured <- run_script(code)
  expect_identical(captured$status, 0L)
  expect_identical(captured$stdout, plain$stdout)
  expect_identical(captured$stderr, plain$stderr)  # no "restarting interrupted promise evaluation"
  expect_identical(sum(captured$stdout == "evaluating the argument"), 1L)
  meta <- jsonlite::fromJSON(file.path(captured$out, "run.json"), simplifyVector = FALSE)
  calls <- meta$capture$calls
  expect_identical(vapply(calls, function(c) c[["function"]], ""),
                   c("confusionMatrix", "sensitivity", "pROC::roc", "pROC::roc"))
  expect_identical(calls[[3]]$values$response, "<not evaluated: obs>")
  expect_identical(unlist(calls[[3]]$values$data_columns), c("obs", "p"))
  expect_equal(calls[[4]]$values$result$auc, 1)
})

test_that("a failing script: no run directory, the error first, then the capture's line", {
  skip_if_not_installed("caret")
  code <- paste0("library(caret)\n",
                 "x <- factor(c('a', 'b', 'a'))\n",
                 "cm <- confusionMatrix(x, x)\n",
                 "f <- function() stop('the script fails here')\nf()\n")
  r <- run_script(code)
  expect_identical(r$status, 1L)
  expect_false(file.exists(r$out))
  expect_identical(list.files(r$dir, pattern = "^\\.run"), character(0))
  last <- r$stderr[length(r$stderr)]
  expect_identical(last, paste("error: parity capture: the R script script.R failed after 1 captured",
                               "call: confusionMatrix (caret)"))
  expect_true(any(grepl("Error in f() : the script fails here", r$stderr, fixed = TRUE)))
  expect_true(which(grepl("Execution halted", r$stderr)) < length(r$stderr))

  early <- run_script("stop('at once')\n")
  expect_identical(early$status, 1L)
  expect_identical(early$stderr[length(early$stderr)],
                   "error: parity capture: the R script script.R failed before any captured call")
})

test_that("quit(status = 3): the status stands, no run directory; quit(status = 0) writes it", {
  skip_if_not_installed("caret")
  code <- "library(caret)\nx <- factor(c('a', 'b'))\nr <- postResample(x, x)\nquit(status = %d)\n"
  three <- run_script(sprintf(code, 3L))
  expect_identical(three$status, 3L)
  expect_false(file.exists(three$out))
  expect_match(three$stderr[length(three$stderr)], "failed after 1 captured call: postResample \\(caret\\)$")
  zero <- run_script(sprintf(code, 0L))
  expect_identical(zero$status, 0L)
  expect_true(file.exists(file.path(zero$out, "run.json")))
})

test_that("no recognised call: no run directory, the message, exit status 1", {
  r <- run_script("cat('only arithmetic:', 1 + 1, '\\n')\n")
  expect_identical(r$status, 1L)
  expect_identical(r$stdout, "only arithmetic: 2 ")
  expect_false(file.exists(r$out))
  expect_match(r$stderr[length(r$stderr)], paste0(
    "^error: parity capture: script.R ran to its end but made no call the capture recognises ",
    "\\(keras compile/fit/evaluate/predict, caret's confusionMatrix/"))
})

test_that("a bad capture environment: one error line naming the variable, exit status 1", {
  r <- run_script("cat('never runs\\n')\n", env = c(PARITY_CAPTURE_SETTINGS = "[1, 2"))
  expect_identical(r$status, 1L)
  expect_identical(r$stdout, character(0))
  expect_match(r$stderr, "^error: parity capture: PARITY_CAPTURE_SETTINGS = \\[1, 2: not JSON")
  r <- run_script("cat('never runs\\n')\n", env = c(PARITY_CAPTURE_OUT = "/nonexistent-parent/run"))
  expect_identical(r$stderr, paste("error: parity capture: PARITY_CAPTURE_OUT: parent directory",
                                   "'/nonexistent-parent' does not exist"))
})

test_that("the conversions: classes of a target, arrays of arguments, JSON values", {
  expect_identical(capture_classes(diag(3)[c(3, 1, 2), ]), c(2L, 0L, 1L))
  expect_identical(capture_classes(matrix(c(0, 1, 1), ncol = 1)), c(0L, 1L, 1L))
  expect_identical(capture_classes(c(0.5, 1)), NULL)
  expect_identical(capture_classes(c(TRUE, FALSE)), c(1L, 0L))
  f <- factor(c("b", NA, "a"), levels = c("b", "a"))
  expect_identical(capture_as_array(f), list(value = c(0L, -1L, 1L), levels = c("b", "a")))
  expect_identical(capture_as_array(c("y", "x", "y")), list(value = c(1L, 0L, 1L), levels = c("x", "y")))
  expect_null(capture_as_array(c("y", "x"), labels = FALSE))
  expect_null(capture_as_array(0.5))
  expect_identical(capture_as_array(matrix(c(TRUE, FALSE), 1))$value, matrix(c(1L, 0L), 1))
  tab <- table(c(1, 2, 2), c(1, 1, 2))
  expect_identical(capture_as_array(tab)$value, array(c(1L, 1L, 0L, 1L), c(2L, 2L)))
  expect_identical(capture_json(NA), NULL)
  expect_identical(capture_json(c(a = 0.5, b = 0.25)), list(a = 0.5, b = 0.25))
  expect_identical(capture_json(c("x", "y")), list("x", "y"))
  expect_identical(capture_json(mean), "<function>")
  expect_identical(capture_json(lm(mpg ~ wt, mtcars)), "<lm>")
})

test_that("arguments are bound to the parameters of the method a generic dispatches to", {
  skip_if_not_installed("caret")
  spec <- list(name = "confusionMatrix", generic = TRUE, original = caret::confusionMatrix)
  bound <- capture_bind(spec, list(factor("a"), factor("b"), "a", extra = 1))
  expect_identical(names(bound), c("data", "reference", "positive", "extra"))
  expect_identical(attr(bound, "fn"), get("confusionMatrix.default", asNamespace("caret")))
  plain <- capture_bind(list(original = function(pred, obs) NULL), list(obs = 2, 1))
  expect_identical(unclass(plain)[c("pred", "obs")], list(pred = 1, obs = 2))
})

test_that("in process: outermost calls only, a body's own on.exit() kept, an error not recorded", {
  s <- capture_state
  out <- file.path(tempfile("runs"), "run")
  dir.create(dirname(out))
  s$run <- parity_run_open(out)
  s$calls <- list(); s$frames <- list(); s$specs <- list(); s$sources <- list()
  s$firsts <- character(); s$current <- NULL; s$forced <- list(); s$active <- TRUE
  on.exit({ s$active <- FALSE; unlink(dirname(out), recursive = TRUE) })
  spec <- function(name) list(kind = "statistic", fn = paste0("pkg::", name), name = name,
                              library = "pkg", arrays = c("response", "predictor"))
  inner <- capture_hook(function(response, predictor) sum(response * predictor), spec("inner"))
  closed <- FALSE
  outer <- capture_hook(function(response, predictor, fail = FALSE) {
    on.exit(closed <<- TRUE)  # replaces every earlier on.exit() of this frame
    if (fail) stop("outer fails")
    invisible(c(inner(response, predictor), 2))
  }, spec("outer"))
  expect_identical(withVisible(outer(c(1, 2), c(3, 4)))$visible, FALSE)
  expect_true(closed)
  expect_error(outer(1, 2, fail = TRUE), "outer fails")
  expect_identical(outer(c(1, 1), c(1, 1)), c(2, 2))
  calls <- lapply(s$calls, function(call) call$record)
  expect_identical(vapply(calls, function(r) r[["function"]], ""), c("pkg::outer", "pkg::outer"))
  expect_identical(calls[[1]]$values$result_type, "array")
  expect_identical(parity_run_close(s$run), out)
  expect_identical(read_npy(out, calls[[1]]$arrays$result), c(11, 2))
  expect_identical(read_npy(out, calls[[1]]$arrays$response), c(1, 2))
  expect_identical(length(s$frames), 0L)
})
