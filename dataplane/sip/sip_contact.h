/* SPDX-License-Identifier: MIT */
/*
 * name-addr / addr-spec header values and the lists made of them (RFC 3261
 * §20.10, §20.20, §20.30, §20.34, §20.39, §25.1; RFC 5626 +sip.instance and
 * reg-id): From, To, Contact, Route, Record-Route, Refer-To.
 *
 * sip_naddr_parse reads one value: a display name (tokens or a quoted
 * string), the URI (inside <...>, or a bare addr-spec whose ';' parameters
 * belong to the header, not the URI — §20.10) parsed with sip_uri_parse,
 * and the header parameters. sip_naddr_next walks a comma-separated list
 * of them (Route, Record-Route, Contact), where commas inside quotes or
 * <...> do not split; sip_contact_next builds on it for Contact, adding
 * the special "*" and the decoded expires, q, +sip.instance and reg-id.
 * A message may repeat these headers: run the iterator on each line's
 * value (sip_hdr_find / sip_hdr_next) in order; that "*" stands alone
 * across all Contact lines is the registrar's check.
 *
 * Results are struct sip_slice offsets from the caller's base, like
 * sip_uri.h and sip_parse.h: pass the message buffer as base and a header
 * value inside it as s. Values are as written: a quoted display name or
 * parameter value is the bytes between the quotes, quoted-pairs kept.
 * White space (SP, HTAB and the CR/LF of folded lines) is allowed where
 * RFC 3261 allows LWS.
 *
 * Workers call this at line rate: no allocation, no state, work linear in
 * the input (at most SIP_NADDR_PARAMS_MAX header parameters per value). It
 * links without DPDK (libc only).
 */
#ifndef SLUICE_SIP_CONTACT_H
#define SLUICE_SIP_CONTACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sip/sip_uri.h"
#include "sip_parse.h"

/* Most header parameters one name-addr may carry. */
#define SIP_NADDR_PARAMS_MAX 32

/* Errors, each with a message (sip_naddr_err_str); the last five are Contact's. */
#define SIP_NADDR_ERRS(X)                                                       \
	X(EMPTY, "empty value or list element")                                 \
	X(TOO_LONG, "value ends more than 65535 bytes after its base")          \
	X(UNTERMINATED_QUOTE, "quoted string without its closing quote")       \
	X(BAD_QUOTED, "control character in a quoted string")                  \
	X(UNTERMINATED_ANGLE, "'<' without its closing '>'")                   \
	X(NO_ANGLE, "display name not followed by '<'")                         \
	X(BAD_URI, "malformed URI (uri_err says how)")                          \
	X(BARE_HEADERS, "addr-spec with '?' headers not enclosed in '<>'")     \
	X(BAD_PARAM, "malformed header parameter")                              \
	X(TOO_MANY_PARAMS, "more than SIP_NADDR_PARAMS_MAX header parameters") \
	X(TRAILING, "unexpected character after the name-addr")                \
	X(STAR_NOT_ALONE, "'*' is not the only contact")                        \
	X(BAD_EXPIRES, "expires is not delta-seconds")                          \
	X(BAD_Q, "q is not a qvalue 0 to 1 with up to three decimals")          \
	X(BAD_REG_ID, "reg-id is not a number 1-2147483647")                   \
	X(BAD_INSTANCE, "+sip.instance without a value")

enum sip_naddr_err {
	SIP_NADDR_E_OK = 0,
#define SIP_NADDR_X(id, s) SIP_NADDR_E_##id,
	SIP_NADDR_ERRS(SIP_NADDR_X)
#undef SIP_NADDR_X
	SIP_NADDR_E_COUNT
};

/* Header parameters recorded at parse time (names case-insensitive). */
#define SIP_NADDR_PARAMS(X)               \
	X(TAG, "tag")                     \
	X(EXPIRES, "expires")             \
	X(Q, "q")                         \
	X(INSTANCE, "+sip.instance")      \
	X(REG_ID, "reg-id")               \
	X(LR, "lr")

