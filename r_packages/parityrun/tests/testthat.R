library(testthat)
library(parityrun)
test_check("parityrun")
