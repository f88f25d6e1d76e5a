/* SPDX-License-Identifier: MIT */
/*
 * name-addr / addr-spec values and their comma-separated lists (see
 * sip_contact.h): From/To/Refer-To values, Route and Record-Route sets,
 * and Contact with its "*", expires, q, +sip.instance and reg-id.
 *
 * One element is read in one forward pass bounded by the end pointer:
 * display name, URI, header parameters, then it must end at a comma or
 * the end of the value. Which of the two forms an element has is decided
 * by its first bytes: a '"' opens a quoted display name, which must be
 * followed by '<'; a run of tokens and white space ending at '<' is a
 * token display name; anything else is a bare addr-spec, which ends at the
 * first ';', ',' or white space (§20.10: its parameters are the header's).
 * Inside <...> the URI ends at the first '>' (a URI holds none), and
 * sip_uri_parse checks it either way. Commas inside quotes or <...> are
 * never separators because both are skipped whole.
 *
 * A list iterator keeps its place in *pos, resting on the comma after the
 * element just read, so the next call knows it must find another element
 * there (a trailing comma is an empty element, not the end).
 *
 * Byte classes (token, white space, unquoted parameter value) come from
 * sip_scan.h, shared with the message parser. Plain libc only (no DPDK),
 * no allocation, no global mutable state.
 */
#include "sip/sip_contact.h"

#include <string.h>

#include "sip_scan.h"

/* ---------------------------------------------------------------------- */
/* Tables                                                                 */

static const char *const na_err_names[SIP_NADDR_E_COUNT] = {
	[SIP_NADDR_E_OK] = "no error",
#define SIP_NADDR_X(id, s) [SIP_NADDR_E_##id] = s,
	SIP_NADDR_ERRS(SIP_NADDR_X)
#undef SIP_NADDR_X
};

struct na_pname {
	const char *name; /* lower case */
	uint8_t len;
};

static const struct na_pname na_pnames[SIP_NADDR_P_COUNT] = {
#define SIP_NADDR_X(id, s) [SIP_NADDR_P_##id] = {s, sizeof(s) - 1},
	SIP_NADDR_PARAMS(SIP_NADDR_X)
#undef SIP_NADDR_X
};

const char *sip_naddr_err_str(int err)
{
	if (err < 0)
		err = -err;
	if (err >= SIP_NADDR_E_COUNT)
		return "unknown error";
	return na_err_names[err];
}

static inline unsigned char na_lower(unsigned char ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch;
}

/* a[0..an) equals b[0..bn), ignoring ASCII case. */
static bool na_caseeq(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++)
		if (na_lower((unsigned char)a[i]) != na_lower((unsigned char)b[i]))
			return false;
	return true;
}

/* ---------------------------------------------------------------------- */
/* Scanning                                                               */

struct na_ctx {
	const char *base;
	const char *e;         /* end of the header value */
	struct sip_naddr *na;  /* where errors go; NULL: lookups, errors not kept */
};

static inline struct sip_slice na_sl(const struct na_ctx *c, const char *a, const char *b)
{
	return (struct sip_slice){.off = (uint16_t)(a - c->base), .len = (uint16_t)(b - a)};
}

static int na_fail(struct na_ctx *c, const char *at, enum sip_naddr_err err)
{
	if (c->na) {
		c->na->err = (uint8_t)err;
		c->na->err_off = (uint16_t)(at - c->base);
	}
	return -(int)err;
}

static inline const char *na_ws(const char *p, const char *e)
{
	return sip_span(p, e, SIP_SC_WS);
}

/* The end of [p, e) without its trailing white space. */
static const char *na_trim_end(const char *p, const char *e)
{
	while (e > p && sip_is(e[-1], CC_WS))
		e--;
	return e;
}

/*
 * quoted-string at p (a '"'): qdtext is LWS and visible bytes (UTF-8
 * taken as is), quoted-pair a '\' and any byte but CR, LF or non-ASCII.
 * Sets *end past the closing quote.
 */
static int na_quoted(struct na_ctx *c, const char *p, const char **end)
{
	for (const char *q = p + 1; q < c->e; q++) {
		unsigned char ch = (unsigned char)*q;

		if (ch == '"') {
			*end = q + 1;
			return 0;
		}
		if (ch == '\\') {
			if (++q == c->e)
				break;
			ch = (unsigned char)*q;
			if (ch == '\r' || ch == '\n' || ch > 0x7f)
				return na_fail(c, q, SIP_NADDR_E_BAD_QUOTED);
		} else if ((ch < 0x20 && !sip_is((char)ch, CC_WS)) || ch == 0x7f) {
			return na_fail(c, q, SIP_NADDR_E_BAD_QUOTED);
		}
	}
	return na_fail(c, p, SIP_NADDR_E_UNTERMINATED_QUOTE);
}

