#!/usr/bin/env bash
# Runs every test: installs what the tests need, builds in Release, runs each test project, and prints one closing line.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

bash eng/install-deps.sh || exit 1
echo "== building Micro.slnx (Release; a few minutes on a fresh clone, quiet unless something fails)"
dotnet build Micro.slnx -c Release -nologo -v quiet -clp:ErrorsOnly || { echo "build failed"; exit 1; }
# The Native AOT Greeter the integration tests start (and the proof that Micro stays trim/AOT clean).
bash eng/publish-aot.sh || exit 1

results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
status=0
for project in $(find tests -name "*Tests.csproj" | sort); do
  name="$(basename "$project" .csproj)"
  echo "== $name"
  dotnet test "$project" -c Release --no-build --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    --logger "console;verbosity=normal" > "$results/$name.log" 2>&1
  code=$?
  grep -E '^\s*(Passed|Failed|Skipped) |Error Message|^\s+at |Passed!|Failed!|error' "$results/$name.log" || true
  [ "$code" -eq 0 ] || { echo "$name: dotnet test exited with $code"; status=1; }
done

# One closing line over all projects, counted from the TRX files.
read -r passed failed skipped < <(python3 - "$results" <<'PY' 2>/dev/null || echo "0 0 0"
import sys, glob, xml.etree.ElementTree as ET
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(path).getroot().find(".//{*}ResultSummary/{*}Counters")
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)); s += int(c.get("notExecuted", 0))
print(p, f, s)
PY
)
if [ "$passed" -eq 0 ]; then
  echo "no tests ran"; status=1
fi
[ "$skipped" -gt 0 ] && { echo "skipped tests are not allowed: $skipped"; status=1; }
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed"
exit $status
