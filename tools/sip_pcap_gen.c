/* SPDX-License-Identifier: MIT */
/*
 * sip_pcap_gen: writes a pcap of the SIP-over-UDP traffic a hosted-PBX edge
 * receives on its port, for the dispatch benchmark (scripts/bench/dispatch)
 * and for replay through a net_pcap port.
 *
 * The mix is what phones and trunks send such a box: calls (INVITE with SDP,
 * 100, 180 or 183, 200 with SDP, ACK, BYE and its 200; some busy, not-found
 * and cancelled calls with CANCEL/487/ACK), OPTIONS keepalives, the 200s
 * answering the appliance's own OPTIONS pings, and REGISTER with and without
 * digest Authorization. The appliance is a B2BUA, so a call has two Call-IDs:
 * the caller's (A leg) and the one the appliance made for the callee (B leg),
 * whose responses carry the appliance's Via on top. Each device model in
 * gen_uas[] formats Call-IDs, tags and branches and picks its headers the way
 * that device does; one uses compact header names. Dialogs are interleaved
 * through a window of GEN_WINDOW in progress, so consecutive packets belong
 * to different Call-IDs, and 1% of INVITEs and 200s are retransmitted.
 *
 * Every packet goes to 198.18.0.1:5060 from a host in 198.18.0.0/15 with a
 * valid IPv4 header checksum and UDP checksum. The same seed and count give
 * the same file. A summary line ("packets=N ...") goes to stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#define GEN_APPL_IP     0xc6120001u /* 198.18.0.1, the appliance */
#define GEN_APPL_PORT   5060
#define GEN_NET         0xc6120000u /* 198.18.0.0/15: every source */
#define GEN_NET_SPAN    0x00020000u
#define GEN_LAN_MASK    0xffffff00u /* appliance's /24: on-link sources */
#define GEN_WINDOW      1024        /* dialogs in progress at once */
#define GEN_N_TRUNKS    24
#define GEN_N_TENANTS   240
#define GEN_PAYLOAD_MAX 1400
#define GEN_HDRS_LEN    (14 + 20 + 8)
#define GEN_FRAME_MAX   (GEN_HDRS_LEN + GEN_PAYLOAD_MAX)
#define GEN_REXMIT_MAX  32
#define GEN_ID_MAX      72

/* ---- random numbers (splitmix64: small, fast, reproducible) ---- */

struct gen_rng {
	uint64_t s;
};

