#!/usr/bin/env bash
# Shows, with strace, that the gateway sends a device its PUBACK only after fsync of the commit
# that holds the punch. Starts a gateway under strace, registers a device, publishes N punches
# with mosquitto_pub (QoS 1, one connection each), then prints, per PUBACK, the syscalls before it.
# Usage: bash scripts/strace-durability.sh [N]    (needs: strace, mosquitto-clients; a built gateway)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
http=$(( 20000 + RANDOM % 10000 )); mqtt=$(( 30000 + RANDOM % 10000 ))
dll=gateway/SiteHub.Gateway/bin/Debug/net10.0/SiteHub.Gateway.dll
[ -f "$dll" ] || dotnet build gateway/SiteHub.Gateway -c Debug >/dev/null

strace -f -qq -tt -y -e trace=fsync,fdatasync,pwrite64,write,sendmsg,sendto -e signal=none -s 8 -o "$work/trace" \
  dotnet "$dll" --urls "http://127.0.0.1:$http" --Gateway:SiteId=strace --Gateway:DataPath="$work/data" \
  --SiteBroker:Port=$mqtt --Uplink:Port=1 --Uplink:Password=x --Admin:Password=strace-admin \
  --Serilog:MinimumLevel:Default=Warning >"$work/gateway.log" 2>&1 &
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$http/health" >/dev/null 2>&1 && break; sleep 0.2; done
curl -sf -u admin:strace-admin -H 'Content-Type: application/json' \
  -d '{"sn":"STRACE-1","secret":"strace-secret","gate":"g","direction":"in"}' "http://127.0.0.1:$http/api/devices" >/dev/null
for i in $(seq "$n"); do
  mosquitto_pub -h 127.0.0.1 -p $mqtt -i STRACE-1 -u STRACE-1 -P strace-secret -q 1 -t devices/STRACE-1/punches \
    -m "{\"sn\":\"STRACE-1\",\"seq\":$i,\"person\":\"W$i\",\"time\":\"2026-03-02T07:30:00+08:00\",\"dir\":\"in\",\"mode\":\"face\"}"
done
sleep 1
pkill -f "Gateway:DataPath=$work/data" || true
wait 2>/dev/null || true

# The log file's descriptor: the fd pwrite64 writes LiteDB's pages to right before each fsync.
python3 - "$work/trace" "$n" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
acks = fsyncs_before = 0
last_fsync_after_write = False
pending_write = False
for line in lines:
    if re.search(r'pwrite64\(\d+<[^>]*outbox-log\.db>', line):
        pending_write = True
        last_fsync_after_write = False
    elif re.search(r'\bfsync\(\d+<[^>]*outbox-log\.db>', line) and '= 0' in line:
        if pending_write:
            last_fsync_after_write = True
            pending_write = False
    elif re.search(r'send(msg|to)\(.*"@\\2', line):  # MQTT PUBACK: 0x40 0x02 …
        acks += 1
        if last_fsync_after_write:
            fsyncs_before += 1
        else:
            print("PUBACK NOT preceded by an fsync of its commit:", line)
        last_fsync_after_write = False
print(f"PUBACKs sent: {acks}; preceded by pwrite64 of the commit then fsync: {fsyncs_before}")
print("Sequence around the last PUBACK:")
idx = max(i for i, l in enumerate(lines) if re.search(r'send(msg|to)\(.*"@\\2', l))
for l in lines[max(0, idx - 6):idx + 1]:
    print("  " + l)
sys.exit(0 if acks == int(sys.argv[2]) == fsyncs_before else 1)
PY
