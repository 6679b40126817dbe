# checkpoint.R - kept for scripts that source() it: the resumable training checkpoint
# (checkpoint_open, checkpoint_restore, checkpoint_callback, checkpoint_remove) is part of the R
# package parityrun now (r_packages/parityrun/R/checkpoint.R, installed by ./setup.sh).
suppressPackageStartupMessages(library(parityrun))
