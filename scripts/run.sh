#!/bin/bash
# SPDX-License-Identifier: MIT
# Sets up the machine (Debian packages), builds sluice, and runs it in the
# foreground on a config (default config/sluice.conf). With the default
# config the appliance's port is a net_tap interface; once it appears this
# script gives the host side an address so the appliance can be reached from
# this machine. Ctrl-C (or SIGTERM) stops it cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."

CONF=${1:-config/sluice.conf}
HOST_ADDR=${SLUICE_HOST_ADDR:-198.18.0.2/24}

if [ "$(id -u)" -ne 0 ]; then
	echo "run.sh: run as root (DPDK needs it)" >&2
	exit 1
fi
./scripts/setup.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null

./build/controlplane/sluice --check-config "$CONF"

./build/controlplane/sluice -c "$CONF" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid' INT TERM

# The tap's name, if the config's port is a net_tap.
tap=$(sed -n 's/.*device *= *"net_tap[0-9]*,.*iface=\([A-Za-z0-9_.-]*\).*/\1/p' \
	"$CONF" | head -n1)
if [ -n "$tap" ]; then
	for _ in $(seq 1 100); do
		ip link show "$tap" >/dev/null 2>&1 && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	if ip link show "$tap" >/dev/null 2>&1; then
		ip addr replace "$HOST_ADDR" dev "$tap"
		ip link set "$tap" up
		addr=$(sed -n 's/.*address *= *"\([0-9.]*\)".*/\1/p' "$CONF" | head -n1)
		# the config's api.listen and cdr.path, else their defaults
		api=$(sed -n 's/^[[:space:]]*listen *= *"\([0-9.:]*\)".*/\1/p' "$CONF" | head -n1)
		api=${api:-127.0.0.1:8080}
		cdrs=$(sed -n 's/^[[:space:]]*path *= *"\([^"]*\)".*/\1/p' "$CONF" | head -n1)
		cdrs=${cdrs:-/var/lib/sluice/cdr.db}
		cat <<EOT
run.sh: sluice is running (pid $pid) on $CONF
run.sh:   its port is tap '$tap'; this host is ${HOST_ADDR%/*} on it
run.sh:   SIP:    udp $addr:5060   the config's tenants: their phones register (digest) and call
run.sh:           each other, DIDs and trunks (see the tenants in $CONF); OPTIONS 200
run.sh:   ping:   ping $addr
run.sh:   stats:  dpdk-telemetry.py -f $(sed -n 's/.*file_prefix *= *"\([^"]*\)".*/\1/p' "$CONF" | head -n1)   then /sluice/stats
run.sh:   API:    http://$api   (SLUICE_API=http://$api SLUICE_TOKEN=... scripts/sluicectl tenants; GET /metrics with the admin token)
run.sh:   CDRs:   $cdrs
run.sh:   registrations: saved in $(dirname "$cdrs")/registrations.db (unless registrar.path says
run.sh:           otherwise), so a restart keeps them
run.sh:   (the web pages are not built yet)
run.sh: Ctrl-C to stop
EOT
	fi
fi
wait $pid
