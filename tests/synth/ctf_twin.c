// SPDX-License-Identifier: GPL-2.0
/*
 * tests/synth/ctf_twin.c - ctf_twin A B: reads two inputs with the tdxr
 * readers and compares their struct tdxr_event streams member by member
 * (type, ts, cpu, tid, tgid, vm, vcpu, comm, name, fmask, every present
 * field, strings by text, raw text of unmodelled events, lost records);
 * only `line` and `input` may differ. Prints the first difference and
 * exits 1; exits 0 with "N events identical"; 2 when an input cannot be read.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tdxr/event.h"
#include "tdxr/src.h"
#include "tdxr/strtab.h"

static const char *str(const struct tdxr_strtab *st, uint64_t id)
{
	const char *s = tdxr_strtab_get(st, (uint32_t)id);

	return s ? s : "";
}

/* Returns the name of the first member that differs, NULL if none. */
static const char *differ(const struct tdxr_event *a, const struct tdxr_strtab *sa,
			  const struct tdxr_event *b, const struct tdxr_strtab *sb)
{
	const struct tdxr_event_desc *d;

	if (a->type != b->type) {
		return "type";
	}
	if (a->ts != b->ts) {
		return "ts";
	}
	if (a->cpu != b->cpu) {
		return "cpu";
	}
	if (a->tid != b->tid) {
		return "tid";
	}
	if (a->tgid != b->tgid) {
		return "tgid";
	}
	if (a->vm != b->vm) {
		return "vm";
	}
	if (a->vcpu != b->vcpu) {
		return "vcpu";
	}
	if (strcmp(str(sa, a->comm), str(sb, b->comm)) != 0) {
		return "comm";
	}
	if (strcmp(str(sa, a->name), str(sb, b->name)) != 0) {
		return "name";
	}
	if (a->fmask != b->fmask) {
		return "fmask";
	}
	if (a->lost_flags != b->lost_flags || a->lost != b->lost) {
		return "lost";
	}
	if (a->type == TDXR_EV_UNMODELLED) {
		return strcmp(a->raw ? a->raw : "", b->raw ? b->raw : "") ? "raw" : NULL;
	}
	d = tdxr_event_desc(a->type);
	for (unsigned int i = 0; i < d->nr_fields; i++) {
		if (!((a->fmask >> i) & 1)) {
			continue;
		}
		if (d->fields[i].type == TDXR_FT_STR
			    ? strcmp(str(sa, a->f[i]), str(sb, b->f[i])) != 0
			    : a->f[i] != b->f[i]) {
			return d->fields[i].name;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct tdxr_strtab *st[2];
	struct tdxr_src *src[2];
	struct tdxr_event ev[2];
	uint64_t n = 0;
	char err[512];

	if (argc != 3) {
		fprintf(stderr, "usage: ctf_twin A B\n");
		return 2;
	}
	for (int i = 0; i < 2; i++) {
		struct tdxr_src_opts o = {.format = TDXR_FMT_AUTO, .strict = true};

		st[i] = tdxr_strtab_new();
		o.st = st[i];
		src[i] = st[i] ? tdxr_src_open(argv[1 + i], &o, err, sizeof(err)) : NULL;
		if (!src[i]) {
			fprintf(stderr, "ctf_twin: %s\n", st[i] ? err : "out of memory");
			return 2;
		}
	}
	for (;; n++) {
		int r0 = tdxr_src_next(src[0], &ev[0]);
		int r1 = tdxr_src_next(src[1], &ev[1]);
		const char *what;

		if (r0 < 0 || r1 < 0) {
			fprintf(stderr, "ctf_twin: %s\n", tdxr_src_error(src[r0 < 0 ? 0 : 1]));
			return 2;
		}
		if (r0 != r1) {
			printf("event %" PRIu64 ": %s ends first\n", n, argv[r0 ? 2 : 1]);
			return 1;
		}
		if (r0 == 0) {
			break;
		}
		what = differ(&ev[0], st[0], &ev[1], st[1]);
		if (what) {
			printf("event %" PRIu64 " (line %u of %s): %s differs\n", n, ev[0].line,
			       argv[1], what);
			return 1;
		}
	}
	for (int i = 0; i < 2; i++) {
		tdxr_src_close(src[i]);
		tdxr_strtab_free(st[i]);
	}
	printf("%" PRIu64 " events identical\n", n);
	return 0;
}