static uint64_t
rng_u64(struct gen_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint32_t
rng_below(struct gen_rng *r, uint32_t n)
{
	return (uint32_t)(((rng_u64(r) >> 32) * n) >> 32);
}

static bool
rng_pct(struct gen_rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

/* ---- bounded text building ---- */

struct gen_buf {
	char *p;
	size_t len;
	size_t cap;
	bool overflow;
};

static void buf_vadd(struct gen_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Appends; on overflow marks the buffer, which the caller then rejects. */
static void
buf_vadd(struct gen_buf *b, const char *fmt, va_list ap)
{
	int n;

	if (b->overflow)
		return;
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	if (n < 0 || (size_t)n >= b->cap - b->len) {
		b->overflow = true;
		return;
	}
	b->len += (size_t)n;
}

static void buf_add(struct gen_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
buf_add(struct gen_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vadd(b, fmt, ap);
	va_end(ap);
}

/*
 * Expands an identifier pattern: '#' a decimal digit, 'x' a lowercase hex
 * digit, 'X' an uppercase one, '*' a letter or digit, '@' becomes "@host";
 * anything else is copied.
 */
static void
gen_id(struct gen_rng *r, const char *pat, const char *host, char *out,
       size_t cap)
{
	static const char alnum[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static const char hex[] = "0123456789abcdef0123456789ABCDEF";
	size_t n = 0;

	for (; *pat != '\0' && n + 1 < cap; pat++) {
		switch (*pat) {
		case '#':
			out[n++] = (char)('0' + rng_below(r, 10));
			break;
		case 'x':
			out[n++] = hex[rng_below(r, 16)];
			break;
		case 'X':
			out[n++] = hex[16 + rng_below(r, 16)];
			break;
		case '*':
			out[n++] = alnum[rng_below(r, sizeof(alnum) - 1)];
			break;
		case '@': {
			int k = snprintf(out + n, cap - n, "@%s", host);

			n = (k < 0 || (size_t)k >= cap - n) ? cap - 1 : n + (size_t)k;
			break;
		}
		default:
			out[n++] = *pat;
		}
	}
	out[n] = '\0';
}

static const char *
ip_str(uint32_t ip, char *out, size_t cap)
{
	snprintf(out, cap, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
		 (ip >> 8) & 0xff, ip & 0xff);
	return out;
}

/* ---- device models ---- */

enum gen_codecs {
	CODECS_WIDEBAND, /* desk phones and softphones: G.722, G.711, G.729 */
	CODECS_CARRIER,  /* trunks: G.711, G.729 */
};

struct gen_ua {
	const char *agent;      /* User-Agent / Server value */
	const char *callid;     /* gen_id() patterns */
	const char *tag;
	const char *branch;
	const char *allow;
	const char *supported;
	const char *contact_params; /* after the Contact URI's '>' */
	const char *sdp_session;    /* s= line */
	enum gen_codecs codecs;
	bool trunk;             /* several Vias, Record-Route, PAI, E.164 users */
	bool compact;           /* compact header names */
	unsigned weight;        /* share among phones or among trunks */
};

static const char allow_full[] =
	"INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, MESSAGE, SUBSCRIBE, INFO, PRACK, UPDATE";

static const struct gen_ua gen_uas[] = {
	{ "Yealink SIP-T46S 66.86.0.15", "0_##########@", "##########",
	  "z9hG4bK##########",
	  "INVITE, INFO, PRACK, ACK, BYE, CANCEL, OPTIONS, NOTIFY, REGISTER, SUBSCRIBE, REFER, PUBLISH, UPDATE, MESSAGE",
	  "replaces",
	  ";reg-id=1;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-805ec0xxxxxx>\"",
	  "SDP data", CODECS_WIDEBAND, false, false, 34 },
	{ "PolycomVVX-VVX_450-UA/6.4.3.5018", "xxxxxxxx-xxxxxxxx-xxxxxxxx@",
	  "XXXXXXXX-XXXXXXXX", "z9hG4bKxxxxxxxxXXXXXXXX",
	  "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, MESSAGE, SUBSCRIBE, NOTIFY, PRACK, UPDATE, REFER",
	  "100rel,replaces", ";methods=\"INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, MESSAGE, SUBSCRIBE, NOTIFY, PRACK, UPDATE, REFER\"",
	  "Polycom IP Phone", CODECS_WIDEBAND, false, false, 22 },
	{ "Grandstream GXP2170 1.0.11.23", "##########-5060-#@", "##########",
	  "z9hG4bK##########",
	  "INVITE, ACK, OPTIONS, CANCEL, BYE, SUBSCRIBE, NOTIFY, INFO, REFER, UPDATE, MESSAGE",
	  "replaces, path, timer", "", "SIP Call", CODECS_WIDEBAND, false,
	  false, 14 },
	{ "Bria 6 release 6.5.2 stamp 112118", "**********************",
	  "xxxxxxxx", "z9hG4bK-524287-1---xxxxxxxxxxxxxxxx",
	  "INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE",
	  "replaces, norefersub, extended-refer, timer, sec-agree, outbound, path, X-cisco-serviceuri",
	  ";+sip.instance=\"<urn:uuid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx>\"",
	  "Bria 6 release 6.5.2 stamp 112118", CODECS_WIDEBAND, false, false,
	  18 },
	/* A mobile client that saves bytes with compact header names. */
	{ "SoftphoneLite/2.4 (Android 13)", "**********", "*********",
	  "z9hG4bK.*********", allow_full, "outbound, gruu", "", "Talk",
	  CODECS_WIDEBAND, false, true, 12 },
	{ "Cisco-SIPGateway/IOS-15.9.3.M4",
	  "XXXXXXXX-XXXXXXXX-XXXXXXXX-XXXXXXXX@", "XXXXXXXX-XXXX",
	  "z9hG4bKXXXXXXXXX",
	  "INVITE, OPTIONS, BYE, CANCEL, ACK, PRACK, UPDATE, REFER, SUBSCRIBE, NOTIFY, INFO, REGISTER",
	  "timer,resource-priority,replaces,sdp-anat", "", "SIP Call",
	  CODECS_CARRIER, true, false, 40 },
	{ "FreeSWITCH-mod_sofia/1.10.9-release~64bit",
	  "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", "*************",
	  "z9hG4bK*************",
	  "INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, INFO, UPDATE, REGISTER, REFER, NOTIFY",
	  "timer, path, replaces", "", "FreeSWITCH", CODECS_CARRIER, true,
	  false, 30 },
	{ "Asterisk PBX 20.5.0", "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
	  "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
	  "z9hG4bKPjxxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
	  "OPTIONS, REGISTER, SUBSCRIBE, NOTIFY, PUBLISH, INVITE, ACK, BYE, CANCEL, UPDATE, PRACK, MESSAGE, REFER",
	  "100rel, timer, replaces, norefersub, histinfo", "", "Asterisk",
	  CODECS_CARRIER, true, false, 30 },
};

#define GEN_N_UAS (sizeof(gen_uas) / sizeof(gen_uas[0]))

/* The appliance's own identifiers, echoed back in B-leg responses. */
static const char appl_callid[] = "xxxxxxxxxxxxxxxx-xxxxxxxx@";
static const char appl_host[] = "198.18.0.1";
static const char appl_tag[] = "sl-xxxxxxxxxxxx";
static const char appl_branch[] = "z9hG4bK-sl-xxxxxxxxxxxxxxxx";

/* ---- header names: full and compact (RFC 3261 section 7.3.3) ---- */

enum gen_hdr {
	H_VIA, H_FROM, H_TO, H_CALLID, H_CSEQ, H_CONTACT, H_MAXFWD, H_RR,
	H_ALLOW, H_SUPPORTED, H_UA, H_SERVER, H_CTYPE, H_CLEN, H_EXPIRES,
	H_AUTH, H_ACCEPT, H_SESSEXP, H_PAI, H_ALLOW_EVENTS, H_REASON,
};

static const struct {
	const char *full;
	const char *compact;
} hdr_names[] = {
	[H_VIA] = { "Via", "v" },
	[H_FROM] = { "From", "f" },
	[H_TO] = { "To", "t" },
	[H_CALLID] = { "Call-ID", "i" },
	[H_CSEQ] = { "CSeq", NULL },
	[H_CONTACT] = { "Contact", "m" },
	[H_MAXFWD] = { "Max-Forwards", NULL },
	[H_RR] = { "Record-Route", NULL },
	[H_ALLOW] = { "Allow", NULL },
	[H_SUPPORTED] = { "Supported", "k" },
	[H_UA] = { "User-Agent", NULL },
	[H_SERVER] = { "Server", NULL },
	[H_CTYPE] = { "Content-Type", "c" },
	[H_CLEN] = { "Content-Length", "l" },
	[H_EXPIRES] = { "Expires", NULL },
	[H_AUTH] = { "Authorization", NULL },
	[H_ACCEPT] = { "Accept", NULL },
	[H_SESSEXP] = { "Session-Expires", "x" },
	[H_PAI] = { "P-Asserted-Identity", NULL },
	[H_ALLOW_EVENTS] = { "Allow-Events", "u" },
	[H_REASON] = { "Reason", NULL },
};

static void hdr(struct gen_buf *b, bool compact, enum gen_hdr h,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
hdr(struct gen_buf *b, bool compact, enum gen_hdr h, const char *fmt, ...)
{
	const char *name = hdr_names[h].full;
	va_list ap;

	if (compact && hdr_names[h].compact != NULL)
		name = hdr_names[h].compact;
	buf_add(b, "%s: ", name);
	va_start(ap, fmt);
	buf_vadd(b, fmt, ap);
	va_end(ap);
	buf_add(b, "\r\n");
}

/* ---- the population: phones, trunks, tenants ---- */

struct gen_peer {
	uint32_t ip;            /* host order, inside 198.18.0.0/15 */
	uint16_t port;
	uint16_t tenant;
	const struct gen_ua *ua;
	char user[20];          /* extension (phones) or E.164 (trunks) */
	char did[16];           /* the phone's direct number */
	char host[16];          /* dotted ip */
	char contact_params[128];   /* ua->contact_params, expanded */
	char reg_callid[GEN_ID_MAX]; /* phones keep one Call-ID for REGISTER */
	uint32_t reg_cseq;
	bool registered;        /* its registration Call-ID has been counted */
};

static const char *const tenant_words[] = {
	"acme", "globex", "initech", "umbrella", "hooli", "vandelay",
	"stark", "wayne", "tyrell", "cyberdyne", "soylent", "wonka",
};

static const char *const person_names[] = {
	"Alice Moreau", "Bob Lindqvist", "Carla Jimenez", "Deepak Rao",
	"Erin O'Neil", "Farah Haddad", "Gustav Berg", "Hana Sato",
	"Ivan Petrov", "Julia Santos", "Kwame Mensah", "Lena Fischer",
	"Mateo Rossi", "Nadia Kowalski", "Omar Aziz", "Priya Nair",
	"Front Desk", "Reception", "Sales Line", "Support Queue",
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void
tenant_domain(unsigned t, char *out, size_t cap)
{
	snprintf(out, cap, "%s%u.example.com",
		 tenant_words[t % ARRAY_LEN(tenant_words)],
		 t / (unsigned)ARRAY_LEN(tenant_words));
}

/*
 * A host address spread over 198.18.0.0/15: never .0 or .255, and never
 * 198.18.0.0-15, which the appliance and the lab's test hosts use.
 */
static uint32_t
gen_host_ip(struct gen_rng *r)
{
	uint32_t ip;

	do {
		ip = GEN_NET + rng_below(r, GEN_NET_SPAN);
	} while ((ip & 0xff) == 0 || (ip & 0xff) == 0xff ||
		 (ip & 0xfffffff0u) == (GEN_APPL_IP & 0xfffffff0u));
	return ip;
}

static const struct gen_ua *
gen_pick_ua(struct gen_rng *r, bool trunk)
{
	unsigned total = 0, pick;
	size_t i;

	for (i = 0; i < GEN_N_UAS; i++)
		if (gen_uas[i].trunk == trunk)
			total += gen_uas[i].weight;
	pick = rng_below(r, total);
	for (i = 0; i < GEN_N_UAS; i++) {
		if (gen_uas[i].trunk != trunk)
			continue;
		if (pick < gen_uas[i].weight)
			return &gen_uas[i];
		pick -= gen_uas[i].weight;
	}
	return &gen_uas[0];
}

static void
e164(struct gen_rng *r, char *out, size_t cap)
{
	/* +1 NPA NXX XXXX with NPA and NXX starting 2..9. */
	snprintf(out, cap, "+1%u%02u%u%02u%04u", 2 + rng_below(r, 8),
		 rng_below(r, 100), 2 + rng_below(r, 8), rng_below(r, 100),
		 rng_below(r, 10000));
}

static void
peer_init(struct gen_rng *r, struct gen_peer *p, bool trunk, unsigned idx)
{
	p->ip = gen_host_ip(r);
	p->ua = gen_pick_ua(r, trunk);
	p->tenant = (uint16_t)rng_below(r, GEN_N_TENANTS);
	ip_str(p->ip, p->host, sizeof(p->host));
	e164(r, p->did, sizeof(p->did));
	gen_id(r, p->ua->contact_params, "", p->contact_params,
	       sizeof(p->contact_params));
	if (trunk) {
		p->port = 5060;
		snprintf(p->user, sizeof(p->user), "%s", p->did);
	} else {
		/* Most phones sit behind NAT: an ephemeral source port. */
		p->port = rng_pct(r, 70) ? (uint16_t)(32768 + rng_below(r, 28232))
					 : 5060;
		snprintf(p->user, sizeof(p->user), "%u", 100 + idx % 900);
		gen_id(r, p->ua->callid, p->host, p->reg_callid,
		       sizeof(p->reg_callid));
		p->reg_cseq = 1 + rng_below(r, 5000);
	}
}

/* ---- dialogs and the scripts they follow ---- */

enum gen_kind {
	K_INVITE, K_100, K_180, K_200_INVITE, K_ACK_2XX, K_ACK_ERR, K_CANCEL,
	K_200_CANCEL, K_487, K_486, K_404, K_BYE_A, K_BYE_B, K_200_BYE_A,
	K_200_BYE_B, K_OPTIONS, K_200_OPTIONS, K_REGISTER, K_REGISTER_AUTH,
	K__COUNT
};

struct gen_call {
	const struct gen_script *script;
	unsigned step;
	struct gen_peer *a;     /* caller, or the only peer of OPTIONS/REGISTER */
	struct gen_peer *b;     /* callee */
	char cid_a[GEN_ID_MAX]; /* caller's Call-ID */
	char cid_b[GEN_ID_MAX]; /* the appliance's Call-ID toward the callee */
	char a_tag[GEN_ID_MAX]; /* caller's From tag */
	char a_ltag[24];        /* appliance's To tag on the A leg */
	char b_tag[GEN_ID_MAX]; /* callee's To tag */
	char b_ltag[24];        /* appliance's From tag on the B leg */
	char a_branch[GEN_ID_MAX]; /* INVITE branch, reused by CANCEL and ACK */
	char b_branch[GEN_ID_MAX]; /* appliance's INVITE branch on the B leg */
	char up_via[2][112];     /* trunk callers: upstream hops' Vias */
	char from_user[20];
	char to_user[20];
	const char *from_name;
	char domain[48];
	uint32_t a_cseq;
	uint32_t b_bye_cseq;    /* callee's first request CSeq */
	uint64_t a_sess;
	uint64_t b_sess;
	uint16_t a_rtp;
	uint16_t b_rtp;
};

struct gen_script {
	const char *name;
	const uint8_t *steps;
	unsigned n_steps;
	unsigned n_callids;     /* Call-IDs a run of this script adds */
};

#define SCRIPT(nm, ncid, ...) { nm, (const uint8_t[]){ __VA_ARGS__ }, \
	sizeof((const uint8_t[]){ __VA_ARGS__ }), ncid }

enum gen_script_id {
	S_ANSWERED_A, S_ANSWERED_B, S_CANCELLED, S_BUSY, S_NOT_FOUND,
	S_OPTIONS_IN, S_OPTIONS_OUT, S_REGISTER, S_REREGISTER, S__COUNT
};

static const struct gen_script gen_scripts[S__COUNT] = {
	[S_ANSWERED_A] = SCRIPT("answered, caller hangs up", 2, K_INVITE,
				K_100, K_180, K_200_INVITE, K_ACK_2XX, K_BYE_A,
				K_200_BYE_B),
	[S_ANSWERED_B] = SCRIPT("answered, callee hangs up", 2, K_INVITE,
				K_100, K_180, K_200_INVITE, K_ACK_2XX, K_BYE_B,
				K_200_BYE_A),
	[S_CANCELLED] = SCRIPT("cancelled", 2, K_INVITE, K_100, K_180,
			       K_CANCEL, K_200_CANCEL, K_487, K_ACK_ERR),
	[S_BUSY] = SCRIPT("busy", 2, K_INVITE, K_100, K_486, K_ACK_ERR),
	[S_NOT_FOUND] = SCRIPT("not found", 2, K_INVITE, K_100, K_404,
			       K_ACK_ERR),
	[S_OPTIONS_IN] = SCRIPT("OPTIONS keepalive", 1, K_OPTIONS),
	[S_OPTIONS_OUT] = SCRIPT("200 to our OPTIONS ping", 1, K_200_OPTIONS),
	[S_REGISTER] = SCRIPT("REGISTER, challenged", 0, K_REGISTER,
			      K_REGISTER_AUTH),
	[S_REREGISTER] = SCRIPT("REGISTER refresh", 0, K_REGISTER_AUTH),
};

/* How many of each script per 1000 calls. */
static const unsigned script_per_mille[S__COUNT] = {
	[S_ANSWERED_A] = 360, [S_ANSWERED_B] = 360, [S_CANCELLED] = 140,
	[S_BUSY] = 80, [S_NOT_FOUND] = 60, [S_OPTIONS_IN] = 1500,
	[S_OPTIONS_OUT] = 500, [S_REGISTER] = 250, [S_REREGISTER] = 250,
};

struct gen_pending {
	const struct gen_peer *from;
	uint64_t due;           /* packet number after which it goes out */
	size_t len;
	char payload[GEN_PAYLOAD_MAX];
};

struct gen_ctx {
	struct gen_rng rng;
	pcap_dumper_t *dump;
	uint8_t dst_mac[6];
	struct gen_peer *phones;
	unsigned n_phones;
	struct gen_peer trunks[GEN_N_TRUNKS];
	struct gen_call window[GEN_WINDOW];
	unsigned active;
	uint64_t left[S__COUNT];
	uint64_t left_total;
	uint64_t ts_us;
	uint16_t ip_id;
	uint64_t n_pkts;
	uint64_t n_bytes;
	uint64_t n_callids;
	uint64_t per_kind[K__COUNT];
	uint64_t kind_bytes[K__COUNT];
	struct gen_pending rexmit[GEN_REXMIT_MAX];
	unsigned n_rexmit;
};

/* ---- Ethernet/IPv4/UDP framing ---- */

static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len == 1)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/*
 * Source MAC: hosts on the appliance's /24 send from their own address;
 * everyone else arrives through the upstream router.
 */
static void
src_mac(uint32_t ip, uint8_t mac[6])
{
	static const uint8_t router[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe };

	if ((ip & GEN_LAN_MASK) == (GEN_APPL_IP & GEN_LAN_MASK)) {
		const uint8_t m[6] = { 0x02, 0x53, 0xc6, 0x12, 0x00,
				       (uint8_t)ip };

		memcpy(mac, m, 6);
	} else {
		memcpy(mac, router, 6);
	}
}

static size_t
frame_build(struct gen_ctx *g, uint8_t *f, const struct gen_peer *from,
	    const char *payload, size_t plen)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	uint16_t ulen = (uint16_t)(8 + plen);
	uint32_t sum;
	uint16_t c;
	bool on_link = (from->ip & GEN_LAN_MASK) == (GEN_APPL_IP & GEN_LAN_MASK);

	memcpy(f, g->dst_mac, 6);
	src_mac(from->ip, f + 6);
	put16(f + 12, 0x0800);

	ip[0] = 0x45;
	ip[1] = from->ua->trunk ? 0x60 : 0x00; /* trunks mark signalling CS3 */
	put16(ip + 2, (uint16_t)(20 + ulen));
	put16(ip + 4, g->ip_id++);
	put16(ip + 6, 0x4000); /* DF, as Linux and most stacks send UDP */
	ip[8] = (uint8_t)(on_link ? 64 : 52 + from->ip % 11);
	ip[9] = 17;
	put16(ip + 10, 0);
	put32(ip + 12, from->ip);
	put32(ip + 16, GEN_APPL_IP);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));

	put16(udp, from->port);
	put16(udp + 2, GEN_APPL_PORT);
	put16(udp + 4, ulen);
	put16(udp + 6, 0);
	memcpy(udp + 8, payload, plen);

	/* Pseudo-header: addresses, protocol, UDP length; then header+data. */
	sum = csum_add(0, ip + 12, 8);
	sum += 17 + ulen;
	sum = csum_add(sum, udp, ulen);
	c = csum_fold(sum);
	put16(udp + 6, c == 0 ? 0xffff : c);
	return GEN_HDRS_LEN + plen;
}

static void
gen_write(struct gen_ctx *g, const struct gen_peer *from, const char *payload,
	  size_t plen)
{
	uint8_t frame[GEN_FRAME_MAX];
	struct pcap_pkthdr h;
	size_t len = frame_build(g, frame, from, payload, plen);

	/* Roughly 9,000 messages a second of capture time. */
	g->ts_us += 20 + rng_below(&g->rng, 180);
	h.ts.tv_sec = (time_t)(1700000000 + g->ts_us / 1000000);
	h.ts.tv_usec = (suseconds_t)(g->ts_us % 1000000);
	h.caplen = h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)g->dump, &h, frame);
	g->n_pkts++;
	g->n_bytes += len;
}

