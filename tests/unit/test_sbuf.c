/* SPDX-License-Identifier: MIT */
/*
 * The bounded message writer (dataplane/sbuf.h): numbers and addresses as
 * text, and the all-or-nothing append when the room runs out.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "sbuf.h"

static void expect_ip(uint32_t ip)
{
	char got[32], want[32];
	struct sbuf b = sbuf_make(got, sizeof(got));

	sbuf_ip(&b, ip);
	snprintf(want, sizeof(want), "%u.%u.%u.%u", ip >> 24, ip >> 16 & 255, ip >> 8 & 255,
		 ip & 255);
	cr_expect_eq(b.len, strlen(want));
	cr_expect(memcmp(got, want, b.len) == 0, "%.*s, want %s", (int)b.len, got, want);
}

Test(sbuf, ip_as_a_dotted_quad)
{
	static const uint32_t v[] = { 0, 0xffffffffu, 0xc612000bu, 0x0a006409u, 0x01020304u,
				      0x640a6363u, 0x09636465u, 0x7f000001u };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		expect_ip(v[i]);
	/* every octet value in every position */
	for (uint32_t o = 0; o < 256; o++)
		expect_ip(o << 24 | (255 - o) << 16 | o << 8 | (o * 7 & 255));
}

Test(sbuf, an_append_that_does_not_fit_writes_nothing)
{
	char buf[16];
	struct sbuf b = sbuf_make(buf, 14);

	sbuf_str(&b, "ip=");
	sbuf_ip(&b, 0xc612000bu); /* 11 bytes: 198.18.0.11 */
	cr_expect_eq(b.len, 14);
	cr_expect_not(b.over);
	sbuf_put(&b, "x", 1);
	cr_expect(b.over);
	cr_expect_eq(b.len, 14);
	b = sbuf_make(buf, 10);
	sbuf_ip(&b, 0xffffffffu);
	cr_expect(b.over);
	cr_expect_eq(b.len, 0);
}

Test(sbuf, numbers)
{
	char buf[32];
	struct sbuf b = sbuf_make(buf, sizeof(buf));

	sbuf_u32(&b, 0);
	sbuf_put(&b, " ", 1);
	sbuf_u32(&b, 4294967295u);
	sbuf_put(&b, " ", 1);
	sbuf_hex32(&b, 0xdeadbeefu);
	cr_expect_eq(b.len, 21);
	cr_expect(memcmp(buf, "0 4294967295 deadbeef", 21) == 0);
}

/* Each appender writes in place when it fits: never a byte past the room,
 * and all or nothing at the edge (exact fit, one byte short). */
Test(sbuf, appenders_at_the_edge_of_the_room)
{
	static const struct { const char *want; int kind; uint32_t v; } c[] = {
		{ "7", 0, 7 }, { "4294967295", 0, 4294967295u }, { "100", 0, 100 },
		{ "0000beef", 1, 0xbeefu }, { "1.2.3.4", 2, 0x01020304u },
		{ "255.255.255.255", 2, 0xffffffffu }, { "198.18.0.11", 2, 0xc612000bu },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		size_t n = strlen(c[i].want);

		for (size_t room = n - 1; room <= n + 1; room++) {
			char buf[40];
			struct sbuf b;

			memset(buf, '#', sizeof(buf));
			b = sbuf_make(buf + 2, room);
			sbuf_put(&b, "", 0);
			if (c[i].kind == 0)
				sbuf_u32(&b, c[i].v);
			else if (c[i].kind == 1)
				sbuf_hex32(&b, c[i].v);
			else
				sbuf_ip(&b, c[i].v);
			if (room < n) {
				cr_expect(b.over, "%s in %zu", c[i].want, room);
				cr_expect_eq(b.len, 0);
			} else {
				cr_expect_not(b.over, "%s in %zu", c[i].want, room);
				cr_expect_eq(b.len, n);
				cr_expect(memcmp(buf + 2, c[i].want, n) == 0, "%s", c[i].want);
			}
			for (size_t k = 2 + room; k < sizeof(buf); k++)
				cr_expect_eq(buf[k], '#', "%s: byte %zu past the room", c[i].want, k - 2);
			cr_expect_eq(buf[0], '#');
			cr_expect_eq(buf[1], '#');
		}
	}
}
