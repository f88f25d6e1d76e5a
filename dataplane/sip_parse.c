/* SPDX-License-Identifier: MIT */
/*
 * SIP light parser (sip_parse.h): one forward pass over a UDP datagram that
 * fills a struct sip_msg with slices into the caller's bytes.
 *
 * The pass goes line by line: memchr finds each LF (CRLF and bare LF both end
 * a line), the start line is split into its three parts, and every header
 * line is recorded in m->hdrs[] with its name looked up in static tables.
 * A header is interpreted only once its last continuation line has been
 * seen: a per-id handler table then parses the few headers the fast path
 * needs (Via, Call-ID, CSeq, From, To, Content-Length, Max-Forwards). Inside
 * a header value, CR and LF count as white space, which is exactly what
 * folded lines (LWS, RFC 3261 §25.1) need.
 *
 * The buffer is never NUL-terminated. Every scan stays inside the line it
 * started in: it is bounded by an end pointer, or (sip_run) stops at the
 * CR or LF that memchr already found. NUL bytes are not looked for per
 * line: the bytes read are checked with one memchr at the end of the pass,
 * success or not, so a NUL in the header section always reports
 * SIP_PERR_NUL at its offset.
 *
 * Plain libc only (no DPDK), no allocation, no global mutable state.
 */
#include "sip_parse.h"

#include <stdbool.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Character classes                                                      */

enum {
	CC_TOKEN = 1 << 0, /* RFC 3261 token: alnum - . ! % * _ + ` ' ~ */
	CC_DIGIT = 1 << 1,
	CC_WS = 1 << 2,    /* SP HTAB CR LF: LWS inside a (folded) value */
	CC_HOST = 1 << 3,  /* hostname or IPv4 address: alnum - . _ */
	CC_HEX6 = 1 << 4,  /* inside an IPv6 reference: hex digits : . */
	CC_PVAL = 1 << 5,  /* unquoted parameter value: visible, not ; , " */
	CC_FTSTOP = 1 << 6, /* where a From/To tag search looks: " < ; CR LF */
};

#define CC_ALNUM_HEX (CC_TOKEN | CC_HOST | CC_HEX6 | CC_PVAL)
#define CC_ALNUM (CC_TOKEN | CC_HOST | CC_PVAL)

/* Ranges do not overlap: each byte is listed once with all its classes. */
static const uint8_t sip_cc[256] = {
	['\t'] = CC_WS,
	['\n'] = CC_WS | CC_FTSTOP,
	['\r'] = CC_WS | CC_FTSTOP,
	['"'] = CC_FTSTOP,
	[' '] = CC_WS,
	['!'] = CC_TOKEN | CC_PVAL,
	['#' ... '$'] = CC_PVAL,
	['%'] = CC_TOKEN | CC_PVAL,
	['&'] = CC_PVAL,
	['\''] = CC_TOKEN | CC_PVAL,
	['(' ... ')'] = CC_PVAL,
	['*' ... '+'] = CC_TOKEN | CC_PVAL,
	['-'] = CC_TOKEN | CC_HOST | CC_PVAL,
	['.'] = CC_TOKEN | CC_HOST | CC_HEX6 | CC_PVAL,
	['/'] = CC_PVAL,
	['0' ... '9'] = CC_ALNUM_HEX | CC_DIGIT,
	[':'] = CC_HEX6 | CC_PVAL,
	[';'] = CC_FTSTOP,
	['<'] = CC_PVAL | CC_FTSTOP,
	['=' ... '@'] = CC_PVAL,
	['A' ... 'F'] = CC_ALNUM_HEX,
	['G' ... 'Z'] = CC_ALNUM,
	['[' ... '^'] = CC_PVAL,
	['_'] = CC_TOKEN | CC_HOST | CC_PVAL,
	['`'] = CC_TOKEN | CC_PVAL,
	['a' ... 'f'] = CC_ALNUM_HEX,
	['g' ... 'z'] = CC_ALNUM,
	['{' ... '}'] = CC_PVAL,
	['~'] = CC_TOKEN | CC_PVAL,
	[0x80 ... 0xff] = CC_PVAL, /* UTF-8 */
};

static inline bool sip_is(char ch, unsigned cls)
{
	return sip_cc[(uint8_t)ch] & cls;
}

/*
 * Scans need no end pointer when the class excludes CR and LF: every scan
 * starts inside a line (or a trimmed header value, followed only by white
 * space up to its line end) whose LF lies inside the buffer, so the scan
 * stops at the end of that line or value at the latest. This keeps the
 * per-byte loops to a load, a table lookup and a branch.
 */
static inline const char *sip_run(const char *p, unsigned cls)
{
	while (sip_is(*p, cls))
		p++;
	return p;
}