/* Sends retransmissions whose time has come (or all, when flushing). */
static void
gen_rexmit_due(struct gen_ctx *g, bool flush)
{
	unsigned i = 0;

	while (i < g->n_rexmit) {
		struct gen_pending *p = &g->rexmit[i];

		if (!flush && p->due > g->n_pkts) {
			i++;
			continue;
		}
		gen_write(g, p->from, p->payload, p->len);
		*p = g->rexmit[--g->n_rexmit];
	}
}

/* ---- SDP ---- */

static void
sdp_build(struct gen_buf *b, const struct gen_peer *p, uint64_t sess,
	  uint16_t rtp, bool answer)
{
	const struct gen_ua *ua = p->ua;

	buf_add(b, "v=0\r\no=%s %" PRIu64 " %" PRIu64 " IN IP4 %s\r\n",
		ua->trunk ? "-" : p->user, sess, sess + (answer ? 1 : 0),
		p->host);
	buf_add(b, "s=%s\r\nc=IN IP4 %s\r\nt=0 0\r\n", ua->sdp_session,
		p->host);
	if (answer) {
		buf_add(b, "m=audio %u RTP/AVP 0 101\r\n"
			"a=rtpmap:0 PCMU/8000\r\n"
			"a=rtpmap:101 telephone-event/8000\r\n"
			"a=fmtp:101 0-16\r\na=ptime:20\r\n", rtp);
	} else if (ua->codecs == CODECS_WIDEBAND) {
		buf_add(b, "m=audio %u RTP/AVP 9 0 8 18 101\r\n"
			"a=rtpmap:9 G722/8000\r\n"
			"a=rtpmap:0 PCMU/8000\r\n"
			"a=rtpmap:8 PCMA/8000\r\n"
			"a=rtpmap:18 G729/8000\r\n"
			"a=rtpmap:101 telephone-event/8000\r\n"
			"a=fmtp:101 0-16\r\n"
			"a=ptime:20\r\n", rtp);
	} else {
		buf_add(b, "m=audio %u RTP/AVP 0 8 18 101\r\n"
			"a=rtpmap:0 PCMU/8000\r\n"
			"a=rtpmap:8 PCMA/8000\r\n"
			"a=rtpmap:18 G729/8000\r\n"
			"a=fmtp:18 annexb=no\r\n"
			"a=rtpmap:101 telephone-event/8000\r\n"
			"a=fmtp:101 0-15\r\n"
			"a=ptime:20\r\n", rtp);
	}
	buf_add(b, "a=sendrecv\r\n");
}

