/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the SIP light parser (dataplane/sip_parse.c): well-formed
 * requests and responses in their many legal spellings (compact names,
 * folding, odd case, bare LF, several Vias), and malformed messages that
 * must fail with the exact error code. Every message is parsed from a heap
 * copy of exactly its length, so a sanitizer build catches any read past
 * the end. Crashes found by tests/fuzz/fuzz_sip_parse.c are added here.
 *
 * The scanners of sip_scan.h have vector and byte-loop forms: build and
 * run this file with -msse4.2 (SSSE3 + SSE2), -mno-sse4.2 (SSE2 only) and
 * -DSIP_SCAN_SCALAR to cover all three.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip_parse.h"
#include "sip_scan.h"

/* The buffer of the last parse; freed by the next parse or the test's end. */
static char *cur;

static void cleanup(void)
{
	free(cur);
	cur = NULL;
}

TestSuite(sip_parse, .fini = cleanup);
TestSuite(sip_hdr_find, .fini = cleanup);
TestSuite(sip_names, .fini = cleanup);
TestSuite(sip_scan, .fini = cleanup);

/* Parses a heap copy of exactly s[0..n) with fn (sip_parse or sip_parse_lazy). */
static int parse_with(int (*fn)(const char *, size_t, struct sip_msg *), const char *s,
		      size_t n, struct sip_msg *m)
{
	free(cur);
	cur = malloc(n ? n : 1);
	cr_assert(cur);
	memcpy(cur, s, n);
	return fn(cur, n, m);
}

static int parse_n(const char *s, size_t n, struct sip_msg *m)
{
	return parse_with(sip_parse, s, n, m);
}

static int parse(const char *s, struct sip_msg *m)
{
	return parse_n(s, strlen(s), m);
}

static int parse_fmt(struct sip_msg *m, const char *fmt, ...)
{
	char tmp[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	cr_assert(n > 0 && (size_t)n < sizeof(tmp));
	return parse_n(tmp, (size_t)n, m);
}

static bool sl_eq(struct sip_slice s, const char *want)
{
	return s.len == strlen(want) && memcmp(cur + s.off, want, s.len) == 0;
}

#define cr_assert_sl(slice, want) \
	cr_assert(sl_eq(slice, want), "%s is \"%.*s\", want \"%s\"", #slice, \
		  (int)(slice).len, cur + (slice).off, want)

#define VIA "Via: SIP/2.0/UDP 198.18.0.1:5060;branch=z9hG4bK776asdhds\r\n"
#define FROM "From: <sip:alice@example.com>;tag=1928301774\r\n"
#define TO "To: <sip:bob@example.com>\r\n"
#define CALLID "Call-ID: a84b4c76e66710@198.18.0.1\r\n"
#define RL "OPTIONS sip:bob@example.com SIP/2.0\r\n"
/* An OPTIONS request with one replaceable line (%s) among its headers. */
#define OPTIONS_WITH(line) RL line FROM TO CALLID "CSeq: 1 OPTIONS\r\n\r\n"

static const char sdp[] =
	"v=0\r\n"
	"o=alice 2890844526 2890844526 IN IP4 198.18.0.1\r\n"
	"s=-\r\n"
	"c=IN IP4 198.18.0.1\r\n"
	"t=0 0\r\n"
	"m=audio 49170 RTP/AVP 0\r\n"
	"a=rtpmap:0 PCMU/8000\r\n";

static const char invite_fmt[] =
	"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
	"Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport\r\n"
	"Max-Forwards: 70\r\n"
	"To: Bob <sip:bob@biloxi.example.com>\r\n"
	"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
	"CSeq: 314159 INVITE\r\n"
	"Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: %zu\r\n"
	"\r\n"
	"%s";

static size_t invite_build(char *out, size_t cap)
{
	int n = snprintf(out, cap, invite_fmt, strlen(sdp), sdp);

	cr_assert(n > 0 && (size_t)n < cap);
	return (size_t)n;
}

/* ------------------------------------------------------------------ */
/* Well-formed messages                                               */

Test(sip_parse, invite_with_sdp)
{
	char msg[2048];
	size_t len = invite_build(msg, sizeof(msg));
	struct sip_msg m;

	cr_assert_eq(parse_n(msg, len, &m), (int)len);
	cr_assert_eq(m.method, SIP_METHOD_INVITE);
	cr_assert_sl(m.method_name, "INVITE");
	cr_assert_sl(m.ruri, "sip:bob@biloxi.example.com");
	cr_assert_eq(m.status, 0);
	cr_assert_sl(m.call_id, "a84b4c76e66710@pc33.atlanta.example.com");
	cr_assert_eq(m.cseq, 314159);
	cr_assert_sl(m.cseq_method, "INVITE");
	cr_assert_eq(m.via_transport, 1);
	cr_assert_sl(m.via_host, "pc33.atlanta.example.com");
	cr_assert_eq(m.via_port, 5060);
	cr_assert_sl(m.via_branch, "z9hG4bK776asdhds");
	cr_assert(m.via_has_rport);
	cr_assert_eq(m.n_via, 1);
	cr_assert_sl(m.from, "Alice <sip:alice@atlanta.example.com>;tag=1928301774");
	cr_assert_sl(m.from_tag, "1928301774");
	cr_assert_sl(m.to, "Bob <sip:bob@biloxi.example.com>");
	cr_assert_eq(m.to_tag.len, 0);
	cr_assert(m.has_max_forwards);
	cr_assert_eq(m.max_forwards, 70);
	cr_assert(m.has_content_length);
	cr_assert_eq(m.body_len, strlen(sdp));
	cr_assert_eq(m.hdr_end, len - strlen(sdp));
	cr_assert_eq(memcmp(cur + m.hdr_end, sdp, m.body_len), 0);
	cr_assert_eq(m.n_hdrs, 9);
	cr_assert_eq(m.hdrs[0].id, SIP_HDR_VIA);
	cr_assert_eq(m.hdrs[8].id, SIP_HDR_CONTENT_LENGTH);
	cr_assert_eq(m.hdr_idx[SIP_HDR_CONTACT], 7);
	cr_assert_eq(m.hdr_idx[SIP_HDR_ROUTE], 0);
	cr_assert_eq(m.err_off, 0);
}

Test(sip_parse, header_slices)
{
	struct sip_msg m;
	const char *msg = OPTIONS_WITH(VIA "Subject:   hello world  \r\n");
	const struct sip_hdr *h;

	cr_assert_gt(parse(msg, &m), 0);
	h = sip_hdr_find(&m, SIP_HDR_SUBJECT);
	cr_assert(h);
	cr_assert_sl(h->name, "Subject");
	cr_assert_sl(h->value, "hello world");
	cr_assert_sl(h->line, "Subject:   hello world  \r\n");
}

Test(sip_parse, options_without_body)
{
	struct sip_msg m;
	const char *msg = OPTIONS_WITH(VIA);

	cr_assert_eq(parse(msg, &m), (int)strlen(msg));
	cr_assert_eq(m.method, SIP_METHOD_OPTIONS);
	cr_assert_eq(m.body_len, 0);
	cr_assert_eq(m.has_content_length, 0);
	cr_assert_eq(m.has_max_forwards, 0);
	cr_assert_eq(m.hdr_end, strlen(msg));
}

Test(sip_parse, register_request)
{
	struct sip_msg m;
	const char *msg =
		"REGISTER sip:registrar.example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 198.18.0.7:5062;branch=z9hG4bKnashds7\r\n"
		"Max-Forwards: 70\r\n"
		"To: Bob <sip:bob@example.com>\r\n"
		"From: Bob <sip:bob@example.com>;tag=456248\r\n"
		"Call-ID: 843817637684230@998sdasdh09\r\n"
		"CSeq: 1826 REGISTER\r\n"
		"Contact: <sip:bob@198.18.0.7:5062>\r\n"
		"Expires: 7200\r\n"
		"Content-Length: 0\r\n\r\n";

	cr_assert_eq(parse(msg, &m), (int)strlen(msg));
	cr_assert_eq(m.method, SIP_METHOD_REGISTER);
	cr_assert_eq(m.cseq, 1826);
	cr_assert_eq(m.via_port, 5062);
	cr_assert_sl(m.from_tag, "456248");
	cr_assert(sip_hdr_find(&m, SIP_HDR_EXPIRES));
}

Test(sip_parse, response_200_with_to_tag)
{
	struct sip_msg m;
	const char *msg =
		"SIP/2.0 200 OK\r\n"
		"Via: SIP/2.0/UDP 198.18.0.1:5060;branch=z9hG4bK776asdhds;received=198.18.0.1\r\n"
		"To: Bob <sip:bob@example.com>;tag=a6c85cf\r\n"
		"From: Alice <sip:alice@example.com>;tag=1928301774\r\n"
		"Call-ID: a84b4c76e66710\r\n"
		"CSeq: 314159 INVITE\r\n"
		"Content-Length: 0\r\n\r\n";

	cr_assert_eq(parse(msg, &m), (int)strlen(msg));
	cr_assert_eq(m.method, SIP_METHOD_NONE);
	cr_assert_eq(m.status, 200);
	cr_assert_sl(m.reason, "OK");
	cr_assert_sl(m.to_tag, "a6c85cf");
	cr_assert_sl(m.cseq_method, "INVITE");
	cr_assert_eq(m.method_name.len, 0);
}

Test(sip_parse, responses_100_180_401_503)
{
	static const struct {
		const char *line;
		unsigned status;
		const char *reason;
	} cases[] = {
		{"SIP/2.0 100 Trying\r\n", 100, "Trying"},
		{"SIP/2.0 180 Ringing\r\n", 180, "Ringing"},
		{"SIP/2.0 401 Unauthorized\r\n", 401, "Unauthorized"},
		{"SIP/2.0 503 Service Unavailable\r\n", 503, "Service Unavailable"},
		{"SIP/2.0 699 \r\n", 699, ""},
		{"SIP/2.0 180\r\n", 180, ""},
		{"sip/2.0 486 Busy Here  \r\n", 486, "Busy Here"},
	};
	struct sip_msg m;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_gt(parse_fmt(&m, "%s" VIA FROM TO CALLID "CSeq: 7 INVITE\r\n\r\n",
				       cases[i].line), 0, "%s", cases[i].line);
		cr_assert_eq(m.status, cases[i].status);
		cr_assert_sl(m.reason, cases[i].reason);
	}
}

