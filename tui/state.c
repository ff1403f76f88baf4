// SPDX-License-Identifier: GPL-2.0
/*
 * tui/state.c - the state pane: what the model holds for the gfn at the
 * cursor, right after the cursor's event (idx_seek: nearest checkpoint,
 * then replay). Mirror and direct walks level by level, the S-EPT entry,
 * the PAMT owner, the TD's op state and epochs, each vCPU's in-guest
 * epoch, and the last events on the gfn.
 *
 * Which gfn: the one the cursor's event touches; for an event that
 * touches none, the nearest earlier event within GFN_LOOKBACK that does.
 * The choice depends on the seq alone, so stepping backward shows exactly
 * what stepping forward showed.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tdxr/tdx.h"
#include "tui_int.h"

#define GFN_LOOKBACK 64

/*
 * The seeker: idx_seek on a 10 M-event index can take a second (restore a
 * checkpoint, replay up to the next one), so it runs in a worker thread
 * with its own struct idx (the index is one handle per thread). The UI
 * posts (seq, vm, gfn) and keeps drawing; the worker answers with the
 * gfn view and the UI picks it up at its next turn. A request posted while
 * the worker is busy replaces the waiting one: held keys never queue
 * seeks.
 *
 * Concurrency: every field below @mu is guarded by it; @ix belongs to the
 * worker alone.
 */
struct tui_seeker {
	pthread_t th;
	struct idx *ix;	 /* owned, worker only */
	char path[4096]; /* of the index */
	pthread_mutex_t mu;
	pthread_cond_t cv; /* signalled on a request, a result, quit */
	bool quit;
	bool req; /* a request waits */
	uint64_t req_seq;
	int req_vm;
	bool req_has_gfn;
	uint64_t req_gfn;
	bool done; /* a result for res_seq is ready */
	uint64_t res_seq;
	int res_rc;	   /* 0, or -1: the seek failed */
	char res_err[512]; /* then why (idx_error) */
	bool res_has_gfn;  /* the gfn's VM is known to the model */
	unsigned int res_nr_vms;
	struct mdl_gfn_view res_view;
};

/* Why the seek failed, without the index's path (the screen names it). */
static void seek_error(struct tui_seeker *sk, int rc)
{
	const char *e = rc ? idx_error(sk->ix) : "";
	size_t n = strlen(sk->path);

	if (strncmp(e, sk->path, n) == 0 && strncmp(e + n, ": ", 2) == 0) {
		e += n + 2;
	}
	snprintf(sk->res_err, sizeof(sk->res_err), "%s", e);
}

static void *seeker_main(void *arg)
{
	struct tui_seeker *sk = arg;

	pthread_mutex_lock(&sk->mu);
	for (;;) {
		struct mdl_gfn_view view;
		struct mdl_vm_info vi;
		const struct mdl_model *m = NULL;
		uint64_t seq, gfn;
		bool has_gfn, ok_gfn = false;
		int vm, rc;

		while (!sk->quit && !sk->req) {
			pthread_cond_wait(&sk->cv, &sk->mu);
		}
		if (sk->quit) {
			break;
		}
		seq = sk->req_seq;
		vm = sk->req_vm;
		has_gfn = sk->req_has_gfn;
		gfn = sk->req_gfn;
		sk->req = false;
		pthread_mutex_unlock(&sk->mu);

		memset(&view, 0, sizeof(view));
		rc = idx_seek(sk->ix, seq, &m);
		if (rc == 0 && has_gfn) {
			ok_gfn = mdl_query_gfn(m, vm, gfn, &view) == 0;
			/* an event without a VM in a one-VM trace: that VM */
			if (!ok_gfn && vm < 0 && mdl_nr_vms(m) == 1 &&
			    mdl_vm_info(m, 0, &vi) == 0) {
				ok_gfn = mdl_query_gfn(m, vi.vm, gfn, &view) == 0;
			}
		}

		pthread_mutex_lock(&sk->mu);
		sk->done = true;
		sk->res_seq = seq;
		sk->res_rc = rc;
		seek_error(sk, rc);
		sk->res_has_gfn = ok_gfn;
		sk->res_nr_vms = m ? mdl_nr_vms(m) : 0;
		sk->res_view = view;
		pthread_cond_broadcast(&sk->cv);
	}
	pthread_mutex_unlock(&sk->mu);
	return NULL;
}

