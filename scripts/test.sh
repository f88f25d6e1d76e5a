#!/bin/bash
# SPDX-License-Identifier: MIT
# Sets up the machine, builds sluice three ways and runs every test suite:
#   build/       gcc, -Werror: suites unit, eal, e2e
#   build-asan/  gcc with ASan+UBSan: suites unit, eal, e2e
#   build-fuzz/  clang with libFuzzer: suite fuzz (bounded time per target)
# Prints meson's summary for each and a last line "summary: N passed, M
# failed"; exits non-zero if any test failed, timed out or was skipped.
# Environment: FUZZ_SECONDS (default 60 per target), SUITES (default
# "unit eal e2e"), SKIP_ASAN=1 / SKIP_FUZZ=1 for a quicker local run.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
	echo "test.sh: run as root (the e2e suite builds network namespaces)" >&2
	exit 1
fi
./scripts/setup.sh

SUITES=${SUITES:-unit eal e2e}
export FUZZ_SECONDS=${FUZZ_SECONDS:-60}
suite_args=()
for s in $SUITES; do suite_args+=(--suite "$s"); done
logs=()
status=0

setup() { # dir, meson options…
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >/dev/null
	fi
	ninja -C "$dir"
}

run_suites() { # dir, meson test args…
	local dir=$1
	shift
	echo "=== meson test -C $dir $*"
	meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" || status=1
	logs+=("$dir/meson-logs/testlog.json")
}

setup build
run_suites build "${suite_args[@]}"

if [ "${SKIP_ASAN:-0}" != 1 ]; then
	setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
	ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
	LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp \
		run_suites build-asan "${suite_args[@]}"
fi

if [ "${SKIP_FUZZ:-0}" != 1 ]; then
	CC=clang setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false
	run_suites build-fuzz --suite fuzz
fi

if python3 - "${logs[@]}" <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        failed += 1
        continue
    for line in lines:
        r = json.loads(line).get("result")
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"summary: {passed} passed, {failed + skipped} failed"
      + (f" ({skipped} skipped, which counts as failed)" if skipped else ""))
sys.exit(1 if failed or skipped else 0)
PY
then
	exit $status
fi
exit 1
