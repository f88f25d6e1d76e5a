/* SPDX-License-Identifier: MIT */
/*
 * SIP digest authentication (see digest.h): the credentials parser, the
 * response computation, stateless nonces and challenge writing.
 *
 * The parser is one forward pass over the header value, bounded by its end
 * pointer: the scheme, then name=value pairs separated by commas, with
 * white space (SP, HTAB and the CR/LF of folded lines) allowed around
 * every separator. A parameter name is looked up in a static table
 * (digest_params) that says where its value goes in struct digest_cred
 * and which check decodes it; presence and consistency rules run once at
 * the end (digest_finish). Values are kept as written: quoted-pairs are
 * undone only while hashing (dh_str) or by digest_unquote.
 *
 * The hash of each algorithm is driven through nettle's struct nettle_hash
 * on a stack context big enough for any of them. Secrets never shape the
 * work done: responses and MACs are compared in constant time over their
 * full, public length.
 */
#include "sip/digest.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <nettle/md5.h>
#include <nettle/nettle-meta.h>
#include <nettle/sha2.h>

/* ---------------------------------------------------------------------- */
/* Tables                                                                 */

static const char *const digest_err_names[DIGEST_E_COUNT] = {
	[DIGEST_E_OK] = "no error",
#define DIGEST_X(id, s) [DIGEST_E_##id] = s,
	DIGEST_ERRS(DIGEST_X)
#undef DIGEST_X
};

struct digest_alg_info {
	const char *name;
	uint8_t name_len;
	uint8_t sess;
	const struct nettle_hash *hash;
};

static const struct digest_alg_info digest_algs[DIGEST_ALG_COUNT] = {
#define DIGEST_X(id, s, h, sess) \
	[DIGEST_ALG_##id] = {s, sizeof(s) - 1, sess, &nettle_##h},
	DIGEST_ALGS(DIGEST_X)
#undef DIGEST_X
};

/* Offer order of digest_challenge_hdrs: strongest first (RFC 8760 §2.4). */
static const uint8_t digest_offer_order[DIGEST_ALG_COUNT] = {
	DIGEST_ALG_SHA512_256, DIGEST_ALG_SHA512_256_SESS, DIGEST_ALG_SHA256,
	DIGEST_ALG_SHA256_SESS, DIGEST_ALG_MD5,	DIGEST_ALG_MD5_SESS,
};

static enum digest_err digest_check_alg(struct digest_cred *c, const struct digest_str *v);
static enum digest_err digest_check_qop(struct digest_cred *c, const struct digest_str *v);
static enum digest_err digest_check_nc(struct digest_cred *c, const struct digest_str *v);
static enum digest_err digest_check_userhash(struct digest_cred *c, const struct digest_str *v);

/* The parameters of a credential: name, field, value check (or none). */
#define DIGEST_PARAMS(X)                                     \
	X(USERNAME, "username", username, NULL)              \
	X(REALM, "realm", realm, NULL)                       \
	X(NONCE, "nonce", nonce, NULL)                       \
	X(URI, "uri", uri, NULL)                             \
	X(RESPONSE, "response", response, NULL)              \
	X(ALGORITHM, "algorithm", algorithm, digest_check_alg) \
	X(CNONCE, "cnonce", cnonce, NULL)                    \
	X(OPAQUE, "opaque", opaque, NULL)                    \
	X(QOP, "qop", qop, digest_check_qop)                 \
	X(NC, "nc", nc, digest_check_nc)                     \
	X(USERHASH, "userhash", userhash, digest_check_userhash)

enum digest_param {
#define DIGEST_X(id, s, field, check) DIGEST_P_##id,
	DIGEST_PARAMS(DIGEST_X)
#undef DIGEST_X
	DIGEST_P_COUNT
};

struct digest_param_info {
	const char *name;
	uint8_t name_len;
	uint16_t off; /* of the struct digest_str in struct digest_cred */
	enum digest_err (*check)(struct digest_cred *c, const struct digest_str *v);
};

static const struct digest_param_info digest_params[DIGEST_P_COUNT] = {
#define DIGEST_X(id, s, field, chk) \
	[DIGEST_P_##id] = {s, sizeof(s) - 1, offsetof(struct digest_cred, field), chk},
	DIGEST_PARAMS(DIGEST_X)
#undef DIGEST_X
};

/* ---------------------------------------------------------------------- */
/* Characters                                                             */

static bool digest_is_ws(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* RFC 3261 token: alphanumerics and -.!%*_+`'~ */
static bool digest_is_tchar(char ch)
{
	unsigned char u = (unsigned char)ch;

	if ((u | 0x20) >= 'a' && (u | 0x20) <= 'z')
		return true;
	if (u >= '0' && u <= '9')
		return true;
	return u != 0 && strchr("-.!%*_+`'~", u) != NULL;
}

/* An unquoted value: visible ASCII but for '"' and ','. */
static bool digest_is_vchar(char ch)
{
	unsigned char u = (unsigned char)ch;

	return u > 0x20 && u < 0x7f && u != '"' && u != ',';
}

static bool digest_is_hex(char ch)
{
	unsigned char u = (unsigned char)ch;

	return (u >= '0' && u <= '9') || ((u | 0x20) >= 'a' && (u | 0x20) <= 'f');
}

static unsigned digest_hex_val(char ch)
{
	unsigned char u = (unsigned char)ch;

	return u <= '9' ? u - '0' : (u | 0x20) - 'a' + 10;
}

static char digest_lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch + ('a' - 'A')) : ch;
}

