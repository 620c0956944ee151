# expected.R: expected intervals for tests/unit/test_replication.c, computed
# independently of lcme by Monte Carlo (or, where the answer is a quantile
# of one censored normal, in closed form).
# Run: Rscript tests/replication/expected.R > tests/replication/expected.out
#
# The model (METHODS.md "Monte Carlo replications"): each observation with
# an error is drawn from normal(value, se), or for a survey proportion with
# n from the normal with the Wilson centre and sd = Wilson half-width / z,
# censored at the indicator's range (the framework's min/max and, for
# survey proportions, [0, 1] or [0, 100]: a draw beyond a bound takes it); the batch's pipeline then runs on
# the drawn raw values HOLDING the nominal run's screening and treatment
# decisions (which units are out, which indicators are logged, how many
# points are winsorised) and RE-DERIVING everything else (winsorisation
# limits, normalisation bounds, reference values, ranks). Each case below
# writes that pipeline out by hand in R.
#
# Tolerance. lcme estimates each 95 % bound as the type-7 quantile of
# Rc = 20,000 replications; this script draws Rr = 200,000. The empirical
# distribution function of n draws at a quantile q_p has sd
# sqrt(p (1 - p) / n), so an estimate of q_p from Rc draws lies between the
# true quantiles at p -/+ 5 sqrt(p (1 - p) / Rc) with probability above
# 1 - 1e-6, whatever the shape of the distribution (discrete rank scores
# included). Adding this script's own error, each bound is printed as a band
#   [Q(p - d), Q(p + d)],  d = 5 sqrt(p (1 - p) (1 / Rc + 1 / Rr))
# (d = 0.0058 at p = 0.025: about +-0.1 sd for a normal, as in
# test_uncertainty.c's test_linear); closed-form cases use d without the
# 1 / Rr term. Every line "C {...}" is a row of the C tables, pasted as is:
#   {node, year index, unit index, nominal score, Q(p), Q(1 - p),
#    low band from, low band to, high band from, high band to}
options(digits = 17)
set.seed(20240612)
Rc <- 20000
Rr <- 200000
p <- 0.025
z <- qnorm(1 - p)
d_mc <- 5 * sqrt(p * (1 - p) * (1 / Rc + 1 / Rr))
d_cf <- 5 * sqrt(p * (1 - p) / Rc)

# normal(mu, sd) censored at [lo, hi], Rr draws
rtn <- function(mu, sd, lo = -Inf, hi = Inf) pmin(pmax(rnorm(Rr, mu, sd), lo), hi)
# its quantile function
qtn <- function(q, mu, sd, lo = -Inf, hi = Inf) pmin(pmax(qnorm(q, mu, sd), lo), hi)
wilson <- function(x, n) {
  c(centre = (x + z^2 / (2 * n)) / (1 + z^2 / n),
    half = z / (1 + z^2 / n) * sqrt(x * (1 - x) / n + z^2 / (4 * n^2)))
}
# a column of draws for each observation: X[, k]
draws <- function(v, se, lo = -Inf, hi = Inf)
  sapply(seq_along(v), function(k) if (is.na(se[k]) || se[k] == 0) rep(v[k], Rr)
                                   else rtn(v[k], se[k], lo, hi))
