# Writes sequences.csv, the data both analysis.R and analysis.py read: 500 integer sequences
# of length 12 over the tokens 1..20, each labelled by the token range it draws most from
# ("low" 1-6, "mid" 7-13, "high" 14-20; the others still occur), with a train/test split.
# Drawn once with a fixed seed, so both sides read the same numbers.
# Run once:  cd examples/sequences_gru && Rscript make_data.R
set.seed(2024)
n <- 500
len <- 12
ranges <- list(low = 1:6, mid = 7:13, high = 14:20)
label <- sample(names(ranges), n, replace = TRUE)
tokens <- t(vapply(label, function(l) {
  favoured <- runif(len) < 0.6
  ifelse(favoured, sample(ranges[[l]], len, replace = TRUE), sample(1:20, len, replace = TRUE))
}, integer(len)))
sequences <- data.frame(unname(tokens), label = label,
                        split = ifelse(seq_len(n) <= 400, "train", "test"))
names(sequences)[1:len] <- paste0("t", 1:len)
write.csv(sequences, "sequences.csv", row.names = FALSE)
