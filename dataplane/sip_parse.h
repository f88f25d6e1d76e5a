/* SPDX-License-Identifier: MIT */
/*
 * SIP light parser: one pass over the raw bytes of a SIP message (RFC 3261
 * §7, §20) that finds what the fast path needs — start line, Call-ID, CSeq,
 * top Via branch and sent-by, From/To tags, Content-Length, Max-Forwards —
 * and records every other header's position without interpreting it.
 *
 * Results are offset+length slices into the caller's buffer (16 bits each:
 * messages are capped at SIP_MSG_MAX bytes), so a parsed message is small,
 * position-independent and can ride in an mbuf's private area from the io
 * lcore to the worker without copying the bytes.
 *
 * This file links without DPDK so it can be unit-tested and fuzzed alone.
 */
#ifndef SLUICE_SIP_PARSE_H
#define SLUICE_SIP_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Largest message the parser accepts (UDP datagram after reassembly). */
#define SIP_MSG_MAX 16384

/* A slice of the message buffer; len == 0 means absent. */
struct sip_slice {
	uint16_t off;
	uint16_t len;
};

/* Methods the fast path knows; others parse as SIP_METHOD_OTHER. */
#define SIP_METHODS(X)         \
	X(INVITE, "INVITE")     \
	X(ACK, "ACK")           \
	X(BYE, "BYE")           \
	X(CANCEL, "CANCEL")     \
	X(OPTIONS, "OPTIONS")   \
	X(REGISTER, "REGISTER") \
	X(PRACK, "PRACK")       \
	X(SUBSCRIBE, "SUBSCRIBE") \
	X(NOTIFY, "NOTIFY")     \
	X(PUBLISH, "PUBLISH")   \
	X(INFO, "INFO")         \
	X(REFER, "REFER")       \
	X(MESSAGE, "MESSAGE")   \
	X(UPDATE, "UPDATE")

enum sip_method {
	SIP_METHOD_NONE = 0, /* a response */
#define SIP_X(id, s) SIP_METHOD_##id,
	SIP_METHODS(SIP_X)
#undef SIP_X
	SIP_METHOD_OTHER,
	SIP_METHOD_COUNT
};

/* Parse errors, each with a message (sip_perr_str). */
#define SIP_PERRS(X)                                                   \
	X(TRUNCATED, "message ends before the blank line after headers") \
	X(TOO_BIG, "message larger than SIP_MSG_MAX")                  \
	X(NUL, "NUL byte in the header section")                       \
	X(BAD_START_LINE, "malformed request or status line")         \
	X(BAD_VERSION, "SIP version is not SIP/2.0")                   \
	X(BAD_STATUS, "status code is not three digits 100-699")      \
	X(BAD_HEADER, "header line without a name and colon")         \
	X(NO_CALL_ID, "no Call-ID header")                             \
	X(DUP_CALL_ID, "more than one Call-ID header")                 \
	X(DUP_HEADER, "more than one From or To header")               \
	X(NO_CSEQ, "no CSeq header")                                   \
	X(BAD_CSEQ, "CSeq is not a number and a method")               \
	X(CSEQ_METHOD, "CSeq method differs from the request method")  \
	X(NO_VIA, "no Via header")                                     \
	X(BAD_VIA, "malformed Via header")                             \
	X(NO_FROM, "no From header")                                   \
	X(NO_TO, "no To header")                                       \
	X(BAD_CONTENT_LENGTH, "Content-Length is not a number")        \
	X(BODY_TRUNCATED, "body shorter than Content-Length")          \
	X(BAD_MAX_FORWARDS, "Max-Forwards is not a number 0-255")      \
	X(TOO_MANY_HEADERS, "more headers than SIP_MAX_HEADERS")

enum sip_perr {
	SIP_PERR_OK = 0,
#define SIP_X(id, s) SIP_PERR_##id,
	SIP_PERRS(SIP_X)
#undef SIP_X
	SIP_PERR_COUNT
};

/* Header names the parser recognises (full and compact forms). */
#define SIP_HDRS(X)                                   \
	X(VIA, "Via", 'v')                             \
	X(CALL_ID, "Call-ID", 'i')                     \
	X(CSEQ, "CSeq", 0)                             \
	X(FROM, "From", 'f')                           \
	X(TO, "To", 't')                               \
	X(CONTACT, "Contact", 'm')                     \
	X(CONTENT_LENGTH, "Content-Length", 'l')       \
	X(CONTENT_TYPE, "Content-Type", 'c')           \
	X(MAX_FORWARDS, "Max-Forwards", 0)             \
	X(ROUTE, "Route", 0)                           \
	X(RECORD_ROUTE, "Record-Route", 0)             \
	X(EXPIRES, "Expires", 0)                       \
	X(SUPPORTED, "Supported", 'k')                 \
	X(REQUIRE, "Require", 0)                       \
	X(ALLOW, "Allow", 0)                           \
	X(AUTHORIZATION, "Authorization", 0)           \
	X(PROXY_AUTHORIZATION, "Proxy-Authorization", 0) \
	X(USER_AGENT, "User-Agent", 0)                 \
	X(EVENT, "Event", 'o')                         \
	X(SUBJECT, "Subject", 's')                     \
	X(REFER_TO, "Refer-To", 'r')

