#!/usr/bin/env bash
# The README's test command: installs what the tests need where it can, then runs every test.
#   ./test.sh [dotnet test options]      e.g. ./test.sh --filter FullyQualifiedName~Cli
# On Debian/Ubuntu as root (or with password-less sudo) it installs the Debian packages redis-server (worker tests
# against a real Redis) and dataset-fashion-mnist (the full Fashion-MNIST for the IDX reader test); elsewhere it says
# which tests will be skipped and why. A private redis-server on a free loopback port serves the Redis tests and is
# stopped when this script exits.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

need=()
[ -d /usr/share/datasets/fashion-mnist ] || need+=(dataset-fashion-mnist)
command -v redis-server >/dev/null || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=(sudo -n); else sudo=(missing); fi
  if command -v apt-get >/dev/null && [ "${sudo[0]:-}" != missing ]; then
    echo "test.sh: installing ${need[*]}" >&2
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
  else
    why=$(command -v apt-get >/dev/null && echo "not root and no password-less sudo" || echo "no apt-get")
    echo "test.sh: cannot install ${need[*]} ($why); these tests will be skipped:" >&2
    for package in "${need[@]}"; do
      case $package in
        dataset-fashion-mnist) echo "  IdxFileTests.ReadsTheFullFashionMnistFromTheDebianPackage (needs /usr/share/datasets/fashion-mnist)" >&2 ;;
        redis-server) echo "  RedisWorkerTests (2 tests; needs redis-server, or ANOMALYAE_TEST_REDIS=host:port of a server to use)" >&2 ;;
      esac
    done
  fi
fi

# A private redis-server for the worker tests, unless one is given.
if [ -z "${ANOMALYAE_TEST_REDIS:-}" ] && command -v redis-server >/dev/null; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >/dev/null &
  redis_pid=$!
  trap 'kill $redis_pid 2>/dev/null; wait $redis_pid 2>/dev/null || true' EXIT
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  export ANOMALYAE_TEST_REDIS="127.0.0.1:$port"
fi

dotnet test AnomalyAE.sln "$@"
