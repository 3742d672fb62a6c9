#!/usr/bin/env bash
# Makes a Docker engine answer on /var/run/docker.sock, for the AppHost's end-to-end run.
# CI machines (Debian 12, root) have no init system that starts services, so dockerd is started here by hand.
# Idempotent: an engine that already answers is left alone, and a dockerd that is still starting is waited for, not doubled.
#
# Environment (all optional):
#   DOCKERD_LOG            where dockerd's output goes (default /var/log/dockerd.log)
#   DOCKERD_START_TIMEOUT  seconds to wait for the engine to answer (default 60)
set -euo pipefail

log() { printf '[start-docker] %s\n' "$*"; }
die() { printf '[start-docker] error: %s\n' "$*" >&2; exit 1; }

dockerd_log=${DOCKERD_LOG:-/var/log/dockerd.log}
timeout=${DOCKERD_START_TIMEOUT:-60}
socket=/var/run/docker.sock
pidfile=/var/run/docker.pid

engine_answers() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

if engine_answers; then
  log "Docker engine already running ($(docker info --format '{{.ServerVersion}}' 2>/dev/null || echo '?')); nothing to do"
  exit 0
fi

# Only root may start a system dockerd; anyone else needs an engine started for them.
[ "$(id -u)" -eq 0 ] || die "the Docker engine does not answer and only root can start dockerd (running as uid $(id -u))"

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  log "installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  # A stale package list makes the install fail on versions the mirror no longer has; a failed update is not fatal by itself.
  apt-get update -qq >/dev/null 2>&1 || log "warning: apt-get update failed; trying the install with the lists at hand"
  apt-get install -y -qq docker.io >/dev/null || die "apt-get install docker.io failed"
  command -v dockerd >/dev/null 2>&1 || die "docker.io is installed but dockerd is not on PATH ($PATH)"
fi

started_pid=""
if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  # A second dockerd would refuse to start on the same pid file and socket; the running one is probably still starting.
  log "dockerd (pid $(cat "$pidfile")) is running but not answering yet; waiting for it"
else
  # A pid file left by a dockerd that died (machine kept between sessions) would make the new one refuse to start.
  rm -f "$pidfile"
  mkdir -p "$(dirname "$dockerd_log")"
  log "starting dockerd (log: $dockerd_log)"
  # setsid: dockerd must outlive this script and not get the caller's Ctrl-C or process-group signals.
  setsid dockerd >>"$dockerd_log" 2>&1 </dev/null &
  started_pid=$!
fi

waited=0
until [ -S "$socket" ] && engine_answers; do
  # setsid may have forked, so the pid file is asked too before dockerd is declared dead.
  if [ -n "$started_pid" ] && ! kill -0 "$started_pid" 2>/dev/null \
    && ! { [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }; then
    tail -n 30 "$dockerd_log" >&2 || true
    die "dockerd exited during startup (its last lines are above; full log: $dockerd_log)"
  fi
  if [ "$waited" -ge "$timeout" ]; then
    tail -n 30 "$dockerd_log" >&2 || true
    die "the Docker engine did not answer within ${timeout}s (socket $socket; log $dockerd_log)"
  fi
  sleep 1
  waited=$((waited + 1))
done

log "Docker engine $(docker info --format '{{.ServerVersion}}') is up after ${waited}s"
