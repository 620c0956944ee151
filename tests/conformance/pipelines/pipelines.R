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
# Run from this folder:  Rscript pipelines.R
# Writes p1_*.csv, p3_*.csv with 17 significant digits; empty cell = NA.

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
