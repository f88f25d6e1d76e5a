/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for SIP digest authentication (dataplane/sip/digest.c): the
 * worked examples of RFC 7616 §3.9 and RFC 2617 §3.5, responses without
 * qop and with the -sess algorithms, a header exactly as SIPp sends it,
 * every parse error with its code, stateless nonces (OK, STALE and the
 * ways to be BAD), and challenge writing with its truncation.
 *
 * Expected responses that no RFC prints were computed independently with
 * Python's hashlib from the formulas of RFC 7616 §3.4.1. Every header is
 * parsed from a heap copy of exactly its length, so a sanitizer build
 * catches any read past the end. Crashes found by
 * tests/fuzz/fuzz_digest.c are added here.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/digest.h"

/* The buffer of the last parse; freed by the next parse or the test's end. */
static char *cur;

static void cleanup(void)
{
	free(cur);
	cur = NULL;
}

TestSuite(digest_parse, .fini = cleanup);
TestSuite(digest_verify, .fini = cleanup);
TestSuite(digest_verify_password, .fini = cleanup);
TestSuite(digest_response, .fini = cleanup);
TestSuite(digest_ha1, .fini = cleanup);
TestSuite(digest_unquote, .fini = cleanup);
TestSuite(digest_err_str, .fini = cleanup);
TestSuite(digest_nonce_check, .fini = cleanup);
TestSuite(digest_challenge_write, .fini = cleanup);
TestSuite(digest_challenge_hdrs, .fini = cleanup);

static int parse_n(const char *s, size_t n, struct digest_cred *c)
{
	free(cur);
	cur = malloc(n ? n : 1);
	cr_assert(cur);
	memcpy(cur, s, n);
	return digest_parse(cur, n, c);
}

static int parse(const char *s, struct digest_cred *c)
{
	return parse_n(s, strlen(s), c);
}

static bool str_eq(struct digest_str v, const char *want)
{
	return v.p && v.len == strlen(want) && memcmp(v.p, want, v.len) == 0;
}

#define cr_assert_str_v(v, want)                                                    \
	cr_assert(str_eq(v, want), "%s is \"%.*s\", want \"%s\"", #v, (int)(v).len, \
		  (v).p ? (v).p : "", want)

static int verify_pw(const struct digest_cred *c, const char *method, const char *pw)
{
	return digest_verify_password(c, method, strlen(method), pw, strlen(pw));
}

/* ------------------------------------------------------------------ */
/* RFC 7616 §3.9.1 and RFC 2617 §3.5                                  */

#define RFC7616_COMMON                                              \
	"Digest username=\"Mufasa\",\r\n"                           \
	"    realm=\"http-auth@example.org\",\r\n"                  \
	"    uri=\"/dir/index.html\",\r\n"                          \
	"    nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\r\n" \
	"    nc=00000001,\r\n"                                      \
	"    cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\",\r\n" \
	"    qop=auth,\r\n"                                         \
	"    opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\",\r\n"

static const char rfc7616_md5[] = RFC7616_COMMON
	"    algorithm=MD5,\r\n"
	"    response=\"8ca523f5e9506fed4657c9700eebdbec\"";

static const char rfc7616_sha256[] = RFC7616_COMMON
	"    algorithm=SHA-256,\r\n"
	"    response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\"";

