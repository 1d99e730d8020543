#!/usr/bin/env bash
# The demo: starts two greeter instances on the default registry (local: a per-user folder, no server to run),
# calls them through the client and the micro CLI, shows both instances answering, then puts the gateway (micro api),
# the dashboard (micro web) and a web app in front of them, prints their URLs and a curl line, and stops everything
# gracefully (on a terminal it waits for Enter first, so the URLs can be opened).
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

api_address="${MICRO_DEMO_API:-127.0.0.1:8080}"
web_address="${MICRO_DEMO_WEB:-127.0.0.1:8082}"
echo; echo "== micro api on $api_address (namespace \"\": /greeter/hello -> greeter Greeter.Hello), micro web on $web_address, web app hello"
./micro api --address "$api_address" --namespace "" "$@" >"$logs/api.log" 2>&1 &
pids+=($!)
./micro web --address "$web_address" "$@" >"$logs/web.log" 2>&1 &
pids+=($!)
dotnet examples/WebApp/bin/Release/net10.0/webapp-hello.dll "$@" >"$logs/webapp.log" 2>&1 &
pids+=($!)
for log in api web; do
  for _ in $(seq 1 300); do grep -q "listening on" "$logs/$log.log" && break; sleep 0.1; done
  grep "listening on" "$logs/$log.log" || { cat "$logs/$log.log"; exit 1; }
done
sleep 1 # the web app registers once Kestrel is up
echo
echo "  gateway:   http://$api_address/greeter/hello"
echo "  dashboard: http://$web_address/   (services live, call form, terminal)"
echo "  web app:   http://$web_address/hello"
echo
echo "== curl -s -d '{\"name\":\"John\"}' -H 'Content-Type: application/json' http://$api_address/greeter/hello"
curl -s -d '{"name":"John"}' -H 'Content-Type: application/json' "http://$api_address/greeter/hello"; echo
if [ -t 0 ]; then
  echo; read -r -p "Open the URLs above; press Enter to stop everything. " _
fi

echo; echo "== stopping everything (SIGTERM: deregister, finish in-flight calls, exit)"
cleanup; pids=()
echo "== micro list services (after stop)"; ./micro list services "$@"
echo "(empty: both nodes deregistered)"