/* a[0..n) equals the lower-case literal lit, ignoring ASCII case. */
static bool digest_ieq(const char *a, size_t n, const char *lit, size_t lit_len)
{
	if (n != lit_len)
		return false;
	for (size_t i = 0; i < n; i++)
		if (digest_lower(a[i]) != lit[i])
			return false;
	return true;
}

/* A value compared as a keyword: present, no quoted-pairs, equal to lit. */
static bool digest_str_is(const struct digest_str *v, const char *lit)
{
	return !v->escaped && digest_ieq(v->p, v->len, lit, strlen(lit));
}

static const char *digest_skip_ws(const char *p, const char *end)
{
	while (p < end && digest_is_ws(*p))
		p++;
	return p;
}

/* ---------------------------------------------------------------------- */
/* Value checks (digest_params)                                           */

static enum digest_err digest_check_alg(struct digest_cred *c, const struct digest_str *v)
{
	for (int a = 0; a < DIGEST_ALG_COUNT; a++) {
		const struct digest_alg_info *ai = &digest_algs[a];

		if (!v->escaped && v->len == ai->name_len) {
			size_t i = 0;

			while (i < v->len && digest_lower(v->p[i]) == digest_lower(ai->name[i]))
				i++;
			if (i == v->len) {
				c->alg = (uint8_t)a;
				return DIGEST_E_OK;
			}
		}
	}
	return DIGEST_E_BAD_ALGORITHM;
}

static enum digest_err digest_check_qop(struct digest_cred *c, const struct digest_str *v)
{
	if (digest_str_is(v, "auth")) {
		c->qop_kind = DIGEST_QOP_AUTH;
		return DIGEST_E_OK;
	}
	return digest_str_is(v, "auth-int") ? DIGEST_E_AUTH_INT : DIGEST_E_BAD_QOP;
}

static enum digest_err digest_check_nc(struct digest_cred *c, const struct digest_str *v)
{
	uint32_t n = 0;

	if (v->escaped || v->len != 8)
		return DIGEST_E_BAD_NC;
	for (int i = 0; i < 8; i++) {
		if (!digest_is_hex(v->p[i]))
			return DIGEST_E_BAD_NC;
		n = n << 4 | digest_hex_val(v->p[i]);
	}
	c->nc_value = n;
	return DIGEST_E_OK;
}

static enum digest_err digest_check_userhash(struct digest_cred *c, const struct digest_str *v)
{
	if (digest_str_is(v, "true"))
		c->is_userhash = true;
	else if (!digest_str_is(v, "false"))
		return DIGEST_E_BAD_USERHASH;
	return DIGEST_E_OK;
}

/* ---------------------------------------------------------------------- */
/* Parser                                                                 */

static int digest_fail(struct digest_cred *c, const char *s, const char *at, enum digest_err e)
{
	c->err_off = (uint16_t)(at - s);
	return -(int)e;
}

