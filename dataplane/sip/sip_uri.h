/* SPDX-License-Identifier: MIT */
/*
 * SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966): a parser that
 * splits a URI into its parts, parameter lookup, the §19.1.4 comparison,
 * and a normaliser that turns the user part of a phone URI into digits
 * with an optional leading '+'.
 *
 * Results are struct sip_slice offsets relative to a base pointer the
 * caller chooses: pass the message buffer as base and a URI inside it as
 * s, and the slices compose with those of sip_parse (struct sip_msg); pass
 * base == s for a URI on its own. Every slice lies inside s[0..n), so the
 * URI must end at most UINT16_MAX bytes after base. Nothing is copied or
 * decoded: escapes (%HH) are kept as written, and only sip_uri_eq and the
 * phone normaliser look through them.
 *
 * The parser runs on worker lcores for every request it routes, so it does
 * not allocate, keeps no state and does work linear in n; a URI may carry
 * at most SIP_URI_PARAMS_MAX parameters and as many headers, which bounds
 * sip_uri_eq too. It links without DPDK (libc only).
 */
#ifndef SLUICE_SIP_URI_H
#define SLUICE_SIP_URI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sip_parse.h"

/* Most uri-parameters (and, separately, most headers) a URI may carry. */
#define SIP_URI_PARAMS_MAX 32

/* Parse errors, each with a message (sip_uri_err_str). */
#define SIP_URI_ERRS(X)                                                      \
	X(EMPTY, "empty URI")                                                \
	X(TOO_LONG, "URI ends more than 65535 bytes after its base")        \
	X(BAD_SCHEME, "scheme is not sip, sips or tel")                     \
	X(EMPTY_USER, "empty user part before '@'")                         \
	X(BAD_PASSWORD, "illegal character in the password")                \
	X(BAD_ESCAPE, "'%' not followed by two hex digits")                  \
	X(NO_HOST, "no host")                                               \
	X(BAD_HOST, "malformed hostname or IPv4 address")                   \
	X(BAD_IPV6, "malformed IPv6 reference")                             \
	X(BAD_PORT, "port is not 1-5 digits of 0-65535")                    \
	X(BAD_PARAM, "malformed uri-parameter")                             \
	X(BAD_TTL, "ttl parameter is not a number 0-255")                   \
	X(TOO_MANY_PARAMS, "more than SIP_URI_PARAMS_MAX parameters or headers") \
	X(BAD_HEADERS, "malformed headers part (?name=value&...)")          \
	X(BAD_TEL, "malformed telephone number in a tel URI")               \
	X(TRAILING, "unexpected character in the URI")

enum sip_uri_err {
	SIP_URI_E_OK = 0,
#define SIP_URI_X(id, s) SIP_URI_E_##id,
	SIP_URI_ERRS(SIP_URI_X)
#undef SIP_URI_X
	SIP_URI_E_COUNT
};

enum sip_uri_scheme {
	SIP_URI_SCHEME_NONE = 0,
	SIP_URI_SCHEME_SIP,
	SIP_URI_SCHEME_SIPS,
	SIP_URI_SCHEME_TEL,
};

enum sip_uri_host_kind {
	SIP_URI_HOST_NONE = 0, /* tel URIs */
	SIP_URI_HOST_NAME,
	SIP_URI_HOST_IPV4,
	SIP_URI_HOST_IPV6,     /* the slice keeps the brackets */
};

/* transport= values; the numbering is struct sip_msg's via_transport. */
enum sip_uri_transport {
	SIP_URI_TRANSPORT_NONE = 0, /* absent or unknown */
	SIP_URI_TRANSPORT_UDP,
	SIP_URI_TRANSPORT_TCP,
	SIP_URI_TRANSPORT_TLS,
	SIP_URI_TRANSPORT_SCTP,
	SIP_URI_TRANSPORT_WS,
	SIP_URI_TRANSPORT_WSS,
};

/*
 * A parsed URI. Slices are offsets from the caller's base; a slice with
 * len 0 is absent (or, where a flag says so, present and empty). The
 * known parameters are found at parse time (the first of each name wins);
 * any parameter, known or not, is found by sip_uri_param.
 */