Test(sip_parse, compact_forms)
{
	struct sip_msg m;
	const char *msg =
		"INVITE sip:bob@example.com SIP/2.0\r\n"
		"v: SIP/2.0/UDP 198.18.0.1;branch=z9hG4bKc1\r\n"
		"f: <sip:alice@example.com>;tag=ft\r\n"
		"t: <sip:bob@example.com>;tag=tt\r\n"
		"i: compact-call-id\r\n"
		"CSeq: 2 INVITE\r\n"
		"m: <sip:alice@198.18.0.1>\r\n"
		"k: 100rel\r\n"
		"s: hi\r\n"
		"o: presence\r\n"
		"r: <sip:carol@example.com>\r\n"
		"c: application/sdp\r\n"
		"l: 4\r\n\r\nbody";

	cr_assert_eq(parse(msg, &m), (int)strlen(msg));
	cr_assert_sl(m.call_id, "compact-call-id");
	cr_assert_sl(m.from_tag, "ft");
	cr_assert_sl(m.to_tag, "tt");
	cr_assert_sl(m.via_branch, "z9hG4bKc1");
	cr_assert_eq(m.via_port, 0);
	cr_assert_eq(m.body_len, 4);
	cr_assert_eq(m.hdrs[5].id, SIP_HDR_CONTACT);
	cr_assert_eq(m.hdrs[6].id, SIP_HDR_SUPPORTED);
	cr_assert_eq(m.hdrs[7].id, SIP_HDR_SUBJECT);
	cr_assert_eq(m.hdrs[8].id, SIP_HDR_EVENT);
	cr_assert_eq(m.hdrs[9].id, SIP_HDR_REFER_TO);
	cr_assert_eq(m.hdrs[10].id, SIP_HDR_CONTENT_TYPE);
	cr_assert_sl(m.hdrs[0].name, "v");
}

Test(sip_parse, odd_case_header_names)
{
	struct sip_msg m;
	const char *msg =
		"BYE sip:bob@example.com SIP/2.0\r\n"
		"vIA: SIP/2.0/udp 198.18.0.1;BRANCH=z9hG4bKodd\r\n"
		"FROM: <sip:alice@example.com>;TAG=x1\r\n"
		"tO: <sip:bob@example.com>;Tag=y2\r\n"
		"cALL-iD: odd@case\r\n"
		"cseq: 3 BYE\r\n"
		"MAX-FORWARDS: 9\r\n"
		"content-LENGTH: 0\r\n\r\n";

	cr_assert_eq(parse(msg, &m), (int)strlen(msg));
	cr_assert_sl(m.call_id, "odd@case");
	cr_assert_eq(m.cseq, 3);
	cr_assert_eq(m.via_transport, 1);
	cr_assert_sl(m.via_branch, "z9hG4bKodd");
	cr_assert_sl(m.from_tag, "x1");
	cr_assert_sl(m.to_tag, "y2");
	cr_assert_eq(m.max_forwards, 9);
	cr_assert_sl(m.hdrs[3].name, "cALL-iD");
}

Test(sip_parse, folded_lines)
{
	struct sip_msg m;
	const char *msg =
		"OPTIONS sip:bob@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP\r\n"
		"   198.18.0.1:5070\r\n"
		"\t;branch=z9hG4bKfold ;rport\r\n"
		"Subject: I know you're there,\r\n"
		"         pick up the phone   \r\n"
		"Call-ID:\r\n"
		" folded-id \r\n"
		FROM TO "CSeq: 1\r\n OPTIONS\r\n\r\n";
	const struct sip_hdr *h;

	cr_assert_eq(parse(msg, &m), (int)strlen(msg));
	cr_assert_sl(m.via_host, "198.18.0.1");
	cr_assert_eq(m.via_port, 5070);
	cr_assert_sl(m.via_branch, "z9hG4bKfold");
	cr_assert(m.via_has_rport);
	h = sip_hdr_find(&m, SIP_HDR_SUBJECT);
	cr_assert(h);
	cr_assert_sl(h->value, "I know you're there,\r\n         pick up the phone");
	cr_assert_sl(h->line, "Subject: I know you're there,\r\n         pick up the phone   \r\n");
	cr_assert_sl(m.call_id, "folded-id");
	cr_assert_sl(m.cseq_method, "OPTIONS");
	cr_assert_eq(m.n_hdrs, 6);
}

Test(sip_parse, via_several_on_one_line)
{
	struct sip_msg m;
	const char *msg = OPTIONS_WITH(
		"Via: SIP/2.0/UDP first.example.com;branch=z9hG4bK1, "
		"SIP/2.0/TCP second.example.com;branch=z9hG4bK2,SIP/2.0/UDP third\r\n");

	cr_assert_gt(parse(msg, &m), 0);
	cr_assert_eq(m.n_via, 3);
	cr_assert_sl(m.via_host, "first.example.com");
	cr_assert_sl(m.via_branch, "z9hG4bK1");
	cr_assert_eq(m.via_transport, 1);
}

Test(sip_parse, via_on_several_lines)
{
	struct sip_msg m;
	const char *msg = OPTIONS_WITH(
		"Via: SIP/2.0/TLS top.example.com:5061;branch=z9hG4bKtop\r\n"
		"Via: SIP/2.0/UDP b.example.com;branch=z9hG4bKb, SIP/2.0/UDP c;branch=x\r\n"
		"v: SIP/2.0/UDP d;branch=\"q,uoted\";x\r\n");
	const struct sip_hdr *h;
	int n = 0;

	cr_assert_gt(parse(msg, &m), 0);
	cr_assert_eq(m.n_via, 4);
	cr_assert_sl(m.via_host, "top.example.com");
	cr_assert_eq(m.via_port, 5061);
	cr_assert_eq(m.via_transport, 3);
	cr_assert_sl(m.via_branch, "z9hG4bKtop");
	for (h = sip_hdr_find(&m, SIP_HDR_VIA); h; h = sip_hdr_next(&m, h))
		n++;
	cr_assert_eq(n, 3);
}

Test(sip_parse, via_ipv6)
{
	struct sip_msg m;

	cr_assert_gt(parse(OPTIONS_WITH(
		"Via: SIP/2.0/UDP [2001:db8::9:1]:5062;branch=z9hG4bK6;received=2001:db8::9:255\r\n"),
		&m), 0);
	cr_assert_sl(m.via_host, "[2001:db8::9:1]");
	cr_assert_eq(m.via_port, 5062);
	cr_assert_sl(m.via_branch, "z9hG4bK6");
	cr_assert_gt(parse(OPTIONS_WITH("Via: SIP/2.0/UDP [::1];branch=z9hG4bK7\r\n"), &m), 0);
	cr_assert_sl(m.via_host, "[::1]");
	cr_assert_eq(m.via_port, 0);
}

Test(sip_parse, via_lws_around_slash_and_colon)
{
	struct sip_msg m;

	cr_assert_gt(parse(OPTIONS_WITH(
		"Via: SIP / 2.0 / UDP   host.example.com : 5080 ; branch = z9hG4bKsp ; rport = 1\r\n"),
		&m), 0);
	cr_assert_sl(m.via_host, "host.example.com");
	cr_assert_eq(m.via_port, 5080);
	cr_assert_sl(m.via_branch, "z9hG4bKsp");
	cr_assert(m.via_has_rport);
}

Test(sip_parse, via_transports)
{
	static const struct {
		const char *t;
		unsigned want;
	} cases[] = {
		{"UDP", 1}, {"tcp", 2}, {"TLS", 3}, {"SCTP", 4}, {"WS", 5}, {"wss", 6}, {"DCCP", 0},
	};
	struct sip_msg m;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_gt(parse_fmt(&m, OPTIONS_WITH("Via: SIP/2.0/%s h;branch=z9hG4bKt\r\n"),
				       cases[i].t), 0);
		cr_assert_eq(m.via_transport, cases[i].want, "%s", cases[i].t);
	}
}

Test(sip_parse, via_rport_forms)
{
	struct sip_msg m;

	cr_assert_gt(parse(OPTIONS_WITH("Via: SIP/2.0/UDP h;rport;branch=z9hG4bKr\r\n"), &m), 0);
	cr_assert(m.via_has_rport);
	cr_assert_gt(parse(OPTIONS_WITH("Via: SIP/2.0/UDP h;branch=z9hG4bKr;RPORT=\r\n"), &m), 0);
	cr_assert(m.via_has_rport);
	cr_assert_gt(parse(OPTIONS_WITH("Via: SIP/2.0/UDP h;branch=z9hG4bKr;rportx\r\n"), &m), 0);
	cr_assert_not(m.via_has_rport);
	/* Only the top Via counts. */
	cr_assert_gt(parse(OPTIONS_WITH("Via: SIP/2.0/UDP h;branch=z9hG4bKr, SIP/2.0/UDP g;rport\r\n"),
			   &m), 0);
	cr_assert_not(m.via_has_rport);
}

