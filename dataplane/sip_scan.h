/* SPDX-License-Identifier: MIT */
/*
 * Byte scanners for the SIP light parser (sip_parse.c): character classes
 * and the few searches the parser repeats on every message — the end of a
 * line (with a NUL check in the same pass), the end of a run of token,
 * host or parameter-value bytes, the next byte of a class or a given byte.
 *
 * Each search looks at 16 bytes per step with SSE2 (byte searches, line
 * ends) or SSSE3 (class searches: two PSHUFB lookups on the low and high
 * nibble of each byte, ANDed, give its class bits — see sip_nib below).
 * The last step of a range reloads the final 16 bytes of the range,
 * overlapping bytes already seen, so no load ever reaches outside [p, e),
 * and no search relies on bytes past the end (the buffer is not padded).
 * Ranges shorter than 16 bytes, and builds without SSE2/SSSE3 or with
 * -DSIP_SCAN_SCALAR, use the byte-at-a-time loop over the same class
 * table. Either way the result is the same; tests/unit/test_sip_parse.c
 * checks the nibble tables against sip_cc for all 256 bytes and every
 * search against its byte loop, and is meant to be run in all three builds.
 *
 * Plain C plus SSE2/SSSE3 intrinsics; no DPDK, no state.
 */
#ifndef SLUICE_SIP_SCAN_H
#define SLUICE_SIP_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if !defined(SIP_SCAN_SCALAR) && defined(__SSE2__)
#define SIP_SCAN_SSE2 1
#include <emmintrin.h>
#if defined(__SSSE3__)
#define SIP_SCAN_SSSE3 1
#include <tmmintrin.h>
#endif
#endif

/*
 * Character classes. The first SIP_SC_NVEC have nibble tables for the
 * vector searches; the others are only ever tested a byte at a time.
 */
enum sip_sc {
	SIP_SC_TOKEN,  /* RFC 3261 token: alnum - . ! % * _ + ` ' ~ */
	SIP_SC_HOST,   /* hostname or IPv4 address: alnum - . _ */
	SIP_SC_PVAL,   /* unquoted parameter value: visible, not ; , " */
	SIP_SC_WS,     /* SP HTAB CR LF: LWS inside a (folded) value */
	SIP_SC_FTSTOP, /* where a From/To tag search looks: " < ; CR LF */
	SIP_SC_NVEC,
	SIP_SC_DIGIT = SIP_SC_NVEC,
	SIP_SC_HEX6, /* inside an IPv6 reference: hex digits : . */
};

#define SIP_CC(k) (1u << (k))

