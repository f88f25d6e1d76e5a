/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for name-addr values and their lists (dataplane/sip/
 * sip_contact.c): From/To/Contact spellings in the manner of RFC 4475
 * (quoted display names with escaped quotes, backslashes, commas and
 * control characters as quoted-pairs; token display names with or without
 * space before '<'; bare addr-specs whose parameters belong to the header;
 * white space and folding around ';' and '='), Route sets, Contact lists
 * with several contacts per line, "*", expires, q, +sip.instance and
 * reg-id, and malformed values each with its error and position.
 *
 * Every value is parsed from a heap copy of exactly its length, so a
 * sanitizer build catches any read past the end. Crashes found by
 * tests/fuzz/fuzz_sip_contact.c are added here.
 */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/sip_contact.h"
#include "test_util.h"

TestSuite(sip_naddr_parse, .fini = test_cleanup);
TestSuite(sip_naddr_param, .fini = test_cleanup);
TestSuite(sip_naddr_next, .fini = test_cleanup);
TestSuite(sip_contact_next, .fini = test_cleanup);
TestSuite(sip_naddr_err_str, .fini = test_cleanup);

static int parse_n(const char *s, size_t n, struct sip_naddr *na)
{
	test_load_n(s, n);
	return sip_naddr_parse(cur, cur, n, na);
}

static int parse(const char *s, struct sip_naddr *na)
{
	return parse_n(s, strlen(s), na);
}

#define OK(s, na) \
	cr_assert_eq(parse(s, na), (int)strlen(s), "%s: %s", s, sip_naddr_err_str((na)->err))

/* Parses s, which must fail with err at offset off (-1: any offset). */
static void bad(const char *s, enum sip_naddr_err err, int off)
{
	struct sip_naddr na;
	int rc = parse(s, &na);

	cr_assert_eq(rc, -(int)err, "%s: got %d (%s), want %d (%s)", s, rc,
		     sip_naddr_err_str(rc), -(int)err, sip_naddr_err_str(err));
	cr_assert_eq(na.err, err);
	if (off >= 0)
		cr_assert_eq(na.err_off, off, "%s: err_off %u, want %d", s, na.err_off, off);
}

#define TAG(na) ((na).pv[SIP_NADDR_P_TAG])

/* ------------------------------------------------------------------ */
/* One name-addr                                                      */

Test(sip_naddr_parse, token_display_name)
{
	struct sip_naddr na;

	OK("Alice <sip:alice@atlanta.com>;tag=1928301774", &na);
	cr_assert_sl(na.display, "Alice");
	cr_assert(!na.display_quoted && na.angle);
	cr_assert_sl(na.uri_text, "sip:alice@atlanta.com");
	cr_assert_sl(na.uri.user, "alice");
	cr_assert(sip_naddr_has(&na, SIP_NADDR_P_TAG));
	cr_assert_sl(TAG(na), "1928301774");
	cr_assert_sl(na.params, "tag=1928301774");
	cr_assert_sl(na.all, "Alice <sip:alice@atlanta.com>;tag=1928301774");
	cr_assert_eq(na.n_params, 1);
}

Test(sip_naddr_parse, several_tokens_and_tabs)
{
	struct sip_naddr na;

	OK("  Bob  \t Smith Jr. <sip:bob@biloxi.com>  ", &na);
	cr_assert_sl(na.display, "Bob  \t Smith Jr.");
	cr_assert_sl(na.all, "Bob  \t Smith Jr. <sip:bob@biloxi.com>");
}

Test(sip_naddr_parse, no_space_before_angle)
{
	struct sip_naddr na;

	OK("caller<sip:caller@example.com>;tag=323", &na);
	cr_assert_sl(na.display, "caller");
	cr_assert_sl(TAG(na), "323");
}

Test(sip_naddr_parse, angle_only)
{
	struct sip_naddr na;

	OK("<sip:alice@atlanta.com>", &na);
	cr_assert_eq(na.display.len, 0);
	cr_assert(na.angle);
	cr_assert_eq(na.present, 0);
	cr_assert_eq(na.params.len, 0);
}