enum sip_naddr_pid {
#define SIP_NADDR_X(id, s) SIP_NADDR_P_##id,
	SIP_NADDR_PARAMS(SIP_NADDR_X)
#undef SIP_NADDR_X
	SIP_NADDR_P_COUNT
};

/* One name-addr or addr-spec with its header parameters. */
struct sip_naddr {
	struct sip_uri uri;        /* the parsed URI (slices from the same base) */
	struct sip_slice all;      /* the element without surrounding white space */
	struct sip_slice display;  /* tokens (inner LWS kept) or inside the quotes */
	struct sip_slice uri_text; /* the URI's bytes, without the <> */
	struct sip_slice params;   /* first parameter's name to the last one's end */
	struct sip_slice pv[SIP_NADDR_P_COUNT]; /* known parameters' values, unquoted */
	uint8_t present;           /* bit 1 << SIP_NADDR_P_x: that parameter is present */
	uint8_t quoted;            /* bit 1 << SIP_NADDR_P_x: its value was quoted */
	uint8_t angle : 1;         /* the URI was inside <> */
	uint8_t display_quoted : 1;
	uint8_t n_params;
	uint8_t err;               /* on error: enum sip_naddr_err */
	uint8_t uri_err;           /* on BAD_URI: enum sip_uri_err */
	uint16_t err_off;          /* on error: offset from base where it stopped (0: TOO_LONG) */
};

/*
 * Parses the whole header value s[0..n) (s at or after base; it must end
 * at most UINT16_MAX bytes after base) as one name-addr or addr-spec with
 * parameters; white space around it is allowed. Returns n (> 0) on
 * success, or -enum sip_naddr_err with na->err and na->err_off set. The
 * first of each known parameter wins. Never reads outside s[0..n).
 */
int sip_naddr_parse(const char *base, const char *s, size_t n, struct sip_naddr *na);

/*
 * Iterates over a comma-separated list of name-addrs in s[0..n). *pos
 * starts at 0 and is advanced past each element (it rests on the comma
 * that follows). Returns the bytes consumed (> 0) with *na filled, 0 at
 * the end of the list, or -enum sip_naddr_err (*pos unchanged; stop
 * there). An empty list, an empty element (",,", a leading or trailing
 * comma) is SIP_NADDR_E_EMPTY. At most n + 1 calls reach the end.
 */
int sip_naddr_next(const char *base, const char *s, size_t n, size_t *pos,
		   struct sip_naddr *na);

/* Human text of an error code (positive or negative enum value). */
const char *sip_naddr_err_str(int err);

/* Whether known parameter id is present. */
static inline bool sip_naddr_has(const struct sip_naddr *na, enum sip_naddr_pid id)
{
	return na->present & (1u << id);
}

/*
 * Looks up header parameter name (NUL-terminated, case-insensitive). True
 * if present, with *val its value (the inside of the quotes for a quoted
 * one; len 0 when written without '=value').
 */
bool sip_naddr_param(const struct sip_naddr *na, const char *base, const char *name,
		     struct sip_slice *val);

/* One element of a Contact header value. */
struct sip_contact {
	struct sip_naddr na;       /* not filled for "*"; err and err_off on error */
	uint32_t expires;          /* delta-seconds, saturated at 2^32-1 */
	uint32_t reg_id;           /* RFC 5626, 1..2^31-1 */
	uint16_t q;                /* thousandths 0..1000; 1000 when absent */
	bool star;                 /* the value is "*" */
	bool has_expires;
	bool has_q;
	bool has_reg_id;
	struct sip_slice instance; /* +sip.instance without quotes and <> (len 0: absent) */
};

/*
 * sip_naddr_next for a Contact value, decoding the Contact parameters:
 * expires (delta-seconds), q (qvalue: "0" to "1" with up to three
 * decimals), reg-id and +sip.instance ("<urn:...>" in quotes; the <> are
 * stripped when both are there). "*" is reported as c->star and must be
 * the whole value (SIP_NADDR_E_STAR_NOT_ALONE otherwise). Same returns
 * and *pos rules as sip_naddr_next.
 */
int sip_contact_next(const char *base, const char *s, size_t n, size_t *pos,
		     struct sip_contact *c);

#endif