Test(digest_parse, rfc7616_example_fields)
{
	struct digest_cred c;

	cr_assert_eq(parse(rfc7616_sha256, &c), (int)strlen(rfc7616_sha256));
	cr_assert_str_v(c.username, "Mufasa");
	cr_assert_str_v(c.realm, "http-auth@example.org");
	cr_assert_str_v(c.uri, "/dir/index.html");
	cr_assert_str_v(c.nonce, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
	cr_assert_str_v(c.cnonce, "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");
	cr_assert_str_v(c.opaque, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
	cr_assert_str_v(c.nc, "00000001");
	cr_assert_str_v(c.qop, "auth");
	cr_assert_str_v(c.algorithm, "SHA-256");
	cr_assert_eq(c.nc_value, 1);
	cr_assert_eq(c.alg, DIGEST_ALG_SHA256);
	cr_assert_eq(c.qop_kind, DIGEST_QOP_AUTH);
	cr_assert_not(c.is_userhash);
	cr_assert_null(c.userhash.p);
	cr_assert_eq(c.err_off, 0);
}

Test(digest_verify_password, rfc7616_md5_example)
{
	struct digest_cred c;

	cr_assert_gt(parse(rfc7616_md5, &c), 0);
	cr_assert_eq(c.alg, DIGEST_ALG_MD5);
	cr_assert_eq(verify_pw(&c, "GET", "Circle of Life"), 0);
}

Test(digest_verify_password, rfc7616_sha256_example)
{
	struct digest_cred c;

	cr_assert_gt(parse(rfc7616_sha256, &c), 0);
	cr_assert_eq(verify_pw(&c, "GET", "Circle of Life"), 0);
}

Test(digest_verify_password, rfc2617_example)
{
	static const char h[] =
		"Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
		"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
		"qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
		"response=\"6629fae49393a05397450978507c4ef1\", "
		"opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
	struct digest_cred c;

	cr_assert_gt(parse(h, &c), 0);
	cr_assert_eq(c.alg, DIGEST_ALG_MD5, "no algorithm means MD5");
	cr_assert_eq(verify_pw(&c, "GET", "Circle Of Life"), 0);
}

/*
 * RFC 7616 §3.9.2 (SHA-512-256, userhash). The RFC's printed response and
 * userhash are wrong (its erratum); these are the corrected values, which
 * hashlib agrees with.
 */
static const char sha512_userhash[] =
	"Digest username=\"793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b\", "
	"realm=\"api@example.org\", uri=\"/doe.json\", algorithm=SHA-512-256, "
	"nonce=\"5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK\", nc=00000001, "
	"cnonce=\"NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v\", qop=auth, "
	"response=\"3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5\", "
	"opaque=\"HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS\", userhash=true";

Test(digest_verify, sha512_256_with_userhash)
{
	static const char user[] = "J\xc3\xa4s\xc3\xb8n Doe";
	char uh[DIGEST_HEX_MAX + 1], ha1[DIGEST_HEX_MAX + 1];
	struct digest_cred c;

	cr_assert_gt(parse(sha512_userhash, &c), 0);
	cr_assert_eq(c.alg, DIGEST_ALG_SHA512_256);
	cr_assert(c.is_userhash);
	/* The server finds the user by the hash, then checks with its HA1. */
	cr_assert_eq(digest_userhash(c.alg, user, "api@example.org", uh), 64);
	cr_assert_str_v(c.username, uh);
	cr_assert_eq(digest_ha1(c.alg, user, "api@example.org", "Secret, or not?", ha1), 64);
	cr_assert_eq(digest_verify(&c, "GET", 3, ha1, 64), 0);
	cr_assert_eq(verify_pw(&c, "GET", "Secret, or not?"), -ENOTSUP);
}

/* ------------------------------------------------------------------ */
/* SIPp                                                               */

/*
 * Recorded from SIPp 3.6.1 (Debian sip-tester): a UAC scenario sending
 * REGISTER with [authentication username=alice password=wonderland] to a
 * SIPp UAS on 127.0.0.1:15070 that challenged with
 *   Digest realm="sluice.test", nonce="AAAAAGWQ0ADq3L8xkTnGxw5cAVNc7Xz0",
 *   algorithm=MD5, qop="auth"
 * SIPp answers with qop=auth, nc=00000001, a cnonce of rand() in hex, the
 * uri "sip:" + the remote address, and no white space between parameters.
 */
static const char sipp_register[] =
	"Digest username=\"alice\",realm=\"sluice.test\",cnonce=\"6b8b4567\",nc=00000001,"
	"qop=auth,uri=\"sip:127.0.0.1:15070\",nonce=\"AAAAAGWQ0ADq3L8xkTnGxw5cAVNc7Xz0\","
	"response=\"b27ab0780200767268d0c440d462412e\",algorithm=MD5";

Test(digest_verify_password, sipp_md5_qop_auth)
{
	struct digest_cred c;

	cr_assert_eq(parse(sipp_register, &c), (int)strlen(sipp_register));
	cr_assert_str_v(c.uri, "sip:127.0.0.1:15070");
	cr_assert_str_v(c.cnonce, "6b8b4567");
	cr_assert_eq(verify_pw(&c, "REGISTER", "wonderland"), 0);
	cr_assert_eq(verify_pw(&c, "REGISTER", "wonderlanD"), -EACCES);
	cr_assert_eq(verify_pw(&c, "INVITE", "wonderland"), -EACCES);
}

Test(digest_response, sipp_md5_qop_auth)
{
	char ha1[DIGEST_HEX_MAX + 1], out[DIGEST_HEX_MAX + 1];
	struct digest_cred c;

	cr_assert_gt(parse(sipp_register, &c), 0);
	cr_assert_eq(digest_ha1(DIGEST_ALG_MD5, "alice", "sluice.test", "wonderland", ha1), 32);
	cr_assert_eq(digest_response(&c, "REGISTER", 8, ha1, 32, out), 32);
	cr_assert_str_eq(out, "b27ab0780200767268d0c440d462412e");
}

/* ------------------------------------------------------------------ */
/* Without qop, -sess, stored HA1                                     */

Test(digest_verify_password, rfc2617_style_without_qop)
{
	static const char md5[] =
		"Digest username=\"bob\", realm=\"biloxi.com\", "
		"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"sip:biloxi.com\", "
		"response=\"4441045a8075db3ead543693997e2a0e\"";
	static const char sha[] =
		"Digest username=\"bob\", realm=\"biloxi.com\", algorithm=SHA-256, "
		"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"sip:bob@biloxi.com\", "
		"response=\"38aad98c50c33abe72c5f88dd17246ffcfa6b1f68852c855719ff0659386c0ca\"";
	struct digest_cred c;

	cr_assert_gt(parse(md5, &c), 0);
	cr_assert_eq(c.qop_kind, DIGEST_QOP_NONE);
	cr_assert_null(c.cnonce.p);
	cr_assert_eq(verify_pw(&c, "REGISTER", "zanzibar"), 0);
	cr_assert_gt(parse(sha, &c), 0);
	cr_assert_eq(verify_pw(&c, "INVITE", "zanzibar"), 0);
}

Test(digest_verify_password, sess_variants)
{
	static const char md5_sess[] =
		"Digest username=\"bob\", realm=\"biloxi.com\", algorithm=MD5-sess, "
		"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"sip:bob@biloxi.com\", "
		"qop=auth, nc=0000000a, cnonce=\"0a4f113b\", "
		"response=\"c0a5870829c575198432ba651b8a41de\"";
	static const char sha_sess[] =
		"Digest username=\"bob\", realm=\"biloxi.com\", algorithm=sha-256-SESS, "
		"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"sip:bob@biloxi.com\", "
		"qop=auth, nc=0000000a, cnonce=\"0a4f113b\", "
		"response=\"8a60b78646a6e353ae8f4bfb727dca7b5f00f7f94f9ff2fc2aff7e192999cc04\"";
	char ha1[DIGEST_HEX_MAX + 1];
	struct digest_cred c;

	cr_assert_gt(parse(md5_sess, &c), 0);
	cr_assert_eq(c.alg, DIGEST_ALG_MD5_SESS);
	cr_assert_eq(c.nc_value, 10);
	cr_assert_eq(verify_pw(&c, "INVITE", "zanzibar"), 0);
	/* The stored HA1 is the plain one: the session part is per request. */
	cr_assert_eq(digest_ha1(DIGEST_ALG_MD5_SESS, "bob", "biloxi.com", "zanzibar", ha1), 32);
	cr_assert_eq(digest_verify(&c, "INVITE", 6, ha1, 32), 0);

	cr_assert_gt(parse(sha_sess, &c), 0);
	cr_assert_eq(c.alg, DIGEST_ALG_SHA256_SESS);
	cr_assert_eq(verify_pw(&c, "INVITE", "zanzibar"), 0);
	cr_assert_eq(verify_pw(&c, "INVITE", "zanzibaR"), -EACCES);
}

Test(digest_verify, stored_ha1_any_case)
{
	char ha1[DIGEST_HEX_MAX + 1];
	struct digest_cred c;

	cr_assert_gt(parse(rfc7616_md5, &c), 0);
	cr_assert_eq(digest_ha1(DIGEST_ALG_MD5, "Mufasa", "http-auth@example.org",
				"Circle of Life", ha1), 32);
	cr_assert_str_eq(ha1, "3d78807defe7de2157e2b0b6573a855f");
	cr_assert_eq(digest_verify(&c, "GET", 3, ha1, 32), 0);
	for (char *p = ha1; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	cr_assert_eq(digest_verify(&c, "GET", 3, ha1, 32), 0);
}

Test(digest_verify, bad_stored_ha1)
{
	static const char sha_ha1[] =
		"7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232";
	struct digest_cred c;

	cr_assert_gt(parse(rfc7616_md5, &c), 0);
	cr_assert_eq(digest_verify(&c, "GET", 3, sha_ha1, 64), -EINVAL, "SHA-256 HA1 for MD5");
	cr_assert_eq(digest_verify(&c, "GET", 3, "3d78807defe7de2157e2b0b6573a855g", 32),
		     -EINVAL);
	cr_assert_gt(parse(rfc7616_sha256, &c), 0);
	cr_assert_eq(digest_verify(&c, "GET", 3, sha_ha1, 64), 0);
}

Test(digest_verify, wrong_password_method_or_response)
{
	char h[sizeof(rfc7616_md5)];
	struct digest_cred c;
	char *r;

	cr_assert_gt(parse(rfc7616_md5, &c), 0);
	cr_assert_eq(verify_pw(&c, "GET", "Circle of life"), -EACCES);
	cr_assert_eq(verify_pw(&c, "GET", ""), -EACCES);
	cr_assert_eq(verify_pw(&c, "POST", "Circle of Life"), -EACCES);

	/* One hex digit of the response changed. */
	memcpy(h, rfc7616_md5, sizeof(h));
	r = strstr(h, "8ca523");
	cr_assert(r);
	r[5] = '4';
	cr_assert_gt(parse(h, &c), 0);
	cr_assert_eq(verify_pw(&c, "GET", "Circle of Life"), -EACCES);

	/* Upper-case hex from the client is the same response. */
	memcpy(h, rfc7616_md5, sizeof(h));
	r = strstr(h, "8ca523f5e9506fed4657c9700eebdbec");
	memcpy(r, "8CA523F5E9506FED4657C9700EEBDBEC", 32);
	cr_assert_gt(parse(h, &c), 0);
	cr_assert_eq(verify_pw(&c, "GET", "Circle of Life"), 0);
}

Test(digest_verify_password, escaped_username)
{
	/* The user a"b\c: hashed with the quoted-pairs undone. */
	static const char h[] =
		"Digest username=\"a\\\"b\\\\c\", realm=\"biloxi.com\", nonce=\"n1\", "
		"uri=\"sip:biloxi.com\", response=\"7ef064f48a5f3736b6723fa2f4604d30\"";
	struct digest_cred c;

	cr_assert_gt(parse(h, &c), 0);
	cr_assert(c.username.escaped);
	cr_assert_str_v(c.username, "a\\\"b\\\\c");
	cr_assert_eq(verify_pw(&c, "REGISTER", "pw"), 0);
}

Test(digest_ha1, values_and_errors)
{
	char out[DIGEST_HEX_MAX + 1];

	cr_assert_eq(digest_ha1(DIGEST_ALG_SHA256, "Mufasa", "http-auth@example.org",
				"Circle of Life", out), 64);
	cr_assert_str_eq(out, "7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232");
	cr_assert_eq(digest_ha1(DIGEST_ALG_SHA256_SESS, "Mufasa", "http-auth@example.org",
				"Circle of Life", out), 64);
	cr_assert_str_eq(out, "7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232");
	cr_assert_eq(digest_ha1(DIGEST_ALG_COUNT, "u", "r", "p", out), -EINVAL);
	cr_assert_eq(digest_ha1(DIGEST_ALG_MD5, "u", "r", NULL, out), -EINVAL);
	cr_assert_eq(digest_alg_hex_len(DIGEST_ALG_MD5), 32);
	cr_assert_eq(digest_alg_hex_len(DIGEST_ALG_SHA512_256_SESS), 64);
	cr_assert_eq(digest_alg_hex_len(DIGEST_ALG_COUNT), 0);
	cr_assert_str_eq(digest_alg_name(DIGEST_ALG_SHA256_SESS), "SHA-256-sess");
	cr_assert_str_eq(digest_alg_name(DIGEST_ALG_COUNT), "");
}

/* ------------------------------------------------------------------ */
/* Parser: spellings                                                  */

Test(digest_parse, case_tokens_and_white_space)
{
	static const char h[] =
		"  dIGEST\tUserName = bob ,REALM=\"biloxi.com\"\r\n\t, Nonce= abc/+=  ,"
		"uri =\"sip:biloxi.com\",  QOP=\"AUTH\", NC=\"0000FFff\", CNonce = x1, "
		"Algorithm=\"md5\", response=\"4441045A8075db3ead543693997e2a0e\"  ";
	struct digest_cred c;

	cr_assert_eq(parse(h, &c), (int)strlen(h));
	cr_assert_str_v(c.username, "bob");
	cr_assert_str_v(c.realm, "biloxi.com");
	cr_assert_str_v(c.nonce, "abc/+=");
	cr_assert_str_v(c.qop, "AUTH");
	cr_assert_eq(c.qop_kind, DIGEST_QOP_AUTH);
	cr_assert_eq(c.nc_value, 0xffff);
	cr_assert_str_v(c.cnonce, "x1");
	cr_assert_eq(c.alg, DIGEST_ALG_MD5);
}

Test(digest_parse, unknown_params_skipped)
{
	static const char h[] =
		"Digest foo=\"a, b=\\\"c\", username=\"bob\", x-y=1, realm=r, nonce=n, "
		"uri=\"u\", foo=again, charset=UTF-8, response=\"4441045a8075db3ead543693997e2a0e\"";
	struct digest_cred c;

	cr_assert_eq(parse(h, &c), (int)strlen(h));
	cr_assert_str_v(c.username, "bob");
	cr_assert_str_v(c.uri, "u");
}

Test(digest_parse, empty_quoted_values)
{
	static const char h[] =
		"Digest username=\"\", realm=\"\", nonce=\"\", uri=\"\", opaque=\"\", "
		"response=\"4441045a8075db3ead543693997e2a0e\"";
	struct digest_cred c;

	cr_assert_gt(parse(h, &c), 0);
	cr_assert_not_null(c.username.p, "present though empty");
	cr_assert_eq(c.username.len, 0);
	cr_assert_not_null(c.opaque.p);
}

Test(digest_parse, userhash_values)
{
	static const char h[] =
		"Digest username=u, realm=r, nonce=n, uri=v, userhash=FALSE, "
		"response=\"4441045a8075db3ead543693997e2a0e\"";
	struct digest_cred c;

	cr_assert_gt(parse(h, &c), 0);
	cr_assert_not(c.is_userhash);
	cr_assert_str_v(c.userhash, "FALSE");
}

Test(digest_unquote, undoes_quoted_pairs)
{
	static const char h[] =
		"Digest username=\"a\\\"b\\\\c\\d\", realm=r, nonce=n, uri=v, "
		"response=\"4441045a8075db3ead543693997e2a0e\"";
	struct digest_cred c;
	char out[16];

	cr_assert_gt(parse(h, &c), 0);
	cr_assert_eq(digest_unquote(&c.username, out, sizeof(out)), 6);
	cr_assert_str_eq(out, "a\"b\\cd");
	cr_assert_eq(digest_unquote(&c.username, out, 7), 6);
	cr_assert_eq(digest_unquote(&c.username, out, 6), -ENOSPC);
	cr_assert_eq(digest_unquote(&c.realm, out, sizeof(out)), 1);
	cr_assert_str_eq(out, "r");
	cr_assert_eq(digest_unquote(&c.realm, out, 0), -ENOSPC);
}

/* ------------------------------------------------------------------ */
/* Parser: errors                                                     */

#define OKR "response=\"4441045a8075db3ead543693997e2a0e\""
#define BASE "username=u, realm=r, nonce=n, uri=v, "

/* A malformed value, its error, and where the error points: at the first
 * occurrence of `at` in it (+ delta), or its end when at is NULL. */
struct bad_case {
	const char *hdr;
	int err;
	const char *at;
	int delta;
};

static const struct bad_case bad_cases[] = {
	{"Digest username=\"bob, realm=r", DIGEST_E_UNTERMINATED, "\"bob"},
	{"Digest username=\"bob\\\"", DIGEST_E_UNTERMINATED, "\"bob"},
	{"Digest username=\"bob\\", DIGEST_E_UNTERMINATED, "\"bob"},
	{"Digest realm=r, nonce=n, uri=v, " OKR, DIGEST_E_NO_USERNAME, NULL},
	{"Digest", DIGEST_E_NO_USERNAME, NULL},
	{"Digest   ", DIGEST_E_NO_USERNAME, NULL},
	{"Digest username=u, nonce=n, uri=v, " OKR, DIGEST_E_NO_REALM, NULL},
	{"Digest username=u, realm=r, uri=v, " OKR, DIGEST_E_NO_NONCE, NULL},
	{"Digest username=u, realm=r, nonce=n, " OKR, DIGEST_E_NO_URI, NULL},
	{"Digest " BASE "qop=auth, nc=00000001, cnonce=c", DIGEST_E_NO_RESPONSE, NULL},
	{"Digest " BASE "nc=0000001, qop=auth, cnonce=c, " OKR, DIGEST_E_BAD_NC, "0000001,"},
	{"Digest " BASE "nc=000000001, qop=auth, cnonce=c, " OKR, DIGEST_E_BAD_NC, "000000001"},
	{"Digest " BASE "nc=0000000g, qop=auth, cnonce=c, " OKR, DIGEST_E_BAD_NC, "0000000g"},
	{"Digest " BASE "nc=-0000001, qop=auth, cnonce=c, " OKR, DIGEST_E_BAD_NC, "-0000001"},
	{"Digest " BASE "nc=\"0000\\0001\", qop=auth, cnonce=c, " OKR, DIGEST_E_BAD_NC, "\"0000"},
	{"Digest " BASE "realm=r2, " OKR, DIGEST_E_DUP_PARAM, "realm=r2"},
	{"Digest " BASE "URI=\"v\", " OKR, DIGEST_E_DUP_PARAM, "URI="},
	{"Digest " BASE "algorithm=MD5, Algorithm=MD5, " OKR, DIGEST_E_DUP_PARAM, "Algorithm="},
	{"Basic YWxhZGRpbjpvcGVuc2VzYW1l", DIGEST_E_NOT_DIGEST, ""},
	{"  Digestusername=u", DIGEST_E_NOT_DIGEST, "Digestusername"},
	{"Diges", DIGEST_E_NOT_DIGEST, ""},
	{"", DIGEST_E_NOT_DIGEST, ""},
	{"Digest username=u realm=r", DIGEST_E_SYNTAX, "realm"},
	{"Digest username", DIGEST_E_SYNTAX, NULL},
	{"Digest username=", DIGEST_E_SYNTAX, NULL},
	{"Digest username=,realm=r", DIGEST_E_SYNTAX, ",realm"},
	{"Digest , username=u", DIGEST_E_SYNTAX, ", username"},
	{"Digest username=u,, realm=r", DIGEST_E_SYNTAX, ", realm"},
	{"Digest " BASE OKR ",", DIGEST_E_SYNTAX, NULL},
	{"Digest " BASE OKR ", ", DIGEST_E_SYNTAX, NULL},
	{"Digest username=\"u\"x, realm=r", DIGEST_E_SYNTAX, "x,"},
	{"Digest username=u\xc3\xa4, realm=r", DIGEST_E_SYNTAX, "\xc3"},
	{"Digest =u", DIGEST_E_SYNTAX, "=u"},
	{"Digest \x01\x02\x03garbage", DIGEST_E_SYNTAX, "\x01"},
	{"Digest username=\"a\x01" "b\"", DIGEST_E_BAD_CHAR, "\x01"},
	{"Digest username=\"a\\\nb\"", DIGEST_E_BAD_CHAR, "\nb"},
	{"Digest " BASE "algorithm=AKAv1-MD5, " OKR, DIGEST_E_BAD_ALGORITHM, "AKAv1"},
	{"Digest " BASE "algorithm=SHA-256-sessx, " OKR, DIGEST_E_BAD_ALGORITHM, "SHA-256-sessx"},
	{"Digest " BASE "algorithm=\"MD\\5\", " OKR, DIGEST_E_BAD_ALGORITHM, "\"MD"},
	{"Digest " BASE "qop=auth-int, nc=00000001, cnonce=c, " OKR, DIGEST_E_AUTH_INT, "auth-int"},
	{"Digest " BASE "qop=\"auth,auth-int\", nc=00000001, cnonce=c, " OKR, DIGEST_E_BAD_QOP,
	 "\"auth,"},
	{"Digest " BASE "qop=authx, nc=00000001, cnonce=c, " OKR, DIGEST_E_BAD_QOP, "authx"},
	{"Digest " BASE "userhash=yes, " OKR, DIGEST_E_BAD_USERHASH, "yes"},
	{"Digest " BASE "qop=auth, nc=00000001, " OKR, DIGEST_E_NO_CNONCE, NULL},
	{"Digest " BASE "qop=auth, cnonce=c, " OKR, DIGEST_E_NO_NC, NULL},
	{"Digest " BASE "cnonce=c, " OKR, DIGEST_E_NO_QOP, "c, response"},
	{"Digest " BASE "nc=00000001, " OKR, DIGEST_E_NO_QOP, "00000001"},
	{"Digest " BASE "algorithm=MD5-sess, " OKR, DIGEST_E_SESS_NO_QOP, "MD5-sess"},
	{"Digest " BASE "response=\"4441045a8075db3ead543693997e2a0\"", DIGEST_E_BAD_RESPONSE,
	 "4441"},
	{"Digest " BASE "algorithm=SHA-256, " OKR, DIGEST_E_BAD_RESPONSE, "4441"},
	{"Digest " BASE "response=\"4441045a8075db3ead543693997e2a0x\"", DIGEST_E_BAD_RESPONSE,
	 "x\""},
	{"Digest " BASE "response=\"\"", DIGEST_E_BAD_RESPONSE, "\"\"", 1},
	{"Digest " BASE "response=\"4441045a8075db3ead543693997e2a0\\e\"",
	 DIGEST_E_BAD_RESPONSE, "4441"},
};

Test(digest_parse, errors_have_their_codes_and_offsets)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *b = &bad_cases[i];
		size_t n = strlen(b->hdr);
		const char *at = b->at ? strstr(b->hdr, b->at) : b->hdr + n;
		struct digest_cred c;
		int rc = parse_n(b->hdr, n, &c);

		cr_assert(at, "case %zu: marker not found", i);
		cr_assert_eq(rc, -b->err, "case %zu \"%s\": got %d (%s), want %d (%s)", i, b->hdr,
			     rc, digest_err_str(rc), -b->err, digest_err_str(b->err));
		cr_assert_eq(c.err_off, (at - b->hdr) + b->delta,
			     "case %zu \"%s\": err_off %u, want %td", i, b->hdr, c.err_off,
			     (at - b->hdr) + b->delta);
	}
}

Test(digest_parse, nul_inside_quotes)
{
	static const char h[] = "Digest username=\"a\0b\", realm=r";
	struct digest_cred c;

	cr_assert_eq(parse_n(h, sizeof(h) - 1, &c), -DIGEST_E_BAD_CHAR);
	cr_assert_eq(c.err_off, 18);
}

Test(digest_parse, too_long)
{
	static char h[DIGEST_VALUE_MAX + 2];
	struct digest_cred c;
	int n;

	n = snprintf(h, sizeof(h), "Digest " BASE OKR ", foo=\"");
	memset(h + n, 'x', sizeof(h) - (size_t)n);
	h[DIGEST_VALUE_MAX - 1] = '"';
	cr_assert_eq(parse_n(h, DIGEST_VALUE_MAX, &c), DIGEST_VALUE_MAX);
	cr_assert_eq(parse_n(h, DIGEST_VALUE_MAX + 1, &c), -DIGEST_E_TOO_LONG);
	cr_assert_eq(c.err_off, 0);
}

Test(digest_err_str, every_code_has_text)
{
	for (int e = 1; e < DIGEST_E_COUNT; e++) {
		cr_assert_str_neq(digest_err_str(e), "");
		cr_assert_str_eq(digest_err_str(-e), digest_err_str(e));
		for (int f = 1; f < e; f++)
			cr_assert_str_neq(digest_err_str(e), digest_err_str(f));
	}
	cr_assert_str_eq(digest_err_str(DIGEST_E_COUNT), "unknown error");
	cr_assert_str_eq(digest_err_str(0), "no error");
}

/* ------------------------------------------------------------------ */
/* Nonces                                                             */

static const uint8_t secret[32] = "0123456789abcdef0123456789abcdef";
#define NOW 1700000000ull

static void key(struct digest_nonce_key *k)
{
	cr_assert_eq(digest_nonce_key_init(k, secret, sizeof(secret)), 0);
}

static const struct digest_nonce_scope scope = {.realm = "sluice.test", .realm_len = 11};

static bool b64url_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == '_';
}

