# SPDX-License-Identifier: MIT
# Shared functions of the end-to-end tests. Each test script sources this,
# calls e2e_init with a short tag, brings up its own lab (scripts/lab.sh
# with a prefix unique to the run), starts sluice on it, drives it with SIPp
# and friends from the lab's namespaces, and asserts. An EXIT trap always
# stops what the test started (by PID), takes the lab down and, on failure,
# prints the logs that explain it.
#
# Environment: SLUICE (the binary; default build/controlplane/sluice),
# SRCDIR (the source tree; default two levels up), E2E_KEEP=1 keeps the
# work directory even on success, E2E_PMD (af_packet, pcap or af_xdp)
# picks the driver of the lab port where a test does not.
# Addresses: everything stays inside 198.18.0.0/15 (see scripts/lab.sh).

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$E2E_DIR/../.." && pwd)}
SLUICE=${SLUICE:-$SRCDIR/build/controlplane/sluice}
LAB=$SRCDIR/scripts/lab.sh
TELEMETRY=$E2E_DIR/telemetry.py
# Debian's interpreter: a version manager's shim on PATH costs half a second
# per call.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

APPLIANCE=198.18.0.1
GATEWAY=198.18.0.254
H1=198.18.0.11
H2=198.18.0.12
H3=198.18.1.11
SIP_PORT=5060
SIPP_PORT=5070

E2E_NAME=
P=
FP=
WORK=
SLUICE_PID=
SLUICE_CONF=
SLUICE_LOG=
LAB_UP=0
BG_PIDS=()
E2E_FAILED=0

log() { echo "[$(date +%T.%3N)] $E2E_NAME: $*"; }

fail() {
	echo "[$(date +%T.%3N)] $E2E_NAME: FAIL: $*" >&2
	E2E_FAILED=1
	exit 1
}

# e2e_init TAG: TAG is 1-3 chars [a-z]; names the lab <e><TAG><pid>, the
# DPDK file prefix and the work directory after it.
e2e_init() {
	E2E_NAME=$(basename "$0" .sh)
	[ "$(id -u)" -eq 0 ] || { echo "$E2E_NAME: must run as root" >&2; exit 1; }
	[[ $1 =~ ^[a-z]{1,3}$ ]] || { echo "e2e_init: bad tag '$1'" >&2; exit 1; }
	P="e$1$(($$ % 100000))"
	FP="sluice-e2e-$P"
	WORK=$(mktemp -d "/tmp/sluice-e2e-$E2E_NAME.XXXXXX")
	SLUICE_CONF=$WORK/sluice.conf
	SLUICE_LOG=$WORK/sluice.log
	trap e2e_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	local tool
	for tool in sipp python3 ip ethtool tcpdump arping; do
		command -v "$tool" >/dev/null || fail "$tool is not installed (run scripts/setup.sh)"
	done
	[ -x "$SLUICE" ] || fail "no sluice binary at $SLUICE"
	log "lab $P, file prefix $FP, work dir $WORK"
}

