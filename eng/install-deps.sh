#!/usr/bin/env bash
# Installs what building and testing Micro needs on a fresh Debian 12 machine. Idempotent; run as root (or via sudo).
set -euo pipefail

need_apt=()
command -v git >/dev/null || need_apt+=(git)
command -v curl >/dev/null || need_apt+=(curl)
# procps gives `kill`/`ps` used by the multi-process tests.
command -v kill >/dev/null || need_apt+=(procps)
# Real servers the tests start on loopback ports (never as system services).
[ -x /usr/sbin/nats-server ] || need_apt+=(nats-server)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need_apt+=(rabbitmq-server)
[ -x /usr/bin/etcd ] || need_apt+=(etcd-server etcd-client)
# Native AOT publishing links with clang and zlib.
command -v clang >/dev/null || need_apt+=(clang)
[ -e /usr/include/zlib.h ] || need_apt+=(zlib1g-dev)
# The dashboard's browser tests drive Debian's chromium; the bot's XMPP tests run prosody.
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/bin/prosody ] || need_apt+=(prosody)
# docs/plugins.md's third-party registry plugin keeps its nodes in Redis; its contract tests run against redis-server.
[ -x /usr/bin/redis-server ] || need_apt+=(redis-server)

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${need_apt[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  # Keep the packages' system services from starting: tests start their own servers on free loopback ports.
  blocker=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    blocker=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee "$blocker" >/dev/null && $sudo_cmd chmod +x "$blocker"
  fi
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
  [ -n "$blocker" ] && $sudo_cmd rm -f "$blocker"
fi

if ! command -v dotnet >/dev/null; then
  echo "install-deps: the .NET 10 SDK is required (dotnet not on PATH); install it from your distribution's packages." >&2
  exit 1
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
echo "install-deps: dotnet restore"
dotnet restore "$root/Micro.slnx" -nologo -v quiet
