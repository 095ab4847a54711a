#!/usr/bin/env bash
# Debian packages the tests need. As root: install the missing ones. Otherwise: print the command and fail.
set -euo pipefail

# package -> a file that exists once it is installed
declare -A probe=(
  [chromium]=/usr/bin/chromium
  [postgresql-15]=/usr/lib/postgresql/15/bin/initdb
  [rabbitmq-server]=/usr/lib/rabbitmq/bin/rabbitmq-server
  [python3-pika]=/usr/lib/python3/dist-packages/pika/__init__.py
  [openssl]=/usr/bin/openssl
  # the local high-availability cluster (npm run cluster) and its chaos tests
  [patroni]=/usr/bin/patroni
  [etcd-server]=/usr/bin/etcd
  [etcd-client]=/usr/bin/etcdctl
  [haproxy]=/usr/sbin/haproxy
  # static checks of the compose files (docker-compose config needs no engine)
  [docker-compose]=/usr/bin/docker-compose
)

missing=()
for pkg in "${!probe[@]}"; do
  [[ -e ${probe[$pkg]} ]] || missing+=("$pkg")
done
# `kubectl kustomize` renders deploy/k8s; any kubectl will do (Debian's is kubernetes-client).
command -v kubectl >/dev/null || missing+=(kubernetes-client)
((${#missing[@]} == 0)) && exit 0

if ((EUID != 0)); then
  echo "Missing system packages: ${missing[*]}. Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "Installing missing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