# Runs at exit, whatever happened: stops our processes by PID, removes the
# lab, and on failure prints what helps.
e2e_cleanup() {
	local rc=$?
	[ $E2E_FAILED -eq 1 ] && [ $rc -eq 0 ] && rc=1
	set +e
	local pid
	for pid in "${BG_PIDS[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
		fi
	done
	if [ -n "$SLUICE_PID" ] && kill -0 "$SLUICE_PID" 2>/dev/null; then
		# The counters explain most failures: keep them before stopping.
		[ $rc -ne 0 ] && tel /sluice/stats >"$WORK/at_failure.json" 2>/dev/null
		sluice_stop
	fi
	if [ $LAB_UP -eq 1 ]; then
		"$LAB" down --name "$P" >/dev/null || echo "$E2E_NAME: lab down failed" >&2
	fi
	# EAL leaves its runtime directory behind; it is ours (unique prefix).
	[ -n "$FP" ] && rm -rf "/var/run/dpdk/$FP"
	if [ $rc -ne 0 ]; then
		echo "---- $E2E_NAME failed (exit $rc); work dir kept: $WORK" >&2
		if [ -s "$SLUICE_LOG" ]; then
			echo "---- sluice log (last 60 lines)" >&2
			tail -n 60 "$SLUICE_LOG" >&2
		fi
		if [ -s "$WORK/at_failure.json" ]; then
			echo "---- /sluice/stats at failure (non-zero counters)" >&2
			"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join("%s=%s" % (k, v) for k, v in sorted(d.items()) if v))' \
				"$WORK/at_failure.json" >&2
		fi
		local f
		for f in "$WORK"/*.err "$WORK"/*.logs; do
			[ -s "$f" ] || continue
			echo "---- $(basename "$f") (first 40 lines)" >&2
			head -n 40 "$f" | cut -c1-400 >&2
		done
	elif [ -n "$WORK" ] && [ "${E2E_KEEP:-0}" != 1 ]; then
		rm -rf "$WORK"
	fi
	exit $rc
}

lab_up() {
	LAB_UP=1
	"$LAB" up --name "$P" >"$WORK/lab.log" 2>&1 || { cat "$WORK/lab.log" >&2; fail "lab up"; }
}

# in_ns HOST CMD...: runs CMD in the lab namespace <p>HOST (h1, h2, h3, gw).
in_ns() {
	local ns=$P$1
	shift
	ip netns exec "$ns" "$@"
}

# port_device PMD: the DPDK device string for the lab port <p>dp0.
#   af_packet  net_af_packet (the default). Its AF_PACKET socket joins a
#              PACKET_FANOUT group with the defrag flag, so the kernel
#              reassembles IPv4 fragments before sluice sees them; framesz
#              20480 makes sluice give the port rx buffers that large, so a
#              datagram up to ~20 KB arrives whole instead of truncated.
#   pcap       net_pcap on the same interface: libpcap without fanout, so
#              fragments reach sluice as they are (its own reassembly).
#   af_xdp     net_af_xdp: an XDP socket on the same interface (copy mode
#              on a veth), sluice's mbuf pool as its UMEM.
port_device() {
	case $1 in
	af_packet) echo "net_af_packet0,iface=${P}dp0,blocksz=20480,framesz=20480" ;;
	pcap) echo "net_pcap0,iface=${P}dp0" ;;
	af_xdp) echo "net_af_xdp0,iface=${P}dp0" ;;
	*) fail "unknown PMD '$1'" ;;
	esac
}

# write_config WORKERS [PMD]: a sluice.conf for this lab with WORKERS workers
# (1 or 2). Lcores: 0 main, 1 io, 2.. workers, spread round-robin over the
# machine's CPUs like config/sluice.conf does (a 2-core CI box runs them
# all; idle lcores back off).
#
# The tenant "lab" owns 198.18.0.1:5060 and lab.example. Its users
# (device username / password): alice 1001 (alice / alicepass1), bob 1002
# (bob / bobpass22), carol 1003 (carol / carolpass3), dave 1004 (dave /
# davepass44); its trunk "carrier" is h3 (198.18.1.11:5060, calls from
# 198.18.1.11/32); it owns the DID +15550001000, which rings bob; 2000
# rings bob for 3 s, then carol (sequential); nothing rings longer than
# 30 s.
# Tests change the file through the environment:
#   LAB_LIMITS         the inside of lab's limits group, default
#                      LAB_LIMITS_DEFAULT below (keys left out take
#                      sluice's defaults: cps 10, burst 20, 100 calls,
#                      max_ring_s 60)
#   LAB_EXTRA_TENANTS  text added to the tenants list after lab, e.g.
#                      '{ id = "other"; ... }' (the comma is added here)
#   LAB_UDP_PORTS      sip.udp_ports, default "5060" (a second tenant
#                      with an appliance port of its own adds it here)
#   LAB_TENANT_EXTRA   keys added to lab's group, e.g.
#                      'invite_auth = "always";'
#   LAB_GLOBAL_EXTRA   groups added at the end of the file, e.g.
#                      'registrar = { save_ms = 200; };'
LAB_LIMITS_DEFAULT="cps = 0; concurrent_calls = 0; max_ring_s = 30;"
write_config() {
	local workers=${1:-2} pmd=${2:-${E2E_PMD:-af_packet}} wl="2" i ncpu lmap="0@0" dev
	dev=$(port_device "$pmd")
	for ((i = 3; i < 2 + workers; i++)); do wl="$wl, $i"; done
	ncpu=$(nproc)
	for ((i = 1; i < 2 + workers; i++)); do lmap="$lmap,$i@$((i % ncpu))"; done
	# the HTTP API on loopback (a port per run), CDRs in the work dir
	E2E_API_PORT=${E2E_API_PORT:-$((18000 + $$ % 1000))}
	E2E_API=http://127.0.0.1:$E2E_API_PORT
	E2E_ADMIN_TOKEN=lab-admin-token-0123456789
	cat >"$SLUICE_CONF" <<EOF
# Written by tests/e2e/lib.sh for lab $P.
eal = {
	lcores = "$lmap";
	main_lcore = 0;
	io_lcores = [ 1 ];
	worker_lcores = [ $wl ];
	memory_mb = 256;
	hugepages = false;
	file_prefix = "$FP";
	log_level = "info";
};
ports = (
	{
		name = "lab";
		device = "$dev";
		address = "$APPLIANCE";
		prefix = 24;
		gateway = "$GATEWAY";
		mtu = 1500;
	}
);
sip = {
	udp_ports = [ ${LAB_UDP_PORTS:-$SIP_PORT} ];
};
rtp = {
	port_min = 20000;
	port_max = 20999;
};
workers = {
	ring_size = 1024;
	burst = 32;
};
# One tenant owns everything sent to the appliance's SIP port, with no
# limits unless the test sets some, so requests from the lab hosts are
# attributed and admitted.
tenants = (
	{
		id = "lab";
		api_token = "lab-token-0123456789";
		match = { addresses = [ "$APPLIANCE:$SIP_PORT" ];
			  domains = [ "lab.example" ];
			  dids = [ "+15550001000" ]; };
		# SIPp answers MD5 challenges only
		auth_algorithms = [ "MD5" ];
		${LAB_TENANT_EXTRA:-}
		limits = { ${LAB_LIMITS:-$LAB_LIMITS_DEFAULT} };
		users = ( { name = "alice"; extension = "1001";
			    devices = ( { username = "alice"; password = "alicepass1"; } ); },
			  { name = "bob"; extension = "1002";
			    devices = ( { username = "bob"; password = "bobpass22"; } ); },
			  { name = "carol"; extension = "1003";
			    devices = ( { username = "carol"; password = "carolpass3"; } ); },
			  { name = "dave"; extension = "1004";
			    devices = ( { username = "dave"; password = "davepass44"; } ); } );
		trunks = ( { name = "carrier"; address = "$H3:5060"; cidrs = [ "$H3/32" ]; } );
		routes = (
			{ match = "+15550001000"; targets = ( { user = "bob"; } ); },
			{ match = "2000"; mode = "sequential";
			  targets = ( { user = "bob"; ring_s = 3; }, { user = "carol"; } ); },
			{ match = "2001"; mode = "parallel";
			  targets = ( { user = "carol"; }, { user = "bob"; } ); }
		);
	}${LAB_EXTRA_TENANTS:+,
$LAB_EXTRA_TENANTS}
);
api = {
	listen = "127.0.0.1:$E2E_API_PORT";
	admin_token = "$E2E_ADMIN_TOKEN";
};
cdr = {
	path = "$WORK/cdr/cdr.db";
};
${LAB_GLOBAL_EXTRA:-}
EOF
}

# sluice_start [WORKERS [PMD]]: writes the config, starts sluice in the
# background and waits (bounded) until it answers a ping from h1.
sluice_start() {
	write_config "${1:-2}" "${2:-}"
	"$SLUICE" -c "$SLUICE_CONF" >"$SLUICE_LOG" 2>&1 &
	SLUICE_PID=$!
	log "sluice started, pid $SLUICE_PID"
	sluice_wait_ready 60
}

# sluice_wait_ready SECONDS: ping answered from h1 within SECONDS.
sluice_wait_ready() {
	local deadline=$((SECONDS + $1))
	while [ $SECONDS -lt $deadline ]; do
		kill -0 "$SLUICE_PID" 2>/dev/null || {
			local rc=0
			wait "$SLUICE_PID" || rc=$?
			SLUICE_PID=
			fail "sluice exited during start-up (exit $rc)"
		}
		if in_ns h1 ping -c 1 -W 1 -q "$APPLIANCE" >/dev/null 2>&1; then
			log "sluice answers ping after $(( $1 - (deadline - SECONDS) ))s"
			return 0
		fi
		sleep 0.5
	done
	fail "sluice did not answer ping from h1 within $1 s"
}

# sluice_stop [SIGNAL]: signals sluice (TERM by default) and waits up to
# 15 s for it to exit; then SIGKILL. Sets SLUICE_RC to its exit status, or
# to "killed" (and returns 1) if it had to be killed. Not in a $(...): the
# wait must run in the shell that started sluice.
SLUICE_RC=
sluice_stop() {
	local sig=${1:-TERM} pid=$SLUICE_PID i
	SLUICE_RC=
	[ -n "$pid" ] || return 0
	kill "-$sig" "$pid" 2>/dev/null || true
	for ((i = 0; i < 150; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		SLUICE_PID=
		SLUICE_RC=killed
		return 1
	fi
	SLUICE_RC=0
	wait "$pid" || SLUICE_RC=$?
	SLUICE_PID=
	return 0
}

sluice_alive() { [ -n "$SLUICE_PID" ] && kill -0 "$SLUICE_PID" 2>/dev/null; }

# tel COMMAND [PARAMS]: one telemetry reply as JSON on stdout.
tel() { "$PY" "$TELEMETRY" "$FP" "$@"; }

# tel_eval COMMAND PYEXPR: evaluates PYEXPR with d = the reply of COMMAND
# and prints the result (JSON for containers).
tel_eval() {
	local json
	json=$(tel "$1") || fail "telemetry $1 failed"
	printf '%s' "$json" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
r = eval(sys.argv[1], {"d": d, "sum": sum, "len": len})
print(json.dumps(r) if isinstance(r, (dict, list)) else r)' "$2"
}

# stats_save NAME: keeps /sluice/stats in $WORK/NAME.json (for diffs and
# for the failure report).
stats_save() { tel /sluice/stats >"$WORK/$1.json" || fail "telemetry /sluice/stats failed"; }

# sipp_argv NAME HOST SRC_IP SCENARIO CALLS RATE [SIPP ARGS...]: the command
# line (in SIPP_ARGV) of one SIPp run from namespace HOST against the
# appliance, bounded by -timeout and by `timeout`. SIPp writes its files
# (NAME.{err,logs}; NAME.msgs with SIPP_MSGS=1) in WORK. The environment
# changes the defaults:
#   SIPP_DEST     where it talks to, default 198.18.0.1:5060
#   SIPP_LPORT    its local port, default 5070 (SIPP_PORT)
#   SIPP_TIMEOUT  seconds for the whole run, default 60
#   SIPP_LINGER   ms a call is kept after its last message, so that a
#                 retransmission (an answer of ours lost) is still answered
#                 (the scenarios' timewait, -key linger), default 1000: a
#                 lab without loss retransmits only what took over T1
#                 (500 ms); call_loss.sh asks for more
# A run of one call is not paced: with -r 1, SIPp waits for the end of the
# rate period (1 s) before it exits, so a single call runs at 1 per 10 ms.
sipp_argv() {
	local name=$1 host=$2 src=$3 sc=$4 calls=$5 rate=$6 limit=${SIPP_TIMEOUT:-60}
	local pace=(-r "$rate")
	[ "$calls" = 1 ] && pace=(-r 1 -rp 10)
	shift 6
	SIPP_ARGV=(timeout $((limit + 90)) ip netns exec "$P$host" sipp
		"${SIPP_DEST:-$APPLIANCE:$SIP_PORT}"
		-sf "$E2E_DIR/$sc" -i "$src" -p "${SIPP_LPORT:-$SIPP_PORT}"
		-m "$calls" "${pace[@]}" -l 2000 -key linger "${SIPP_LINGER:-1000}"
		-timeout "${limit}s" -timeout_error -recv_timeout 10s -nostdin
		-default_behaviors all,-bye
		-trace_err -error_file "$WORK/$name.err"
		-trace_logs -log_file "$WORK/$name.logs")
	[ "${SIPP_MSGS:-0}" = 1 ] && SIPP_ARGV+=(-trace_msg -message_file "$WORK/$name.msgs")
	SIPP_ARGV+=("$@")
}

# sipp_run NAME HOST SRC_IP SCENARIO CALLS RATE [SIPP ARGS...]: runs one
# SIPp (see sipp_argv) and waits for it. Its screen goes to $WORK/NAME.out.
# Sets SIPP_OK and SIPP_FAILED from SIPp's final counts; returns SIPp's
# exit code.
sipp_run() {
	local name=$1 calls=$5 rc=0
	sipp_argv "$@"
	# SIPp writes its own files relative to the cwd: keep them in WORK.
	(cd "$WORK" && "${SIPP_ARGV[@]}" </dev/null >"$WORK/$name.out" 2>&1) || rc=$?
	sipp_counts "$name" "$calls" "$rc"
	return $rc
}

# sipp_bg NAME HOST SRC_IP SCENARIO CALLS RATE [SIPP ARGS...]: starts one
# SIPp (see sipp_argv) in the background, a UAS that waits for its calls
# or a caller to run beside others; sipp_wait NAME collects it.
declare -A SIPP_BG=()
sipp_bg() {
	local name=$1 calls=$5
	sipp_argv "$@"
	bg_start env -C "$WORK" "${SIPP_ARGV[@]}" </dev/null >"$WORK/$name.out" 2>&1
	SIPP_BG[$name]="$BG_PID $calls"
	# a phone must listen before its calls come
	wait_for 10 sipp_bound "$BG_PID" "$2" "${SIPP_LPORT:-$SIPP_PORT}" ||
		fail "sipp $name does not listen on port ${SIPP_LPORT:-$SIPP_PORT} in $2"
}

# sipp_bound PID HOST PORT: a UDP socket is bound to PORT in namespace
# HOST; fails the test at once if the SIPp of PID has exited already.
sipp_bound() {
	kill -0 "$1" 2>/dev/null || fail "sipp (pid $1) exited at start-up"
	in_ns "$2" ss -Hlun "sport = :$3" | grep -q .
}

# sipp_wait NAME: waits for the SIPp of sipp_bg NAME (its own timeouts
# bound the wait), then as sipp_run: SIPP_OK, SIPP_FAILED, SIPp's exit code.
sipp_wait() {
	local name=$1 pid calls rc=0
	read -r pid calls <<<"${SIPP_BG[$name]:?no sipp_bg $name}"
	wait "$pid" || rc=$?
	sipp_counts "$name" "$calls" "$rc"
	return $rc
}

# sipp_counts NAME CALLS RC: SIPP_OK and SIPP_FAILED from run NAME's screen.
sipp_counts() {
	SIPP_OK=$(sipp_count "$WORK/$1.out" 'Successful call')
	SIPP_FAILED=$(sipp_count "$WORK/$1.out" 'Failed call')
	log "sipp $1: exit $3, $SIPP_OK successful, $SIPP_FAILED failed of $2"
}

# sipp_recv_count NAME MESSAGE: how many MESSAGEs (a status code such as
# 503, or a method) run NAME received, summed over the scenario's <recv>s
# of it, from the last message screen SIPp printed ("503 <------ 5" for a
# client, "------> INVITE 2" for a server).
sipp_recv_count() {
	awk -v msg="$2" '
		/Messages +Retrans +Timeout/ { n = 0 }
		$1 == msg && $2 ~ /^<-+$/ { n += $3 }
		$1 ~ /^-+>$/ && $2 == msg { n += $3 }
		END { print n + 0 }' "$WORK/$1.out"
}

# sipp_reg HOST IP PORT USER PASSWORD [DEST [EXPIRES]]: the device USER
# registers (digest auth, EXPIRES seconds, default 300) from IP:PORT in
# namespace HOST, to DEST (default 198.18.0.1:5060), and stays
# registered. A SIPp phone then started on the same IP:PORT is reached
# there as that device, and its calls are that device's.
sipp_reg() {
	local name="reg_$4_$1_$3"
	SIPP_LPORT=$3 SIPP_DEST=${6:-$APPLIANCE:$SIP_PORT} \
		sipp_run "$name" "$1" "$2" register_stay.xml 1 1 -s "$4" -au "$4" -ap "$5" \
		-key expires "${7:-300}" || true
	sipp_expect_all "$name" 1
}

# sipp_count FILE LABEL: the cumulative column of SIPp's last statistics
# screen for LABEL ("Successful call", "Failed call", "Retransmissions").
sipp_count() {
	local v
	v=$(grep -E "^ *$2 " "$1" 2>/dev/null | tail -n 1 | awk -F'|' '{gsub(/ /, "", $3); print $3}')
	echo "${v:-0}"
}

# sipp_expect_all NAME CALLS: every call of run NAME succeeded.
sipp_expect_all() {
	local name=$1 calls=$2
	if [ "$SIPP_OK" != "$calls" ] || [ "$SIPP_FAILED" != 0 ]; then
		fail "sipp $name: $SIPP_OK of $calls calls successful, $SIPP_FAILED failed (see $WORK/$name.*)"
	fi
}

# bg_start COMMAND...: runs COMMAND in the background and remembers its
# PID for the cleanup; the PID is in BG_PID.
bg_start() {
	"$@" &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# bg_stop PID: SIGTERM, bounded wait, SIGKILL.
bg_stop() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# wait_for SECONDS CMD...: retries CMD every 0.2 s until it succeeds or
# SECONDS pass.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	while [ $SECONDS -lt $deadline ]; do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

# stat_get KEY: one total from /sluice/stats (live).
stat_get() { tel_eval /sluice/stats "d[\"$1\"]"; }

# saved_get NAME KEY: KEY from the /sluice/stats saved by stats_save NAME.
saved_get() {
	"$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		"$WORK/$1.json" "$2" || fail "no key $2 in saved stats $1"
}

# stat_delta BEFORE AFTER KEY: AFTER's KEY minus BEFORE's (saved stats).
stat_delta() {
	local a b
	a=$(saved_get "$1" "$3")
	b=$(saved_get "$2" "$3")
	echo $((b - a))
}

# expect_ge WHAT VALUE MIN: fails unless VALUE >= MIN.
expect_ge() {
	[[ $2 =~ ^-?[0-9]+$ ]] || fail "$1: not a number: '$2'"
	[ "$2" -ge "$3" ] || fail "$1: $2, expected at least $3"
	log "$1: $2 (>= $3)"
}

# expect_eq WHAT VALUE WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: '$2', expected '$3'"
	log "$1: $2"
}

# reload_post: "STATUS BODY" of POST /v1/reload with the admin token.
reload_post() {
	"$PY" - "$E2E_API/v1/reload" "$E2E_ADMIN_TOKEN" <<'PYEOF'
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1], data=b"", method="POST",
                             headers={"Authorization": "Bearer " + sys.argv[2]})
try:
    with urllib.request.urlopen(req, timeout=30) as r:
        print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
PYEOF
}

# api_get PATH [TOKEN]: the body of GET PATH on the HTTP API (with the
# admin token unless TOKEN); fails on any HTTP error.
api_get() {
	"$PY" - "$E2E_API$1" "${2:-$E2E_ADMIN_TOKEN}" <<'PYEOF'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1], headers={"Authorization": "Bearer " + sys.argv[2]})
with urllib.request.urlopen(req, timeout=10) as r:
    sys.stdout.write(r.read().decode())
PYEOF
}

# cdr_count PYEXPR [TENANT]: how many of TENANT's CDRs (lab by default; the
# newest 1000, from GET /v1/tenants/TENANT/cdrs) make PYEXPR true, with c
# the record: c["disposition"] == "busy" and c["callee"] == "1002". Keeps
# the list in $WORK/cdrs_TENANT.json.
cdr_count() {
	local tenant=${2:-lab}
	api_get "/v1/tenants/$tenant/cdrs?limit=1000" >"$WORK/cdrs_$tenant.json" || return 1
	"$PY" -c 'import json, sys
cdrs = json.load(open(sys.argv[2]))["cdrs"]
print(sum(1 for c in cdrs if eval(sys.argv[1], {"c": c})))' "$1" "$WORK/cdrs_$tenant.json"
}

# cdr_expect WHAT N PYEXPR [TENANT]: exactly N CDRs of TENANT make PYEXPR
# true, waiting up to 10 s for them to be written.
cdr_expect() {
	local what=$1 n=$2 expr=$3 tenant=${4:-lab} got deadline=$((SECONDS + 10))
	while :; do
		got=$(cdr_count "$expr" "$tenant") || fail "GET /v1/tenants/$tenant/cdrs failed"
		[ "$got" -ge "$n" ] && break
		[ $SECONDS -lt $deadline ] || break
		sleep 0.2
	done
	if [ "$got" != "$n" ]; then
		"$PY" -c 'import json, sys
for c in json.load(open(sys.argv[1]))["cdrs"]:
    print("  cdr:", c["disposition"], c["sip_code"], c["caller"], "->", c["callee"], c["targets"])' \
			"$WORK/cdrs_$tenant.json" >&2
		fail "CDRs of $tenant, $what: $got, expected $n"
	fi
	log "CDRs of $tenant, $what: $got"
}

# sipp_expect_recv NAME MESSAGE N: run NAME received exactly N MESSAGEs.
sipp_expect_recv() { expect_eq "sipp $1: $2 received" "$(sipp_recv_count "$1" "$2")" "$3"; }

# A CDR's caller is the calling device's user part; some stores put the
# user's extension there. CDR_FROM_ALICE: alice's calls, for cdr_count.
CDR_FROM_ALICE='c["caller"] in ("alice", "1001")'
