// SPDX-License-Identifier: GPL-2.0
/*
 * tests/kernelpatch/test_kernelpatch_traceevent.c - the kernel-patch/ events
 * as trace-cmd sees them.
 *
 * trace-cmd and the trace.dat reader do not run the kernel's TP_printk:
 * libtraceevent parses the event's "format" file and evaluates its print
 * fmt itself (__print_symbolic, the "?:" of kvm_tdx_tdvmcall, casts). For
 * every event of the series, this builds the format file tracefs would show
 * (from the patch text only) and raw records holding sample values, has
 * libtraceevent print them, and requires
 *  1. the format to parse without error;
 *  2. the text to equal, byte for byte, the kernel-side rendering of the
 *     same values (test_kernelpatch_schema.c checks that one against the
 *     reader field by field);
 *  3. the text to decode with tdxr_decode_payload().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event-parse.h>
#include <trace-seq.h>

#include "kp_parse.h"
#include "tdxr/event.h"
#include "tdxr/src.h"
#include "tdxr/strtab.h"

#ifndef KP_PATCH_DIR
#define KP_PATCH_DIR TDXR_SOURCE_DIR "/kernel-patch"
#endif

static struct kp_series *series; /* owned */
static struct tdxr_strtab *st;	 /* owned */

static int setup(void **state)
{
	char err[512] = "";

	(void)state;
	series = kp_series_new();
	st = tdxr_strtab_new();
	if (!series || !st || kp_series_load(series, KP_PATCH_DIR, err, sizeof(err)) <= 0) {
		fprintf(stderr, "cannot read the series in %s: %s\n", KP_PATCH_DIR, err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kp_series_free(series);
	tdxr_strtab_free(st);
	return 0;
}

/*
 * Prints @smp through libtraceevent and through kp_render() and compares;
 * then decodes the libtraceevent text. Returns nothing: fails the test.
 */
static void compare_with_libtraceevent(const struct kp_event *pe, unsigned int id,
				       struct kp_sample *smp)
{
	unsigned int type = tdxr_event_lookup(pe->system, pe->name, strlen(pe->name));
	struct tep_handle *tep = tep_alloc();
	struct tep_event *tev = NULL;
	struct tep_record rec;
	struct trace_seq seq;
	struct tdxr_event ev;
	const char *why = NULL;
	char symbol[32];
	char format[8192];
	uint8_t raw[256];
	size_t rawlen = sizeof(raw);
	char want[1024];
	char err[256] = "";
	enum tep_errno te;
	int flen;
	int sym;

	assert_non_null(tep);
	tep_set_long_size(tep, 8);
	tep_set_file_bigendian(tep, TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(tep, TEP_LITTLE_ENDIAN);

	/* Without kallsyms, %pS prints the address: render it the same way. */
	sym = -1;
	for (unsigned int i = 0; i < pe->nargs; i++) {
		if (pe->args[i].kind == KP_ARG_SYMPTR) {
			sym = kp_field_index(pe, pe->args[i].field);
		}
	}
	if (sym >= 0) {
		smp->val[sym] = 0xffffffffc0123456ull;
		snprintf(symbol, sizeof(symbol), "0x%llx", (unsigned long long)smp->val[sym]);
		smp->symbol = symbol;
	}

	flen = kp_format_file(series, pe, id, smp, format, sizeof(format), raw, &rawlen, err,
			      sizeof(err));
	if (flen < 0) {
		fail_msg("%s", err);
	}
	te = tep_parse_format(tep, &tev, format, (unsigned long)flen, pe->system);
	if (te != 0 || !tev) {
		char buf[256];

		tep_strerror(tep, te, buf, sizeof(buf));
		fail_msg("libtraceevent rejects the format of %s: %s\n%s", pe->name, buf, format);
	}
	if (kp_render(series, pe, smp, want, sizeof(want), err, sizeof(err)) < 0) {
		fail_msg("%s", err);
	}

	memset(&rec, 0, sizeof(rec));
	rec.data = raw;
	rec.size = (int)rawlen;
	trace_seq_init(&seq);
	tep_print_event(tep, &seq, &rec, "%s", TEP_PRINT_INFO);
	trace_seq_terminate(&seq);
	if (strcmp(seq.buffer, want) != 0) {
		fail_msg("%s: libtraceevent prints\n  \"%s\"\nthe kernel prints\n  "
			 "\"%s\"\nformat:\n%s",
			 pe->name, seq.buffer, want, format);
	}
	if (getenv("KP_VERBOSE")) {
		printf("%s: %s\n", pe->name, seq.buffer);
	}
	memset(&ev, 0, sizeof(ev));
	if (tdxr_decode_payload(type, seq.buffer, strlen(seq.buffer), &ev, st, &why) != 0) {
		fail_msg("%s: the reader rejects \"%s\": %s", pe->name, seq.buffer, why);
	}
	trace_seq_destroy(&seq);
	tep_free(tep);
}

static void test_libtraceevent_prints_every_event_as_the_kernel_does(void **state)
{
	unsigned int id = 500;
	unsigned int lines = 0;

	(void)state;
	assert_true(series->nevents > 0);
	for (unsigned int i = 0; i < series->nevents; i++) {
		const struct kp_event *pe = &series->events[i];
		struct kp_sample smp;

		for (int v = KP_TYPICAL; v <= KP_MAX; v++) {
			kp_sample_fill(pe, (enum kp_variant)v, &smp);
			for (unsigned int a = 0; a < pe->nargs; a++) {
				if (pe->args[a].kind == KP_ARG_SYMBOLIC) {
					assert_int_equal(
						kp_sample_symbol(series, pe, &pe->args[a], 0, &smp),
						0);
				}
			}
			compare_with_libtraceevent(pe, id++, &smp);
			lines++;
		}
		for (unsigned int a = 0; a < pe->nargs; a++) {
			const struct kp_arg *arg = &pe->args[a];

			if (arg->kind != KP_ARG_SYMBOLIC) {
				continue;
			}
			for (unsigned int k = 0; k <= arg->nsyms; k++) {
				kp_sample_fill(pe, KP_TYPICAL, &smp);
				assert_int_equal(kp_sample_symbol(series, pe, arg, k, &smp), 0);
				compare_with_libtraceevent(pe, id++, &smp);
				lines++;
			}
			if (arg->cond[0]) {
				kp_sample_fill(pe, KP_TYPICAL, &smp);
				smp.val[kp_field_index(pe, arg->cond)] = 1;
				compare_with_libtraceevent(pe, id++, &smp);
				lines++;
			}
		}
	}
	assert_true(lines >= 3 * series->nevents);
}

static void test_the_upstream_spte_changed_prints_the_same_through_libtraceevent(void **state)
{
	const struct kp_event *up = kp_series_event(series, "kvm_tdp_mmu_spte_changed", true);
	struct kp_sample smp;

	(void)state;
	assert_non_null(up);
	kp_sample_fill(up, KP_TYPICAL, &smp);
	compare_with_libtraceevent(up, 499, &smp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libtraceevent_prints_every_event_as_the_kernel_does),
		cmocka_unit_test(
			test_the_upstream_spte_changed_prints_the_same_through_libtraceevent),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
