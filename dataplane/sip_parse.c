/* SPDX-License-Identifier: MIT */
/*
 * SIP light parser (sip_parse.h): one forward pass over a UDP datagram that
 * fills a struct sip_msg with slices into the caller's bytes.
 *
 * The pass goes line by line: a 16-byte vector search (sip_scan.h) finds
 * each LF (CRLF and bare LF both end a line), the start line is split into
 * its three parts, and every header line is recorded in m->hdrs[] with its
 * name looked up in static tables; the 16 bytes loaded at a line's start
 * serve both its LF search and its name. A header is interpreted once its
 * last continuation line has been seen: a per-id handler table then parses
 * the few headers the fast path needs (Via, Call-ID, CSeq, From, To,
 * Content-Length, Max-Forwards), after the loop (see sip_hdrs_run). Inside
 * a header value, CR and LF count as white space, which is exactly what
 * folded lines (LWS, RFC 3261 §25.1) need. The body is never read.
 *
 * The buffer is never NUL-terminated. Every scan stays inside the line it
 * started in: it is bounded by an end pointer, or (sip_run) stops at the
 * CR or LF that ends the line, with the buffer end bounding the scanner's
 * 16-byte loads. NUL bytes are found by the line search in the same pass
 * as the LFs; a NUL in the bytes read wins over any other outcome, so a
 * NUL in the header section always reports SIP_PERR_NUL at its offset.
 *
 * This runs on the io lcore for every SIP datagram, so the common spelling
 * of each part has a straight path (one vector classification of a header
 * name and one masked compare with its canonical name; "SIP/2.0/UDP host:
 * port;branch=..." and "<uri>;tag=..." in one pass), and everything else
 * falls back to the general code, which decides alone whenever the straight
 * path does not: the two never disagree on what the straight path accepts.
 *
 * Plain libc only (no DPDK), no allocation, no global mutable state.
 */
#include "sip_parse.h"
#include "sip_scan.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Compares                                                               */

static inline uint64_t sip_ld8(const char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The 32-bit word sip_ld4 reads from the bytes a b c d. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SIP_LE4(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#else
#define SIP_LE4(a, b, c, d) ((uint32_t)(d) | (uint32_t)(c) << 8 | (uint32_t)(b) << 16 | (uint32_t)(a) << 24)
#endif

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
 * character are control characters, which a token never contains.
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

/* a[0..n) == b[0..n): for the short method names, where memcmp is a call. */
static inline bool sip_bytes_eq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/*
 * a[0..n) equals canon, a name padded with NULs to 16 bytes and aligned
 * to 16, n <= 16. With fold, case-insensitive under the rules of
 * sip_caseeq. end bounds a's buffer: with 16 bytes there, one vector
 * compare does it.
 */
static inline bool sip_name_eq(const char *a, const char *canon, size_t n, const char *end,
			       bool fold)
{
#ifdef SIP_SCAN_SSE2
	if (end - a >= 16) {
		const __m128i f = _mm_set1_epi8(fold ? 0x20 : 0);
		__m128i x = _mm_or_si128(sip_vload(a), f);
		__m128i y = _mm_or_si128(_mm_load_si128((const __m128i *)(const void *)canon), f);
		unsigned eq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, y));

		return (~eq & ((1u << n) - 1)) == 0;
	}
#else
	(void)end;
#endif
	return fold ? sip_caseeq(a, canon, n) : sip_bytes_eq(a, canon, n);
}

/* ---------------------------------------------------------------------- */
/* Name tables                                                            */

static const char *const sip_perr_names[SIP_PERR_COUNT] = {
	[SIP_PERR_OK] = "no error",
#define SIP_X(id, s) [SIP_PERR_##id] = s,
	SIP_PERRS(SIP_X)
#undef SIP_X
};

