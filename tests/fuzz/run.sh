#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs one libFuzzer target for $FUZZ_SECONDS from a seed corpus, writing
# new inputs to a temporary directory (the seed corpus stays as committed).
# usage: run.sh FUZZER SEED_DIR [DICTIONARY]
set -euo pipefail
fuzzer=$1
seeds=$2
dict=()
[ $# -ge 3 ] && dict=(-dict="$3")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Crash reproducers go to the current directory (meson's build dir); a
# crash exits 1, not libFuzzer's default 77, which meson reads as "skipped".
"$fuzzer" -max_total_time="${FUZZ_SECONDS:-60}" -timeout=10 \
	-rss_limit_mb=2048 -error_exitcode=1 -print_final_stats=1 "${dict[@]}" "$work" "$seeds"
