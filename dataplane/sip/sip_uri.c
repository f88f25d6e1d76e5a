/* SPDX-License-Identifier: MIT */
/*
 * SIP, SIPS and tel URIs (see sip_uri.h): the parser, parameter lookup,
 * the §19.1.4 comparison and the phone-number normaliser.
 *
 * The parser is one forward pass over s[0..n), bounded by its end pointer,
 * in named stages over one context (scheme → userinfo → host → port →
 * params → headers, or scheme → tel number → params for tel). Each stage
 * advances the cursor or fails with the error and where it stopped. Which
 * bytes each part may hold comes from one class table (uri_cc) built from
 * the RFC 3261 §25.1 / RFC 3966 §3 grammar; a "run" of a part's class also
 * steps over well-formed escapes, so a '%' where a run stops is always a
 * malformed escape.
 *
 * The userinfo is only known to be one when its '@' is found: the first
 * stage runs over the bytes a user or password may hold and keeps them
 * only if an '@' ends the run ("sip:host;a=b" has none, so the same bytes
 * are read again as host and parameters). Parameters and headers are
 * checked here and looked up later by splitting their slice on ';' (or
 * '&') and '=', which no name or value may hold unescaped.
 *
 * Plain libc only (no DPDK), no allocation, no global mutable state.
 */
#include "sip/sip_uri.h"

#include <errno.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Character classes (RFC 3261 §25.1, RFC 3966 §3)                        */

enum {
	UC_ALNUM = 1u << 0,
	UC_MARK = 1u << 1,    /* - _ . ! ~ * ' ( ) */
	UC_USER_X = 1u << 2,  /* user-unreserved: & = + $ , ; ? / */
	UC_PASS_X = 1u << 3,  /* password extras: & = + $ , */
	UC_PARAM_X = 1u << 4, /* param-unreserved: [ ] / : & + $ */
	UC_HNV_X = 1u << 5,   /* hnv-unreserved: [ ] / ? : + $ */
	UC_HEX = 1u << 6,
	UC_DIGIT = 1u << 7,
	UC_ALPHA = 1u << 8,
	UC_HOST = 1u << 9,    /* hostname bytes: alnum - . _ (underscore: lenient) */
	UC_TEL = 1u << 10,    /* tel number bytes: hex digits * # + - . ( ) */
	UC_VIS = 1u << 11,    /* RFC 3966 visual separators: - . ( ) */
	UC_COLON = 1u << 12,
	UC_RESERVED = 1u << 13, /* ; / ? : @ & = + $ , */
};

#define UC_UNRES (UC_ALNUM | UC_MARK)
#define UC_USERCH (UC_UNRES | UC_USER_X)
#define UC_PASSCH (UC_UNRES | UC_PASS_X)
#define UC_PCHAR (UC_UNRES | UC_PARAM_X)
#define UC_HCHAR (UC_UNRES | UC_HNV_X)
#define UC_LETTER (UC_ALNUM | UC_ALPHA | UC_HOST)
#define UC_HEXLETTER (UC_LETTER | UC_HEX | UC_TEL)
#define UC_DIGITS (UC_ALNUM | UC_DIGIT | UC_HEX | UC_HOST | UC_TEL)