/* One generic-param: its name, value (quotes stripped) and end. */
struct na_param {
	const char *n, *ne;
	const char *v, *ve; /* v == ve == ne when written without '=' */
	const char *end;    /* past the value (or the name) */
	bool quoted;
};

/* generic-param at p: token [ SWS "=" SWS ( token / host / quoted-string ) ] */
static int na_param(struct na_ctx *c, const char *p, struct na_param *pr)
{
	const char *q = sip_span(p, c->e, SIP_SC_TOKEN);
	int rc;

	if (q == p)
		return na_fail(c, p, SIP_NADDR_E_BAD_PARAM);
	*pr = (struct na_param){.n = p, .ne = q, .v = q, .ve = q, .end = q};
	p = na_ws(q, c->e);
	if (p == c->e || *p != '=')
		return 0;
	p = na_ws(p + 1, c->e);
	if (p < c->e && *p == '"') {
		if ((rc = na_quoted(c, p, &pr->end)) < 0)
			return rc;
		pr->v = p + 1;
		pr->ve = pr->end - 1;
		pr->quoted = true;
		return 0;
	}
	q = sip_span(p, c->e, SIP_SC_PVAL);
	if (q == p)
		return na_fail(c, p, SIP_NADDR_E_BAD_PARAM);
	pr->v = p;
	pr->ve = pr->end = q;
	return 0;
}

/* Records a known parameter (the first of each name wins). */
static void na_known(struct na_ctx *c, const struct na_param *pr)
{
	struct sip_naddr *na = c->na;

	for (unsigned id = 0; id < SIP_NADDR_P_COUNT; id++) {
		if (!na_caseeq(pr->n, (size_t)(pr->ne - pr->n), na_pnames[id].name,
			       na_pnames[id].len))
			continue;
		if (!(na->present & (1u << id))) {
			na->present |= (uint8_t)(1u << id);
			na->quoted |= (uint8_t)(pr->quoted << id);
			na->pv[id] = na_sl(c, pr->v, pr->ve);
		}
		return;
	}
}