Test(sip_naddr_parse, quoted_display_name)
{
	struct sip_naddr na;

	OK("\"Alice Smith\" <sip:alice@atlanta.com>;tag=abc", &na);
	cr_assert(na.display_quoted);
	cr_assert_sl(na.display, "Alice Smith");
	OK("\"\" <sip:alice@atlanta.com>", &na);
	cr_assert(na.display_quoted);
	cr_assert_eq(na.display.len, 0);
	OK("\"Alice\"<sip:a@b>", &na);
	cr_assert_sl(na.display, "Alice");
}

Test(sip_naddr_parse, quoted_pairs_kept_and_lws_around_params)
{
	struct sip_naddr na;

	/* The display is J Rosenberg \\\" on the wire: an escaped \ and ". */
	OK("\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com> ; tag = 98asjd8", &na);
	cr_assert_sl(na.display, "J Rosenberg \\\\\\\"");
	cr_assert_sl(TAG(na), "98asjd8");
}

Test(sip_naddr_parse, quoted_pairs_of_control_characters)
{
	static const char s[] = "\"BEL:\\\x07 NUL:\\\x00 DEL:\\\x7F\" <sip:a@example.com>";
	struct sip_naddr na;

	cr_assert_eq(parse_n(s, sizeof(s) - 1, &na), (int)sizeof(s) - 1);
	cr_assert_eq(na.display.len, 20);
}

Test(sip_naddr_parse, utf8_and_comma_in_quotes)
{
	struct sip_naddr na;

	OK("\"M\xc3\xbcller, Hans\" <sip:hans@example.de>", &na);
	cr_assert_sl(na.display, "M\xc3\xbcller, Hans");
}

Test(sip_naddr_parse, bare_addr_spec_params_belong_to_header)
{
	struct sip_naddr na;

	OK("sip:alice@atlanta.com;tag=88sja8x", &na);
	cr_assert(!na.angle);
	cr_assert_eq(na.display.len, 0);
	cr_assert_sl(na.uri_text, "sip:alice@atlanta.com");
	cr_assert_eq(na.uri.n_params, 0);
	cr_assert_sl(TAG(na), "88sja8x");
}

Test(sip_naddr_parse, bare_addr_spec_with_spaces)
{
	struct sip_naddr na;

	OK("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n", &na);
	cr_assert_sl(na.uri_text, "sip:vivekg@chair-dnrc.example.com");
	cr_assert_sl(TAG(na), "1918181833n");
	cr_assert_sl(na.params, "tag    = 1918181833n");
}

Test(sip_naddr_parse, uri_params_inside_angles)
{
	struct sip_naddr na;

	OK("<sip:alice@atlanta.com;transport=tcp;lr>;tag=x", &na);
	cr_assert_eq(na.uri.transport_id, SIP_URI_TRANSPORT_TCP);
	cr_assert(na.uri.lr);
	cr_assert(!sip_naddr_has(&na, SIP_NADDR_P_LR));
	cr_assert_sl(TAG(na), "x");
	cr_assert_eq(na.uri.all.off, 1);
}

Test(sip_naddr_parse, folded_lines)
{
	struct sip_naddr na;

	OK("Bob\r\n <sip:bob@biloxi.com>\r\n\t;tag=1\r\n ;expires=60", &na);
	cr_assert_sl(na.display, "Bob");
	cr_assert_sl(TAG(na), "1");
	cr_assert_sl(na.pv[SIP_NADDR_P_EXPIRES], "60");
}

Test(sip_naddr_parse, tel_and_sips_uris)
{
	struct sip_naddr na;

	OK("<tel:+1-201-555-0123>;tag=t", &na);
	cr_assert_eq(na.uri.scheme, SIP_URI_SCHEME_TEL);
	OK("\"Secure\" <sips:bob@[2001:db8::1]:5061>", &na);
	cr_assert_eq(na.uri.port, 5061);
	cr_assert_sl(na.uri.host, "[2001:db8::1]");
}

Test(sip_naddr_parse, refer_to_with_escaped_replaces)
{
	struct sip_naddr na;

	OK("<sip:bob@biloxi.com?Replaces=12345%40192.0.2.1%3Bto-tag%3D1%3Bfrom-tag%3D2>", &na);
	cr_assert_eq(na.uri.n_headers, 1);
	cr_assert_sl(na.uri.headers, "Replaces=12345%40192.0.2.1%3Bto-tag%3D1%3Bfrom-tag%3D2");
}

