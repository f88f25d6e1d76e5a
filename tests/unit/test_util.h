/* SPDX-License-Identifier: MIT */
/*
 * Heap copies for the unit tests of the header parsers that work on
 * slices (sip_uri, sip_contact). Every value is parsed from a copy of
 * exactly its length, so a sanitizer build catches any read past the end.
 *
 * cur is the copy of the last value loaded and cur_len its length; cur2
 * is a second copy for tests that compare two values. Each is freed when
 * it is loaded again or by test_cleanup, the .fini of every suite that
 * uses them. Criterion runs each test in a process of its own, so this
 * state is per test.
 */
#ifndef SLUICE_TEST_UTIL_H
#define SLUICE_TEST_UTIL_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sip_parse.h"

static char *cur, *cur2;
static size_t cur_len;

static inline void test_cleanup(void)
{
	free(cur);
	free(cur2);
	cur = cur2 = NULL;
	cur_len = 0;
}

/* A heap copy of s[0..n), exactly n bytes (one for n == 0, never NULL). */
static inline char *test_dup_n(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	cr_assert(p);
	memcpy(p, s, n);
	return p;
}

/* Replaces cur with a copy of s[0..n). */
static inline void test_load_n(const char *s, size_t n)
{
	free(cur);
	cur = test_dup_n(s, n);
	cur_len = n;
}

/* The slice s of cur holds exactly want. */
static inline bool test_sl_eq(struct sip_slice s, const char *want)
{
	return s.len == strlen(want) && memcmp(cur + s.off, want, s.len) == 0;
}

#define cr_assert_sl(slice, want) \
	cr_assert(test_sl_eq(slice, want), "%s is \"%.*s\", want \"%s\"", #slice, \
		  (int)(slice).len, cur + (slice).off, want)

#endif /* SLUICE_TEST_UTIL_H */