/* Content-Type/Length, the blank line and the body. */
static void
put_body(struct gen_buf *b, bool compact, const struct gen_buf *body)
{
	if (body != NULL && body->overflow)
		b->overflow = true; /* a truncated SDP must not go out */
	if (body != NULL && body->len > 0)
		hdr(b, compact, H_CTYPE, "application/sdp");
	hdr(b, compact, H_CLEN, "%zu", body != NULL ? body->len : 0);
	buf_add(b, "\r\n");
	if (body != NULL && body->len > 0)
		buf_add(b, "%.*s", (int)body->len, body->p);
}

/* ---- message builders: one per kind, all into g's buffers ---- */

struct gen_msg {
	struct gen_ctx *g;
	struct gen_call *c;
	struct gen_buf *b;
};

static void
via_peer(struct gen_msg *m, const struct gen_peer *p, const char *branch)
{
	hdr(m->b, p->ua->compact, H_VIA, "SIP/2.0/UDP %s:%u;branch=%s;rport",
	    p->host, p->port, branch);
}

/* The appliance's Via as a peer echoes it in a response. */
static void
via_appl(struct gen_msg *m, const struct gen_peer *p, const char *branch)
{
	hdr(m->b, p->ua->compact, H_VIA,
	    "SIP/2.0/UDP 198.18.0.1:5060;rport=5060;branch=%s", branch);
}

static void
new_branch(struct gen_msg *m, const struct gen_peer *p, char *out, size_t cap)
{
	gen_id(&m->g->rng, p->ua->branch, p->host, out, cap);
}

static void
caller_from_to(struct gen_msg *m, bool to_tag)
{
	struct gen_call *c = m->c;
	bool k = c->a->ua->compact;

	if (c->a->ua->trunk)
		hdr(m->b, k, H_FROM, "\"%s\" <sip:%s@%s;user=phone>;tag=%s",
		    c->from_name, c->from_user, c->a->host, c->a_tag);
	else
		hdr(m->b, k, H_FROM, "\"%s\" <sip:%s@%s>;tag=%s", c->from_name,
		    c->from_user, c->domain, c->a_tag);
	if (to_tag)
		hdr(m->b, k, H_TO, "<sip:%s@%s>;tag=%s", c->to_user, c->domain,
		    c->a_ltag);
	else
		hdr(m->b, k, H_TO, "<sip:%s@%s>", c->to_user, c->domain);
}

/* From/To of the B leg as the callee writes them (appliance is From). */
static void
callee_from_to(struct gen_msg *m, bool to_tag)
{
	struct gen_call *c = m->c;
	bool k = c->b->ua->compact;

	hdr(m->b, k, H_FROM, "\"%s\" <sip:%s@%s>;tag=%s", c->from_name,
	    c->from_user, c->domain, c->b_ltag);
	if (to_tag)
		hdr(m->b, k, H_TO, "<sip:%s@%s>;tag=%s", c->to_user, c->b->host,
		    c->b_tag);
	else
		hdr(m->b, k, H_TO, "<sip:%s@%s>", c->to_user, c->b->host);
}