enum {
	CC_TOKEN = SIP_CC(SIP_SC_TOKEN),
	CC_HOST = SIP_CC(SIP_SC_HOST),
	CC_PVAL = SIP_CC(SIP_SC_PVAL),
	CC_WS = SIP_CC(SIP_SC_WS),
	CC_FTSTOP = SIP_CC(SIP_SC_FTSTOP),
	CC_DIGIT = SIP_CC(SIP_SC_DIGIT),
	CC_HEX6 = SIP_CC(SIP_SC_HEX6),
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
 * Nibble tables: byte b is in class k iff lo[b & 15] & hi[b >> 4] != 0.
 * Each bit stands for one set of high nibbles that some low nibbles share
 * (at most 8 such sets per class, which these classes meet): lo[l] holds
 * the bit of l's set, hi[h] the bits of every set containing h. Generated
 * from sip_cc; the unit tests check every byte of every class.
 */
struct sip_nib {
	uint8_t lo[16];
	uint8_t hi[16];
};

static const struct sip_nib sip_nib[SIP_SC_NVEC] __attribute__((aligned(16))) = {
	[SIP_SC_TOKEN] = {
		.lo = {0x20, 0x01, 0x10, 0x10, 0x10, 0x01, 0x10, 0x01,
		       0x10, 0x10, 0x02, 0x04, 0x80, 0x04, 0x08, 0x40},
		.hi = {0x00, 0x00, 0x0f, 0x31, 0xdf, 0x73, 0xff, 0x3b},
	},
	[SIP_SC_HOST] = {
		.lo = {0x04, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02,
		       0x02, 0x02, 0x10, 0x20, 0x20, 0x01, 0x01, 0x08},
		.hi = {0x00, 0x00, 0x01, 0x06, 0x3b, 0x1e, 0x3b, 0x16},
	},
	[SIP_SC_PVAL] = {
		.lo = {0x08, 0x01, 0x08, 0x01, 0x01, 0x01, 0x01, 0x01,
		       0x01, 0x01, 0x01, 0x04, 0x08, 0x01, 0x01, 0x02},
		.hi = {0x00, 0x00, 0x07, 0x0b, 0x0f, 0x0f, 0x0f, 0x0d,
		       0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f, 0x0f},
	},
	[SIP_SC_WS] = {
		.lo = {0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		       0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00},
		.hi = {0x01, 0x00, 0x02},
	},
	[SIP_SC_FTSTOP] = {
		.lo = {0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
		       0x00, 0x00, 0x01, 0x04, 0x04, 0x01, 0x00, 0x00},
		.hi = {0x01, 0x00, 0x02, 0x04},
	},
};

/* Index of the lowest set bit of x != 0, as a size_t (no sign extension). */
static inline size_t sip_ctz(unsigned x)
{
	return (unsigned)__builtin_ctz(x);
}

/* What a scan stops at. */
enum sip_scan_mode {
	SIP_SCAN_OUT,   /* the first byte not in class arg */
	SIP_SCAN_IN,    /* the first byte in class arg */
	SIP_SCAN_BYTE,  /* the first byte equal to arg */
};

static inline bool sip_scan_hit(char ch, enum sip_scan_mode mode, unsigned arg)
{
	switch (mode) {
	case SIP_SCAN_OUT:
		return !sip_is(ch, SIP_CC(arg));
	case SIP_SCAN_IN:
		return sip_is(ch, SIP_CC(arg));
	case SIP_SCAN_BYTE:
		break;
	}
	return (uint8_t)ch == arg;
}

#ifdef SIP_SCAN_SSE2
static inline __m128i sip_vload(const char *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

#ifdef SIP_SCAN_SSSE3
/* Bit i set when byte i of v is in class k (k < SIP_SC_NVEC). */
static inline unsigned sip_vclass(__m128i v, unsigned k)
{
	const __m128i nib = _mm_set1_epi8(0x0f);
	const __m128i lo = _mm_load_si128((const __m128i *)(const void *)sip_nib[k].lo);
	const __m128i hi = _mm_load_si128((const __m128i *)(const void *)sip_nib[k].hi);
	__m128i l = _mm_shuffle_epi8(lo, _mm_and_si128(v, nib));
	__m128i h = _mm_shuffle_epi8(hi, _mm_and_si128(_mm_srli_epi16(v, 4), nib));
	__m128i out = _mm_cmpeq_epi8(_mm_and_si128(l, h), _mm_setzero_si128());

	return ~(unsigned)_mm_movemask_epi8(out) & 0xffff;
}
#endif

/* Whether this build has a vector form of the search. */
static inline bool sip_vscan_ok(enum sip_scan_mode mode, unsigned arg)
{
#ifdef SIP_SCAN_SSSE3
	if (mode == SIP_SCAN_OUT || mode == SIP_SCAN_IN)
		return arg < SIP_SC_NVEC;
#else
	if (mode == SIP_SCAN_OUT || mode == SIP_SCAN_IN)
		return (void)arg, false;
#endif
	return true;
}

/* Bit i set when byte i of v stops the search. */
static inline unsigned sip_vhits(__m128i v, enum sip_scan_mode mode, unsigned arg)
{
	switch (mode) {
#ifdef SIP_SCAN_SSSE3
	case SIP_SCAN_OUT:
		return ~sip_vclass(v, arg) & 0xffff;
	case SIP_SCAN_IN:
		return sip_vclass(v, arg);
#else
	case SIP_SCAN_OUT:
	case SIP_SCAN_IN:
		return 0; /* not reached: sip_vscan_ok */
#endif
	case SIP_SCAN_BYTE:
		break;
	}
	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)arg)));
}
#endif

/*
 * First byte in [p, e) that stops the search, or e. Called with constant
 * mode and arg, so inlining leaves one straight loop.
 */
static inline __attribute__((always_inline)) const char *
sip_scan(const char *p, const char *e, enum sip_scan_mode mode, unsigned arg)
{
#ifdef SIP_SCAN_SSE2
	if (e - p >= 16 && sip_vscan_ok(mode, arg)) {
		unsigned h;

		for (;;) {
			if ((h = sip_vhits(sip_vload(p), mode, arg)))
				return p + sip_ctz(h);
			p += 16;
			if (e - p < 16)
				break;
		}
		if (p == e)
			return e;
		/* The final 16 bytes; those before p were seen already. */
		h = sip_vhits(sip_vload(e - 16), mode, arg) >> (16 - (e - p));
		return h ? p + sip_ctz(h) : e;
	}
#endif
	while (p < e && !sip_scan_hit(*p, mode, arg))
		p++;
	return p;
}