Test(digest_nonce_check, fresh_nonce_is_ok)
{
	struct digest_nonce_key k;
	char n[DIGEST_NONCE_LEN], n2[DIGEST_NONCE_LEN];

	key(&k);
	digest_nonce_make(&k, &scope, NOW, 0, n);
	for (int i = 0; i < DIGEST_NONCE_LEN; i++)
		cr_assert(b64url_char(n[i]), "char %d is %#x", i, n[i]);
	cr_assert_eq(digest_nonce_check(&k, &scope, n, sizeof(n), NOW, 300, NULL), DIGEST_NONCE_OK);
	cr_assert_eq(digest_nonce_check(&k, &scope, n, sizeof(n), NOW + 300, 300, NULL),
		     DIGEST_NONCE_OK);
	/* The same inputs make the same nonce; another second, another one. */
	digest_nonce_make(&k, &scope, NOW, 0, n2);
	cr_assert_eq(memcmp(n, n2, sizeof(n)), 0);
	digest_nonce_make(&k, &scope, NOW + 1, 0, n2);
	cr_assert_neq(memcmp(n, n2, sizeof(n)), 0);
}

Test(digest_nonce_check, id_comes_back_and_is_under_the_mac)
{
	struct digest_nonce_key k;
	char n[DIGEST_NONCE_LEN], n2[DIGEST_NONCE_LEN];
	uint32_t id = 0;

	key(&k);
	digest_nonce_make(&k, &scope, NOW, 0xdeadbeefu, n);
	cr_assert_eq(digest_nonce_check(&k, &scope, n, sizeof(n), NOW, 300, &id), DIGEST_NONCE_OK);
	cr_assert_eq(id, 0xdeadbeefu);
	cr_assert_eq(digest_nonce_check(&k, &scope, n, sizeof(n), NOW + 301, 300, &id),
		     DIGEST_NONCE_STALE);
	cr_assert_eq(id, 0xdeadbeefu, "a stale nonce still names its id");
	/* another id, another nonce; the first's MAC does not cover it */
	digest_nonce_make(&k, &scope, NOW, 0xdeadbeeeu, n2);
	cr_assert_neq(memcmp(n, n2, sizeof(n)), 0);
	memcpy(n2 + 6, n + 6, sizeof(n) - 6); /* the id's chars, the rest from n */
	cr_assert_eq(digest_nonce_check(&k, &scope, n2, sizeof(n2), NOW, 300, &id),
		     DIGEST_NONCE_BAD);
}