static const uint16_t uri_cc[256] = {
	['!'] = UC_MARK,
	['#'] = UC_TEL,
	['$'] = UC_USER_X | UC_PASS_X | UC_PARAM_X | UC_HNV_X | UC_RESERVED,
	['&'] = UC_USER_X | UC_PASS_X | UC_PARAM_X | UC_RESERVED,
	['\''] = UC_MARK,
	['('] = UC_MARK | UC_TEL | UC_VIS,
	[')'] = UC_MARK | UC_TEL | UC_VIS,
	['*'] = UC_MARK | UC_TEL,
	['+'] = UC_USER_X | UC_PASS_X | UC_PARAM_X | UC_HNV_X | UC_TEL | UC_RESERVED,
	[','] = UC_USER_X | UC_PASS_X | UC_RESERVED,
	['-'] = UC_MARK | UC_HOST | UC_TEL | UC_VIS,
	['.'] = UC_MARK | UC_HOST | UC_TEL | UC_VIS,
	['/'] = UC_USER_X | UC_PARAM_X | UC_HNV_X | UC_RESERVED,
	['0' ... '9'] = UC_DIGITS,
	[':'] = UC_PARAM_X | UC_HNV_X | UC_COLON | UC_RESERVED,
	[';'] = UC_USER_X | UC_RESERVED,
	['='] = UC_USER_X | UC_PASS_X | UC_RESERVED,
	['?'] = UC_USER_X | UC_HNV_X | UC_RESERVED,
	['@'] = UC_RESERVED,
	['A' ... 'F'] = UC_HEXLETTER,
	['G' ... 'Z'] = UC_LETTER,
	['['] = UC_PARAM_X | UC_HNV_X,
	[']'] = UC_PARAM_X | UC_HNV_X,
	['_'] = UC_MARK | UC_HOST,
	['a' ... 'f'] = UC_HEXLETTER,
	['g' ... 'z'] = UC_LETTER,
	['~'] = UC_MARK,
};

static inline bool uri_is(char ch, unsigned cls)
{
	return uri_cc[(uint8_t)ch] & cls;
}

static inline unsigned uri_hexval(char ch)
{
	return ch <= '9' ? (unsigned)(ch - '0') : (unsigned)((ch | 0x20) - 'a' + 10);
}

static inline unsigned char uri_lower(unsigned char ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch;
}

/* A well-formed escape %HH at p (p < e). */
static inline bool uri_escape_at(const char *p, const char *e)
{
	return *p == '%' && e - p >= 3 && uri_is(p[1], UC_HEX) && uri_is(p[2], UC_HEX);
}

/* First byte in [p, e) that is neither in cls nor starts an escape, or e. */
static const char *uri_run(const char *p, const char *e, unsigned cls)
{
	while (p < e) {
		if (uri_is(*p, cls))
			p++;
		else if (uri_escape_at(p, e))
			p += 3;
		else
			break;
	}
	return p;
}

/* First byte in [p, e) not in cls (no escapes), or e. */
static const char *uri_span(const char *p, const char *e, unsigned cls)
{
	while (p < e && uri_is(*p, cls))
		p++;
	return p;
}

/* a[0..n) equals the lower-case ASCII name[0..n), ignoring case. */
static bool uri_caseeq(const char *a, const char *name, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (uri_lower((unsigned char)a[i]) != (unsigned char)name[i])
			return false;
	return true;
}

/* ---------------------------------------------------------------------- */
/* Tables                                                                 */

static const char *const uri_err_names[SIP_URI_E_COUNT] = {
	[SIP_URI_E_OK] = "no error",
#define SIP_URI_X(id, s) [SIP_URI_E_##id] = s,
	SIP_URI_ERRS(SIP_URI_X)
#undef SIP_URI_X
};

struct uri_name {
	const char *name; /* lower case */
	uint8_t len;
	uint8_t id;
};

#define URI_NAME(s, id) {s, sizeof(s) - 1, id}

static const struct uri_name uri_schemes[] = {
	URI_NAME("sip", SIP_URI_SCHEME_SIP),
	URI_NAME("sips", SIP_URI_SCHEME_SIPS),
	URI_NAME("tel", SIP_URI_SCHEME_TEL),
};

static const struct uri_name uri_transports[] = {
	URI_NAME("udp", SIP_URI_TRANSPORT_UDP),
	URI_NAME("tcp", SIP_URI_TRANSPORT_TCP),
	URI_NAME("tls", SIP_URI_TRANSPORT_TLS),
	URI_NAME("sctp", SIP_URI_TRANSPORT_SCTP),
	URI_NAME("ws", SIP_URI_TRANSPORT_WS),
	URI_NAME("wss", SIP_URI_TRANSPORT_WSS),
};

/* The uri-parameters the parser records (RFC 3261 §19.1.1). */
enum uri_kparam {
	URI_KP_TRANSPORT,
	URI_KP_USER,
	URI_KP_METHOD,
	URI_KP_MADDR,
	URI_KP_TTL,
	URI_KP_LR,
};

