/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for SIP digest authentication (dataplane/sip/digest.c).
 * Each input is used three ways:
 *   - as an Authorization header value: error codes in range with an
 *     offset inside the input; on success every slice lies inside the
 *     input, the required parameters are there, qop, cnonce and nc agree,
 *     the response is hex of the algorithm's length, unquoting fits, the
 *     response computations run and do not match a made-up HA1, and a
 *     second parse gives the same answer;
 *   - as a nonce: the check answers one of its three states, and BAD for
 *     anything this key never made;
 *   - as a realm: a challenge either refuses it (control characters) or
 *     quotes it so that the credentials parser reads back the same bytes.
 * Seeds: tests/fuzz/corpus/digest/.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "sip/digest.h"

static const char ha1_64[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static void check_str(const char *buf, size_t size, const struct digest_str *v)
{
	if (!v->p) {
		CHECK(v->len == 0 && !v->escaped);
		return;
	}
	CHECK(v->p >= buf && v->p + v->len <= buf + size);
}

static void check_cred(const char *buf, size_t size, const struct digest_cred *c)
{
	const struct digest_str *all[] = {
		&c->username, &c->realm, &c->nonce, &c->uri, &c->response, &c->algorithm,
		&c->cnonce, &c->opaque, &c->qop, &c->nc, &c->userhash,
	};
	size_t hex = digest_alg_hex_len(c->alg);
	char out[DIGEST_VALUE_MAX + 1], resp[DIGEST_HEX_MAX + 1];

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		check_str(buf, size, all[i]);
		if (all[i]->p) {
			int n = digest_unquote(all[i], out, sizeof(out));

			CHECK(n >= 0 && (size_t)n <= all[i]->len);
		}
	}
	CHECK(c->username.p && c->realm.p && c->nonce.p && c->uri.p && c->response.p);
	CHECK(c->alg < DIGEST_ALG_COUNT && hex > 0);
	CHECK(c->response.len == hex && !c->response.escaped);
	if (c->qop_kind == DIGEST_QOP_AUTH) {
		char nc[9];

		CHECK(c->qop.p && c->cnonce.p && c->nc.p && c->nc.len == 8);
		memcpy(nc, c->nc.p, 8);
		nc[8] = '\0';
		CHECK(strtoul(nc, NULL, 16) == c->nc_value);
	} else {
		CHECK(c->qop_kind == DIGEST_QOP_NONE && !c->qop.p && !c->cnonce.p && !c->nc.p);
		CHECK(c->nc_value == 0);
	}
	/* userhash is "true" or "false" in some case: 4 letters or 5. */
	CHECK(c->is_userhash == (c->userhash.p && c->userhash.len == 4));
	CHECK(c->err_off == 0);

	CHECK(digest_response(c, "INVITE", 6, ha1_64, hex, resp) == (int)hex);
	CHECK(strlen(resp) == hex);
	CHECK(digest_verify(c, "INVITE", 6, ha1_64, hex) == -EACCES);
	CHECK(digest_verify(c, "INVITE", 6, ha1_64, hex - 1) == -EINVAL);
	CHECK(digest_verify_password(c, "REGISTER", 8, "pw", 2) ==
	      (c->is_userhash ? -ENOTSUP : -EACCES));
}

static void fuzz_cred(const char *buf, size_t size)
{
	struct digest_cred c, c2;
	int rc = digest_parse(buf, size, &c);

	if (size > DIGEST_VALUE_MAX) {
		CHECK(rc == -DIGEST_E_TOO_LONG);
		return;
	}
	CHECK(digest_parse(buf, size, &c2) == rc);
	if (rc < 0) {
		CHECK(-rc > 0 && -rc < DIGEST_E_COUNT);
		CHECK(c.err_off <= size && c2.err_off == c.err_off);
		CHECK(digest_err_str(rc)[0] != '\0');
		return;
	}
	CHECK((size_t)rc == size);
	CHECK(memcmp(&c, &c2, sizeof(c)) == 0);
	check_cred(buf, size, &c);
}

static void fuzz_nonce(const char *buf, size_t size)
{
	static const uint8_t secret[] = "fuzz digest nonce secret";
	const struct digest_nonce_scope sc = {.realm = "sluice.test", .realm_len = 11};
	struct digest_nonce_key k;
	char n[DIGEST_NONCE_LEN];
	uint64_t t;

	CHECK(digest_nonce_key_init(&k, secret, sizeof(secret)) == 0);
	/*
	 * The seeds hold no nonce of this key and forging a MAC has odds of
	 * 2^-128 (the check compares without branching on MAC bytes, so the
	 * fuzzer's compare tracing cannot lead it there): always BAD.
	 */
	CHECK(digest_nonce_check(&k, &sc, buf, size, 1700000000, 300, NULL) == DIGEST_NONCE_BAD);
	if (size < 8)
		return;
	/* Any time, as the first 8 bytes say, makes a nonce that checks. */
	memcpy(&t, buf, 8);
	digest_nonce_make(&k, &sc, t, 0, n);
	CHECK(digest_nonce_check(&k, &sc, n, sizeof(n), t, 0, NULL) == DIGEST_NONCE_OK);
}

/* The input as a realm: written by the challenge, read back by the parser. */
static void fuzz_realm(const char *buf, size_t size)
{
	static const char tail[] = ", realm=r, uri=u, response=\"0123456789abcdef0123456789abcdef\"";
	const struct digest_challenge ch = {
		.realm = buf, .realm_len = size, .nonce = "n", .nonce_len = 1,
	};
	char out[2 * 1024 + 256], back[1024 + 1];
	struct digest_cred c;
	bool ctl = false;
	int n;

	if (size > 1024)
		return;
	for (size_t i = 0; i < size; i++) {
		unsigned char u = (unsigned char)buf[i];

		ctl |= (u < 0x20 && u != '\t') || u == 0x7f;
	}
	/* Room left for the 3 bytes the rename adds and the tail. */
	n = digest_challenge_write(&ch, DIGEST_ALG_MD5, out, sizeof(out) - sizeof(tail) - 3);
	if (ctl) {
		CHECK(n == -EINVAL);
		return;
	}
	CHECK(n > 0 && (size_t)n <= sizeof(out) - sizeof(tail) - 3);
	CHECK(memcmp(out, "Digest realm=\"", 14) == 0);
	CHECK(digest_challenge_write(&ch, DIGEST_ALG_MD5, out, (size_t)n - 1) == -ENOSPC);
	/* "Digest realm=" becomes "Digest username=" (3 bytes longer). */
	memmove(out + 16, out + 13, (size_t)n - 13);
	memcpy(out, "Digest username=", 16);
	memcpy(out + n + 3, tail, sizeof(tail) - 1);
	n += 3 + (int)sizeof(tail) - 1;
	CHECK(digest_parse(out, (size_t)n, &c) == n);
	CHECK(digest_unquote(&c.username, back, sizeof(back)) == (int)size);
	CHECK(memcmp(back, buf, size) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;

	if (size > DIGEST_VALUE_MAX + 16)
		return 0;
	fuzz_cred(buf, size);
	fuzz_nonce(buf, size);
	fuzz_realm(buf, size);
	return 0;
}
