# pipelines.R: independent base-R re-implementation of COINr 1.1.14's data
# preparation and scoring steps, run on the ASEM data, to make the expected
# values of tests/unit/test_conformance_pipelines.c.
#
# COINr cannot be installed on the build machine, so each step below is
# written from COINr's documented definitions and its R sources
# (R/denominate.R, R/screen_units.R, R/impute.R, R/treat.R, R/normalise.R,
# R/aggregate.R), with the same defaults:
#   Denominate  x / (d / ScaleFactor), ScaleFactor 1, denominators from iMeta
#   Screen      unit_screen = "byNA": keep a unit when 1 - n_missing/n_ind
#               >= dat_thresh (removed units leave the data set)
#   Impute      i_mean_grp per indicator, groups = EurAsia_group
#   Treat       winsorise (winmax 5, skew_thresh 2, kurt_thresh 3.5, skew and
#               kurtosis "type 2"), pass = |skew| < 2 OR kurt < 3.5; if
#               winsorisation does not pass, log_CT on the ORIGINAL values
#   Normalise   direction first, then n_minmax to [0, 100] (pipeline 1) or
#               [1, 100] (pipeline 3), or n_zscore (pipeline 3b)
#   Aggregate   a_amean (pipeline 1, 3b) / a_gmean (pipeline 3): weights
#               renormalised over the non-missing children
#
# Pipeline 2 is COINr's build_example_coin() order (COINr R/examples.R):
# Denominate > Impute (i_mean_grp, EurAsia_group) > Screen (byNA,
# dat_thresh 0.9, on the imputed data) > Treat (defaults) > Normalise
# (min-max [0, 100]) > Aggregate (a_amean).
# Pipeline 4 is the panel ASEM_iData_p.csv (2018-2022) with the ten cells of
# `deleted` below removed (the C test removes the same ones), then imputed
# over time per unit and indicator, either
#   linear  R approx(rule = 2): linear between known years, constant beyond
#           the ends; a series with a single known value takes it everywhere
#   latest  the last earlier known value (none before the first known one)
# and then min-max [0, 100] pooled over the five years and a_amean.
#
# Run from this folder:  Rscript pipelines.R
# Writes p1_*.csv .. p4_*.csv with 17 significant digits; empty cell = NA.

asem <- "../asem"
meta <- read.csv(file.path(asem, "ASEM_iMeta.csv"), stringsAsFactors = FALSE)
raw <- read.csv(file.path(asem, "ASEM_iData.csv"), stringsAsFactors = FALSE)
raw <- raw[order(raw$uCode), ]          # lcme orders units by code
ind <- meta[meta$Type == "Indicator", ]
icodes <- ind$iCode

fmt <- function(v) ifelse(is.na(v), "", sprintf("%.17g", v))
write_dset <- function(df, cols, file) {
  out <- data.frame(uCode = df$uCode, stringsAsFactors = FALSE)
  for (cc in cols) out[[cc]] <- fmt(df[[cc]])
  write.csv(out, file, row.names = FALSE, quote = TRUE)
}

# --- Denominate -------------------------------------------------------------
denominate <- function(df) {
  for (k in which(!is.na(ind$Denominator) & ind$Denominator != "")) {
    ic <- ind$iCode[k]
    df[[ic]] <- df[[ic]] / (df[[ind$Denominator[k]]] / 1)
  }
  df
}

# --- Screen (byNA) ----------------------------------------------------------
screen <- function(df, dat_thresh) {
  nas <- rowSums(is.na(df[icodes]))
  avail <- 1 - nas / length(icodes)
  list(df = df[avail >= dat_thresh, ], removed = df$uCode[avail < dat_thresh],
       avail = data.frame(uCode = df$uCode, Dat_Avail = avail))
}

# --- Impute (i_mean_grp) ----------------------------------------------------
impute_grp <- function(df, group) {
  f <- df[[group]]
  nimp <- 0
  for (ic in icodes) {
    x <- df[[ic]]
    for (g in unique(f)) {
      sel <- f == g
      m <- mean(x[sel], na.rm = TRUE)
      miss <- sel & is.na(x)
      nimp <- nimp + sum(miss & !is.nan(m))
      x[miss] <- m
    }
    x[is.nan(x)] <- NA
    df[[ic]] <- x
  }
  attr(df, "nimp") <- nimp
  df
}

# --- Treat (COINr defaults) -------------------------------------------------
skew2 <- function(x) {
  x <- x[!is.na(x)]; n <- length(x); x <- x - mean(x)
  y <- sqrt(n) * sum(x^3) / (sum(x^2)^(3/2)); y * sqrt(n * (n - 1)) / (n - 2)
}
kurt2 <- function(x) {
  x <- x[!is.na(x)]; n <- length(x); x <- x - mean(x)
  r <- n * sum(x^4) / (sum(x^2)^2)
  ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
}
passes <- function(x) (abs(skew2(x)) < 2) | (kurt2(x) < 3.5)