static const struct uri_name uri_kparams[] = {
	URI_NAME("transport", URI_KP_TRANSPORT),
	URI_NAME("user", URI_KP_USER),
	URI_NAME("method", URI_KP_METHOD),
	URI_NAME("maddr", URI_KP_MADDR),
	URI_NAME("ttl", URI_KP_TTL),
	URI_NAME("lr", URI_KP_LR),
};

/* Those that never match when in one URI only (§19.1.4): all but lr. */
#define URI_KP_MUST_MATCH(id) ((id) != URI_KP_LR)

#define URI_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Id of s[0..n) in tab (case-insensitive), or -1. */
static int uri_lookup(const struct uri_name *tab, size_t count, const char *s, size_t n)
{
	for (size_t i = 0; i < count; i++)
		if (tab[i].len == n && uri_caseeq(s, tab[i].name, n))
			return tab[i].id;
	return -1;
}

const char *sip_uri_err_str(int err)
{
	if (err < 0)
		err = -err;
	if (err >= SIP_URI_E_COUNT)
		return "unknown error";
	return uri_err_names[err];
}

/* ---------------------------------------------------------------------- */
/* Parser                                                                 */

struct uri_ctx {
	const char *base;
	const char *p; /* cursor */
	const char *e; /* end of the URI */
	struct sip_uri *u;
	unsigned seen; /* bit 1 << enum uri_kparam: recorded already */
};

static inline struct sip_slice uri_sl(const struct uri_ctx *c, const char *a, const char *b)
{
	return (struct sip_slice){.off = (uint16_t)(a - c->base), .len = (uint16_t)(b - a)};
}

static int uri_fail(struct uri_ctx *c, const char *at, enum sip_uri_err err)
{
	/* A malformed escape stops any run: report it as such. */
	if (at < c->e && *at == '%' && !uri_escape_at(at, c->e))
		err = SIP_URI_E_BAD_ESCAPE;
	c->u->err = (uint8_t)err;
	c->u->err_off = (uint16_t)(at - c->base);
	return -(int)err;
}

/* "sip:", "sips:" or "tel:", any case. */
static int uri_scheme(struct uri_ctx *c)
{
	const char *q = uri_span(c->p, c->e, UC_ALPHA);
	int id;

	if (q == c->e || *q != ':' ||
	    (id = uri_lookup(uri_schemes, URI_NELEM(uri_schemes), c->p, (size_t)(q - c->p))) < 0)
		return uri_fail(c, c->p, SIP_URI_E_BAD_SCHEME);
	c->u->scheme = (uint8_t)id;
	c->p = q + 1;
	return 0;
}

/* [ user [ ":" password ] "@" ]: kept only when an '@' ends the run. */
static int uri_userinfo(struct uri_ctx *c)
{
	const char *p = c->p, *q = uri_run(p, c->e, UC_USERCH | UC_COLON), *colon;

	if (q == c->e || *q != '@')
		return 0;
	colon = memchr(p, ':', (size_t)(q - p));
	if ((colon ? colon : q) == p)
		return uri_fail(c, p, SIP_URI_E_EMPTY_USER);
	if (colon) {
		const char *pe = uri_run(colon + 1, q, UC_PASSCH);

		if (pe != q)
			return uri_fail(c, pe, SIP_URI_E_BAD_PASSWORD);
		c->u->has_password = 1;
		c->u->password = uri_sl(c, colon + 1, q);
	}
	c->u->user = uri_sl(c, p, colon ? colon : q);
	c->p = q + 1;
	return 0;
}

/* A dotted-quad IPv4 address spanning exactly [p, e). */
static bool uri_ipv4(const char *p, const char *e, uint32_t *addr)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		const char *q = uri_span(p, e, UC_DIGIT);
		unsigned v = 0;

		if (q == p || q - p > 3)
			return false;
		for (; p < q; p++)
			v = v * 10 + (unsigned)(*p - '0');
		if (v > 255)
			return false;
		a = a << 8 | v;
		if (i < 3) {
			if (p == e || *p != '.')
				return false;
			p++;
		}
	}
	if (p != e)
		return false;
	*addr = a;
	return true;
}