static void
ruri_invite(struct gen_msg *m, const char *method)
{
	struct gen_call *c = m->c;

	if (c->a->ua->trunk)
		buf_add(m->b, "%s sip:%s@198.18.0.1:5060;user=phone SIP/2.0\r\n",
			method, c->to_user);
	else
		buf_add(m->b, "%s sip:%s@%s SIP/2.0\r\n", method, c->to_user,
			c->domain);
}

static void
build_invite(struct gen_msg *m)
{
	struct gen_call *c = m->c;
	const struct gen_peer *a = c->a;
	const struct gen_ua *ua = a->ua;
	char body_mem[1024];
	struct gen_buf body = { body_mem, 0, sizeof(body_mem), false };
	bool k = ua->compact;
	unsigned i;

	sdp_build(&body, a, c->a_sess, c->a_rtp, false);
	ruri_invite(m, "INVITE");
	via_peer(m, a, c->a_branch);
	if (ua->trunk) {
		for (i = 0; i < 2 && c->up_via[i][0] != '\0'; i++)
			hdr(m->b, k, H_VIA, "%s", c->up_via[i]);
		hdr(m->b, k, H_RR, "<sip:%s;lr>", a->host);
		hdr(m->b, k, H_MAXFWD, "68");
	} else {
		hdr(m->b, k, H_MAXFWD, "70");
	}
	caller_from_to(m, false);
	hdr(m->b, k, H_CALLID, "%s", c->cid_a);
	hdr(m->b, k, H_CSEQ, "%u INVITE", c->a_cseq);
	hdr(m->b, k, H_CONTACT, "<sip:%s@%s:%u;transport=udp>%s", c->from_user,
	    a->host, a->port, a->contact_params);
	if (ua->trunk) {
		hdr(m->b, k, H_PAI, "\"%s\" <sip:%s@%s;user=phone>",
		    c->from_name, c->from_user, a->host);
		hdr(m->b, k, H_SESSEXP, "1800;refresher=uac");
	} else {
		hdr(m->b, k, H_ALLOW_EVENTS,
		    "talk, hold, conference, refer, check-sync");
	}
	hdr(m->b, k, H_ALLOW, "%s", ua->allow);
	hdr(m->b, k, H_SUPPORTED, "%s", ua->supported);
	hdr(m->b, k, H_UA, "%s", ua->agent);
	put_body(m->b, k, &body);
}

/* Status line and the dialog headers of a B-leg response to the INVITE. */
static void
resp_head(struct gen_msg *m, const char *status, bool to_tag,
	  const char *method)
{
	struct gen_call *c = m->c;
	bool k = c->b->ua->compact;

	buf_add(m->b, "SIP/2.0 %s\r\n", status);
	via_appl(m, c->b, c->b_branch);
	callee_from_to(m, to_tag);
	hdr(m->b, k, H_CALLID, "%s", c->cid_b);
	hdr(m->b, k, H_CSEQ, "1 %s", method);
}

static void
put_server(struct gen_msg *m, const struct gen_peer *p)
{
	/* Phones say User-Agent in responses, servers say Server. */
	hdr(m->b, p->ua->compact, p->ua->trunk ? H_SERVER : H_UA, "%s",
	    p->ua->agent);
}

static void
build_100(struct gen_msg *m)
{
	resp_head(m, "100 Trying", false, "INVITE");
	put_server(m, m->c->b);
	put_body(m->b, m->c->b->ua->compact, NULL);
}

static void
callee_contact(struct gen_msg *m)
{
	const struct gen_peer *b = m->c->b;

	if (b->ua->trunk)
		hdr(m->b, false, H_RR, "<sip:%s:5060;lr>", b->host);
	hdr(m->b, b->ua->compact, H_CONTACT, "<sip:%s@%s:%u>", m->c->to_user,
	    b->host, b->port);
}

static void
build_180(struct gen_msg *m)
{
	struct gen_call *c = m->c;
	const struct gen_peer *b = c->b;
	char body_mem[1024];
	struct gen_buf body = { body_mem, 0, sizeof(body_mem), false };

	/* Trunks give early media (183 with SDP); phones ring. */
	if (b->ua->trunk)
		sdp_build(&body, b, c->b_sess, c->b_rtp, true);
	resp_head(m, b->ua->trunk ? "183 Session Progress" : "180 Ringing",
		  true, "INVITE");
	callee_contact(m);
	hdr(m->b, b->ua->compact, H_ALLOW, "%s", b->ua->allow);
	put_server(m, b);
	put_body(m->b, b->ua->compact, &body);
}

static void
build_200_invite(struct gen_msg *m)
{
	struct gen_call *c = m->c;
	const struct gen_peer *b = c->b;
	char body_mem[1024];
	struct gen_buf body = { body_mem, 0, sizeof(body_mem), false };
	bool k = b->ua->compact;

	sdp_build(&body, b, c->b_sess, c->b_rtp, true);
	resp_head(m, "200 OK", true, "INVITE");
	callee_contact(m);
	hdr(m->b, k, H_ALLOW, "%s", b->ua->allow);
	hdr(m->b, k, H_SUPPORTED, "%s", b->ua->supported);
	if (b->ua->trunk)
		hdr(m->b, k, H_SESSEXP, "1800;refresher=uac");
	put_server(m, b);
	put_body(m->b, k, &body);
}

static void
build_final_error(struct gen_msg *m, const char *status, const char *cause)
{
	resp_head(m, status, true, "INVITE");
	if (cause != NULL)
		hdr(m->b, false, H_REASON, "Q.850;cause=%s", cause);
	put_server(m, m->c->b);
	put_body(m->b, m->c->b->ua->compact, NULL);
}

static void
build_486(struct gen_msg *m)
{
	build_final_error(m, "486 Busy Here", "17");
}

static void
build_404(struct gen_msg *m)
{
	build_final_error(m, "404 Not Found", "1");
}

static void
build_487(struct gen_msg *m)
{
	build_final_error(m, "487 Request Terminated", NULL);
}

static void
build_200_cancel(struct gen_msg *m)
{
	resp_head(m, "200 OK", true, "CANCEL");
	put_server(m, m->c->b);
	put_body(m->b, m->c->b->ua->compact, NULL);
}

/* Requests the caller sends within or about its INVITE transaction. */
static void
caller_request(struct gen_msg *m, const char *method, bool in_dialog,
	       bool same_branch, uint32_t cseq, const char *reason)
{
	struct gen_call *c = m->c;
	const struct gen_peer *a = c->a;
	bool k = a->ua->compact;
	char br[GEN_ID_MAX];

	if (in_dialog)
		buf_add(m->b, "%s sip:%s@198.18.0.1:5060 SIP/2.0\r\n", method,
			c->to_user);
	else
		ruri_invite(m, method);
	if (same_branch) {
		via_peer(m, a, c->a_branch);
	} else {
		new_branch(m, a, br, sizeof(br));
		via_peer(m, a, br);
		if (c->up_via[0][0] != '\0')
			hdr(m->b, k, H_VIA, "%s", c->up_via[0]);
	}
	hdr(m->b, k, H_MAXFWD, "70");
	caller_from_to(m, in_dialog || strcmp(method, "ACK") == 0);
	hdr(m->b, k, H_CALLID, "%s", c->cid_a);
	hdr(m->b, k, H_CSEQ, "%u %s", cseq, method);
	if (reason != NULL)
		hdr(m->b, k, H_REASON, "%s", reason);
	hdr(m->b, k, H_UA, "%s", a->ua->agent);
	put_body(m->b, k, NULL);
}

