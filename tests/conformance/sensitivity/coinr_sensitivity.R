# coinr_sensitivity.R: COINr's reference for datasets/asem-sensitivity: the
# sensitivity analysis of COINr's vignette "Sensitivity Analysis" on its ASEM
# example coin (build_example_coin: denominate, group-mean imputation by
# EurAsia_group, screening byNA at 0.9, treatment with winmax 5, min-max
# [0, 100], arithmetic mean), with the vignette's four assumptions:
#   Winmax         winmax 1, 2, 3, 4, 5
#   Normalisation  min-max [1, 100] or z-score (10, 2)
#   Weights        each weight of levels 2 and 3 x U(0.75, 1.25) (100 sets)
#   Aggregation    arithmetic or geometric mean
# get_sensitivity(SA_type = "SA", target the Index) at N (default 1000:
# 6,000 regenerations), Nboot = 200.
#
#   Rscript tests/conformance/sensitivity/coinr_sensitivity.R OUTDIR [N] [SEED]
#
# Writes OUTDIR/coinr_sobol.csv (Variable, Si, STi and their 5% and 95%
# bootstrap quantiles), OUTDIR/coinr_rankstats.csv (uCode, Nominal, Mean,
# Median, Q5, Q95) and prints the elapsed time. The numbers the test keeps
# (tests/unit/test_sensitivity.c, conformance) come from this script run
# with N = 1000 and seed 1 against COINr at commit HEAD of
# github.com/bluefoxr/COINr as fetched for this work.
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "."
N <- if (length(args) >= 2) as.integer(args[2]) else 1000L
seed <- if (length(args) >= 3) as.integer(args[3]) else 1L
suppressMessages(library(COINr))
set.seed(seed)

coin <- build_example_coin(quietly = TRUE)

l_winmax <- list(Address = "$Log$Treat$global_specs$f1_para$winmax",
                 Distribution = 1:5, Type = "discrete")
norm_alts <- list(list(f_n = "n_minmax", f_n_para = list(c(1, 100))),
                  list(f_n = "n_zscore", f_n_para = list(c(10, 2))))
l_norm <- list(Address = "$Log$Normalise$global_specs",
               Distribution = norm_alts, Type = "discrete")
w_nom <- coin$Meta$Weights$Original
noise_specs <- data.frame(Level = c(2, 3), NoiseFactor = c(0.25, 0.25))
noisy_wts <- get_noisy_weights(w = w_nom, noise_specs = noise_specs, Nrep = 100)
l_weights <- list(Address = "$Log$Aggregate$w", Distribution = noisy_wts,
                  Type = "discrete")
l_agg <- list(Address = "$Log$Aggregate$f_ag", Distribution = c("a_amean", "a_gmean"),
              Type = "discrete")
SA_specs <- list(Winmax = l_winmax, Normalisation = l_norm, Weights = l_weights,
                 Aggregation = l_agg)

t0 <- proc.time()
SA_res <- get_sensitivity(coin, SA_specs = SA_specs, N = N, SA_type = "SA",
                          dset = "Aggregated", iCode = "Index", Nboot = 200,
                          quietly = TRUE, check_addresses = FALSE)
el <- (proc.time() - t0)[3]
write.csv(SA_res$Sensitivity, file.path(out, "coinr_sobol.csv"), row.names = FALSE)
write.csv(SA_res$RankStats, file.path(out, "coinr_rankstats.csv"), row.names = FALSE)
cat(sprintf("N = %d, %d regenerations, %.1f s (%.3f s each)\n", N, N * 6L, el,
            el / (N * 6)))
print(SA_res$Sensitivity)