winsorise <- function(x, winmax = 5) {
  passing <- passes(x); nwin <- 0; imax <- imin <- NULL
  if (!passing) {
    below <- nwin < winmax
    while (!passing & below) {
      if (skew2(x) >= 0) {
        imax <- which(x == max(x, na.rm = TRUE))
        x[imax] <- max(x[-imax], na.rm = TRUE)
      } else {
        imin <- which(x == min(x, na.rm = TRUE))
        x[imin] <- min(x[-imin], na.rm = TRUE)
      }
      nwin <- length(imax) + length(imin)
      below <- nwin < winmax
      passing <- passes(x)
    }
  }
  tr <- rep("", length(x)); tr[imax] <- "winhi"; tr[imin] <- "winlo"
  list(x = x, nwin = nwin, treated = tr)
}
log_ct <- function(x) log(x - min(x, na.rm = TRUE) +
                          0.01 * (max(x, na.rm = TRUE) - min(x, na.rm = TRUE)))

treat <- function(df) {
  det <- data.frame()
  pts <- data.frame()
  for (ic in icodes) {
    x <- df[[ic]]
    s0 <- skew2(x); k0 <- kurt2(x); p0 <- passes(x)
    nwin <- 0; s1 <- NA; k1 <- NA; p1 <- NA; s2 <- NA; k2 <- NA; p2 <- NA
    how <- "none"; tr <- rep("", length(x))
    if (!p0) {
      w <- winsorise(x)
      nwin <- w$nwin; s1 <- skew2(w$x); k1 <- kurt2(w$x); p1 <- passes(w$x)
      if (p1) { x <- w$x; how <- "winsorise"; tr <- w$treated }
      else {
        x <- log_ct(x); how <- "log_CT"; tr <- rep("log_CT", length(x))
        s2 <- skew2(x); k2 <- kurt2(x); p2 <- passes(x)
      }
    }
    df[[ic]] <- x
    det <- rbind(det, data.frame(iCode = ic, skew0 = s0, kurt0 = k0,
                                 pass0 = p0, nwin = nwin, skew1 = s1,
                                 kurt1 = k1, pass1 = p1, method = how,
                                 skew2 = s2, kurt2 = k2, pass2 = p2))
    for (k in which(tr == "winhi" | tr == "winlo"))
      pts <- rbind(pts, data.frame(iCode = ic, uCode = df$uCode[k], how = tr[k]))
  }
  list(df = df, det = det, pts = pts)
}

# --- Normalise --------------------------------------------------------------
normalise <- function(df, how, l = 0, u = 100) {
  for (k in seq_along(icodes)) {
    x <- df[[icodes[k]]] * ind$Direction[k]
    if (how == "minmax")
      x <- (x - min(x, na.rm = TRUE)) / (max(x, na.rm = TRUE) - min(x, na.rm = TRUE)) * (u - l) + l
    else if (how == "zscore")
      x <- (x - mean(x, na.rm = TRUE)) / sd(x, na.rm = TRUE) * 1 + 0
    df[[icodes[k]]] <- x
  }
  df
}

# --- Aggregate --------------------------------------------------------------
aggregate_tree <- function(df, how) {
  for (lev in 2:max(meta$Level, na.rm = TRUE)) {
    nodes <- meta[!is.na(meta$Level) & meta$Level == lev, "iCode"]
    for (nd in nodes) {
      ch <- meta[!is.na(meta$Parent) & meta$Parent == nd, ]
      X <- as.matrix(df[ch$iCode]); w <- ch$Weight
      df[[nd]] <- apply(X, 1, function(x) {
        ok <- !is.na(x)
        if (!any(ok)) return(NA)
        if (how == "amean") sum(w[ok] * x[ok]) / sum(w[ok])
        else exp(sum(w[ok] * log(x[ok])) / sum(w[ok]))
      })
    }
  }
  df
}
allcodes <- c(icodes, meta[!is.na(meta$Level) & meta$Level > 1, "iCode"])

# --- Pipeline 1 -------------------------------------------------------------
d <- denominate(raw)
write_dset(d, icodes, "p1_denominated.csv")
s <- screen(d, 0.9)
write_dset(s$df, icodes, "p1_screened.csv")
writeLines(s$removed, "p1_removed_units.txt")
im <- impute_grp(s$df, "EurAsia_group")
write_dset(im, icodes, "p1_imputed.csv")
cat("pipeline 1: imputed", attr(im, "nimp"), "cells; removed",
    length(s$removed), "units\n")