Test(digest_nonce_check, old_nonce_is_stale)
{
	struct digest_nonce_key k;
	char n[DIGEST_NONCE_LEN];

	key(&k);
	digest_nonce_make(&k, &scope, NOW, 0, n);
	cr_assert_eq(digest_nonce_check(&k, &scope, n, sizeof(n), NOW + 301, 300, NULL),
		     DIGEST_NONCE_STALE);
	cr_assert_eq(digest_nonce_check(&k, &scope, n, sizeof(n), NOW + 86400, 300, NULL),
		     DIGEST_NONCE_STALE);
	cr_assert_eq(digest_nonce_check(&k, &scope, n, sizeof(n), NOW + 1, 0, NULL), DIGEST_NONCE_STALE);
}

Test(digest_nonce_check, future_nonce)
{
	struct digest_nonce_key k;
	char n[DIGEST_NONCE_LEN];

	key(&k);
	digest_nonce_make(&k, &scope, NOW + DIGEST_NONCE_SKEW_S, 0, n);
	cr_assert_eq(digest_nonce_check(&k, &scope, n, sizeof(n), NOW, 300, NULL), DIGEST_NONCE_OK);
	digest_nonce_make(&k, &scope, NOW + DIGEST_NONCE_SKEW_S + 1, 0, n);
	cr_assert_eq(digest_nonce_check(&k, &scope, n, sizeof(n), NOW, 300, NULL), DIGEST_NONCE_BAD);
}