Test(sip_parse, via_without_branch)
{
	struct sip_msg m;

	cr_assert_gt(parse(OPTIONS_WITH("Via: SIP/2.0/UDP 198.18.0.1:5060\r\n"), &m), 0);
	cr_assert_eq(m.via_branch.len, 0);
	cr_assert_sl(m.via_host, "198.18.0.1");
}

Test(sip_parse, from_tag_outside_uri_and_quotes)
{
	struct sip_msg m;

	cr_assert_gt(parse(RL VIA "From: \"A;tag=x\" <sip:a@b;tag=y>;tag=z\r\n"
			   "To: \"Q \\\" <;tag=no\" <sip:b@c>;foo=\"x;tag=no\";TAG = t2\r\n"
			   CALLID "CSeq: 1 OPTIONS\r\n\r\n", &m), 0);
	cr_assert_sl(m.from_tag, "z");
	cr_assert_sl(m.to_tag, "t2");
}

Test(sip_parse, tag_after_escapes_and_folds)
{
	struct sip_msg m;

	/* "a\\" ends at its second quote; "b\";tag=no" does not. */
	cr_assert_gt(parse(RL VIA "From: \"a\\\\\" <sip:x@y>;tag=1\r\n"
			   "To: \"b\\\";tag=no\" <sip:z@y>\r\n\t;tag=2\r\n"
			   CALLID "CSeq: 1 OPTIONS\r\n\r\n", &m), 0);
	cr_assert_sl(m.from_tag, "1");
	cr_assert_sl(m.to_tag, "2");
	/* An unterminated quote or '<' hides everything after it. */
	cr_assert_gt(parse(RL VIA "From: \"open <sip:x@y>;tag=1\r\n"
			   "To: <sip:z@y;tag=3\r\n" CALLID "CSeq: 1 OPTIONS\r\n\r\n", &m), 0);
	cr_assert_eq(m.from_tag.len, 0);
	cr_assert_eq(m.to_tag.len, 0);
}

Test(sip_parse, tag_in_addr_spec_form)
{
	struct sip_msg m;

	cr_assert_gt(parse(RL VIA "From: sip:alice@example.com;tag=88sja8x\r\n"
			   "To: sip:bob@example.com;tagx=1;tag=\r\n"
			   CALLID "CSeq: 1 OPTIONS\r\n\r\n", &m), 0);
	cr_assert_sl(m.from_tag, "88sja8x");
	cr_assert_eq(m.to_tag.len, 0);
	cr_assert_sl(m.to, "sip:bob@example.com;tagx=1;tag=");
}

Test(sip_parse, bare_lf_line_endings)
{
	struct sip_msg m;
	const char *msg =
		"ACK sip:bob@198.18.0.2 SIP/2.0\n"
		"Via: SIP/2.0/UDP 198.18.0.1;branch=z9hG4bKlf\n"
		"From: <sip:a@x>;tag=1\n"
		"To: <sip:b@y>;tag=2\r\n"
		"Call-ID: lf@x\n"
		"CSeq: 5 ACK\n"
		"\n";

	cr_assert_eq(parse(msg, &m), (int)strlen(msg));
	cr_assert_eq(m.method, SIP_METHOD_ACK);
	cr_assert_sl(m.call_id, "lf@x");
	cr_assert_sl(m.via_branch, "z9hG4bKlf");
	cr_assert_eq(m.hdr_end, strlen(msg));
}

Test(sip_parse, leading_crlf_skipped)
{
	struct sip_msg m;
	const char *msg = "\r\n\r\n\n" OPTIONS_WITH(VIA);

	cr_assert_eq(parse(msg, &m), (int)strlen(msg));
	cr_assert_eq(m.method_name.off, 5);
	cr_assert_eq(m.method, SIP_METHOD_OPTIONS);
}

Test(sip_parse, trailing_bytes_after_body_ignored)
{
	struct sip_msg m;
	const char *msg = RL VIA FROM TO CALLID "CSeq: 1 OPTIONS\r\nContent-Length: 3\r\n\r\nabcJUNKJUNK";

	cr_assert_eq(parse(msg, &m), (int)strlen(msg) - 8);
	cr_assert_eq(m.body_len, 3);
}

Test(sip_parse, body_without_content_length_is_rest)
{
	struct sip_msg m;
	const char *msg = OPTIONS_WITH(VIA) "hello";

	cr_assert_eq(parse(msg, &m), (int)strlen(msg));
	cr_assert_eq(m.body_len, 5);
	cr_assert_eq(m.hdr_end, strlen(msg) - 5);
}

Test(sip_parse, nul_in_body_is_fine)
{
	struct sip_msg m;
	static const char msg[] = RL VIA FROM TO CALLID "CSeq: 1 OPTIONS\r\nl: 3\r\n\r\na\0b";

	cr_assert_eq(parse_n(msg, sizeof(msg) - 1, &m), (int)sizeof(msg) - 1);
	cr_assert_eq(m.body_len, 3);
}

Test(sip_parse, other_methods)
{
	struct sip_msg m;

	cr_assert_gt(parse("FOO.bar sip:x SIP/2.0\r\n" VIA FROM TO CALLID "CSeq: 1 FOO.bar\r\n\r\n",
			   &m), 0);
	cr_assert_eq(m.method, SIP_METHOD_OTHER);
	cr_assert_sl(m.method_name, "FOO.bar");
	/* Methods are case-sensitive: "invite" is not INVITE. */
	cr_assert_gt(parse("invite sip:x SIP/2.0\r\n" VIA FROM TO CALLID "CSeq: 1 invite\r\n\r\n",
			   &m), 0);
	cr_assert_eq(m.method, SIP_METHOD_OTHER);
	cr_assert_gt(parse("INVITEX sip:x SIP/2.0\r\n" VIA FROM TO CALLID "CSeq: 1 INVITEX\r\n\r\n",
			   &m), 0);
	cr_assert_eq(m.method, SIP_METHOD_OTHER);
}

Test(sip_parse, every_known_method)
{
	struct sip_msg m;

	for (int i = SIP_METHOD_NONE + 1; i < SIP_METHOD_OTHER; i++) {
		const char *s = sip_method_str(i);

		cr_assert_gt(parse_fmt(&m, "%s sip:x@y SIP/2.0\r\n" VIA FROM TO CALLID
				       "CSeq: 9 %s\r\n\r\n", s, s), 0, "%s", s);
		cr_assert_eq(m.method, i, "%s", s);
	}
}

Test(sip_parse, cseq_leading_zeros_and_limits)
{
	struct sip_msg m;

	cr_assert_gt(parse(RL VIA FROM TO CALLID "CSeq: 0001 OPTIONS\r\n\r\n", &m), 0);
	cr_assert_eq(m.cseq, 1);
	cr_assert_gt(parse(RL VIA FROM TO CALLID "CSeq: 00000000000004294967295  OPTIONS \r\n\r\n",
			   &m), 0);
	cr_assert_eq(m.cseq, 4294967295u);
	cr_assert_gt(parse(RL VIA FROM TO CALLID "CSeq:0\tOPTIONS\r\n\r\n", &m), 0);
	cr_assert_eq(m.cseq, 0);
}

Test(sip_parse, whitespace_before_colon)
{
	struct sip_msg m;

	cr_assert_gt(parse(RL "Via : SIP/2.0/UDP h;branch=z9hG4bKw\r\n" FROM TO
			   "Call-ID\t:   ws@x  \r\nCSeq   : 1 OPTIONS\r\n\r\n", &m), 0);
	cr_assert_sl(m.call_id, "ws@x");
	cr_assert_sl(m.hdrs[3].name, "Call-ID");
}

Test(sip_parse, unknown_and_empty_headers)
{
	struct sip_msg m;
	const struct sip_hdr *h;

	cr_assert_gt(parse(OPTIONS_WITH(VIA "X-Foo: 1\r\nSubject:\r\nX-Bar:  \r\n"), &m), 0);
	h = sip_hdr_find(&m, SIP_HDR_OTHER);
	cr_assert(h);
	cr_assert_sl(h->name, "X-Foo");
	cr_assert_sl(h->value, "1");
	h = sip_hdr_next(&m, h);
	cr_assert(h);
	cr_assert_sl(h->name, "X-Bar");
	cr_assert_eq(h->value.len, 0);
	cr_assert_null(sip_hdr_next(&m, h));
	cr_assert_eq(sip_hdr_find(&m, SIP_HDR_SUBJECT)->value.len, 0);
}

Test(sip_parse, max_forwards_range)
{
	struct sip_msg m;

	cr_assert_gt(parse(OPTIONS_WITH(VIA "Max-Forwards: 0\r\n"), &m), 0);
	cr_assert(m.has_max_forwards);
	cr_assert_eq(m.max_forwards, 0);
	cr_assert_gt(parse(OPTIONS_WITH(VIA "Max-Forwards: 255\r\n"), &m), 0);
	cr_assert_eq(m.max_forwards, 255);
	cr_assert_gt(parse(OPTIONS_WITH(VIA "Max-Forwards: 0070\r\n"), &m), 0);
	cr_assert_eq(m.max_forwards, 70);
}