/*
 * A quoted string at *pp (on its opening quote): qdtext and quoted-pairs
 * up to the closing quote (RFC 3261 §25.1). CR and LF pass, as the parts
 * of a folded line; other control characters do not.
 */
static int digest_quoted(struct digest_cred *c, const char *s, const char **pp, const char *end,
			 struct digest_str *v)
{
	const char *open = *pp, *p = open + 1;
	bool escaped = false;

	while (p < end && *p != '"') {
		unsigned char u = (unsigned char)*p;

		if (u == '\\') {
			if (end - p < 2) {
				p = end; /* a lone '\' last: no closing quote */
				break;
			}
			u = (unsigned char)p[1];
			if ((u < 0x20 && u != '\t') || u >= 0x7f)
				return digest_fail(c, s, p + 1, DIGEST_E_BAD_CHAR);
			escaped = true;
			p += 2;
			continue;
		}
		if ((u < 0x20 && u != '\t' && u != '\r' && u != '\n') || u == 0x7f)
			return digest_fail(c, s, p, DIGEST_E_BAD_CHAR);
		p++;
	}
	if (p >= end)
		return digest_fail(c, s, open, DIGEST_E_UNTERMINATED);
	v->p = open + 1;
	v->len = (uint16_t)(p - v->p);
	v->escaped = escaped;
	*pp = p + 1;
	return 0;
}

static int digest_param_find(const char *name, size_t len)
{
	for (int id = 0; id < DIGEST_P_COUNT; id++)
		if (digest_ieq(name, len, digest_params[id].name, digest_params[id].name_len))
			return id;
	return -1;
}

/* One name=value at *pp; a known name is stored in c and checked. */
static int digest_param(struct digest_cred *c, const char *s, const char **pp, const char *end,
			uint32_t *seen)
{
	const char *name = *pp, *p = name, *val;
	struct digest_str v = {0};
	size_t name_len;
	int id, rc;

	while (p < end && digest_is_tchar(*p))
		p++;
	name_len = (size_t)(p - name);
	if (name_len == 0)
		return digest_fail(c, s, p, DIGEST_E_SYNTAX);
	p = digest_skip_ws(p, end);
	if (p == end || *p != '=')
		return digest_fail(c, s, p, DIGEST_E_SYNTAX);
	p = digest_skip_ws(p + 1, end);
	val = p;
	if (p < end && *p == '"') {
		rc = digest_quoted(c, s, &p, end, &v);
		if (rc < 0)
			return rc;
	} else {
		while (p < end && digest_is_vchar(*p))
			p++;
		if (p == val)
			return digest_fail(c, s, p, DIGEST_E_SYNTAX);
		v.p = val;
		v.len = (uint16_t)(p - val);
	}
	*pp = p;
	id = digest_param_find(name, name_len);
	if (id < 0)
		return 0; /* unknown parameters are skipped (RFC 7616 §3.4) */
	if (*seen & (1u << id))
		return digest_fail(c, s, name, DIGEST_E_DUP_PARAM);
	*seen |= 1u << id;
	memcpy((char *)c + digest_params[id].off, &v, sizeof(v));
	if (digest_params[id].check) {
		enum digest_err e = digest_params[id].check(c, &v);

		if (e != DIGEST_E_OK)
			return digest_fail(c, s, val, e);
	}
	return 0;
}

/* Presence and consistency, once every parameter has been read. */
static int digest_finish(struct digest_cred *c, const char *s, size_t len)
{
	static const struct {
		uint8_t param;
		uint8_t err;
	} required[] = {
		{DIGEST_P_USERNAME, DIGEST_E_NO_USERNAME}, {DIGEST_P_REALM, DIGEST_E_NO_REALM},
		{DIGEST_P_NONCE, DIGEST_E_NO_NONCE},	   {DIGEST_P_URI, DIGEST_E_NO_URI},
		{DIGEST_P_RESPONSE, DIGEST_E_NO_RESPONSE},
	};
	const char *end = s + len;
	size_t hex = digest_alg_hex_len(c->alg);

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		const struct digest_str *v =
			(const void *)((const char *)c + digest_params[required[i].param].off);

		if (!v->p)
			return digest_fail(c, s, end, required[i].err);
	}
	if (c->qop_kind == DIGEST_QOP_AUTH) {
		if (!c->cnonce.p)
			return digest_fail(c, s, end, DIGEST_E_NO_CNONCE);
		if (!c->nc.p)
			return digest_fail(c, s, end, DIGEST_E_NO_NC);
	} else {
		if (c->cnonce.p)
			return digest_fail(c, s, c->cnonce.p, DIGEST_E_NO_QOP);
		if (c->nc.p)
			return digest_fail(c, s, c->nc.p, DIGEST_E_NO_QOP);
		if (digest_algs[c->alg].sess)
			return digest_fail(c, s, c->algorithm.p, DIGEST_E_SESS_NO_QOP);
	}
	if (c->response.escaped || c->response.len != hex)
		return digest_fail(c, s, c->response.p, DIGEST_E_BAD_RESPONSE);
	for (size_t i = 0; i < hex; i++)
		if (!digest_is_hex(c->response.p[i]))
			return digest_fail(c, s, c->response.p + i, DIGEST_E_BAD_RESPONSE);
	return (int)len;
}

