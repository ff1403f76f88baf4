// SPDX-License-Identifier: GPL-2.0
/*
 * tracer/ust/ust_session.c - an LTTng-UST session for tdxr's captures
 * (see ust_session.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ust_session.h"

static int fail(char *err, size_t errlen, const char *what, int ret)
{
	snprintf(err, errlen, "%s: %s", what, lttng_strerror(ret));
	return -1;
}

/* The channel and what it records, on a created session. 0 or -1. */
static int configure(const struct ust_session *s, struct lttng_handle *h, struct lttng_channel *ch,
		     char *err, size_t errlen)
{
	struct lttng_event ev;
	int ret;

	snprintf(ch->name, sizeof(ch->name), "%s", s->channel);
	ch->enabled = 1;
	ch->attr.overwrite = 0;
	ch->attr.subbuf_size = s->subbuf_size;
	ch->attr.num_subbuf = s->num_subbuf;
	ch->attr.switch_timer_interval = 0;
	ch->attr.read_timer_interval = 200000;
	ch->attr.output = LTTNG_EVENT_MMAP;
	/* Blocking (LTTNG_UST_ALLOW_BLOCKING=1 in the traced process): a full
	 * buffer waits for the consumer instead of discarding events. */
	ret = lttng_channel_set_blocking_timeout(ch, -1);
	if (ret < 0) {
		return fail(err, errlen, "cannot make the channel blocking", ret);
	}
	ret = lttng_enable_channel(h, ch);
	if (ret < 0) {
		return fail(err, errlen, "cannot enable the channel", ret);
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = LTTNG_EVENT_TRACEPOINT;
	ev.loglevel_type = LTTNG_EVENT_LOGLEVEL_ALL;
	snprintf(ev.name, sizeof(ev.name), "%s", s->events);
	ret = lttng_enable_event(h, &ev, s->channel);
	if (ret < 0) {
		snprintf(err, errlen, "cannot enable %s: %s", s->events, lttng_strerror(ret));
		return -1;
	}
	for (size_t i = 0; i < s->nr_ctxs; i++) {
		struct lttng_event_context c;

		memset(&c, 0, sizeof(c));
		c.ctx = s->ctxs[i];
		ret = lttng_add_context(h, &c, NULL, s->channel);
		if (ret < 0) {
			return fail(err, errlen, "cannot add a context", ret);
		}
	}
	return 0;
}

int trc_ust_session_start(struct ust_session *s, char *err, size_t errlen)
{
	struct lttng_domain dom = {.type = LTTNG_DOMAIN_UST, .buf_type = LTTNG_BUFFER_PER_UID};
	struct lttng_handle *h;
	struct lttng_channel *ch;
	int ret, r = -1;

	s->created = false;
	ret = lttng_create_session(s->name, s->out);
	if (ret < 0) {
		return fail(err, errlen, "cannot create the session", ret);
	}
	s->created = true;
	h = lttng_create_handle(s->name, &dom);
	ch = lttng_channel_create(&dom);
	if (!h || !ch) {
		snprintf(err, errlen, "out of memory");
	} else if (configure(s, h, ch, err, errlen) == 0) {
		ret = lttng_start_tracing(s->name);
		if (ret < 0) {
			fail(err, errlen, "cannot start tracing", ret);
		} else {
			r = 0;
		}
	}
	if (ch) {
		lttng_channel_destroy(ch);
	}
	if (h) {
		lttng_destroy_handle(h);
	}
	return r;
}

void trc_ust_session_stop(struct ust_session *s, uint64_t *discarded, uint64_t *lost_packets)
{
	struct lttng_domain dom = {.type = LTTNG_DOMAIN_UST, .buf_type = LTTNG_BUFFER_PER_UID};
	struct lttng_channel *chans = NULL;
	struct lttng_handle *h;
	int n;

	if (!s->created) {
		return;
	}
	lttng_stop_tracing(s->name); /* waits until the data is on disk */
	h = lttng_create_handle(s->name, &dom);
	if (h && (n = lttng_list_channels(h, &chans)) > 0) {
		for (int i = 0; i < n; i++) {
			uint64_t d = 0, l = 0;

			lttng_channel_get_discarded_event_count(&chans[i], &d);
			lttng_channel_get_lost_packet_count(&chans[i], &l);
			if (discarded) {
				*discarded += d;
			}
			if (lost_packets) {
				*lost_packets += l;
			}
		}
		free(chans);
	}
	if (h) {
		lttng_destroy_handle(h);
	}
	lttng_destroy_session(s->name);
	s->created = false;
}