Test(digest_nonce_check, tampered_nonce_is_bad)
{
	struct digest_nonce_key k;
	char n[DIGEST_NONCE_LEN];

	key(&k);
	digest_nonce_make(&k, &scope, NOW, 0, n);
	/* Every character carries 6 bits of time or MAC: any change is BAD. */
	for (int i = 0; i < DIGEST_NONCE_LEN; i++) {
		char t[DIGEST_NONCE_LEN];

		memcpy(t, n, sizeof(t));
		t[i] = t[i] == 'A' ? 'B' : 'A';
		cr_assert_eq(digest_nonce_check(&k, &scope, t, sizeof(t), NOW, 300, NULL),
			     DIGEST_NONCE_BAD, "char %d", i);
		t[i] = '+'; /* base64, not base64url */
		cr_assert_eq(digest_nonce_check(&k, &scope, t, sizeof(t), NOW, 300, NULL),
			     DIGEST_NONCE_BAD, "char %d", i);
	}
	cr_assert_eq(digest_nonce_check(&k, &scope, n, sizeof(n) - 1, NOW, 300, NULL), DIGEST_NONCE_BAD);
	cr_assert_eq(digest_nonce_check(&k, &scope, n, 0, NOW, 300, NULL), DIGEST_NONCE_BAD);
}

