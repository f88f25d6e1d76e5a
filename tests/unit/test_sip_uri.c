/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the SIP/SIPS/tel URI parser (dataplane/sip/sip_uri.c):
 * the RFC 3261 §19.1.3 examples and torture-style spellings in the manner
 * of RFC 4475 (escaped users, passwords full of marks, odd case, IPv6
 * references in RFC 5118's forms), parameters with and without values,
 * headers, tel URIs, every error with its code and position, the §19.1.4
 * equivalence examples both ways, and the phone-number normaliser.
 *
 * Every URI is parsed from a heap copy of exactly its length, so a
 * sanitizer build catches any read past the end. Crashes found by
 * tests/fuzz/fuzz_sip_uri.c are added here.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/sip_uri.h"
#include "test_util.h"

TestSuite(sip_uri_parse, .fini = test_cleanup);
TestSuite(sip_uri_param, .fini = test_cleanup);
TestSuite(sip_uri_host_ipv4, .fini = test_cleanup);
TestSuite(sip_uri_phone_norm, .fini = test_cleanup);
TestSuite(sip_uri_phone, .fini = test_cleanup);
TestSuite(sip_uri_eq, .fini = test_cleanup);
TestSuite(sip_uri_err_str, .fini = test_cleanup);

static int parse_n(const char *s, size_t n, struct sip_uri *u)
{
	test_load_n(s, n);
	return sip_uri_parse(cur, cur, n, u);
}

static int parse(const char *s, struct sip_uri *u)
{
	return parse_n(s, strlen(s), u);
}

/* Parses s, which must be valid. */
#define OK(s, u) \
	cr_assert_eq(parse(s, u), (int)strlen(s), "%s: %s", s, sip_uri_err_str((u)->err))

/* Parses s, which must fail with err at offset off (-1: any offset). */
static void bad(const char *s, enum sip_uri_err err, int off)
{
	struct sip_uri u;
	int rc = parse(s, &u);

	cr_assert_eq(rc, -(int)err, "%s: got %d (%s), want %d (%s)", s, rc, sip_uri_err_str(rc),
		     -(int)err, sip_uri_err_str(err));
	cr_assert_eq(u.err, err);
	if (off >= 0)
		cr_assert_eq(u.err_off, off, "%s: err_off %u, want %d", s, u.err_off, off);
}

/* ------------------------------------------------------------------ */
/* RFC 3261 §19.1.3 examples                                          */

Test(sip_uri_parse, plain_user_host)
{
	struct sip_uri u;

	OK("sip:alice@atlanta.com", &u);
	cr_assert_eq(u.scheme, SIP_URI_SCHEME_SIP);
	cr_assert_sl(u.user, "alice");
	cr_assert_sl(u.host, "atlanta.com");
	cr_assert_sl(u.all, "sip:alice@atlanta.com");
	cr_assert_eq(u.host_kind, SIP_URI_HOST_NAME);
	cr_assert(!u.has_port && u.port == 0 && !u.has_password);
	cr_assert_eq(u.params.len, 0);
	cr_assert_eq(u.headers.len, 0);
}

Test(sip_uri_parse, password_and_transport)
{
	struct sip_uri u;

	OK("sip:alice:secretword@atlanta.com;transport=tcp", &u);
	cr_assert_sl(u.user, "alice");
	cr_assert(u.has_password);
	cr_assert_sl(u.password, "secretword");
	cr_assert_sl(u.host, "atlanta.com");
	cr_assert_sl(u.params, "transport=tcp");
	cr_assert_sl(u.transport, "tcp");
	cr_assert_eq(u.transport_id, SIP_URI_TRANSPORT_TCP);
	cr_assert_eq(u.n_params, 1);
}

Test(sip_uri_parse, sips_with_headers)
{
	struct sip_uri u;

	OK("sips:alice@atlanta.com?subject=project%20x&priority=urgent", &u);
	cr_assert_eq(u.scheme, SIP_URI_SCHEME_SIPS);
	cr_assert_sl(u.host, "atlanta.com");
	cr_assert_sl(u.headers, "subject=project%20x&priority=urgent");
	cr_assert_eq(u.n_headers, 2);
	cr_assert_eq(u.params.len, 0);
}

Test(sip_uri_parse, phone_user_with_password)
{
	struct sip_uri u;

	OK("sip:+1-212-555-1212:1234@gateway.com;user=phone", &u);
	cr_assert_sl(u.user, "+1-212-555-1212");
	cr_assert_sl(u.password, "1234");
	cr_assert_sl(u.user_param, "phone");
	cr_assert(u.user_phone);
	cr_assert(sip_uri_user_is_phone(&u));
}

Test(sip_uri_parse, ipv4_host)
{
	struct sip_uri u;

	OK("sip:alice@192.0.2.4", &u);
	cr_assert_eq(u.host_kind, SIP_URI_HOST_IPV4);
	cr_assert_eq(u.ipv4, 0xc0000204u);
	cr_assert_sl(u.host, "192.0.2.4");
}

Test(sip_uri_parse, no_user_method_and_headers)
{
	struct sip_uri u;

	OK("sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com", &u);
	cr_assert_eq(u.user.len, 0);
	cr_assert_sl(u.host, "atlanta.com");
	cr_assert_sl(u.method, "REGISTER");
	cr_assert_sl(u.headers, "to=alice%40atlanta.com");
	cr_assert_eq(u.n_headers, 1);
}

Test(sip_uri_parse, semicolon_in_user)
{
	struct sip_uri u;

	OK("sip:alice;day=tuesday@atlanta.com", &u);
	cr_assert_sl(u.user, "alice;day=tuesday");
	cr_assert_sl(u.host, "atlanta.com");
	cr_assert_eq(u.n_params, 0);

	OK("sip:user;par=u%40example.net@example.com", &u);
	cr_assert_sl(u.user, "user;par=u%40example.net");
	cr_assert_sl(u.host, "example.com");
}

/* ------------------------------------------------------------------ */
/* Torture-style spellings                                            */

Test(sip_uri_parse, scheme_any_case)
{
	struct sip_uri u;

	OK("SIP:Alice@Example.COM", &u);
	cr_assert_eq(u.scheme, SIP_URI_SCHEME_SIP);
	cr_assert_sl(u.user, "Alice");
	OK("SiPs:example.com", &u);
	cr_assert_eq(u.scheme, SIP_URI_SCHEME_SIPS);
	OK("TEL:+1-201-555-0123", &u);
	cr_assert_eq(u.scheme, SIP_URI_SCHEME_TEL);
}

Test(sip_uri_parse, escaped_users_kept_as_written)
{
	struct sip_uri u;

	OK("sip:sips%3Auser%40example.com@example.net", &u);
	cr_assert_sl(u.user, "sips%3Auser%40example.com");
	cr_assert_sl(u.host, "example.net");
	OK("sip:I%20have%20spaces@example.net", &u);
	cr_assert_sl(u.user, "I%20have%20spaces");
	OK("sip:cal%6Cer@host5.example.net", &u);
	cr_assert_sl(u.user, "cal%6Cer");
}

Test(sip_uri_parse, escaped_nul_in_user)
{
	struct sip_uri u;

	OK("sip:null-%00-null@example.com", &u);
	cr_assert_sl(u.user, "null-%00-null");
}

Test(sip_uri_parse, every_mark_in_user_and_password)
{
	static const char s[] =
		"sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:"
		"&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com";
	struct sip_uri u;

	OK(s, &u);
	cr_assert_sl(u.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
	cr_assert_sl(u.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
	cr_assert_sl(u.host, "example.com");
}

Test(sip_uri_parse, escaped_param_names_and_values)
{
	struct sip_uri u;
	struct sip_slice v;

	OK("sip:caller@host5.example.com;%6C%72;n%61me=v%61lue%25%34%31", &u);
	cr_assert_eq(u.n_params, 2);
	/* Escaped names are not decoded: "%6C%72" is not lr. */
	cr_assert(!u.lr);
	cr_assert(sip_uri_param(&u, cur, "n%61me", &v));
	cr_assert_sl(v, "v%61lue%25%34%31");
}

Test(sip_uri_parse, empty_password)
{
	struct sip_uri u;

	OK("sip:alice:@atlanta.com", &u);
	cr_assert(u.has_password);
	cr_assert_eq(u.password.len, 0);
	cr_assert_sl(u.user, "alice");
}

Test(sip_uri_parse, known_params_with_and_without_values)
{
	struct sip_uri u;

	OK("sip:proxy.example.com;lr;Transport=UDP;ttl=16;maddr=239.255.255.1;method=INVITE;"
	   "foo;bar=baz",
	   &u);
	cr_assert(u.lr);
	cr_assert_eq(u.transport_id, SIP_URI_TRANSPORT_UDP);
	cr_assert_sl(u.transport, "UDP");
	cr_assert(u.has_ttl);
	cr_assert_eq(u.ttl, 16);
	cr_assert_sl(u.maddr, "239.255.255.1");
	cr_assert_sl(u.method, "INVITE");
	cr_assert_eq(u.n_params, 7);
	cr_assert_sl(u.params, "lr;Transport=UDP;ttl=16;maddr=239.255.255.1;method=INVITE;foo;bar=baz");
}

Test(sip_uri_parse, transports)
{
	static const struct {
		const char *s;
		enum sip_uri_transport t;
	} cases[] = {
		{"sip:h;transport=udp", SIP_URI_TRANSPORT_UDP},
		{"sip:h;transport=TCP", SIP_URI_TRANSPORT_TCP},
		{"sip:h;transport=tls", SIP_URI_TRANSPORT_TLS},
		{"sip:h;transport=sctp", SIP_URI_TRANSPORT_SCTP},
		{"sip:h;transport=ws", SIP_URI_TRANSPORT_WS},
		{"sip:h;transport=WSS", SIP_URI_TRANSPORT_WSS},
		{"sip:h;transport=quic", SIP_URI_TRANSPORT_NONE},
		{"sip:h", SIP_URI_TRANSPORT_NONE},
	};
	struct sip_uri u;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		OK(cases[i].s, &u);
		cr_assert_eq(u.transport_id, cases[i].t, "%s", cases[i].s);
	}
}

Test(sip_uri_parse, first_known_param_wins)
{
	struct sip_uri u;

	OK("sip:h;transport=tcp;transport=udp;user=phone;user=ip", &u);
	cr_assert_eq(u.transport_id, SIP_URI_TRANSPORT_TCP);
	cr_assert(u.user_phone);
	cr_assert_sl(u.user_param, "phone");
}

Test(sip_uri_parse, ports)
{
	struct sip_uri u;

	OK("sip:alice@atlanta.com:5060", &u);
	cr_assert(u.has_port);
	cr_assert_eq(u.port, 5060);
	cr_assert_sl(u.host, "atlanta.com");
	OK("sip:h:0", &u);
	cr_assert(u.has_port && u.port == 0);
	OK("sip:h:65535;lr", &u);
	cr_assert_eq(u.port, 65535);
	cr_assert(u.lr);
	OK("sip:h:05060?a=b", &u);
	cr_assert_eq(u.port, 5060);
}

Test(sip_uri_parse, ipv6_references)
{
	struct sip_uri u;

	OK("sip:[2001:db8::10]:5070", &u);
	cr_assert_eq(u.host_kind, SIP_URI_HOST_IPV6);
	cr_assert_sl(u.host, "[2001:db8::10]");
	cr_assert_eq(u.port, 5070);
	OK("sip:alice@[::ffff:192.0.2.10]", &u);
	cr_assert_sl(u.host, "[::ffff:192.0.2.10]");
	OK("sip:[::1]", &u);
	OK("sip:[::]", &u);
	OK("sip:[2001:DB8:0:0:0:0:0:1];transport=tcp", &u);
	cr_assert_eq(u.transport_id, SIP_URI_TRANSPORT_TCP);
	OK("sip:[1::]", &u);
	/* The port inside the brackets is a valid address, without a port. */
	OK("sip:user@[2001:db8::10:5070]", &u);
	cr_assert(!u.has_port);
	cr_assert(!sip_uri_host_ipv4(&u, &(uint32_t){0}));
}

Test(sip_uri_parse, hostnames)
{
	struct sip_uri u;

	OK("sip:a@example.com.", &u);
	cr_assert_sl(u.host, "example.com.");
	OK("sip:a@x", &u);
	OK("sip:a@under_score.example.net", &u);
	OK("sip:a@1and1.com", &u);
	OK("sip:a@a-b.c-d", &u);
	OK("sip:a@1.2.3.4.example", &u);
	cr_assert_eq(u.host_kind, SIP_URI_HOST_NAME);
	cr_assert_eq(u.ipv4, 0);
}

Test(sip_uri_parse, tel_uris)
{
	struct sip_uri u;
	struct sip_slice v;

	OK("tel:+1-201-555-0123", &u);
	cr_assert_eq(u.scheme, SIP_URI_SCHEME_TEL);
	cr_assert_sl(u.user, "+1-201-555-0123");
	cr_assert_eq(u.host_kind, SIP_URI_HOST_NONE);
	cr_assert_eq(u.host.len, 0);
	OK("tel:7042;phone-context=example.com", &u);
	cr_assert_sl(u.user, "7042");
	cr_assert(sip_uri_param(&u, cur, "Phone-Context", &v));
	cr_assert_sl(v, "example.com");
	OK("tel:863-1234;phone-context=+1-914-555", &u);
	cr_assert_sl(u.user, "863-1234");
	OK("tel:*21#;phone-context=example.com", &u);
	cr_assert_sl(u.user, "*21#");
	OK("tel:+1(555)123.0001;ext=22", &u);
	/* tel parameters are not SIP's: no transport recorded. */
	OK("tel:+1555;transport=tcp", &u);
	cr_assert_eq(u.transport_id, SIP_URI_TRANSPORT_NONE);
}

Test(sip_uri_parse, slices_relative_to_base)
{
	static const char msg[] = "To: <sip:bob@biloxi.com:5062;transport=tcp>;tag=1\r\n";
	const char *s = strchr(msg, '<') + 1;
	size_t n = (size_t)(strchr(msg, '>') - s);
	struct sip_uri u;

	test_load_n(msg, sizeof(msg) - 1);
	cr_assert_eq(sip_uri_parse(cur, cur + (s - msg), n, &u), (int)n);
	cr_assert_eq(u.all.off, 5);
	cr_assert_sl(u.all, "sip:bob@biloxi.com:5062;transport=tcp");
	cr_assert_eq(u.user.off, 9);
	cr_assert_sl(u.user, "bob");
	cr_assert_sl(u.host, "biloxi.com");
	cr_assert_sl(u.transport, "tcp");
}

Test(sip_uri_parse, thirty_two_params_ok_thirty_three_not)
{
	char s[512];
	struct sip_uri u;
	int k = snprintf(s, sizeof(s), "sip:h");

	for (int i = 0; i < SIP_URI_PARAMS_MAX; i++)
		k += snprintf(s + k, sizeof(s) - (size_t)k, ";p%d", i);
	OK(s, &u);
	cr_assert_eq(u.n_params, SIP_URI_PARAMS_MAX);
	snprintf(s + k, sizeof(s) - (size_t)k, ";last");
	bad(s, SIP_URI_E_TOO_MANY_PARAMS, k);
}

Test(sip_uri_parse, too_long_for_slices)
{
	size_t off = 65000;
	char *buf = calloc(1, off + 600);
	struct sip_uri u;

	cr_assert(buf);
	memcpy(buf + off, "sip:h", 5);
	cr_assert_eq(sip_uri_parse(buf, buf + off, 5, &u), 5);
	memset(buf + off + 5, 'x', 594);
	buf[off + 5] = ';';
	cr_assert_eq(sip_uri_parse(buf, buf + off, 600, &u), -SIP_URI_E_TOO_LONG);
	cr_assert_eq(u.err, SIP_URI_E_TOO_LONG);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* Malformed URIs, each with its error                                */

Test(sip_uri_parse, bad_scheme)
{
	bad("", SIP_URI_E_EMPTY, 0);
	bad("http://example.com", SIP_URI_E_BAD_SCHEME, 0);
	bad("sipx:a@b", SIP_URI_E_BAD_SCHEME, 0);
	bad("sip", SIP_URI_E_BAD_SCHEME, 0);
	bad("nobody:j.user@example.com", SIP_URI_E_BAD_SCHEME, 0);
	bad(" sip:a@b", SIP_URI_E_BAD_SCHEME, 0);
	bad("<sip:a@b>", SIP_URI_E_BAD_SCHEME, 0);
}

Test(sip_uri_parse, bad_userinfo)
{
	bad("sip:@host", SIP_URI_E_EMPTY_USER, 4);
	bad("sip::pw@host", SIP_URI_E_EMPTY_USER, 4);
	bad("sip:a:p:q@host", SIP_URI_E_BAD_PASSWORD, 7);
	bad("sip:a:p;x@host", SIP_URI_E_BAD_PASSWORD, 7);
	bad("sip:a%4@host", SIP_URI_E_BAD_ESCAPE, 5);
	bad("sip:a%zz@host", SIP_URI_E_BAD_ESCAPE, 5);
	bad("sip:%", SIP_URI_E_BAD_ESCAPE, 4);
}

Test(sip_uri_parse, bad_host)
{
	bad("sip:", SIP_URI_E_NO_HOST, 4);
	bad("sip:alice@", SIP_URI_E_NO_HOST, 10);
	bad("sip:alice@;lr", SIP_URI_E_NO_HOST, 10);
	bad("sip:a@-bad.com", SIP_URI_E_BAD_HOST, 6);
	bad("sip:a@bad-.com", SIP_URI_E_BAD_HOST, 6);
	bad("sip:a@exa..com", SIP_URI_E_BAD_HOST, 6);
	bad("sip:a@.com", SIP_URI_E_BAD_HOST, 6);
	bad("sip:a@1.2.3.256", SIP_URI_E_BAD_HOST, 6);
	bad("sip:a@1.2.3", SIP_URI_E_BAD_HOST, 6);
	bad("sip:a@1.2.3.4.5", SIP_URI_E_BAD_HOST, 6);
	bad("sip:a@example.123", SIP_URI_E_BAD_HOST, 6);
	bad("sip:a@exa mple.com", SIP_URI_E_TRAILING, 9);
}

Test(sip_uri_parse, bad_ipv6)
{
	bad("sip:[2001:db8::10", SIP_URI_E_BAD_IPV6, 4);
	bad("sip:[1:2:3:4:5:6:7:8:9]", SIP_URI_E_BAD_IPV6, 4);
	bad("sip:[1:2:3:4:5:6:7]", SIP_URI_E_BAD_IPV6, 4);
	bad("sip:[1::2::3]", SIP_URI_E_BAD_IPV6, 4);
	bad("sip:[12345::1]", SIP_URI_E_BAD_IPV6, 4);
	bad("sip:[::1%eth0]", SIP_URI_E_BAD_IPV6, 4);
	bad("sip:[:1::2]", SIP_URI_E_BAD_IPV6, 4);
	bad("sip:[1:]", SIP_URI_E_BAD_IPV6, 4);
	bad("sip:[1.2.3.4]", SIP_URI_E_BAD_IPV6, 4);
	bad("sip:[]", SIP_URI_E_BAD_IPV6, 4);
	bad("sip:[1:2:3:4:5:6:7::8]", SIP_URI_E_BAD_IPV6, 4);
	/* RFC 5118 §4.8: an unbracketed IPv6 address reads as host "2001". */
	bad("sip:2001:db8::10", SIP_URI_E_BAD_HOST, 4);
	bad("sip:[::1]x", SIP_URI_E_TRAILING, 9);
}

Test(sip_uri_parse, bad_port)
{
	bad("sip:h:", SIP_URI_E_BAD_PORT, 6);
	bad("sip:h:65536", SIP_URI_E_BAD_PORT, 6);
	bad("sip:h:123456", SIP_URI_E_BAD_PORT, 6);
	bad("sip:h:5o60", SIP_URI_E_BAD_PORT, 6);
	bad("sip:h:-1", SIP_URI_E_BAD_PORT, 6);
	bad("sip:[::1]:", SIP_URI_E_BAD_PORT, 10);
}

Test(sip_uri_parse, bad_params_and_headers)
{
	bad("sip:h;", SIP_URI_E_BAD_PARAM, 6);
	bad("sip:h;;lr", SIP_URI_E_BAD_PARAM, 6);
	bad("sip:h;=x", SIP_URI_E_BAD_PARAM, 6);
	bad("sip:h;x=", SIP_URI_E_BAD_PARAM, 8);
	bad("sip:h;x=%g0", SIP_URI_E_BAD_ESCAPE, 8);
	bad("sip:h;ttl=256", SIP_URI_E_BAD_TTL, 10);
	bad("sip:h;ttl=x1", SIP_URI_E_BAD_TTL, 10);
	bad("sip:h;ttl", SIP_URI_E_BAD_TTL, 9);
	bad("sip:h;ttl=0001", SIP_URI_E_BAD_TTL, 10);
	bad("sip:h?", SIP_URI_E_BAD_HEADERS, 6);
	bad("sip:h?a", SIP_URI_E_BAD_HEADERS, 7);
	bad("sip:h?=b", SIP_URI_E_BAD_HEADERS, 6);
	bad("sip:h?a=b&", SIP_URI_E_BAD_HEADERS, 10);
	bad("sip:h?a=b c", SIP_URI_E_TRAILING, 9);
	bad("sip:h;lr>", SIP_URI_E_TRAILING, 8);
	bad("sip:h;lr ", SIP_URI_E_TRAILING, 8);
}

Test(sip_uri_parse, bad_tel)
{
	bad("tel:", SIP_URI_E_BAD_TEL, 4);
	bad("tel:+", SIP_URI_E_BAD_TEL, 5);
	bad("tel:+1+2", SIP_URI_E_BAD_TEL, 6);
	bad("tel:+12a", SIP_URI_E_BAD_TEL, 7);
	bad("tel:--", SIP_URI_E_BAD_TEL, 6);
	bad("tel:;x=1", SIP_URI_E_BAD_TEL, 4);
	bad("tel:+1555?x=y", SIP_URI_E_TRAILING, 9);
	bad("tel:+1555@h", SIP_URI_E_TRAILING, 9);
}

Test(sip_uri_parse, errors_report_offsets_from_base)
{
	static const char msg[] = "Route: <sip:p1.example.com:99999>";
	struct sip_uri u;

	test_load_n(msg, sizeof(msg) - 1);
	cr_assert_eq(sip_uri_parse(cur, cur + 8, sizeof(msg) - 10, &u), -SIP_URI_E_BAD_PORT);
	cr_assert_eq(u.err_off, 27);
}

/* ------------------------------------------------------------------ */
/* Lookups                                                            */

Test(sip_uri_param, finds_any_param_ignoring_case)
{
	struct sip_uri u;
	struct sip_slice v;

	OK("sip:h;lr;FOO=Bar;transport=udp?x=y", &u);
	cr_assert(sip_uri_param(&u, cur, "foo", &v));
	cr_assert_sl(v, "Bar");
	cr_assert(sip_uri_param(&u, cur, "LR", &v));
	cr_assert_eq(v.len, 0);
	cr_assert(sip_uri_param(&u, cur, "transport", &v));
	cr_assert_sl(v, "udp");
	cr_assert(!sip_uri_param(&u, cur, "x", &v));
	cr_assert(!sip_uri_param(&u, cur, "fo", &v));
	cr_assert(!sip_uri_param(&u, cur, "", &v));
}

Test(sip_uri_param, none_without_params)
{
	struct sip_uri u;
	struct sip_slice v;

	OK("sip:alice;day=tuesday@atlanta.com", &u);
	cr_assert(!sip_uri_param(&u, cur, "day", &v));
}

Test(sip_uri_host_ipv4, dotted_quads_only)
{
	struct sip_uri u;
	uint32_t a = 0;

	OK("sip:10.0.0.1:5060", &u);
	cr_assert(sip_uri_host_ipv4(&u, &a));
	cr_assert_eq(a, 0x0a000001u);
	OK("sip:bob@255.255.255.255", &u);
	cr_assert(sip_uri_host_ipv4(&u, &a));
	cr_assert_eq(a, 0xffffffffu);
	OK("sip:bob@0.0.0.0", &u);
	cr_assert(sip_uri_host_ipv4(&u, &a));
	cr_assert_eq(a, 0);
	OK("sip:bob@example.com", &u);
	cr_assert(!sip_uri_host_ipv4(&u, &a));
	OK("sip:[::ffff:10.0.0.1]", &u);
	cr_assert(!sip_uri_host_ipv4(&u, &a));
	OK("tel:+1555", &u);
	cr_assert(!sip_uri_host_ipv4(&u, &a));
}

/* ------------------------------------------------------------------ */
/* Phone numbers                                                      */

static void norm_ok(const char *in, const char *want)
{
	char out[64];
	int rc = sip_uri_phone_norm(in, strlen(in), out, sizeof(out));

	cr_assert_eq(rc, (int)strlen(want), "%s: rc %d", in, rc);
	cr_assert_str_eq(out, want);
}

static void norm_bad(const char *in, int err)
{
	char out[64];

	cr_assert_eq(sip_uri_phone_norm(in, strlen(in), out, sizeof(out)), err, "%s", in);
}

Test(sip_uri_phone_norm, strips_visual_separators)
{
	norm_ok("+1 (555) 123-0001", "+15551230001");
	norm_ok("+15551230001", "+15551230001");
	norm_ok("tel:+1-555-123-0001", "+15551230001");
	norm_ok("TEL:+1.555.123.0001", "+15551230001");
	norm_ok("+1-212-555-1212;postd=pp22", "+12125551212");
	norm_ok("555%20123%200001", "5551230001");
	norm_ok(" +44 20 7946 0000 ", "+442079460000");
}

Test(sip_uri_phone_norm, no_dial_plan_rewriting)
{
	norm_ok("0015551230001", "0015551230001");
	norm_ok("(0)30-1234", "0301234");
}

Test(sip_uri_phone_norm, rejects_non_numbers)
{
	norm_bad("", -EINVAL);
	norm_bad("alice", -EINVAL);
	norm_bad("+", -EINVAL);
	norm_bad("---", -EINVAL);
	norm_bad("1+2", -EINVAL);
	norm_bad("++1", -EINVAL);
	norm_bad("12a3", -EINVAL);
	norm_bad("*21#", -EINVAL);
	norm_bad("tel:", -EINVAL);
	norm_bad("%2B1555", -EINVAL);
}

Test(sip_uri_phone_norm, needs_room_for_the_nul)
{
	char out[13];

	cr_assert_eq(sip_uri_phone_norm("+15551230001", 12, out, 12), -ENOSPC);
	cr_assert_eq(sip_uri_phone_norm("+15551230001", 12, out, 13), 12);
	cr_assert_str_eq(out, "+15551230001");
	cr_assert_eq(sip_uri_phone_norm("1", 1, out, 0), -ENOSPC);
}

Test(sip_uri_phone, tel_and_sip_users)
{
	struct sip_uri u;
	char out[32];

	OK("tel:+1-201-555-0123;ext=7", &u);
	cr_assert(sip_uri_user_is_phone(&u));
	cr_assert_eq(sip_uri_phone(&u, cur, out, sizeof(out)), 12);
	cr_assert_str_eq(out, "+12015550123");
	OK("sip:+1-212-555-1212;isub=1411@gateway.com;user=PHONE", &u);
	cr_assert(sip_uri_user_is_phone(&u));
	cr_assert_eq(sip_uri_phone(&u, cur, out, sizeof(out)), 12);
	cr_assert_str_eq(out, "+12125551212");
	OK("sip:0015551230001@trunk.example.net;user=ip", &u);
	cr_assert(!sip_uri_user_is_phone(&u));
	cr_assert_eq(sip_uri_phone(&u, cur, out, sizeof(out)), 13);
	OK("sip:alice@atlanta.com", &u);
	cr_assert(!sip_uri_user_is_phone(&u));
	cr_assert_eq(sip_uri_phone(&u, cur, out, sizeof(out)), -EINVAL);
	OK("sip:atlanta.com;user=phone", &u);
	cr_assert_eq(sip_uri_phone(&u, cur, out, sizeof(out)), -EINVAL);
}

/* ------------------------------------------------------------------ */
/* Comparison (RFC 3261 §19.1.4)                                      */

/* Parses a and b (both must be valid) and compares them both ways. */
static bool eq(const char *a, const char *b)
{
	struct sip_uri ua, ub;
	size_t an = strlen(a), bn = strlen(b);
	bool ab, ba;

	test_load_n(a, an);
	free(cur2);
	cur2 = test_dup_n(b, bn);
	cr_assert_eq(sip_uri_parse(cur, cur, an, &ua), (int)an, "%s", a);
	cr_assert_eq(sip_uri_parse(cur2, cur2, bn, &ub), (int)bn, "%s", b);
	ab = sip_uri_eq(&ua, cur, &ub, cur2);
	ba = sip_uri_eq(&ub, cur2, &ua, cur);
	cr_assert_eq(ab, ba, "%s vs %s: not symmetric", a, b);
	cr_assert(sip_uri_eq(&ua, cur, &ua, cur), "%s not equal to itself", a);
	return ab;
}

#define EQ(a, b) cr_assert(eq(a, b), "%s should equal %s", a, b)
#define NE(a, b) cr_assert(!eq(a, b), "%s should differ from %s", a, b)

Test(sip_uri_eq, rfc3261_equivalent)
{
	EQ("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp");
	EQ("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5");
	EQ("sip:carol@chicago.com", "sip:carol@chicago.com;security=on");
	EQ("sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on");
	EQ("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
	   "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com");
	EQ("sip:alice@atlanta.com?subject=project%20x&priority=urgent",
	   "sip:alice@atlanta.com?priority=urgent&subject=project%20x");
}

Test(sip_uri_eq, rfc3261_not_equivalent)
{
	NE("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP");
	NE("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060");
	NE("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp");
	NE("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp");
	NE("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting");
	NE("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4");
	/* Why equivalence is not transitive: a parameter in both must match. */
	NE("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off");
}

Test(sip_uri_eq, params_that_must_match)
{
	NE("sip:a@h", "sip:a@h;user=phone");
	NE("sip:a@h", "sip:a@h;ttl=1");
	NE("sip:a@h", "sip:a@h;method=INVITE");
	NE("sip:a@h", "sip:a@h;maddr=239.0.0.1");
	NE("sip:a@h;maddr=239.0.0.1", "sip:a@h;maddr=239.0.0.2");
	EQ("sip:a@h;lr", "sip:a@h");
	EQ("sip:a@h;lr", "sip:a@h;LR");
	EQ("sip:a@h;user=Phone", "sip:a@h;USER=phone");
	NE("sip:a@h;lr", "sip:a@h;lr=on");
}

Test(sip_uri_eq, repeated_names)
{
	/* Found by fuzz_sip_uri: a URI with a repeated parameter equals itself. */
	EQ("sip:alic;transport=u2.0.2.10];transport=uda", "sip:alic;transport=u2.0.2.10];transport=uda");
	/* Only the first of a parameter name counts. */
	EQ("sip:h;x=1;x=2", "sip:h;x=1;x=3");
	NE("sip:h;x=1;x=2", "sip:h;x=2;x=1");
	EQ("sip:h?a=1&a=2", "sip:h?a=2&a=1");
	NE("sip:h?a=1&a=2", "sip:h?a=1&a=3");
	EQ("tel:+1555;a=1;a=2", "tel:+1555;a=2;a=1");
}

Test(sip_uri_eq, userinfo_case_and_escapes)
{
	NE("sip:Alice@h", "sip:alice@h");
	EQ("sip:%6C@h", "sip:%6c@h");
	EQ("sip:%6C@h", "sip:l@h");
	NE("sip:%4C@h", "sip:l@h");
	/* An escaped reserved character is not the character itself. */
	NE("sip:user%3Bx@h", "sip:user;x@h");
	EQ("sip:user%3bx@h", "sip:user%3Bx@h");
	NE("sip:a:pw@h", "sip:a@h");
	NE("sip:a:PW@h", "sip:a:pw@h");
	NE("sip:a:@h", "sip:a@h");
	EQ("sip:a:p%77@h", "sip:a:pw@h");
	NE("sip:h", "sip:a@h");
}

Test(sip_uri_eq, schemes_hosts_ports)
{
	NE("sip:a@h", "sips:a@h");
	NE("sip:a@h", "tel:+1555");
	EQ("sip:a@[2001:DB8::1]", "sip:a@[2001:db8::1]");
	EQ("sip:a@h:5060", "sip:a@H:5060");
	NE("sip:a@h:5060", "sip:a@h:5061");
	NE("sip:a@h.", "sip:a@h");
}

Test(sip_uri_eq, headers_as_a_set)
{
	EQ("sip:h?a=1&b=2", "sip:h?B=2&A=1");
	NE("sip:h?a=1&b=2", "sip:h?a=1");
	NE("sip:h?a=1&a=1", "sip:h?a=1&b=2");
	NE("sip:h?a=1", "sip:h?a=2");
	EQ("sip:h?a=", "sip:h?a=");
}

Test(sip_uri_eq, tel_rfc3966)
{
	EQ("tel:+1-201-555-0123", "tel:+12015550123");
	EQ("tel:+1(201)555.0123", "tel:+1-201-555-0123");
	EQ("tel:7042;phone-context=Example.com", "tel:7042;PHONE-CONTEXT=example.com");
	EQ("tel:7042;a=1;b=2", "tel:7042;b=2;a=1");
	EQ("tel:7042ab", "tel:7042AB");
	NE("tel:+1555;a=1", "tel:+1555");
	NE("tel:+1555", "tel:1555");
	NE("tel:+1555", "tel:+1556");
	NE("tel:+1555", "tel:+15550");
}

/* ------------------------------------------------------------------ */
/* Error names                                                        */

Test(sip_uri_err_str, every_code_has_text)
{
	for (int e = 0; e < SIP_URI_E_COUNT; e++) {
		cr_assert(sip_uri_err_str(e)[0] != '\0');
		cr_assert_str_eq(sip_uri_err_str(-e), sip_uri_err_str(e));
	}
	cr_assert_str_eq(sip_uri_err_str(SIP_URI_E_COUNT), "unknown error");
	cr_assert_str_eq(sip_uri_err_str(SIP_URI_E_BAD_PORT), "port is not 1-5 digits of 0-65535");
}
