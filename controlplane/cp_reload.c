/* SPDX-License-Identifier: MIT */
/*
 * Reloads of the configuration file: on SIGHUP, and on POST /v1/reload.
 *
 * The reload itself always runs on the control plane thread, between two
 * cp_poll passes: cp_poll reads the retired snapshot, and the API threads
 * rely on a replaced snapshot living until the next reload, so no other
 * thread may swap snapshots. An API request hands the reload to that
 * thread and waits for its outcome (bounded), which it returns as JSON:
 * the new snapshot, or every error of the file with its line, the running
 * configuration unchanged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cp.h"
#include "log.h"

#define CP_RELOAD_WAIT_S 10

static void cp_report(char *report, size_t cap, size_t *len, const char *line)
{
	int n = snprintf(report + *len, cap - *len, "%s%s", *len ? "\n" : "", line);

	if (n > 0)
		*len = *len + (size_t)n < cap ? *len + (size_t)n : cap - 1;
}

int cp_reload_now(struct cp *cp, char *report, size_t cap)
{
	static struct cfg_errors errs; /* 20 KiB: control plane thread only */
	struct cfg *c = calloc(1, sizeof(*c));
	const char *path = cp->cfg->path;
	char err[256];
	size_t len = 0;
	int rc;

	report[0] = '\0';
	if (c == NULL)
		return -ENOMEM;
	rc = cfg_load(path, c, &errs);
	if (rc < 0) {
		for (unsigned i = 0; i < errs.n && i < CFG_MAX_ERRORS; i++) {
			SL_LOG(ERR, MAIN, "reload: %s\n", errs.msg[i]);
			cp_report(report, cap, &len, errs.msg[i]);
		}
		SL_LOG(ERR, MAIN, "reload of %s refused: the running configuration stays\n", path);
		goto fail;
	}
	rc = tenant_reload(cp->dp, c, err, sizeof(err));
	if (rc < 0) {
		SL_LOG(ERR, MAIN, "reload of %s refused: %s; the running configuration stays\n",
		       path, err);
		cp_report(report, cap, &len, err);
		goto fail;
	}
	reg_saver_names(cp->regs, cp->dp->snap);
	snprintf(report, cap, "%s: %u tenant(s), %u device(s), snapshot %u", path,
		 cp->dp->snap->n, cp->dp->snap->n_devs, cp->dp->snap->gen);
	return 0;
fail:
	cfg_free(c);
	free(c);
	return rc < 0 ? rc : -EINVAL;
}

bool cp_reload_serve(struct cp *cp)
{
	struct cp_reload *r = &cp->reload;
	char report[sizeof(r->report)];
	int rc;

	pthread_mutex_lock(&r->lock);
	if (r->asked == r->done) {
		pthread_mutex_unlock(&r->lock);
		return false;
	}
	pthread_mutex_unlock(&r->lock);
	rc = cp_reload_now(cp, report, sizeof(report));
	pthread_mutex_lock(&r->lock);
	r->rc = rc;
	memcpy(r->report, report, sizeof(report));
	r->done = r->asked;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return true;
}

int cp_reload_request(struct cp *cp, char *report, size_t cap)
{
	struct cp_reload *r = &cp->reload;
	struct timespec until;
	uint64_t mine;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += CP_RELOAD_WAIT_S;
	pthread_mutex_lock(&r->lock);
	mine = ++r->asked;
	while (r->done < mine && rc == 0)
		rc = pthread_cond_timedwait(&r->cond, &r->lock, &until);
	if (r->done >= mine) {
		rc = r->rc;
		snprintf(report, cap, "%s", r->report);
	} else {
		rc = -ETIMEDOUT;
		snprintf(report, cap, "the control plane did not answer within %d s",
			 CP_RELOAD_WAIT_S);
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

/* POST /v1/reload (admin): 200 with the new snapshot, 400 with the errors. */
void api_reload_post(const struct api_req *req, struct api_reply *rep)
{
	struct cp *cp = req->cfg->ctx;
	char report[sizeof(cp->reload.report)];
	int rc = cp_reload_request(cp, report, sizeof(report));
	json_t *errors, *o;
	char *line, *save = NULL;

	if (rc == 0) {
		o = json_pack("{s:s, s:i}", "reloaded", report, "snapshot",
			      (json_int_t)__atomic_load_n(&cp->dp->snap, __ATOMIC_ACQUIRE)->gen);
		api_reply_json(rep, 200, o);
		return;
	}
	if (rc == -ETIMEDOUT || rc == -ENOMEM) {
		api_reply_error(rep, 503, "%s", report);
		return;
	}
	errors = json_array();
	for (line = strtok_r(report, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		json_array_append_new(errors, api_json_string(line, strlen(line)));
	o = json_pack("{s:{s:i, s:s, s:o}}", "error", "status", 400, "message",
		      "reload refused: the running configuration stays", "errors", errors);
	api_reply_json(rep, 400, o);
}
