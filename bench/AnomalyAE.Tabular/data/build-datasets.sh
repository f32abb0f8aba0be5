#!/usr/bin/env bash
# Builds every benchmark set into sets/ (see README.md). Idempotent; run from anywhere.
set -euo pipefail
cd "$(dirname "$0")"

packages=(r-cran-kernlab r-cran-mlbench python3-sklearn dataset-fashion-mnist)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "build-datasets.sh: missing Debian packages: ${missing[*]}; run as root or: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }
fi

raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT
Rscript export-r.R "$raw"
# Debian's python: the one with python3-sklearn (a pyenv python3 on PATH may lack it).
/usr/bin/python3 build-datasets.py --raw "$raw" --out sets