Test(sip_parse, exactly_max_headers)
{
	char msg[8192];
	int n = snprintf(msg, sizeof(msg), RL VIA FROM TO CALLID "CSeq: 1 OPTIONS\r\n");
	struct sip_msg m;

	for (int i = 5; i < SIP_MAX_HEADERS; i++)
		n += snprintf(msg + n, sizeof(msg) - (size_t)n, "X-H%d: %d\r\n", i, i);
	n += snprintf(msg + n, sizeof(msg) - (size_t)n, "\r\n");
	cr_assert_eq(parse_n(msg, (size_t)n, &m), n);
	cr_assert_eq(m.n_hdrs, SIP_MAX_HEADERS);
}

Test(sip_parse, max_size_message)
{
	char *msg = malloc(SIP_MSG_MAX);
	int n = snprintf(msg, SIP_MSG_MAX, OPTIONS_WITH(VIA));
	struct sip_msg m;

	memset(msg + n, 'x', SIP_MSG_MAX - (size_t)n);
	cr_assert_eq(parse_n(msg, SIP_MSG_MAX, &m), SIP_MSG_MAX);
	cr_assert_eq(m.body_len, SIP_MSG_MAX - n);
	free(msg);
}

/* ------------------------------------------------------------------ */
/* Malformed messages                                                 */

Test(sip_parse, no_call_id)
{
	struct sip_msg m;
	const char *msg = RL VIA FROM TO "CSeq: 1 OPTIONS\r\n\r\n";

	cr_assert_eq(parse(msg, &m), -SIP_PERR_NO_CALL_ID);
	cr_assert_eq(m.err_off, strlen(msg) - 2);
	cr_assert_eq(parse(RL VIA FROM TO "Call-ID:   \r\nCSeq: 1 OPTIONS\r\n\r\n", &m),
		     -SIP_PERR_NO_CALL_ID);
}

Test(sip_parse, duplicate_call_id)
{
	struct sip_msg m;
	const char *msg = RL VIA FROM TO CALLID "i: second\r\nCSeq: 1 OPTIONS\r\n\r\n";

	cr_assert_eq(parse(msg, &m), -SIP_PERR_DUP_CALL_ID);
	cr_assert_eq(m.err_off, strstr(msg, "i: second") - msg);
	cr_assert_eq(parse(RL VIA FROM TO CALLID CALLID "CSeq: 1 OPTIONS\r\n\r\n", &m),
		     -SIP_PERR_DUP_CALL_ID);
}

Test(sip_parse, bad_cseq)
{
	static const char *const bad[] = {
		"CSeq: abc OPTIONS", "CSeq: 1", "CSeq: 1OPTIONS", "CSeq: OPTIONS",
		"CSeq: 4294967296 OPTIONS", "CSeq: 99999999999999999999999 OPTIONS",
		"CSeq: 1 OPTIONS x", "CSeq: -1 OPTIONS", "CSeq: 1 OPT;IONS", "CSeq:",
		"CSeq: 1 OPTIONS\r\nCSeq: 2 OPTIONS",
	};
	struct sip_msg m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse_fmt(&m, RL VIA FROM TO CALLID "%s\r\n\r\n", bad[i]),
			     -SIP_PERR_BAD_CSEQ, "%s", bad[i]);
}

Test(sip_parse, cseq_method_mismatch)
{
	struct sip_msg m;
	const char *msg = RL VIA FROM TO CALLID "CSeq: 1 INVITE\r\n\r\n";

	cr_assert_eq(parse(msg, &m), -SIP_PERR_CSEQ_METHOD);
	cr_assert_eq(m.err_off, strstr(msg, "INVITE\r") - msg);
	cr_assert_eq(parse(RL VIA FROM TO CALLID "CSeq: 1 options\r\n\r\n", &m),
		     -SIP_PERR_CSEQ_METHOD);
	cr_assert_eq(parse(RL VIA FROM TO CALLID "CSeq: 1 OPTION\r\n\r\n", &m),
		     -SIP_PERR_CSEQ_METHOD);
	/* Responses carry any method. */
	cr_assert_gt(parse("SIP/2.0 200 OK\r\n" VIA FROM TO CALLID "CSeq: 1 FOO\r\n\r\n", &m), 0);
}

Test(sip_parse, truncated_at_every_point)
{
	char msg[2048];
	size_t len = invite_build(msg, sizeof(msg));
	size_t hdr_end = len - strlen(sdp);
	struct sip_msg m;

	for (size_t k = 0; k < hdr_end; k++) {
		cr_assert_eq(parse_n(msg, k, &m), -SIP_PERR_TRUNCATED, "prefix %zu", k);
		cr_assert_eq(m.err_off, k);
	}
	for (size_t k = hdr_end; k < len; k++)
		cr_assert_eq(parse_n(msg, k, &m), -SIP_PERR_BODY_TRUNCATED, "prefix %zu", k);
}

Test(sip_parse, only_keepalive_crlf)
{
	struct sip_msg m;

	cr_assert_eq(parse("\r\n\r\n", &m), -SIP_PERR_TRUNCATED);
	cr_assert_eq(parse_n("", 0, &m), -SIP_PERR_TRUNCATED);
}

Test(sip_parse, too_big)
{
	char *msg = malloc(SIP_MSG_MAX + 1);
	int n = snprintf(msg, SIP_MSG_MAX, OPTIONS_WITH(VIA));
	struct sip_msg m;

	memset(msg + n, 'x', SIP_MSG_MAX + 1 - (size_t)n);
	cr_assert_eq(parse_n(msg, SIP_MSG_MAX + 1, &m), -SIP_PERR_TOO_BIG);
	cr_assert_eq(sip_parse(msg, (size_t)-1, &m), -SIP_PERR_TOO_BIG);
	free(msg);
}

Test(sip_parse, nul_bytes)
{
	static const char in_start[] = "OPTIONS sip:b\0b SIP/2.0\r\n" VIA FROM TO CALLID
				       "CSeq: 1 OPTIONS\r\n\r\n";
	static const char in_value[] = RL VIA FROM TO "Call-ID: a\0b\r\nCSeq: 1 OPTIONS\r\n\r\n";
	static const char in_name[] = RL VIA FROM TO CALLID "CS\0eq: 1 OPTIONS\r\n\r\n";
	static const char in_cseq[] = RL VIA FROM TO CALLID "CSeq: 1\0 OPTIONS\r\n\r\n";
	static const char truncated[] = RL VIA "X: \0";
	struct sip_msg m;

	cr_assert_eq(parse_n(in_start, sizeof(in_start) - 1, &m), -SIP_PERR_NUL);
	cr_assert_eq(m.err_off, 13);
	cr_assert_eq(parse_n(in_value, sizeof(in_value) - 1, &m), -SIP_PERR_NUL);
	cr_assert_eq(m.err_off, strlen(RL VIA FROM TO "Call-ID: a"));
	cr_assert_eq(parse_n(in_name, sizeof(in_name) - 1, &m), -SIP_PERR_NUL);
	cr_assert_eq(parse_n(in_cseq, sizeof(in_cseq) - 1, &m), -SIP_PERR_NUL);
	cr_assert_eq(parse_n(truncated, sizeof(truncated) - 1, &m), -SIP_PERR_NUL);
}

Test(sip_parse, bad_status)
{
	static const char *const bad[] = {
		"SIP/2.0 0200 OK", "SIP/2.0 99 Low", "SIP/2.0 099 Low", "SIP/2.0 700 High",
		"SIP/2.0 20x OK", "SIP/2.0 200OK", "SIP/2.0", "SIP/2.0 ", "SIP/2.0  200 OK",
		"SIP/2.0 2000",
	};
	struct sip_msg m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(parse_fmt(&m, "%s\r\n" VIA FROM TO CALLID "CSeq: 1 INVITE\r\n\r\n",
				       bad[i]), -SIP_PERR_BAD_STATUS, "%s", bad[i]);
		cr_assert_eq(m.status, 0);
	}
}

Test(sip_parse, bad_version)
{
	static const char *const bad[] = {
		"SIP/3.0 200 OK", "SIP/2.00 200 OK", "HTTP/1.1 200 OK", "SIP/2.O 200 OK",
		"OPTIONS sip:x SIP/1.0", "OPTIONS sip:x HTTP/1.1", "OPTIONS sip:x SIP/2.0x",
	};
	struct sip_msg m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse_fmt(&m, "%s\r\n" VIA FROM TO CALLID "CSeq: 1 OPTIONS\r\n\r\n",
				       bad[i]), -SIP_PERR_BAD_VERSION, "%s", bad[i]);
	/* The version is case-insensitive. */
	cr_assert_gt(parse("OPTIONS sip:x sip/2.0\r\n" VIA FROM TO CALLID "CSeq: 1 OPTIONS\r\n\r\n",
			   &m), 0);
}

Test(sip_parse, bad_start_line)
{
	static const char *const bad[] = {
		"OPTIONS", "OPTIONS sip:x", "OPTIONS sip:x ", " OPTIONS sip:x SIP/2.0",
		"OPTIONS  sip:x SIP/2.0", "OPTIONS\tsip:x SIP/2.0", "OPTIONS sip:x SIP/2.0 extra",
		"OPT<IONS sip:x SIP/2.0", "Via: SIP/2.0/UDP h", "",
	};
	struct sip_msg m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse_fmt(&m, "%s\r\n" VIA FROM TO CALLID "CSeq: 1 OPTIONS\r\n\r\n",
				       bad[i]), -SIP_PERR_BAD_START_LINE, "'%s'", bad[i]);
}