Test(sip_naddr_parse, known_params_case_insensitive_and_quoted)
{
	struct sip_naddr na;

	OK("<sip:a@b>;TAG=abc;Expires=30;Q=0.5;+SIP.Instance=\"<urn:uuid:1>\";REG-ID=1;LR",
	   &na);
	cr_assert_sl(TAG(na), "abc");
	cr_assert_sl(na.pv[SIP_NADDR_P_EXPIRES], "30");
	cr_assert_sl(na.pv[SIP_NADDR_P_Q], "0.5");
	cr_assert_sl(na.pv[SIP_NADDR_P_INSTANCE], "<urn:uuid:1>");
	cr_assert(na.quoted & (1u << SIP_NADDR_P_INSTANCE));
	cr_assert(!(na.quoted & (1u << SIP_NADDR_P_TAG)));
	cr_assert_sl(na.pv[SIP_NADDR_P_REG_ID], "1");
	cr_assert(sip_naddr_has(&na, SIP_NADDR_P_LR));
	cr_assert_eq(na.pv[SIP_NADDR_P_LR].len, 0);
	cr_assert_eq(na.n_params, 6);
}

Test(sip_naddr_parse, first_tag_wins)
{
	struct sip_naddr na;

	OK("<sip:a@b>;tag=1;tag=2", &na);
	cr_assert_sl(TAG(na), "1");
}

Test(sip_naddr_parse, thirty_two_params_ok_thirty_three_not)
{
	char s[512];
	struct sip_naddr na;
	int k = snprintf(s, sizeof(s), "<sip:a@b>");

	for (int i = 0; i < SIP_NADDR_PARAMS_MAX; i++)
		k += snprintf(s + k, sizeof(s) - (size_t)k, ";p%d=%d", i, i);
	OK(s, &na);
	cr_assert_eq(na.n_params, SIP_NADDR_PARAMS_MAX);
	snprintf(s + k, sizeof(s) - (size_t)k, ";x");
	bad(s, SIP_NADDR_E_TOO_MANY_PARAMS, k + 1);
}

/* ------------------------------------------------------------------ */
/* Malformed values                                                   */

Test(sip_naddr_parse, empty)
{
	bad("", SIP_NADDR_E_EMPTY, 0);
	bad(" \r\n ", SIP_NADDR_E_EMPTY, 4);
	bad(",", SIP_NADDR_E_EMPTY, 0);
}

Test(sip_naddr_parse, quotes)
{
	bad("\"Mr. J. User <sip:j.user@example.com>", SIP_NADDR_E_UNTERMINATED_QUOTE, 0);
	bad("\"Al\x01ice\" <sip:a@b>", SIP_NADDR_E_BAD_QUOTED, 3);
	bad("\"Al\x7f\" <sip:a@b>", SIP_NADDR_E_BAD_QUOTED, 3);
	bad("\"A\\\r\n x\" <sip:a@b>", SIP_NADDR_E_BAD_QUOTED, 3);
	bad("\"A\\", SIP_NADDR_E_UNTERMINATED_QUOTE, 0);
	bad("\"Alice\" sip:a@b", SIP_NADDR_E_NO_ANGLE, 8);
	bad("\"Alice\"", SIP_NADDR_E_NO_ANGLE, 7);
	bad("<sip:a@b>;x=\"abc", SIP_NADDR_E_UNTERMINATED_QUOTE, 12);
}

Test(sip_naddr_parse, angles)
{
	bad("<sip:a@b", SIP_NADDR_E_UNTERMINATED_ANGLE, 0);
	bad("Alice <sip:a@b;tag=1", SIP_NADDR_E_UNTERMINATED_ANGLE, 6);
}