bool sip_ipv4_text(const char *p, size_t n, uint32_t *addr)
{
	return uri_ipv4(p, p + n, addr);
}

/*
 * IPv6address of RFC 3261 §25.1 spanning exactly [p, e): up to eight
 * groups of 1-4 hex digits, at most one "::" standing for at least one
 * group, and an IPv4 address in place of the last two groups.
 */
static bool uri_ipv6_ok(const char *p, const char *e)
{
	unsigned groups = 0;
	bool dcolon = false;
	uint32_t v4;

	if (e - p >= 2 && p[0] == ':' && p[1] == ':') {
		dcolon = true;
		p += 2;
	} else if (p < e && *p == ':') {
		return false;
	}
	while (p < e) {
		const char *q = uri_span(p, e - p > 5 ? p + 5 : e, UC_HEX);

		if (q < e && *q == '.') {
			if (!uri_ipv4(p, e, &v4))
				return false;
			groups += 2;
			break;
		}
		if (q == p || q - p > 4)
			return false;
		groups++;
		p = q;
		if (p == e)
			break;
		if (*p != ':' || ++p == e)
			return false;
		if (*p == ':') {
			if (dcolon)
				return false;
			dcolon = true;
			p++;
		}
	}
	return dcolon ? groups <= 7 : groups == 8;
}

/*
 * hostname = *( domainlabel "." ) toplabel [ "." ]: labels not empty and
 * not starting or ending with '-'; the top label starts with a letter, so
 * digits and dots alone are an IPv4 address or nothing.
 */
static bool uri_hostname_ok(const char *p, const char *e)
{
	const char *top = p;

	if (e[-1] == '.')
		e--;
	while (p < e) {
		const char *q = memchr(p, '.', (size_t)(e - p));

		if (!q)
			q = e;
		if (q == p || *p == '-' || q[-1] == '-')
			return false;
		top = p;
		p = q + 1;
	}
	return p > top && uri_is(*top, UC_ALPHA);
}

static int uri_host(struct uri_ctx *c)
{
	const char *h = c->p, *q;
	struct sip_uri *u = c->u;

	if (h < c->e && *h == '[') {
		q = memchr(h, ']', (size_t)(c->e - h));
		if (!q || !uri_ipv6_ok(h + 1, q))
			return uri_fail(c, h, SIP_URI_E_BAD_IPV6);
		u->host_kind = SIP_URI_HOST_IPV6;
		q++;
	} else {
		q = uri_span(h, c->e, UC_HOST);
		if (q == h)
			return uri_fail(c, h, SIP_URI_E_NO_HOST);
		if (uri_ipv4(h, q, &u->ipv4))
			u->host_kind = SIP_URI_HOST_IPV4;
		else if (uri_hostname_ok(h, q))
			u->host_kind = SIP_URI_HOST_NAME;
		else
			return uri_fail(c, h, SIP_URI_E_BAD_HOST);
	}
	u->host = uri_sl(c, h, q);
	c->p = q;
	return 0;
}

/* [ ":" 1*5DIGIT ], at most 65535, ending the hostport. */
static int uri_port(struct uri_ctx *c)
{
	const char *p = c->p, *q;
	uint32_t v = 0;

	if (p == c->e || *p != ':')
		return 0;
	q = uri_span(++p, c->e, UC_DIGIT);
	if (q == p || q - p > 5 || (q < c->e && *q != ';' && *q != '?'))
		return uri_fail(c, p, SIP_URI_E_BAD_PORT);
	for (; p < q; p++)
		v = v * 10 + (uint32_t)(*p - '0');
	if (v > 65535)
		return uri_fail(c, c->p + 1, SIP_URI_E_BAD_PORT);
	c->u->port = (uint16_t)v;
	c->u->has_port = 1;
	c->p = q;
	return 0;
}