/* Padded and aligned for sip_name_eq. */
static const char sip_method_names[SIP_METHOD_COUNT][16] __attribute__((aligned(16))) = {
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

/* Padded and aligned for sip_name_eq (the first 16 bytes). */
static const char sip_hdr_names[SIP_HDR_COUNT][32] __attribute__((aligned(16))) = {
	[SIP_HDR_OTHER] = "",
#define SIP_X(id, s, c) [SIP_HDR_##id] = s,
	SIP_HDRS(SIP_X)
#undef SIP_X
};

#ifdef SIP_SCAN_SSSE3
/*
 * The first 16 bytes of each name in lower case (zero padded), and masks
 * of the first n bytes: (bytes | 0x20) & mask[n] equals a row here exactly
 * when the n bytes spell that name in any case (see sip_caseeq).
 */
#define SIP_LC(s, i) (char)((i) + 1 < sizeof(s) ? (s)[(i) + 1 < sizeof(s) ? (i) : 0] | 0x20 : 0)
#define SIP_LC16(s)                                                                    \
	{SIP_LC(s, 0), SIP_LC(s, 1), SIP_LC(s, 2), SIP_LC(s, 3), SIP_LC(s, 4), SIP_LC(s, 5),   \
	 SIP_LC(s, 6), SIP_LC(s, 7), SIP_LC(s, 8), SIP_LC(s, 9), SIP_LC(s, 10), SIP_LC(s, 11), \
	 SIP_LC(s, 12), SIP_LC(s, 13), SIP_LC(s, 14), SIP_LC(s, 15)}
static const char sip_hdr_lc[SIP_HDR_COUNT][16] __attribute__((aligned(16))) = {
#define SIP_X(id, s, c) [SIP_HDR_##id] = SIP_LC16(s),
	SIP_HDRS(SIP_X)
#undef SIP_X
};

#define SIP_LM(n, i) (char)((i) < (n) ? 0xff : 0)
#define SIP_LM16(n)                                                                  \
	{SIP_LM(n, 0), SIP_LM(n, 1), SIP_LM(n, 2), SIP_LM(n, 3), SIP_LM(n, 4), SIP_LM(n, 5),   \
	 SIP_LM(n, 6), SIP_LM(n, 7), SIP_LM(n, 8), SIP_LM(n, 9), SIP_LM(n, 10), SIP_LM(n, 11), \
	 SIP_LM(n, 12), SIP_LM(n, 13), SIP_LM(n, 14), SIP_LM(n, 15)}
static const char sip_len_mask[16][16] __attribute__((aligned(16))) = {
	SIP_LM16(0), SIP_LM16(1), SIP_LM16(2), SIP_LM16(3), SIP_LM16(4), SIP_LM16(5),
	SIP_LM16(6), SIP_LM16(7), SIP_LM16(8), SIP_LM16(9), SIP_LM16(10), SIP_LM16(11),
	SIP_LM16(12), SIP_LM16(13), SIP_LM16(14), SIP_LM16(15),
};
#endif

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
 * (first letter, length); full header names by (length, low five bits of
 * the second letter); compact forms by their letter; transports by
 * (length, second letter, case-folded). A key only selects a candidate,
 * which is then compared with the canonical name from the tables above, so
 * a stale key can cause a miss but never a wrong id. test_sip_parse.c
 * checks every name of the X-macros resolves.
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

/*
 * Full header names by n << 5 | (second letter & 31), which needs no range
 * check (a non-letter lands on some slot and fails the compare). The
 * length comes from the name itself, so a candidate always has the length
 * it is looked up with.
 */
#define SIP_HKEY_MAXLEN 20
#define SIP_HKEY(name, c) ((sizeof(name) - 1) << 5 | ((c) & 31))
static const uint8_t sip_hdr_by_key[SIP_HKEY_MAXLEN << 5] = {
	[SIP_HKEY("To", 'o')] = SIP_HDR_TO,
	[SIP_HKEY("Via", 'i')] = SIP_HDR_VIA,
	[SIP_HKEY("CSeq", 's')] = SIP_HDR_CSEQ,
	[SIP_HKEY("From", 'r')] = SIP_HDR_FROM,
	[SIP_HKEY("Route", 'o')] = SIP_HDR_ROUTE,
	[SIP_HKEY("Allow", 'l')] = SIP_HDR_ALLOW,
	[SIP_HKEY("Event", 'v')] = SIP_HDR_EVENT,
	[SIP_HKEY("Call-ID", 'a')] = SIP_HDR_CALL_ID,
	[SIP_HKEY("Contact", 'o')] = SIP_HDR_CONTACT,
	[SIP_HKEY("Expires", 'x')] = SIP_HDR_EXPIRES,
	[SIP_HKEY("Require", 'e')] = SIP_HDR_REQUIRE,
	[SIP_HKEY("Subject", 'u')] = SIP_HDR_SUBJECT,
	[SIP_HKEY("Refer-To", 'e')] = SIP_HDR_REFER_TO,
	[SIP_HKEY("Supported", 'u')] = SIP_HDR_SUPPORTED,
	[SIP_HKEY("User-Agent", 's')] = SIP_HDR_USER_AGENT,
	[SIP_HKEY("Content-Type", 'o')] = SIP_HDR_CONTENT_TYPE,
	[SIP_HKEY("Max-Forwards", 'a')] = SIP_HDR_MAX_FORWARDS,
	[SIP_HKEY("Record-Route", 'e')] = SIP_HDR_RECORD_ROUTE,
	[SIP_HKEY("Authorization", 'u')] = SIP_HDR_AUTHORIZATION,
	[SIP_HKEY("Content-Length", 'o')] = SIP_HDR_CONTENT_LENGTH,
	[SIP_HKEY("Proxy-Authorization", 'r')] = SIP_HDR_PROXY_AUTHORIZATION,
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

#define SIP_TKEY(n, c) ((((n) - 2) << 5) | ((c) - 'a'))
static const uint8_t sip_transport_by_key[3 << 5] = {
	[SIP_TKEY(3, 'd')] = 1, [SIP_TKEY(3, 'c')] = 2, [SIP_TKEY(3, 'l')] = 3,
	[SIP_TKEY(4, 'c')] = 4, [SIP_TKEY(2, 's')] = 5, [SIP_TKEY(3, 's')] = 6,
};

/* p[0..n) is a token, followed by more bytes of its line (so p[n] exists). */
static uint8_t sip_method_lookup(const char *p, size_t n, const char *end)
{
	unsigned c0 = (uint8_t)p[0] - 'A';
	uint8_t id;

	if (c0 >= 26 || n >= 16)
		return SIP_METHOD_OTHER;
	id = sip_method_by_key[c0 << 4 | n];
	if (id && sip_method_lens[id] == n && sip_name_eq(p, sip_method_names[id], n, end, false))
		return id;
	return SIP_METHOD_OTHER;
}

/* n >= 1 and p[0..n) is a token. */
static inline uint8_t sip_hdr_lookup(const char *p, size_t n, const char *end)
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
	if (n >= SIP_HKEY_MAXLEN)
		return SIP_HDR_OTHER;
	id = sip_hdr_by_key[n << 5 | (p[1] & 31)];
	if (!id || sip_hdr_lens[id] != n)
		return SIP_HDR_OTHER;
	if (n <= 16 ? sip_name_eq(p, sip_hdr_names[id], n, end, true) :
		      sip_caseeq(p, sip_hdr_names[id], n))
		return id;
	return SIP_HDR_OTHER;
}

/* n >= 1 and p[0..n) is a token. */
static uint8_t sip_transport_lookup(const char *p, size_t n)
{
	unsigned k;
	uint8_t i;

	if (n < 2 || n > 4)
		return 0;
	k = (uint8_t)(p[1] | 0x20) - 'a';
	if (k >= 26)
		return 0;
	i = sip_transport_by_key[(n - 2) << 5 | k];
	if (i && sip_transports[i].len == n && sip_caseeq(p, sip_transports[i].name, n))
		return i;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Parse context and helpers                                              */

struct sip_pctx {
	const char *buf;
	const char *end;     /* buf + len */
	const char *nul;     /* first NUL in the lines read so far, or NULL */
	const char *blank;   /* the blank line ending the header section */
	struct sip_msg *m;
	uint32_t clen;       /* Content-Length, saturated */
	uint32_t run;        /* header ids (bits) whose handler runs */
	uint32_t stop;       /* lazy: stop once every id in it is seen; 0 = never */
	int consumed;
};

/*
 * A run of a class that excludes CR and LF ends inside the line it starts
 * in (or the trimmed header value, followed only by white space up to its
 * line end), whose LF lies inside the buffer, so it stops at that line end
 * at the latest. The buffer end bounds only the scanner's loads.
 */
static inline const char *sip_run(const struct sip_pctx *c, const char *p, enum sip_sc k)
{
	return sip_span(p, c->end, k);
}

/* First white-space byte from p (the line end at the latest, see sip_run). */
static inline const char *sip_run_to_ws(const struct sip_pctx *c, const char *p)
{
	return sip_find(p, c->end, SIP_SC_WS);
}

/* First byte in [p, e) that is not white space (CR and LF included). */
static inline const char *sip_skip_ws(const char *p, const char *e)
{
	while (p < e && sip_is(*p, CC_WS))
		p++;
	return p;
}

static inline struct sip_slice sip_sl(const struct sip_pctx *c, const char *s, const char *e)
{
	return (struct sip_slice){(uint16_t)(s - c->buf), (uint16_t)(e - s)};
}

/*
 * Stores a slice from 32-bit values, which offsets and lengths fit in
 * (SIP_MSG_MAX): one 32-bit store, no truncations.
 */
static inline void sip_sl_set(struct sip_slice *s, uint32_t off, uint32_t len)
{
	uint32_t v = off | len << 16;

	memcpy(s, &v, sizeof(v));
}

static inline int sip_fail(struct sip_pctx *c, int err, const char *at)
{
	c->m->err_off = (uint16_t)(at - c->buf);
	return err;
}

/* p is just past an opening quote: returns the closing quote or NULL. */
static const char *sip_quoted_end(const char *p, const char *e)
{
	const char *q, *b;

	while ((q = sip_find_byte(p, e, '"'))) {
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
static inline int64_t sip_number(const char *s, const char *e, uint32_t cap)
{
	uint64_t v = 0;

	if (s == e)
		return -1;
	for (; s < e; s++) {
		unsigned d = (unsigned)(uint8_t)*s - '0';

		if (d > 9)
			return -1;
		v = v * 10 + d;
		if (v > cap)
			v = (uint64_t)cap + 1;
	}
	return (int64_t)v;
}

/* ---------------------------------------------------------------------- */
/* Start line                                                             */

/*
 * "SIP/2.0": the letters case-insensitive, "/2.0" exact. p[7] exists: the
 * white space that ends the version.
 */
static bool sip_version_ok(const char *p, const char *e)
{
	static const char want[8] = "sip/2.0", fold[8] = {0x20, 0x20, 0x20};
	const uint64_t seven = 0x00ffffffffffffffull;

	if (e - p != 7)
		return false;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (((sip_ld8(p) | sip_ld8(fold)) ^ sip_ld8(want)) & seven) == 0;
#else
	return sip_caseeq(p, "SIP", 3) && memcmp(p + 3, "/2.0", 4) == 0;
#endif
}

/* p starts "SIP/...": SIP-Version SP 3DIGIT SP Reason-Phrase. */
static int sip_parse_status(struct sip_pctx *c, const char *p, const char *le)
{
	struct sip_msg *m = c->m;
	/* "SIP/2.0 " is the usual start: its version has no white space. */
	const char *q = le - p > 7 && p[7] == ' ' && sip_version_ok(p, p + 7) ? p + 7 :
										      sip_run_to_ws(c, p);
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
	const char *q = sip_run(c, p, SIP_SC_TOKEN);

	if (q < le && *q == '/' && q > p)
		return sip_parse_status(c, p, le);
	if (q == p || q == le || *q != ' ')
		return sip_fail(c, SIP_PERR_BAD_START_LINE, q);
	m->method_name = sip_sl(c, p, q);
	m->method = sip_method_lookup(p, (size_t)(q - p), c->end);
	p = q + 1;
	q = sip_run_to_ws(c, p);
	if (q == p || q == le || *q != ' ')
		return sip_fail(c, SIP_PERR_BAD_START_LINE, q);
	m->ruri = sip_sl(c, p, q);
	p = q + 1;
	/* The version ending the line is the usual case (no white space in it). */
	q = le - p == 7 && sip_version_ok(p, le) ? le : sip_run_to_ws(c, p);
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

	if (!sip_find_byte(s, e, ','))
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

/*
 * *(SEMI via-params) up to the end of the first Via value. Sets *stop to
 * where that value ends: e, or the comma before the next value.
 */
static int sip_via_params(struct sip_pctx *c, const char *p, const char *e, const char **stop)
{
	struct sip_msg *m = c->m;
	const char *n, *v, *ve;
	size_t nl;

	for (;;) {
		p = sip_skip_ws(p, e);
		if (p == e || *p == ',') {
			*stop = p;
			return 0;
		}
		if (*p != ';')
			return sip_fail(c, SIP_PERR_BAD_VIA, p);
		n = sip_skip_ws(p + 1, e);
		p = sip_run(c, n, SIP_SC_TOKEN);
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
				p = ve = sip_run(c, v, SIP_SC_PVAL);
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
static int sip_via_sent_by(struct sip_pctx *c, const char *p, const char *e, const char **stop)
{
	struct sip_msg *m = c->m;
	const char *q;
	int64_t port;

	if (p < e && *p == '[') {
		q = sip_run(c, p + 1, SIP_SC_HEX6);
		if (q == p + 1 || q == e || *q != ']')
			return sip_fail(c, SIP_PERR_BAD_VIA, q);
		q++;
	} else {
		q = sip_run(c, p, SIP_SC_HOST);
		if (q == p)
			return sip_fail(c, SIP_PERR_BAD_VIA, p);
	}
	m->via_host = sip_sl(c, p, q);
	p = sip_skip_ws(q, e);
	if (p < e && *p == ':') {
		p = sip_skip_ws(p + 1, e);
		q = sip_run(c, p, SIP_SC_DIGIT);
		port = sip_number(p, q, 65535);
		if (port < 1 || port > 65535)
			return sip_fail(c, SIP_PERR_BAD_VIA, p);
		m->via_port = (uint16_t)port;
		p = q;
	}
	return sip_via_params(c, p, e, stop);
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
		q = sip_run(c, p, SIP_SC_TOKEN);
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
static int sip_via_top(struct sip_pctx *c, const char *p, const char *e, const char **stop)
{
	const char *q;
	int err;

	if ((err = sip_via_proto(c, p, e, &p)))
		return err;
	q = sip_run(c, p, SIP_SC_TOKEN);
	if (q == p)
		return sip_fail(c, SIP_PERR_BAD_VIA, p);
	c->m->via_transport = sip_transport_lookup(p, (size_t)(q - p));
	p = sip_skip_ws(q, e);
	if (p == q)
		return sip_fail(c, SIP_PERR_BAD_VIA, p);
	return sip_via_sent_by(c, p, e, stop);
}

/* A token run short enough that a byte loop beats a vector (see sip_run). */
static inline const char *sip_run_short(const char *p)
{
	while (sip_is(*p, CC_TOKEN))
		p++;
	return p;
}

/*
 * The usual top Via in one pass: "SIP/2.0/" transport SP host [":" port]
 * *(";" name ["=" value]), with no other white space, no quoted value, no
 * IPv6 reference and a single value. Anything else returns false with m
 * untouched, and sip_via_top, the general parser, takes over; on what this
 * accepts, the two agree (same runs, same checks, same first-branch rule).
 */
static bool sip_via_fast(struct sip_pctx *c, const char *p, const char *e)
{
	static const char fast[8] = "SIP/2.0/", fold[8] = {0x20, 0x20, 0x20};
	static const char br[8] = "branch=", brfold[8] = {0x20, 0x20, 0x20, 0x20, 0x20, 0x20};
	const uint64_t seven = 0x00ffffffffffffffull;
	struct sip_msg *m = c->m;
	struct sip_slice branch = {0, 0};
	const char *q, *host, *n, *ne, *v;
	uint32_t port = 0;
	bool rport = false;
	uint8_t tr;

	if (e - p <= 12 || (sip_ld8(p) | sip_ld8(fold)) != (sip_ld8(fast) | sip_ld8(fold)))
		return false;
	/* Three letters and a space, case folded: the usual transports. */
	switch (sip_ld4(p += 8) | sip_ld4("   ")) {
	case SIP_LE4('u', 'd', 'p', ' '):
		tr = 1, q = p + 3;
		break;
	case SIP_LE4('t', 'c', 'p', ' '):
		tr = 2, q = p + 3;
		break;
	case SIP_LE4('t', 'l', 's', ' '):
		tr = 3, q = p + 3;
		break;
	default:
		q = sip_run_short(p);
		if (q == p || *q != ' ')
			return false;
		tr = sip_transport_lookup(p, (size_t)(q - p));
	}
	if (!sip_is(q[1], CC_HOST))
		return false;
	host = q + 1;
	p = q = sip_run(c, host, SIP_SC_HOST);
	if (p < e && *p == ':') {
		if (++p == e || !sip_is(*p, CC_DIGIT))
			return false;
		for (; p < e && sip_is(*p, CC_DIGIT); p++)
			if ((port = port * 10 + (unsigned)(*p - '0')) > 65535)
				return false;
		if (port == 0)
			return false;
	}
	while (p < e) {
		if (*p != ';')
			return false;
		n = p + 1;
		/* "branch=" in one compare: its run ends at the '='. */
		if (e - n > 7 && ((sip_ld8(n) | sip_ld8(brfold)) & seven) == sip_ld8(br))
			p = ne = n + 6;
		else
			p = ne = sip_run_short(n);
		if (ne == n)
			return false;
		v = NULL;
		if (p < e && *p == '=') {
			v = p + 1;
			if (v < e && (*v == '"' || sip_is(*v, CC_WS)))
				return false;
			p = sip_run(c, v, SIP_SC_PVAL);
		}
		if (ne - n == 6 && sip_caseeq(n, "branch", 6)) {
			if (!v || v == p)
				return false;
			if (!branch.len)
				branch = sip_sl(c, v, p);
		} else if (ne - n == 5 && sip_caseeq(n, "rport", 5)) {
			rport = true;
		}
	}
	m->via_transport = tr;
	m->via_host = sip_sl(c, host, q);
	m->via_port = (uint16_t)port;
	m->via_branch = branch;
	m->via_has_rport = rport;
	return true;
}

/* ---------------------------------------------------------------------- */
/* Header handlers: [s, e) is the trimmed value                           */

static int sip_do_via(struct sip_pctx *c, const char *s, const char *e)
{
	struct sip_msg *m = c->m;
	const char *stop;
	unsigned n;
	int err;

	if (s == e)
		return sip_fail(c, SIP_PERR_BAD_VIA, s);
	if (m->n_via == 0 && sip_via_fast(c, s, e)) {
		n = 1;
	} else if (m->n_via == 0) {
		if ((err = sip_via_top(c, s, e, &stop)))
			return err;
		/*
		 * Parsed to the end: no comma outside a quoted string, and a
		 * quoted string only ever follows '=', so one value.
		 */
		n = stop == e ? 1 : sip_via_count(s, e);
	} else {
		n = sip_via_count(s, e);
	}
	m->n_via = (uint16_t)(m->n_via + n);
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
	const char *d, *t, *te;
	uint64_t v = 0;
	unsigned dv;

	/*
	 * The digits stop at the white space before the method, inside
	 * [s, e). Past UINT32_MAX the value only has to stay past it.
	 */
	for (d = s; d < e && (dv = (unsigned)(uint8_t)*d - '0') <= 9; d++)
		if (v <= UINT32_MAX)
			v = v * 10 + dv;
	t = sip_skip_ws(d, e);
	te = sip_run_short(t);
	if (m->cseq_method.len)
		return sip_fail(c, SIP_PERR_BAD_CSEQ, s);
	if (d == s || v > UINT32_MAX || t == d || te == t || te != e)
		return sip_fail(c, SIP_PERR_BAD_CSEQ, s);
	m->cseq = (uint32_t)v;
	m->cseq_method = sip_sl(c, t, te);
	return 0;
}

/* The tag parameter of a From/To value, outside <URI> and quoted strings. */
static struct sip_slice sip_tag_find(const struct sip_pctx *c, const char *p, const char *e)
{
	const char *n, *ne, *v, *ve;

	/*
	 * The usual shape, [display-name] "<" URI ">" [";tag=" token], in a
	 * straight line; where it differs, the loop below goes on from the
	 * same point with the same state.
	 */
	p = sip_find(p, c->end, SIP_SC_FTSTOP);
	if (p < e && *p == '<' && (n = sip_find_byte(p + 1, e, '>'))) {
		if (n + 1 == e)
			return (struct sip_slice){0, 0};
		if (e - n > 6 && n[1] == ';' &&
		    (sip_ld4(n + 2) | sip_ld4("   ")) == sip_ld4("tag=")) {
			v = n + 6;
			ve = sip_run(c, v, SIP_SC_TOKEN);
			if (ve > v)
				return sip_sl(c, v, ve);
		}
		p = n + 1;
	}
	for (;;) {
		/* To the next quote, '<' or ';', or a CR/LF (see sip_run). */
		if (!sip_is(*p, CC_FTSTOP))
			p = sip_find(p, c->end, SIP_SC_FTSTOP);
		if (p >= e)
			break;
		if (*p == '"') {
			p = sip_quoted_end(p + 1, e);
			if (!p)
				break;
			p++;
		} else if (*p == '<') {
			p = sip_find_byte(p, e, '>');
			if (!p)
				break;
			p++;
		} else if (*p == ';') {
			n = sip_skip_ws(p + 1, e);
			/* "tag=" in one compare (folded on the letters only). */
			if (e - n > 4 && (sip_ld4(n) | sip_ld4("   ")) == sip_ld4("tag=")) {
				v = n + 4;
				ve = sip_run(c, v, SIP_SC_TOKEN);
				if (ve > v)
					return sip_sl(c, v, ve);
			}
			ne = sip_run_short(n);
			p = sip_skip_ws(ne, e);
			if (p == e || *p != '=')
				continue;
			v = sip_skip_ws(p + 1, e);
			p = ve = sip_run(c, v, SIP_SC_TOKEN);
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

#define SIP_BIT(id) (1u << SIP_HDR_##id)
_Static_assert(SIP_HDR_COUNT <= 32, "header id bitmasks are 32 bits");

/* Every header with a handler: what a full parse runs. */
#define SIP_RUN_ALL (SIP_BIT(VIA) | SIP_BIT(CALL_ID) | SIP_BIT(CSEQ) | SIP_BIT(FROM) | \
		     SIP_BIT(TO) | SIP_BIT(CONTENT_LENGTH) | SIP_BIT(MAX_FORWARDS))

/*
 * Headers a message carries once (RFC 3261 §7.3.1 allows repeats only of
 * comma-list headers) and whose handler would take whichever came last: a
 * second one is an error, so every reader of the message (the lazy parse
 * stops at the first) agrees on its value. A repeated CSeq or
 * Content-Length is checked by its handler instead: the same value again
 * is harmless, another value is an error of that header.
 */
#define SIP_SINGLE (SIP_BIT(CALL_ID) | SIP_BIT(FROM) | SIP_BIT(TO))

/* What a lazy parse looks for and runs: dispatch and admission need no more. */
#define SIP_RUN_LAZY (SIP_BIT(CALL_ID) | SIP_BIT(CSEQ) | SIP_BIT(TO))

/* ---------------------------------------------------------------------- */
/* Header section                                                         */

/*
 * Header lines are recorded in one tight loop (sip_parse_headers), and the
 * handlers run afterwards, in header order, from a bitmap of the headers
 * that have one (sip_hdrs_run). The loop makes no call on its usual path,
 * so its state stays in registers.
 *
 * The outcome is the one of interpreting each header as soon as the line
 * after it shows up: handlers only read their own value and write fields
 * the loop never reads, so only which error wins, and the state left with
 * it, could differ. sip_hdrs_run settles both: the first failing handler
 * wins over any later problem the loop met, and the state is cut back to
 * what it was when that header was finished (sip_hdrs_cut), including how
 * far the NUL check reaches.
 */

/*
 * Length n of the token run at p (up to the line end at the latest) and,
 * in *id, the header it names (SIP_HDR_OTHER when n is 0).
 */
static inline size_t sip_hdr_name(const struct sip_pctx *c, const char *p, uint8_t *id)
{
	size_t n = (size_t)(sip_run(c, p, SIP_SC_TOKEN) - p);

	*id = n ? sip_hdr_lookup(p, n, c->end) : SIP_HDR_OTHER;
	return n;
}

#ifdef SIP_SCAN_SSSE3
/*
 * The same, with v the 16 bytes at p: one classification finds the end of
 * the usual name, and the same bytes go to the compare with the candidate's
 * canonical name; "" (no candidate) never matches a token.
 */
static inline size_t sip_hdr_name_v(const struct sip_pctx *c, const char *p, __m128i v,
				    uint8_t *id)
{
	size_t n = sip_ctz(~sip_vclass(v, SIP_SC_TOKEN));

	if (n >= 2 && n < 16) {
		uint8_t cand = sip_hdr_by_key[n << 5 | ((uint8_t)p[1] & 31)];
		__m128i x = _mm_and_si128(_mm_or_si128(v, _mm_set1_epi8(0x20)),
					  _mm_load_si128((const __m128i *)(const void *)sip_len_mask[n]));
		__m128i y = _mm_load_si128((const __m128i *)(const void *)sip_hdr_lc[cand]);

		*id = _mm_movemask_epi8(_mm_cmpeq_epi8(x, y)) == 0xffff ? cand : SIP_HDR_OTHER;
		return n;
	}
	if (n == 1) {
		*id = sip_hdr_lookup(p, 1, c->end);
		return 1;
	}
	return sip_hdr_name(c, p, id);
}
#endif

/*
 * Header h was folded and runs to content end vend so far: leading white
 * space may run on through the folds, and trailing white space is only
 * known now. Trimming again from the value so far gives the same as
 * trimming the whole raw value once.
 */
static void sip_hdr_refold(const struct sip_pctx *c, struct sip_hdr *h, const char *vend)
{
	const char *s = sip_skip_ws(c->buf + h->value.off, vend);
	const char *e = vend;

	while (e > s && sip_is(e[-1], CC_WS))
		e--;
	h->value = sip_sl(c, s, e);
}

/*
 * A message that ends inside header h: its value is left raw, from the
 * colon to the end of its first line, as it was never finished.
 */
static void sip_hdr_unfinished(const struct sip_pctx *c, struct sip_hdr *h)
{
	const char *s = c->buf + h->name.off + h->name.len;
	const char *nl;

	while (*s != ':')
		s++;
	nl = sip_find_byte(++s, c->end, '\n');
	h->value = sip_sl(c, s, nl[-1] == '\r' ? nl - 1 : nl);
}

/*
 * Handler of header i failed: leave the state as it was right then. Only
 * headers 0..i were recorded, and only the bytes up to the end of the line
 * after header i (the one that showed it was complete; it starts at
 * after_last when i is the last header) had been read, which bounds the
 * NUL check.
 */
static void sip_hdrs_cut(struct sip_pctx *c, unsigned i, const char *after_last)
{
	struct sip_msg *m = c->m;
	const char *nl, *next = i + 1 < m->n_hdrs ? c->buf + m->hdrs[i + 1].line.off : after_last;

	m->n_hdrs = (uint16_t)(i + 1);
	for (int id = 0; id < SIP_HDR_COUNT; id++)
		if (m->hdr_idx[id] > i + 1)
			m->hdr_idx[id] = 0;
	nl = sip_find_byte(next, c->end, '\n');
	if (c->nul && c->nul > nl)
		c->nul = NULL;
}

/*
 * Runs the handlers of the headers in pending (a bitmap of hdrs[] indices),
 * in order. The first failure wins over err, the loop's own outcome;
 * after_last: see sip_hdrs_cut.
 */
static int sip_hdrs_run(struct sip_pctx *c, uint64_t pending, int err, const char *after_last)
{
	struct sip_msg *m = c->m;

	while (pending) {
		unsigned i = (unsigned)__builtin_ctzll(pending);
		const struct sip_hdr *h = &m->hdrs[i];
		const char *s = c->buf + h->value.off;
		int herr = sip_hdr_fns[h->id](c, s, s + h->value.len);

		if (herr) {
			sip_hdrs_cut(c, i, after_last);
			return herr;
		}
		pending &= pending - 1;
	}
	return err;
}

/*
 * A header line that does not start with a token: the blank line (returns
 * 1), a continuation line (2), or an error (< 0).
 */
static int sip_line_odd(struct sip_pctx *c, const char *p, const char *le, unsigned nh)
{
	if (le == p)
		return 1;
	if ((*p == ' ' || *p == '\t') && nh)
		return 2;
	if (*p == ' ' || *p == '\t')
		return -sip_fail(c, SIP_PERR_BAD_HEADER, p);
	return -sip_fail(c, SIP_PERR_BAD_HEADER, sip_skip_ws(p, le));
}

/*
 * Checks a header line whose name [p, *q) is not followed right away by a
 * colon, or that comes one too many or is a second one of a header that
 * may appear once (SIP_SINGLE). Moves *q to the colon.
 */
static int sip_line_colon(struct sip_pctx *c, const char *p, const char **q, const char *le,
			  unsigned nh, uint8_t id)
{
	/* *q < le: CR and LF end a token. */
	const char *colon = sip_skip_ws(*q, le);

	if (colon == le || *colon != ':')
		return sip_fail(c, SIP_PERR_BAD_HEADER, colon);
	if (nh == SIP_MAX_HEADERS)
		return sip_fail(c, SIP_PERR_TOO_MANY_HEADERS, p);
	if (id == SIP_HDR_CALL_ID && c->m->hdr_idx[id])
		return sip_fail(c, SIP_PERR_DUP_CALL_ID, p);
	if (((SIP_SINGLE >> id) & 1) && c->m->hdr_idx[id])
		return sip_fail(c, SIP_PERR_DUP_HEADER, p);
	*q = colon;
	return 0;
}

/*
 * Header lines from p up to and including the blank line. Only the
 * common spelling of a line is handled inline; everything else takes a
 * call (white space before the colon, a folded line, an error).
 */
static int sip_parse_headers(struct sip_pctx *c, const char *p)
{
	struct sip_msg *m = c->m;
	const char *const buf = c->buf, *const end = c->end;
	const char *nl, *le, *next = p;
	uint64_t pending = 0;      /* headers whose handler is to run */
	uint32_t seen = 0;         /* lazy: ids recorded so far */
	unsigned nh = 0;
	int err = 0;

	for (;; p = next) {
		struct sip_hdr *h;
		const char *q, *s, *e;
		uint32_t po, so;
		uint8_t id;
		size_t n;

#ifdef SIP_SCAN_SSE2
		/* The 16 bytes at p serve the line search and the name. */
		__m128i v = _mm_setzero_si128();

		if (end - p >= 16) {
			v = sip_vload(p);
			nl = sip_find_lf_from(p, end, sip_lf_mask(v), &c->nul);
		} else {
			nl = sip_find_lf(p, end, &c->nul);
		}
#else
		nl = sip_find_lf(p, end, &c->nul);
#endif
		if (!nl) {
			/* The open header was never finished: no handler. */
			if (nh) {
				sip_hdr_unfinished(c, &m->hdrs[nh - 1]);
				pending &= ~(1ull << (nh - 1));
			}
			err = sip_fail(c, SIP_PERR_TRUNCATED, c->end);
			break;
		}
		next = nl + 1;
		/* nl[-1] is in the buffer (the start line precedes); LF if nl == p. */
		le = nl[-1] == '\r' ? nl - 1 : nl;
#ifdef SIP_SCAN_SSSE3
		n = end - p >= 16 ? sip_hdr_name_v(c, p, v, &id) : sip_hdr_name(c, p, &id);
#else
		n = sip_hdr_name(c, p, &id);
#endif
		if (n == 0) {
			int odd = sip_line_odd(c, p, le, nh);

			if (odd != 2) {
				err = odd < 0 ? -odd : 0;
				break;
			}
			/*
			 * Continuation of the previous header (folded line). Its
			 * value is trimmed again to this line's end, as if the
			 * header ended here; a later fold does it once more.
			 */
			h = &m->hdrs[nh - 1];
			h->line.len = (uint16_t)(next - buf - h->line.off);
			sip_hdr_refold(c, h, le);
			continue;
		}
		/*
		 * A lazy parse stops at the first header line after the last
		 * wanted one: only now is that one known to be complete (a
		 * continuation line would have folded into it).
		 */
		if (c->stop && (seen & c->stop) == c->stop) {
			m->lazy = 1;
			break;
		}
		q = p + n;
		if (*q != ':' || nh == SIP_MAX_HEADERS || (((SIP_SINGLE >> id) & 1) && m->hdr_idx[id])) {
			if ((err = sip_line_colon(c, p, &q, le, nh, id)))
				break;
		}
		/* The value, trimmed as far as this line goes. */
		s = q + 1;
		if (s < le && *s == ' ')
			s++;
		if (s < le && sip_is(*s, CC_WS))
			s = sip_skip_ws(s, le);
		e = le;
		while (e > s && sip_is(e[-1], CC_WS))
			e--;
		h = &m->hdrs[nh];
		po = (uint32_t)(p - buf);
		so = (uint32_t)(s - buf);
		h->id = id;
		sip_sl_set(&h->name, po, (uint32_t)n);
		sip_sl_set(&h->value, so, (uint32_t)(e - s));
		sip_sl_set(&h->line, po, (uint32_t)(next - p));
		if (!m->hdr_idx[id])
			m->hdr_idx[id] = (uint8_t)(nh + 1);
		pending |= (uint64_t)((c->run >> id) & 1) << nh;
		seen |= 1u << id;
		nh++;
	}
	m->n_hdrs = (uint16_t)nh;
	if ((err = sip_hdrs_run(c, pending, err, p)))
		return err;
	c->blank = p;
	if (!m->lazy)
		m->hdr_end = (uint16_t)(next - buf);
	return 0;
}

/*
 * Required headers, CSeq method, body length. A lazy parse requires only
 * what it looked for (the other handlers never ran), and when it stopped
 * early the body is not located: the message is taken to fill the datagram.
 */
static int sip_parse_end(struct sip_pctx *c)
{
	struct sip_msg *m = c->m;
	uint32_t rest = (uint32_t)(c->end - c->buf) - m->hdr_end;

	if (!m->call_id.len)
		return sip_fail(c, SIP_PERR_NO_CALL_ID, c->blank);
	if (!m->cseq_method.len)
		return sip_fail(c, SIP_PERR_NO_CSEQ, c->blank);
	if (!m->n_via && (c->run & SIP_BIT(VIA)))
		return sip_fail(c, SIP_PERR_NO_VIA, c->blank);
	if (!m->from.len && (c->run & SIP_BIT(FROM)))
		return sip_fail(c, SIP_PERR_NO_FROM, c->blank);
	if (!m->to.len)
		return sip_fail(c, SIP_PERR_NO_TO, c->blank);
	/* Methods are case-sensitive (RFC 3261 §7.1), so compare bytes. */
	if (m->method != SIP_METHOD_NONE &&
	    (m->cseq_method.len != m->method_name.len ||
	     !sip_bytes_eq(c->buf + m->cseq_method.off, c->buf + m->method_name.off,
			   m->method_name.len)))
		return sip_fail(c, SIP_PERR_CSEQ_METHOD, c->buf + m->cseq_method.off);
	if (m->lazy) {
		c->consumed = (int)(c->end - c->buf);
		return 0;
	}
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
	const char *p = c->buf, *nl, *le;
	int err;

	/* Keepalive CRLFs before the start line (RFC 3261 §7.5, RFC 5626 §4.4.1). */
	while (p < c->end && (*p == '\r' || *p == '\n'))
		p++;
	nl = sip_find_lf(p, c->end, &c->nul);
	if (!nl)
		return sip_fail(c, SIP_PERR_TRUNCATED, c->end);
	le = (nl > p && nl[-1] == '\r') ? nl - 1 : nl;
	if ((err = sip_parse_start(c, p, le)))
		return err;
	if ((err = sip_parse_headers(c, nl + 1)))
		return err;
	return sip_parse_end(c);
}

/* ---------------------------------------------------------------------- */
/* Public API                                                             */

/*
 * Zeroes everything before hdrs[] (entries there are written before
 * n_hdrs counts them). A fixed run of word stores: a memset of this size
 * becomes "rep stos", which starts slowly.
 */
static inline void sip_msg_clear(struct sip_msg *m)
{
	enum { n = offsetof(struct sip_msg, hdrs) };
	char *d = (char *)m;

#ifdef SIP_SCAN_SSE2
	/* Overlapping 16-byte stores; GCC turns a plain loop back into memset. */
	for (size_t i = 0; i + 16 <= n; i += 16)
		_mm_storeu_si128((__m128i *)(void *)(d + i), _mm_setzero_si128());
	_mm_storeu_si128((__m128i *)(void *)(d + n - 16), _mm_setzero_si128());
#else
	memset(d, 0, n);
#endif
}

static int sip_parse_run(const char *buf, size_t len, struct sip_msg *m, uint32_t run,
			 uint32_t stop)
{
	struct sip_pctx c = {.buf = buf, .m = m, .run = run, .stop = stop};
	int err;

	sip_msg_clear(m);
	if (len > SIP_MSG_MAX)
		return -SIP_PERR_TOO_BIG;
	if (len == 0)
		return -SIP_PERR_TRUNCATED;
	c.end = buf + len;
	err = sip_parse_msg(&c);
	/*
	 * A NUL among the bytes read wins over any other outcome: it explains
	 * whatever else failed, and must never pass. The line search noted
	 * the first one on the way.
	 */
	if (c.nul) {
		m->err_off = (uint16_t)(c.nul - buf);
		return -SIP_PERR_NUL;
	}
	return err ? -err : c.consumed;
}

int sip_parse(const char *buf, size_t len, struct sip_msg *m)
{
	return sip_parse_run(buf, len, m, SIP_RUN_ALL, 0);
}

int sip_parse_lazy(const char *buf, size_t len, struct sip_msg *m)
{
	return sip_parse_run(buf, len, m, SIP_RUN_LAZY, SIP_RUN_LAZY);
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

size_t sip_msg_packed_size(const struct sip_msg *m)
{
	return offsetof(struct sip_msg, hdrs) + m->n_hdrs * sizeof(m->hdrs[0]);
}

void sip_msg_pack(const struct sip_msg *m, void *dst)
{
	memcpy(dst, m, sip_msg_packed_size(m));
}

void sip_msg_unpack(const void *src, struct sip_msg *m)
{
	memcpy(m, src, offsetof(struct sip_msg, hdrs));
	memcpy(m->hdrs, (const char *)src + offsetof(struct sip_msg, hdrs),
	       m->n_hdrs * sizeof(m->hdrs[0]));
}
