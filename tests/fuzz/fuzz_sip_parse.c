/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the SIP light parser (dataplane/sip_parse.c). Feeds
 * arbitrary datagrams up to a little over SIP_MSG_MAX, and on every result
 * checks the parser's promises: error codes in range with an offset inside
 * the buffer; on success every slice lies inside the header section or the
 * buffer, the required fields are present, hdrs[] is ordered and hdr_idx
 * agrees with it, sip_hdr_find/sip_hdr_next visit each header of an id
 * exactly once and stop, and reparsing just the consumed bytes gives the
 * same answer. The io lcore's lazy parse never fails where the full parse
 * passes, and when both pass they agree on every field the lazy one sets.
 * Seeds: tests/fuzz/corpus/sip_parse/.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "sip_parse.h"

static int in(struct sip_slice s, size_t lim)
{
	return (size_t)s.off + s.len <= lim;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The recorded headers, whatever the outcome: in bounds and in order. */
static void check_hdrs(size_t lim, const struct sip_msg *m)
{
	CHECK(m->n_hdrs <= SIP_MAX_HEADERS);
	for (unsigned i = 0; i < m->n_hdrs; i++) {
		const struct sip_hdr *h = &m->hdrs[i];

		CHECK(h->id < SIP_HDR_COUNT);
		CHECK(in(h->name, lim) && in(h->value, lim) && in(h->line, lim));
		CHECK(h->name.len > 0 && h->name.off == h->line.off);
		CHECK(h->line.len > h->name.len);
		CHECK(h->value.off >= h->name.off + h->name.len);
		CHECK(h->value.off + h->value.len <= h->line.off + h->line.len);
		if (i > 0)
			CHECK(m->hdrs[i - 1].line.off + m->hdrs[i - 1].line.len <= h->line.off);
	}
}

static void check_index(const struct sip_msg *m)
{
	for (int id = 0; id < SIP_HDR_COUNT; id++) {
		unsigned first = 0, count = 0, seen = 0;
		const struct sip_hdr *h, *prev = NULL;

		for (unsigned i = 0; i < m->n_hdrs; i++)
			if (m->hdrs[i].id == id && count++ == 0)
				first = i + 1;
		CHECK(m->hdr_idx[id] == first);
		for (h = sip_hdr_find(m, id); h; h = sip_hdr_next(m, h)) {
			CHECK(h->id == id);
			CHECK(!prev || h > prev);
			CHECK(++seen <= count);
			prev = h;
		}
		CHECK(seen == count);
	}
	CHECK(!sip_hdr_find(m, SIP_HDR_COUNT));
}

static void check_ok(const char *buf, size_t len, int rc, const struct sip_msg *m)
{
	size_t he = m->hdr_end;
	const struct sip_slice hs[] = {
		m->method_name, m->ruri, m->reason, m->call_id, m->cseq_method, m->via_host,
		m->via_branch, m->from, m->from_tag, m->to, m->to_tag,
	};

	CHECK((size_t)rc <= len && he <= (size_t)rc && he + m->body_len == (size_t)rc);
	CHECK(m->err_off == 0);
	CHECK(!memchr(buf, 0, he));
	CHECK(he >= 2 && buf[he - 1] == '\n');
	for (size_t i = 0; i < sizeof(hs) / sizeof(hs[0]); i++)
		CHECK(in(hs[i], he));
	CHECK(m->call_id.len && m->cseq_method.len && m->from.len && m->to.len);
	CHECK(m->n_via >= 1 && m->via_host.len > 0 && m->via_transport <= 6);
	CHECK(!is_ws(buf[m->call_id.off]) && !is_ws(buf[m->call_id.off + m->call_id.len - 1]));
	if (m->method == SIP_METHOD_NONE) {
		CHECK(m->status >= 100 && m->status <= 699);
		CHECK(m->method_name.len == 0 && m->ruri.len == 0);
	} else {
		CHECK(m->method < SIP_METHOD_COUNT && m->status == 0);
		CHECK(m->method_name.len > 0 && m->ruri.len > 0);
		CHECK(m->cseq_method.len == m->method_name.len &&
		      !memcmp(buf + m->cseq_method.off, buf + m->method_name.off,
			      m->method_name.len));
		if (m->method != SIP_METHOD_OTHER)
			CHECK(!strncmp(sip_method_str(m->method), buf + m->method_name.off,
				       m->method_name.len));
	}
	if (!m->has_content_length)
		CHECK((size_t)rc == len);
	check_hdrs(he, m);
	for (unsigned i = 0; i < m->n_hdrs; i++) {
		struct sip_slice v = m->hdrs[i].value;

		if (v.len)
			CHECK(!is_ws(buf[v.off]) && !is_ws(buf[v.off + v.len - 1]));
	}
	check_index(m);
}

static int sl_eq(struct sip_slice a, struct sip_slice b)
{
	return a.off == b.off && a.len == b.len;
}

/* The lazy parse against the full one's outcome rc (and m when rc > 0). */
static void check_lazy(const char *buf, size_t size, int rc, const struct sip_msg *m)
{
	struct sip_msg l;
	int lrc = sip_parse_lazy(buf, size, &l);

	if (lrc < 0) {
		CHECK(rc < 0 && -lrc < SIP_PERR_COUNT && l.err_off <= size);
		return;
	}
	CHECK((size_t)lrc <= size);
	check_hdrs(size, &l);
	check_index(&l);
	if (rc < 0)
		return;
	CHECK(l.method == m->method && l.status == m->status && l.cseq == m->cseq);
	CHECK(sl_eq(l.call_id, m->call_id) && sl_eq(l.cseq_method, m->cseq_method));
	CHECK(sl_eq(l.to, m->to) && sl_eq(l.to_tag, m->to_tag) && sl_eq(l.ruri, m->ruri));
	CHECK(l.n_hdrs <= m->n_hdrs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct sip_msg m, m2;
	int rc;

	if (size > SIP_MSG_MAX + 16)
		return 0;
	rc = sip_parse(buf, size, &m);
	if (size <= SIP_MSG_MAX)
		check_lazy(buf, size, rc, &m);
	if (size > SIP_MSG_MAX) {
		CHECK(rc == -SIP_PERR_TOO_BIG);
		return 0;
	}
	if (rc < 0) {
		CHECK(-rc > 0 && -rc < SIP_PERR_COUNT);
		CHECK(m.err_off <= size);
		CHECK(sip_perr_str(rc)[0] != '\0');
		if (rc == -SIP_PERR_NUL)
			CHECK(m.err_off < size && buf[m.err_off] == '\0');
		check_hdrs(size, &m);
		return 0;
	}
	CHECK(rc > 0);
	check_ok(buf, size, rc, &m);
	/* The consumed bytes alone parse the same way. */
	CHECK(sip_parse(buf, (size_t)rc, &m2) == rc);
	CHECK(m2.hdr_end == m.hdr_end && m2.n_hdrs == m.n_hdrs && m2.cseq == m.cseq);
	return 0;
}
