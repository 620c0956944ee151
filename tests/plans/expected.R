# expected.R: independent expected values for tests/e2e/plans.sh, from the
# fixture's own files (framework.csv, observations.csv, plan.csv) and the
# definitions of the project's METHODS ("Action plans"), in base R.
#
# Run from this folder:  Rscript expected.R [SCORES_CSV]
# Writes expected.csv (one row per objective and unit) and checks every
# status against truth.csv, the statuses the data were built to give.
#
# Independent of lcme: the normalisation (minmax over every unit and year,
# after direction, to [0, 100]), the aggregation (weighted mean of the
# children present), the baselines, planned values, gaps, paces (lm) and
# statuses are computed here. Intervals: an indicator's is the interval its
# Monte Carlo draws converge to, x -/+ qnorm(0.975) se (lcme's percentile
# interval of 2000 draws is compared with a tolerance); an exact value has
# none (a point). An aggregate's interval is lcme's own (SCORES_CSV, the
# run's scores.csv): it is the input the status rule is checked on, not a
# number checked here.
options(digits = 17)
args <- commandArgs(trailingOnly = TRUE)
scores_csv <- if (length(args) >= 1) args[1] else NA

fw <- read.csv("framework.csv", stringsAsFactors = FALSE)
obs <- read.csv("observations.csv", stringsAsFactors = FALSE)
plan <- read.csv("plan.csv", stringsAsFactors = FALSE, comment.char = "#",
                 na.strings = "")
truth <- read.csv("truth.csv", stringsAsFactors = FALSE)
eval_year <- 2024
base_year <- 2016
z <- qnorm(0.975)

units <- sort(unique(obs$unit))
years <- sort(unique(obs$year))
inds <- fw$code[fw$type == "Indicator"]
dir <- setNames(fw$direction, fw$code)

## raw values: raw[unit, year] per indicator, NA when missing
raw <- lapply(setNames(inds, inds), function(i) {
  m <- matrix(NA_real_, length(units), length(years), dimnames = list(units, years))
  o <- obs[obs$indicator == i, ]
  m[cbind(o$unit, as.character(o$year))] <- o$value
  m
})
se <- lapply(setNames(inds, inds), function(i) {
  m <- matrix(NA_real_, length(units), length(years), dimnames = list(units, years))
  o <- obs[obs$indicator == i, ]
  m[cbind(o$unit, as.character(o$year))] <- o$se
  m
})

## scores: minmax pooled over units and years after direction, [0, 100]
score <- lapply(raw, function(m) m)
for (i in inds) {
  x <- dir[[i]] * raw[[i]]
  score[[i]] <- (x - min(x, na.rm = TRUE)) / (max(x, na.rm = TRUE) - min(x, na.rm = TRUE)) * 100
}
aggs <- rev(fw$code[fw$type == "Aggregate"])   # children before parents here
for (a in aggs) {
  kids <- fw$code[fw$parent == a]
  w <- fw$weight[match(kids, fw$code)]
  num <- 0; den <- 0
  for (k in seq_along(kids)) {
    s <- score[[kids[k]]]
    num <- num + ifelse(is.na(s), 0, w[k] * s)
    den <- den + ifelse(is.na(s), 0, w[k])
  }
  score[[a]] <- ifelse(den > 0, num / den, NA)
}

## lcme's aggregate intervals (the status rule's input for aggregates)
ci <- NULL
if (!is.na(scores_csv)) {
  sc <- read.csv(scores_csv, stringsAsFactors = FALSE)
  ci <- sc[sc$year == eval_year, c("unit", "node", "score", "ci_low", "ci_high")]
  # cross-check: lcme's aggregate scores are the ones computed here
  for (r in seq_len(nrow(ci))) if (ci$node[r] %in% aggs) {
    mine <- score[[ci$node[r]]][ci$unit[r], as.character(eval_year)]
    stopifnot(abs(mine - ci$score[r]) < 1e-9 * (1 + abs(mine)))
  }
}

value <- function(node, u, y) {
  m <- if (node %in% inds) raw[[node]] else score[[node]]
  m[u, as.character(y)]
}