Test(digest_nonce_check, other_realm_bind_or_key_is_bad)
{
	static const uint8_t addr[] = {198, 18, 0, 7};
	static const uint8_t addr2[] = {198, 18, 0, 8};
	const struct digest_nonce_scope other = {.realm = "sluice.tesu", .realm_len = 11};
	const struct digest_nonce_scope bound = {
		.realm = "sluice.test", .realm_len = 11, .bind = addr, .bind_len = 4};
	const struct digest_nonce_scope bound2 = {
		.realm = "sluice.test", .realm_len = 11, .bind = addr2, .bind_len = 4};
	struct digest_nonce_key k, k2;
	uint8_t secret2[sizeof(secret)];
	char n[DIGEST_NONCE_LEN];

	key(&k);
	digest_nonce_make(&k, &scope, NOW, 0, n);
	cr_assert_eq(digest_nonce_check(&k, &other, n, sizeof(n), NOW, 300, NULL), DIGEST_NONCE_BAD);
	cr_assert_eq(digest_nonce_check(&k, &bound, n, sizeof(n), NOW, 300, NULL), DIGEST_NONCE_BAD);

	digest_nonce_make(&k, &bound, NOW, 0, n);
	cr_assert_eq(digest_nonce_check(&k, &bound, n, sizeof(n), NOW, 300, NULL), DIGEST_NONCE_OK);
	cr_assert_eq(digest_nonce_check(&k, &bound2, n, sizeof(n), NOW, 300, NULL), DIGEST_NONCE_BAD);
	cr_assert_eq(digest_nonce_check(&k, &scope, n, sizeof(n), NOW, 300, NULL), DIGEST_NONCE_BAD);
	/* An expired nonce of another scope is BAD, not STALE. */
	cr_assert_eq(digest_nonce_check(&k, &bound2, n, sizeof(n), NOW + 1000, 300, NULL),
		     DIGEST_NONCE_BAD);

	memcpy(secret2, secret, sizeof(secret2));
	secret2[31] ^= 1;
	cr_assert_eq(digest_nonce_key_init(&k2, secret2, sizeof(secret2)), 0);
	cr_assert_eq(digest_nonce_check(&k2, &bound, n, sizeof(n), NOW, 300, NULL), DIGEST_NONCE_BAD);
}

