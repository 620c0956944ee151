# coinr_reference.R: how the reference CSVs in this folder were made with
# COINr 1.1.14 (the JRC's R package for composite indicators), from the
# ASEM data it ships. Run from this folder with COINr installed:
#   Rscript coinr_reference.R
# (a record of the calls in README.md plus the CSV export; COINr is not
# installed on the build machine, so the committed CSVs are the originals)
# lcme's test tests/unit/test_conformance_asem.c compares its own results
# with the files written here (relative error <= 1e-9).
library(COINr)

lev <- c("Indicator", "Pillar", "Sub-index", "Index")
write.csv(ASEM_iMeta, "ASEM_iMeta.csv", row.names = FALSE, na = "")
write.csv(ASEM_iData, "ASEM_iData.csv", row.names = FALSE, na = "")
write.csv(ASEM_iData_p, "ASEM_iData_p.csv", row.names = FALSE, na = "")

# 2018, min-max to [0, 100] within the year, then the arithmetic mean up the tree
co <- new_coin(ASEM_iData, ASEM_iMeta, level_names = lev)
co <- Normalise(co, dset = "Raw",
                global_specs = list(f_n = "n_minmax", f_n_para = list(l_u = c(0, 100))))
co <- Aggregate(co, dset = "Normalised", f_ag = "a_amean")
n <- get_dset(co, "Normalised", also_get = "uName")
a <- get_dset(co, "Aggregated", also_get = "uName")
write.csv(n, "minmax_per_year_normalised.csv", row.names = FALSE, na = "")
write.csv(a, "minmax_per_year_aggregated.csv", row.names = FALSE, na = "")

# panel 2018-2022, min-max pooled over the five years (global = TRUE)
p <- new_coin(ASEM_iData_p, ASEM_iMeta, level_names = lev, split_to = "all")
p <- Normalise(p, dset = "Raw",
               global_specs = list(f_n = "n_minmax", f_n_para = list(l_u = c(0, 100))))
p <- Aggregate(p, dset = "Normalised", f_ag = "a_amean")
pa <- get_dset(p, "Aggregated", also_get = "uName")
write.csv(pa, "minmax_pooled_aggregated_2018_2022.csv", row.names = FALSE, na = "")