Test(sip_parse, bad_header_line)
{
	struct sip_msg m;

	cr_assert_eq(parse(OPTIONS_WITH(VIA "NoColonHere\r\n"), &m), -SIP_PERR_BAD_HEADER);
	cr_assert_eq(parse(OPTIONS_WITH(VIA ": no name\r\n"), &m), -SIP_PERR_BAD_HEADER);
	cr_assert_eq(parse(OPTIONS_WITH(VIA "Bad Name: x\r\n"), &m), -SIP_PERR_BAD_HEADER);
	cr_assert_eq(parse(OPTIONS_WITH(VIA "X(y): 1\r\n"), &m), -SIP_PERR_BAD_HEADER);
	/* A continuation line with nothing to continue. */
	cr_assert_eq(parse(RL " folded: x\r\n" VIA FROM TO CALLID "CSeq: 1 OPTIONS\r\n\r\n", &m),
		     -SIP_PERR_BAD_HEADER);
	cr_assert_eq(m.err_off, strlen(RL));
}

Test(sip_parse, too_many_headers)
{
	char msg[8192];
	int n = snprintf(msg, sizeof(msg), RL VIA FROM TO CALLID "CSeq: 1 OPTIONS\r\n");
	struct sip_msg m;

	for (int i = 5; i <= SIP_MAX_HEADERS; i++)
		n += snprintf(msg + n, sizeof(msg) - (size_t)n, "X-H%d: %d\r\n", i, i);
	n += snprintf(msg + n, sizeof(msg) - (size_t)n, "\r\n");
	cr_assert_eq(parse_n(msg, (size_t)n, &m), -SIP_PERR_TOO_MANY_HEADERS);
	cr_assert_eq(m.n_hdrs, SIP_MAX_HEADERS);
}

Test(sip_parse, bad_content_length)
{
	static const char *const bad[] = {
		"Content-Length: abc", "Content-Length: -1", "Content-Length: 1 2",
		"Content-Length:", "Content-Length: 0x10", "l: +3",
		"Content-Length: 0\r\nl: 1",
	};
	struct sip_msg m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse_fmt(&m, OPTIONS_WITH(VIA "%s\r\n"), bad[i]),
			     -SIP_PERR_BAD_CONTENT_LENGTH, "%s", bad[i]);
	/* The same value twice is harmless. */
	cr_assert_gt(parse(OPTIONS_WITH(VIA "Content-Length: 0\r\nl: 000\r\n"), &m), 0);
}

Test(sip_parse, body_shorter_than_content_length)
{
	struct sip_msg m;
	const char *msg = RL VIA FROM TO CALLID "CSeq: 1 OPTIONS\r\nContent-Length: 10\r\n\r\n123456789";

	cr_assert_eq(parse(msg, &m), -SIP_PERR_BODY_TRUNCATED);
	cr_assert_eq(m.err_off, strlen(msg));
	cr_assert_eq(parse(OPTIONS_WITH(VIA "l: 99999999999999999999\r\n"), &m),
		     -SIP_PERR_BODY_TRUNCATED);
}

Test(sip_parse, bad_via_port)
{
	static const char *const bad[] = {
		"h:0", "h:65536", "h:123456", "h:", "h:abc", "[::1]:70000", "h:00000",
		"h:-1",
	};
	struct sip_msg m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse_fmt(&m, OPTIONS_WITH("Via: SIP/2.0/UDP %s;branch=z9hG4bKp\r\n"),
				       bad[i]), -SIP_PERR_BAD_VIA, "%s", bad[i]);
	cr_assert_gt(parse(OPTIONS_WITH("Via: SIP/2.0/UDP h:65535\r\n"), &m), 0);
	cr_assert_eq(m.via_port, 65535);
	cr_assert_gt(parse(OPTIONS_WITH("Via: SIP/2.0/UDP h:1\r\n"), &m), 0);
	cr_assert_eq(m.via_port, 1);
}

Test(sip_parse, bad_via)
{
	static const char *const bad[] = {
		"Via:", "Via: SIP/2.0/UDP", "Via: SIP/2.0/UDP ", "Via: SIP/2.0 h",
		"Via: SIP/2.0/UDPh", "Via: HTTP/2.0/UDP h", "Via: SIP/1.0/UDP h",
		"Via: SIP/2.0/UDP [::1", "Via: SIP/2.0/UDP []", "Via: SIP/2.0/UDP [g::1]",
		"Via: SIP/2.0/UDP h!x", "Via: SIP/2.0/UDP h;branch", "Via: SIP/2.0/UDP h;branch=",
		"Via: SIP/2.0/UDP h;=x", "Via: SIP/2.0/UDP h;x=\"open", "Via: SIP/2.0/UDP h x",
		"Via: , SIP/2.0/UDP h", "Via: SIP/2.0/UDP h\r\nVia:",
	};
	struct sip_msg m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse_fmt(&m, OPTIONS_WITH("%s\r\n"), bad[i]), -SIP_PERR_BAD_VIA,
			     "%s", bad[i]);
}

Test(sip_parse, missing_required_headers)
{
	struct sip_msg m;

	cr_assert_eq(parse(RL FROM TO CALLID "CSeq: 1 OPTIONS\r\n\r\n", &m), -SIP_PERR_NO_VIA);
	cr_assert_eq(parse(RL VIA TO CALLID "CSeq: 1 OPTIONS\r\n\r\n", &m), -SIP_PERR_NO_FROM);
	cr_assert_eq(parse(RL VIA FROM CALLID "CSeq: 1 OPTIONS\r\n\r\n", &m), -SIP_PERR_NO_TO);
	cr_assert_eq(parse(RL VIA FROM TO CALLID "\r\n", &m), -SIP_PERR_NO_CSEQ);
	cr_assert_eq(parse(RL VIA "From:  \r\n" TO CALLID "CSeq: 1 OPTIONS\r\n\r\n", &m),
		     -SIP_PERR_NO_FROM);
	cr_assert_eq(parse(RL "\r\n", &m), -SIP_PERR_NO_CALL_ID);
}

Test(sip_parse, bad_max_forwards)
{
	static const char *const bad[] = {
		"Max-Forwards: 256", "Max-Forwards: abc", "Max-Forwards: -1", "Max-Forwards:",
		"Max-Forwards: 1 0", "Max-Forwards: 99999999999999999999",
	};
	struct sip_msg m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse_fmt(&m, OPTIONS_WITH(VIA "%s\r\n"), bad[i]),
			     -SIP_PERR_BAD_MAX_FORWARDS, "%s", bad[i]);
}

Test(sip_parse, error_offsets_point_into_the_line)
{
	struct sip_msg m;
	const char *msg = OPTIONS_WITH("Via: SIP/2.0/UDP h:99999\r\n");

	cr_assert_eq(parse(msg, &m), -SIP_PERR_BAD_VIA);
	cr_assert_eq(m.err_off, strstr(msg, "99999") - msg);
	msg = "SIP/2.0 2x0 OK\r\n\r\n";
	cr_assert_eq(parse(msg, &m), -SIP_PERR_BAD_STATUS);
	cr_assert_eq(m.err_off, 8);
}

/* ------------------------------------------------------------------ */
/* Lookups and names                                                  */

Test(sip_hdr_find, first_and_next)
{
	struct sip_msg m;
	const struct sip_hdr *h;

	cr_assert_gt(parse(OPTIONS_WITH(VIA "Route: <sip:r1>\r\nX: 1\r\nroute: <sip:r2>\r\n"), &m), 0);
	h = sip_hdr_find(&m, SIP_HDR_ROUTE);
	cr_assert(h);
	cr_assert_sl(h->value, "<sip:r1>");
	h = sip_hdr_next(&m, h);
	cr_assert(h);
	cr_assert_sl(h->value, "<sip:r2>");
	cr_assert_null(sip_hdr_next(&m, h));
	cr_assert_null(sip_hdr_find(&m, SIP_HDR_RECORD_ROUTE));
	cr_assert_null(sip_hdr_find(&m, SIP_HDR_COUNT));
	cr_assert_null(sip_hdr_next(&m, NULL));
	cr_assert_null(sip_hdr_next(&m, &m.hdrs[m.n_hdrs]));
}

/*
 * Parses a request whose last header is "name: value", with the base
 * headers minus the one being tested when it must be unique.
 */
static int parse_with_last(struct sip_msg *m, enum sip_hdr_id id, const char *name)
{
	const char *v = id == SIP_HDR_CSEQ ? "1 OPTIONS" :
		id == SIP_HDR_VIA ? "SIP/2.0/UDP h" :
		id == SIP_HDR_CONTENT_LENGTH || id == SIP_HDR_MAX_FORWARDS ? "0" : "x";
	const char *cid = id == SIP_HDR_CALL_ID ? "" : CALLID;
	const char *cseq = id == SIP_HDR_CSEQ ? "" : "CSeq: 1 OPTIONS\r\n";
	const char *from = id == SIP_HDR_FROM ? "" : FROM;
	const char *to = id == SIP_HDR_TO ? "" : TO;

	return parse_fmt(m, RL VIA "%s%s%s%s%s: %s\r\n\r\n", from, to, cid, cseq, name, v);
}

