# Helpers of parityrun's tests (testthat loads helper-*.R before the tests).

# An NPY file's numbers as R reads them back (the writer's own format: version 1.0, little-endian).
read_npy <- function(out, name) {
  path <- file.path(out, paste0(name, ".npy"))
  con <- file(path, "rb")
  on.exit(close(con))
  readBin(con, "raw", 8L)
  header <- rawToChar(readBin(con, "raw", readBin(con, "integer", 1L, size = 2L, endian = "little")))
  type <- if (grepl("<f8", header, fixed = TRUE)) "double" else "integer"
  size <- if (type == "double") 8L else 4L
  readBin(con, type, (file.size(path) - 10L - nchar(header)) / size, size = size, endian = "little")
}