int tui_seeker_start(struct tui *t, const char *index_path, char *err, size_t errlen)
{
	struct tui_seeker *sk = calloc(1, sizeof(*sk));

	if (!sk) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(sk->path, sizeof(sk->path), "%s", index_path);
	sk->ix = idx_open(index_path, err, errlen);
	if (!sk->ix) {
		free(sk);
		return -1;
	}
	/* one read transaction: no file locking per statement */
	if (idx_begin_read(sk->ix) != IDX_FOUND) {
		snprintf(err, errlen, "%s", idx_error(sk->ix));
		idx_close(sk->ix);
		free(sk);
		return -1;
	}
	pthread_mutex_init(&sk->mu, NULL);
	pthread_cond_init(&sk->cv, NULL);
	if (pthread_create(&sk->th, NULL, seeker_main, sk) != 0) {
		idx_close(sk->ix);
		free(sk);
		snprintf(err, errlen, "cannot start the seek thread");
		return -1;
	}
	t->seeker = sk;
	return 0;
}

void tui_seeker_stop(struct tui *t)
{
	struct tui_seeker *sk = t->seeker;

	if (!sk) {
		return;
	}
	pthread_mutex_lock(&sk->mu);
	sk->quit = true;
	pthread_cond_broadcast(&sk->cv);
	pthread_mutex_unlock(&sk->mu);
	pthread_join(sk->th, NULL);
	idx_close(sk->ix);
	pthread_mutex_destroy(&sk->mu);
	pthread_cond_destroy(&sk->cv);
	free(sk);
	t->seeker = NULL;
}

static void pick_gfn(struct tui *t)
{
	struct tdxr_event ev;
	uint64_t s = t->cur;

	t->has_gfn = false;
	for (unsigned int i = 0; i < GFN_LOOKBACK; i++) {
		uint64_t gfn;

		if (idx_event(t->ix, s, &ev) == 0 && tui_event_gfn(&ev, &gfn)) {
			t->has_gfn = true;
			t->gfn = gfn;
			t->gfn_vm = ev.vm >= 0 ? ev.vm : (t->vm_filter ? t->vm : -1);
			t->gfn_from = s;
			return;
		}
		if (s == 0) {
			return;
		}
		s--;
	}
}

/* Takes the worker's answer if it is the one for the cursor. */
static void take_result(struct tui *t, struct tui_seeker *sk)
{
	if (!sk->done || sk->res_seq != t->cur) {
		return;
	}
	t->state_ready = true;
	t->state_rc = sk->res_rc;
	snprintf(t->state_err, sizeof(t->state_err), "%s", sk->res_err);
	t->state_nr_vms = sk->res_nr_vms;
	t->gview = sk->res_view;
	if (!sk->res_has_gfn) {
		t->has_gfn = false;
	} else {
		t->gfn_vm = sk->res_view.vm;
	}
}

void tui_state_update(struct tui *t)
{
	struct tui_seeker *sk = t->seeker;

	if (!t->nr_events || !sk) {
		return;
	}
	if (t->state_seq != t->cur || !t->state_posted) {
		pick_gfn(t);
		t->state_seq = t->cur;
		t->state_posted = true;
		t->state_ready = false;
		pthread_mutex_lock(&sk->mu);
		sk->req = true;
		sk->req_seq = t->cur;
		sk->req_vm = t->gfn_vm;
		sk->req_has_gfn = t->has_gfn;
		sk->req_gfn = t->gfn;
		sk->done = false;
		pthread_cond_broadcast(&sk->cv);
		pthread_mutex_unlock(&sk->mu);
	}
	if (t->state_ready) {
		return;
	}
	pthread_mutex_lock(&sk->mu);
	take_result(t, sk);
	pthread_mutex_unlock(&sk->mu);
}

bool tui_state_pending(const struct tui *t)
{
	return t->seeker && t->nr_events && !t->state_ready;
}

bool tui_state_poll(struct tui *t)
{
	struct tui_seeker *sk = t->seeker;

	if (!tui_state_pending(t) || !t->state_posted) {
		return false;
	}
	pthread_mutex_lock(&sk->mu);
	take_result(t, sk);
	pthread_mutex_unlock(&sk->mu);
	return t->state_ready;
}

void tui_state_wait(struct tui *t)
{
	struct tui_seeker *sk = t->seeker;

	tui_state_update(t);
	if (!sk || t->state_ready) {
		return;
	}
	pthread_mutex_lock(&sk->mu);
	while (!(sk->done && sk->res_seq == t->cur)) {
		pthread_cond_wait(&sk->cv, &sk->mu);
	}
	take_result(t, sk);
	pthread_mutex_unlock(&sk->mu);
}

/* PENDING that the guest may have accepted unseen reads PENDING|MAPPED. */
static const char *sept_state_str(const struct mdl_gfn_view *g)
{
	if (g->maybe_accepted && g->sept_state == MDL_SEPT_PENDING) {
		return "PENDING|MAPPED";
	}
	if (g->maybe_accepted && g->sept_state == MDL_SEPT_PENDING_BLOCKED) {
		return "PENDING_BLOCKED|BLOCKED";
	}
	return mdl_sept_state_name(g->sept_state);
}

