#!/usr/bin/env Rscript
# Install keras-caret-parity's R packages: keras and tensorflow (R keras 2.x's API on
# reticulate) and parityrun (the run-artifact contract's writer).
#
#   Rscript install.R [--lib DIR] [--python PATH] [--keras-home DIR] [--quiet]
#
#   --lib DIR         the R library to install into (default: the first of .libPaths());
#                     setup.sh uses R's site library, /usr/local/lib/R/site-library
#   --python PATH     the Python the installed tensorflow package uses (recorded in it;
#                     RETICULATE_PYTHON, when set, still wins); default: none recorded
#   --keras-home DIR  the Keras cache (datasets/...) used when KERAS_HOME is unset
#
# From the wheel: this file is site-packages/parity/r_packages/install.R, e.g.
#   Rscript "$(python -c 'import parity, os; print(os.path.dirname(parity.__file__))')/r_packages/install.R" \
#     --python "$(command -v python)" --keras-home ~/.keras
#
# Never where a real installation is: when a `keras` or `tensorflow` R package that is not
# keras-caret-parity's (its DESCRIPTION lacks `Implementation: keras-caret-parity`) is on R's
# library path, neither of ours is installed and that one is left as it is. A package whose
# sources and recorded settings are unchanged since it was installed is not reinstalled, so a
# second run changes nothing. Exit status 1 with a message naming the step that failed.

args <- commandArgs(trailingOnly = TRUE)
opt <- list(lib = .libPaths()[1], python = NA_character_, keras_home = NA_character_, quiet = FALSE)
i <- 1L
while (i <= length(args)) {
  a <- args[[i]]
  if (a == "--quiet") { opt$quiet <- TRUE; i <- i + 1L; next }
  key <- switch(a, "--lib" = "lib", "--python" = "python", "--keras-home" = "keras_home",
                stop("install.R: unknown argument '", a, "'; expected --lib DIR, --python PATH, ",
                     "--keras-home DIR, --quiet", call. = FALSE))
  if (i == length(args)) stop("install.R: ", a, " needs a value", call. = FALSE)
  opt[[key]] <- args[[i + 1L]]
  i <- i + 2L
}
say <- function(...) if (!opt$quiet) cat("install.R: ", ..., "\n", sep = "")
src_dir <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])))
if (!dir.exists(opt$lib) && !dir.create(opt$lib, recursive = TRUE))
  stop("install.R: cannot create the library '", opt$lib, "'", call. = FALSE)
opt$lib <- normalizePath(opt$lib)
if (!is.na(opt$python) && !file.exists(opt$python))
  stop("install.R: --python '", opt$python, "' does not exist", call. = FALSE)
libs <- unique(c(opt$lib, .libPaths()))

# A real keras or tensorflow on the library path: ours stay out of the way.
real <- Filter(Negate(is.null), lapply(c("keras", "tensorflow"), function(pkg) {
  path <- find.package(pkg, lib.loc = libs, quiet = TRUE)
  if (!length(path)) return(NULL)
  impl <- utils::packageDescription(pkg, lib.loc = dirname(path[1]), fields = "Implementation")
  if (identical(impl, "keras-caret-parity")) return(NULL)
  paste0(pkg, " ", utils::packageDescription(pkg, lib.loc = dirname(path[1]), fields = "Version"),
         " (", dirname(path[1]), ")")
}))
packages <- c("tensorflow", "keras", "parityrun")
if (length(real)) {
  say("a real R package is installed: ", paste(real, collapse = ", "), "; keras-caret-parity's ",
      "keras and tensorflow are not installed (library(keras) loads the real one)")
  packages <- "parityrun"
}

# What each installed copy records: its sources' checksums and the settings below.
settings <- c(Python = opt$python, KerasHome = opt$keras_home)
settings <- settings[!is.na(settings)]
source_hash <- function(pkg) {
  files <- sort(list.files(file.path(src_dir, pkg), recursive = TRUE, all.files = FALSE))
  sums <- tools::md5sum(file.path(src_dir, pkg, files))
  paste(c(paste(files, sums), paste(names(settings), settings)), collapse = "\n")
}
for (pkg in packages) {
  want <- source_hash(pkg)
  stamp <- file.path(opt$lib, pkg, "parity", "source.txt")
  if (file.exists(stamp) && identical(paste(readLines(stamp), collapse = "\n"), want)) {
    say(pkg, ": up to date in ", opt$lib)
    next
  }
  build <- tempfile("parity-r-")
  dir.create(build)
  on.exit(unlink(build, recursive = TRUE), add = TRUE)
  file.copy(file.path(src_dir, pkg), build, recursive = TRUE)
  inst <- file.path(build, pkg, "inst", "parity")
  dir.create(inst, recursive = TRUE, showWarnings = FALSE)
  if (length(settings)) write.dcf(as.data.frame(as.list(settings)), file.path(inst, "config.dcf"))
  writeLines(want, file.path(inst, "source.txt"))
  say(pkg, ": installing into ", opt$lib)
  log <- tempfile(fileext = ".log")
  status <- system2(file.path(R.home("bin"), "R"),
                    c("CMD", "INSTALL", "--no-multiarch", "--install-tests",
                      "-l", shQuote(opt$lib), shQuote(file.path(build, pkg))),
                    stdout = log, stderr = log)
  if (status != 0) {
    cat(readLines(log), sep = "\n", file = stderr())
    stop("install.R: R CMD INSTALL ", pkg, " failed (its output is above)", call. = FALSE)
  }
}