int digest_parse(const char *s, size_t len, struct digest_cred *c)
{
	const char *p = s, *end = s + len;
	uint32_t seen = 0;
	int rc;

	memset(c, 0, sizeof(*c));
	if (len > DIGEST_VALUE_MAX)
		return digest_fail(c, s, s, DIGEST_E_TOO_LONG);
	p = digest_skip_ws(p, end);
	if (end - p < 6 || !digest_ieq(p, 6, "digest", 6) || (end - p > 6 && !digest_is_ws(p[6])))
		return digest_fail(c, s, p, DIGEST_E_NOT_DIGEST);
	p = digest_skip_ws(p + 6, end);
	while (p < end) {
		rc = digest_param(c, s, &p, end, &seen);
		if (rc < 0)
			return rc;
		p = digest_skip_ws(p, end);
		if (p == end)
			break;
		if (*p != ',')
			return digest_fail(c, s, p, DIGEST_E_SYNTAX);
		p = digest_skip_ws(p + 1, end);
		if (p == end)
			return digest_fail(c, s, p, DIGEST_E_SYNTAX); /* trailing comma */
	}
	return digest_finish(c, s, len);
}

const char *digest_err_str(int err)
{
	if (err < 0)
		err = -err;
	if (err >= DIGEST_E_COUNT)
		return "unknown error";
	return digest_err_names[err];
}

const char *digest_alg_name(enum digest_alg alg)
{
	return (unsigned)alg < DIGEST_ALG_COUNT ? digest_algs[alg].name : "";
}

size_t digest_alg_hex_len(enum digest_alg alg)
{
	return (unsigned)alg < DIGEST_ALG_COUNT ? 2 * (size_t)digest_algs[alg].hash->digest_size
						: 0;
}

int digest_unquote(const struct digest_str *s, char *out, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < s->len; i++) {
		if (s->escaped && s->p[i] == '\\' && i + 1 < s->len)
			i++;
		if (n + 1 >= size)
			return -ENOSPC;
		out[n++] = s->p[i];
	}
	if (size == 0)
		return -ENOSPC;
	out[n] = '\0';
	return (int)n;
}

/* ---------------------------------------------------------------------- */
/* Hashing                                                                */

struct digest_hash {
	const struct nettle_hash *h;
	union {
		struct md5_ctx md5;
		struct sha256_ctx sha256;
		struct sha512_ctx sha512; /* also SHA-512/256 */
	} ctx;
};

static void dh_init(struct digest_hash *d, enum digest_alg alg)
{
	d->h = digest_algs[alg].hash;
	d->h->init(&d->ctx);
}

static void dh_put(struct digest_hash *d, const void *p, size_t n)
{
	if (n)
		d->h->update(&d->ctx, n, p);
}

static void dh_colon(struct digest_hash *d)
{
	dh_put(d, ":", 1);
}

/* A value with its quoted-pairs undone: "\x" hashes as x. */
static void dh_str(struct digest_hash *d, const struct digest_str *v)
{
	const char *p = v->p, *end = p + v->len, *run = p;

	if (!v->escaped) {
		dh_put(d, v->p, v->len);
		return;
	}
	while (p < end) {
		if (*p == '\\' && end - p >= 2) {
			dh_put(d, run, (size_t)(p - run));
			run = p + 1; /* the escaped byte starts the next run */
			p += 2;
		} else {
			p++;
		}
	}
	dh_put(d, run, (size_t)(end - run));
}