Test(digest_nonce_check, short_secret_refused)
{
	struct digest_nonce_key k;

	cr_assert_eq(digest_nonce_key_init(&k, secret, DIGEST_SECRET_MIN - 1), -EINVAL);
	cr_assert_eq(digest_nonce_key_init(&k, secret, DIGEST_SECRET_MIN), 0);
}

/* ------------------------------------------------------------------ */
/* Challenges                                                         */

static const struct digest_challenge chal = {
	.realm = "sluice.test",
	.realm_len = 11,
	.nonce = "AAAAAGVTAQBmSjXmc0n8Mpa1V5GeZ2Pz",
	.nonce_len = 32,
	.qop_auth = true,
};

#define CHAL_SHA256                                                                      \
	"Digest realm=\"sluice.test\", nonce=\"AAAAAGVTAQBmSjXmc0n8Mpa1V5GeZ2Pz\", " \
	"algorithm=SHA-256, qop=\"auth\""
#define CHAL_MD5                                                                         \
	"Digest realm=\"sluice.test\", nonce=\"AAAAAGVTAQBmSjXmc0n8Mpa1V5GeZ2Pz\", " \
	"algorithm=MD5, qop=\"auth\""

static void assert_out(const char *buf, int n, const char *want)
{
	cr_assert_eq(n, (int)strlen(want), "length %d, want %zu: %.*s", n, strlen(want),
		     n > 0 ? n : 0, buf);
	cr_assert_eq(memcmp(buf, want, strlen(want)), 0, "got %.*s", n, buf);
}

Test(digest_challenge_write, sha256_with_qop)
{
	char buf[256];

	assert_out(buf, digest_challenge_write(&chal, DIGEST_ALG_SHA256, buf, sizeof(buf)),
		   CHAL_SHA256);
}

Test(digest_challenge_write, stale_and_opaque)
{
	struct digest_challenge ch = chal;
	char buf[256];

	ch.stale = true;
	ch.opaque = "o1";
	ch.opaque_len = 2;
	assert_out(buf, digest_challenge_write(&ch, DIGEST_ALG_MD5_SESS, buf, sizeof(buf)),
		   "Digest realm=\"sluice.test\", nonce=\"AAAAAGVTAQBmSjXmc0n8Mpa1V5GeZ2Pz\", "
		   "algorithm=MD5-sess, qop=\"auth\", stale=true, opaque=\"o1\"");
	ch.qop_auth = false;
	ch.stale = false;
	ch.opaque_len = 0;
	assert_out(buf, digest_challenge_write(&ch, DIGEST_ALG_MD5, buf, sizeof(buf)),
		   "Digest realm=\"sluice.test\", nonce=\"AAAAAGVTAQBmSjXmc0n8Mpa1V5GeZ2Pz\", "
		   "algorithm=MD5, opaque=\"\"");
}

Test(digest_challenge_write, escapes_and_refuses_controls)
{
	struct digest_challenge ch = chal;
	char buf[256];

	ch.realm = "a\"b\\c";
	ch.realm_len = 5;
	ch.qop_auth = false;
	assert_out(buf, digest_challenge_write(&ch, DIGEST_ALG_MD5, buf, sizeof(buf)),
		   "Digest realm=\"a\\\"b\\\\c\", nonce=\"AAAAAGVTAQBmSjXmc0n8Mpa1V5GeZ2Pz\", "
		   "algorithm=MD5");
	ch.realm = "a\r\nX: y";
	ch.realm_len = 7;
	cr_assert_eq(digest_challenge_write(&ch, DIGEST_ALG_MD5, buf, sizeof(buf)), -EINVAL);
	cr_assert_eq(digest_challenge_write(&chal, DIGEST_ALG_COUNT, buf, sizeof(buf)), -EINVAL);
}