static void
build_ack_2xx(struct gen_msg *m)
{
	caller_request(m, "ACK", true, false, m->c->a_cseq, NULL);
}

static void
build_ack_err(struct gen_msg *m)
{
	caller_request(m, "ACK", false, true, m->c->a_cseq, NULL);
}

static void
build_cancel(struct gen_msg *m)
{
	caller_request(m, "CANCEL", false, true, m->c->a_cseq,
		       "SIP;cause=487;text=\"ORIGINATOR_CANCEL\"");
}

static void
build_bye_a(struct gen_msg *m)
{
	caller_request(m, "BYE", true, false, m->c->a_cseq + 1,
		       "Q.850;cause=16;text=\"Normal call clearing\"");
}

/* The callee hangs up: a BYE on the B leg, toward the appliance. */
static void
build_bye_b(struct gen_msg *m)
{
	struct gen_call *c = m->c;
	const struct gen_peer *b = c->b;
	bool k = b->ua->compact;
	char br[GEN_ID_MAX];

	new_branch(m, b, br, sizeof(br));
	buf_add(m->b, "BYE sip:%s@198.18.0.1:5060;transport=udp SIP/2.0\r\n",
		c->from_user);
	via_peer(m, b, br);
	hdr(m->b, k, H_MAXFWD, "70");
	hdr(m->b, k, H_FROM, "<sip:%s@%s>;tag=%s", c->to_user, b->host,
	    c->b_tag);
	hdr(m->b, k, H_TO, "\"%s\" <sip:%s@%s>;tag=%s", c->from_name,
	    c->from_user, c->domain, c->b_ltag);
	hdr(m->b, k, H_CALLID, "%s", c->cid_b);
	hdr(m->b, k, H_CSEQ, "%u BYE", c->b_bye_cseq);
	hdr(m->b, k, H_REASON, "Q.850;cause=16");
	hdr(m->b, k, H_UA, "%s", b->ua->agent);
	put_body(m->b, k, NULL);
}

/* The caller answers the appliance's BYE on the A leg. */
static void
build_200_bye_a(struct gen_msg *m)
{
	struct gen_call *c = m->c;
	const struct gen_peer *a = c->a;
	bool k = a->ua->compact;
	char br[GEN_ID_MAX];

	gen_id(&m->g->rng, appl_branch, "", br, sizeof(br));
	buf_add(m->b, "SIP/2.0 200 OK\r\n");
	via_appl(m, a, br);
	hdr(m->b, k, H_FROM, "<sip:%s@%s>;tag=%s", c->to_user, c->domain,
	    c->a_ltag);
	hdr(m->b, k, H_TO, "\"%s\" <sip:%s@%s>;tag=%s", c->from_name,
	    c->from_user, c->domain, c->a_tag);
	hdr(m->b, k, H_CALLID, "%s", c->cid_a);
	hdr(m->b, k, H_CSEQ, "1 BYE");
	put_server(m, a);
	put_body(m->b, k, NULL);
}

/* The callee answers the appliance's BYE on the B leg. */
static void
build_200_bye_b(struct gen_msg *m)
{
	struct gen_call *c = m->c;
	char br[GEN_ID_MAX];

	gen_id(&m->g->rng, appl_branch, "", br, sizeof(br));
	buf_add(m->b, "SIP/2.0 200 OK\r\n");
	via_appl(m, c->b, br);
	callee_from_to(m, true);
	hdr(m->b, c->b->ua->compact, H_CALLID, "%s", c->cid_b);
	hdr(m->b, c->b->ua->compact, H_CSEQ, "2 BYE");
	put_server(m, c->b);
	put_body(m->b, c->b->ua->compact, NULL);
}

/* A phone's or trunk's keepalive to the appliance. */
static void
build_options(struct gen_msg *m)
{
	const struct gen_peer *p = m->c->a;
	bool k = p->ua->compact;
	char br[GEN_ID_MAX], tag[GEN_ID_MAX];

	new_branch(m, p, br, sizeof(br));
	gen_id(&m->g->rng, p->ua->tag, p->host, tag, sizeof(tag));
	buf_add(m->b, "OPTIONS sip:198.18.0.1:5060 SIP/2.0\r\n");
	via_peer(m, p, br);
	hdr(m->b, k, H_MAXFWD, "70");
	hdr(m->b, k, H_FROM, "<sip:%s@%s>;tag=%s",
	    p->ua->trunk ? "ping" : p->user, p->host, tag);
	hdr(m->b, k, H_TO, "<sip:198.18.0.1:5060>");
	hdr(m->b, k, H_CALLID, "%s", m->c->cid_a);
	hdr(m->b, k, H_CSEQ, "%u OPTIONS", 1 + rng_below(&m->g->rng, 200));
	hdr(m->b, k, H_CONTACT, "<sip:%s@%s:%u>", p->ua->trunk ? "ping" : p->user,
	    p->host, p->port);
	hdr(m->b, k, H_ACCEPT, "application/sdp");
	if (!p->ua->trunk)
		hdr(m->b, k, H_ALLOW, "%s", p->ua->allow);
	hdr(m->b, k, H_UA, "%s", p->ua->agent);
	put_body(m->b, k, NULL);
}

/* A trunk or phone answers the appliance's OPTIONS ping. */
static void
build_200_options(struct gen_msg *m)
{
	const struct gen_peer *p = m->c->a;
	bool k = p->ua->compact;
	char br[GEN_ID_MAX], tag[GEN_ID_MAX], ltag[24];

	gen_id(&m->g->rng, appl_branch, "", br, sizeof(br));
	gen_id(&m->g->rng, p->ua->tag, p->host, tag, sizeof(tag));
	gen_id(&m->g->rng, appl_tag, "", ltag, sizeof(ltag));
	buf_add(m->b, "SIP/2.0 200 OK\r\n");
	via_appl(m, p, br);
	hdr(m->b, k, H_FROM, "<sip:ping@198.18.0.1>;tag=%s", ltag);
	hdr(m->b, k, H_TO, "<sip:%s:%u>;tag=%s", p->host, p->port, tag);
	hdr(m->b, k, H_CALLID, "%s", m->c->cid_a);
	hdr(m->b, k, H_CSEQ, "%u OPTIONS", 1 + rng_below(&m->g->rng, 9000));
	hdr(m->b, k, H_CONTACT, "<sip:%s:%u>", p->host, p->port);
	hdr(m->b, k, H_ALLOW, "%s", p->ua->allow);
	hdr(m->b, k, H_ACCEPT, "application/sdp");
	hdr(m->b, k, H_SUPPORTED, "%s", p->ua->supported);
	put_server(m, p);
	put_body(m->b, k, NULL);
}

