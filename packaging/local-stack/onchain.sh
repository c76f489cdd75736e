#!/usr/bin/env bash
# The local stack on a local chain: the documented equivalent of `dstack-agent dev --chain`.
#
#   packaging/local-stack/onchain.sh [up] [--state-dir DIR] [--anvil-port N] [--kms-port N] [--no-build]
#   packaging/local-stack/onchain.sh boot-vm NAME [--state-dir DIR]
#
# up (the default) runs, on this machine and in simulated TDX mode:
#   1. anvil (tests/node_modules/.bin, from `npm ci --prefix tests`) on 127.0.0.1, a fresh chain every run;
#   2. dstack-gov deploy-kms, add-os-image (the simulated OS image), deploy-app (any device), add-compose-hash
#      (the compose hash of the exact app-compose.json the VM boots), sent from anvil's well-known dev account 0;
#   3. dstack-kms with Policy:Kind onchain on that chain: a simulated TD of its own (measured as the KMS app), trusting
#      the mock DCAP root of the simulated platform every TD of this stack shares; its own identity (dstack-kms
#      identity: aggregated MR, device, OS image) is allowed on chain with dstack-gov add-kms-mr / add-kms-device, as
#      isKmsAllowed needs, because the KMS serves keys only while the chain allows the KMS itself (self-authorization);
#   4. a simulated VM of the app: dstack-agent run with Boot:BeforeServing, so it first measures the app into RTMR3 and
#      obtains its keys from the KMS over gRPC + RA-TLS (released only because the chain allows the compose hash),
#      then serves dstack.sock and tappd.sock in the state directory.
# It prints what was deployed and what to try, and serves until Ctrl-C (or SIGTERM); then it stops anvil, the KMS
# and the agent and removes the sockets. Every run starts from scratch: the state directory is wiped first (only if
# an earlier run of this script created it).
#
# boot-vm NAME boots one more VM of the app (dstack-agent boot, in STATE/vm-NAME) against the running stack and says
# whether the KMS released its keys; try it after `dstack-gov remove-compose-hash`.
#
# Options (each also as an environment variable):
#   --state-dir DIR    DSTACK_CHAIN_STATE_DIR    state, logs, configs and sockets (default ./.dstack-chain)
#   --anvil-port N     DSTACK_CHAIN_ANVIL_PORT   anvil's JSON-RPC port on 127.0.0.1 (default 8545)
#   --kms-port N       DSTACK_CHAIN_KMS_PORT     the KMS's gRPC port on 127.0.0.1 (default 8000)
#   --no-build         DSTACK_CHAIN_NO_BUILD=1   use the existing build instead of `dotnet build` first
#                      DSTACK_CHAIN_CONFIGURATION the build configuration (default Release)
#                      DOTNET                    the dotnet executable (default: dotnet on PATH)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PROGRAM=${0##*/}

# anvil's well-known dev account 0 (mnemonic "test test test test test test test test test test test junk"): every
# anvil and hardhat node funds it, so it is public knowledge and fit only for a throwaway local chain like this one.
DEV_ACCOUNT_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
CHAIN_ID=31337

