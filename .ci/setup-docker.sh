#!/usr/bin/env bash
# Provides what the container tests need: a Docker engine (Debian's docker.io, started here) and the base
# image the project's Dockerfile builds on, made offline with debootstrap + docker import, because no image
# registry is reachable. Idempotent; exits 0 without doing anything when not run as root.
set -euo pipefail

BASE_IMAGE="${SIGNALING_BASE_IMAGE:-signaling-base-jre:bookworm}"

if [ "$(id -u)" != 0 ]; then
  echo "setup-docker: not root, nothing installed (container tests will skip)"
  exit 0
fi

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  nohup dockerd >/tmp/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "setup-docker: dockerd did not start"; tail -20 /tmp/dockerd.log; exit 1; }
fi

if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  rootfs="$(mktemp -d)"
  debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$rootfs" >/dev/null
  tar -C "$rootfs" -c . | docker import - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
fi
echo "setup-docker: engine running, base image $BASE_IMAGE present"
