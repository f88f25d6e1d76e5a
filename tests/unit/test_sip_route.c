/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for route sets (dataplane/sip/sip_route.c): Record-Route
 * lines of a parsed message made into a UAS's route set (in order) and a
 * UAC's (reversed), across several lines and several elements per line,
 * with display names, header parameters and folded lines; malformed and
 * oversized sets; and the first hop of a set: loose and strict routers,
 * IPv4 literals with and without a port, names and transports the
 * dataplane cannot follow.
 *
 * Messages and route sets are parsed from heap copies of exactly their
 * length (test_util.h), so a sanitizer build catches any read past the end.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sip/sip_route.h"
#include "test_util.h"

TestSuite(sip_route_build, .fini = test_cleanup);
TestSuite(sip_route_hop, .fini = test_cleanup);

static struct sip_msg msg;

/* A request with the header lines hdrs (each CRLF-ended), parsed into msg. */
static void parse_with(const char *hdrs)
{
	char m[2048];
	int n = snprintf(m, sizeof(m),
			 "INVITE sip:bob@198.18.0.1 SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 198.18.0.11:5070;branch=z9hG4bK1\r\n"
			 "%s"
			 "From: <sip:alice@lab.example>;tag=a1\r\n"
			 "To: <sip:bob@lab.example>\r\n"
			 "Call-ID: rr-1@198.18.0.11\r\n"
			 "CSeq: 1 INVITE\r\n"
			 "Content-Length: 0\r\n\r\n",
			 hdrs);

	cr_assert(n > 0 && (size_t)n < sizeof(m));
	test_load_n(m, (size_t)n);
	cr_assert_gt(sip_parse(cur, cur_len, &msg), 0, "the test message parses");
}

/* sip_route_build of msg into out (NUL-terminated on success); its return. */
static int set_of(bool reverse, char *out, size_t cap)
{
	int rc = sip_route_build(cur, &msg, reverse, out, cap);

	if (rc >= 0 && (size_t)rc < cap)
		out[rc] = '\0';
	return rc;
}

Test(sip_route_build, none_is_empty)
{
	char out[64];

	parse_with("Route: <sip:198.18.0.1;lr>\r\n");
	cr_assert_eq(set_of(false, out, sizeof(out)), 0);
	cr_assert_eq(set_of(true, out, sizeof(out)), 0);
}

Test(sip_route_build, one_line_in_order_for_a_uas)
{
	char out[256];

	parse_with("Record-Route: <sip:198.18.0.11:5070;lr>, <sip:rr2.example;lr>\r\n");
	cr_assert_eq(set_of(false, out, sizeof(out)), 47);
	cr_assert_str_eq(out, "<sip:198.18.0.11:5070;lr>, <sip:rr2.example;lr>");
}

Test(sip_route_build, one_line_reversed_for_a_uac)
{
	char out[256];

	parse_with("Record-Route: <sip:198.18.0.11:5070;lr>, <sip:rr2.example;lr>\r\n");
	cr_assert_eq(set_of(true, out, sizeof(out)), 47);
	cr_assert_str_eq(out, "<sip:rr2.example;lr>, <sip:198.18.0.11:5070;lr>");
}

Test(sip_route_build, lines_joined_in_message_order)
{
	char out[256];

	parse_with("Record-Route: <sip:p1.example;lr>,<sip:p2.example;lr>\r\n"
		   "Subject: between\r\n"
		   "record-route:   <sip:p3.example;lr>  \r\n");
	set_of(false, out, sizeof(out));
	cr_assert_str_eq(out, "<sip:p1.example;lr>, <sip:p2.example;lr>, <sip:p3.example;lr>");
	set_of(true, out, sizeof(out));
	cr_assert_str_eq(out, "<sip:p3.example;lr>, <sip:p2.example;lr>, <sip:p1.example;lr>");
}

Test(sip_route_build, elements_kept_as_written)
{
	char out[256];

	/* display names (a comma inside quotes), URI and header parameters */
	parse_with("Record-Route: \"Edge, west\" <sip:198.18.0.2;lr;ftag=x1>;rr-id=7,"
		   " <sip:198.18.0.3:5080;transport=udp;lr>\r\n");
	set_of(true, out, sizeof(out));
	cr_assert_str_eq(out, "<sip:198.18.0.3:5080;transport=udp;lr>, "
			      "\"Edge, west\" <sip:198.18.0.2;lr;ftag=x1>;rr-id=7");
}

Test(sip_route_build, folds_become_spaces)
{
	char out[256];

	parse_with("Record-Route: <sip:198.18.0.2;lr>;\r\n rr-id=7\r\n");
	cr_assert_gt(set_of(false, out, sizeof(out)), 0);
	cr_assert_null(strpbrk(out, "\r\n"), "one header line: %s", out);
	cr_assert_eq(strncmp(out, "<sip:198.18.0.2;lr>;", 20), 0, "%s", out);
}

Test(sip_route_build, malformed_is_einval)
{
	static const char *const bad[] = {
		"Record-Route: <sip:198.18.0.2;lr\r\n",            /* no '>' */
		"Record-Route: <sip:a.example;lr>,,<sip:b;lr>\r\n", /* empty element */
		"Record-Route: <sip:a.example;lr>,\r\n",            /* trailing comma */
		"Record-Route: <sip:@;lr>\r\n",                     /* bad URI */
		"Record-Route: <sip:ok.example;lr>\r\nRecord-Route: x y\r\n", /* second line */
	};
	char out[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		parse_with(bad[i]);
		cr_expect_eq(set_of(false, out, sizeof(out)), -EINVAL, "%s", bad[i]);
		cr_expect_eq(set_of(true, out, sizeof(out)), -EINVAL, "%s", bad[i]);
	}
}

