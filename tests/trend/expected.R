# expected.R: independent expected values for tests/unit/test_trend.c.
# Run:  Rscript tests/trend/expected.R
# Base R only (stats). Every number printed here is pasted, as a literal,
# into test_trend.c next to a comment naming the block it came from.
options(digits = 17)
p <- function(label, x) cat(sprintf("%-28s %s\n", label, paste(format(x, digits = 17), collapse = " ")))

## [ols] unweighted: lm + confint
t <- 2016:2021
y <- c(52.1, 53.4, 53.0, 55.2, 56.8, 56.1)
m <- lm(y ~ t)
p("ols slope", coef(m)[["t"]])
p("ols se", summary(m)$coefficients["t", "Std. Error"])
p("ols confint 95", confint(m, "t", level = 0.95))
p("ols confint 90", confint(m, "t", level = 0.90))

## [wls] weighted by 1/se^2: lm(weights=) + confint (residual-variance scaled)
se <- c(1.2, 0.8, 1.0, 0.5, 0.9, 1.5)
mw <- lm(y ~ t, weights = 1 / se^2)
p("wls slope", coef(mw)[["t"]])
p("wls se", summary(mw)$coefficients["t", "Std. Error"])
p("wls confint 95", confint(mw, "t", level = 0.95))

## [mk_ties] Mann-Kendall with ties in y
tk <- 1:8
yk <- c(3, 5, 5, 4, 7, 7, 7, 9)
S <- 0
for (i in 1:7) for (j in (i + 1):8) S <- S + sign(yk[j] - yk[i])
g <- table(yk); g <- g[g > 1]
n <- length(yk)
v <- (n * (n - 1) * (2 * n + 5) - sum(g * (g - 1) * (2 * g + 5))) / 18
z <- (S - sign(S)) / sqrt(v)
ct <- suppressWarnings(cor.test(tk, yk, method = "kendall", exact = FALSE, continuity = TRUE))
p("mk_ties S", S)
p("mk_ties var", v)
p("mk_ties z (formula)", z)
p("mk_ties z (cor.test)", unname(ct$statistic))
p("mk_ties p (cor.test)", ct$p.value)

## [mk_down] decreasing, no ties
yd <- c(9.1, 8.7, 8.9, 7.5, 7.9, 6.2)
ctd <- cor.test(seq_along(yd), yd, method = "kendall", exact = FALSE, continuity = TRUE)
Sd <- 0
for (i in 1:5) for (j in (i + 1):6) Sd <- Sd + sign(yd[j] - yd[i])
p("mk_down S", Sd)
p("mk_down var", 6 * 5 * 17 / 18)
p("mk_down z", unname(ctd$statistic))
p("mk_down p", ctd$p.value)

## [sen] median of pairwise slopes
sen <- function(t, y) { s <- c(); for (i in 1:(length(t) - 1)) for (j in (i + 1):length(t)) s <- c(s, (y[j] - y[i]) / (t[j] - t[i])); c(length(s), median(s)) }
p("sen n=4 (6 pairs)", sen(c(2016, 2017, 2019, 2020), c(10, 12, 11, 15)))
p("sen n=6 (15 pairs)", sen(t, y))
p("sen n=3 (3 pairs)", sen(c(2016, 2018, 2021), c(4, 9, 7)))

## [cagr]
p("cagr 80->88 over 3", (88 / 80)^(1 / 3) - 1)

## [progress] ratios and growth rates for the class cases
obs <- function(x0, t0, xt, tt) (xt / x0)^(1 / (tt - t0)) - 1
need <- function(x0, t0, T, Ty) (T / x0)^(1 / (Ty - t0)) - 1
p("R on track 50->62", obs(50, 2016, 62, 2022) / need(50, 2016, 80, 2030))
p("R accel 50->57", obs(50, 2016, 57, 2022) / need(50, 2016, 80, 2030))
p("R limited 50->52", obs(50, 2016, 52, 2022) / need(50, 2016, 80, 2030))
p("R deterioration 50->48", obs(50, 2016, 48, 2022) / need(50, 2016, 80, 2030))
p("R lower on track 20->15", obs(20, 2016, 15, 2022) / need(20, 2016, 10, 2030))
p("R lower deterior 20->22", obs(20, 2016, 22, 2022) / need(20, 2016, 10, 2030))
p("g substantial 100->110", obs(100, 2016, 110, 2022))
p("g moderate 100->105", obs(100, 2016, 105, 2022))
p("g limited 100->101", obs(100, 2016, 101, 2022))
p("g deterioration 100->98", obs(100, 2016, 98, 2022))
p("g lower 100->90", obs(100, 2016, 90, 2022))
p("g lower 100->103", obs(100, 2016, 103, 2022))