minmax <- function(X, low = 0, high = 100) {   # columns pooled, per row
  mn <- do.call(pmin, as.data.frame(X)); mx <- do.call(pmax, as.data.frame(X))
  (X - mn) / (mx - mn) * (high - low) + low
}
minmax1 <- function(x, low = 0, high = 100) (x - min(x)) / (max(x) - min(x)) * (high - low) + low
# descending ranks per row, ties at the smallest (1 = highest)
rank_desc <- function(X) {
  R <- matrix(1, nrow(X), ncol(X))
  for (j in seq_len(ncol(X))) for (k in seq_len(ncol(X))) R[, j] <- R[, j] + (X[, k] > X[, j])
  R
}
q7 <- function(x, q) unname(quantile(x, q, type = 7))
row_mc <- function(node, t, u, nominal, s) {
  v <- c(node, t, u, nominal, q7(s, p), q7(s, 1 - p), q7(s, p - d_mc), q7(s, p + d_mc),
         q7(s, 1 - p - d_mc), q7(s, 1 - p + d_mc))
  cat(sprintf("C {%d, %d, %d, %s},\n", v[1], v[2], v[3],
              paste(sprintf("%.17g", v[4:10]), collapse = ", ")))
}
row_cf <- function(node, t, u, nominal, qf) {
  v <- c(nominal, qf(p), qf(1 - p), qf(p - d_cf), qf(p + d_cf), qf(1 - p - d_cf),
         qf(1 - p + d_cf))
  cat(sprintf("C {%d, %d, %d, %s},\n", node, t, u,
              paste(sprintf("%.17g", v), collapse = ", ")))
}
cat(sprintf("bands: d_mc = %.6f, d_cf = %.6f\n", d_mc, d_cf))

## [denominate] nodes A (0), B (1), root (2) = mean(A, B); 6 units, 2024.
## A: counts with se, divided by pop / 1000 (rates per 1,000); B exact.
cat("[denominate]\n")
pop <- c(10000, 30000, 8000, 20000, 40000, 12000)
rate <- c(120, 180, 100, 150, 165, 200)
cnt <- rate * pop / 1000
se_cnt <- c(40, 160, 30, 90, 200, 70)
B <- c(3, 7, 5, 9, 4, 6)
X <- draws(cnt, se_cnt, lo = 0)          # framework min 0 for counts
Rt <- sweep(X, 2, pop / 1000, "/")
sA <- minmax(Rt); sB <- minmax1(B)
nA <- minmax1(rate); root <- (sA + matrix(sB, Rr, 6, byrow = TRUE)) / 2
for (u in 1:6) row_mc(0, 0, u - 1, nA[u], sA[, u])
for (u in 1:6) row_mc(2, 0, u - 1, (nA[u] + sB[u]) / 2, root[, u])
## the same with goalposts 0 and 400 on the rate (fixed bounds): the score
## of A is rate / 4, a linear map of the censored normal of the count
cat("[denominate goalposts]\n")
for (u in 1:6) {
  k <- pop[u] / 1000
  row_cf(0, 0, u - 1, rate[u] / 4,
         function(q) qtn(q, cnt[u], se_cnt[u], 0) / k / 4)
}

## [log] nodes A (0), B (1), root (2); 10 units, 2024; treat = log: A is
## skewed (fails |skew| >= 2 and kurt >= 3.5) and logged, B passes.
## A has se 10 % of its value and framework min 0.
cat("[log]\n")
A <- c(1, 1.2, 1.5, 2, 2.2, 2.5, 3, 3.3, 4, 60)
B <- c(4, 9, 2, 7, 1, 10, 3, 8, 6, 5)
seA <- A / 10
## normalise = none: the score of A is log(draw), a quantile of the
## censored normal logged
for (u in 1:10)
  row_cf(0, 0, u - 1, log(A[u]), function(q) log(qtn(q, A[u], seA[u], 0)))
cat("[log minmax]\n")
X <- log(draws(A, seA, lo = 0))
sA <- minmax(X); sB <- minmax1(B); nA <- minmax1(log(A))
root <- (sA + matrix(sB, Rr, 10, byrow = TRUE)) / 2
for (u in c(1, 5, 9, 10)) row_mc(0, 0, u - 1, nA[u], sA[, u])
for (u in c(1, 5, 9, 10)) row_mc(2, 0, u - 1, (nA[u] + sB[u]) / 2, root[, u])