static void
register_common(struct gen_msg *m, bool auth)
{
	struct gen_peer *p = m->c->a;
	bool k = p->ua->compact;
	char br[GEN_ID_MAX], tag[GEN_ID_MAX];
	char nonce[48], cnonce[24], resp[40];

	new_branch(m, p, br, sizeof(br));
	gen_id(&m->g->rng, p->ua->tag, p->host, tag, sizeof(tag));
	buf_add(m->b, "REGISTER sip:%s SIP/2.0\r\n", m->c->domain);
	via_peer(m, p, br);
	hdr(m->b, k, H_MAXFWD, "70");
	hdr(m->b, k, H_FROM, "\"%s\" <sip:%s@%s>;tag=%s", m->c->from_name,
	    p->user, m->c->domain, tag);
	hdr(m->b, k, H_TO, "\"%s\" <sip:%s@%s>", m->c->from_name, p->user,
	    m->c->domain);
	hdr(m->b, k, H_CALLID, "%s", p->reg_callid);
	hdr(m->b, k, H_CSEQ, "%u REGISTER", p->reg_cseq++);
	hdr(m->b, k, H_CONTACT, "<sip:%s@%s:%u;transport=udp>%s;expires=3600",
	    p->user, p->host, p->port, p->contact_params);
	if (auth) {
		gen_id(&m->g->rng, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "",
		       nonce, sizeof(nonce));
		gen_id(&m->g->rng, "xxxxxxxxxxxxxxxx", "", cnonce,
		       sizeof(cnonce));
		gen_id(&m->g->rng, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "", resp,
		       sizeof(resp));
		hdr(m->b, k, H_AUTH,
		    "Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", "
		    "uri=\"sip:%s\", response=\"%s\", algorithm=MD5, "
		    "cnonce=\"%s\", qop=auth, nc=00000001",
		    p->user, m->c->domain, nonce, m->c->domain, resp, cnonce);
	}
	hdr(m->b, k, H_ALLOW, "%s", p->ua->allow);
	hdr(m->b, k, H_ALLOW_EVENTS, "talk, hold, conference, refer, check-sync");
	hdr(m->b, k, H_SUPPORTED, "%s", p->ua->supported);
	hdr(m->b, k, H_EXPIRES, "3600");
	hdr(m->b, k, H_UA, "%s", p->ua->agent);
	put_body(m->b, k, NULL);
}

static void
build_register(struct gen_msg *m)
{
	register_common(m, false);
}

static void
build_register_auth(struct gen_msg *m)
{
	register_common(m, true);
}

/* Which side sends each kind, how to build it, whether it may be resent. */
enum gen_side { SIDE_A, SIDE_B };

static const struct {
	const char *name;
	void (*build)(struct gen_msg *m);
	enum gen_side side;
	bool rexmit;
} gen_kinds[K__COUNT] = {
	[K_INVITE] = { "INVITE", build_invite, SIDE_A, true },
	[K_100] = { "100", build_100, SIDE_B, false },
	[K_180] = { "180/183", build_180, SIDE_B, false },
	[K_200_INVITE] = { "200 INVITE", build_200_invite, SIDE_B, true },
	[K_ACK_2XX] = { "ACK", build_ack_2xx, SIDE_A, false },
	[K_ACK_ERR] = { "ACK non-2xx", build_ack_err, SIDE_A, false },
	[K_CANCEL] = { "CANCEL", build_cancel, SIDE_A, false },
	[K_200_CANCEL] = { "200 CANCEL", build_200_cancel, SIDE_B, false },
	[K_487] = { "487", build_487, SIDE_B, false },
	[K_486] = { "486", build_486, SIDE_B, false },
	[K_404] = { "404", build_404, SIDE_B, false },
	[K_BYE_A] = { "BYE (caller)", build_bye_a, SIDE_A, false },
	[K_BYE_B] = { "BYE (callee)", build_bye_b, SIDE_B, false },
	[K_200_BYE_A] = { "200 BYE (caller)", build_200_bye_a, SIDE_A, false },
	[K_200_BYE_B] = { "200 BYE (callee)", build_200_bye_b, SIDE_B, false },
	[K_OPTIONS] = { "OPTIONS", build_options, SIDE_A, false },
	[K_200_OPTIONS] = { "200 OPTIONS", build_200_options, SIDE_A, false },
	[K_REGISTER] = { "REGISTER", build_register, SIDE_A, false },
	[K_REGISTER_AUTH] = { "REGISTER+auth", build_register_auth, SIDE_A,
			      false },
};

/* ---- scheduling ---- */

static struct gen_peer *
pick_peer(struct gen_ctx *g, bool trunk)
{
	if (trunk)
		return &g->trunks[rng_below(&g->rng, GEN_N_TRUNKS)];
	return &g->phones[rng_below(&g->rng, g->n_phones)];
}

static void
call_init(struct gen_ctx *g, struct gen_call *c, const struct gen_script *s)
{
	struct gen_rng *r = &g->rng;
	bool a_trunk, b_trunk;
	unsigned i, n_up;

	memset(c, 0, sizeof(*c));
	c->script = s;
	if (s == &gen_scripts[S_OPTIONS_IN] || s == &gen_scripts[S_OPTIONS_OUT]) {
		/* Trunks ping far more often than each phone does. */
		c->a = pick_peer(g, rng_pct(r, 35));
		if (s == &gen_scripts[S_OPTIONS_IN])
			gen_id(r, c->a->ua->callid, c->a->host, c->cid_a,
			       sizeof(c->cid_a));
		else
			gen_id(r, appl_callid, appl_host, c->cid_a,
			       sizeof(c->cid_a));
		return;
	}
	if (s == &gen_scripts[S_REGISTER] || s == &gen_scripts[S_REREGISTER]) {
		c->a = pick_peer(g, false);
		if (!c->a->registered) {
			c->a->registered = true;
			g->n_callids++;
		}
		tenant_domain(c->a->tenant, c->domain, sizeof(c->domain));
		c->from_name = person_names[c->a->ip % ARRAY_LEN(person_names)];
		return;
	}

	/* A call: phone→trunk (outbound), trunk→phone (inbound), phone→phone. */
	a_trunk = rng_pct(r, 45);
	b_trunk = a_trunk ? rng_pct(r, 15) : rng_pct(r, 60);
	c->a = pick_peer(g, a_trunk);
	c->b = pick_peer(g, b_trunk);
	tenant_domain(a_trunk ? c->b->tenant : c->a->tenant, c->domain,
		      sizeof(c->domain));
	c->from_name = person_names[rng_below(r, ARRAY_LEN(person_names))];
	if (a_trunk)
		e164(r, c->from_user, sizeof(c->from_user));
	else
		snprintf(c->from_user, sizeof(c->from_user), "%s", c->a->user);
	if (b_trunk)
		e164(r, c->to_user, sizeof(c->to_user));
	else if (a_trunk)
		snprintf(c->to_user, sizeof(c->to_user), "%s", c->b->did);
	else
		snprintf(c->to_user, sizeof(c->to_user), "%s", c->b->user);

	gen_id(r, c->a->ua->callid, c->a->host, c->cid_a, sizeof(c->cid_a));
	gen_id(r, appl_callid, appl_host, c->cid_b, sizeof(c->cid_b));
	gen_id(r, c->a->ua->tag, "", c->a_tag, sizeof(c->a_tag));
	gen_id(r, appl_tag, "", c->a_ltag, sizeof(c->a_ltag));
	gen_id(r, c->b->ua->tag, "", c->b_tag, sizeof(c->b_tag));
	gen_id(r, appl_tag, "", c->b_ltag, sizeof(c->b_ltag));
	gen_id(r, c->a->ua->branch, "", c->a_branch, sizeof(c->a_branch));
	gen_id(r, appl_branch, "", c->b_branch, sizeof(c->b_branch));
	/* Half the trunk calls come through upstream proxies (one or two). */
	n_up = !a_trunk || rng_pct(r, 50) ? 0 : rng_pct(r, 70) ? 1 : 2;
	for (i = 0; i < n_up; i++) {
		char ip[16], br[24];

		ip_str(0xc6130000u | (200u + i) << 8 | (1 + rng_below(r, 250)),
		       ip, sizeof(ip));
		gen_id(r, "z9hG4bKxxxxxxxx.x", "", br, sizeof(br));
		snprintf(c->up_via[i], sizeof(c->up_via[i]),
			 "SIP/2.0/UDP %s:5060;received=%s;branch=%s", ip, ip, br);
	}
	c->a_cseq = 1 + rng_below(r, 900);
	c->b_bye_cseq = 1 + rng_below(r, 900);
	c->a_sess = 1000000 + rng_below(r, 2000000000);
	c->b_sess = 1000000 + rng_below(r, 2000000000);
	c->a_rtp = (uint16_t)(10000 + 2 * rng_below(r, 10000));
	c->b_rtp = (uint16_t)(10000 + 2 * rng_below(r, 10000));
}