## which objectives apply to which unit: its own, and * where it has none
## for the same node and target year
applies <- function(i, u) {
  if (plan$unit[i] == u) return(TRUE)
  if (plan$unit[i] != "*") return(FALSE)
  !any(plan$unit == u & plan$node == plan$node[i] & plan$year == plan$year[i])
}

status_of <- function(d, T, xb, xl, planned, lo, hi) {
  tol <- 1e-12 * max(1, abs(T), abs(xb), abs(xl))
  if (d * (xl - T) >= -tol) return("achieved")
  if (d * (xl - planned) >= -tol) return("on track")
  has_iv <- !is.na(lo) && !is.na(hi)
  better <- if (d > 0) hi else lo
  if (d * (xl - xb) < -tol && (!has_iv || d * (xb - better) > tol)) return("moving away")
  if (has_iv && planned >= lo - tol && planned <= hi + tol) return("behind")
  "off track"
}

out <- NULL
for (u in units) for (i in seq_len(nrow(plan))) {
  if (!applies(i, u)) next
  node <- plan$node[i]; T <- plan$target[i]; Y <- plan$year[i]
  d <- if (node %in% inds) dir[[node]] else 1
  ys <- years[years <= eval_year & !is.na(sapply(years, function(y) value(node, u, y)))]
  L <- max(ys); xl <- value(node, u, L)
  B <- if (is.na(plan$baseline_year[i])) base_year else plan$baseline_year[i]
  xb <- if (B %in% years) value(node, u, B) else NA
  if (is.na(plan$baseline_year[i]) && is.na(xb)) { B <- min(ys); xb <- value(node, u, B) }
  if (node %in% inds) {
    s <- se[[node]][u, as.character(L)]
    lo <- if (is.na(s)) NA else xl - z * s
    hi <- if (is.na(s)) NA else xl + z * s
  } else if (!is.null(ci)) {
    r <- ci[ci$unit == u & ci$node == node, ]
    lo <- r$ci_low; hi <- r$ci_high
  } else {
    lo <- NA; hi <- NA
  }
  row <- data.frame(unit = u, node = node, target_year = Y, baseline_year = B,
                    baseline = xb, target = T, latest_year = L, latest = xl,
                    latest_low = lo, latest_high = hi, planned = NA, gap = NA,
                    status = "", required_per_year = NA, observed_per_year = NA,
                    projected_year = NA, stringsAsFactors = FALSE)
  if (!is.na(xb)) {
    planned <- if (L >= Y) T else xb + (T - xb) * (L - B) / (Y - B)
    t <- ys[ys >= B]; y <- sapply(t, function(k) value(node, u, k))
    slope <- if (length(t) >= 2) unname(coef(lm(y ~ t))[2]) else NA
    achieved <- d * (xl - T) >= -1e-12 * max(1, abs(T), abs(xb), abs(xl))
    row$planned <- planned
    row$gap <- d * (xl - planned)
    row$status <- status_of(d, T, xb, xl, planned, lo, hi)
    row$required_per_year <- if (!achieved && Y > L) (T - xl) / (Y - L) else NA
    row$observed_per_year <- slope
    row$projected_year <- if (!achieved && !is.na(slope) && d * slope > 0) L + (T - xl) / slope else NA
  } else if (d * (xl - T) >= -1e-12 * max(1, abs(T), abs(xl))) {
    row$status <- "achieved"   # no baseline: no path, but a target met is met
  }
  out <- rbind(out, row)
}

## the statuses the data were built to give (indicators; aggregates as the
## rule gives them on lcme's intervals, listed there too)
chk <- merge(out, truth, by = c("unit", "node", "target_year"), suffixes = c("", ".truth"))
stopifnot(nrow(chk) == nrow(truth), nrow(truth) == nrow(out))
bad <- chk[chk$status != chk$status.truth, ]
if (nrow(bad) > 0) { print(bad); stop("statuses differ from truth.csv") }

write.csv(out, "expected.csv", row.names = FALSE, na = "")
cat(sprintf("expected.csv: %d rows; statuses as in truth.csv\n", nrow(out)))
print(table(out$status))
