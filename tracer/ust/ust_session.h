/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tracer/ust/ust_session.h - one LTTng-UST capture session through
 * liblttng-ctl, as `tdxr record --vmm` and `tdxr synth --format ctf` set
 * it up: a per-UID channel that blocks instead of discarding (the traced
 * process needs LTTNG_UST_ALLOW_BLOCKING=1), one event pattern, optional
 * contexts; stopped with the counts of what LTTng still lost.
 */
#ifndef TDXR_UST_SESSION_H
#define TDXR_UST_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lttng/lttng.h>

struct ust_session {
	const char *name;    /* session name */
	const char *out;     /* trace output directory, absolute (read by start only) */
	const char *channel; /* channel name */
	const char *events;  /* event pattern, e.g. "tdxr_vmm:*" */
	uint64_t subbuf_size;
	uint64_t num_subbuf;
	const enum lttng_event_context_type *ctxs; /* added to the channel */
	size_t nr_ctxs;
	bool created; /* set by trc_ust_session_start: trc_ust_session_stop destroys it */
};

/*
 * Creates, configures and starts the session. 0, or -1 with what failed
 * and LTTng's reason in @err; s->created then says whether the session
 * exists (and must still be stopped).
 */
int trc_ust_session_start(struct ust_session *s, char *err, size_t errlen);

/*
 * Stops the session (the data is on disk when it returns) and destroys
 * it. Adds the events LTTng discarded and the packets it lost to the
 * counters given (either may be NULL). Nothing when it was not created.
 */
void trc_ust_session_stop(struct ust_session *s, uint64_t *discarded, uint64_t *lost_packets);

#endif /* TDXR_UST_SESSION_H */