/* Finishes d into lower-case hex at out (NUL-terminated); the hex length. */
static int dh_hex(struct digest_hash *d, char *out)
{
	static const char hexd[] = "0123456789abcdef";
	uint8_t raw[DIGEST_HEX_MAX / 2];
	unsigned n = d->h->digest_size;

	d->h->digest(&d->ctx, n, raw);
	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = hexd[raw[i] >> 4];
		out[2 * i + 1] = hexd[raw[i] & 15];
	}
	out[2 * n] = '\0';
	return (int)(2 * n);
}

static int digest_ha1_of(enum digest_alg alg, const char *user, const char *realm,
			 const char *password, char *out)
{
	struct digest_hash d;

	if ((unsigned)alg >= DIGEST_ALG_COUNT || !user || !realm)
		return -EINVAL;
	dh_init(&d, alg);
	dh_put(&d, user, strlen(user));
	dh_colon(&d);
	dh_put(&d, realm, strlen(realm));
	if (password) {
		dh_colon(&d);
		dh_put(&d, password, strlen(password));
	}
	return dh_hex(&d, out);
}

int digest_ha1(enum digest_alg alg, const char *user, const char *realm,
	       const char *password, char *out)
{
	if (!password)
		return -EINVAL;
	return digest_ha1_of(alg, user, realm, password, out);
}

int digest_userhash(enum digest_alg alg, const char *user, const char *realm, char *out)
{
	return digest_ha1_of(alg, user, realm, NULL, out);
}

int digest_response(const struct digest_cred *c, const char *method, size_t method_len,
		    const char *ha1, size_t ha1_len, char *out)
{
	char h1[DIGEST_HEX_MAX + 1], h2[DIGEST_HEX_MAX + 1];
	size_t n = digest_alg_hex_len(c->alg);
	struct digest_hash d;

	if (n == 0 || ha1_len != n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!digest_is_hex(ha1[i]))
			return -EINVAL;
		h1[i] = digest_lower(ha1[i]);
	}
	if (digest_algs[c->alg].sess) { /* HA1 = H(H(user:realm:pass):nonce:cnonce) */
		dh_init(&d, c->alg);
		dh_put(&d, h1, n);
		dh_colon(&d);
		dh_str(&d, &c->nonce);
		dh_colon(&d);
		dh_str(&d, &c->cnonce);
		dh_hex(&d, h1);
	}
	dh_init(&d, c->alg); /* HA2 = H(method:uri) */
	dh_put(&d, method, method_len);
	dh_colon(&d);
	dh_str(&d, &c->uri);
	dh_hex(&d, h2);

	dh_init(&d, c->alg);
	dh_put(&d, h1, n);
	dh_colon(&d);
	dh_str(&d, &c->nonce);
	dh_colon(&d);
	if (c->qop_kind == DIGEST_QOP_AUTH) { /* nc:cnonce:qop as the client wrote them */
		dh_str(&d, &c->nc);
		dh_colon(&d);
		dh_str(&d, &c->cnonce);
		dh_colon(&d);
		dh_str(&d, &c->qop);
		dh_colon(&d);
	}
	dh_put(&d, h2, n);
	return dh_hex(&d, out);
}

int digest_verify(const struct digest_cred *c, const char *method, size_t method_len,
		  const char *ha1, size_t ha1_len)
{
	char want[DIGEST_HEX_MAX + 1];
	unsigned diff = 0;
	int n = digest_response(c, method, method_len, ha1, ha1_len, want);

	if (n < 0)
		return n;
	/* Lengths are public; the bytes are compared without early exit. */
	if (c->response.len != (size_t)n || c->response.escaped)
		return -EACCES;
	for (int i = 0; i < n; i++)
		diff |= (unsigned char)want[i] ^ (unsigned char)digest_lower(c->response.p[i]);
	return diff == 0 ? 0 : -EACCES;
}

