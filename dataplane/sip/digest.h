/* SPDX-License-Identifier: MIT */
/*
 * SIP digest authentication (RFC 3261 §22, RFC 7616, RFC 8760): parsing of
 * Authorization / Proxy-Authorization credentials, computing and checking
 * the response, stateless nonces, and WWW-Authenticate / Proxy-Authenticate
 * challenges.
 *
 * Workers call this at line rate, so nothing here allocates, blocks, makes
 * a system call or keeps mutable state: parsed values are pointer+length
 * slices into the caller's bytes, hashes run on stack contexts (nettle),
 * and the work is linear in the input, which is capped at DIGEST_VALUE_MAX.
 * The module links without DPDK (libc and nettle only), so it is unit
 * tested and fuzzed alone.
 *
 * A server's round, in order:
 *   1. No credentials: answer 401 (407 for a proxy) with the headers from
 *      digest_challenge_hdrs() and a nonce from digest_nonce_make().
 *   2. Credentials: digest_parse() the header value; check that the realm is
 *      ours and the uri names the Request-URI (this module only hashes
 *      them); digest_nonce_check() the nonce; look the user up and
 *      digest_verify() (stored HA1) or digest_verify_password().
 *   3. A STALE nonce with a response that verifies: challenge again with
 *      stale=true, so the client retries without asking its user.
 *
 * Replay: a stateless nonce proves only that this server issued it less
 * than max_age seconds ago. Within that time a captured request can be
 * replayed as is (the same nonce, nc, cnonce and response verify again).
 * Closing that needs state, which this module does not keep: each nonce
 * carries a 32-bit id its maker chose, under the MAC, and the caller
 * remembers per id the highest nc it accepted (sip/nonce_count.h).
 */
#ifndef SLUICE_SIP_DIGEST_H
#define SLUICE_SIP_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nettle/hmac.h>

/* Longest header value digest_parse accepts. */
#define DIGEST_VALUE_MAX 8192

/* Longest hex digest (SHA-256, SHA-512/256): 32 bytes, 64 hex digits. */
#define DIGEST_HEX_MAX 64

/*
 * Algorithms (RFC 7616 §3.2, RFC 8760 §2.2): id, name on the wire, the
 * nettle hash (nettle_<hash>), whether it is a -sess variant. MD5 is the
 * default when the algorithm parameter is absent.
 */
#define DIGEST_ALGS(X)                                      \
	X(MD5, "MD5", md5, 0)                               \
	X(MD5_SESS, "MD5-sess", md5, 1)                     \
	X(SHA256, "SHA-256", sha256, 0)                     \
	X(SHA256_SESS, "SHA-256-sess", sha256, 1)           \
	X(SHA512_256, "SHA-512-256", sha512_256, 0)         \
	X(SHA512_256_SESS, "SHA-512-256-sess", sha512_256, 1)

enum digest_alg {
#define DIGEST_X(id, s, hash, sess) DIGEST_ALG_##id,
	DIGEST_ALGS(DIGEST_X)
#undef DIGEST_X
	DIGEST_ALG_COUNT
};

/* Bit of an algorithm in a mask (struct digest_challenge.algs). */
#define DIGEST_ALG_BIT(alg) (1u << (alg))

/* What RFC 8760 §2.4 tells a server to offer: SHA-256 first, MD5 second. */
#define DIGEST_OFFER_DEFAULT (DIGEST_ALG_BIT(DIGEST_ALG_SHA256) | DIGEST_ALG_BIT(DIGEST_ALG_MD5))

enum digest_qop {
	DIGEST_QOP_NONE = 0, /* RFC 2069 style: no qop, cnonce or nc */
	DIGEST_QOP_AUTH,
};

/* Parse errors, each with a message (digest_err_str). */
#define DIGEST_ERRS(X)                                                        \
	X(TOO_LONG, "header value longer than DIGEST_VALUE_MAX")              \
	X(NOT_DIGEST, "scheme is not Digest")                                 \
	X(SYNTAX, "malformed auth-param list")                                \
	X(BAD_CHAR, "control character in a quoted string")                  \
	X(UNTERMINATED, "quoted string without its closing quote")           \
	X(DUP_PARAM, "parameter given twice")                                 \
	X(NO_USERNAME, "no username parameter")                               \
	X(NO_REALM, "no realm parameter")                                     \
	X(NO_NONCE, "no nonce parameter")                                     \
	X(NO_URI, "no uri parameter")                                         \
	X(NO_RESPONSE, "no response parameter")                               \
	X(BAD_ALGORITHM, "algorithm is not one of MD5, SHA-256, SHA-512-256 (-sess)") \
	X(AUTH_INT, "qop auth-int is not supported")                          \
	X(BAD_QOP, "qop is not auth")                                         \
	X(BAD_NC, "nc is not 8 hex digits")                                   \
	X(BAD_USERHASH, "userhash is not true or false")                     \
	X(NO_CNONCE, "qop without cnonce")                                    \
	X(NO_NC, "qop without nc")                                            \
	X(NO_QOP, "cnonce or nc without qop")                                 \
	X(SESS_NO_QOP, "a -sess algorithm without qop")                       \
	X(BAD_RESPONSE, "response is not the algorithm's length in hex")