/* *( SEMI generic-param ) from p; *endp after them and any white space. */
static int na_params(struct na_ctx *c, const char *p, const char **endp)
{
	struct sip_naddr *na = c->na;
	const char *first = NULL, *last = NULL;
	struct na_param pr;
	int rc;

	for (p = na_ws(p, c->e); p < c->e && *p == ';'; p = na_ws(pr.end, c->e)) {
		p = na_ws(p + 1, c->e);
		if ((rc = na_param(c, p, &pr)) < 0)
			return rc;
		if (na->n_params == SIP_NADDR_PARAMS_MAX)
			return na_fail(c, p, SIP_NADDR_E_TOO_MANY_PARAMS);
		na->n_params++;
		if (!first)
			first = p;
		last = pr.end;
		na_known(c, &pr);
	}
	if (first)
		na->params = na_sl(c, first, last);
	*endp = p;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* One element                                                            */

/*
 * [ display-name ] up to the '<', if there is one: *p stays on the
 * element's start for a bare addr-spec, or moves to its '<'.
 */
static int na_display(struct na_ctx *c, const char **pp)
{
	const char *p = *pp, *q;
	int rc;

	if (*p == '"') {
		if ((rc = na_quoted(c, p, &q)) < 0)
			return rc;
		c->na->display = na_sl(c, p + 1, q - 1);
		c->na->display_quoted = 1;
		p = na_ws(q, c->e);
		if (p == c->e || *p != '<')
			return na_fail(c, p, SIP_NADDR_E_NO_ANGLE);
		*pp = p;
		return 0;
	}
	for (q = p; q < c->e && sip_is(*q, CC_TOKEN | CC_WS); q++)
		;
	if (q < c->e && *q == '<') {
		if (q > p)
			c->na->display = na_sl(c, p, na_trim_end(p, q));
		*pp = q;
	}
	return 0;
}

/* The URI in <...> at p, or a bare addr-spec; *endp after it. */
static int na_uri(struct na_ctx *c, const char *p, const char **endp)
{
	struct sip_naddr *na = c->na;
	const char *u = p, *ue;

	if (*p == '<') {
		u = p + 1;
		if (!(ue = sip_find_byte(u, c->e, '>')))
			return na_fail(c, p, SIP_NADDR_E_UNTERMINATED_ANGLE);
		na->angle = 1;
		*endp = ue + 1;
	} else {
		for (ue = u; ue < c->e && *ue != ';' && *ue != ',' && !sip_is(*ue, CC_WS); ue++)
			;
		*endp = ue;
	}
	na->uri_text = na_sl(c, u, ue);
	if (sip_uri_parse(c->base, u, (size_t)(ue - u), &na->uri) < 0) {
		na->uri_err = na->uri.err;
		return na_fail(c, c->base + na->uri.err_off, SIP_NADDR_E_BAD_URI);
	}
	if (!na->angle && na->uri.n_headers)
		return na_fail(c, c->base + na->uri.headers.off - 1, SIP_NADDR_E_BARE_HEADERS);
	return 0;
}

/*
 * The element starting at p (not white space, not a comma): *endp on the
 * comma that ends it or at the end of the value.
 */
static int na_element(struct na_ctx *c, const char *p, const char **endp)
{
	const char *start = p;
	int rc;

	if ((rc = na_display(c, &p)) < 0 || (rc = na_uri(c, p, &p)) < 0 ||
	    (rc = na_params(c, p, &p)) < 0)
		return rc;
	if (p < c->e && *p != ',')
		return na_fail(c, p, SIP_NADDR_E_TRAILING);
	c->na->all = na_sl(c, start, na_trim_end(start, p));
	*endp = p;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Values and lists                                                       */

/* Sets up c for s[0..n) after base; false if the end is out of slice range. */
static bool na_begin(struct na_ctx *c, const char *base, const char *s, size_t n,
		     struct sip_naddr *na)
{
	memset(na, 0, sizeof(*na));
	*c = (struct na_ctx){.base = base, .e = s + n, .na = na};
	if (s < base || n > UINT16_MAX || (size_t)(s - base) > UINT16_MAX - n) {
		na->err = SIP_NADDR_E_TOO_LONG;
		return false;
	}
	return true;
}

int sip_naddr_parse(const char *base, const char *s, size_t n, struct sip_naddr *na)
{
	struct na_ctx c;
	const char *p, *end;
	int rc;

	if (!na_begin(&c, base, s, n, na))
		return -SIP_NADDR_E_TOO_LONG;
	p = na_ws(s, c.e);
	if (p == c.e || *p == ',')
		return na_fail(&c, p, SIP_NADDR_E_EMPTY);
	if ((rc = na_element(&c, p, &end)) < 0)
		return rc;
	if (end != c.e)
		return na_fail(&c, end, SIP_NADDR_E_TRAILING);
	return (int)n;
}

/*
 * Where the list element after *pos starts: 1 with *start set, 0 at the
 * end of the list. Past the first element, *pos rests on a comma.
 */
static int na_list_start(struct na_ctx *c, const char *s, size_t pos, const char **start)
{
	const char *p;

	if (pos != 0 && pos >= (size_t)(c->e - s))
		return 0;
	p = na_ws(s + pos, c->e);
	if (pos != 0) {
		if (p == c->e)
			return 0;
		if (*p != ',')
			return na_fail(c, p, SIP_NADDR_E_TRAILING);
		p = na_ws(p + 1, c->e);
	}
	if (p == c->e || *p == ',')
		return na_fail(c, p, SIP_NADDR_E_EMPTY);
	*start = p;
	return 1;
}

/* The element at start; on success *pos moves to its end. */
static int na_list_elem(struct na_ctx *c, const char *s, size_t *pos, const char *start)
{
	const char *end;
	int rc;

	if ((rc = na_element(c, start, &end)) < 0)
		return rc;
	rc = (int)((size_t)(end - s) - *pos);
	*pos = (size_t)(end - s);
	return rc;
}

int sip_naddr_next(const char *base, const char *s, size_t n, size_t *pos,
		   struct sip_naddr *na)
{
	struct na_ctx c;
	const char *start;
	int rc;

	if (!na_begin(&c, base, s, n, na))
		return -SIP_NADDR_E_TOO_LONG;
	if ((rc = na_list_start(&c, s, *pos, &start)) <= 0)
		return rc;
	return na_list_elem(&c, s, pos, start);
}

bool sip_naddr_param(const struct sip_naddr *na, const char *base, const char *name,
		     struct sip_slice *val)
{
	struct na_ctx c = {.base = base, .e = base + na->params.off + na->params.len};
	const char *p = base + na->params.off;
	size_t len = strlen(name);
	struct na_param pr;

	while (p < c.e && na_param(&c, p, &pr) == 0) {
		if (na_caseeq(pr.n, (size_t)(pr.ne - pr.n), name, len)) {
			*val = na_sl(&c, pr.v, pr.ve);
			return true;
		}
		p = na_ws(pr.end, c.e);
		if (p == c.e || *p != ';')
			break;
		p = na_ws(p + 1, c.e);
	}
	return false;
}

/* ---------------------------------------------------------------------- */
/* Contact                                                                */

/* 1*DIGIT into *v, saturating at max; false if not all digits or empty. */
static bool ct_number(const char *p, size_t n, uint32_t max, uint32_t *v)
{
	uint32_t x = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint32_t d = (uint32_t)(p[i] - '0');

		if (d > 9)
			return false;
		x = x > (max - d) / 10 ? max : x * 10 + d;
	}
	*v = x;
	return true;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths. */
static bool ct_qvalue(const char *p, size_t n, uint16_t *q)
{
	unsigned v, scale = 100;

	if (n == 0 || n > 5 || (p[0] != '0' && p[0] != '1'))
		return false;
	v = (unsigned)(p[0] - '0') * 1000;
	if (n > 1 && p[1] != '.')
		return false;
	for (size_t i = 2; i < n; i++, scale /= 10) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v += (unsigned)(p[i] - '0') * scale;
	}
	if (v > 1000)
		return false;
	*q = (uint16_t)v;
	return true;
}

/* Decodes expires, q, reg-id and +sip.instance of a parsed contact. */
static int ct_params(struct na_ctx *c, struct sip_contact *ct)
{
	const struct sip_naddr *na = &ct->na;
	const struct sip_slice *pv = na->pv;
	const char *b = c->base;
	uint32_t v;

#define CT_QUOTED(id) (na->quoted & (1u << SIP_NADDR_P_##id))
	if (sip_naddr_has(na, SIP_NADDR_P_EXPIRES)) {
		if (CT_QUOTED(EXPIRES) ||
		    !ct_number(b + pv[SIP_NADDR_P_EXPIRES].off, pv[SIP_NADDR_P_EXPIRES].len,
			       UINT32_MAX, &ct->expires))
			return na_fail(c, b + pv[SIP_NADDR_P_EXPIRES].off, SIP_NADDR_E_BAD_EXPIRES);
		ct->has_expires = true;
	}
	if (sip_naddr_has(na, SIP_NADDR_P_Q)) {
		if (CT_QUOTED(Q) || !ct_qvalue(b + pv[SIP_NADDR_P_Q].off, pv[SIP_NADDR_P_Q].len, &ct->q))
			return na_fail(c, b + pv[SIP_NADDR_P_Q].off, SIP_NADDR_E_BAD_Q);
		ct->has_q = true;
	}
	if (sip_naddr_has(na, SIP_NADDR_P_REG_ID)) {
		if (CT_QUOTED(REG_ID) ||
		    !ct_number(b + pv[SIP_NADDR_P_REG_ID].off, pv[SIP_NADDR_P_REG_ID].len,
			       UINT32_MAX, &v) ||
		    v == 0 || v > INT32_MAX)
			return na_fail(c, b + pv[SIP_NADDR_P_REG_ID].off, SIP_NADDR_E_BAD_REG_ID);
		ct->reg_id = v;
		ct->has_reg_id = true;
	}
#undef CT_QUOTED
	if (sip_naddr_has(na, SIP_NADDR_P_INSTANCE)) {
		struct sip_slice in = pv[SIP_NADDR_P_INSTANCE];

		if (in.len >= 2 && b[in.off] == '<' && b[in.off + in.len - 1] == '>') {
			in.off++;
			in.len -= 2;
		}
		if (in.len == 0)
			return na_fail(c, b + pv[SIP_NADDR_P_INSTANCE].off, SIP_NADDR_E_BAD_INSTANCE);
		ct->instance = in;
	}
	return 0;
}

int sip_contact_next(const char *base, const char *s, size_t n, size_t *pos,
		     struct sip_contact *ct)
{
	struct na_ctx c;
	const char *start, *q;
	size_t old = *pos;
	int rc;

	memset(ct, 0, sizeof(*ct));
	ct->q = 1000;
	if (!na_begin(&c, base, s, n, &ct->na))
		return -SIP_NADDR_E_TOO_LONG;
	if ((rc = na_list_start(&c, s, *pos, &start)) <= 0)
		return rc;
	/* "*" alone is STAR; "*" as a list element is an error ("* <sip:..>" is a display name). */
	if (*start == '*' && ((q = na_ws(start + 1, c.e)) == c.e || *q == ',')) {
		if (*pos != 0 || q != c.e)
			return na_fail(&c, start, SIP_NADDR_E_STAR_NOT_ALONE);
		ct->star = true;
		*pos = n;
		return (int)n;
	}
	if ((rc = na_list_elem(&c, s, pos, start)) < 0)
		return rc;
	if (ct_params(&c, ct) < 0) {
		*pos = old;
		return -(int)ct->na.err;
	}
	return rc;
}