struct sip_uri {
	uint8_t scheme;          /* enum sip_uri_scheme */
	uint8_t host_kind;       /* enum sip_uri_host_kind */
	uint8_t transport_id;    /* enum sip_uri_transport */
	uint8_t ttl;             /* valid if has_ttl */
	uint8_t has_port : 1;
	uint8_t has_password : 1; /* ':' in the userinfo (password may be empty) */
	uint8_t has_ttl : 1;
	uint8_t lr : 1;          /* ;lr present (with or without a value) */
	uint8_t user_phone : 1;  /* ;user=phone (any case) */
	uint8_t n_params;        /* uri-parameters */
	uint8_t n_headers;
	uint8_t err;             /* on error: enum sip_uri_err */
	uint16_t port;           /* 0 if absent */
	uint16_t err_off;        /* on error: offset from base where parsing stopped (0 for TOO_LONG) */
	uint32_t ipv4;           /* host byte order, if host_kind is IPV4 */
	struct sip_slice all;    /* the whole URI */
	struct sip_slice user;   /* userinfo before ':'; tel: the number */
	struct sip_slice password;
	struct sip_slice host;   /* hostname, dotted quad or [IPv6] */
	struct sip_slice params; /* after the first ';', up to '?' or the end */
	struct sip_slice headers; /* after '?', not decoded */
	struct sip_slice transport; /* known parameter values, as written */
	struct sip_slice user_param;
	struct sip_slice method;
	struct sip_slice maddr;
};

/*
 * Parses the URI s[0..n), where s lies at or after base. Returns n (> 0,
 * the whole input consumed) on success, or -enum sip_uri_err with u->err
 * and u->err_off set. The scheme is case-insensitive. A sip/sips URI
 * needs a host; a user part needs '@' after it, and its ':' splits off
 * the password. A tel URI's number goes in u->user (no host, port or
 * headers). Never reads outside s[0..n).
 */
int sip_uri_parse(const char *base, const char *s, size_t n, struct sip_uri *u);

/* Human text of an error code (positive or negative enum value). */
const char *sip_uri_err_str(int err);

/*
 * Looks up uri-parameter name (NUL-terminated, case-insensitive; escapes
 * in the URI's parameter names are not decoded). True if present, with
 * *val its value (len 0 when written without '=value').
 */
bool sip_uri_param(const struct sip_uri *u, const char *base, const char *name,
		   struct sip_slice *val);

/* True if p[0..n) is exactly a dotted-quad IPv4 address, stored in *addr
 * (host order). */
bool sip_ipv4_text(const char *p, size_t n, uint32_t *addr);

/* True if the host is a dotted-quad IPv4 address, stored in *addr (host order). */
bool sip_uri_host_ipv4(const struct sip_uri *u, uint32_t *addr);

/* True for a tel URI, or a sip/sips URI with ;user=phone. */
bool sip_uri_user_is_phone(const struct sip_uri *u);

/*
 * Normalises a phone number (RFC 3966 global or local number digits) into
 * out: an optional "tel:" prefix and anything from the first ';' on are
 * dropped, visual separators - . ( ) and spaces (also %20) are skipped,
 * a leading '+' is kept, and every other character must be a digit. No
 * dial-plan rewriting: "0015551230001" stays as it is. Returns the length
 * written (NUL-terminated), -EINVAL if s is not such a number (no digit,
 * a '+' not in front, any other character), or -ENOSPC if out is short.
 */
int sip_uri_phone_norm(const char *s, size_t n, char *out, size_t cap);

/* sip_uri_phone_norm of u's user part (a tel URI's number); -EINVAL if none. */
int sip_uri_phone(const struct sip_uri *u, const char *base, char *out, size_t cap);

/*
 * RFC 3261 §19.1.4 comparison of two parsed URIs (each with its base):
 * same scheme (sip never equals sips); user and password case-sensitive;
 * host, parameters and headers case-insensitive; a port or a transport,
 * user, ttl, method or maddr parameter in one only never matches; other
 * parameters count only when in both (the first of a repeated name, as
 * in sip_uri_param); headers must match as a set of name=value. An
 * escape equals the character it encodes unless that is reserved
 * (; / ? : @ & = + $ ,). Hosts are compared as text, never resolved.
 * tel URIs (RFC 3966 §4): the numbers without visual separators, and the
 * same parameters with values equal ignoring case.
 */
bool sip_uri_eq(const struct sip_uri *a, const char *abase, const struct sip_uri *b,
		const char *bbase);

#endif