Test(sip_naddr_parse, bad_uris)
{
	struct sip_naddr na;

	bad("Alice", SIP_NADDR_E_BAD_URI, 0);
	bad("<nobody:j.user@example.com>", SIP_NADDR_E_BAD_URI, 1);
	cr_assert(parse("<nobody:j.user@example.com>", &na) < 0);
	cr_assert_eq(na.uri_err, SIP_URI_E_BAD_SCHEME);
	/* Spaces inside the angle brackets are not allowed. */
	bad("\"Watson, Thomas\" < sip:t.watson@example.org >", SIP_NADDR_E_BAD_URI, 18);
	/* An unquoted display name may not hold a comma. */
	bad("Bell, Alexander <sip:a.g.bell@example.com>;tag=43", SIP_NADDR_E_BAD_URI, 0);
	bad("<>", SIP_NADDR_E_BAD_URI, 1);
	cr_assert(parse("<sip:a@b:99999>", &na) < 0);
	cr_assert_eq(na.uri_err, SIP_URI_E_BAD_PORT);
	cr_assert_eq(na.err_off, 9);
}

Test(sip_naddr_parse, bare_addr_spec_with_headers)
{
	bad("sip:user@example.com?Route=%3Csip:sip.example.com%3E", SIP_NADDR_E_BARE_HEADERS, 20);
}

Test(sip_naddr_parse, bad_params)
{
	bad("<sip:a@b>;", SIP_NADDR_E_BAD_PARAM, 10);
	bad("<sip:a@b>; ;tag=1", SIP_NADDR_E_BAD_PARAM, 11);
	bad("<sip:a@b>;=x", SIP_NADDR_E_BAD_PARAM, 10);
	bad("<sip:a@b>;tag=", SIP_NADDR_E_BAD_PARAM, 14);
	bad("<sip:a@b>;tag=;x", SIP_NADDR_E_BAD_PARAM, 14);
	bad("<sip:a@b>;t(a)g=1", SIP_NADDR_E_TRAILING, 11);
}

Test(sip_naddr_parse, trailing)
{
	bad("<sip:a@b> x", SIP_NADDR_E_TRAILING, 10);
	bad("<sip:a@b>, <sip:c@d>", SIP_NADDR_E_TRAILING, 9);
	bad("<sip:a@b>;tag=1 \"x\"", SIP_NADDR_E_TRAILING, 16);
	bad("<sip:a@b>>", SIP_NADDR_E_TRAILING, 9);
}

