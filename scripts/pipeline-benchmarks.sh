#!/bin/bash
# The pipeline measurements of BENCHMARKS.md ("Pipeline load", latest run), in order, on a quiet
# machine. Build first: dotnet build -c Release SiteHub.sln. Results: $OUT (default /tmp/measure),
# one .json/.out per run and a log with the start time and load average of each.
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/measure}; mkdir -p "$OUT"
SIM="dotnet $PWD/simulators/SiteHub.Simulators/bin/Release/net10.0/SiteHub.Simulators.dll"
BEN="dotnet $PWD/benchmarks/SiteHub.Benchmarks/bin/Release/net10.0/SiteHub.Benchmarks.dll"
run() { name=$1; shift; echo "== $name $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/log"; "$@" > "$OUT/$name.out" 2>&1; echo "rc=$? end $(date -u +%H:%M:%S)" | tee -a "$OUT/log"; }
run gw-single  $SIM load --devices 200 --rate 10000 --duration 60 --batch 1 --gateway-process --no-hub --warmup 5 --out "$OUT/gw-single.json"
run gw-batched $SIM load --devices 200 --rate 40000 --duration 20 --batch 200 --gateway-process --no-hub --warmup 5 --out "$OUT/gw-batched.json"
run e2e-1000   $SIM load --devices 200 --rate 1000 --duration 60 --batch 1 --gateway-process --warmup 10 --out "$OUT/e2e-1000.json"
run replay     $SIM load --devices 200 --rate 1000 --duration 30 --batch 1 --gateway-process --replay 100000 --warmup 10 --out "$OUT/replay.json"
# the whole hub alone, with the hub's own GC settings (server GC, no DATAS)
run hub-ingest-5k   env DOTNET_gcServer=1 DOTNET_GCDynamicAdaptationMode=0 $BEN hub-ingest 4 800000 500 4 5000 influx 200000
run hub-ingest-100k env DOTNET_gcServer=1 DOTNET_GCDynamicAdaptationMode=0 $BEN hub-ingest 4 800000 500 4 100000 influx 200000
run baselines  $SIM load --devices 200 --rate 20000 --duration 20 --batch 1 --gateway-process --no-hub --baselines --warmup 5 --out "$OUT/baselines.json"
# scaling: gateway alone, single-punch messages, offered more than it takes, by device count
for d in 50 100 200 400; do run scale-dev-$d $SIM load --devices $d --rate 20000 --duration 15 --batch 1 --gateway-process --no-hub --warmup 3 --out "$OUT/scale-dev-$d.json"; done
# scaling: with the hub, by offered rate
for r in 500 2000 4000; do run scale-rate-$r $SIM load --devices 200 --rate $r --duration 20 --batch 1 --gateway-process --warmup 5 --out "$OUT/scale-rate-$r.json"; done
# peer comparison: SiteHub end to end beside a site mosquitto bridged to a central one, same run
run peer $SIM load --devices 200 --rate 10000 --duration 20 --batch 1 --gateway-process --baselines --warmup 5 --out "$OUT/peer.json"