/* Draws the next script so that the totals come out exactly as planned. */
static const struct gen_script *
next_script(struct gen_ctx *g)
{
	uint64_t pick;
	unsigned s;

	if (g->left_total == 0)
		return NULL;
	pick = rng_u64(&g->rng) % g->left_total;
	for (s = 0; s < S__COUNT; s++) {
		if (pick < g->left[s]) {
			g->left[s]--;
			g->left_total--;
			return &gen_scripts[s];
		}
		pick -= g->left[s];
	}
	return NULL;
}

static int
emit_step(struct gen_ctx *g, struct gen_call *c)
{
	enum gen_kind kind = c->script->steps[c->step++];
	char payload[GEN_PAYLOAD_MAX];
	struct gen_buf b = { payload, 0, sizeof(payload), false };
	struct gen_msg m = { g, c, &b };
	const struct gen_peer *from;

	gen_kinds[kind].build(&m);
	if (b.overflow) {
		fprintf(stderr, "sip_pcap_gen: %s message exceeds %d bytes\n",
			gen_kinds[kind].name, GEN_PAYLOAD_MAX);
		return -EMSGSIZE;
	}
	from = gen_kinds[kind].side == SIDE_A ? c->a : c->b;
	gen_write(g, from, payload, b.len);
	g->per_kind[kind]++;
	g->kind_bytes[kind] += b.len;

	if (gen_kinds[kind].rexmit && g->n_rexmit < GEN_REXMIT_MAX &&
	    rng_pct(&g->rng, 1)) {
		struct gen_pending *p = &g->rexmit[g->n_rexmit++];

		p->from = from;
		p->due = g->n_pkts + 1 + rng_below(&g->rng, 400);
		p->len = b.len;
		memcpy(p->payload, payload, b.len);
		g->per_kind[kind]++;
		g->kind_bytes[kind] += b.len;
	}
	gen_rexmit_due(g, false);
	return 0;
}

static int
gen_run(struct gen_ctx *g)
{
	const struct gen_script *s;
	int rc;

	while (g->active < GEN_WINDOW && (s = next_script(g)) != NULL) {
		call_init(g, &g->window[g->active++], s);
		g->n_callids += s->n_callids;
	}
	while (g->active > 0) {
		unsigned i = rng_below(&g->rng, g->active);
		struct gen_call *c = &g->window[i];

		rc = emit_step(g, c);
		if (rc < 0)
			return rc;
		if (c->step < c->script->n_steps)
			continue;
		s = next_script(g);
		if (s != NULL) {
			call_init(g, c, s);
			g->n_callids += s->n_callids;
		} else {
			*c = g->window[--g->active];
		}
	}
	gen_rexmit_due(g, true);
	return 0;
}

/* ---- set-up and command line ---- */

static int
gen_populate(struct gen_ctx *g, unsigned long calls)
{
	unsigned i;

	/* About one phone per two calls, so phones place and take several. */
	g->n_phones = (unsigned)(calls / 2 < 1000 ? 1000 : calls / 2);
	g->phones = calloc(g->n_phones, sizeof(*g->phones));
	if (g->phones == NULL)
		return -ENOMEM;
	for (i = 0; i < g->n_phones; i++)
		peer_init(&g->rng, &g->phones[i], false, i);
	for (i = 0; i < GEN_N_TRUNKS; i++)
		peer_init(&g->rng, &g->trunks[i], true, i);

	for (i = 0; i < S__COUNT; i++) {
		g->left[i] = (uint64_t)calls * script_per_mille[i] / 1000;
		g->left_total += g->left[i];
	}
	return 0;
}

static int
parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char extra;
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4],
		   &v[5], &extra) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (v[i] > 0xff)
			return -EINVAL;
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: sip_pcap_gen [-o FILE] [-n CALLS] [-s SEED] [-m DST_MAC]\n"
		"  -o FILE     output pcap (default sip.pcap)\n"
		"  -n CALLS    calls to generate (default 50000); OPTIONS and\n"
		"              REGISTER traffic is added in proportion\n"
		"  -s SEED     random seed (default 1)\n"
		"  -m DST_MAC  destination MAC (default 02:00:00:00:00:01)\n");
}

static void
print_summary(const struct gen_ctx *g, const char *path)
{
	unsigned k;

	printf("sip_pcap_gen: %s packets=%" PRIu64 " bytes=%" PRIu64
	       " callids=%" PRIu64 "\n", path, g->n_pkts, g->n_bytes,
	       g->n_callids);
	for (k = 0; k < K__COUNT; k++)
		if (g->per_kind[k] > 0)
			fprintf(stderr, "  %-18s %9" PRIu64 "  %5.1f%%  avg %4" PRIu64
				" bytes SIP\n", gen_kinds[k].name, g->per_kind[k],
				100.0 * (double)g->per_kind[k] / (double)g->n_pkts,
				g->kind_bytes[k] / g->per_kind[k]);
}

int
main(int argc, char **argv)
{
	static struct gen_ctx g; /* the window is large; keep it off the stack */
	const char *path = "sip.pcap";
	unsigned long calls = 50000;
	unsigned long long seed = 1;
	pcap_t *dead;
	char *end;
	int opt, rc;

	g.dst_mac[0] = 0x02;
	g.dst_mac[5] = 0x01;
	while ((opt = getopt(argc, argv, "o:n:s:m:h")) != -1) {
		switch (opt) {
		case 'o':
			path = optarg;
			break;
		case 'n':
			errno = 0;
			calls = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || calls == 0 ||
			    calls > 10000000) {
				fprintf(stderr, "sip_pcap_gen: -n expects 1..10000000, got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 's':
			errno = 0;
			seed = strtoull(optarg, &end, 0);
			if (errno != 0 || *end != '\0') {
				fprintf(stderr, "sip_pcap_gen: -s expects a number, got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'm':
			if (parse_mac(optarg, g.dst_mac) < 0) {
				fprintf(stderr, "sip_pcap_gen: -m expects xx:xx:xx:xx:xx:xx, got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	g.rng.s = seed;
	g.ip_id = (uint16_t)rng_u64(&g.rng);
	if (gen_populate(&g, calls) < 0) {
		fprintf(stderr, "sip_pcap_gen: out of memory\n");
		return 1;
	}
	dead = pcap_open_dead(DLT_EN10MB, 65535);
	if (dead == NULL) {
		fprintf(stderr, "sip_pcap_gen: pcap_open_dead failed\n");
		free(g.phones);
		return 1;
	}
	g.dump = pcap_dump_open(dead, path);
	if (g.dump == NULL) {
		/* libpcap's message already names the file. */
		fprintf(stderr, "sip_pcap_gen: %s\n", pcap_geterr(dead));
		pcap_close(dead);
		free(g.phones);
		return 1;
	}
	rc = gen_run(&g);
	pcap_dump_close(g.dump);
	pcap_close(dead);
	free(g.phones);
	if (rc < 0) {
		remove(path);
		return 1;
	}
	print_summary(&g, path);
	return 0;
}
