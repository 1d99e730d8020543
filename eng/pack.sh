#!/usr/bin/env bash
# Packs Micro (the meta-package over Micro.Core, with its contract generator inside, and Micro.Http) and the micro command as a .NET tool into artifacts/packages.
#   dotnet tool install --global --add-source artifacts/packages Micro.Cli
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# eng/pack.sh [output folder] [version]: the version defaults to Directory.Build.props'.
out="${1:-$root/artifacts/packages}"
version_args=()
[ -n "${2:-}" ] && version_args=(-p:Version="$2")
mkdir -p "$out"
# Built apart (UseArtifactsOutput for every project of the build): packing never rewrites the bin/ folders that the
# tests and ./micro run from, even with another version.
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
for project in src/Core/Micro.Core/Micro.Core.csproj src/Plugins/Micro.Http/Micro.Http.csproj src/Micro/Micro.csproj src/Toolkit/Micro.Cli/Micro.Cli.csproj; do
  dotnet pack "$root/$project" -c Release -o "$out" -nologo -v quiet -clp:ErrorsOnly \
    -p:UseArtifactsOutput=true -p:ArtifactsPath="$build" "${version_args[@]}"
done
ls "$out"/*.nupkg
