#!/usr/bin/env bash
# Single-row PredictionEngine latency of this version next to version 0.1's (commit 6cc8f07), measured in one run on one
# machine: a git worktree of 0.1 in a temporary folder, both benches built in Release, run alternately three times each
# with one thread (the 784-128-32 network of bench/AnomalyAE.Bench). Prints every line each prints about
# PredictionEngine latency.  Usage: bench/latency-vs-0.1.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
old=$(mktemp -d)
trap 'git worktree remove --force "$old" >/dev/null 2>&1 || rm -rf "$old"' EXIT
git worktree add --detach "$old" 6cc8f07 >/dev/null
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
dotnet build "$old/bench/AnomalyAE.Bench" -c Release -nologo -v:q >/dev/null
dotnet build bench/AnomalyAE.Bench -c Release -nologo -v:q >/dev/null
for round in $(seq "$rounds"); do
  echo "round $round, version 0.1:"
  dotnet run --no-build --project "$old/bench/AnomalyAE.Bench" -c Release -- --threads 1 --epochs 2 --repeats 1 --soak 0 --rows 10000 | grep 'PredictionEngine'
  echo "round $round, this version:"
  dotnet run --no-build --project bench/AnomalyAE.Bench -c Release -- --threads 1 --epochs 2 --repeats 1 --soak 0 --rows 10000 | grep 'PredictionEngine'
done
