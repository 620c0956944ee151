# coinr_workflow.R: COINr's whole workflow on an lcme batch made by `lcme gen`,
# the reference lcme's speed is compared with (tests/bench/vs_coinr.sh). Run
# on purpose, never in CI:
#
#   Rscript tests/bench/coinr_workflow.R BATCH_DIR OUT.xlsx
#
# BATCH_DIR holds framework.csv, units.csv and observations.csv (long:
# unit, year, indicator, value, ...). The steps are the ones an analyst
# takes with COINr for lcme's default method: read the CSV files, make the
# wide iData (one row per unit and year) and the iMeta, build a purse (one
# coin per year) with new_coin, normalise min-max 0-100 pooled over the
# years (global = TRUE, as lcme's scope = pooled), aggregate by weighted
# arithmetic means up the tree, and write every data set to Excel with
# export_to_excel. Each step's seconds go to stderr, then "total".
#
# Needs R with COINr (and its imports openxlsx, rlang, ggplot2, readxl);
# set R_LIBS to the folder COINr is installed in when it is not a system
# library.
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2) {
  stop("usage: Rscript coinr_workflow.R BATCH_DIR OUT.xlsx")
}
dir <- args[1]
out <- args[2]
t_start <- proc.time()[["elapsed"]]
last <- t_start
step <- function(name) {
  now <- proc.time()[["elapsed"]]
  message(sprintf("%s: %.3f", name, now - last))
  last <<- now
}

suppressPackageStartupMessages(library(COINr))
step("load COINr")

# Read the inputs.
fw <- utils::read.csv(file.path(dir, "framework.csv"), stringsAsFactors = FALSE)
units <- utils::read.csv(file.path(dir, "units.csv"), stringsAsFactors = FALSE)
obs <- utils::read.csv(file.path(dir, "observations.csv"), stringsAsFactors = FALSE,
                       colClasses = c(unit = "character", year = "integer",
                                      indicator = "character", value = "numeric"))
step("read csv")

# iData: one row per unit and year, one column per indicator (a matrix
# filled by index, the fast way in base R).
ind <- fw$code[fw$type == "Indicator"]
uy <- unique(obs[, c("unit", "year")])
uy <- uy[order(uy$year, uy$unit), ]
key <- paste(obs$unit, obs$year)
row <- match(key, paste(uy$unit, uy$year))
col <- match(obs$indicator, ind)
m <- matrix(NA_real_, nrow(uy), length(ind), dimnames = list(NULL, ind))
m[cbind(row, col)] <- obs$value
iData <- data.frame(uCode = uy$unit, Time = uy$year, stringsAsFactors = FALSE)
iData$uName <- units$name[match(iData$uCode, units$unit)]
iData$region <- units$region[match(iData$uCode, units$unit)]
iData <- cbind(iData, as.data.frame(m))

# iMeta: lcme's framework columns under COINr's names.
dirn <- ifelse(is.na(fw$direction), 1, fw$direction)
iMeta <- data.frame(iCode = fw$code, iName = fw$name, Level = fw$level,
                    Parent = ifelse(fw$parent == "", NA, fw$parent),
                    Weight = fw$weight, Direction = dirn, Type = fw$type,
                    stringsAsFactors = FALSE)
iMeta <- rbind(iMeta, data.frame(iCode = "region", iName = "Region", Level = NA,
                                 Parent = NA, Weight = NA, Direction = NA, Type = "Group"))
step("iData and iMeta")

purse <- new_coin(iData, iMeta, split_to = "all", quietly = TRUE)
step("new_coin")
purse <- Normalise(purse, dset = "Raw", global = TRUE)
step("normalise")
purse <- Aggregate(purse, dset = "Normalised")
step("aggregate")
export_to_excel(purse, fname = out)
step("export_to_excel")
message(sprintf("total: %.3f", proc.time()[["elapsed"]] - t_start))