Test(sip_hdr_find, every_name_in_any_case)
{
	struct sip_msg m;

	for (int id = 1; id < SIP_HDR_COUNT; id++) {
		char upper[64], lower[64];
		const char *name = sip_hdr_str(id);
		const char *forms[] = {name, upper, lower};

		for (size_t i = 0; i <= strlen(name); i++) {
			upper[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
			lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
		}
		for (int f = 0; f < 3; f++) {
			cr_assert_gt(parse_with_last(&m, id, forms[f]), 0, "%s", forms[f]);
			cr_assert_eq(m.hdrs[m.n_hdrs - 1].id, id, "%s", forms[f]);
			cr_assert_eq(sip_hdr_find(&m, id)->id, id);
		}
	}
	/* Near misses stay unknown. */
	cr_assert_gt(parse_with_last(&m, SIP_HDR_OTHER, "Call-IDs"), 0);
	cr_assert_eq(m.hdrs[m.n_hdrs - 1].id, SIP_HDR_OTHER);
	cr_assert_gt(parse_with_last(&m, SIP_HDR_OTHER, "Contacts"), 0);
	cr_assert_eq(m.hdrs[m.n_hdrs - 1].id, SIP_HDR_OTHER);
	cr_assert_gt(parse_with_last(&m, SIP_HDR_OTHER, "Vib"), 0);
	cr_assert_eq(m.hdrs[m.n_hdrs - 1].id, SIP_HDR_OTHER);
}

Test(sip_hdr_find, compact_letters)
{
	static const struct {
		char c;
		enum sip_hdr_id id;
	} map[] = {
		{'v', SIP_HDR_VIA}, {'i', SIP_HDR_CALL_ID}, {'f', SIP_HDR_FROM},
		{'t', SIP_HDR_TO}, {'m', SIP_HDR_CONTACT}, {'l', SIP_HDR_CONTENT_LENGTH},
		{'c', SIP_HDR_CONTENT_TYPE}, {'k', SIP_HDR_SUPPORTED}, {'o', SIP_HDR_EVENT},
		{'s', SIP_HDR_SUBJECT}, {'r', SIP_HDR_REFER_TO},
		{'x', SIP_HDR_OTHER}, {'e', SIP_HDR_OTHER},
	};
	struct sip_msg m;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		char name[2] = {map[i].c, 0};

		cr_assert_gt(parse_with_last(&m, map[i].id, name), 0, "%s", name);
		cr_assert_eq(m.hdrs[m.n_hdrs - 1].id, map[i].id, "%s", name);
		name[0] = (char)(map[i].c - 32);
		cr_assert_gt(parse_with_last(&m, map[i].id, name), 0, "%s", name);
		cr_assert_eq(m.hdrs[m.n_hdrs - 1].id, map[i].id, "%s", name);
	}
}

Test(sip_names, strings)
{
	cr_assert_str_eq(sip_perr_str(SIP_PERR_NO_CALL_ID), "no Call-ID header");
	cr_assert_str_eq(sip_perr_str(-SIP_PERR_TRUNCATED),
			 "message ends before the blank line after headers");
	cr_assert_str_eq(sip_perr_str(SIP_PERR_COUNT), "unknown error");
	cr_assert_str_eq(sip_method_str(SIP_METHOD_INVITE), "INVITE");
	cr_assert_str_eq(sip_method_str(SIP_METHOD_UPDATE), "UPDATE");
	cr_assert_str_eq(sip_method_str(SIP_METHOD_NONE), "");
	cr_assert_str_eq(sip_method_str(SIP_METHOD_COUNT), "");
	cr_assert_str_eq(sip_hdr_str(SIP_HDR_CALL_ID), "Call-ID");
	cr_assert_str_eq(sip_hdr_str(SIP_HDR_PROXY_AUTHORIZATION), "Proxy-Authorization");
	cr_assert_str_eq(sip_hdr_str(SIP_HDR_COUNT), "");
	for (int e = 1; e < SIP_PERR_COUNT; e++)
		cr_assert(sip_perr_str(e)[0], "error %d has no text", e);
}

/* ------------------------------------------------------------------ */
/* Scanners (sip_scan.h)                                              */

Test(sip_scan, nibble_tables_match_classes)
{
	for (unsigned k = 0; k < SIP_SC_NVEC; k++)
		for (unsigned b = 0; b < 256; b++)
			cr_assert_eq((sip_nib[k].lo[b & 15] & sip_nib[k].hi[b >> 4]) != 0,
				     sip_is((char)b, SIP_CC(k)), "class %u byte 0x%02x", k, b);
}

/* A deterministic byte mix where every class, LF, NUL, STX and BS occur. */
static void scan_fill(char *buf, size_t n, uint32_t seed)
{
	static const char pool[] = "aZ09-._!~;,\"<>: \t\r\n\x01\x02\x08\x80\xff=/[@";

	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (seed >> 16) % 3 ? pool[(seed >> 8) % (sizeof(pool) - 1)] : 'x';
		if (((seed >> 20) & 63) == 0)
			buf[i] = '\0';
	}
}

