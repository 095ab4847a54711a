#!/usr/bin/env bash
# What `npm run test:deploy` needs, and what docs/deployment.md asks of a user's machine:
#   - Debian's Docker engine, iptables and mmdebstrap (as root: installed when missing);
#   - Compose v2 and buildx as CLI plugins (Debian 12 packages neither: taken from trixie's
#     docker-compose and docker-buildx packages, which are static binaries, unpacked by a
#     container of the base image, so no apt source of the host changes);
#   - a running dockerd: reused when one answers, else started here (there is no systemd).
# Then the base image (scripts/build-base-image.sh). Idempotent; quiet when all is in place.
set -euo pipefail
cd "$(dirname "$0")/.."

PLUGINS=/usr/local/lib/docker/cli-plugins
DOCKERD_LOG=${GATEHOUSE_DOCKERD_LOG:-/var/log/gatehouse-dockerd.log}

as_root() {
  if ((EUID != 0)); then
    echo "ensure-docker: $1. As root, or run: $2" >&2
    exit 1
  fi
}

missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v iptables >/dev/null || missing+=(iptables)
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
if ((${#missing[@]})); then
  as_root "missing packages: ${missing[*]}" "sudo apt-get install -y ${missing[*]}"
  echo "ensure-docker: installing ${missing[*]} (about 40 s)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  as_root "no Docker engine answers" "sudo dockerd --iptables=true &"
  # One engine per machine: only start one when no dockerd process exists at all.
  if ! pgrep -x dockerd >/dev/null; then
    echo "ensure-docker: starting dockerd (log: $DOCKERD_LOG)"
    nohup dockerd --iptables=true >"$DOCKERD_LOG" 2>&1 &
  fi
  for _ in $(seq 60); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || { echo "ensure-docker: dockerd did not answer in 30 s; see $DOCKERD_LOG" >&2; exit 1; }
fi

bash scripts/build-base-image.sh

if ! docker compose version >/dev/null 2>&1 || ! docker buildx version >/dev/null 2>&1; then
  as_root "Compose v2 and buildx are missing" "sudo bash $0"
  echo "ensure-docker: unpacking trixie's docker-compose and docker-buildx into $PLUGINS"
  mkdir -p "$PLUGINS"
  docker run --rm --network bridge -v "$PLUGINS:/out" debian:trixie-slim sh -euc '
    apt-get update -qq
    cd /tmp && apt-get download -qq docker-compose docker-buildx
    for deb in *.deb; do dpkg-deb -x "$deb" root; done
    cp root/usr/libexec/docker/cli-plugins/docker-compose root/usr/libexec/docker/cli-plugins/docker-buildx /out/'
  docker compose version >/dev/null
fi
