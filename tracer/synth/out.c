// SPDX-License-Identifier: GPL-2.0
/*
 * tracer/synth/out.c - the tracefs `trace` text layout.
 *
 * A line is "%16s-%-7d [%03d] %s %5lu.%06lu: %s: %s" (comm-pid, CPU,
 * latency flags, timestamp in seconds with microseconds, event name,
 * payload), exactly what tracefs prints with the default options. Lines
 * are built by hand in a large buffer: no printf on the hot path.
 *
 * The two tracer-side injections live here because they are properties of
 * the ring buffer, not of KVM: a lost run of events on one CPU followed by
 * "CPU:N [LOST M EVENTS]", and one timestamp that goes backwards.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "syn.h"

#define SYN_HDR_COUNT_OFF 16 /* after "# tracer: nop\n#\n" */
#define SYN_HDR_COUNT_LEN 79 /* the entries line, padded, without '\n' */

uint64_t trc_syn_rand(struct syn_gen *g)
{
	/* splitmix64: small, fast, and the same everywhere */
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void trc_syn_thread_init(struct syn_thread *t, const char *comm, int tid, int cpu)
{
	size_t n = strlen(comm);
	char *p = t->prefix;

	if (n > 16) {
		n = 16;
	}
	memcpy(t->comm, comm, n);
	t->comm[n] = '\0';
	t->tid = tid;
	t->cpu = cpu;
	for (size_t i = n; i < 16; i++) {
		*p++ = ' ';
	}
	memcpy(p, comm, n);
	p += n;
	*p++ = '-';
	{
		char *start = p;

		p = put_u(p, (uint64_t)tid);
		while (p - start < 7) {
			*p++ = ' ';
		}
	}
	p = PUT_LIT(p, " [");
	*p++ = (char)('0' + (cpu / 100) % 10);
	*p++ = (char)('0' + (cpu / 10) % 10);
	*p++ = (char)('0' + cpu % 10);
	p = PUT_LIT(p, "] ");
	t->prefix_len = (unsigned int)(p - t->prefix);
}

static int write_all(struct syn_gen *g, const char *b, size_t n)
{
	while (n) {
		ssize_t w = write(g->fd, b, n);

		if (w < 0) {
			if (errno == EINTR) {
				continue;
			}
			g->werr = errno;
			return -1;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

int trc_syn_out_flush(struct syn_gen *g)
{
	int r = 0;

	if (g->sink) {
		/* the text is only a scratch pad: events went to the sink */
		g->bytes += g->len;
		g->len = 0;
		return g->werr ? -1 : 0;
	}
	if (g->len && !g->werr) {
		r = write_all(g, g->buf, g->len);
	}
	g->bytes += g->len;
	g->len = 0;
	return g->werr ? -1 : r;
}

static size_t count_line(char *b, uint64_t in_buf, uint64_t written, unsigned int ncpus)
{
	int n = snprintf(b, SYN_HDR_COUNT_LEN + 1,
			 "# entries-in-buffer/entries-written: %llu/%llu   #P:%u",
			 (unsigned long long)in_buf, (unsigned long long)written, ncpus);

	for (int i = n; i < SYN_HDR_COUNT_LEN; i++) {
		b[i] = ' ';
	}
	return SYN_HDR_COUNT_LEN;
}

int trc_syn_out_header(struct syn_gen *g)
{
	static const char tail[] =
		"#\n"
		"#                                _-----=> irqs-off/BH-disabled\n"
		"#                               / _----=> need-resched\n"
		"#                              | / _---=> hardirq/softirq\n"
		"#                              || / _--=> preempt-depth\n"
		"#                              ||| / _-=> migrate-disable\n"
		"#                              |||| /     delay\n"
		"#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"
		"#              | |         |   |||||     |         |\n";
	char *p = g->buf + g->len;

	p = PUT_LIT(p, "# tracer: nop\n#\n");
	p += count_line(p, 0, 0, g->ncpus);
	*p++ = '\n';
	p = PUT_LIT(p, tail);
	g->len = (size_t)(p - g->buf);
	g->line += 12;
	return 0;
}

/* A seekable output gets the real counts; a pipe keeps the placeholder. */
void trc_syn_out_patch_header(struct syn_gen *g)
{
	char b[SYN_HDR_COUNT_LEN + 1];

	if (g->sink || lseek(g->fd, 0, SEEK_CUR) < 0) {
		return;
	}
	count_line(b, g->seq, g->seq + g->lost_total, g->ncpus);
	if (pwrite(g->fd, b, SYN_HDR_COUNT_LEN, SYN_HDR_COUNT_OFF) != SYN_HDR_COUNT_LEN) {
		g->werr = errno ? errno : EIO;
	}
}

void trc_syn_arm(struct syn_gen *g, const struct syn_vm *vm)
{
	if (!g->injected) {
		g->inj_arm = true;
		g->inj_vm = vm ? vm->pid : -1;
	}
}

static char *put_ts(char *p, uint64_t ts)
{
	uint64_t sec = ts / 1000000000ull;
	uint64_t usec = ts % 1000000000ull / 1000;
	char tmp[24];
	char *e = put_u(tmp, sec);
	int n = (int)(e - tmp);

	for (int i = n; i < 5; i++) {
		*p++ = ' ';
	}
	memcpy(p, tmp, (size_t)n);
	p += n;
	*p++ = '.';
	for (int i = 5; i >= 0; i--) {
		p[i] = (char)('0' + usec % 10);
		usec /= 10;
	}
	return p + 6;
}

char *trc_syn_ev_begin(struct syn_gen *g, const struct syn_thread *t, const char *flags,
		       const char *name, size_t name_len)
{
	uint64_t ts;
	char *p;

	if (g->cap - g->len < 4096) {
		trc_syn_out_flush(g);
	}
	g->ts += 150 + trc_syn_below(g, 900);
	ts = g->ts;
	p = g->buf + g->len;
	g->ev_drop = false;
	if (g->lost_left && t->cpu == g->lost_cpu) {
		g->ev_drop = true;
	} else if (g->lost_marker && t->cpu == g->lost_cpu) {
		p = PUT_LIT(p, "CPU:");
		p = put_u(p, (uint64_t)t->cpu);
		p = PUT_LIT(p, " [LOST ");
		p = put_u(p, g->lost_n);
		p = PUT_LIT(p, " EVENTS]\n");
		g->line++;
		g->lost_marker = false;
		g->inj_marker_line = g->line;
		g->inj_arm = true;
	}
	if (g->glitch_cpu == t->cpu && !g->ev_drop) {
		/* a clock that jumped back 2.5 ms on this CPU, for one event */
		ts -= 2500000;
		g->glitch_cpu = -1;
		g->inj_arm = true;
	}
	g->ev_start = (size_t)(p - g->buf);
	g->ev_ts = ts;
	g->ev_thr = t;
	g->ev_name = name;
	g->rec_type = TDXR_EV_UNMODELLED;
	memcpy(p, t->prefix, t->prefix_len);
	p += t->prefix_len;
	memcpy(p, flags, 5);
	p[5] = ' ';
	p = put_ts(p + 6, ts);
	*p++ = ':';
	*p++ = ' ';
	memcpy(p, name, name_len);
	p += name_len;
	*p++ = ':';
	*p++ = ' ';
	g->ev_pay = (size_t)(p - g->buf);
	return p;
}

/* Hands the event just formatted to the sink, as values. */
static void sink_event(struct syn_gen *g, char *end)
{
	struct trc_synth_ev e = {
		.type = g->rec_type,
		.ts = g->ev_ts / 1000 * 1000,
		.cpu = g->ev_thr->cpu,
		.tid = g->ev_thr->tid,
		.comm = g->ev_thr->comm,
		.f = g->rec_f,
		.s = g->rec_s,
		.name = g->ev_name,
		.payload = g->buf + g->ev_pay,
	};
	int r;

	*end = '\0';
	r = g->werr ? 0 : g->sink(g->sink_ctx, &e);
	if (r) {
		g->werr = r;
	}
}

void trc_syn_ev_end(struct syn_gen *g, char *p)
{
	if (g->sink && !g->ev_drop) {
		sink_event(g, p);
	}
	*p++ = '\n';
	if (g->ev_drop) {
		g->len = g->ev_start;
		g->lost_total++;
		if (--g->lost_left == 0) {
			g->lost_marker = true;
		}
		return;
	}
	g->len = (size_t)(p - g->buf);
	g->line++;
	if (g->inj_arm) {
		g->inj_arm = false;
		g->injected = true;
		g->inj_seq = g->seq;
		g->inj_line = g->line;
	}
	g->seq++;
}