Test(sip_scan, searches_match_byte_loops)
{
	static const char bytes[] = {'>', '"', ',', ':', '\0'};

	for (size_t n = 0; n <= 80; n++) {
		for (uint32_t seed = 1; seed <= 40; seed++) {
			char *buf = malloc(n ? n : 1); /* exact size: ASan sees over-reads */
			const char *e = buf + n;

			cr_assert(buf);
			scan_fill(buf, n, seed * 7919u + (uint32_t)n);
			for (size_t at = 0; at <= n; at++) {
				const char *p = buf + at, *q, *nul = NULL, *nul_want = NULL;

				for (unsigned k = 0; k <= SIP_SC_HEX6; k++) {
					for (q = p; q < e && sip_is(*q, SIP_CC(k)); q++)
						;
					cr_assert_eq(sip_span(p, e, k), q, "span %u n %zu at %zu", k, n, at);
					for (q = p; q < e && !sip_is(*q, SIP_CC(k)); q++)
						;
					cr_assert_eq(sip_find(p, e, k), q, "find %u n %zu at %zu", k, n, at);
				}
				for (size_t b = 0; b < sizeof(bytes); b++) {
					for (q = p; q < e && *q != bytes[b]; q++)
						;
					cr_assert_eq(sip_find_byte(p, e, bytes[b]), q < e ? q : NULL);
				}
				for (q = p; q < e && *q != '\n'; q++)
					if (!*q && !nul_want)
						nul_want = q;
				cr_assert_eq(sip_find_lf(p, e, &nul), q < e ? q : NULL,
					     "lf n %zu at %zu", n, at);
				cr_assert_eq(nul, nul_want, "nul n %zu at %zu", n, at);
			}
			free(buf);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Straight paths and the general code agree                          */

Test(sip_parse, via_spellings)
{
	static const struct {
		const char *via;
		int transport, port, rport, n_via;
		const char *host, *branch;
	} ok[] = {
		{"SIP/2.0/UDP h:5060;branch=z9;rport", 1, 5060, 1, 1, "h", "z9"},
		{"sip/2.0/udp H;BRANCH=x;RPort", 1, 0, 1, 1, "H", "x"},
		{"SIP/2.0/TCP h ;branch=x", 2, 0, 0, 1, "h", "x"},
		{"SIP/2.0/TLS h: 5061 ;branch = x", 3, 5061, 0, 1, "h", "x"},
		{"SIP/2.0/UDP h;branch=\"q,x\";rport", 1, 0, 1, 1, "h", "q,x"},
		{"SIP/2.0/UDP h;branch=a;branch=b", 1, 0, 0, 1, "h", "a"},
		{"SIP/2.0/UDP h;received=198.18.0.1;branch=x;rport=5", 1, 0, 1, 1, "h", "x"},
		{"SIP/2.0/SCTP h;branch=x", 4, 0, 0, 1, "h", "x"},
		{"SIP/2.0/WS h;branch=x", 5, 0, 0, 1, "h", "x"},
		{"SIP/2.0/wss h;branch=x", 6, 0, 0, 1, "h", "x"},
		{"SIP/2.0/XYZ h;branch=x", 0, 0, 0, 1, "h", "x"},
		{"SIP/2.0/UDP h;maddr=x;ttl=1", 1, 0, 0, 1, "h", ""},
		{"SIP/2.0/UDP h;branch=x, SIP/2.0/UDP g;branch=y", 1, 0, 0, 2, "h", "x"},
		{"SIP/2.0/UDP h,SIP/2.0/UDP g, SIP/2.0/UDP f", 1, 0, 0, 3, "h", ""},
		{"SIP/2.0/UDP [2001:db8::1]:5060;branch=x", 1, 5060, 0, 1, "[2001:db8::1]", "x"},
		{"SIP / 2.0 / UDP h;branch=x", 1, 0, 0, 1, "h", "x"},
		{"SIP/2.0/UDP 198.18.0.1:65535;branch=z9hG4bK.a-b_c!%*+`'~", 1, 65535, 0, 1,
		 "198.18.0.1", "z9hG4bK.a-b_c!%*+`'~"},
	};
	static const char *const bad[] = {
		"SIP/2.0/UDP h:0", "SIP/2.0/UDP h:65536", "SIP/2.0/UDP h:", "SIP/2.0/UDP h:x",
		"SIP/2.0/UDP h;branch", "SIP/2.0/UDP h;branch=", "SIP/2.0/UDP h;branch=\"x",
		"SIP/2.0/UDP h;=x", "SIP/2.0/UDP h x", "SIP/2.0/UDPh", "SIP/2.0/UDP ;branch=x",
		"SIP/2.0/ UDP", "SIP/3.0/UDP h", "SIP/2.0/UDP [::1", "SIP/2.0/UDP h:99999999999",
	};
	struct sip_msg m;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert_gt(parse_fmt(&m, OPTIONS_WITH("Via: %s\r\n"), ok[i].via), 0, "%s",
			     ok[i].via);
		cr_assert_eq(m.via_transport, ok[i].transport, "%s", ok[i].via);
		cr_assert_eq(m.via_port, ok[i].port, "%s", ok[i].via);
		cr_assert_eq(m.via_has_rport, ok[i].rport, "%s", ok[i].via);
		cr_assert_eq(m.n_via, ok[i].n_via, "%s", ok[i].via);
		cr_assert_sl(m.via_host, ok[i].host);
		cr_assert_sl(m.via_branch, ok[i].branch);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(parse_fmt(&m, OPTIONS_WITH("Via: %s\r\n"), bad[i]), -SIP_PERR_BAD_VIA,
			     "%s", bad[i]);
		cr_assert_eq(m.n_via, 0);
	}
}

Test(sip_parse, tag_shapes)
{
	static const struct {
		const char *from, *tag;
	} cases[] = {
		{"<sip:a@b>;tag=x1", "x1"},
		{"<sip:a@b>;TAG=x2", "x2"},
		{"A <sip:a@b;tag=no>;tag=yes", "yes"},
		{"<sip:a@b> ;tag=x3", "x3"},
		{"<sip:a@b>; tag = x4", "x4"},
		{"<sip:a@b>;tag= x5", "x5"},
		{"<sip:a@b>;foo=1;tag=x6", "x6"},
		{"<sip:a@b>;tag=", ""},
		{"<sip:a@b>;tagx=1", ""},
		{"<sip:a@b>", ""},
		{"<sip:a@b", ""},
		{"\"x<y\" <sip:a@b>;tag=x7", "x7"},
		{"<sip:a@b>;tag=\"q\"", ""},
		{"<sip:a@b>;tag=x8;tag=x9", "x8"},
	};
	struct sip_msg m;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_gt(parse_fmt(&m, RL VIA "From: %s\r\n" TO CALLID "CSeq: 1 OPTIONS\r\n\r\n",
				       cases[i].from), 0, "%s", cases[i].from);
		cr_assert_sl(m.from_tag, cases[i].tag);
	}
}

Test(sip_parse, cseq_many_leading_zeros)
{
	struct sip_msg m;

	cr_assert_gt(parse(RL VIA FROM TO CALLID
			   "CSeq: 000000000000000000000000000000042 OPTIONS\r\n\r\n", &m), 0);
	cr_assert_eq(m.cseq, 42);
	cr_assert_eq(parse(RL VIA FROM TO CALLID
			   "CSeq: 1000000000000000000000000000000000 OPTIONS\r\n\r\n", &m),
		     -SIP_PERR_BAD_CSEQ);
}

Test(sip_parse, status_line_spellings)
{
	struct sip_msg m;
	const char *rest = VIA FROM TO CALLID "CSeq: 1 OPTIONS\r\n\r\n";

	cr_assert_gt(parse_fmt(&m, "sip/2.0 200 OK\r\n%s", rest), 0);
	cr_assert_eq(m.status, 200);
	cr_assert_gt(parse_fmt(&m, "SIP/2.0 486\r\n%s", rest), 0);
	cr_assert_eq(m.status, 486);
	cr_assert_eq(parse_fmt(&m, "SIP/2.0\t200 OK\r\n%s", rest), -SIP_PERR_BAD_STATUS);
	cr_assert_eq(parse_fmt(&m, "SIP/2.00 200 OK\r\n%s", rest), -SIP_PERR_BAD_VERSION);
	cr_assert_eq(parse_fmt(&m, "SIP/\r\n%s", rest), -SIP_PERR_BAD_VERSION);
	cr_assert_eq(parse_fmt(&m, "OPTIONS sip:b SIP/2.0 \r\n%s", rest), (int)m.hdr_end);
	cr_assert_eq(parse_fmt(&m, "OPTIONS sip:b SIP/2.1\r\n%s", rest), -SIP_PERR_BAD_VERSION);
}

/* ------------------------------------------------------------------ */
/* Which error wins when several lines are wrong                      */

/*
 * A header is finished when the line after it shows up: its error wins
 * over anything wrong further on, and the bytes past that line were never
 * read (a NUL there does not count). Handlers run after the line loop, so
 * this pins down that the outcome is still the one-line-at-a-time one.
 */
Test(sip_parse, first_failing_header_wins)
{
	static const char bad_then_bad_line[] =
		RL "Via: SIP/2.0/UDP h:0\r\nX: 1\r\n:oops\r\n" FROM TO CALLID "CSeq: 1 OPTIONS\r\n\r\n";
	static const char bad_then_nul_later[] =
		RL "Via: SIP/2.0/UDP h:0\r\nX: 1\r\nY: \0\r\n" FROM TO CALLID "CSeq: 1 OPTIONS\r\n\r\n";
	static const char bad_then_nul_next[] =
		RL "Via: SIP/2.0/UDP h:0\r\nX: \0\r\n" FROM TO CALLID "CSeq: 1 OPTIONS\r\n\r\n";
	static const char bad_then_truncated[] = RL "Via: SIP/2.0/UDP h:0\r\nX: 1";
	static const char bad_then_truncated_later[] = RL "Via: SIP/2.0/UDP h:0\r\nX: 1\r\nY";
	static const char bad_mf_then_dup_call_id[] =
		RL VIA "Max-Forwards: 300\r\n" CALLID CALLID FROM TO "CSeq: 1 OPTIONS\r\n\r\n";
	struct sip_msg m;

	cr_assert_eq(parse_n(bad_then_bad_line, sizeof(bad_then_bad_line) - 1, &m),
		     -SIP_PERR_BAD_VIA);
	cr_assert_eq(m.n_hdrs, 1);
	cr_assert_eq(m.hdr_idx[SIP_HDR_OTHER], 0);
	cr_assert_eq(m.err_off, strlen(RL "Via: SIP/2.0/UDP h:"));
	cr_assert_eq(parse_n(bad_then_nul_later, sizeof(bad_then_nul_later) - 1, &m),
		     -SIP_PERR_BAD_VIA);
	cr_assert_eq(parse_n(bad_then_nul_next, sizeof(bad_then_nul_next) - 1, &m), -SIP_PERR_NUL);
	cr_assert_eq(m.err_off, strlen(RL "Via: SIP/2.0/UDP h:0\r\nX: "));
	/* The Via is finished by a line that never ends: never finished. */
	cr_assert_eq(parse_n(bad_then_truncated, sizeof(bad_then_truncated) - 1, &m),
		     -SIP_PERR_TRUNCATED);
	cr_assert_eq(parse_n(bad_then_truncated_later, sizeof(bad_then_truncated_later) - 1, &m),
		     -SIP_PERR_BAD_VIA);
	cr_assert_eq(parse_n(bad_mf_then_dup_call_id, sizeof(bad_mf_then_dup_call_id) - 1, &m),
		     -SIP_PERR_BAD_MAX_FORWARDS);
	cr_assert_eq(m.n_hdrs, 2);
	cr_assert_eq(m.hdr_idx[SIP_HDR_CALL_ID], 0);
	cr_assert(!m.call_id.len);
}

/* The message ends inside a header: it is never finished or interpreted. */
Test(sip_parse, truncated_inside_a_header)
{
	static const char last_open[] = RL "Via: SIP/2.0/UDP h:0  \r\n";
	static const char folded_open[] = RL VIA "Subject: a  \r\n  b \r\n";
	struct sip_msg m;

	cr_assert_eq(parse_n(last_open, sizeof(last_open) - 1, &m), -SIP_PERR_TRUNCATED);
	cr_assert_eq(m.n_hdrs, 1);
	cr_assert_eq(m.n_via, 0);
	cr_assert_sl(m.hdrs[0].value, " SIP/2.0/UDP h:0  ");
	cr_assert_eq(parse_n(folded_open, sizeof(folded_open) - 1, &m), -SIP_PERR_TRUNCATED);
	cr_assert_eq(m.n_hdrs, 2);
	cr_assert_eq(m.n_via, 1);
	cr_assert_sl(m.hdrs[1].value, " a  ");
	cr_assert_sl(m.hdrs[1].line, "Subject: a  \r\n  b \r\n");
}

/* STX and BS look like LF and NUL to the line search's first filter. */
Test(sip_parse, control_bytes_in_lines)
{
	static const char msg[] = RL VIA FROM TO CALLID "Subject: \x02\x08\x02 x\x08\r\n"
				  "CSeq: 1 OPTIONS\r\n\r\n";
	static const char nul_after[] = RL VIA FROM TO CALLID "Subject: \x02\x08\x02\0\r\n"
					"CSeq: 1 OPTIONS\r\n\r\n";
	struct sip_msg m;

	cr_assert_eq(parse_n(msg, sizeof(msg) - 1, &m), (int)sizeof(msg) - 1);
	cr_assert_sl(sip_hdr_find(&m, SIP_HDR_SUBJECT)->value, "\x02\x08\x02 x\x08");
	cr_assert_eq(parse_n(nul_after, sizeof(nul_after) - 1, &m), -SIP_PERR_NUL);
	cr_assert_eq(m.err_off, strlen(RL VIA FROM TO CALLID "Subject: \x02\x08\x02"));
}

/* ---- sip_parse_lazy: the io lcore's parse ---- */

TestSuite(sip_parse_lazy, .fini = cleanup);

static int lazy_n(const char *s, size_t n, struct sip_msg *m)
{
	return parse_with(sip_parse_lazy, s, n, m);
}

static int lazy(const char *s, struct sip_msg *m)
{
	return lazy_n(s, strlen(s), m);
}

/* What follows the three wanted headers is never read: not even errors. */
#define AFTER "Contact: <sip:alice@198.18.0.11>\r\nthis line has no colon\r\n" \
	      "Content-Length: 999\r\n\r\nbody"

Test(sip_parse_lazy, stops_after_call_id_cseq_to)
{
	const char *s = RL VIA FROM "To: <sip:bob@example.com>;tag=77\r\n" CALLID
			"CSeq: 12 OPTIONS\r\n" AFTER;
	struct sip_msg m;

	cr_assert_eq(lazy(s, &m), (int)strlen(s));
	cr_assert(m.lazy);
	cr_assert_eq(m.method, SIP_METHOD_OPTIONS);
	cr_assert_sl(m.ruri, "sip:bob@example.com");
	cr_assert_sl(m.call_id, "a84b4c76e66710@198.18.0.1");
	cr_assert_sl(m.to_tag, "77");
	cr_assert_eq(m.cseq, 12);
	cr_assert_eq(m.n_hdrs, 5);
	/* Via and From are recorded but their handlers did not run. */
	cr_assert_eq(m.n_via, 0);
	cr_assert_eq(m.from.len, 0);
	cr_assert_eq(m.hdr_end, 0);
	cr_assert_eq(m.body_len, 0);
	/* The full parse does read on, and fails. */
	cr_assert_eq(parse(s, &m), -SIP_PERR_BAD_HEADER);
}

Test(sip_parse_lazy, folded_last_header_is_complete)
{
	const char *s = RL CALLID "CSeq: 1 OPTIONS\r\nt: <sip:bob@example.com>\r\n"
			" ;tag=abc\r\n" FROM VIA "\r\n";
	struct sip_msg m;

	cr_assert_eq(lazy(s, &m), (int)strlen(s));
	cr_assert(m.lazy);
	cr_assert_sl(m.to_tag, "abc");
	cr_assert_eq(m.n_hdrs, 3);
}

Test(sip_parse_lazy, wanted_last_reads_to_the_blank_line)
{
	const char *s = RL VIA FROM CALLID "CSeq: 1 OPTIONS\r\n" TO "\r\nxy";
	struct sip_msg m;

	cr_assert_eq(lazy(s, &m), (int)strlen(s));
	cr_assert_not(m.lazy);
	cr_assert_eq(m.n_hdrs, 5);
	cr_assert_eq(m.hdr_end, strlen(s) - 2);
	cr_assert_eq(m.body_len, 2);
}

Test(sip_parse_lazy, response)
{
	const char *s = "SIP/2.0 180 Ringing\r\n" VIA FROM
			"To: <sip:bob@example.com>;tag=9\r\n" CALLID "CSeq: 4 INVITE\r\n" AFTER;
	struct sip_msg m;

	cr_assert_eq(lazy(s, &m), (int)strlen(s));
	cr_assert_eq(m.method, SIP_METHOD_NONE);
	cr_assert_eq(m.status, 180);
	cr_assert_sl(m.cseq_method, "INVITE");
	cr_assert_sl(m.to_tag, "9");
}

Test(sip_parse_lazy, errors_in_what_it_reads)
{
	struct sip_msg m;

	cr_assert_eq(lazy(RL CALLID "CSeq: x OPTIONS\r\n" TO "\r\n", &m), -SIP_PERR_BAD_CSEQ);
	cr_assert_eq(lazy(RL CALLID "CSeq: 1 INVITE\r\n" TO "\r\n", &m), -SIP_PERR_CSEQ_METHOD);
	cr_assert_eq(lazy(RL CALLID "CSeq: 1 OPTIONS\r\n" FROM "\r\n", &m), -SIP_PERR_NO_TO);
	cr_assert_eq(lazy(RL TO "CSeq: 1 OPTIONS\r\n" VIA "\r\n", &m), -SIP_PERR_NO_CALL_ID);
	cr_assert_eq(lazy(RL CALLID CALLID "CSeq: 1 OPTIONS\r\n" TO "\r\n", &m),
		     -SIP_PERR_DUP_CALL_ID);
	cr_assert_eq(lazy(RL "bad line\r\n" CALLID "CSeq: 1 OPTIONS\r\n" TO "\r\n", &m),
		     -SIP_PERR_BAD_HEADER);
	cr_assert_eq(lazy(RL CALLID "CSeq: 1 OPTIONS\r\n" TO, &m), -SIP_PERR_TRUNCATED);
	cr_assert_eq(lazy_n(RL "X: a\0b\r\n" CALLID "CSeq: 1 OPTIONS\r\n" TO "\r\n",
			    sizeof(RL "X: a\0b\r\n" CALLID "CSeq: 1 OPTIONS\r\n" TO "\r\n") - 1, &m),
		     -SIP_PERR_NUL);
	cr_assert_eq(lazy("INVITE sip:a SIP/3.0\r\n" CALLID "CSeq: 1 INVITE\r\n" TO "\r\n", &m),
		     -SIP_PERR_BAD_VERSION);
}

/* Whatever passes the full parse passes the lazy one with the same fields. */
Test(sip_parse_lazy, agrees_with_full_parse)
{
	static const char *const msgs[] = {
		RL VIA FROM TO CALLID "CSeq: 1 OPTIONS\r\n\r\n",
		"INVITE sip:+15551230001@acme.example SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bKx\r\n"
		"f: <sip:a@b>;tag=1\r\nt: <sip:c@d>\r\ni: abc\r\nCSeq: 0007 INVITE\r\n"
		"m: <sip:a@h>\r\nl: 0\r\n\r\n",
		"SIP/2.0 200 OK\r\n" VIA VIA FROM "To: <sip:c@d>;tag=z\r\n" CALLID
		"CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
	};

	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		struct sip_msg f, l;
		int rc = parse(msgs[i], &f);

		cr_assert_gt(rc, 0, "message %zu: %d", i, rc);
		cr_assert_eq(lazy(msgs[i], &l), (int)strlen(msgs[i]));
		cr_assert_eq(l.method, f.method);
		cr_assert_eq(l.status, f.status);
		cr_assert_eq(l.cseq, f.cseq);
		cr_assert_eq(l.call_id.off, f.call_id.off);
		cr_assert_eq(l.call_id.len, f.call_id.len);
		cr_assert_eq(l.to_tag.off, f.to_tag.off);
		cr_assert_eq(l.to_tag.len, f.to_tag.len);
		cr_assert_eq(l.ruri.len, f.ruri.len);
	}
}

