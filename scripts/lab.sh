#!/bin/bash
# SPDX-License-Identifier: MIT
# The namespace lab: test hosts for the appliance, made of network namespaces,
# veth pairs and one Linux bridge, all addressed in 198.18.0.0/15.
#
#   lab.sh up|down|status [--name PREFIX]      (root only; default prefix "sl")
#
#            root namespace                       namespaces
#   sluice ── <p>dp0 ═ <p>dp0b ─┐
#   (198.18.0.1,                │
#    gw 198.18.0.254)      <p>br0 ── <p>h1b ═ eth0 [<p>h1]  198.18.0.11/24
#                          (no IP)── <p>h2b ═ eth0 [<p>h2]  198.18.0.12/24
#                               └─── <p>gwb ═ eth0 [<p>gw]  198.18.0.254/24
#                                             eth1 [<p>gw]  198.18.1.254/24
#                                               ═ eth0 [<p>h3] 198.18.1.11/24
#                                                  (default via 198.18.1.254)
#
# sluice opens <p>dp0 with `net_af_packet0,iface=<p>dp0`; that interface has
# no IP, so the root namespace's stack stays out of the way. Checksum and
# segmentation offloads are off on every veth so AF_PACKET sees complete
# frames with real checksums, and IPv6 is off on every lab interface so the
# appliance's port sees only the traffic a test sends (plus ARP).
#
# `up` is idempotent (it makes only what is missing) and prints what it made;
# `down` removes everything with the prefix, also after a partial `up`.
# Exit codes: 0 ok (status: fully up), 1 failure, 2 usage; status: 3 down,
# 4 partly up.
set -euo pipefail

usage() {
	echo "usage: $0 up|down|status [--name PREFIX]" >&2
	echo "  PREFIX: 1-10 chars [a-z0-9], default 'sl'" >&2
	exit 2
}

