// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/test_merge_lost.c - the merge places a loss where it began:
 * ftrace prints CPU N's lost-events record just before that CPU's next
 * event, but the loss began right after its previous one, so the first
 * event after that one carries TDXR_LOST_WINDOW and the record
 * TDXR_LOST_WINDOW_END.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tdxr/merge.h"
#include "tdxr/strtab.h"

#define LINE(comm, cpu, ts) "  " comm " [00" #cpu "] .....   " ts ": "
#define ENTRY "kvm_entry: vcpu 0, rip 0x0 intr_info 0x00000000 error_code 0x00000000\n"

/* Reads @text through the merge; returns the number of events, their
 * lost flags in @flags. */
static unsigned int merge_flags(const char *text, uint16_t *flags, unsigned int max)
{
	char path[] = "/tmp/tdxr-merge-XXXXXX", err[512];
	struct tdxr_strtab *st = tdxr_strtab_new();
	struct tdxr_src_opts o = {.st = st};
	struct tdxr_merge *m;
	struct tdxr_event ev;
	char *paths[1] = {path};
	unsigned int n = 0;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	m = tdxr_merge_open(paths, 1, &o, err, sizeof(err));
	assert_non_null(m);
	while (tdxr_merge_next(m, &ev) == 1) {
		assert_int_equal(ev.seq, n);
		if (n < max) {
			flags[n] = ev.lost_flags;
		}
		n++;
	}
	tdxr_merge_close(m);
	tdxr_strtab_free(st);
	unlink(path);
	return n;
}

static void test_loss_window_begins_after_the_cpus_previous_event(void **state)
{
	const char *text = LINE("CPU 0/KVM-11", 1, "10.000001") ENTRY	   /* 0: cpu 1 */
		LINE("CPU 1/KVM-12", 2, "10.000002") ENTRY		   /* 1: cpu 2 */
			LINE("CPU 2/KVM-13", 3, "10.000003") ENTRY	   /* 2: cpu 3 */
				LINE("CPU 1/KVM-12", 2, "10.000004") ENTRY /* 3: cpu 2 */
		"CPU:1 [LOST 5 EVENTS]\n"				   /* cpu 1 lost */
		LINE("CPU 0/KVM-11", 1, "10.000005") ENTRY;		   /* 4: cpu 1 */
	uint16_t f[8];

	(void)state;
	assert_int_equal(merge_flags(text, f, 8), 5);
	assert_int_equal(f[0], 0);
	assert_int_equal(f[1], TDXR_LOST_WINDOW); /* right after cpu 1's previous */
	assert_int_equal(f[2], 0);
	assert_int_equal(f[3], 0);
	assert_int_equal(f[4], TDXR_LOST_COUNTED | TDXR_LOST_WINDOW_END);
}

static void test_loss_right_after_the_cpus_previous_event_opens_no_window(void **state)
{
	const char *text =
		LINE("CPU 1/KVM-12", 2, "10.000002") ENTRY LINE("CPU 0/KVM-11", 1, "10.000003")
			ENTRY "CPU:1 [LOST 2 EVENTS]\n" LINE("CPU 0/KVM-11", 1, "10.000005") ENTRY;
	uint16_t f[4];

	(void)state;
	assert_int_equal(merge_flags(text, f, 4), 3);
	assert_int_equal(f[0], 0);
	assert_int_equal(f[1], 0);
	assert_int_equal(f[2], TDXR_LOST_COUNTED);
}

/* A CPU whose first event in the trace comes after a loss: the loss may
 * have begun anywhere before, so the window opens at the first event. */
static void test_loss_on_a_cpu_not_seen_before_opens_at_the_first_event(void **state)
{
	const char *text =
		LINE("CPU 1/KVM-12", 2, "10.000002") ENTRY LINE("CPU 2/KVM-13", 3, "10.000003")
			ENTRY "CPU:1 [LOST 2 EVENTS]\n" LINE("CPU 0/KVM-11", 1, "10.000005") ENTRY;
	uint16_t f[4];

	(void)state;
	assert_int_equal(merge_flags(text, f, 4), 3);
	assert_int_equal(f[0], TDXR_LOST_WINDOW);
	assert_int_equal(f[1], 0);
	assert_int_equal(f[2], TDXR_LOST_COUNTED | TDXR_LOST_WINDOW_END);
}

/* More events than the delay line holds: order, seqs and flags survive. */
static void test_long_trace_passes_through_in_order(void **state)
{
	size_t cap = 20000 * 160, len = 0;
	char *text = malloc(cap);
	uint16_t f[20000];
	unsigned int i;

	(void)state;
	assert_non_null(text);
	for (i = 0; i < 10000; i++) {
		len += (size_t)snprintf(text + len, cap - len,
					"  CPU 0/KVM-11 [001] .....   10.%06u: " ENTRY, i);
	}
	len += (size_t)snprintf(text + len, cap - len, "CPU:1 [LOST 3 EVENTS]\n");
	len += (size_t)snprintf(text + len, cap - len,
				"  CPU 0/KVM-11 [001] .....   11.000000: " ENTRY);
	assert_int_equal(merge_flags(text, f, 20000), 10001);
	for (i = 0; i < 10000; i++) {
		assert_int_equal(f[i], 0);
	}
	assert_int_equal(f[10000], TDXR_LOST_COUNTED);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loss_window_begins_after_the_cpus_previous_event),
		cmocka_unit_test(test_loss_right_after_the_cpus_previous_event_opens_no_window),
		cmocka_unit_test(test_loss_on_a_cpu_not_seen_before_opens_at_the_first_event),
		cmocka_unit_test(test_long_trace_passes_through_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