static void build(struct tui *t, struct tui_text *d)
{
	const struct mdl_gfn_view *g = &t->gview;
	char spte[128], tmp[TUI_TEXT_W];
	size_t n;

	d->n = 0;
	if (!t->state_ready) {
		tui_text_add(d, "seeking the model to seq %llu ...", (unsigned long long)t->cur);
		return;
	}
	if (t->state_rc != 0) {
		tui_text_add(d, "no model state at seq %llu: %s", (unsigned long long)t->cur,
			     t->state_err[0] ? t->state_err : "the seek failed");
		return;
	}
	if (!t->has_gfn) {
		tui_text_add(d, "no gfn at seq %llu (nor in the %d events before)",
			     (unsigned long long)t->cur, GFN_LOOKBACK);
		tui_text_add(d, "VMs known: %u", t->state_nr_vms);
		return;
	}
	tui_text_add(d, "gfn 0x%llx  vm %d  after seq %llu%s", (unsigned long long)g->gfn, g->vm,
		     (unsigned long long)t->cur, g->uncertain ? "  (uncertain: lost events)" : "");
	if (t->gfn_from != t->cur) {
		tui_text_add(d, "  (gfn taken from seq %llu)", (unsigned long long)t->gfn_from);
	}
	tui_text_add(d, "S-EPT   %s %s%s  pfn 0x%llx", tdxr_level_name(g->sept_level),
		     sept_state_str(g), g->blocked ? " (blocked)" : "", (unsigned long long)g->pfn);
	if (g->pamt_owner >= 0) {
		tui_text_add(d, "PAMT    %s  owner vm %d", mdl_pamt_type_name(g->pamt_type),
			     g->pamt_owner);
	} else {
		tui_text_add(d, "PAMT    %s  no owner", mdl_pamt_type_name(g->pamt_type));
	}
	tui_text_add(d, "TD      op %s  TD epoch %llu  bepoch %llu", mdl_op_state_name(g->op_state),
		     (unsigned long long)g->td_epoch, (unsigned long long)g->bepoch);
	for (int tree = 1; tree >= 0; tree--) {
		bool any = false;

		for (int level = MDL_LEVELS; level >= 1; level--) {
			if (!g->known[tree][level]) {
				continue;
			}
			any = true;
			tui_text_add(d, "%-6s  L%d %-4s %016llx %s", tree ? "mirror" : "direct",
				     level, tdxr_level_name(level),
				     (unsigned long long)g->spte[tree][level],
				     tdxr_spte_str(g->spte[tree][level], spte, sizeof(spte)));
		}
		if (!any) {
			tui_text_add(d, "%-6s  nothing known", tree ? "mirror" : "direct");
		}
	}
	n = (size_t)snprintf(tmp, sizeof(tmp), "vCPUs  ");
	for (unsigned int i = 0; i < g->nr_vcpus && i < MDL_VIEW_VCPUS; i++) {
		int w = snprintf(tmp + n, sizeof(tmp) - n, " %d:%s e%llu", g->vcpu_id[i],
				 g->vcpu_in_guest[i] ? "in" : "out",
				 (unsigned long long)g->vcpu_epoch[i]);

		if (w < 0 || (size_t)w >= sizeof(tmp) - n) {
			tui_text_add(d, "%s", tmp);
			n = (size_t)snprintf(tmp, sizeof(tmp), "       ");
			i--;
			continue;
		}
		n += (size_t)w;
	}
	if (!g->nr_vcpus) {
		snprintf(tmp + n, sizeof(tmp) - n, " none seen");
	}
	tui_text_add(d, "%s", tmp);
	n = (size_t)snprintf(tmp, sizeof(tmp), "history");
	for (unsigned int i = 0; i < g->nr_hist && i < 8 && n < sizeof(tmp); i++) {
		n += (size_t)snprintf(tmp + n, sizeof(tmp) - n, " %llu",
				      (unsigned long long)g->hist[i]);
	}
	if (!g->nr_hist) {
		snprintf(tmp + n, sizeof(tmp) - n, " (none)");
	}
	tui_text_add(d, "%s  (s/S step)", tmp);
}

static void state_draw(struct tui *t, struct tui_view *v, const struct tui_rect *r)
{
	struct tui_text *d = v->priv;

	if (!d) {
		d = calloc(1, sizeof(*d));
		if (!d) {
			return;
		}
		v->priv = d;
	}
	build(t, d);
	tui_text_draw(v, r, d);
	tui_title(r, v->top ? "state (scrolled)" : "state", t->focus == TUI_PANE_STATE);
}

static bool state_request(struct tui *t, struct tui_view *v, enum tui_req req)
{
	(void)t;
	return tui_scroll_request(v, req);
}

static void state_close(struct tui *t, struct tui_view *v)
{
	(void)t;
	free(v->priv);
	v->priv = NULL;
}

const struct tui_view_ops tui_state_ops = {
	.name = "state",
	.draw = state_draw,
	.request = state_request,
	.close = state_close,
};
