#!/usr/bin/env bash
# The demo: starts two greeter instances on the default registry (local: a per-user folder, no server to run),
# calls them through the client and the micro CLI, shows both instances answering, then stops them gracefully.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== building (Release)"
dotnet build Micro.slnx -c Release -nologo -v quiet -clp:ErrorsOnly
service="examples/Greeter/Service/bin/Release/net10.0/greeter-service.dll"
client="examples/Greeter/Client/bin/Release/net10.0/greeter-client.dll"
logs="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

for i in 1 2; do
  dotnet "$service" "$@" >"$logs/greeter-$i.log" 2>&1 &
  pids+=($!)
done
for i in 1 2; do
  for _ in $(seq 1 200); do grep -q "registered in" "$logs/greeter-$i.log" && break; sleep 0.1; done
  grep "registered in" "$logs/greeter-$i.log" | sed "s/^/greeter $i: /"
done

echo; echo "== micro list services"; ./micro list services "$@"
echo; echo "== micro get service greeter"; ./micro get service greeter "$@"
echo "== micro call greeter Greeter.Hello '{\"name\":\"John\"}'"; ./micro call greeter Greeter.Hello '{"name":"John"}' "$@"
echo; echo "== micro health greeter"; ./micro health greeter "$@"
echo; echo "== the example client: 8 calls, balanced over both instances"
dotnet "$client" --count 8 "$@"

echo; echo "== stopping both instances (SIGTERM: deregister, finish in-flight calls, exit)"
cleanup; pids=()
echo "== micro list services (after stop)"; ./micro list services "$@"
echo "(empty: both nodes deregistered)"
