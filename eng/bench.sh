#!/usr/bin/env bash
# Runs the load benchmark: Micro (tcp transport) against Grpc.AspNetCore doing the same work, in separate processes.
# `eng/bench.sh --quick` takes about 2½ minutes on 2 cores (docs/benchmarks.md); without --quick, about twice as long. Prints a table and `ratio <name> <value>` lines (Micro / gRPC throughput).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_TieredPGO=1
bash "$root/eng/install-deps.sh" # the broker runs need nats-server and rabbitmq-server on a fresh machine
dotnet build "$root/benchmarks/Micro.Benchmarks/Micro.Benchmarks.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly
mkdir -p "$root/artifacts"
dotnet "$root/benchmarks/Micro.Benchmarks/bin/Release/net10.0/Micro.Benchmarks.dll" "$@" | tee "$root/artifacts/bench.txt"
