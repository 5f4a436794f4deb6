#!/usr/bin/env bash
# Installs what the tests need (Debian packages: real servers the fixtures start on loopback,
# Chromium for the browser tests, strace for the durability check) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pair in mosquitto:/usr/sbin/mosquitto mosquitto-clients:/usr/bin/mosquitto_pub \
            victoria-metrics:/usr/bin/victoria-metrics chromium:/usr/bin/chromium \
            fonts-noto-cjk:/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc strace:/usr/bin/strace \
            docker-compose:/usr/bin/docker-compose; do
  [ -x "${pair#*:}" ] || need+=("${pair%%:*}")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing test prerequisites: ${need[*]}"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build SiteHub.sln -c Debug
# One test module at a time: the end-to-end, fault and browser tests time real processes on 2 cores.
dotnet test --solution SiteHub.sln -c Debug --no-build --max-parallel-test-modules 1 "$@"
