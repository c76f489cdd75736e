#!/usr/bin/env bash
# Installs what the tests need, publishes the Native AOT agent, and runs every test in the solution.
# Ends with one line "N passed, N failed"; exits non-zero on any failure or when no test ran.
set -uo pipefail
cd "$(dirname "$0")"

if [ -f tests/package-lock.json ]; then
  echo "== npm ci (tests/)"
  npm ci --prefix tests --no-audit --no-fund --loglevel=error || { echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }
fi

# The agent ships as a Native AOT binary: publish it once (AOT/trim warnings are errors) and hand it to the test that
# runs it (tests/Dstack.Agent.Tests, NativeAgentTests). A failed publish counts as one failure; the test then fails too.
case "$(uname -m)" in
  aarch64|arm64) rid=linux-arm64 ;;
  *) rid=linux-x64 ;;
esac
native_dir="$PWD/artifacts/native"
publish_failed=0
echo "== dotnet publish src/Dstack.Agent -r $rid (Native AOT) -> artifacts/native"
rm -f "$native_dir/dstack-agent"
if ! dotnet publish src/Dstack.Agent/Dstack.Agent.csproj --nologo -c Release -r "$rid" -o "$native_dir"; then
  echo "native publish of dstack-agent failed"
  publish_failed=1
fi
export DSTACK_NATIVE_AGENT="$native_dir/dstack-agent"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "== dotnet test"
dotnet test DstackAgent.sln --nologo -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Each test project prints: "Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total:    12, ..."
read -r passed failed skipped < <(awk '
  /Failed: *[0-9]+, Passed: *[0-9]+, Skipped: *[0-9]+/ {
    match($0, /Failed: *[0-9]+/);  f += substr($0, RSTART + 7, RLENGTH - 7)
    match($0, /Passed: *[0-9]+/);  p += substr($0, RSTART + 7, RLENGTH - 7)
    match($0, /Skipped: *[0-9]+/); s += substr($0, RSTART + 8, RLENGTH - 8)
  }
  END { printf "%d %d %d\n", p, f, s }' "$log")

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi   # build error or crashed test host
if [ "$publish_failed" -ne 0 ]; then failed=$((failed + 1)); fi
if [ "$skipped" -ne 0 ]; then echo "$skipped tests were skipped; skipping is not allowed"; failed=$((failed + skipped)); fi
echo "$passed passed, $failed failed"
if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then exit 1; fi
