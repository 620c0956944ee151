# coverage.R: the coverage study of tests/unit/test_coverage.c redone in R,
# independently of lcme, for the derived-bounds (min-max re-derived in every
# replication) and shortcut (min-max with the observed bounds held) runs:
# whether the C figures are the method's or the engine's. Also coverage by
# the unit's true position (rank of mu), to see where the misses are.
# Run: Rscript tests/coverage/coverage.R > tests/coverage/coverage.out
set.seed(7)
R <- 1000
study <- function(nunit, nind, se_lo, se_hi, trials) {
  hit <- c(derived = 0, shortcut = 0); n <- 0
  by_pos <- matrix(0, 2, 5, dimnames = list(c("derived", "shortcut"), paste0("q", 1:5)))
  npos <- rep(0, 5)
  for (trial in 1:trials) {
    root_t <- 0; Sd <- 0; Ss <- 0; s0 <- 0
    for (i in 1:nind) {
      mu <- runif(nunit, 0, 100)
      se <- runif(nunit, se_lo, se_hi)
      x <- mu + rnorm(nunit, 0, se)
      X <- matrix(rnorm(R * nunit, rep(x, each = R), rep(se, each = R)), R)
      mn <- apply(X, 1, min); mx <- apply(X, 1, max)
      Sd <- Sd + (X - mn) / (mx - mn) * 100 / nind
      Ss <- Ss + (X - min(x)) / (max(x) - min(x)) * 100 / nind
      root_t <- root_t + (mu - min(mu)) / (max(mu) - min(mu)) * 100 / nind
    }
    q <- function(S) apply(S, 2, quantile, c(0.025, 0.975), type = 7)
    qd <- q(Sd); qs <- q(Ss)
    cd <- qd[1, ] <= root_t & root_t <= qd[2, ]
    cs <- qs[1, ] <= root_t & root_t <= qs[2, ]
    hit <- hit + c(sum(cd), sum(cs)); n <- n + nunit
    pos <- pmin(5, 1 + floor(5 * (rank(root_t) - 1) / nunit))
    for (k in 1:5) {
      by_pos[1, k] <- by_pos[1, k] + sum(cd[pos == k])
      by_pos[2, k] <- by_pos[2, k] + sum(cs[pos == k])
      npos[k] <- npos[k] + sum(pos == k)
    }
  }
  cat(sprintf("units %3d, indicators %d, se %g-%g, %d trials: root coverage derived %.2f %%, shortcut %.2f %%\n",
              nunit, nind, se_lo, se_hi, trials, 100 * hit[1] / n, 100 * hit[2] / n))
  cat("  by fifth of the true root score (lowest to highest), derived:",
      sprintf("%.1f", 100 * by_pos[1, ] / npos), "\n")
  cat("  shortcut:", sprintf("%.1f", 100 * by_pos[2, ] / npos), "\n")
}
study(18, 2, 1, 3, 300)
study(18, 2, 8, 16, 300)
study(100, 2, 1, 3, 60)
study(100, 2, 8, 16, 60)