Test(sip_naddr_parse, too_long_for_slices)
{
	size_t off = 65500;
	char *buf = calloc(1, off + 64);
	struct sip_naddr na;

	cr_assert(buf);
	memcpy(buf + off, "<sip:a@b>", 9);
	cr_assert_eq(sip_naddr_parse(buf, buf + off, 9, &na), 9);
	cr_assert_eq(sip_naddr_parse(buf, buf + off, 64, &na), -SIP_NADDR_E_TOO_LONG);
	cr_assert_eq(na.err, SIP_NADDR_E_TOO_LONG);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* Parameter lookup                                                   */

Test(sip_naddr_param, any_param_quotes_stripped)
{
	struct sip_naddr na;
	struct sip_slice v;

	OK("<sip:a@b> ; Foo = \"a;b,c \\\"d\\\"\" ; lr ;received=[2001:db8::1]; x=y", &na);
	cr_assert(sip_naddr_param(&na, cur, "foo", &v));
	cr_assert_sl(v, "a;b,c \\\"d\\\"");
	cr_assert(sip_naddr_param(&na, cur, "LR", &v));
	cr_assert_eq(v.len, 0);
	cr_assert(sip_naddr_param(&na, cur, "received", &v));
	cr_assert_sl(v, "[2001:db8::1]");
	cr_assert(sip_naddr_param(&na, cur, "x", &v));
	cr_assert_sl(v, "y");
	cr_assert(!sip_naddr_param(&na, cur, "tag", &v));
	cr_assert(!sip_naddr_param(&na, cur, "fo", &v));
}

Test(sip_naddr_param, none)
{
	struct sip_naddr na;
	struct sip_slice v;

	OK("<sip:a@b;tag=uri-param>", &na);
	cr_assert(!sip_naddr_param(&na, cur, "tag", &v));
}

/* ------------------------------------------------------------------ */
/* Lists                                                              */

Test(sip_naddr_next, route_set)
{
	static const char s[] =
		"<sip:p1.example.com;lr>, <sip:p2.example.com;lr>,\r\n <sip:p3.example.com;lr>";
	static const char *const hosts[] = {"p1.example.com", "p2.example.com", "p3.example.com"};
	struct sip_naddr na;
	size_t pos = 0, prev;
	int rc;

	test_load_n(s, sizeof(s) - 1);
	for (int i = 0; i < 3; i++) {
		prev = pos;
		rc = sip_naddr_next(cur, cur, cur_len, &pos, &na);
		cr_assert_gt(rc, 0, "element %d: %s", i, sip_naddr_err_str(rc));
		cr_assert_eq(pos, prev + (size_t)rc);
		cr_assert(pos == cur_len || cur[pos] == ',');
		cr_assert(na.uri.lr);
		cr_assert_sl(na.uri.host, hosts[i]);
	}
	cr_assert_eq(pos, cur_len);
	cr_assert_eq(sip_naddr_next(cur, cur, cur_len, &pos, &na), 0);
	cr_assert_eq(sip_naddr_next(cur, cur, cur_len, &pos, &na), 0);
}

Test(sip_naddr_next, commas_inside_quotes_and_angles)
{
	static const char s[] = "\"Doe, John\" <sip:a,b@x;lr>, sip:c@d;tag=\"1,2\" ,<sip:e@f>";
	struct sip_naddr na;
	size_t pos = 0;

	test_load_n(s, sizeof(s) - 1);
	cr_assert_gt(sip_naddr_next(cur, cur, cur_len, &pos, &na), 0);
	cr_assert_sl(na.display, "Doe, John");
	cr_assert_sl(na.uri.user, "a,b");
	cr_assert_gt(sip_naddr_next(cur, cur, cur_len, &pos, &na), 0);
	cr_assert_sl(na.uri_text, "sip:c@d");
	cr_assert_sl(na.pv[SIP_NADDR_P_TAG], "1,2");
	cr_assert_sl(na.all, "sip:c@d;tag=\"1,2\"");
	cr_assert_gt(sip_naddr_next(cur, cur, cur_len, &pos, &na), 0);
	cr_assert_sl(na.uri_text, "sip:e@f");
	cr_assert_eq(sip_naddr_next(cur, cur, cur_len, &pos, &na), 0);
}

/* Runs the iterator over s; returns the elements read before rc (0 or error). */
static int walk(const char *s, int *rc, unsigned *err_off)
{
	struct sip_naddr na;
	size_t pos = 0;
	int k = 0;

	test_load_n(s, strlen(s));
	while ((*rc = sip_naddr_next(cur, cur, cur_len, &pos, &na)) > 0)
		cr_assert_leq(++k, 100);
	*err_off = na.err_off;
	return k;
}

Test(sip_naddr_next, empty_elements)
{
	int rc;
	unsigned off;

	cr_assert_eq(walk("", &rc, &off), 0);
	cr_assert_eq(rc, -SIP_NADDR_E_EMPTY);
	cr_assert_eq(walk("   ", &rc, &off), 0);
	cr_assert_eq(rc, -SIP_NADDR_E_EMPTY);
	cr_assert_eq(walk(",<sip:a@b>", &rc, &off), 0);
	cr_assert_eq(rc, -SIP_NADDR_E_EMPTY);
	cr_assert_eq(walk("<sip:a@b>,,<sip:c@d>", &rc, &off), 1);
	cr_assert_eq(rc, -SIP_NADDR_E_EMPTY);
	cr_assert_eq(off, 10);
	cr_assert_eq(walk("<sip:a@b>, ", &rc, &off), 1);
	cr_assert_eq(rc, -SIP_NADDR_E_EMPTY);
	cr_assert_eq(off, 11);
	cr_assert_eq(walk("<sip:a@b>  ", &rc, &off), 1);
	cr_assert_eq(rc, 0);
}

Test(sip_naddr_next, error_leaves_pos)
{
	static const char s[] = "<sip:a@b>, <sip:c@d";
	struct sip_naddr na;
	size_t pos = 0;

	test_load_n(s, sizeof(s) - 1);
	cr_assert_gt(sip_naddr_next(cur, cur, cur_len, &pos, &na), 0);
	cr_assert_eq(pos, 9);
	cr_assert_eq(sip_naddr_next(cur, cur, cur_len, &pos, &na),
		     -SIP_NADDR_E_UNTERMINATED_ANGLE);
	cr_assert_eq(pos, 9);
	cr_assert_eq(na.err_off, 11);
}

Test(sip_naddr_next, unquoted_comma_splits_display)
{
	int rc;
	unsigned off;

	/* RFC 4475's "Bell, Alexander": the first element is "Bell". */
	cr_assert_eq(walk("Bell, Alexander <sip:a.g.bell@example.com>", &rc, &off), 0);
	cr_assert_eq(rc, -SIP_NADDR_E_BAD_URI);
}

/* ------------------------------------------------------------------ */
/* Contact                                                            */

static int cnext(size_t *pos, struct sip_contact *c)
{
	return sip_contact_next(cur, cur, cur_len, pos, c);
}

Test(sip_contact_next, star)
{
	struct sip_contact c;
	size_t pos = 0;

	test_load_n("*", 1);
	cr_assert_eq(cnext(&pos, &c), 1);
	cr_assert(c.star);
	cr_assert_eq(pos, 1);
	cr_assert_eq(cnext(&pos, &c), 0);

	test_load_n("  *\r\n ", 6);
	pos = 0;
	cr_assert_eq(cnext(&pos, &c), 6);
	cr_assert(c.star);
	cr_assert_eq(cnext(&pos, &c), 0);
}

Test(sip_contact_next, star_not_alone)
{
	struct sip_contact c;
	size_t pos = 0;

	test_load_n("*, <sip:a@b>", 12);
	cr_assert_eq(cnext(&pos, &c), -SIP_NADDR_E_STAR_NOT_ALONE);
	cr_assert_eq(c.na.err_off, 0);
	cr_assert_eq(pos, 0);

	test_load_n("<sip:a@b>, *", 12);
	cr_assert_gt(cnext(&pos, &c), 0);
	cr_assert_eq(cnext(&pos, &c), -SIP_NADDR_E_STAR_NOT_ALONE);
	cr_assert_eq(c.na.err_off, 11);
}

Test(sip_contact_next, star_as_display_name)
{
	struct sip_contact c;
	size_t pos = 0;

	test_load_n("* <sip:a@b>", 11);
	cr_assert_eq(cnext(&pos, &c), 11);
	cr_assert(!c.star);
	cr_assert_sl(c.na.display, "*");
}

Test(sip_contact_next, several_contacts_per_line)
{
	static const char s[] =
		"<sip:a@b>;expires=3600;q=0.7, \"Mr. X\" <sip:x@y>;q=1, sip:z@w;expires=0";
	struct sip_contact c;
	size_t pos = 0;

	test_load_n(s, sizeof(s) - 1);
	cr_assert_gt(cnext(&pos, &c), 0);
	cr_assert(c.has_expires && c.expires == 3600);
	cr_assert(c.has_q && c.q == 700);
	cr_assert_sl(c.na.uri.user, "a");
	cr_assert_gt(cnext(&pos, &c), 0);
	cr_assert_sl(c.na.display, "Mr. X");
	cr_assert(!c.has_expires);
	cr_assert(c.has_q && c.q == 1000);
	cr_assert_gt(cnext(&pos, &c), 0);
	cr_assert_sl(c.na.uri_text, "sip:z@w");
	cr_assert(c.has_expires && c.expires == 0);
	cr_assert(!c.has_q && c.q == 1000);
	cr_assert_eq(cnext(&pos, &c), 0);
}

Test(sip_contact_next, torture_style_params)
{
	static const char s[] = "\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; "
				"newparam = newvalue ;\r\n  secondparam ; q = 0.33";
	struct sip_contact c;
	struct sip_slice v;
	size_t pos = 0;

	test_load_n(s, sizeof(s) - 1);
	cr_assert_eq(cnext(&pos, &c), (int)cur_len);
	cr_assert_sl(c.na.display, "Quoted string \\\"\\\"");
	cr_assert_eq(c.q, 330);
	cr_assert(sip_naddr_param(&c.na, cur, "newparam", &v));
	cr_assert_sl(v, "newvalue");
	cr_assert(sip_naddr_param(&c.na, cur, "secondparam", &v));
	cr_assert_eq(v.len, 0);
}

Test(sip_contact_next, quoted_display_with_commas_and_escaped_quotes)
{
	static const char s[] = "\"a \\\"quoted\\\", name\" <sip:a@b>, <sip:c@d>";
	struct sip_contact c;
	size_t pos = 0;

	test_load_n(s, sizeof(s) - 1);
	cr_assert_gt(cnext(&pos, &c), 0);
	cr_assert_sl(c.na.display, "a \\\"quoted\\\", name");
	cr_assert_gt(cnext(&pos, &c), 0);
	cr_assert_sl(c.na.uri.user, "c");
	cr_assert_eq(cnext(&pos, &c), 0);
}

/* Parses "<sip:a@b>;" param as one contact; returns the rc, c filled. */
static int one(const char *param, struct sip_contact *c)
{
	char s[256];
	size_t pos = 0;
	int n = snprintf(s, sizeof(s), "<sip:a@b>;%s", param);

	test_load_n(s, (size_t)n);
	return cnext(&pos, c);
}

Test(sip_contact_next, qvalues)
{
	static const struct {
		const char *v;
		unsigned q;
	} good[] = {
		{"0", 0}, {"0.", 0}, {"0.5", 500}, {"0.05", 50}, {"0.001", 1},
		{"0.999", 999}, {"1", 1000}, {"1.", 1000}, {"1.0", 1000}, {"1.000", 1000},
	};
	static const char *const badq[] = {
		"1.001", "1.5", "2", ".5", "0.1234", "-0", "0.5x", "1.0000", "01", "1e0",
	};
	struct sip_contact c;
	char p[32];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(p, sizeof(p), "q=%s", good[i].v);
		cr_assert_gt(one(p, &c), 0, "%s", p);
		cr_assert(c.has_q);
		cr_assert_eq(c.q, good[i].q, "%s: %u", p, c.q);
	}
	for (size_t i = 0; i < sizeof(badq) / sizeof(badq[0]); i++) {
		snprintf(p, sizeof(p), "q=%s", badq[i]);
		cr_assert_eq(one(p, &c), -SIP_NADDR_E_BAD_Q, "%s", p);
		cr_assert_eq(c.na.err_off, 12, "%s", p);
	}
	cr_assert_eq(one("q", &c), -SIP_NADDR_E_BAD_Q);
	cr_assert_eq(one("q=\"0.5\"", &c), -SIP_NADDR_E_BAD_Q);
	cr_assert_eq(one("q=", &c), -SIP_NADDR_E_BAD_PARAM);
}