tr <- treat(im)
write_dset(tr$df, icodes, "p1_treated.csv")
det <- tr$det
for (cc in c("skew0", "kurt0", "skew1", "kurt1", "skew2", "kurt2"))
  det[[cc]] <- fmt(det[[cc]])
write.csv(det, "p1_treatment.csv", row.names = FALSE, na = "")
write.csv(tr$pts, "p1_treated_points.csv", row.names = FALSE)
n1 <- normalise(tr$df, "minmax", 0, 100)
write_dset(n1, icodes, "p1_normalised.csv")
a1 <- aggregate_tree(n1, "amean")
write_dset(a1, allcodes, "p1_aggregated.csv")

# --- Pipeline 3: same preparation, geometric mean on min-max [1, 100] -------
n3 <- normalise(tr$df, "minmax", 1, 100)
a3 <- aggregate_tree(n3, "gmean")
write_dset(a3, allcodes, "p3_geometric_aggregated.csv")
# and z-scores with the arithmetic mean
z3 <- normalise(tr$df, "zscore")
az <- aggregate_tree(z3, "amean")
write_dset(az, allcodes, "p3_zscore_aggregated.csv")

# --- Pipeline 2: build_example_coin() order ---------------------------------
d2 <- denominate(raw)
im2 <- impute_grp(d2, "EurAsia_group")
write_dset(im2, icodes, "p2_imputed.csv")
s2 <- screen(im2, 0.9)
write_dset(s2$df, icodes, "p2_screened.csv")
writeLines(s2$removed, "p2_removed_units.txt")
cat("pipeline 2: imputed", attr(im2, "nimp"), "cells; removed",
    length(s2$removed), "units\n")
tr2 <- treat(s2$df)
write_dset(tr2$df, icodes, "p2_treated.csv")
cat("pipeline 2: treated points", nrow(tr2$pts), "\n")
n2 <- normalise(tr2$df, "minmax", 0, 100)
write_dset(n2, icodes, "p2_normalised.csv")
a2 <- aggregate_tree(n2, "amean")
write_dset(a2, allcodes, "p2_aggregated.csv")

# --- Pipeline 4: panel, cells deleted, imputed over time ----------------------
pan <- read.csv(file.path(asem, "ASEM_iData_p.csv"), stringsAsFactors = FALSE)
pan <- pan[order(pan$Time, pan$uCode), ]
deleted <- data.frame(
  uCode = c("AUT",   "BEL", "BEL", "CHN", "DEU",     "FRA",      "FRA",
            "FRA",      "FRA",      "JPN"),
  iCode = c("Goods", "LPI", "LPI", "FDI", "Flights", "Services", "Services",
            "Services", "Services", "CO2"),
  Time  = c(2019,    2020,  2021,  2022,  2018,      2018,       2019,
            2021,       2022,       2020),
  stringsAsFactors = FALSE)
for (k in seq_len(nrow(deleted))) {
  r <- which(pan$uCode == deleted$uCode[k] & pan$Time == deleted$Time[k])
  stopifnot(length(r) == 1, !is.na(pan[r, deleted$iCode[k]]))
  pan[r, deleted$iCode[k]] <- NA
}
write_pdset <- function(df, cols, file) {
  out <- data.frame(Time = df$Time, uCode = df$uCode, stringsAsFactors = FALSE)
  for (cc in cols) out[[cc]] <- fmt(df[[cc]])
  write.csv(out, file, row.names = FALSE, quote = TRUE)
}
impute_time <- function(df, how) {
  nimp <- 0
  for (ic in icodes) for (u in unique(df$uCode)) {
    r <- which(df$uCode == u); r <- r[order(df$Time[r])]
    y <- df[r, ic]; yr <- df$Time[r]; ok <- !is.na(y)
    if (!any(ok) || all(ok)) next
    if (how == "linear") {
      if (sum(ok) == 1) y[!ok] <- y[ok]
      else y[!ok] <- approx(yr[ok], y[ok], xout = yr[!ok], rule = 2)$y
    } else {
      for (k in seq_along(y)[-1]) if (is.na(y[k])) y[k] <- y[k - 1]
    }
    nimp <- nimp + sum(!ok & !is.na(y))
    df[r, ic] <- y
  }
  attr(df, "nimp") <- nimp
  df
}
for (how in c("linear", "latest")) {
  im4 <- impute_time(pan, how)
  write_pdset(im4, icodes, sprintf("p4_%s_imputed.csv", how))
  cat("pipeline 4", how, ": imputed", attr(im4, "nimp"), "cells\n")
  a4 <- aggregate_tree(normalise(im4, "minmax", 0, 100), "amean")
  write_pdset(a4, allcodes, sprintf("p4_%s_aggregated.csv", how))
}
