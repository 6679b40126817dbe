# Writes blobs.csv, the data both analysis.R and analysis.py read: 450 points in five
# dimensions from three overlapping Gaussian clouds (classes "a", "b", "c"), rounded to four
# decimals, split into 300 training, 75 validation and 75 test rows. Drawn once with a fixed
# seed, so both sides read the same numbers.
# Run once:  cd examples/functional_batchnorm && Rscript make_data.R
set.seed(2024)
n <- 450
class <- sample(c("a", "b", "c"), n, replace = TRUE)
centers <- rbind(a = c(0, 0, 0, 0, 0), b = c(1, 1, 0, 0, 0), c = c(0, 1, 1, 0, 0)) * 1.5
x <- centers[class, ] + matrix(rnorm(n * 5, sd = 1.2), nrow = n)
x[, 5] <- x[, 5] * 40 + 100  # one column on another scale: batch normalization's job
blobs <- data.frame(round(x, 4), class = class,
                    split = rep(c("train", "validation", "test"), c(300, 75, 75)))
names(blobs)[1:5] <- paste0("x", 1:5)
write.csv(blobs, "blobs.csv", row.names = FALSE)