enum digest_err {
	DIGEST_E_OK = 0,
#define DIGEST_X(id, s) DIGEST_E_##id,
	DIGEST_ERRS(DIGEST_X)
#undef DIGEST_X
	DIGEST_E_COUNT
};

/*
 * A parameter value: the bytes between the quotes of a quoted string, or
 * the token itself. p is NULL when the parameter is absent; a present
 * value may be empty. When escaped is set the bytes hold quoted-pairs
 * ("\x" stands for x): hashing undoes them, and so does digest_unquote.
 */
struct digest_str {
	const char *p;
	uint16_t len;
	uint8_t escaped;
};

/* Credentials of one Authorization / Proxy-Authorization value. */
struct digest_cred {
	struct digest_str username; /* the hash of user:realm if userhash */
	struct digest_str realm;
	struct digest_str nonce;
	struct digest_str uri;
	struct digest_str response; /* hex, checked for length */
	struct digest_str algorithm; /* as written; see alg */
	struct digest_str cnonce;
	struct digest_str opaque;
	struct digest_str qop;      /* as written ("auth" in any case) */
	struct digest_str nc;       /* as written: 8 hex digits, hashed as is */
	struct digest_str userhash;
	uint32_t nc_value;          /* nc as a number, 0 without qop */
	uint8_t alg;                /* enum digest_alg */
	uint8_t qop_kind;           /* enum digest_qop */
	bool is_userhash;
	uint16_t err_off;           /* on error: offset where parsing stopped */
};

/*
 * Parses the header value s[0..len) (the bytes after "Authorization:",
 * white space around it allowed, folded lines included). Returns len (> 0,
 * every byte consumed) on success, or -enum digest_err with c->err_off set.
 * Scheme and parameter names are case-insensitive, values may be tokens
 * or quoted strings, unknown parameters are skipped, a known one given
 * twice is an error. Never reads outside s[0..len).
 */
int digest_parse(const char *s, size_t len, struct digest_cred *c);

/* Human text of an error code (positive or negative enum value). */
const char *digest_err_str(int err);

/* Wire name of an algorithm, e.g. "SHA-256"; "" if out of range. */
const char *digest_alg_name(enum digest_alg alg);

/* Length of the algorithm's digest in hex (32 or 64); 0 if out of range. */
size_t digest_alg_hex_len(enum digest_alg alg);

/*
 * Copies a value with its quoted-pairs undone into out (NUL-terminated).
 * Returns the length without the NUL, or -ENOSPC if it does not fit.
 */
int digest_unquote(const struct digest_str *s, char *out, size_t size);

/*
 * H(user ":" realm ":" password) in lower-case hex: the HA1 operators may
 * store instead of the password. It is the same for an algorithm and its
 * -sess variant (the session part is added per request). out must hold
 * DIGEST_HEX_MAX + 1 bytes; it is NUL-terminated. Returns the hex length,
 * or -EINVAL for an unknown algorithm.
 */
int digest_ha1(enum digest_alg alg, const char *user, const char *realm,
	       const char *password, char *out);

/*
 * H(user ":" realm) in hex: what a client sends as username with
 * userhash=true (RFC 7616 §3.4.4), for a user table indexed by it. Same
 * out and returns as digest_ha1.
 */
int digest_userhash(enum digest_alg alg, const char *user, const char *realm, char *out);

/*
 * The response the credentials should carry (RFC 7616 §3.4.1, RFC 2617
 * without qop), for the request method[0..method_len) and the stored
 * HA1 ha1[0..ha1_len) (hex, any case) of c->alg's hash. out must hold
 * DIGEST_HEX_MAX + 1 bytes (NUL-terminated). Returns the hex length, or
 * -EINVAL if ha1 is not hex of the algorithm's length.
 */
int digest_response(const struct digest_cred *c, const char *method, size_t method_len,
		    const char *ha1, size_t ha1_len, char *out);

/*
 * Checks c->response against the one computed from the stored HA1, in
 * constant time. Returns 0 on a match, -EACCES on a mismatch, -EINVAL if
 * ha1 is malformed (as digest_response).
 */