## [winsorise] nodes A (0), B (1), root (2); 10 units, 2024. A: survey
## percentages with n = 200, unit "percent (survey)"; U10's 95 fails the
## skew/kurtosis test and is winsorised to the next largest value (one
## point on the high side; the held count). B exact.
cat("[winsorise]\n")
A <- c(20, 22, 25, 27, 30, 31, 33, 35, 38, 95)
nA_obs <- rep(200, 10)
B <- c(5, 3, 8, 1, 9, 2, 7, 4, 10, 6)
wl <- sapply(1:10, function(u) wilson(A[u] / 100, nA_obs[u]))
X <- sapply(1:10, function(u) rtn(100 * wl["centre", u], 100 * wl["half", u] / z, 0, 100))
# held: one value winsorised on the high side; the limit re-derived
Xs <- t(apply(X, 1, sort, decreasing = TRUE))
top <- max.col(X, ties.method = "first")
X[cbind(seq_len(Rr), top)] <- Xs[, 2]
Anom <- A; Anom[10] <- 38
for (u in c(1, 9, 10)) row_mc(0, 0, u - 1, Anom[u], X[, u])   # normalise = none
cat("[winsorise minmax]\n")
sA <- minmax(X); sB <- minmax1(B); nA <- minmax1(Anom)
root <- (sA + matrix(sB, Rr, 10, byrow = TRUE)) / 2
for (u in c(1, 9, 10)) row_mc(0, 0, u - 1, nA[u], sA[, u])
for (u in c(1, 9, 10)) row_mc(2, 0, u - 1, (nA[u] + sB[u]) / 2, root[, u])

## [screen] nodes A, B, C (0-2), root (3); 6 units, 2024; screen = byNA
## (dat_thresh 2/3): U1 has only A (1/3 present) and is out, nominally and
## in every replication. All values with se 1. Root = mean of A, B, C
## after min-max over the 5 units left.
cat("[screen]\n")
A <- c(99, 10, 30, 31, 60, 80)
Bv <- c(NA, 15, 40, 38, 55, 90)
Cv <- c(NA, 20, 35, 36, 70, 85)
keep <- 2:6
XA <- draws(A[keep], rep(1, 5)); XB <- draws(Bv[keep], rep(1, 5))
XC <- draws(Cv[keep], rep(1, 5))
root <- (minmax(XA) + minmax(XB) + minmax(XC)) / 3
rnom <- (minmax1(A[keep]) + minmax1(Bv[keep]) + minmax1(Cv[keep])) / 3
rk <- rank_desc(root)
rknom <- rank(-rnom, ties.method = "min")
for (j in 1:5) row_mc(3, 0, keep[j] - 1, rnom[j], root[, j])
cat("[screen ranks]\n")
for (j in 1:5) row_mc(3, 0, keep[j] - 1, rknom[j], rk[, j])

## [borda] nodes A (0), B (1), root (2); 6 units, 2023 and 2024; normalise
## = borda pooled: a value's score is its rank - 1 among the 12 values of
## the indicator over both years (ascending, 0 the lowest). se 1.5 on A,
## 1 on B, so neighbours swap often.
cat("[borda]\n")
A <- c(10, 12, 13, 16, 18, 21,   11, 14, 15, 17, 20, 22)  # 2023 U1..U6, 2024 U1..U6
B <- c(5, 9, 6, 8, 7, 10,        5.5, 9.5, 7.5, 6.5, 8.5, 10.5)
XA <- draws(A, rep(1.5, 12)); XB <- draws(B, rep(1, 12))
borda <- function(X) rank_desc(-X) - 1
sA <- borda(XA); sB <- borda(XB)
nA <- rank(A) - 1; nB <- rank(B) - 1
root <- (sA + sB) / 2
for (k in 1:12) row_mc(2, (k - 1) %/% 6, (k - 1) %% 6, (nA[k] + nB[k]) / 2, root[, k])
for (k in c(1, 6, 9)) row_mc(0, (k - 1) %/% 6, (k - 1) %% 6, nA[k], sA[, k])