int digest_verify_password(const struct digest_cred *c, const char *method, size_t method_len,
			   const char *password, size_t password_len)
{
	char ha1[DIGEST_HEX_MAX + 1];
	struct digest_hash d;
	int n;

	if (c->is_userhash)
		return -ENOTSUP;
	if (c->alg >= DIGEST_ALG_COUNT)
		return -EINVAL;
	dh_init(&d, c->alg);
	dh_str(&d, &c->username);
	dh_colon(&d);
	dh_str(&d, &c->realm);
	dh_colon(&d);
	dh_put(&d, password, password_len);
	n = dh_hex(&d, ha1);
	return digest_verify(c, method, method_len, ha1, (size_t)n);
}

/* ---------------------------------------------------------------------- */
/* Nonces                                                                 */

#define DIGEST_NONCE_MAC 16
#define DIGEST_NONCE_RAW (8 + DIGEST_NONCE_MAC)

/* Keeps these MACs apart from any other use of the same secret. */
static const char digest_nonce_label[] = "sluice digest nonce v2";

static const char digest_b64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int digest_b64url_val(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '-')
		return 62;
	return ch == '_' ? 63 : -1;
}

/* 24 bytes, a whole number of 3-byte groups: 32 characters, no padding. */
static void digest_b64url_encode(const uint8_t *in, char *out)
{
	for (int i = 0; i < DIGEST_NONCE_RAW; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		for (int k = 0; k < 4; k++)
			*out++ = digest_b64url[(v >> (18 - 6 * k)) & 63];
	}
}

/* The inverse; every 32-character string over the alphabet decodes. */
static bool digest_b64url_decode(const char *in, uint8_t *out)
{
	for (int i = 0; i < DIGEST_NONCE_LEN; i += 4) {
		uint32_t v = 0;

		for (int k = 0; k < 4; k++) {
			int x = digest_b64url_val(in[i + k]);

			if (x < 0)
				return false;
			v = v << 6 | (uint32_t)x;
		}
		*out++ = (uint8_t)(v >> 16);
		*out++ = (uint8_t)(v >> 8);
		*out++ = (uint8_t)v;
	}
	return true;
}

static void digest_be64(uint64_t v, uint8_t *out)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		out[i] = (uint8_t)v;
}

/* HMAC(secret, label, time, len(realm), realm, bind) cut to 16 bytes. */
static void digest_nonce_mac(const struct digest_nonce_key *k, const struct digest_nonce_scope *sc,
			     const uint8_t *t, uint8_t *mac)
{
	struct hmac_sha256_ctx h = k->hmac; /* the keyed state, copied: k stays shared */
	uint8_t rlen[8];

	digest_be64(sc->realm_len, rlen);
	hmac_sha256_update(&h, sizeof(digest_nonce_label), (const uint8_t *)digest_nonce_label);
	hmac_sha256_update(&h, 8, t);
	hmac_sha256_update(&h, 8, rlen);
	if (sc->realm_len)
		hmac_sha256_update(&h, sc->realm_len, (const uint8_t *)sc->realm);
	if (sc->bind_len)
		hmac_sha256_update(&h, sc->bind_len, sc->bind);
	hmac_sha256_digest(&h, DIGEST_NONCE_MAC, mac);
}

int digest_nonce_key_init(struct digest_nonce_key *k, const void *secret, size_t len)
{
	if (!secret || len < DIGEST_SECRET_MIN)
		return -EINVAL;
	hmac_sha256_set_key(&k->hmac, len, secret);
	return 0;
}

void digest_nonce_make(const struct digest_nonce_key *k, const struct digest_nonce_scope *sc,
		       uint64_t now_s, uint32_t id, char *out)
{
	uint8_t raw[DIGEST_NONCE_RAW];

	digest_be64((uint64_t)id << 32 | (uint32_t)now_s, raw);
	digest_nonce_mac(k, sc, raw, raw + 8);
	digest_b64url_encode(raw, out);
}

