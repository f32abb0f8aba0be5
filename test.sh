#!/usr/bin/env bash
# The README's test command: installs what the tests need where it can, then runs every test.
#   ./test.sh [dotnet test options]      e.g. ./test.sh --filter FullyQualifiedName~Cli
# On Debian/Ubuntu as root (or with password-less sudo) it installs the Debian packages redis-server (worker tests
# against a real Redis) and dataset-fashion-mnist (the full Fashion-MNIST for the IDX reader test); elsewhere it says
# which tests will be skipped and why. A private redis-server on a free loopback port serves the Redis tests, and three
# cluster-enabled ones joined by `redis-cli --cluster create` form the Redis Cluster of the cluster tests; all are
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
        redis-server) echo "  RedisWorkerTests and RedisClusterTests (need redis-server and redis-cli, or ANOMALYAE_TEST_REDIS=host:port of a server and ANOMALYAE_TEST_REDIS_CLUSTER=host:port of a cluster node)" >&2 ;;
      esac
    done
  fi
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# A cluster node also listens on its bus port, port + 10000: pick a port below 55536 whose bus port is free too.
free_cluster_port() {
  python3 -c '
import random, socket
def free(p):
    s = socket.socket()
    try: s.bind(("127.0.0.1", p)); return True
    except OSError: return False
    finally: s.close()
while True:
    p = random.randrange(20000, 30000)
    if free(p) and free(p + 10000): print(p); break'
}
redis_pids=()
redis_dir=""
stop_redis() {
  for pid in "${redis_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${redis_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -z "$redis_dir" ] || rm -rf "$redis_dir"
}
trap stop_redis EXIT

# A private redis-server for the worker tests, unless one is given.
if [ -z "${ANOMALYAE_TEST_REDIS:-}" ] && command -v redis-server >/dev/null; then
  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >/dev/null &
  redis_pids+=($!)
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  export ANOMALYAE_TEST_REDIS="127.0.0.1:$port"
fi

# A private 3-master Redis Cluster on loopback for the cluster tests, unless one is given (host:port of a node).
if [ -z "${ANOMALYAE_TEST_REDIS_CLUSTER:-}" ] && command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then
  redis_dir=$(mktemp -d)
  nodes=()
  for _ in 1 2 3; do
    port=$(free_cluster_port)
    redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "$redis_dir/nodes-$port.conf" \
      --dir "$redis_dir" --save "" --appendonly no --daemonize no >/dev/null &
    redis_pids+=($!)
    for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    nodes+=("127.0.0.1:$port")
  done
  if redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >/dev/null; then
    for _ in $(seq 100); do
      ok=1
      for node in "${nodes[@]}"; do redis-cli -h "${node%:*}" -p "${node#*:}" cluster info | grep -q cluster_state:ok || ok=0; done
      [ $ok -eq 1 ] && break
      sleep 0.1
    done
    export ANOMALYAE_TEST_REDIS_CLUSTER="${nodes[0]}"
  else
    echo "test.sh: could not create a local Redis Cluster; RedisClusterTests will be skipped" >&2
  fi
fi

dotnet test AnomalyAE.sln "$@"