## [dist2ref] nodes A (0), B (1), root (2); 6 units, 2023 and 2024; pooled
## scope; reference unit U3: score = 1 - (xref - x) / (xref - min), xref
## U3's value in the same year, min over both years; capped at 1.
cat("[dist2ref]\n")
A <- c(10, 14, 20, 25, 12, 30,   11, 16, 21, 24, 13, 28)
B <- c(3, 6, 5, 9, 2, 7,         3.5, 5.5, 6, 8, 2.5, 7.5)
XA <- draws(A, rep(1.5, 12)); XB <- draws(B, rep(0.8, 12))
d2r <- function(X) {
  mn <- do.call(pmin, as.data.frame(X))
  S <- X
  for (t in 0:1) {
    ref <- X[, t * 6 + 3]
    for (u in 1:6) {
      k <- t * 6 + u
      s <- ifelse(ref == mn, 1, 1 - (ref - X[, k]) / (ref - mn))
      S[, k] <- pmin(s, 1)
    }
  }
  S
}
sA <- d2r(XA); sB <- d2r(XB)
nA <- d2r(matrix(A, 1))[1, ]; nB <- d2r(matrix(B, 1))[1, ]
root <- (sA + sB) / 2
for (k in 1:12) row_mc(2, (k - 1) %/% 6, (k - 1) %% 6, (nA[k] + nB[k]) / 2, root[, k])
for (k in c(1, 3, 10)) row_mc(0, (k - 1) %/% 6, (k - 1) %% 6, nA[k], sA[, k])

## [geometric] nodes A, B, C (0-2), root (3) = geometric mean; 8 units,
## 2024; min-max to [1, 100]; large errors (se 4 to 10 on a spread of 40)
cat("[geometric]\n")
A <- c(20, 35, 50, 42, 28, 60, 33, 45)
Bv <- c(30, 22, 48, 55, 40, 35, 60, 25)
Cv <- c(15, 40, 38, 20, 45, 50, 30, 55)
seA <- c(4, 6, 8, 10, 5, 7, 9, 4)
XA <- draws(A, seA); XB <- draws(Bv, rev(seA)); XC <- draws(Cv, seA[c(2:8, 1)])
sA <- minmax(XA, 1, 100); sB <- minmax(XB, 1, 100); sC <- minmax(XC, 1, 100)
root <- exp((log(sA) + log(sB) + log(sC)) / 3)
rn <- exp((log(minmax1(A, 1, 100)) + log(minmax1(Bv, 1, 100)) + log(minmax1(Cv, 1, 100))) / 3)
for (u in 1:8) row_mc(3, 0, u - 1, rn[u], root[, u])

## [percent] nodes A (0), B (1), root (2); 8 units, 2024; normalise = none.
## A: "percent (survey)" with n = 30, values at and near 0 and 100;
## B: shares (unit "proportion") with n = 40. Each score's interval is the
## quantile of its normal censored at [0, 100] (A) or [0, 1] (B).
cat("[percent]\n")
A <- c(0, 1, 3, 50, 97, 99, 100, 60)
Bv <- c(0, 0.02, 0.5, 0.95, 1, 0.3, 0.7, 0.99)
for (u in 1:8) {
  w <- wilson(A[u] / 100, 30)
  row_cf(0, 0, u - 1, A[u], function(q) 100 * qtn(q, w[["centre"]], w[["half"]] / z, 0, 1))
}
for (u in 1:8) {
  w <- wilson(Bv[u], 40)
  row_cf(1, 0, u - 1, Bv[u], function(q) qtn(q, w[["centre"]], w[["half"]] / z, 0, 1))
}

## [winsorise pooled low] nodes A (0), B (1), root (2); 8 units, 2023 and
## 2024, pooled scope: one treatment slice of A's 16 values over both years;
## U8's 5 in 2023 is winsorised up to the next smallest value (one point on
## the low side, held; the limit re-derived from the 16 draws). se 2 on A,
## B exact; normalise = none.
cat("[winsorise pooled low]\n")
A <- c(50, 52, 55, 57, 60, 62, 65, 5,   51, 53, 56, 58, 61, 63, 66, 68)
X <- draws(A, rep(2, 16))
Xs <- t(apply(X, 1, sort))
low <- max.col(-X, ties.method = "first")
X[cbind(seq_len(Rr), low)] <- Xs[, 2]
Anom <- A; Anom[8] <- 50
for (k in c(1, 8, 16)) row_mc(0, (k - 1) %/% 8, (k - 1) %% 8, Anom[k], X[, k])