enum sip_hdr_id {
	SIP_HDR_OTHER = 0,
#define SIP_X(id, s, c) SIP_HDR_##id,
	SIP_HDRS(SIP_X)
#undef SIP_X
	SIP_HDR_COUNT
};

#define SIP_MAX_HEADERS 64

/* One header line (with its continuation lines when folded). */
struct sip_hdr {
	uint8_t id;             /* enum sip_hdr_id */
	struct sip_slice name;  /* as written, e.g. "v" or "VIA" */
	struct sip_slice value; /* trimmed; may span folded lines */
	struct sip_slice line;  /* whole header incl. CRLF(s) */
};

struct sip_msg {
	uint8_t method;           /* enum sip_method; NONE for a response */
	uint8_t via_transport;    /* 0 unknown, 1 UDP, 2 TCP, 3 TLS, 4 SCTP, 5 WS, 6 WSS */
	uint8_t max_forwards;     /* valid if has_max_forwards */
	uint8_t has_max_forwards : 1;
	uint8_t has_content_length : 1;
	uint8_t via_has_rport : 1; /* top Via carries ";rport" */
	uint8_t lazy : 1;         /* sip_parse_lazy stopped before the blank line */
	uint16_t status;          /* 100..699 for a response, 0 for a request */
	uint16_t via_port;        /* top Via sent-by port, 0 if absent */
	uint16_t n_via;           /* Via values (a line may carry several) */
	uint16_t n_hdrs;
	uint16_t hdr_end;         /* offset just past the blank line: body start */
	uint16_t body_len;        /* Content-Length (or rest of datagram if absent) */
	uint16_t err_off;         /* on error: offset where parsing stopped */
	uint32_t cseq;
	struct sip_slice method_name; /* request method token, as written */
	struct sip_slice ruri;        /* request-URI */
	struct sip_slice reason;      /* response reason phrase */
	struct sip_slice call_id;
	struct sip_slice cseq_method;
	struct sip_slice via_host;    /* top Via sent-by host ([...] kept for IPv6) */
	struct sip_slice via_branch;  /* top Via branch parameter value */
	struct sip_slice from;        /* From header value */
	struct sip_slice from_tag;
	struct sip_slice to;          /* To header value */
	struct sip_slice to_tag;
	uint8_t hdr_idx[SIP_HDR_COUNT]; /* first index into hdrs[] +1, 0 absent */
	struct sip_hdr hdrs[SIP_MAX_HEADERS];
};

/*
 * Parses the datagram buf[0..len). Returns the number of bytes the message
 * occupies (headers + body, > 0) on success, or -enum sip_perr on error with
 * m->err_off set. A datagram is complete by definition, so truncation is an
 * error, never "need more". Never reads outside buf[0..len).
 */
int sip_parse(const char *buf, size_t len, struct sip_msg *m);

/*
 * The io lcore's parse: the start line, then header lines only until
 * Call-ID, CSeq and To have all been seen (what dispatch and admission
 * read), running only those three headers' handlers. What follows is not
 * read: no Via, From, Content-Length or Max-Forwards fields, hdr_end and
 * body_len 0, m->lazy set, and the return value is len. Every error in the
 * part read is reported as sip_parse would; errors further on are left for
 * the worker's full parse. If the blank line comes first, the result is a
 * full parse's less the skipped handlers (m->lazy clear).
 */
int sip_parse_lazy(const char *buf, size_t len, struct sip_msg *m);

/* Human text of an error code (positive enum value). */
const char *sip_perr_str(int err);

/* Canonical method name, e.g. "INVITE"; "" for NONE. */
const char *sip_method_str(enum sip_method method);

/* Canonical header name, e.g. "Call-ID". */
const char *sip_hdr_str(enum sip_hdr_id id);

/* First header with this id, or NULL. */
const struct sip_hdr *sip_hdr_find(const struct sip_msg *m, enum sip_hdr_id id);

/* Next header after h with the same id, or NULL. */
const struct sip_hdr *sip_hdr_next(const struct sip_msg *m, const struct sip_hdr *h);

/*
 * A parse kept beside its message, to be restored instead of parsed again:
 * the fields and the n_hdrs headers in use, never more than
 * sip_msg_packed_size(m) bytes. The slices are offsets into the message,
 * so the copy holds while the message's bytes do.
 */
size_t sip_msg_packed_size(const struct sip_msg *m);
void sip_msg_pack(const struct sip_msg *m, void *dst);
void sip_msg_unpack(const void *src, struct sip_msg *m);

/* Pointer to a slice's first byte. */
static inline const char *sip_ptr(const char *buf, struct sip_slice s)
{
	return buf + s.off;
}

#endif