/* A second From or To is refused (CSeq and Content-Length: see their tests). */
Test(sip_parse, from_or_to_twice_is_refused)
{
	struct sip_msg m;

	cr_assert_eq(parse(RL VIA FROM TO TO CALLID "CSeq: 1 OPTIONS\r\n\r\n", &m),
		     -SIP_PERR_DUP_HEADER);
	cr_assert_eq(parse(RL VIA FROM "f: <sip:x@y>;tag=2\r\n" TO CALLID "CSeq: 1 OPTIONS\r\n\r\n",
			   &m),
		     -SIP_PERR_DUP_HEADER);
	/* several Vias (and other list headers) stay fine */
	cr_assert_gt(parse(RL VIA VIA FROM TO CALLID "CSeq: 1 OPTIONS\r\n\r\n", &m), 0);
}

/*
 * Found by the fuzzer: an empty To, then a second To with a value. The
 * lazy parse stopped at the first (no To), the full one took the second;
 * now the full parse refuses the second To, and both fail.
 */
Test(sip_parse_lazy, empty_to_then_another_to)
{
	const char *s = RL VIA FROM "To: \r\n" CALLID "CSeq: 1 OPTIONS\r\nTo: <sip:b@c>\r\n\r\n";
	struct sip_msg m;

	cr_assert_eq(parse(s, &m), -SIP_PERR_DUP_HEADER);
	cr_assert_lt(lazy(s, &m), 0);
}

/* ------------------------------------------------------------------ */
/* A kept parse restores to the same message as parsing again. */

TestSuite(sip_msg_pack, .fini = cleanup);

Test(sip_msg_pack, restores_what_a_parse_gives)
{
	char buf[2048];
	size_t n = invite_build(buf, sizeof(buf));
	struct sip_msg m, back;
	char packed[sizeof(struct sip_msg)];
	size_t size;

	cr_assert(parse_n(buf, n, &m) > 0);
	size = sip_msg_packed_size(&m);
	cr_assert_lt(size, sizeof(m) / 2, "a parse of 9 headers packs small (%zu)", size);
	memset(packed, 0xa5, sizeof(packed));
	sip_msg_pack(&m, packed);
	cr_assert_eq((unsigned char)packed[size], 0xa5, "wrote past its size");
	memset(&back, 0x5a, sizeof(back));
	sip_msg_unpack(packed, &back);
	cr_assert_eq(back.n_hdrs, m.n_hdrs);
	cr_assert_eq(back.cseq, 314159);
	cr_assert_eq(back.body_len, m.body_len);
	cr_assert_sl(back.call_id, "a84b4c76e66710@pc33.atlanta.example.com");
	cr_assert_sl(back.from_tag, "1928301774");
	cr_assert(back.via_has_rport);
	cr_assert_eq(memcmp(back.hdrs, m.hdrs, m.n_hdrs * sizeof(m.hdrs[0])), 0);
	cr_assert_sl(sip_hdr_find(&back, SIP_HDR_CONTACT)->value,
		     "<sip:alice@pc33.atlanta.example.com>");
	cr_assert_sl(sip_hdr_find(&back, SIP_HDR_CONTENT_TYPE)->value, "application/sdp");
	cr_assert_null(sip_hdr_next(&back, sip_hdr_find(&back, SIP_HDR_VIA)));
}
