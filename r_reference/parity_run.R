# parity_run.R - kept for scripts and specs that source() it: the run-artifact contract's writer
# is the R package parityrun now (r_packages/parityrun, installed by ./setup.sh). New scripts
# say library(parityrun) instead:
#
#   library(parityrun)
#   opts <- parity_args(commandArgs(trailingOnly = TRUE), settings = list(epochs = 10L))
#   run <- parity_run_open(opts$out, settings = opts$settings)
#   ...
#   parity_run_close(run)
suppressPackageStartupMessages(library(parityrun))
