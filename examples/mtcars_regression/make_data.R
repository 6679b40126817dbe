# Writes mtcars.csv, the data both analysis.R and analysis.py read: R's `mtcars` (Python has no
# copy of R's datasets) with its row names as a column, plus a train/test split drawn once
# with R's sample(). Run once:  cd examples/mtcars_regression && Rscript make_data.R
set.seed(2024)
test_rows <- sample(nrow(mtcars), 8)
cars <- data.frame(model = rownames(mtcars), mtcars,
                   split = ifelse(seq_len(nrow(mtcars)) %in% test_rows, "test", "train"))
write.csv(cars, "mtcars.csv", row.names = FALSE)
