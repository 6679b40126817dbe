# Writes sequences.csv, the data both analysis.R and analysis.py read: 800 integer sequences of
# length 20 over the tokens 1..30; about one in five carries the motif 7, 8, 9 somewhere (label
# "motif", the rest "none"), and a train/test split. Drawn once with a fixed seed, so both
# sides read the same numbers. Run once:  cd examples/sequences_conv1d && Rscript make_data.R
set.seed(2024)
n <- 800
len <- 20
tokens <- matrix(sample(1:30, n * len, replace = TRUE), nrow = n)
has_motif <- rbinom(n, 1, 0.2) == 1
for (i in which(has_motif)) {
  at <- sample(1:(len - 2), 1)
  tokens[i, at:(at + 2)] <- 7:9
}
# a negative that happens to hold the motif is a positive
has_motif <- apply(tokens, 1, function(t) any(t[1:(len - 2)] == 7 & t[2:(len - 1)] == 8 & t[3:len] == 9))
sequences <- data.frame(tokens, label = ifelse(has_motif, "motif", "none"),
                        split = ifelse(seq_len(n) <= 600, "train", "test"))
names(sequences)[1:len] <- paste0("t", 1:len)
write.csv(sequences, "sequences.csv", row.names = FALSE)
