# Writes the raw R data frames used by build-datasets.py as CSV into the folder given as the only argument.
# No recipe logic here: factors are written as their labels, logicals as TRUE/FALSE, missing values as NA.
args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 1)
out <- args[1]

sets <- list(kernlab = c("spam", "musk"), mlbench = c("Sonar", "Vehicle", "Zoo", "HouseVotes84"))
for (pkg in names(sets)) {
  suppressPackageStartupMessages(library(pkg, character.only = TRUE))
  for (name in sets[[pkg]]) {
    env <- new.env()
    data(list = name, package = pkg, envir = env)
    write.csv(get(name, envir = env), file.path(out, paste0(name, ".csv")), row.names = FALSE, na = "NA")
  }
}