Test(sip_contact_next, expires)
{
	struct sip_contact c;

	cr_assert_gt(one("expires=0", &c), 0);
	cr_assert(c.has_expires && c.expires == 0);
	cr_assert_gt(one("expires=4294967295", &c), 0);
	cr_assert_eq(c.expires, UINT32_MAX);
	cr_assert_gt(one("expires=4294967296", &c), 0);
	cr_assert_eq(c.expires, UINT32_MAX);
	cr_assert_gt(one("expires=280297596632815", &c), 0);
	cr_assert_eq(c.expires, UINT32_MAX);
	cr_assert_gt(one("EXPIRES=007", &c), 0);
	cr_assert_eq(c.expires, 7);
	cr_assert_eq(one("expires=abc", &c), -SIP_NADDR_E_BAD_EXPIRES);
	cr_assert_eq(c.na.err_off, 18);
	cr_assert_eq(one("expires=-1", &c), -SIP_NADDR_E_BAD_EXPIRES);
	cr_assert_eq(one("expires=1.5", &c), -SIP_NADDR_E_BAD_EXPIRES);
	cr_assert_eq(one("expires", &c), -SIP_NADDR_E_BAD_EXPIRES);
	cr_assert_eq(one("expires=\"60\"", &c), -SIP_NADDR_E_BAD_EXPIRES);
	cr_assert_eq(one("expires=Thu, 01 Dec 1994 16:00:00 GMT", &c),
		     -SIP_NADDR_E_BAD_EXPIRES);
}