/* ttl = 1*3DIGIT, at most 255. */
static bool uri_ttl(const char *v, const char *ve, uint8_t *ttl)
{
	unsigned x = 0;

	if (v == ve || ve - v > 3 || uri_span(v, ve, UC_DIGIT) != ve)
		return false;
	for (; v < ve; v++)
		x = x * 10 + (unsigned)(*v - '0');
	*ttl = (uint8_t)x;
	return x <= 255;
}

/*
 * Records a known sip/sips uri-parameter: the first of each name wins,
 * as in sip_uri_param, with or without a value. Every ttl is checked.
 */
static int uri_kparam(struct uri_ctx *c, const char *n, const char *ne, const char *v,
		      const char *ve)
{
	struct sip_uri *u = c->u;
	size_t vlen = (size_t)(ve - v);
	int id = uri_lookup(uri_kparams, URI_NELEM(uri_kparams), n, (size_t)(ne - n));
	uint8_t ttl = 0;
	int t;

	if (id < 0)
		return 0;
	if (id == URI_KP_TTL && !uri_ttl(v, ve, &ttl))
		return uri_fail(c, v, SIP_URI_E_BAD_TTL);
	if (c->seen & (1u << id))
		return 0;
	c->seen |= 1u << id;
	switch (id) {
	case URI_KP_TRANSPORT:
		u->transport = uri_sl(c, v, ve);
		t = uri_lookup(uri_transports, URI_NELEM(uri_transports), v, vlen);
		u->transport_id = t < 0 ? SIP_URI_TRANSPORT_NONE : (uint8_t)t;
		break;
	case URI_KP_USER:
		u->user_param = uri_sl(c, v, ve);
		u->user_phone = vlen == 5 && uri_caseeq(v, "phone", 5);
		break;
	case URI_KP_METHOD:
		u->method = uri_sl(c, v, ve);
		break;
	case URI_KP_MADDR:
		u->maddr = uri_sl(c, v, ve);
		break;
	case URI_KP_TTL:
		u->ttl = ttl;
		u->has_ttl = 1;
		break;
	case URI_KP_LR:
		u->lr = 1;
		break;
	}
	return 0;
}

/* *( ";" pname [ "=" pvalue ] ), for sip/sips (known ones recorded) and tel. */
static int uri_params(struct uri_ctx *c)
{
	const char *p = c->p, *first = p;
	int rc;

	while (p < c->e && *p == ';') {
		const char *n = p + 1, *ne = uri_run(n, c->e, UC_PCHAR), *v = ne, *ve = ne;

		if (ne == n)
			return uri_fail(c, n, SIP_URI_E_BAD_PARAM);
		if (ne < c->e && *ne == '=') {
			v = ne + 1;
			ve = uri_run(v, c->e, UC_PCHAR);
			if (ve == v)
				return uri_fail(c, v, SIP_URI_E_BAD_PARAM);
		}
		if (c->u->n_params == SIP_URI_PARAMS_MAX)
			return uri_fail(c, p, SIP_URI_E_TOO_MANY_PARAMS);
		c->u->n_params++;
		if (c->u->scheme != SIP_URI_SCHEME_TEL && (rc = uri_kparam(c, n, ne, v, ve)) < 0)
			return rc;
		p = ve;
	}
	if (c->u->n_params)
		c->u->params = uri_sl(c, first + 1, p);
	c->p = p;
	return 0;
}

/* [ "?" hname "=" hvalue *( "&" hname "=" hvalue ) ] */
static int uri_headers(struct uri_ctx *c)
{
	const char *p = c->p, *first;

	if (p == c->e || *p != '?')
		return 0;
	first = ++p;
	for (;;) {
		const char *q = uri_run(p, c->e, UC_HCHAR);

		if (q == p || q == c->e || *q != '=')
			return uri_fail(c, q, SIP_URI_E_BAD_HEADERS);
		if (c->u->n_headers == SIP_URI_PARAMS_MAX)
			return uri_fail(c, p, SIP_URI_E_TOO_MANY_PARAMS);
		c->u->n_headers++;
		p = uri_run(q + 1, c->e, UC_HCHAR);
		if (p == c->e || *p != '&')
			break;
		p++;
	}
	c->u->headers = uri_sl(c, first, p);
	c->p = p;
	return 0;
}

