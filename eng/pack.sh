#!/usr/bin/env bash
# Packs every library under src/ (Micro, the meta-package over Micro.Core with its contract generator inside and
# Micro.Http; each plugin; the edge pieces; the commands) and the micro command as a .NET tool, each with its .snupkg,
# into artifacts/packages.
#   dotnet add package Micro --source artifacts/packages
#   dotnet tool install --global --add-source artifacts/packages Micro.Cli
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# eng/pack.sh [output folder] [version]: the version defaults to Directory.Build.props'.
out="${1:-$root/artifacts/packages}"
version_args=()
[ -n "${2:-}" ] && version_args=(-p:Version="$2")
mkdir -p "$out"
# Built apart (UseArtifactsOutput for every project of the build): packing never rewrites the bin/ folders that the
# tests and ./micro run from, even with another version. ContinuousIntegrationBuild: deterministic paths in the PDBs.
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
# One pack of a solution of them all: each shared project is built once.
solution="$build/pack.slnx"
{
  echo '<Solution>'
  # All of src/: pack skips what is not packable (the generator, packed inside Micro.Core), but builds it first.
  while IFS= read -r project; do
    echo "  <Project Path=\"$root/$project\" />"
  done < <(cd "$root" && find src -name '*.csproj' | sort)
  echo '</Solution>'
} > "$solution"
dotnet pack "$solution" -c Release -o "$out" -nologo -v quiet -clp:ErrorsOnly \
  -p:UseArtifactsOutput=true -p:ArtifactsPath="$build" -p:ContinuousIntegrationBuild=true "${version_args[@]}"
ls "$out"/*.nupkg