int digest_verify(const struct digest_cred *c, const char *method, size_t method_len,
		  const char *ha1, size_t ha1_len);

/*
 * As digest_verify with HA1 computed from c->username, c->realm and the
 * cleartext password. Returns 0, -EACCES, or -ENOTSUP for userhash
 * credentials (whose username is a hash: look the user up by
 * digest_userhash and call digest_verify with the stored HA1).
 */
int digest_verify_password(const struct digest_cred *c, const char *method, size_t method_len,
			   const char *password, size_t password_len);

/* ---------------------------------------------------------------------- */
/* Stateless nonces                                                       */

/* Nonce length: base64url of a 4-byte id, 4 bytes of time and 16 bytes of
 * MAC. */
#define DIGEST_NONCE_LEN 32
/* Shortest secret digest_nonce_key_init accepts. */
#define DIGEST_SECRET_MIN 16
/* A nonce issued up to this far in the future (clock skew between the
 * boxes of a cluster sharing the secret) is still good. */
#define DIGEST_NONCE_SKEW_S 30

/* The secret, keyed once; read-only afterwards, so lcores may share it. */
struct digest_nonce_key {
	struct hmac_sha256_ctx hmac;
};

/* What a nonce is bound to besides its time. */
struct digest_nonce_scope {
	const char *realm;
	size_t realm_len;
	const void *bind;  /* optional, e.g. the client's address; NULL for none */
	size_t bind_len;
};

enum digest_nonce_state {
	DIGEST_NONCE_OK = 0,
	DIGEST_NONCE_STALE, /* ours, older than max_age: challenge with stale=true */
	DIGEST_NONCE_BAD,   /* not ours, another scope, or malformed */
};

/* Keys k with secret[0..len). Returns 0, or -EINVAL if len < DIGEST_SECRET_MIN. */
int digest_nonce_key_init(struct digest_nonce_key *k, const void *secret, size_t len);

/*
 * Writes the nonce with id for time now_s (seconds, any epoch the checker
 * shares; kept modulo 2^32) into out[0..DIGEST_NONCE_LEN) (no NUL):
 * base64url of id and now_s (4 bytes each, big endian) and
 * HMAC-SHA256(secret, id, now_s, realm, bind) cut to 16 bytes.
 */
void digest_nonce_make(const struct digest_nonce_key *k, const struct digest_nonce_scope *sc,
		       uint64_t now_s, uint32_t id, char *out);

/*
 * Checks nonce[0..len) made by digest_nonce_make with the same key and
 * scope: BAD unless its MAC matches (constant-time compare) and its time
 * is at most DIGEST_NONCE_SKEW_S ahead of now_s; STALE if it is more than
 * max_age_s old; else OK. Unless BAD, *id (if id is not NULL) is its id.
 */
enum digest_nonce_state digest_nonce_check(const struct digest_nonce_key *k,
					   const struct digest_nonce_scope *sc,
					   const char *nonce, size_t len, uint64_t now_s,
					   uint32_t max_age_s, uint32_t *id);

/* ---------------------------------------------------------------------- */
/* Challenges                                                             */

struct digest_challenge {
	const char *realm;
	size_t realm_len;
	const char *nonce;
	size_t nonce_len;
	const char *opaque;  /* NULL for none */
	size_t opaque_len;
	bool stale;
	bool qop_auth;       /* offer qop="auth" (RFC 3261 §22.4 says do) */
	unsigned algs;       /* DIGEST_ALG_BIT mask for digest_challenge_hdrs; 0: default */
};

/*
 * Writes one challenge value for alg into buf[0..size) (no NUL):
 *   Digest realm="…", nonce="…", algorithm=…, qop="auth"[, stale=true][, opaque="…"]
 * with '"' and '\' escaped. Returns the length, -ENOSPC if it does not fit,
 * -EINVAL for an unknown algorithm or a control character in a value.
 */
int digest_challenge_write(const struct digest_challenge *ch, enum digest_alg alg, char *buf,
			   size_t size);

/*
 * Writes the challenge header lines, one per algorithm in ch->algs (or
 * DIGEST_OFFER_DEFAULT) from the strongest to the weakest, as RFC 8760
 * §2.4 asks ("SHA-256 then MD5"), all with the same nonce:
 *   WWW-Authenticate: Digest …SHA-256…\r\n
 *   WWW-Authenticate: Digest …MD5…\r\n
 * ("Proxy-Authenticate" when proxy). Returns the total length (no NUL),
 * -ENOSPC or -EINVAL as digest_challenge_write.
 */
int digest_challenge_hdrs(const struct digest_challenge *ch, bool proxy, char *buf, size_t size);

#endif