die() { printf '%s: %s\n' "$PROGRAM" "$*" >&2; exit 1; }
usage() { sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

command=up
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  command=$1
  shift
fi
vm_name=
if [ "$command" = boot-vm ]; then
  [ $# -gt 0 ] && [ "${1#-}" = "$1" ] || die "boot-vm needs a NAME (letters, digits, '-' and '_')"
  vm_name=$1
  shift
  [[ "$vm_name" =~ ^[A-Za-z0-9_-]+$ ]] || die "boot-vm NAME must be letters, digits, '-' and '_', got '$vm_name'"
elif [ "$command" != up ]; then
  usage >&2
  die "unknown command '$command' (expected up or boot-vm)"
fi

STATE=${DSTACK_CHAIN_STATE_DIR:-.dstack-chain}
ANVIL_PORT=${DSTACK_CHAIN_ANVIL_PORT:-8545}
KMS_PORT=${DSTACK_CHAIN_KMS_PORT:-8000}
NO_BUILD=${DSTACK_CHAIN_NO_BUILD:-0}
CONFIGURATION=${DSTACK_CHAIN_CONFIGURATION:-Release}
DOTNET=${DOTNET:-dotnet}
while [ $# -gt 0 ]; do
  case $1 in
    --state-dir) [ $# -ge 2 ] || die "--state-dir needs a value"; STATE=$2; shift 2 ;;
    --anvil-port) [ $# -ge 2 ] || die "--anvil-port needs a value"; ANVIL_PORT=$2; shift 2 ;;
    --kms-port) [ $# -ge 2 ] || die "--kms-port needs a value"; KMS_PORT=$2; shift 2 ;;
    --no-build) NO_BUILD=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
done
for port in "$ANVIL_PORT" "$KMS_PORT"; do
  [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || die "a port must be 1..65535, got '$port'"
done
[ "$ANVIL_PORT" != "$KMS_PORT" ] || die "anvil and the KMS need different ports"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
BIN=net10.0
AGENT_DLL=$ROOT/src/Dstack.Agent/bin/$CONFIGURATION/$BIN/dstack-agent.dll
KMS_DLL=$ROOT/src/Dstack.Kms/bin/$CONFIGURATION/$BIN/dstack-kms.dll
GOV_DLL=$ROOT/src/Dstack.Gov/bin/$CONFIGURATION/$BIN/dstack-gov.dll
ANVIL=$ROOT/tests/node_modules/.bin/anvil
SAMPLE_COMPOSE=$ROOT/src/Dstack.Agent/Dev/sample-app-compose.json
MARKER=.dstack-chain-state

agent() { "$DOTNET" "$AGENT_DLL" "$@"; }
kms() { "$DOTNET" "$KMS_DLL" "$@"; }
gov() { "$DOTNET" "$GOV_DLL" "$@"; }

# A JSON string literal (the paths and values here hold no control characters).
json_string() {
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}

# The value of "key" in indented JSON output of dstack-gov --json.
json_field() { sed -n "s/^ *\"$1\": *\"\\([^\"]*\\)\".*/\\1/p" | head -n 1; }

# Waits until FILE contains PATTERN; fails if PID exits first or SECONDS pass.
wait_for_line() {
  local file=$1 pattern=$2 pid=$3 timeout=$4 what=$5
  local deadline=$((SECONDS + timeout))
  until grep -q -- "$pattern" "$file" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      printf '%s: %s exited before it was ready; the end of %s:\n' "$PROGRAM" "$what" "$file" >&2
      tail -n 25 "$file" >&2 || true
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      printf '%s: %s was not ready within %s s; the end of %s:\n' "$PROGRAM" "$what" "$timeout" "$file" >&2
      tail -n 25 "$file" >&2 || true
      exit 1
    fi
    sleep 0.1
  done
}

# Prepares the simulated VM directory $1 (its own TD on the shared platform, the host-shared files, the agent
# config); $2 is true when the agent serves the sockets of the state directory.
prepare_vm() {
  local vm=$1 serve=$2
  mkdir -p "$vm/td"
  # same mock DCAP PKI as the platform, i.e. the same (simulated) machine the KMS trusts
  install -m 600 "$STATE/platform/mock-attestation-seed" "$vm/td/mock-attestation-seed"
  cp "$SAMPLE_COMPOSE" "$vm/app-compose.json"
  # the vm_config the host hands the VM: the simulated OS image its TD boots, with that image's measurement (so the
  # KMS's OS-image check finds the TD's MRTD and RTMR0-2 to be the image's)
  local vm_config
  vm_config=$(agent simulated-vm-config --state-dir "$vm/td") || die "dstack-agent simulated-vm-config failed"
  printf '{"kms_urls":[%s],"gateway_urls":[],"pccs_url":"","docker_registry":null,"host_api_url":null,"vm_config":%s}\n' \
    "$(json_string "$KMS_URL")" "$(json_string "$vm_config")" > "$vm/sys-config.json"
  # the app id is the DstackApp contract (without it the agent would use the first 20 bytes of the compose hash)
  printf '{"app_id":"%s"}\n' "${APP#0x}" > "$vm/instance_info"
  printf 'console=ttyS0\n' > "$vm/cmdline"
  local sockets
  if [ "$serve" = true ]; then
    sockets="\"Sockets\": { \"Dstack\": $(json_string "$DSTACK_SOCK"), \"Tappd\": $(json_string "$TAPPD_SOCK"), \"Mode\": \"0600\" },"
  else
    sockets=
  fi
  cat > "$vm/agent.json" <<EOF
{
  $sockets
  "Files": {
    "AppCompose": $(json_string "$vm/app-compose.json"),
    "SysConfig": $(json_string "$vm/sys-config.json"),
    "InstanceInfo": $(json_string "$vm/instance_info"),
    "AppKeys": $(json_string "$vm/appkeys.json"),
    "EncryptedEnv": $(json_string "$vm/encrypted-env"),
    "DecryptedEnv": $(json_string "$vm/decrypted-env"),
    "DecryptedEnvJson": $(json_string "$vm/decrypted-env.json")
  },
  "Tdx": { "Mode": "simulated", "StateDirectory": $(json_string "$vm/td") },
  "Boot": {
    "BeforeServing": true,
    "KernelCommandLine": $(json_string "$vm/cmdline"),
    "KmsRetryTimeoutSeconds": 30,
    "KmsRetryInitialDelayMilliseconds": 200,
    "KmsRetryMaxDelaySeconds": 2
  }
}
EOF
}

check_built() {
  for dll in "$AGENT_DLL" "$KMS_DLL" "$GOV_DLL"; do
    [ -f "$dll" ] || die "$dll is missing: build with 'dotnet build -c $CONFIGURATION' (or run without --no-build)"
  done
}

# ---------------------------------------------------------------------------------------------------------------
if [ "$command" = boot-vm ]; then
  [ -d "$STATE" ] || die "no stack in '$STATE': start it with '$0 --state-dir $STATE' first"
  STATE=$(cd "$STATE" && pwd)
  [ -f "$STATE/stack.env" ] && [ -f "$STATE/onchain.pid" ] && kill -0 "$(cat "$STATE/onchain.pid")" 2>/dev/null \
    || die "the stack in '$STATE' is not running: start it with '$0 --state-dir $STATE' first"
  # shellcheck source=/dev/null
  . "$STATE/stack.env"
  APP=$DSTACK_CHAIN_APP KMS_URL=$DSTACK_CHAIN_KMS_URL OS_IMAGE_HASH=$DSTACK_CHAIN_OS_IMAGE_HASH
  check_built
  vm=$STATE/vm-$vm_name
  [ ! -e "$vm" ] || die "$vm exists already: pick another NAME for a fresh VM"
  prepare_vm "$vm" false
  echo "Booting VM '$vm_name' of app $APP (compose hash $(gov compose-hash "$vm/app-compose.json")) against $KMS_URL ..."
  mkdir -p "$STATE/logs"
  set +e
  agent boot --config "$vm/agent.json" > "$STATE/logs/vm-$vm_name.log" 2>&1
  status=$?
  set -e
  if [ "$status" -eq 0 ] && [ -f "$vm/appkeys.json" ]; then
    echo "VM '$vm_name' booted: the KMS released its keys ($vm/appkeys.json)."
  else
    grep -h '^dstack-agent' "$STATE/logs/vm-$vm_name.log" >&2 || tail -n 10 "$STATE/logs/vm-$vm_name.log" >&2
    echo "VM '$vm_name' did not boot (exit code $status); no keys were written. Log: $STATE/logs/vm-$vm_name.log" >&2
    [ "$status" -ne 0 ] || status=1
  fi
  exit "$status"
fi

# --- up ---------------------------------------------------------------------------------------------------------
[ -x "$ANVIL" ] || die "anvil is not installed: run 'npm ci --prefix tests' in $ROOT first (it installs the pinned test tools, anvil among them, into tests/node_modules)"
command -v "$DOTNET" > /dev/null || die "'$DOTNET' not found: install the .NET 10 SDK (or set DOTNET)"

if [ -e "$STATE" ]; then
  [ -d "$STATE" ] || die "'$STATE' exists and is not a directory"
  if [ -f "$STATE/$MARKER" ]; then
    if [ -f "$STATE/onchain.pid" ] && kill -0 "$(cat "$STATE/onchain.pid")" 2>/dev/null; then
      die "a stack already runs in '$STATE' (pid $(cat "$STATE/onchain.pid")); stop it first or pick another --state-dir"
    fi
    rm -rf "$STATE"
  elif [ -n "$(ls -A "$STATE")" ]; then
    die "'$STATE' is not empty and was not made by this script; pick another --state-dir"
  fi
fi
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)
touch "$STATE/$MARKER"
mkdir -p "$STATE/logs" "$STATE/kms" "$STATE/bin"
echo $$ > "$STATE/onchain.pid"
DSTACK_SOCK=$STATE/dstack.sock
TAPPD_SOCK=$STATE/tappd.sock
RPC=http://127.0.0.1:$ANVIL_PORT/
KMS_URL=https://localhost:$KMS_PORT

PIDS=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ ${#PIDS[@]} -gt 0 ]; then
    echo "Stopping the stack ..."
    local i pid waited
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
      pid=${PIDS[i]}
      kill -TERM "$pid" 2>/dev/null || continue
      waited=0
      while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 100 ]; do sleep 0.1; waited=$((waited + 1)); done
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    done
  fi
  rm -f "$DSTACK_SOCK" "$TAPPD_SOCK" "$STATE/onchain.pid"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$NO_BUILD" != 1 ]; then
  echo "Building dstack-agent, dstack-kms and dstack-gov ($CONFIGURATION) ..."
  # one build of the three commands (and what they reference): packaging/local-stack/commands.slnf
  "$DOTNET" build "$ROOT/packaging/local-stack/commands.slnf" -c "$CONFIGURATION" --nologo -v quiet > "$STATE/logs/build.log" 2>&1 \
    || { cat "$STATE/logs/build.log" >&2; die "dotnet build failed (log: $STATE/logs/build.log)"; }
fi
check_built

# 1. the chain
echo "Starting anvil on $RPC (chain id $CHAIN_ID) ..."
"$ANVIL" --host 127.0.0.1 --port "$ANVIL_PORT" --chain-id "$CHAIN_ID" > "$STATE/logs/anvil.log" 2>&1 &
PIDS+=($!)
wait_for_line "$STATE/logs/anvil.log" "Listening on" "${PIDS[0]}" 30 anvil

# 2. the contracts, sent from the dev account (the key goes to dstack-gov in a file, never on the command line)
KEY_FILE=$STATE/deployer.key
(umask 077 && printf '%s\n' "$DEV_ACCOUNT_KEY" > "$KEY_FILE")
chain=(--rpc "$RPC" --chain-id "$CHAIN_ID")
echo "Deploying DstackKms and DstackApp with dstack-gov (from anvil's dev account 0) ..."
deployed=$(gov deploy-kms "${chain[@]}" --key-file "$KEY_FILE" --json)
KMS_CONTRACT=$(json_field kms <<< "$deployed")
OWNER=$(json_field owner <<< "$deployed")
[ -n "$KMS_CONTRACT" ] || die "deploy-kms printed no address: $deployed"
# the OS image every simulated TD of this stack boots: the default simulated bundle (os-image-verification §7), whose
# os_image_hash is sha256 of its sha256sum.txt; the KMS checks each VM's registers against it
OS_IMAGE_HASH=$(agent simulated-vm-config --state-dir "$STATE/platform" | sed -n 's/.*"os_image_hash":"\([0-9a-f]\{64\}\)".*/\1/p')
[ -n "$OS_IMAGE_HASH" ] || die "dstack-agent simulated-vm-config printed no os_image_hash"
gov add-os-image "${chain[@]}" --key-file "$KEY_FILE" --kms "$KMS_CONTRACT" "$OS_IMAGE_HASH" > /dev/null
# the simulated TDs of this stack all run on one simulated machine, so one device id; allow any device here
# (pin it afterwards with add-device + set-allow-any-device false, see below)
deployed=$(gov deploy-app "${chain[@]}" --key-file "$KEY_FILE" --kms "$KMS_CONTRACT" --allow-any-device --json)
APP=$(json_field app_id <<< "$deployed")
[ -n "$APP" ] || die "deploy-app printed no address: $deployed"

# the simulated platform: its mock DCAP root is what the KMS trusts; every TD of this stack copies its seed
agent quote --simulated --state-dir "$STATE/platform" --report-data 00 > /dev/null

VM=$STATE/vm
prepare_vm "$VM" true
COMPOSE_HASH=$(gov compose-hash "$VM/app-compose.json")
gov add-compose-hash "${chain[@]}" --key-file "$KEY_FILE" --app "$APP" "$COMPOSE_HASH" > /dev/null

# 3. the KMS
mkdir -p "$STATE/kms/td"
install -m 600 "$STATE/platform/mock-attestation-seed" "$STATE/kms/td/mock-attestation-seed"
cat > "$STATE/kms/kms.json" <<EOF
{
  "Production": false,
  "Listen": { "Address": "127.0.0.1", "Port": $KMS_PORT, "Domain": "localhost" },
  "KeyStore": { "Directory": $(json_string "$STATE/kms/keys") },
  "Tdx": { "Mode": "simulated", "StateDirectory": $(json_string "$STATE/kms/td") },
  "TrustRoot": { "Kind": "simulated", "SimulatedStateDirectory": $(json_string "$STATE/platform") },
  "Policy": {
    "Kind": "onchain",
    "RpcUrls": [ $(json_string "$RPC") ],
    "ChainId": $CHAIN_ID,
    "KmsContract": "$KMS_CONTRACT",
    "BlockTag": "latest",
    "TimeoutSeconds": 10
  }
}
EOF
# the KMS is a dstack app too: measure its TD, read its identity, and allow that identity on chain
kms measure-simulated-td --config "$STATE/kms/kms.json" > /dev/null
identity=$(kms identity --config "$STATE/kms/kms.json") || die "dstack-kms identity failed"
KMS_MR=$(json_field mrAggregated <<< "$identity")
KMS_DEVICE_ID=$(json_field deviceId <<< "$identity")
KMS_OS_IMAGE_HASH=$(json_field osImageHash <<< "$identity")
[ -n "$KMS_MR" ] && [ -n "$KMS_DEVICE_ID" ] || die "dstack-kms identity printed no mrAggregated/deviceId: $identity"
[ "$KMS_OS_IMAGE_HASH" = "$OS_IMAGE_HASH" ] || die "the KMS reports OS image '$KMS_OS_IMAGE_HASH', expected $OS_IMAGE_HASH"
echo "Allowing the KMS itself on chain (mrAggregated $KMS_MR) ..."
gov add-kms-mr "${chain[@]}" --key-file "$KEY_FILE" --kms "$KMS_CONTRACT" "$KMS_MR" > /dev/null
gov add-kms-device "${chain[@]}" --key-file "$KEY_FILE" --kms "$KMS_CONTRACT" "$KMS_DEVICE_ID" > /dev/null
echo "Starting dstack-kms on $KMS_URL (on-chain policy) ..."
"$DOTNET" "$KMS_DLL" run --config "$STATE/kms/kms.json" > "$STATE/logs/kms.log" 2>&1 &
PIDS+=($!)
wait_for_line "$STATE/logs/kms.log" "Now listening on" "${PIDS[1]}" 60 dstack-kms

cat > "$STATE/stack.env" <<EOF
DSTACK_CHAIN_RPC=$RPC
DSTACK_CHAIN_ID=$CHAIN_ID
DSTACK_CHAIN_KMS_CONTRACT=$KMS_CONTRACT
DSTACK_CHAIN_APP=$APP
DSTACK_CHAIN_OWNER=$OWNER
DSTACK_CHAIN_COMPOSE_HASH=$COMPOSE_HASH
DSTACK_CHAIN_OS_IMAGE_HASH=$OS_IMAGE_HASH
DSTACK_CHAIN_KMS_URL=$KMS_URL
DSTACK_CHAIN_KMS_MR=$KMS_MR
DSTACK_CHAIN_KMS_DEVICE_ID=$KMS_DEVICE_ID
DSTACK_CHAIN_KMS_KEYS=$STATE/kms/keys
DSTACK_CHAIN_KEY_FILE=$KEY_FILE
DSTACK_CHAIN_VM=$VM
DSTACK_CHAIN_DSTACK_SOCK=$DSTACK_SOCK
DSTACK_CHAIN_TAPPD_SOCK=$TAPPD_SOCK
EOF

# 4. the VM: boot against the KMS (measure, get keys), then serve
echo "Booting the VM of app $APP against the KMS, then serving its sockets ..."
"$DOTNET" "$AGENT_DLL" run --config "$VM/agent.json" > "$STATE/logs/agent.log" 2>&1 &
PIDS+=($!)
agent_pid=${PIDS[2]}
deadline=$((SECONDS + 90))
until [ -S "$DSTACK_SOCK" ] && [ -S "$TAPPD_SOCK" ]; do
  if ! kill -0 "$agent_pid" 2>/dev/null; then
    grep -h '^dstack-agent' "$STATE/logs/agent.log" >&2 || tail -n 25 "$STATE/logs/agent.log" >&2
    die "the VM did not boot; agent log: $STATE/logs/agent.log, KMS log: $STATE/logs/kms.log"
  fi
  [ "$SECONDS" -lt "$deadline" ] || { tail -n 25 "$STATE/logs/agent.log" >&2; die "the agent did not serve within 90 s"; }
  sleep 0.1
done

# the device id of the simulated machine (sha256 of the PCK certificate's PPID), as the KMS measures it for its own TD
# and for every VM of this stack (one machine); the agent's Info reports sha256("") as dstack does, because a TD cannot
# see the PPID of its own quote
DEVICE_ID=$KMS_DEVICE_ID
echo "DSTACK_CHAIN_DEVICE_ID=$DEVICE_ID" >> "$STATE/stack.env"

# wrappers, so the commands below can be pasted as they are
for tool in dstack-agent:"$AGENT_DLL" dstack-gov:"$GOV_DLL" dstack-kms:"$KMS_DLL"; do
  name=${tool%%:*} dll=${tool#*:}
  printf '#!/bin/sh\nexec %s %s "$@"\n' "$(printf '%q' "$DOTNET")" "$(printf '%q' "$dll")" > "$STATE/bin/$name"
  chmod +x "$STATE/bin/$name"
done
G=$STATE/bin/dstack-gov
SELF=$ROOT/packaging/local-stack/${BASH_SOURCE[0]##*/}

cat <<EOF

The local stack runs on a local chain (the on-chain KMS policy, simulated TDX):
  chain            anvil at $RPC, chain id $CHAIN_ID
  DstackKms        $KMS_CONTRACT (owner $OWNER, anvil's dev account 0)
  DstackApp        $APP (the app id; any device allowed)
  device id        $DEVICE_ID (of the simulated machine, as the KMS measures it: dstack-kms identity)
  compose hash     $COMPOSE_HASH ($VM/app-compose.json)
  OS image hash    $OS_IMAGE_HASH
  dstack-kms       $KMS_URL (keys in $STATE/kms/keys; allowed on chain as mrAggregated $KMS_MR)
  VM               $VM: booted, keys released by the KMS because the chain allows the compose hash
  dstack.sock      $DSTACK_SOCK
  tappd.sock       $TAPPD_SOCK
  logs             $STATE/logs/{anvil,kms,agent}.log; values for scripts in $STATE/stack.env

Try:
  curl --unix-socket $DSTACK_SOCK http://localhost/Info
  curl --unix-socket $DSTACK_SOCK 'http://localhost/GetKey?path=my/key&purpose=signing'
  curl --unix-socket $TAPPD_SOCK http://localhost/prpc/Tappd.Info
  export DSTACK_SIMULATOR_ENDPOINT=$DSTACK_SOCK TAPPD_SIMULATOR_ENDPOINT=$TAPPD_SOCK  # official SDKs
Audit and govern (dstack-gov is $G; the dev key is in $KEY_FILE):
  $G verify --rpc $RPC --kms $KMS_CONTRACT --app $APP --agent $DSTACK_SOCK --expect-owner $OWNER
  $G history --rpc $RPC --app $APP
  $G remove-compose-hash --rpc $RPC --key-file $KEY_FILE --app $APP $COMPOSE_HASH
  $SELF boot-vm second --state-dir $STATE   # a fresh VM: refused, "Compose hash not allowed"
  $G add-compose-hash --rpc $RPC --key-file $KEY_FILE --app $APP --compose $VM/app-compose.json
  $G add-device --rpc $RPC --key-file $KEY_FILE --app $APP $DEVICE_ID   # pin the device, then
  $G set-allow-any-device --rpc $RPC --key-file $KEY_FILE --app $APP false
(verify without --expect-owner fails the owner check: a single key, anvil's dev account, owns the contracts.)
EOF
echo "Press Ctrl-C to stop."   # a builtin: from here on the script runs no process besides the three

# serve until Ctrl-C, SIGTERM, or one of the three exits
set +e
wait -n "${PIDS[@]}"
status=$?
set -e
echo "$PROGRAM: a process of the stack exited (code $status); see $STATE/logs" >&2
exit 1
