#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGTERM and SIGINT stop sluice cleanly: exit status 0 within a few
# seconds; and the port is usable again by the next start (a restarted
# sluice answers ping and OPTIONS on the same veth).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_init sg

LIMIT_S=5

lab_up
for sig in TERM INT; do
	sluice_start 2
	sipp_run "options_$sig" h1 "$H1" options.xml 50 50 || true
	sipp_expect_all "options_$sig" 50
	t0=$(date +%s.%N)
	sluice_stop "$sig" || fail "sluice ignored SIG$sig for 15 s and was killed"
	t1=$(date +%s.%N)
	took=$("$PY" -c "print(round($t1 - $t0, 2))")
	expect_eq "exit status after SIG$sig" "$SLUICE_RC" 0
	"$PY" -c "import sys; sys.exit(0 if $took <= $LIMIT_S else 1)" ||
		fail "SIG$sig: took ${took}s to exit (limit ${LIMIT_S}s)"
	log "SIG$sig: exited 0 in ${took}s"
	grep -qiE 'segmentation|assert|panic' "$SLUICE_LOG" && fail "crash signs in the log after SIG$sig"
	# The telemetry socket goes with the process.
	if "$PY" "$TELEMETRY" "$FP" /sluice/stats >/dev/null 2>&1; then
		fail "telemetry still answers after exit"
	fi
	cp "$SLUICE_LOG" "$WORK/sluice-$sig.log"
done
log "PASS"