/* First byte in [p, e) not in class k, or e. */
static inline const char *sip_span(const char *p, const char *e, enum sip_sc k)
{
	return sip_scan(p, e, SIP_SCAN_OUT, k);
}

/* First byte in [p, e) in class k, or e. */
static inline const char *sip_find(const char *p, const char *e, enum sip_sc k)
{
	return sip_scan(p, e, SIP_SCAN_IN, k);
}

/* First ch in [p, e), or NULL (memchr without the call). */
static inline const char *sip_find_byte(const char *p, const char *e, char ch)
{
	p = sip_scan(p, e, SIP_SCAN_BYTE, (uint8_t)ch);
	return p < e ? p : NULL;
}

/* ---------------------------------------------------------------------- */
/* Line ends                                                              */

/*
 * A line search looks for LF and, on the way, for NUL (the parser refuses
 * a NUL anywhere in the lines it reads). Masked with 0xf5 both are zero,
 * and so are STX (0x02) and BS (0x08): one AND and one compare per 16
 * bytes find all four, and the rare STX or BS is skipped when its turn
 * comes.
 */
#define SIP_LF_MASK 0xf5

static inline bool sip_lf_cand(char ch)
{
	return ((uint8_t)ch & SIP_LF_MASK) == 0;
}

/*
 * Handles candidate q: true when it is the LF; a NUL is noted in *nul
 * unless one was noted already (the first one counts).
 */
static inline bool sip_lf_is(const char *q, const char **nul)
{
	if (*q == '\n')
		return true;
	if (*q == '\0' && !*nul)
		*nul = q;
	return false;
}

#ifdef SIP_SCAN_SSE2
/* Candidate bits of the 16 bytes in v. */
static inline unsigned sip_lf_mask(__m128i v)
{
	v = _mm_and_si128(v, _mm_set1_epi8((char)SIP_LF_MASK));
	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()));
}

/*
 * First candidate from p (p + 16 <= e), given mask, the candidate bits of
 * the 16 bytes at p; NULL if none before e. Then 32 bytes a step. Loads
 * stay inside [p, e): the last step reloads the final 16 bytes.
 */
static inline const char *sip_cand_from(const char *p, const char *e, unsigned mask)
{
	if (mask)
		return p + sip_ctz(mask);
	for (p += 16; e - p >= 32; p += 32) {
		mask = sip_lf_mask(sip_vload(p)) | sip_lf_mask(sip_vload(p + 16)) << 16;
		if (mask)
			return p + sip_ctz(mask);
	}
	if (e - p >= 16) {
		if ((mask = sip_lf_mask(sip_vload(p))))
			return p + sip_ctz(mask);
		p += 16;
	}
	if (p == e)
		return NULL;
	/* The final bytes; those before p were seen already. */
	mask = sip_lf_mask(sip_vload(e - 16)) >> (16 - (e - p));
	return mask ? p + sip_ctz(mask) : NULL;
}
#endif

/* First candidate in [p, e), or NULL. */
static inline const char *sip_cand(const char *p, const char *e)
{
#ifdef SIP_SCAN_SSE2
	if (e - p >= 16)
		return sip_cand_from(p, e, sip_lf_mask(sip_vload(p)));
#endif
	for (; p < e; p++)
		if (sip_lf_cand(*p))
			return p;
	return NULL;
}

/*
 * Candidate q was not the LF: note it if it is a NUL, and go on to the
 * LF (or NULL). Kept out of line: LF is by far the usual candidate.
 */
static __attribute__((noinline, cold, unused)) const char *
sip_find_lf_slow(const char *q, const char *e, const char **nul)
{
	while (q && !sip_lf_is(q, nul))
		q = sip_cand(q + 1, e);
	return q;
}

/* First LF in [p, e), or NULL; NULs noted in *nul (the first one counts). */
static inline const char *sip_find_lf(const char *p, const char *e, const char **nul)
{
	const char *q = sip_cand(p, e);

	return q && *q != '\n' ? sip_find_lf_slow(q, e, nul) : q;
}

#ifdef SIP_SCAN_SSE2
/* The same, given mask, the candidate bits of the 16 bytes at p (p + 16 <= e). */
static inline const char *sip_find_lf_from(const char *p, const char *e, unsigned mask,
					   const char **nul)
{
	const char *q = sip_cand_from(p, e, mask);

	return q && *q != '\n' ? sip_find_lf_slow(q, e, nul) : q;
}
#endif

#endif