/*
 * telephone-subscriber digits (RFC 3966): global "+" followed by digits
 * and visual separators, or local hex digits, '*', '#' and separators;
 * at least one digit either way.
 */
static int uri_tel_number(struct uri_ctx *c)
{
	const char *p = c->p, *q = uri_span(p, c->e, UC_TEL), *d;
	bool global = p < q && *p == '+';
	unsigned digits = 0;

	for (d = global ? p + 1 : p; d < q; d++) {
		if (*d == '+' || (global && !uri_is(*d, UC_DIGIT | UC_VIS)))
			return uri_fail(c, d, SIP_URI_E_BAD_TEL);
		digits += !uri_is(*d, UC_VIS);
	}
	if (digits == 0)
		return uri_fail(c, q, SIP_URI_E_BAD_TEL);
	c->u->user = uri_sl(c, p, q);
	c->p = q;
	return 0;
}

int sip_uri_parse(const char *base, const char *s, size_t n, struct sip_uri *u)
{
	struct uri_ctx c = {.base = base, .p = s, .e = s + n, .u = u};
	int rc;

	memset(u, 0, sizeof(*u));
	if (s < base || n > UINT16_MAX || (size_t)(s - base) > UINT16_MAX - n) {
		u->err = SIP_URI_E_TOO_LONG;
		return -SIP_URI_E_TOO_LONG;
	}
	if (n == 0)
		return uri_fail(&c, s, SIP_URI_E_EMPTY);
	if ((rc = uri_scheme(&c)) < 0)
		return rc;
	if (u->scheme == SIP_URI_SCHEME_TEL) {
		if ((rc = uri_tel_number(&c)) < 0 || (rc = uri_params(&c)) < 0)
			return rc;
	} else {
		if ((rc = uri_userinfo(&c)) < 0 || (rc = uri_host(&c)) < 0 ||
		    (rc = uri_port(&c)) < 0 || (rc = uri_params(&c)) < 0 ||
		    (rc = uri_headers(&c)) < 0)
			return rc;
	}
	if (c.p != c.e)
		return uri_fail(&c, c.p, SIP_URI_E_TRAILING);
	u->all = uri_sl(&c, s, c.e);
	return (int)n;
}

/* ---------------------------------------------------------------------- */
/* Lookup                                                                 */

/* One name[=value] item of a ';'- or '&'-separated list. */
struct uri_kv {
	const char *n, *ne; /* name */
	const char *v, *ve; /* value; v == ve when there is none */
};

/* Splits off the next item of [*pp, e) at sep; false at the end. */
static bool uri_kv_next(const char **pp, const char *e, char sep, struct uri_kv *kv)
{
	const char *p = *pp, *q, *eq;

	if (p >= e)
		return false;
	q = memchr(p, sep, (size_t)(e - p));
	if (!q)
		q = e;
	eq = memchr(p, '=', (size_t)(q - p));
	kv->n = p;
	kv->ne = eq ? eq : q;
	kv->v = eq ? eq + 1 : q;
	kv->ve = q;
	*pp = q < e ? q + 1 : e;
	return true;
}

