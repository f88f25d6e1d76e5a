#!/bin/bash
# SPDX-License-Identifier: MIT
# Installs every build, test and benchmark dependency of sluice from Debian's
# packages. Idempotent: when every package is already installed it does nothing,
# otherwise it runs `apt-get update` once and installs what is missing.
set -euo pipefail

PKGS=(
	# build
	build-essential meson ninja-build pkg-config clang lld llvm
	libclang-rt-14-dev
	# dataplane
	dpdk dpdk-dev libdpdk-dev libpcap-dev libnuma-dev libsrtp2-dev libspandsp-dev
	libbsd-dev libelf-dev nettle-dev
	# control plane: HTTP API, CDR store
	libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3
	# config and tests
	libconfig-dev libcriterion-dev
	# lab, peers and tools
	sip-tester kamailio kamailio-extra-modules curl jq tshark tcpdump iproute2 nftables iputils-ping iputils-arping
	python3 procps psmisc util-linux ethtool
)

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	     grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "setup.sh: must run as root to install: ${missing[*]}" >&2
	exit 1
fi

echo "setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"

# Kamailio is a benchmark peer started by scripts/bench, never a system
# service: on a box with systemd, keep the packaged unit from listening on
# the host's SIP port.
if [ -d /run/systemd/system ] && systemctl is-enabled -q kamailio 2>/dev/null; then
	systemctl disable --now kamailio || true
fi
