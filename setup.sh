#!/usr/bin/env bash
# Set up everything this project needs on a fresh Debian bookworm machine:
#   1. Debian packages: R 4.2, caret, e1071, reticulate, zeallot, magrittr, jsonlite,
#      and the real Fashion-MNIST files (dataset-fashion-mnist);
#   2. the project virtualenv .venv (Python 3.10/3.11 with a shared libpython, which
#      reticulate needs), every version pinned in constraints.txt;
#   3. a project-local KERAS_HOME (.keras) with the Debian data files linked where
#      keras.datasets.fashion_mnist.load_data() looks first, so nothing is downloaded;
#   4. the R packages keras, tensorflow (R keras 2.x's API on reticulate) and parityrun (the
#      contract's writer) in R's site library, recording .venv's Python and .keras in them, so
#      `Rscript script.R` runs a library(keras) script from any directory. Where a real R
#      keras or tensorflow is installed, ours are not (r_packages/install.R).
# Idempotent: a second run checks each step and changes nothing.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

die() { echo "setup.sh: error: $*" >&2; exit 1; }
say() { [ -n "${SETUP_QUIET:-}" ] || echo "setup.sh: $*"; }

DEB_PACKAGES=(r-base-core r-base-dev r-cran-caret r-cran-e1071 r-cran-reticulate
  r-cran-zeallot r-cran-magrittr r-cran-jsonlite r-cran-tidyr r-cran-ggplot2
  r-cran-proc r-cran-modelmetrics r-cran-mlmetrics r-cran-testthat
  dataset-fashion-mnist chromium)

# --- 1. Debian packages ------------------------------------------------------
missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=(sudo -n)
  else die "missing Debian packages: ${missing[*]}; run this script as root or with passwordless sudo, or ask an administrator to run: apt-get install ${missing[*]}"
  fi
  say "installing Debian packages: ${missing[*]}"
  "${SUDO[@]}" apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || die "apt-get could not install: ${missing[*]}"
else
  say "Debian packages: all ${#DEB_PACKAGES[@]} present"
fi

# --- 2. virtualenv -----------------------------------------------------------
find_python() {
  local c
  for c in "${PARITY_PYTHON:-}" "$HOME"/.pyenv/versions/3.11.*/bin/python3.11 "$(command -v python3.11 || true)" \
           "$HOME"/.pyenv/versions/3.10.*/bin/python3.10 "$(command -v python3.10 || true)"; do
    [ -n "$c" ] && [ -x "$c" ] || continue
    # reticulate 1.28 needs Python <= 3.11 built with a shared libpython
    if "$c" -c 'import sys, sysconfig; sys.exit(not (sys.version_info[:2] in ((3,10),(3,11)) and sysconfig.get_config_var("Py_ENABLE_SHARED")))'; then
      echo "$c"; return 0
    fi
  done
  return 1
}
STAMP=.venv/.constraints.sha256
want=$(cat constraints.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ]; then
  PY=$(find_python) || die "no Python 3.10/3.11 with a shared libpython found (Debian's reticulate 1.28 needs one); install one with pyenv (PYTHON_CONFIGURE_OPTS=--enable-shared) or set PARITY_PYTHON"
  say "creating .venv with $PY"
  "$PY" -m venv .venv || die "could not create .venv with $PY"
fi
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  say "installing Python packages pinned in constraints.txt"
  log=$(mktemp)
  if ! .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[dev]" >"$log" 2>&1; then
    # (the grep drops this machine's pip-config notices about absent local mirrors)
    grep -v "is ignored: it is neither a file nor a directory" "$log" >&2 || true
    rm -f "$log"; die "pip could not install the pinned packages (see the message above)"
  fi
  rm -f "$log"
  echo "$want" > "$STAMP"
else
  say "virtualenv .venv: up to date"
fi

# --- 3. offline Fashion-MNIST --------------------------------------------------
DATA_SRC=/usr/share/datasets/fashion-mnist
DATA_DST=.keras/datasets/fashion-mnist
mkdir -p "$DATA_DST"
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  [ -s "$DATA_SRC/$f" ] || die "$DATA_SRC/$f is missing; reinstall with: apt-get install --reinstall dataset-fashion-mnist"
  [ "$(readlink "$DATA_DST/$f" 2>/dev/null)" = "$DATA_SRC/$f" ] || ln -sfn "$DATA_SRC/$f" "$DATA_DST/$f"
done
say "KERAS_HOME=$ROOT/.keras (Fashion-MNIST linked from $DATA_SRC)"

# --- 4. the R packages ------------------------------------------------------------------------
R_SITE_LIB=/usr/local/lib/R/site-library
if [ ! -w "$R_SITE_LIB" ] && [ "$(id -u)" -ne 0 ]; then
  die "cannot write R's site library $R_SITE_LIB; run this script as root, or install the R packages into your own library: Rscript r_packages/install.R --lib ~/R/library --python $ROOT/.venv/bin/python --keras-home $ROOT/.keras (and add that library to R_LIBS_USER)"
fi
TZ=${TZ:-UTC} Rscript r_packages/install.R --lib "$R_SITE_LIB" --python "$ROOT/.venv/bin/python" \
  --keras-home "$ROOT/.keras" ${SETUP_QUIET:+--quiet} | sed 's/^install.R: /setup.sh: R package /' \
  || die "the R packages (r_packages/) could not be installed (see the message above)"
