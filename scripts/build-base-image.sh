#!/usr/bin/env bash
# The one base every image builds FROM: debian:trixie-slim at the tag the Dockerfiles pin.
# With a registry, `docker pull` is all it takes. Without one (this machine), build it locally:
# mmdebstrap's minbase trixie, then `docker import` under the same name. The root filesystem's tar
# is cached (GATEHOUSE_BASE_CACHE, default ~/.cache/gatehouse) so a wiped Docker needs no mirror.
#   bash scripts/build-base-image.sh          # idempotent: does nothing when the image exists
set -euo pipefail

# Keep in step with every Dockerfile's FROM (test/deploy/dockerfiles.test.ts checks them).
IMAGE=${GATEHOUSE_BASE_IMAGE:-debian:trixie-slim}
SUITE=trixie
MIRROR=${GATEHOUSE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE=${GATEHOUSE_BASE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gatehouse}
TAR=$CACHE/$SUITE-minbase.tar

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  exit 0
fi
# A registry that answers wins: the same image users get.
if timeout 60 docker pull -q "$IMAGE" >/dev/null 2>&1; then
  echo "build-base-image: pulled $IMAGE"
  exit 0
fi

if [[ ! -s $TAR ]]; then
  command -v mmdebstrap >/dev/null || {
    echo "build-base-image: no registry answers and mmdebstrap is missing: apt-get install -y mmdebstrap" >&2
    exit 1
  }
  mkdir -p "$CACHE"
  echo "build-base-image: no registry; building $SUITE (minbase) with mmdebstrap (about 90 s)"
  # Written beside the cache, then renamed: an interrupted run leaves no half tar to trust later.
  # The slim image's habits, kept for every later apt-get in the Dockerfiles: no docs, man pages
  # or translations (the dpkg filter), no downloaded .deb files or apt caches left in a layer.
  mmdebstrap --quiet --variant=minbase --format=tar \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --aptopt='DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; }' \
    --aptopt='Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache ""' \
    --aptopt='Acquire::Languages "none"' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
    "$SUITE" "$TAR.partial" "$MIRROR"
  mv "$TAR.partial" "$TAR"
fi

docker import --change 'CMD ["bash"]' --change 'ENV LANG=C.UTF-8' "$TAR" "$IMAGE" >/dev/null
echo "build-base-image: imported $IMAGE from $TAR"