Test(sip_contact_next, absent_params)
{
	struct sip_contact c;

	cr_assert_gt(one("foo=bar", &c), 0);
	cr_assert(!c.has_expires && !c.has_q && !c.has_reg_id && !c.star);
	cr_assert_eq(c.q, 1000);
	cr_assert_eq(c.instance.len, 0);
}

Test(sip_contact_next, outbound_instance_and_reg_id)
{
	struct sip_contact c;

	cr_assert_gt(one("+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\";"
			 "reg-id=1",
			 &c),
		     0);
	cr_assert_sl(c.instance, "urn:uuid:00000000-0000-1000-8000-000A95A0E128");
	cr_assert(c.has_reg_id && c.reg_id == 1);
	cr_assert_gt(one("+sip.instance=\"urn:uuid:x\";reg-id=2147483647", &c), 0);
	cr_assert_sl(c.instance, "urn:uuid:x");
	cr_assert_eq(c.reg_id, 2147483647u);
	cr_assert_gt(one("+sip.instance=<urn:uuid:y>", &c), 0);
	cr_assert_sl(c.instance, "urn:uuid:y");
	cr_assert_eq(one("+sip.instance=\"\"", &c), -SIP_NADDR_E_BAD_INSTANCE);
	cr_assert_eq(one("+sip.instance=\"<>\"", &c), -SIP_NADDR_E_BAD_INSTANCE);
	cr_assert_eq(one("+sip.instance", &c), -SIP_NADDR_E_BAD_INSTANCE);
	cr_assert_eq(one("reg-id=0", &c), -SIP_NADDR_E_BAD_REG_ID);
	cr_assert_eq(one("reg-id=2147483648", &c), -SIP_NADDR_E_BAD_REG_ID);
	cr_assert_eq(one("reg-id=99999999999", &c), -SIP_NADDR_E_BAD_REG_ID);
	cr_assert_eq(one("reg-id=x", &c), -SIP_NADDR_E_BAD_REG_ID);
	cr_assert_eq(one("reg-id", &c), -SIP_NADDR_E_BAD_REG_ID);
}

