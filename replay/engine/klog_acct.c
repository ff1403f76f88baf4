// SPDX-License-Identifier: GPL-2.0
/*
 * replay/engine/klog_acct.c - what a kernel log says, gathered from its
 * log:* events: the "log" object of `replay --json` / `explain --json`
 * and the account `explain` prints (docs/design.md §5.1, docs/postmortem.md).
 * Memory is bounded (TDXR_KLOG_MAX_*), whatever the log's length.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tdxr/klog.h"

struct tdxr_klog_acct *tdxr_klog_acct_new(void)
{
	return calloc(1, sizeof(struct tdxr_klog_acct));
}

void tdxr_klog_acct_free(struct tdxr_klog_acct *a)
{
	free(a);
}

static void note_fact(struct tdxr_klog_acct *a, const struct tdxr_event *ev,
		      const struct tdxr_strtab *st)
{
	uint32_t key = (uint32_t)EVF(ev, LOG_PLATFORM, key);

	if (strcmp(tdxr_strtab_get(st, key), "kernel_release") == 0) {
		if (!a->release[0]) {
			snprintf(a->release, sizeof(a->release), "%s",
				 tdxr_strtab_get(st, (uint32_t)EVF(ev, LOG_PLATFORM, value)));
		}
		return;
	}
	for (unsigned int i = 0; i < a->nfacts; i++) {
		if ((uint32_t)EVF(&a->facts[i], LOG_PLATFORM, key) == key) {
			return; /* the first one the log names */
		}
	}
	if (a->nfacts < TDXR_KLOG_MAX_FACTS) {
		a->facts[a->nfacts++] = *ev;
	}
}

static void note_failure(struct tdxr_klog_acct *a, const struct tdxr_event *ev)
{
	uint64_t leaf = EVF(ev, LOG_SEAMCALL_FAILED, leaf);
	uint64_t status = EVF(ev, LOG_SEAMCALL_FAILED, status);
	bool has = EVF_HAS(ev, LOG_SEAMCALL_FAILED, status);

	if (!has) {
		a->truncated = true;
	}
	for (unsigned int i = 0; i < a->nfails; i++) {
		const struct tdxr_event *f = &a->fails[i].ev;

		if (EVF(f, LOG_SEAMCALL_FAILED, leaf) == leaf &&
		    EVF(f, LOG_SEAMCALL_FAILED, fn) == EVF(ev, LOG_SEAMCALL_FAILED, fn) &&
		    EVF_HAS(f, LOG_SEAMCALL_FAILED, status) == has &&
		    EVF(f, LOG_SEAMCALL_FAILED, status) == status) {
			a->fails[i].count++;
			return;
		}
	}
	if (a->nfails == TDXR_KLOG_MAX_FAILURES) {
		a->dropped_fails++;
		return;
	}
	a->fails[a->nfails].ev = *ev;
	a->fails[a->nfails].count = 1;
	a->nfails++;
}

static void note_other(struct tdxr_klog_acct *a, const struct tdxr_event *ev)
{
	if (!a->has_first_other) {
		a->first_other = *ev;
		a->has_first_other = true;
	}
}

void tdxr_klog_acct_note(struct tdxr_klog_acct *a, const struct tdxr_event *ev,
			 const struct tdxr_strtab *st)
{
	if (!a || strcmp(tdxr_event_desc(ev->type)->system, "log") != 0) {
		return;
	}
	a->records++;
	switch (ev->type) {
	case TDXR_EV_LOG_PLATFORM:
		note_fact(a, ev, st);
		break;
	case TDXR_EV_LOG_SUPPRESSED:
		a->suppressed += EVF(ev, LOG_SUPPRESSED, count);
		break;
	case TDXR_EV_LOG_SEAMCALL_FAILED:
		note_failure(a, ev);
		break;
	case TDXR_EV_LOG_SPLAT: {
		const char *ctx = tdxr_strtab_get(st, (uint32_t)EVF(ev, LOG_SPLAT, ctx));

		if (strstr(ctx, "truncated=")) {
			a->truncated = true;
		}
		if (!a->release[0]) {
			tdxr_klog_ctx_get(ctx, "release", a->release, sizeof(a->release));
		}
		if (a->nsplats == TDXR_KLOG_MAX_SPLATS) {
			a->dropped_splats++;
		} else {
			a->splats[a->nsplats++] = *ev;
		}
		break;
	}
	case TDXR_EV_LOG_TD_EXIT:
		a->td_exits++;
		note_other(a, ev);
		break;
	case TDXR_EV_LOG_MEMORY_ERROR:
		a->memory_errors++;
		note_other(a, ev);
		break;
	case TDXR_EV_LOG_HKID_LEAKED:
		a->hkid_leaks++;
		note_other(a, ev);
		break;
	case TDXR_EV_LOG_ACCEPT_BEFORE:
		a->accept_before++;
		note_other(a, ev);
		break;
	default:
		break;
	}
}

/* Earlier in log time; file order (input, line) on a tie. */
static bool before(const struct tdxr_event *x, const struct tdxr_event *y)
{
	if (x->ts != y->ts) {
		return x->ts < y->ts;
	}
	if (x->input != y->input) {
		return x->input < y->input;
	}
	return x->line < y->line;
}

const struct tdxr_event *tdxr_klog_first_cause(const struct tdxr_klog_acct *a)
{
	const struct tdxr_event *best = NULL;

	if (!a) {
		return NULL;
	}
	for (unsigned int i = 0; i < a->nfails; i++) {
		if (!best || before(&a->fails[i].ev, best)) {
			best = &a->fails[i].ev;
		}
	}
	for (unsigned int i = 0; i < a->nsplats; i++) {
		if (!best || before(&a->splats[i], best)) {
			best = &a->splats[i];
		}
	}
	if (a->has_first_other && (!best || before(&a->first_other, best))) {
		best = &a->first_other;
	}
	return best;
}