Test(digest_challenge_write, truncation_is_enospc)
{
	size_t want = strlen(CHAL_SHA256);
	char buf[256];

	for (size_t size = 0; size < want; size++) {
		memset(buf, '#', sizeof(buf));
		cr_assert_eq(digest_challenge_write(&chal, DIGEST_ALG_SHA256, buf, size), -ENOSPC,
			     "size %zu", size);
		for (size_t i = size; i < sizeof(buf); i++)
			cr_assert_eq(buf[i], '#', "size %zu: byte %zu written", size, i);
	}
	assert_out(buf, digest_challenge_write(&chal, DIGEST_ALG_SHA256, buf, want), CHAL_SHA256);
}

Test(digest_challenge_hdrs, sha256_then_md5)
{
	char buf[512];

	assert_out(buf, digest_challenge_hdrs(&chal, false, buf, sizeof(buf)),
		   "WWW-Authenticate: " CHAL_SHA256 "\r\n"
		   "WWW-Authenticate: " CHAL_MD5 "\r\n");
	assert_out(buf, digest_challenge_hdrs(&chal, true, buf, sizeof(buf)),
		   "Proxy-Authenticate: " CHAL_SHA256 "\r\n"
		   "Proxy-Authenticate: " CHAL_MD5 "\r\n");
}

Test(digest_challenge_hdrs, chosen_algorithms_strongest_first)
{
	struct digest_challenge ch = chal;
	char buf[512];

	ch.algs = DIGEST_ALG_BIT(DIGEST_ALG_MD5);
	assert_out(buf, digest_challenge_hdrs(&ch, false, buf, sizeof(buf)),
		   "WWW-Authenticate: " CHAL_MD5 "\r\n");
	ch.algs = DIGEST_ALG_BIT(DIGEST_ALG_MD5) | DIGEST_ALG_BIT(DIGEST_ALG_SHA512_256);
	assert_out(buf, digest_challenge_hdrs(&ch, false, buf, sizeof(buf)),
		   "WWW-Authenticate: Digest realm=\"sluice.test\", "
		   "nonce=\"AAAAAGVTAQBmSjXmc0n8Mpa1V5GeZ2Pz\", algorithm=SHA-512-256, "
		   "qop=\"auth\"\r\n"
		   "WWW-Authenticate: " CHAL_MD5 "\r\n");
	ch.algs = 1u << DIGEST_ALG_COUNT;
	cr_assert_eq(digest_challenge_hdrs(&ch, false, buf, sizeof(buf)), -EINVAL);
}

Test(digest_challenge_hdrs, truncation_is_enospc)
{
	size_t want = strlen("WWW-Authenticate: " CHAL_SHA256 "\r\n"
			     "WWW-Authenticate: " CHAL_MD5 "\r\n");
	char buf[512];

	for (size_t size = 0; size < want; size++) {
		memset(buf, '#', sizeof(buf));
		cr_assert_eq(digest_challenge_hdrs(&chal, false, buf, size), -ENOSPC, "size %zu",
			     size);
		for (size_t i = size; i < sizeof(buf); i++)
			cr_assert_eq(buf[i], '#', "size %zu: byte %zu written", size, i);
	}
	cr_assert_eq(digest_challenge_hdrs(&chal, false, buf, want), (int)want);
}

/* ------------------------------------------------------------------ */
/* A whole round                                                      */

/*
 * Server challenges with a fresh nonce; the client answers it (its
 * response computed here with the module's own formulas from a parse of
 * its header); the server parses, checks the nonce, verifies. Later the
 * nonce is stale while the response still verifies: stale=true.
 */
Test(digest_verify, round_trip_with_fresh_and_stale_nonce)
{
	struct digest_challenge ch = chal;
	struct digest_nonce_key k;
	struct digest_cred c;
	char nonce[DIGEST_NONCE_LEN], ha1[DIGEST_HEX_MAX + 1], resp[DIGEST_HEX_MAX + 1];
	char hdr[512], chbuf[512];
	int n;

	key(&k);
	digest_nonce_make(&k, &scope, NOW, 0, nonce);
	ch.nonce = nonce;
	cr_assert_gt(digest_challenge_hdrs(&ch, false, chbuf, sizeof(chbuf)), 0);

	/* The client: first a header with a placeholder response, to compute it. */
	n = snprintf(hdr, sizeof(hdr),
		     "Digest username=\"alice\", realm=\"sluice.test\", nonce=\"%.*s\", "
		     "uri=\"sip:sluice.test\", algorithm=SHA-256, qop=auth, nc=00000001, "
		     "cnonce=\"c0ffee\", response=\"%064d\"",
		     DIGEST_NONCE_LEN, nonce, 0);
	cr_assert_gt(parse_n(hdr, (size_t)n, &c), 0);
	cr_assert_eq(digest_ha1(DIGEST_ALG_SHA256, "alice", "sluice.test", "wonderland", ha1), 64);
	cr_assert_eq(digest_response(&c, "REGISTER", 8, ha1, 64, resp), 64);
	n = snprintf(hdr, sizeof(hdr),
		     "Digest username=\"alice\", realm=\"sluice.test\", nonce=\"%.*s\", "
		     "uri=\"sip:sluice.test\", algorithm=SHA-256, qop=auth, nc=00000001, "
		     "cnonce=\"c0ffee\", response=\"%s\"",
		     DIGEST_NONCE_LEN, nonce, resp);

	/* The server. */
	cr_assert_eq(parse_n(hdr, (size_t)n, &c), n);
	cr_assert_eq(digest_nonce_check(&k, &scope, c.nonce.p, c.nonce.len, NOW + 5, 300, NULL),
		     DIGEST_NONCE_OK);
	cr_assert_eq(verify_pw(&c, "REGISTER", "wonderland"), 0);
	cr_assert_eq(digest_nonce_check(&k, &scope, c.nonce.p, c.nonce.len, NOW + 600, 300, NULL),
		     DIGEST_NONCE_STALE);
}