Test(sip_route_build, longer_than_cap_is_enospc)
{
	char out[64];

	parse_with("Record-Route: <sip:198.18.0.11:5070;lr>, <sip:rr2.example;lr>\r\n");
	cr_assert_eq(sip_route_build(cur, &msg, false, out, 47), 47, "exactly cap fits");
	cr_assert_eq(sip_route_build(cur, &msg, true, out, 47), 47);
	cr_assert_eq(sip_route_build(cur, &msg, false, out, 46), -ENOSPC);
	cr_assert_eq(sip_route_build(cur, &msg, true, out, 46), -ENOSPC);
	cr_assert_eq(sip_route_build(cur, &msg, false, out, 10), -ENOSPC);
}

/* sip_route_hop of route set s, loaded on its own. */
static int hop(const char *s, struct sip_route_hop *h)
{
	test_load_n(s, strlen(s));
	return sip_route_hop(cur, cur, cur_len, h);
}

Test(sip_route_hop, loose_ipv4_with_port)
{
	struct sip_route_hop h;

	cr_assert_eq(hop("<sip:198.18.0.11:5070;lr>, <sip:rr2.example;lr>", &h), 0);
	cr_assert(h.lr);
	cr_assert(h.addr);
	cr_assert_eq(h.ip, 0xc612000b);
	cr_assert_eq(h.port, 5070);
	cr_assert_sl(h.uri, "sip:198.18.0.11:5070;lr");
	cr_assert_sl(h.rest, "<sip:rr2.example;lr>");
}

Test(sip_route_hop, no_port_is_5060_and_no_rest)
{
	struct sip_route_hop h;

	cr_assert_eq(hop("\"p\" <sip:edge@198.18.0.2;lr;ftag=1>;rr=2", &h), 0);
	cr_assert(h.lr && h.addr);
	cr_assert_eq(h.ip, 0xc6120002);
	cr_assert_eq(h.port, 5060);
	cr_assert_eq(h.rest.len, 0);
}

Test(sip_route_hop, strict_router_uri_without_headers)
{
	struct sip_route_hop h;

	cr_assert_eq(hop("<sip:198.18.0.2:5080;maddr=x?Route=y>,  <sip:198.18.0.3;lr>", &h), 0);
	cr_assert_not(h.lr);
	cr_assert(h.addr);
	cr_assert_eq(h.port, 5080);
	cr_assert_sl(h.uri, "sip:198.18.0.2:5080;maddr=x");
	cr_assert_sl(h.rest, "<sip:198.18.0.3;lr>");
}

Test(sip_route_hop, names_and_other_transports_not_followable)
{
	static const char *const cant[] = {
		"<sip:proxy.example;lr>",
		"<sip:proxy.example:5060;lr>, <sip:198.18.0.2;lr>",
		"<sip:198.18.0.2;transport=tcp;lr>",
		"<sips:198.18.0.2;lr>",
		"<sip:[2001:db8::1];lr>",
	};
	struct sip_route_hop h;

	for (size_t i = 0; i < sizeof(cant) / sizeof(cant[0]); i++) {
		cr_assert_eq(hop(cant[i], &h), 0, "%s", cant[i]);
		cr_expect_not(h.addr, "%s", cant[i]);
		cr_expect(h.lr, "%s", cant[i]);
	}
	cr_assert_eq(hop("<sip:198.18.0.2;transport=UDP;lr>", &h), 0);
	cr_expect(h.addr, "transport=udp is followed");
}

Test(sip_route_hop, bare_addr_spec_lr)
{
	struct sip_route_hop h;

	cr_assert_eq(hop("sip:198.18.0.2;lr", &h), 0);
	cr_assert(h.lr && h.addr);
	cr_assert_sl(h.uri, "sip:198.18.0.2");
}

Test(sip_route_hop, empty_or_malformed_is_einval)
{
	struct sip_route_hop h;

	cr_assert_eq(hop("", &h), -EINVAL);
	cr_assert_eq(hop("<sip:198.18.0.2;lr", &h), -EINVAL);
	cr_assert_eq(hop(", <sip:198.18.0.2;lr>", &h), -EINVAL);
}

/* What sip_route_build makes, sip_route_hop reads: the next hop of a UAC's set
 * is the last Record-Route. */
Test(sip_route_build, hop_of_a_uac_set_is_the_last_record_route)
{
	char out[256];
	struct sip_route_hop h;
	int n;

	parse_with("Record-Route: <sip:rrb.example;lr>\r\n"
		   "Record-Route: <sip:198.18.0.12:5070;lr;rrtest=bleg>\r\n");
	n = set_of(true, out, sizeof(out));
	cr_assert_gt(n, 0);
	cr_assert_eq(sip_route_hop(out, out, (size_t)n, &h), 0);
	cr_assert(h.addr && h.lr);
	cr_assert_eq(h.ip, 0xc612000c);
	cr_assert_eq(h.port, 5070);
	cr_assert_eq(h.rest.len, strlen("<sip:rrb.example;lr>"));
	cr_assert_eq(memcmp(out + h.rest.off, "<sip:rrb.example;lr>", h.rest.len), 0);
}
