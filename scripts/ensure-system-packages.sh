#!/usr/bin/env bash
# Install the Debian packages digitize needs when any is missing: as root directly, else through
# sudo without a password prompt; otherwise print the exact command and fail.
# What digitize itself needs; extra package names given as arguments are added (what only the
# tests need, from `make test`; ghostscript for the benchmarks).
set -euo pipefail
# libtesseract-dev, libleptonica-dev, pkg-config and g++: tesserocr is built on the system's
# libtesseract, so that Tesseract runs inside digitize's workers with the command's library.
PACKAGES=(tesseract-ocr tesseract-ocr-vie tesseract-ocr-script-viet tesseract-ocr-osd tesseract-ocr-eng
          libtesseract-dev libleptonica-dev pkg-config g++
          poppler-utils qpdf
          softhsm2 fonts-liberation2 sane-utils jbig2dec "$@")
# Debian's own python3 needs python3-venv to make a virtualenv; other interpreters bring it.
"${PYTHON:-python3}" -c 'import ensurepip, venv' 2>/dev/null || PACKAGES+=(python3-venv)
# and python3-dev to build tesserocr (Python.h); other interpreters bring their headers.
"${PYTHON:-python3}" -c 'import os, sysconfig, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2>/dev/null || PACKAGES+=(python3-dev)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "digitize needs these Debian/Ubuntu packages, and this system has no apt-get: ${missing[*]}" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them as an administrator, then run make again:" >&2
  echo "  sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q >&2
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