## [all] the hand-built trend_compute_all case (years 2016..2019, base 2017,
## target year 2030, level 0.95)
yrs <- 2016:2019
# unit A, indicator lit: scores with se (weighted fit), raw 80 82 85 88, target 150
sA <- c(10, 20, 30, 50); seA <- c(2, 1, 1.5, 3)
mA <- lm(sA ~ yrs, weights = 1 / seA^2)
p("all A lit slope", coef(mA)[["yrs"]])
p("all A lit confint", confint(mA, "yrs"))
p("all A lit sen", sen(yrs, sA)[2])
ctA <- cor.test(yrs, sA, method = "kendall", exact = FALSE, continuity = TRUE)
p("all A lit mk z p", c(unname(ctA$statistic), ctA$p.value))
p("all A lit cagr raw", (88 / 80)^(1 / 3) - 1)
p("all A lit R", obs(82, 2017, 88, 2019) / need(82, 2017, 150, 2030))
# unit A, root: scores 25 35 45 60 unweighted
rA <- c(25, 35, 45, 60)
mr <- lm(rA ~ yrs)
p("all A root slope", coef(mr)[["yrs"]])
p("all A root confint", confint(mr, "yrs"))
p("all A root cagr", (60 / 25)^(1 / 3) - 1)
p("all A root g", obs(35, 2017, 60, 2019))
# unit B, drop (lower is better): scores 80 70 60 50, raw 6 6.5 7 7.5, target 5
p("all B drop R", obs(6.5, 2017, 7.5, 2019) / need(6.5, 2017, 5, 2030))
p("all B drop cagr", (7.5 / 6)^(1 / 3) - 1)
# unit B, root: NA 30 28 29.5 (three points from 2017)
rB <- c(30, 28, 29.5); yB <- 2017:2019
mB <- lm(rB ~ yB)
p("all B root slope", coef(mB)[["yB"]])
p("all B root confint", confint(mB, "yB"))
p("all B root sen", sen(yB, rB)[2])
ctB <- cor.test(yB, rB, method = "kendall", exact = FALSE, continuity = TRUE)
p("all B root mk z p", c(unname(ctB$statistic), ctB$p.value))
p("all B root g", obs(30, 2017, 29.5, 2019))

## [mk_exact] Mann-Kendall, exact p for n <= 10 without ties (cor.test,
## exact = TRUE); from 11 points, or with ties, the normal approximation
ex <- function(t, y) cor.test(t, y, method = "kendall", exact = TRUE)$p.value
nx <- function(t, y) cor.test(t, y, method = "kendall", exact = FALSE,
                              continuity = TRUE)$p.value
p("mk_exact down p", ex(seq_along(yd), yd))
p("mk_exact A lit p", ex(yrs, sA))
p("mk_exact B root p", ex(yB, rB))
y10 <- c(3.1, 2.7, 4.4, 5.0, 4.1, 6.3, 5.9, 7.2, 6.8, 8.5)
p("mk_exact n=10 p", ex(1:10, y10))
p("mk_exact n=10 p (normal)", nx(1:10, y10))
y11 <- c(y10, 7.9)
p("mk_exact n=11 p (normal)", nx(1:11, y11))
p("mk_exact n=3 S=3 p", ex(1:3, c(1, 2, 3)))

## [two_points] unit B, indicator lit: raw 70 (2016) and 75 (2018) only,
## base year 2017 has none so the base is 2016; target 150 in 2030
p("two_points B lit cagr", (75 / 70)^(1 / 2) - 1)
p("two_points B lit R", obs(70, 2016, 75, 2018) / need(70, 2016, 150, 2030))

## [score_progress] aggregates: rules invariant to a x + b (a > 0)
## without a target: g = (xt - x0) / (t - t0) / span, span the node's score
## range across units and years (root: 25 .. 60, span 35)
span <- 60 - 25
p("score_progress A root g", (60 - 35) / (2019 - 2017) / span)
p("score_progress B root g", (29.5 - 30) / (2019 - 2017) / span)
## with a target score T: share of the distance closed over share of time
shr <- function(x0, t0, xt, tt, T, Ty) ((xt - x0) / (T - x0)) / ((tt - t0) / (Ty - t0))
p("score_progress A root R T=80", shr(35, 2017, 60, 2019, 80, 2030))
p("score_progress B root R T=80", shr(30, 2017, 29.5, 2019, 80, 2030))
## the same on the scale 10 + x / 10 (range 10, 20 instead of 0, 100)
s2 <- function(x) 10 + x / 10
p("score_progress A R rescaled", shr(s2(35), 2017, s2(60), 2019, s2(80), 2030))
p("score_progress direct 40->52 T=70", shr(40, 2016, 52, 2022, 70, 2030))
p("score_progress direct 40->46 T=70", shr(40, 2016, 46, 2022, 70, 2030))
p("score_progress direct 40->41 T=70", shr(40, 2016, 41, 2022, 70, 2030))
p("score_progress direct g 40->43 span 20", (43 - 40) / (2022 - 2016) / 20)
p("score_progress direct g 40->41 span 20", (41 - 40) / (2022 - 2016) / 20)
p("score_progress direct 40->55 T=70", shr(40, 2016, 55, 2022, 70, 2030))
p("score_progress direct 40->38 T=70", shr(40, 2016, 38, 2022, 70, 2030))