Test(sip_contact_next, error_leaves_pos)
{
	static const char s[] = "<sip:a@b>;q=0.1, <sip:c@d>;q=2";
	struct sip_contact c;
	size_t pos = 0;

	test_load_n(s, sizeof(s) - 1);
	cr_assert_gt(cnext(&pos, &c), 0);
	cr_assert_eq(pos, 15);
	cr_assert_eq(cnext(&pos, &c), -SIP_NADDR_E_BAD_Q);
	cr_assert_eq(pos, 15);
	cr_assert_eq(c.na.err_off, 29);
}

Test(sip_contact_next, several_header_lines_share_a_base)
{
	static const char msg[] = "REGISTER sip:registrar.example.com SIP/2.0\r\n"
				  "Contact: <sip:a@198.18.0.1:5060>;expires=60\r\n"
				  "m: <sip:b@198.18.0.2>, <sip:c@198.18.0.3>;q=0.2\r\n";
	const char *v1 = strstr(msg, "Contact: ") + 9, *v2 = strstr(msg, "m: ") + 3;
	struct {
		const char *s;
		size_t n;
	} lines[] = {
		{v1, (size_t)(strchr(v1, '\r') - v1)},
		{v2, (size_t)(strchr(v2, '\r') - v2)},
	};
	static const char *const users[] = {"a", "b", "c"};
	struct sip_contact c;
	int k = 0;

	test_load_n(msg, sizeof(msg) - 1);
	for (size_t i = 0; i < 2; i++) {
		const char *s = cur + (lines[i].s - msg);
		size_t pos = 0;
		int rc;

		while ((rc = sip_contact_next(cur, s, lines[i].n, &pos, &c)) > 0) {
			cr_assert_lt(k, 3);
			cr_assert_sl(c.na.uri.user, users[k]);
			cr_assert_geq(c.na.all.off, (size_t)(s - cur));
			cr_assert_eq(c.q, k == 2 ? 200 : 1000);
			cr_assert_eq(c.has_expires, k == 0);
			k++;
		}
		cr_assert_eq(rc, 0);
	}
	cr_assert_eq(k, 3);
}

/* ------------------------------------------------------------------ */
/* Error names                                                        */

Test(sip_naddr_err_str, every_code_has_text)
{
	for (int e = 0; e < SIP_NADDR_E_COUNT; e++) {
		cr_assert(sip_naddr_err_str(e)[0] != '\0');
		cr_assert_str_eq(sip_naddr_err_str(-e), sip_naddr_err_str(e));
	}
	cr_assert_str_eq(sip_naddr_err_str(SIP_NADDR_E_COUNT), "unknown error");
}
