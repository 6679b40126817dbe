# Writes infert.csv, the data both analysis.R and analysis.py read: R's `infert` (Python has
# no copy of R's datasets) plus a train/test split drawn once with R's sample().
# Run once:  cd examples/infert_binary && Rscript make_data.R
set.seed(2024)
test_rows <- sample(nrow(infert), 62)
infert$split <- ifelse(seq_len(nrow(infert)) %in% test_rows, "test", "train")
write.csv(infert, "infert.csv", row.names = FALSE)
