#!/usr/bin/env bash
# Publishes the Greeter service with Native AOT to .build/aot/greeter (clang and zlib1g-dev come from eng/install-deps.sh).
# Fails when the publish fails or prints any trimming/AOT warning (IL2xxx/IL3xxx), so CI keeps Micro AOT-clean.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/.build/aot/greeter"
log="$root/.build/aot/greeter.publish.log"
mkdir -p "$root/.build/aot"
rm -rf "$out"
dotnet publish "$root/examples/Greeter/Service/Greeter.Service.csproj" -c Release -r linux-x64 -o "$out" -nologo -v quiet > "$log" 2>&1
code=$?
if grep -E "(warning|error) IL[23][0-9]{3}" "$log"; then
  echo "publish-aot: trimming/AOT warnings (full log: $log)"; exit 1
fi
if [ "$code" -ne 0 ] || [ ! -x "$out/greeter-service" ]; then
  tail -30 "$log"; echo "publish-aot: Native AOT publish of examples/Greeter/Service failed (full log: $log)"; exit 1
fi
echo "publish-aot: $out/greeter-service ($(du -h "$out/greeter-service" | cut -f1)), no trimming or AOT warnings"