enum digest_nonce_state digest_nonce_check(const struct digest_nonce_key *k,
					   const struct digest_nonce_scope *sc,
					   const char *nonce, size_t len, uint64_t now_s,
					   uint32_t max_age_s, uint32_t *id)
{
	uint8_t raw[DIGEST_NONCE_RAW], mac[DIGEST_NONCE_MAC];
	unsigned diff = 0;
	uint64_t head = 0;
	int32_t age;

	if (len != DIGEST_NONCE_LEN || !digest_b64url_decode(nonce, raw))
		return DIGEST_NONCE_BAD;
	digest_nonce_mac(k, sc, raw, mac);
	for (int i = 0; i < DIGEST_NONCE_MAC; i++)
		diff |= mac[i] ^ raw[8 + i];
	if (diff != 0)
		return DIGEST_NONCE_BAD;
	for (int i = 0; i < 8; i++)
		head = head << 8 | raw[i];
	/* seconds modulo 2^32: the age is the difference, signed */
	age = (int32_t)((uint32_t)now_s - (uint32_t)head);
	if (age < 0 && -(int64_t)age > DIGEST_NONCE_SKEW_S)
		return DIGEST_NONCE_BAD;
	if (id != NULL)
		*id = (uint32_t)(head >> 32);
	return age > 0 && (uint32_t)age > max_age_s ? DIGEST_NONCE_STALE : DIGEST_NONCE_OK;
}

/* ---------------------------------------------------------------------- */
/* Challenges                                                             */

/* A bounded writer: overflow is remembered, nothing lands past cap. */
struct digest_wbuf {
	char *p;
	size_t len, cap;
	bool over;
	bool bad; /* a value held a control character */
};

static void wb_put(struct digest_wbuf *b, const char *s, size_t n)
{
	if (n == 0 || b->over)
		return;
	if (n > b->cap - b->len) {
		b->over = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void wb_lit(struct digest_wbuf *b, const char *s)
{
	wb_put(b, s, strlen(s));
}

/* s[0..n) as a quoted string: '"' and '\' escaped, controls refused. */
static void wb_quoted(struct digest_wbuf *b, const char *s, size_t n)
{
	const char *run = s;

	wb_put(b, "\"", 1);
	if (n == 0) {
		wb_put(b, "\"", 1);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char u = (unsigned char)s[i];

		if ((u < 0x20 && u != '\t') || u == 0x7f) {
			b->bad = true;
			return;
		}
		if (u == '"' || u == '\\') {
			wb_put(b, run, (size_t)(s + i - run));
			wb_put(b, "\\", 1);
			run = s + i;
		}
	}
	wb_put(b, run, (size_t)(s + n - run));
	wb_put(b, "\"", 1);
}

static int wb_result(const struct digest_wbuf *b)
{
	if (b->bad)
		return -EINVAL;
	return b->over ? -ENOSPC : (int)b->len;
}

static void digest_challenge_put(struct digest_wbuf *b, const struct digest_challenge *ch,
				 enum digest_alg alg)
{
	wb_lit(b, "Digest realm=");
	wb_quoted(b, ch->realm, ch->realm_len);
	wb_lit(b, ", nonce=");
	wb_quoted(b, ch->nonce, ch->nonce_len);
	wb_lit(b, ", algorithm=");
	wb_lit(b, digest_algs[alg].name);
	if (ch->qop_auth)
		wb_lit(b, ", qop=\"auth\"");
	if (ch->stale)
		wb_lit(b, ", stale=true");
	if (ch->opaque) {
		wb_lit(b, ", opaque=");
		wb_quoted(b, ch->opaque, ch->opaque_len);
	}
}

int digest_challenge_write(const struct digest_challenge *ch, enum digest_alg alg, char *buf,
			   size_t size)
{
	struct digest_wbuf b = {.p = buf, .cap = size};

	if ((unsigned)alg >= DIGEST_ALG_COUNT)
		return -EINVAL;
	digest_challenge_put(&b, ch, alg);
	return wb_result(&b);
}

int digest_challenge_hdrs(const struct digest_challenge *ch, bool proxy, char *buf, size_t size)
{
	struct digest_wbuf b = {.p = buf, .cap = size};
	unsigned algs = ch->algs ? ch->algs : DIGEST_OFFER_DEFAULT;
	bool any = false;

	for (int i = 0; i < DIGEST_ALG_COUNT; i++) {
		enum digest_alg alg = digest_offer_order[i];

		if (!(algs & DIGEST_ALG_BIT(alg)))
			continue;
		wb_lit(&b, proxy ? "Proxy-Authenticate: " : "WWW-Authenticate: ");
		digest_challenge_put(&b, ch, alg);
		wb_put(&b, "\r\n", 2);
		any = true;
	}
	if (!any)
		return -EINVAL;
	return wb_result(&b);
}
