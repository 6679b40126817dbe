# keras_fallback.R - kept for scripts that source() it: the R keras 2.x verbs on reticulate are
# the R packages keras and tensorflow now (r_packages/, installed by ./setup.sh where no real R
# keras is installed), so `library(keras)` is all a script needs. This loads them, as the file
# once defined `keras`, `tf` and the verbs.
suppressPackageStartupMessages({
  library(keras)
  library(tensorflow)
})
