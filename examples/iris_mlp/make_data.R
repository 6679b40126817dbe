# Writes iris.csv, the data both analysis.R and analysis.py read: R's `iris` (Python has no
# copy of R's datasets) plus a train/test split drawn once with R's sample(). Run once:
#   cd examples/iris_mlp && Rscript make_data.R
set.seed(2024)
test_rows <- sample(nrow(iris), 30)
iris$split <- ifelse(seq_len(nrow(iris)) %in% test_rows, "test", "train")
write.csv(iris, "iris.csv", row.names = FALSE)
