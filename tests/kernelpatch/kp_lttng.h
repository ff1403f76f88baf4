/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/kernelpatch/kp_lttng.h - reads kernel-patch/lttng-modules/tdxr.h,
 * the LTTng probe of the same events: its events and their CTF fields, and
 * the name tables it repeats from the patch (SEAMCALL leaves, S-EPT ops,
 * GHCI sub-functions), so that the test can hold them against the patch.
 */
#ifndef KP_LTTNG_H
#define KP_LTTNG_H

#include <stddef.h>
#include <stdint.h>

#include "kp_parse.h"

#define KP_LTTNG_MAX_EVENTS 16
#define KP_LTTNG_MAX_NAMES 64

struct kp_lttng_field {
	char kind; /* 's' ctf_string, 'i' ctf_integer, 'x' ctf_integer_hex */
	char name[KP_NAME_LEN];
};

struct kp_lttng_event {
	char name[KP_NAME_LEN];
	unsigned int nfields;
	struct kp_lttng_field fields[KP_MAX_FIELDS];
};

/* One "value -> name" of a table: the value as written. */
struct kp_lttng_name {
	char value[KP_NAME_LEN];
	char name[KP_NAME_LEN];
};

struct kp_lttng {
	unsigned int nevents;
	struct kp_lttng_event events[KP_LTTNG_MAX_EVENTS];
	unsigned int nleaves; /* "[N] = "NAME"" of tdxr_lttng_leaf_name() */
	struct kp_lttng_name leaves[KP_LTTNG_MAX_NAMES];
	unsigned int nops; /* names[] of tdxr_lttng_sept_op(), by index */
	struct kp_lttng_name ops[KP_LTTNG_MAX_NAMES];
	unsigned int ncalls; /* "case V: return "NAME";" of tdxr_lttng_tdvmcall_name() */
	struct kp_lttng_name calls[KP_LTTNG_MAX_NAMES];
	char hypercall[KP_NAME_LEN]; /* what it returns when r10 != 0 */
};

/* Parses the probe header @text into @out. 0, or -1 with @err. */
int kp_lttng_parse(const char *text, struct kp_lttng *out, char *err, size_t errlen);

/* The event called @name, or NULL. */
const struct kp_lttng_event *kp_lttng_event(const struct kp_lttng *l, const char *name);

#endif /* KP_LTTNG_H */