/* First white-space byte from p (the line end at the latest, see sip_run). */
static inline const char *sip_run_to_ws(const char *p)
{
	while (!sip_is(*p, CC_WS))
		p++;
	return p;
}

/* First byte in [p, e) that is not white space (CR and LF included). */
static inline const char *sip_skip_ws(const char *p, const char *e)
{
	while (p < e && sip_is(*p, CC_WS))
		p++;
	return p;
}

static inline uint64_t sip_ld8(const char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t sip_ld4(const char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Case-insensitive compare of a token run a[0..n) with a canonical name of
 * n bytes made of letters, digits, '-', '.' and '/'. OR-ing 0x20 folds case
 * exactly for letters; the other bytes it could map onto a canonical
 * character are control characters, which a token never contains. Words
 * at a time: this runs for every header name.
 */
static inline bool sip_caseeq(const char *a, const char *canon, size_t n)
{
	const uint64_t f8 = 0x2020202020202020ull;
	const uint32_t f4 = 0x20202020u;
	size_t i;

	if (n >= 8) {
		for (i = 0; i + 8 < n; i += 8)
			if ((sip_ld8(a + i) | f8) != (sip_ld8(canon + i) | f8))
				return false;
		return (sip_ld8(a + n - 8) | f8) == (sip_ld8(canon + n - 8) | f8);
	}
	if (n >= 4)
		return (sip_ld4(a) | f4) == (sip_ld4(canon) | f4) &&
		       (sip_ld4(a + n - 4) | f4) == (sip_ld4(canon + n - 4) | f4);
	for (i = 0; i < n; i++)
		if ((a[i] | 0x20) != (canon[i] | 0x20))
			return false;
	return true;
}

/* ---------------------------------------------------------------------- */
/* Name tables                                                            */

static const char *const sip_perr_names[SIP_PERR_COUNT] = {
	[SIP_PERR_OK] = "no error",
#define SIP_X(id, s) [SIP_PERR_##id] = s,
	SIP_PERRS(SIP_X)
#undef SIP_X
};

static const char *const sip_method_names[SIP_METHOD_COUNT] = {
	[SIP_METHOD_NONE] = "",
#define SIP_X(id, s) [SIP_METHOD_##id] = s,
	SIP_METHODS(SIP_X)
#undef SIP_X
	[SIP_METHOD_OTHER] = "OTHER",
};

static const uint8_t sip_method_lens[SIP_METHOD_COUNT] = {
#define SIP_X(id, s) [SIP_METHOD_##id] = sizeof(s) - 1,
	SIP_METHODS(SIP_X)
#undef SIP_X
};

static const char *const sip_hdr_names[SIP_HDR_COUNT] = {
	[SIP_HDR_OTHER] = "",
#define SIP_X(id, s, c) [SIP_HDR_##id] = s,
	SIP_HDRS(SIP_X)
#undef SIP_X
};

static const uint8_t sip_hdr_lens[SIP_HDR_COUNT] = {
#define SIP_X(id, s, c) [SIP_HDR_##id] = sizeof(s) - 1,
	SIP_HDRS(SIP_X)
#undef SIP_X
};

static const char sip_hdr_compact[SIP_HDR_COUNT] = {
#define SIP_X(id, s, c) [SIP_HDR_##id] = c,
	SIP_HDRS(SIP_X)
#undef SIP_X
};

/*
 * Perfect-hash keys for the lookups. Methods (case-sensitive) are unique by
 * (first letter, length); full header names by (length, second letter,
 * case-folded); compact forms by their letter. A key only selects a
 * candidate, which is then compared with the canonical name from the
 * X-macro tables above, so a stale key can cause a miss but never a wrong
 * id. test_sip_parse.c checks every name of the X-macros resolves.
 */
#define SIP_MKEY(c, n) ((((c) - 'A') << 4) | (n))
static const uint8_t sip_method_by_key[26 << 4] = {
	[SIP_MKEY('A', 3)] = SIP_METHOD_ACK,
	[SIP_MKEY('B', 3)] = SIP_METHOD_BYE,
	[SIP_MKEY('C', 6)] = SIP_METHOD_CANCEL,
	[SIP_MKEY('I', 4)] = SIP_METHOD_INFO,
	[SIP_MKEY('I', 6)] = SIP_METHOD_INVITE,
	[SIP_MKEY('M', 7)] = SIP_METHOD_MESSAGE,
	[SIP_MKEY('N', 6)] = SIP_METHOD_NOTIFY,
	[SIP_MKEY('O', 7)] = SIP_METHOD_OPTIONS,
	[SIP_MKEY('P', 5)] = SIP_METHOD_PRACK,
	[SIP_MKEY('P', 7)] = SIP_METHOD_PUBLISH,
	[SIP_MKEY('R', 5)] = SIP_METHOD_REFER,
	[SIP_MKEY('R', 8)] = SIP_METHOD_REGISTER,
	[SIP_MKEY('S', 9)] = SIP_METHOD_SUBSCRIBE,
	[SIP_MKEY('U', 6)] = SIP_METHOD_UPDATE,
};

#define SIP_HKEY_MAXLEN 20
#define SIP_HKEY(n, c) ((n) * 26 + ((c) - 'a'))
static const uint8_t sip_hdr_by_key[SIP_HKEY_MAXLEN * 26] = {
	[SIP_HKEY(2, 'o')] = SIP_HDR_TO,
	[SIP_HKEY(3, 'i')] = SIP_HDR_VIA,
	[SIP_HKEY(4, 's')] = SIP_HDR_CSEQ,
	[SIP_HKEY(4, 'r')] = SIP_HDR_FROM,
	[SIP_HKEY(5, 'o')] = SIP_HDR_ROUTE,
	[SIP_HKEY(5, 'l')] = SIP_HDR_ALLOW,
	[SIP_HKEY(5, 'v')] = SIP_HDR_EVENT,
	[SIP_HKEY(7, 'a')] = SIP_HDR_CALL_ID,
	[SIP_HKEY(7, 'o')] = SIP_HDR_CONTACT,
	[SIP_HKEY(7, 'x')] = SIP_HDR_EXPIRES,
	[SIP_HKEY(7, 'e')] = SIP_HDR_REQUIRE,
	[SIP_HKEY(7, 'u')] = SIP_HDR_SUBJECT,
	[SIP_HKEY(8, 'e')] = SIP_HDR_REFER_TO,
	[SIP_HKEY(9, 'u')] = SIP_HDR_SUPPORTED,
	[SIP_HKEY(10, 's')] = SIP_HDR_USER_AGENT,
	[SIP_HKEY(12, 'o')] = SIP_HDR_CONTENT_TYPE,
	[SIP_HKEY(12, 'a')] = SIP_HDR_MAX_FORWARDS,
	[SIP_HKEY(12, 'e')] = SIP_HDR_RECORD_ROUTE,
	[SIP_HKEY(13, 'u')] = SIP_HDR_AUTHORIZATION,
	[SIP_HKEY(14, 'o')] = SIP_HDR_CONTENT_LENGTH,
	[SIP_HKEY(19, 'r')] = SIP_HDR_PROXY_AUTHORIZATION,
};

static const uint8_t sip_hdr_by_compact[26] = {
	['c' - 'a'] = SIP_HDR_CONTENT_TYPE,
	['f' - 'a'] = SIP_HDR_FROM,
	['i' - 'a'] = SIP_HDR_CALL_ID,
	['k' - 'a'] = SIP_HDR_SUPPORTED,
	['l' - 'a'] = SIP_HDR_CONTENT_LENGTH,
	['m' - 'a'] = SIP_HDR_CONTACT,
	['o' - 'a'] = SIP_HDR_EVENT,
	['r' - 'a'] = SIP_HDR_REFER_TO,
	['s' - 'a'] = SIP_HDR_SUBJECT,
	['t' - 'a'] = SIP_HDR_TO,
	['v' - 'a'] = SIP_HDR_VIA,
};

/* Via transports in enum order: the index is the sip_msg.via_transport value. */
static const struct {
	char name[5];
	uint8_t len;
} sip_transports[] = {
	{"", 0}, {"UDP", 3}, {"TCP", 3}, {"TLS", 3}, {"SCTP", 4}, {"WS", 2}, {"WSS", 3},
};

static uint8_t sip_method_lookup(const char *p, size_t n)
{
	unsigned c0 = (uint8_t)p[0] - 'A';
	uint8_t id;

	if (c0 >= 26 || n >= 16)
		return SIP_METHOD_OTHER;
	id = sip_method_by_key[c0 << 4 | n];
	if (id && sip_method_lens[id] == n && memcmp(p, sip_method_names[id], n) == 0)
		return id;
	return SIP_METHOD_OTHER;
}

/* n >= 1 and p[0..n) is a token. */
static uint8_t sip_hdr_lookup(const char *p, size_t n)
{
	unsigned k;
	uint8_t id;

	if (n == 1) {
		k = (uint8_t)(p[0] | 0x20) - 'a';
		if (k >= 26)
			return SIP_HDR_OTHER;
		id = sip_hdr_by_compact[k];
		return (p[0] | 0x20) == sip_hdr_compact[id] ? id : SIP_HDR_OTHER;
	}
	k = (uint8_t)(p[1] | 0x20) - 'a';
	if (n >= SIP_HKEY_MAXLEN || k >= 26)
		return SIP_HDR_OTHER;
	id = sip_hdr_by_key[n * 26 + k];
	if (id && sip_hdr_lens[id] == n && sip_caseeq(p, sip_hdr_names[id], n))
		return id;
	return SIP_HDR_OTHER;
}

static uint8_t sip_transport_lookup(const char *p, size_t n)
{
	for (uint8_t i = 1; i < sizeof(sip_transports) / sizeof(sip_transports[0]); i++)
		if (sip_transports[i].len == n && sip_caseeq(p, sip_transports[i].name, n))
			return i;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Parse context and helpers                                              */

struct sip_pctx {
	const char *buf;
	const char *end;     /* buf + len */
	const char *scanned; /* bytes before this were read: NUL check bound */
	const char *vend;    /* content end of the current header's last line */
	const char *blank;   /* the blank line ending the header section */
	struct sip_msg *m;
	uint32_t clen;       /* Content-Length, saturated */
	int consumed;
};

static inline struct sip_slice sip_sl(const struct sip_pctx *c, const char *s, const char *e)
{
	return (struct sip_slice){(uint16_t)(s - c->buf), (uint16_t)(e - s)};
}

static inline int sip_fail(struct sip_pctx *c, int err, const char *at)
{
	c->m->err_off = (uint16_t)(at - c->buf);
	return err;
}

/*
 * Finds the line starting at p: *le is its content end (before CR LF or
 * LF), *next the start of the following line. No LF → truncated.
 */
static inline int sip_line(struct sip_pctx *c, const char *p, const char **le, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(c->end - p));

	if (!nl) {
		c->scanned = c->end;
		return sip_fail(c, SIP_PERR_TRUNCATED, c->end);
	}
	c->scanned = nl + 1;
	*le = (nl > p && nl[-1] == '\r') ? nl - 1 : nl;
	*next = nl + 1;
	return 0;
}

/* p is just past an opening quote: returns the closing quote or NULL. */
static const char *sip_quoted_end(const char *p, const char *e)
{
	const char *q, *b;

	while ((q = memchr(p, '"', (size_t)(e - p)))) {
		/* Escaped when an odd run of backslashes precedes it. */
		for (b = q; b > p && b[-1] == '\\'; b--)
			;
		if (((q - b) & 1) == 0)
			return q;
		p = q + 1;
	}
	return NULL;
}

/* Digits in [s, e) as a number saturated at cap + 1; -1 if not all digits or empty. */
static int64_t sip_number(const char *s, const char *e, uint32_t cap)
{
	uint64_t v = 0;

	if (s == e)
		return -1;
	for (; s < e; s++) {
		if (!sip_is(*s, CC_DIGIT))
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > cap)
			v = (uint64_t)cap + 1;
	}
	return (int64_t)v;
}

/* ---------------------------------------------------------------------- */
/* Start line                                                             */

/*
 * "SIP/2.0": the letters case-insensitive, "/2.0" exact. (sip_caseeq is
 * exact on any bytes when the canonical side is letters only.)
 */
static bool sip_version_ok(const char *p, const char *e)
{
	return e - p == 7 && sip_caseeq(p, "SIP", 3) && memcmp(p + 3, "/2.0", 4) == 0;
}

/* p starts "SIP/...": SIP-Version SP 3DIGIT SP Reason-Phrase. */
static int sip_parse_status(struct sip_pctx *c, const char *p, const char *le)
{
	struct sip_msg *m = c->m;
	const char *q = sip_run_to_ws(p);
	const char *r;

	if (!sip_version_ok(p, q))
		return sip_fail(c, SIP_PERR_BAD_VERSION, p);
	if (q == le || *q != ' ')
		return sip_fail(c, SIP_PERR_BAD_STATUS, q);
	p = q + 1;
	if (le - p < 3 || !sip_is(p[0], CC_DIGIT) || !sip_is(p[1], CC_DIGIT) ||
	    !sip_is(p[2], CC_DIGIT) || (le - p > 3 && !sip_is(p[3], CC_WS)))
		return sip_fail(c, SIP_PERR_BAD_STATUS, p);
	m->status = (uint16_t)((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
	if (m->status < 100 || m->status > 699) {
		m->status = 0;
		return sip_fail(c, SIP_PERR_BAD_STATUS, p);
	}
	p = sip_skip_ws(p + 3, le);
	for (r = le; r > p && sip_is(r[-1], CC_WS); r--)
		;
	m->reason = sip_sl(c, p, r);
	return 0;
}

/* Method SP Request-URI SP SIP-Version, or a status line. */
static int sip_parse_start(struct sip_pctx *c, const char *p, const char *le)
{
	struct sip_msg *m = c->m;
	const char *q = sip_run(p, CC_TOKEN);

	if (q < le && *q == '/' && q > p)
		return sip_parse_status(c, p, le);
	if (q == p || q == le || *q != ' ')
		return sip_fail(c, SIP_PERR_BAD_START_LINE, q);
	m->method_name = sip_sl(c, p, q);
	m->method = sip_method_lookup(p, (size_t)(q - p));
	p = q + 1;
	q = sip_run_to_ws(p);
	if (q == p || q == le || *q != ' ')
		return sip_fail(c, SIP_PERR_BAD_START_LINE, q);
	m->ruri = sip_sl(c, p, q);
	p = q + 1;
	q = sip_run_to_ws(p);
	if (q == p)
		return sip_fail(c, SIP_PERR_BAD_START_LINE, p);
	if (!sip_version_ok(p, q))
		return sip_fail(c, SIP_PERR_BAD_VERSION, p);
	q = sip_skip_ws(q, le);
	if (q != le)
		return sip_fail(c, SIP_PERR_BAD_START_LINE, q);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Via                                                                    */

/* Number of non-empty comma-separated values (commas in quotes do not count). */
static unsigned sip_via_count(const char *s, const char *e)
{
	unsigned n = 0;
	bool any = false, inq = false;

	if (!memchr(s, ',', (size_t)(e - s)))
		return 1;
	for (const char *p = s; p < e; p++) {
		if (inq) {
			if (*p == '\\' && p + 1 < e)
				p++;
			else if (*p == '"')
				inq = false;
		} else if (*p == ',') {
			n += any;
			any = false;
		} else if (!sip_is(*p, CC_WS)) {
			inq = *p == '"';
			any = true;
		}
	}
	return n + any;
}

/* *(SEMI via-params) up to the end of the first Via value. */
static int sip_via_params(struct sip_pctx *c, const char *p, const char *e)
{
	struct sip_msg *m = c->m;
	const char *n, *v, *ve;
	size_t nl;

	for (;;) {
		p = sip_skip_ws(p, e);
		if (p == e || *p == ',')
			return 0;
		if (*p != ';')
			return sip_fail(c, SIP_PERR_BAD_VIA, p);
		n = sip_skip_ws(p + 1, e);
		p = sip_run(n, CC_TOKEN);
		if (p == n)
			return sip_fail(c, SIP_PERR_BAD_VIA, p);
		nl = (size_t)(p - n);
		v = ve = NULL;
		p = sip_skip_ws(p, e);
		if (p < e && *p == '=') {
			v = sip_skip_ws(p + 1, e);
			if (v < e && *v == '"') {
				ve = sip_quoted_end(++v, e);
				if (!ve)
					return sip_fail(c, SIP_PERR_BAD_VIA, v - 1);
				p = ve + 1;
			} else {
				p = ve = sip_run(v, CC_PVAL);
			}
		}
		if (nl == 6 && sip_caseeq(n, "branch", 6)) {
			if (v == ve)
				return sip_fail(c, SIP_PERR_BAD_VIA, n);
			if (!m->via_branch.len)
				m->via_branch = sip_sl(c, v, ve);
		} else if (nl == 5 && sip_caseeq(n, "rport", 5)) {
			m->via_has_rport = 1;
		}
	}
}

/* sent-by = host [ COLON port ]; host may be an IPv6 reference. */
static int sip_via_sent_by(struct sip_pctx *c, const char *p, const char *e)
{
	struct sip_msg *m = c->m;
	const char *q;
	int64_t port;

	if (p < e && *p == '[') {
		q = sip_run(p + 1, CC_HEX6);
		if (q == p + 1 || q == e || *q != ']')
			return sip_fail(c, SIP_PERR_BAD_VIA, q);
		q++;
	} else {
		q = sip_run(p, CC_HOST);
		if (q == p)
			return sip_fail(c, SIP_PERR_BAD_VIA, p);
	}
	m->via_host = sip_sl(c, p, q);
	p = sip_skip_ws(q, e);
	if (p < e && *p == ':') {
		p = sip_skip_ws(p + 1, e);
		q = sip_run(p, CC_DIGIT);
		port = sip_number(p, q, 65535);
		if (port < 1 || port > 65535)
			return sip_fail(c, SIP_PERR_BAD_VIA, p);
		m->via_port = (uint16_t)port;
		p = q;
	}
	return sip_via_params(c, p, e);
}

/*
 * sent-protocol up to its transport: protocol-name SLASH protocol-version
 * SLASH, with SLASH = SWS "/" SWS. Sets *t to the transport's first byte.
 */
static int sip_via_proto(struct sip_pctx *c, const char *p, const char *e, const char **t)
{
	static const char fast[8] = "SIP/2.0/", fold[8] = {0x20, 0x20, 0x20};
	const char *tok[2], *q;

	/* The usual spelling, in one compare (case folded on the letters only). */
	if (e - p > 8 && (sip_ld8(p) | sip_ld8(fold)) == (sip_ld8(fast) | sip_ld8(fold))) {
		*t = p + 8;
		return 0;
	}
	for (int i = 0; i < 2; i++) {
		q = sip_run(p, CC_TOKEN);
		tok[i] = p;
		if (q - p != 3)
			return sip_fail(c, SIP_PERR_BAD_VIA, p);
		p = sip_skip_ws(q, e);
		if (p == e || *p != '/')
			return sip_fail(c, SIP_PERR_BAD_VIA, p);
		p = sip_skip_ws(p + 1, e);
	}
	if (!sip_caseeq(tok[0], "SIP", 3) || memcmp(tok[1], "2.0", 3) != 0)
		return sip_fail(c, SIP_PERR_BAD_VIA, tok[0]);
	*t = p;
	return 0;
}

/* Top Via: sent-protocol LWS sent-by *(SEMI via-params). */
static int sip_via_top(struct sip_pctx *c, const char *p, const char *e)
{
	const char *q;
	int err;

	if ((err = sip_via_proto(c, p, e, &p)))
		return err;
	q = sip_run(p, CC_TOKEN);
	if (q == p)
		return sip_fail(c, SIP_PERR_BAD_VIA, p);
	c->m->via_transport = sip_transport_lookup(p, (size_t)(q - p));
	p = sip_skip_ws(q, e);
	if (p == q)
		return sip_fail(c, SIP_PERR_BAD_VIA, p);
	return sip_via_sent_by(c, p, e);
}

/* ---------------------------------------------------------------------- */
/* Header handlers: [s, e) is the trimmed value                           */

static int sip_do_via(struct sip_pctx *c, const char *s, const char *e)
{
	struct sip_msg *m = c->m;
	int err;

	if (s == e)
		return sip_fail(c, SIP_PERR_BAD_VIA, s);
	if (m->n_via == 0 && (err = sip_via_top(c, s, e)))
		return err;
	m->n_via = (uint16_t)(m->n_via + sip_via_count(s, e));
	return 0;
}

static int sip_do_call_id(struct sip_pctx *c, const char *s, const char *e)
{
	/* A second Call-ID is refused in sip_hdr_begin, before it is recorded. */
	if (s == e)
		return sip_fail(c, SIP_PERR_NO_CALL_ID, s);
	c->m->call_id = sip_sl(c, s, e);
	return 0;
}

/* CSeq = 1*DIGIT LWS Method */
static int sip_do_cseq(struct sip_pctx *c, const char *s, const char *e)
{
	struct sip_msg *m = c->m;
	const char *d = sip_run(s, CC_DIGIT);
	const char *t = sip_skip_ws(d, e);
	const char *te = sip_run(t, CC_TOKEN);
	int64_t v = sip_number(s, d, UINT32_MAX);

	if (m->cseq_method.len)
		return sip_fail(c, SIP_PERR_BAD_CSEQ, s);
	if (v < 0 || v > UINT32_MAX || t == d || te == t || te != e)
		return sip_fail(c, SIP_PERR_BAD_CSEQ, s);
	m->cseq = (uint32_t)v;
	m->cseq_method = sip_sl(c, t, te);
	return 0;
}

/* The tag parameter of a From/To value, outside <URI> and quoted strings. */
static struct sip_slice sip_tag_find(const struct sip_pctx *c, const char *p, const char *e)
{
	const char *n, *ne, *v, *ve;

	for (;;) {
		/* To the next quote, '<' or ';', or a CR/LF (see sip_run). */
		while (!sip_is(*p, CC_FTSTOP))
			p++;
		if (p >= e)
			break;
		if (*p == '"') {
			p = sip_quoted_end(p + 1, e);
			if (!p)
				break;
			p++;
		} else if (*p == '<') {
			p = memchr(p, '>', (size_t)(e - p));
			if (!p)
				break;
			p++;
		} else if (*p == ';') {
			n = sip_skip_ws(p + 1, e);
			ne = sip_run(n, CC_TOKEN);
			p = sip_skip_ws(ne, e);
			if (p == e || *p != '=')
				continue;
			v = sip_skip_ws(p + 1, e);
			p = ve = sip_run(v, CC_TOKEN);
			if (ne - n == 3 && sip_caseeq(n, "tag", 3) && ve > v)
				return sip_sl(c, v, ve);
		} else {
			p++; /* the CR or LF of a folded line */
		}
	}
	return (struct sip_slice){0, 0};
}

static int sip_do_from(struct sip_pctx *c, const char *s, const char *e)
{
	if (!c->m->from.len) {
		c->m->from = sip_sl(c, s, e);
		c->m->from_tag = sip_tag_find(c, s, e);
	}
	return 0;
}

static int sip_do_to(struct sip_pctx *c, const char *s, const char *e)
{
	if (!c->m->to.len) {
		c->m->to = sip_sl(c, s, e);
		c->m->to_tag = sip_tag_find(c, s, e);
	}
	return 0;
}

static int sip_do_content_length(struct sip_pctx *c, const char *s, const char *e)
{
	struct sip_msg *m = c->m;
	int64_t v = sip_number(s, e, SIP_MSG_MAX);

	/* Two different lengths make the body boundary ambiguous: refuse. */
	if (v < 0 || (m->has_content_length && (uint32_t)v != c->clen))
		return sip_fail(c, SIP_PERR_BAD_CONTENT_LENGTH, s);
	c->clen = (uint32_t)v;
	m->has_content_length = 1;
	return 0;
}

static int sip_do_max_forwards(struct sip_pctx *c, const char *s, const char *e)
{
	struct sip_msg *m = c->m;
	int64_t v = sip_number(s, e, 255);

	if (v < 0 || v > 255)
		return sip_fail(c, SIP_PERR_BAD_MAX_FORWARDS, s);
	if (!m->has_max_forwards) {
		m->max_forwards = (uint8_t)v;
		m->has_max_forwards = 1;
	}
	return 0;
}

static int (*const sip_hdr_fns[SIP_HDR_COUNT])(struct sip_pctx *, const char *, const char *) = {
	[SIP_HDR_VIA] = sip_do_via,
	[SIP_HDR_CALL_ID] = sip_do_call_id,
	[SIP_HDR_CSEQ] = sip_do_cseq,
	[SIP_HDR_FROM] = sip_do_from,
	[SIP_HDR_TO] = sip_do_to,
	[SIP_HDR_CONTENT_LENGTH] = sip_do_content_length,
	[SIP_HDR_MAX_FORWARDS] = sip_do_max_forwards,
};

/* ---------------------------------------------------------------------- */
/* Header section                                                         */

/* Records the header line [p, le) (next: the following line). */
static int sip_hdr_begin(struct sip_pctx *c, const char *p, const char *le, const char *next)
{
	struct sip_msg *m = c->m;
	const char *q = sip_run(p, CC_TOKEN);
	const char *colon = sip_skip_ws(q, le);
	struct sip_hdr *h;
	uint8_t id;

	if (q == p || colon == le || *colon != ':')
		return sip_fail(c, SIP_PERR_BAD_HEADER, colon);
	if (m->n_hdrs == SIP_MAX_HEADERS)
		return sip_fail(c, SIP_PERR_TOO_MANY_HEADERS, p);
	id = sip_hdr_lookup(p, (size_t)(q - p));
	if (id == SIP_HDR_CALL_ID && m->hdr_idx[id])
		return sip_fail(c, SIP_PERR_DUP_CALL_ID, p);
	h = &m->hdrs[m->n_hdrs++];
	h->id = id;
	h->name = sip_sl(c, p, q);
	h->value = sip_sl(c, colon + 1, le); /* trimmed in sip_hdr_finish */
	h->line = sip_sl(c, p, next);
	if (!m->hdr_idx[id])
		m->hdr_idx[id] = (uint8_t)m->n_hdrs;
	c->vend = le;
	return 0;
}

/* The header's last line has been seen: trim the value and interpret it. */
static int sip_hdr_finish(struct sip_pctx *c, struct sip_hdr *h)
{
	const char *s = sip_skip_ws(c->buf + h->value.off, c->vend);
	const char *e = c->vend;

	while (e > s && sip_is(e[-1], CC_WS))
		e--;
	h->value = sip_sl(c, s, e);
	return sip_hdr_fns[h->id] ? sip_hdr_fns[h->id](c, s, e) : 0;
}

/* Header lines from p up to and including the blank line. */
static int sip_parse_headers(struct sip_pctx *c, const char *p)
{
	struct sip_msg *m = c->m;
	struct sip_hdr *h = NULL;
	const char *le, *next;
	int err;

	for (;;) {
		if ((err = sip_line(c, p, &le, &next)))
			return err;
		if (le == p)
			break;
		if (*p == ' ' || *p == '\t') {
			/* Continuation of the previous header (folded line). */
			if (!h)
				return sip_fail(c, SIP_PERR_BAD_HEADER, p);
			h->line.len = (uint16_t)(next - c->buf - h->line.off);
			c->vend = le;
		} else {
			if (h && (err = sip_hdr_finish(c, h)))
				return err;
			if ((err = sip_hdr_begin(c, p, le, next)))
				return err;
			h = &m->hdrs[m->n_hdrs - 1];
		}
		p = next;
	}
	if (h && (err = sip_hdr_finish(c, h)))
		return err;
	c->blank = p;
	m->hdr_end = (uint16_t)(next - c->buf);
	return 0;
}

/* Required headers, CSeq method, body length. */
static int sip_parse_end(struct sip_pctx *c)
{
	struct sip_msg *m = c->m;
	uint32_t rest = (uint32_t)(c->end - c->buf) - m->hdr_end;

	if (!m->call_id.len)
		return sip_fail(c, SIP_PERR_NO_CALL_ID, c->blank);
	if (!m->cseq_method.len)
		return sip_fail(c, SIP_PERR_NO_CSEQ, c->blank);
	if (!m->n_via)
		return sip_fail(c, SIP_PERR_NO_VIA, c->blank);
	if (!m->from.len)
		return sip_fail(c, SIP_PERR_NO_FROM, c->blank);
	if (!m->to.len)
		return sip_fail(c, SIP_PERR_NO_TO, c->blank);
	/* Methods are case-sensitive (RFC 3261 §7.1), so compare bytes. */
	if (m->method != SIP_METHOD_NONE &&
	    (m->cseq_method.len != m->method_name.len ||
	     memcmp(c->buf + m->cseq_method.off, c->buf + m->method_name.off,
		    m->method_name.len) != 0))
		return sip_fail(c, SIP_PERR_CSEQ_METHOD, c->buf + m->cseq_method.off);
	if (m->has_content_length) {
		if (c->clen > rest)
			return sip_fail(c, SIP_PERR_BODY_TRUNCATED, c->end);
		m->body_len = (uint16_t)c->clen;
	} else {
		m->body_len = (uint16_t)rest;
	}
	c->consumed = m->hdr_end + m->body_len;
	return 0;
}

static int sip_parse_msg(struct sip_pctx *c)
{
	const char *p = c->buf, *le, *next;
	int err;

	/* Keepalive CRLFs before the start line (RFC 3261 §7.5, RFC 5626 §4.4.1). */
	while (p < c->end && (*p == '\r' || *p == '\n'))
		p++;
	c->scanned = p;
	if ((err = sip_line(c, p, &le, &next)))
		return err;
	if ((err = sip_parse_start(c, p, le)))
		return err;
	if ((err = sip_parse_headers(c, next)))
		return err;
	return sip_parse_end(c);
}

/* ---------------------------------------------------------------------- */
/* Public API                                                             */

int sip_parse(const char *buf, size_t len, struct sip_msg *m)
{
	struct sip_pctx c = {.buf = buf, .scanned = buf, .m = m};
	const char *z;
	int err;

	/* hdrs[] entries are written before n_hdrs counts them: skip zeroing them. */
	memset(m, 0, offsetof(struct sip_msg, hdrs));
	if (len > SIP_MSG_MAX)
		return -SIP_PERR_TOO_BIG;
	if (len == 0)
		return -SIP_PERR_TRUNCATED;
	c.end = buf + len;
	err = sip_parse_msg(&c);
	/*
	 * A NUL among the bytes read wins over any other outcome: it explains
	 * whatever else failed, and must never pass. One memchr here is
	 * cheaper than one per line.
	 */
	z = memchr(buf, 0, (size_t)(c.scanned - buf));
	if (z) {
		m->err_off = (uint16_t)(z - buf);
		return -SIP_PERR_NUL;
	}
	return err ? -err : c.consumed;
}

const char *sip_perr_str(int err)
{
	if (err < 0)
		err = -err;
	if (err >= SIP_PERR_COUNT)
		return "unknown error";
	return sip_perr_names[err];
}

const char *sip_method_str(enum sip_method method)
{
	if ((unsigned)method >= SIP_METHOD_COUNT)
		return "";
	return sip_method_names[method];
}

const char *sip_hdr_str(enum sip_hdr_id id)
{
	if ((unsigned)id >= SIP_HDR_COUNT)
		return "";
	return sip_hdr_names[id];
}

const struct sip_hdr *sip_hdr_find(const struct sip_msg *m, enum sip_hdr_id id)
{
	if ((unsigned)id >= SIP_HDR_COUNT || !m->hdr_idx[id])
		return NULL;
	return &m->hdrs[m->hdr_idx[id] - 1];
}

const struct sip_hdr *sip_hdr_next(const struct sip_msg *m, const struct sip_hdr *h)
{
	const struct sip_hdr *last = m->hdrs + m->n_hdrs;

	if (!h || h < m->hdrs || h >= last)
		return NULL;
	for (const struct sip_hdr *p = h + 1; p < last; p++)
		if (p->id == h->id)
			return p;
	return NULL;
}
