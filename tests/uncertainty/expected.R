# expected.R: expected values for tests/unit/test_uncertainty.c, computed
# independently of lcme. Run: Rscript tests/uncertainty/expected.R
options(digits = 17)

# 1. Wilson score interval of a single proportion (Brown, Cai and DasGupta
#    2001), as METHODS.md section 6 writes it.
wilson <- function(p, n, z) {
  centre <- (p + z^2 / (2 * n)) / (1 + z^2 / n)
  half <- z / (1 + z^2 / n) * sqrt(p * (1 - p) / n + z^2 / (4 * n^2))
  c(centre = centre, half = half)
}
z <- qnorm(0.975)
cat("z95", z, "\n")
for (case in list(c(0.3, 50), c(0, 20), c(1, 1000), c(0.8347, 123.5))) {
  w <- wilson(case[1], case[2], z)
  cat(sprintf("wilson p=%s n=%s centre=%.17g half=%.17g\n", case[1], case[2],
              w["centre"], w["half"]))
}
# cross-check with prop.test's Wilson interval (no continuity correction)
pt <- prop.test(15, 50, correct = FALSE)$conf.int
cat(sprintf("prop.test 15/50: %.17g %.17g\n", pt[1], pt[2]))

# 2. type-7 quantiles (R's default) of a small vector
x <- c(3.5, -1, 7, 2, 2, 10, 0.25, 4)
cat(sprintf("quantile7 p=%s: %.17g\n", c(0.025, 0.5, 0.975, 0, 1),
            quantile(x, c(0.025, 0.5, 0.975, 0, 1), type = 7)))

# 3. The linear case. Indicators A (with se) and B (exact) for units
#    U1..U3 in 2020 and 2021; goalposts normalisation (fixed bounds, so the
#    score is a linear map of the values and every replication uses the
#    same map): A with posts [0, 100], B with posts [0, 20]; root =
#    arithmetic mean of A and B (weights 1, 1).
A  <- matrix(c(10, 20, 30, 35, 50, 40), nrow = 3, byrow = TRUE)  # unit x year
sA <- matrix(c(2, 3, 1, 1, 4, 2), nrow = 3, byrow = TRUE)
B  <- matrix(c(5, 6, 7, 8, 9, 9), nrow = 3, byrow = TRUE)
nA <- (A - 0) / (100 - 0) * 100
nB <- (B - 0) / (20 - 0) * 100
root <- (nA + nB) / 2
sd_root <- sA * 100 / (100 - 0) / 2   # linear map of a normal
lo <- root - z * sd_root
hi <- root + z * sd_root
for (u in 1:3) for (t in 1:2)
  cat(sprintf("root U%d %d: score %.17g low %.17g high %.17g sd %.17g\n",
              u, 2019 + t, root[u, t], lo[u, t], hi[u, t], sd_root[u, t]))
ch <- root[, 2] - root[, 1]
sd_ch <- sqrt(sA[, 1]^2 + sA[, 2]^2) * 100 / (100 - 0) / 2
for (u in 1:3)
  cat(sprintf("change U%d: %.17g low %.17g high %.17g sd %.17g\n", u, ch[u],
              ch[u] - z * sd_ch[u], ch[u] + z * sd_ch[u], sd_ch[u]))

# 4. Benjamini-Hochberg: a change is flagged when p.adjust(p, "BH") <= q
#    (NA: not tested, never flagged; p.adjust counts only the p-values
#    given, so the NA are dropped first, as n = sum(!is.na(p)) does)
bh <- function(p, q) {
  f <- rep(0L, length(p))
  ok <- !is.na(p)
  f[ok] <- as.integer(p.adjust(p[ok], "BH") <= q)
  f
}
bh_cases <- list(
  list(q = 0.05, p = c(0.01, 0.04, 0.03, 0.005, 0.5, 0.2, 0.04, 0.9)),
  list(q = 0.05, p = c(0.001, NA, 0.0125, 0.0125, 0.03, NA, 0.6)),
  list(q = 0.10, p = c(0.2, 0.3, 0.15, 0.4)),
  list(q = 0.05, p = c(0.04, 0.04, 0.04, 0.04)),
  list(q = 0.05, p = c(0.001996007984031936, 0.0499001996007984, 1, 0.012,
                       0.0259481037924152, 0.0379241516966068)))
for (k in seq_along(bh_cases)) {
  cs <- bh_cases[[k]]
  cat(sprintf("bh %d q=%s flags: %s\n", k, cs$q, paste(bh(cs$p, cs$q), collapse = " ")))
}