/* The item's name is name[0..len), ignoring case (escapes not decoded). */
static bool uri_kv_named(const struct uri_kv *kv, const char *name, size_t len)
{
	if ((size_t)(kv->ne - kv->n) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (uri_lower((unsigned char)kv->n[i]) != uri_lower((unsigned char)name[i]))
			return false;
	return true;
}

bool sip_uri_param(const struct sip_uri *u, const char *base, const char *name,
		   struct sip_slice *val)
{
	const char *p = base + u->params.off, *e = p + u->params.len;
	size_t len = strlen(name);
	struct uri_kv kv;

	while (uri_kv_next(&p, e, ';', &kv)) {
		if (uri_kv_named(&kv, name, len)) {
			val->off = (uint16_t)(kv.v - base);
			val->len = (uint16_t)(kv.ve - kv.v);
			return true;
		}
	}
	return false;
}

bool sip_uri_host_ipv4(const struct sip_uri *u, uint32_t *addr)
{
	if (u->host_kind != SIP_URI_HOST_IPV4)
		return false;
	*addr = u->ipv4;
	return true;
}

bool sip_uri_user_is_phone(const struct sip_uri *u)
{
	return u->scheme == SIP_URI_SCHEME_TEL ||
	       ((u->scheme == SIP_URI_SCHEME_SIP || u->scheme == SIP_URI_SCHEME_SIPS) &&
		u->user_phone);
}

/* ---------------------------------------------------------------------- */
/* Phone numbers                                                          */

int sip_uri_phone_norm(const char *s, size_t n, char *out, size_t cap)
{
	const char *p = s, *e = s + n, *semi;
	size_t k = 0;
	bool digit = false;

	if (n > UINT16_MAX)
		return -EINVAL;
	if (n >= 4 && uri_caseeq(s, "tel:", 4))
		p += 4;
	if ((semi = memchr(p, ';', (size_t)(e - p))))
		e = semi;
	for (; p < e; p++) {
		char ch = *p;

		if (ch == ' ' || uri_is(ch, UC_VIS))
			continue;
		if (ch == '%' && e - p >= 3 && p[1] == '2' && p[2] == '0') {
			p += 2;
			continue;
		}
		if (uri_is(ch, UC_DIGIT))
			digit = true;
		else if (ch != '+' || k != 0)
			return -EINVAL;
		if (k + 1 >= cap)
			return -ENOSPC;
		out[k++] = ch;
	}
	if (!digit)
		return -EINVAL;
	out[k] = '\0';
	return (int)k;
}

int sip_uri_phone(const struct sip_uri *u, const char *base, char *out, size_t cap)
{
	if (u->scheme == SIP_URI_SCHEME_NONE || u->user.len == 0)
		return -EINVAL;
	return sip_uri_phone_norm(base + u->user.off, u->user.len, out, cap);
}

/* ---------------------------------------------------------------------- */
/* Comparison (RFC 3261 §19.1.4, RFC 3966 §4)                             */

/* The next character of a component at *pp (< e), decoding an escape. */
static unsigned uri_unit(const char **pp, const char *e, bool *esc)
{
	const char *p = *pp;

	if (uri_escape_at(p, e)) {
		*esc = true;
		*pp = p + 3;
		return uri_hexval(p[1]) << 4 | uri_hexval(p[2]);
	}
	*esc = false;
	*pp = p + 1;
	return (unsigned char)*p;
}

/*
 * Components a[0..an) and b[0..bn) are equal: character by character
 * after decoding escapes, except that an escaped reserved character does
 * not equal the character itself; with fold, ignoring ASCII case.
 */
static bool uri_comp_eq(const char *a, size_t an, const char *b, size_t bn, bool fold)
{
	const char *ae = a + an, *be = b + bn;

	while (a < ae && b < be) {
		bool xa, xb;
		unsigned ca = uri_unit(&a, ae, &xa), cb = uri_unit(&b, be, &xb);

		if (fold) {
			ca = uri_lower((unsigned char)ca);
			cb = uri_lower((unsigned char)cb);
		}
		if (ca != cb || (xa != xb && uri_is((char)ca, UC_RESERVED)))
			return false;
	}
	return a == ae && b == be;
}

static bool uri_sl_eq(const char *abase, struct sip_slice a, const char *bbase, struct sip_slice b,
		      bool fold)
{
	return uri_comp_eq(abase + a.off, a.len, bbase + b.off, b.len, fold);
}

/* Items x and y have the same name (escapes decoded, case ignored). */
static bool uri_kv_same_name(const struct uri_kv *x, const struct uri_kv *y)
{
	return uri_comp_eq(x->n, (size_t)(x->ne - x->n), y->n, (size_t)(y->ne - y->n), true);
}

static bool uri_kv_same_value(const struct uri_kv *x, const struct uri_kv *y)
{
	return uri_comp_eq(x->v, (size_t)(x->ve - x->v), y->v, (size_t)(y->ve - y->v), true);
}

/*
 * Finds in the list [p, e) split at sep the first item named like kv,
 * or with pair, the first one with kv's name and value.
 */
static bool uri_kv_find(const char *p, const char *e, char sep, const struct uri_kv *kv,
			bool pair, struct uri_kv *out)
{
	while (uri_kv_next(&p, e, sep, out))
		if (uri_kv_same_name(kv, out) && (!pair || uri_kv_same_value(kv, out)))
			return true;
	return false;
}

/* The uri-parameter is one §19.1.4 says must be in both URIs if in one. */
static bool uri_must_match(const struct uri_kv *kv)
{
	for (size_t i = 0; i < URI_NELEM(uri_kparams); i++)
		if (URI_KP_MUST_MATCH(uri_kparams[i].id) &&
		    uri_comp_eq(kv->n, (size_t)(kv->ne - kv->n), uri_kparams[i].name,
				uri_kparams[i].len, true))
			return true;
	return false;
}

/*
 * Every item of list a is matched in list b. With pair (headers, tel
 * parameters) that takes an item of b with the same name and value. For
 * sip uri-parameters (no pair) only the first of each name counts, as in
 * parsing and sip_uri_param: its value must equal that of b's first one
 * of the name, and it may be missing from b unless uri_must_match.
 */
static bool uri_list_in(const char *a, const char *ae, const char *b, const char *be, char sep,
			bool pair)
{
	const char *start = a;
	struct uri_kv ka, kb;

	while (uri_kv_next(&a, ae, sep, &ka)) {
		if (pair) {
			if (!uri_kv_find(b, be, sep, &ka, true, &kb))
				return false;
			continue;
		}
		if (uri_kv_find(start, ka.n, sep, &ka, false, &kb))
			continue; /* not the first of its name */
		if (!uri_kv_find(b, be, sep, &ka, false, &kb)) {
			if (uri_must_match(&ka))
				return false;
			continue;
		}
		if (!uri_kv_same_value(&ka, &kb))
			return false;
	}
	return true;
}

/* Both ways of uri_list_in over the slices sa (of abase) and sb (of bbase). */
static bool uri_lists_eq(const char *abase, struct sip_slice sa, const char *bbase,
			 struct sip_slice sb, char sep, bool pair)
{
	const char *a = abase + sa.off, *b = bbase + sb.off;

	return uri_list_in(a, a + sa.len, b, b + sb.len, sep, pair) &&
	       uri_list_in(b, b + sb.len, a, a + sa.len, sep, pair);
}

/* The numbers of two tel URIs without visual separators, ignoring case. */
static bool uri_tel_num_eq(const char *a, size_t an, const char *b, size_t bn)
{
	const char *ae = a + an, *be = b + bn;

	for (;;) {
		a = uri_span(a, ae, UC_VIS);
		b = uri_span(b, be, UC_VIS);
		if (a == ae || b == be)
			return a == ae && b == be;
		if (uri_lower((unsigned char)*a++) != uri_lower((unsigned char)*b++))
			return false;
	}
}

bool sip_uri_eq(const struct sip_uri *a, const char *abase, const struct sip_uri *b,
		const char *bbase)
{
	if (a->scheme != b->scheme || a->scheme == SIP_URI_SCHEME_NONE)
		return false;
	if (a->scheme == SIP_URI_SCHEME_TEL)
		return uri_tel_num_eq(abase + a->user.off, a->user.len, bbase + b->user.off,
				      b->user.len) &&
		       a->n_params == b->n_params &&
		       uri_lists_eq(abase, a->params, bbase, b->params, ';', true);
	return uri_sl_eq(abase, a->user, bbase, b->user, false) &&
	       a->has_password == b->has_password &&
	       uri_sl_eq(abase, a->password, bbase, b->password, false) &&
	       uri_sl_eq(abase, a->host, bbase, b->host, true) &&
	       a->has_port == b->has_port && a->port == b->port &&
	       uri_lists_eq(abase, a->params, bbase, b->params, ';', false) &&
	       a->n_headers == b->n_headers &&
	       uri_lists_eq(abase, a->headers, bbase, b->headers, '&', true);
}