[ $# -ge 1 ] || usage
cmd=$1
shift
P=sl
while [ $# -gt 0 ]; do
	case $1 in
	--name) [ $# -ge 2 ] || usage; P=$2; shift 2 ;;
	--name=*) P=${1#--name=}; shift ;;
	*) usage ;;
	esac
done
# The longest name made is <p>dp0b: Linux ifnames hold at most 15 chars.
[[ $P =~ ^[a-z0-9]{1,10}$ ]] || usage

if [ "$(id -u)" -ne 0 ]; then
	echo "lab.sh: must run as root" >&2
	exit 1
fi

BR=${P}br0
DP=${P}dp0
DPB=${P}dp0b
NS_HOSTS=("${P}h1" "${P}h2")
HOST_ADDRS=(198.18.0.11/24 198.18.0.12/24)
NS_GW=${P}gw
NS_H3=${P}h3
ALL_NS=("${P}h1" "${P}h2" "$NS_GW" "$NS_H3")
# Root-namespace ends of the host veths (bridge ports).
ROOT_LINKS=("$DP" "$DPB" "${P}h1b" "${P}h2b" "${P}gwb" "$BR")

made=()
note() { made+=("$1"); }

link_exists() { ip link show dev "$1" >/dev/null 2>&1; }
ns_exists() { [ -e "/run/netns/$1" ]; }
ns_link_exists() { ip -n "$1" link show dev "$2" >/dev/null 2>&1; }

# quiet_ipv6 NS|"" DEV: no IPv6 on DEV (NS "" = root namespace).
quiet_ipv6() {
	local ns=$1 dev=$2
	if [ -n "$ns" ]; then
		ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1" \
			>/dev/null 2>&1 || true
	else
		sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1" >/dev/null 2>&1 || true
	fi
}

# no_offload NS|"" DEV: full checksums and no GSO/GRO on DEV. Some features
# may be fixed on a kernel; ethtool then complains, which is fine as long as
# tx checksumming ends up off (checked).
no_offload() {
	local ns=$1 dev=$2
	local run=()
	[ -n "$ns" ] && run=(ip netns exec "$ns")
	"${run[@]}" ethtool -K "$dev" tx off rx off gso off tso off gro off \
		>/dev/null 2>&1 || true
	if "${run[@]}" ethtool -k "$dev" 2>/dev/null |
	   grep -q '^tx-checksumming: on'; then
		echo "lab.sh: cannot turn tx checksum offload off on $dev${ns:+ in $ns}" >&2
		return 1
	fi
}

ns_make() {
	local ns=$1
	if ! ns_exists "$ns"; then
		ip netns add "$ns"
		note "netns $ns"
	fi
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 >/dev/null
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 >/dev/null
}

# host_leg NS ROOTNAME ADDR: veth eth0 in NS (ADDR) whose peer ROOTNAME is a
# port of the bridge.
host_leg() {
	local ns=$1 rootname=$2 addr=$3
	if ! ns_link_exists "$ns" eth0; then
		# A peer left over from a partial up would block the name.
		link_exists "$rootname" && ip link del "$rootname"
		ip link add "$rootname" type veth peer name eth0 netns "$ns"
		note "veth $rootname <-> $ns:eth0"
	fi
	quiet_ipv6 "" "$rootname"
	quiet_ipv6 "$ns" eth0
	no_offload "" "$rootname"
	no_offload "$ns" eth0
	ip link set "$rootname" master "$BR" up
	if ! ip -n "$ns" -4 addr show dev eth0 | grep -q "inet ${addr%/*}/"; then
		ip -n "$ns" addr add "$addr" dev eth0
		note "$ns:eth0 $addr"
	fi
	ip -n "$ns" link set eth0 up
}

lab_up() {
	# Bridge: no STP and no forward delay, so ports forward at once.
	if ! link_exists "$BR"; then
		ip link add "$BR" type bridge stp_state 0 forward_delay 0
		note "bridge $BR"
	fi
	quiet_ipv6 "" "$BR"
	ip link set "$BR" up

	# The appliance's port.
	if ! link_exists "$DP" || ! link_exists "$DPB"; then
		link_exists "$DP" && ip link del "$DP"
		link_exists "$DPB" && ip link del "$DPB"
		ip link add "$DP" type veth peer name "$DPB"
		note "veth $DP <-> $DPB (appliance port)"
	fi
	for d in "$DP" "$DPB"; do
		quiet_ipv6 "" "$d"
		no_offload "" "$d"
	done
	ip link set "$DPB" master "$BR" up
	ip link set "$DP" up

	# Hosts on the appliance's subnet.
	local i
	for i in 0 1; do
		ns_make "${NS_HOSTS[$i]}"
		host_leg "${NS_HOSTS[$i]}" "${NS_HOSTS[$i]}b" "${HOST_ADDRS[$i]}"
	done

	# The router: eth0 on the bridge, eth1 to h3.
	ns_make "$NS_GW"
	host_leg "$NS_GW" "${P}gwb" 198.18.0.254/24
	ip netns exec "$NS_GW" sysctl -qw net.ipv4.ip_forward=1 >/dev/null

	ns_make "$NS_H3"
	if ! ns_link_exists "$NS_GW" eth1 || ! ns_link_exists "$NS_H3" eth0; then
		ns_link_exists "$NS_GW" eth1 && ip -n "$NS_GW" link del eth1
		ns_link_exists "$NS_H3" eth0 && ip -n "$NS_H3" link del eth0
		ip link add eth1 netns "$NS_GW" type veth peer name eth0 netns "$NS_H3"
		note "veth $NS_GW:eth1 <-> $NS_H3:eth0"
	fi
	quiet_ipv6 "$NS_GW" eth1
	quiet_ipv6 "$NS_H3" eth0
	no_offload "$NS_GW" eth1
	no_offload "$NS_H3" eth0
	if ! ip -n "$NS_GW" -4 addr show dev eth1 | grep -q 'inet 198.18.1.254/'; then
		ip -n "$NS_GW" addr add 198.18.1.254/24 dev eth1
		note "$NS_GW:eth1 198.18.1.254/24"
	fi
	if ! ip -n "$NS_H3" -4 addr show dev eth0 | grep -q 'inet 198.18.1.11/'; then
		ip -n "$NS_H3" addr add 198.18.1.11/24 dev eth0
		note "$NS_H3:eth0 198.18.1.11/24"
	fi
	ip -n "$NS_GW" link set eth1 up
	ip -n "$NS_H3" link set eth0 up
	if ! ip -n "$NS_H3" route show default | grep -q 'via 198.18.1.254'; then
		ip -n "$NS_H3" route replace default via 198.18.1.254 dev eth0
		note "$NS_H3 default via 198.18.1.254"
	fi

	if [ ${#made[@]} -eq 0 ]; then
		echo "lab $P: already up"
	else
		echo "lab $P: made"
		printf '  %s\n' "${made[@]}"
	fi
	echo "lab $P: appliance port $DP (net_af_packet0,iface=$DP)," \
		"appliance 198.18.0.1/24 gw 198.18.0.254;" \
		"hosts ${P}h1 198.18.0.11, ${P}h2 198.18.0.12, $NS_H3 198.18.1.11 via $NS_GW"
}

lab_down() {
	local ns l
	# Deleting a namespace deletes its veth ends, and with them their peers.
	for ns in "${ALL_NS[@]}"; do
		if ns_exists "$ns"; then
			ip netns del "$ns"
			note "netns $ns"
		fi
	done
	for l in "${ROOT_LINKS[@]}"; do
		if link_exists "$l"; then
			ip link del "$l" 2>/dev/null || true
			note "link $l"
		fi
	done
	# A namespace's links disappear asynchronously; wait (bounded) until no
	# link of ours is left, so an immediate `up` does not trip over one.
	local tries=0 left
	while [ $tries -lt 50 ]; do
		left=0
		for l in "${ROOT_LINKS[@]}"; do
			link_exists "$l" && left=1
		done
		[ $left -eq 0 ] && break
		sleep 0.1
		tries=$((tries + 1))
	done
	if [ $left -ne 0 ]; then
		echo "lab.sh: links of lab $P still present after down" >&2
		return 1
	fi
	if [ ${#made[@]} -eq 0 ]; then
		echo "lab $P: nothing to remove"
	else
		echo "lab $P: removed"
		printf '  %s\n' "${made[@]}"
	fi
}

lab_status() {
	local up=0 ns l
	for l in "${ROOT_LINKS[@]}"; do
		if link_exists "$l"; then
			ip -br link show dev "$l"
			up=$((up + 1))
		fi
	done
	for ns in "${ALL_NS[@]}"; do
		if ns_exists "$ns"; then
			echo "netns $ns:"
			ip -n "$ns" -br -4 addr show | sed 's/^/  /'
			up=$((up + 1))
		fi
	done
	local total=$(( ${#ROOT_LINKS[@]} + ${#ALL_NS[@]} ))
	if [ $up -eq 0 ]; then
		echo "lab $P: down"
		return 3
	elif [ $up -lt $total ]; then
		echo "lab $P: partial ($up of $total parts)"
		return 4
	fi
	echo "lab $P: up"
}

case $cmd in
up)
	# Not `if ! lab_up`: that would switch errexit off inside it.
	trap 'echo "lab.sh: up failed (line $LINENO); run \"$0 down --name $P\" to clean up" >&2' ERR
	lab_up
	;;
down) lab_down ;;
status)
	rc=0
	lab_status || rc=$?
	exit $rc
	;;
*) usage ;;
esac
