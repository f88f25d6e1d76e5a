/* SPDX-License-Identifier: MIT */
/*
 * What every libFuzzer target in tests/fuzz/ checks its invariants with.
 * CHECK is not assert(): it survives NDEBUG, and it names the line and the
 * condition that failed before it aborts, so the fuzzer keeps the input
 * and the report says which promise it broke.
 */
#ifndef SLUICE_FUZZ_CHECK_H
#define SLUICE_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stderr, "invariant failed at line %d: %s\n", __LINE__, \
				#cond);                                          \
			abort();                                                 \
		}                                                                \
	} while (0)

#endif /* SLUICE_FUZZ_CHECK_H */
