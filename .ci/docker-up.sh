#!/usr/bin/env bash
# Bring up a local Docker engine for the docker tests and calibration: install docker.io and debootstrap
# if missing, start dockerd in the background if it is not answering, wait until `docker info` works.
# Idempotent and bounded in time (DOCKER_UP_TIMEOUT seconds, default 180); runs as root without stdin.
set -euo pipefail

timeout_s="${DOCKER_UP_TIMEOUT:-180}"
log="${DOCKERD_LOG:-/var/log/sagesim-dockerd.log}"
export DEBIAN_FRONTEND=noninteractive

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
if ((${#need[@]})); then
    echo "docker-up: installing ${need[*]}"
    timeout 300 apt-get update -qq </dev/null
    timeout 600 apt-get install -y -qq --no-install-recommends "${need[@]}" </dev/null >/dev/null
fi

if timeout 10 docker info >/dev/null 2>&1; then
    echo "docker-up: engine already running"
    exit 0
fi

if ! pidof dockerd >/dev/null 2>&1; then
    echo "docker-up: starting dockerd (log: $log)"
    # Containers run with --network host only, so the engine needs no bridge and no iptables rules.
    nohup dockerd --bridge=none --iptables=false --ip6tables=false </dev/null >>"$log" 2>&1 &
fi

deadline=$((SECONDS + timeout_s))
until timeout 10 docker info >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
        echo "docker-up: engine not ready after ${timeout_s}s; last log lines:" >&2
        tail -n 20 "$log" >&2 || true
        exit 1
    fi
    sleep 1
done
echo "docker-up: engine ready ($(docker version --format '{{.Server.Version}}'))"
