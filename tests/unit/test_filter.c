// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/test_filter.c - the -F filter grammar (tdxr/filter.h).
 *
 * Events are built directly as struct tdxr_event; every test compiles a
 * filter and checks which events it selects, or which error (and column)
 * the compiler reports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tdxr/event.h"
#include "tdxr/filter.h"
#include "tdxr/strtab.h"

static struct tdxr_strtab *st;

static int setup(void **state)
{
	(void)state;
	st = tdxr_strtab_new();
	return st ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	tdxr_strtab_free(st);
	st = NULL;
	return 0;
}

static uint32_t S(const char *s)
{
	return tdxr_strtab_intern(st, s, strlen(s));
}

/* An event of @type with every field present and zero, common fields set. */
static struct tdxr_event ev_new(unsigned int type)
{
	struct tdxr_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = (uint16_t)type;
	ev.seq = 10;
	ev.ts = 1000000000ull;
	ev.line = 42;
	ev.cpu = 3;
	ev.tid = 4242;
	ev.tgid = 4200;
	ev.vm = 4200;
	ev.vcpu = 1;
	ev.comm = S("CPU 1/KVM");
	ev.fmask = (uint16_t)((1u << tdxr_event_desc(type)->nr_fields) - 1);
	return ev;
}

static struct tdxr_event spte_changed(uint64_t gfn, int level)
{
	struct tdxr_event ev = ev_new(TDXR_EV_KVM_TDP_MMU_SPTE_CHANGED);

	EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, gfn) = gfn;
	EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, level) = (uint64_t)level;
	EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, old_spte) = 0x5a0;
	EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, new_spte) = 0x8000000012345ea7ull;
	EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, mirror) = 1;
	EVF(&ev, KVM_TDP_MMU_SPTE_CHANGED, vm) = 4200;
	return ev;
}

static struct tdxr_event seamcall(const char *leaf, uint64_t status)
{
	struct tdxr_event ev = ev_new(TDXR_EV_TDX_SEAMCALL);

	EVF(&ev, TDX_SEAMCALL, leaf_name) = S(leaf);
	EVF(&ev, TDX_SEAMCALL, status) = status;
	return ev;
}

static struct tdxr_event sept(const char *op, int ret)
{
	struct tdxr_event ev = ev_new(TDXR_EV_KVM_TDX_SEPT);

	EVF(&ev, KVM_TDX_SEPT, op) = S(op);
	EVF(&ev, KVM_TDX_SEPT, gfn) = 0x1000;
	EVF(&ev, KVM_TDX_SEPT, level) = 1;
	/* S32 slots hold the value sign-extended. */
	EVF(&ev, KVM_TDX_SEPT, ret) = (uint64_t)(int64_t)ret;
	return ev;
}

static struct tdxr_event pio(unsigned int port, unsigned int val)
{
	struct tdxr_event ev = ev_new(TDXR_EV_KVM_PIO);

	EVF(&ev, KVM_PIO, rw_name) = S("write");
	EVF(&ev, KVM_PIO, port) = port;
	EVF(&ev, KVM_PIO, size) = 1;
	EVF(&ev, KVM_PIO, count) = 1;
	EVF(&ev, KVM_PIO, val) = val;
	EVF(&ev, KVM_PIO, rw) = 1;
	return ev;
}

static struct tdxr_event kvm_exit(const char *reason)
{
	struct tdxr_event ev = ev_new(TDXR_EV_KVM_EXIT);

	EVF(&ev, KVM_EXIT, reason) = S(reason);
	return ev;
}

static struct tdxr_event unmodelled(const char *name)
{
	struct tdxr_event ev = ev_new(TDXR_EV_UNMODELLED);

	ev.name = S(name);
	ev.fmask = 0;
	ev.raw = "rip 0xfff0 gfn 1000";
	return ev;
}

/* Compiles @expr (must succeed) and matches @ev. */
static bool M(const char *expr, struct tdxr_event ev)
{
	char err[256];
	struct tdxr_filter *f = tdxr_filter_compile(expr, err, sizeof(err));
	bool r;

	if (!f) {
		fail_msg("'%s' does not compile: %s", expr, err);
	}
	r = tdxr_filter_match(f, &ev, st);
	tdxr_filter_free(f);
	return r;
}

/* Compiles @expr (must fail); checks the column and a word of the message. */
static void E(const char *expr, unsigned int col, const char *word)
{
	char err[256], want[32];
	struct tdxr_filter *f = tdxr_filter_compile(expr, err, sizeof(err));

	if (f) {
		tdxr_filter_free(f);
		fail_msg("'%s' compiled, expected an error", expr);
	}
	snprintf(want, sizeof(want), "column %u: ", col);
	if (strncmp(err, want, strlen(want)) != 0) {
		fail_msg("'%s': got '%s', want column %u", expr, err, col);
	}
	if (!strstr(err, word)) {
		fail_msg("'%s': message '%s' lacks '%s'", expr, err, word);
	}
}

/* ---- operators --------------------------------------------------------- */

static void test_eq_ne_compare_numbers(void **state)
{
	(void)state;
	assert_true(M("kvm_pio: port == 0x80", pio(0x80, 0)));
	assert_false(M("kvm_pio: port == 0x81", pio(0x80, 0)));
	assert_true(M("kvm_pio: port != 0x81", pio(0x80, 0)));
	assert_false(M("kvm_pio: port != 0x80", pio(0x80, 0)));
}

static void test_ordering_operators_compare_unsigned_fields(void **state)
{
	(void)state;
	assert_true(M("kvm_pio: port < 0x81", pio(0x80, 0)));
	assert_false(M("kvm_pio: port < 0x80", pio(0x80, 0)));
	assert_true(M("kvm_pio: port <= 0x80", pio(0x80, 0)));
	assert_false(M("kvm_pio: port <= 0x7f", pio(0x80, 0)));
	assert_true(M("kvm_pio: port > 0x7f", pio(0x80, 0)));
	assert_false(M("kvm_pio: port > 0x80", pio(0x80, 0)));
	assert_true(M("kvm_pio: port >= 0x80", pio(0x80, 0)));
	assert_false(M("kvm_pio: port >= 0x81", pio(0x80, 0)));
	/* Bit 63 set is a large unsigned value, not a negative one. */
	assert_true(
		M("kvm_tdp_mmu_spte_changed: new_spte > 0x7fffffffffffffff", spte_changed(1, 1)));
	assert_false(M("kvm_tdp_mmu_spte_changed: new_spte < 0", spte_changed(1, 1)));
}

static void test_signed_fields_compare_as_signed(void **state)
{
	(void)state;
	assert_true(M("kvm_tdx_sept: ret < 0", sept("set_spte", -22)));
	assert_true(M("kvm_tdx_sept: ret == -22", sept("set_spte", -22)));
	assert_false(M("kvm_tdx_sept: ret > 0", sept("set_spte", -22)));
	assert_false(M("kvm_tdx_sept: ret < 0", sept("set_spte", 0)));
	assert_true(M("kvm_tdx_sept: ret >= -1", sept("set_spte", 0)));
	/* A negative value is below every unsigned one. */
	assert_false(M("kvm_tdx_sept: ret == 0xffffffea", sept("set_spte", -22)));
}

static void test_band_tests_bits(void **state)
{
	(void)state;
	assert_true(M("kvm_pio: val & 0x4", pio(0x80, 0x6)));
	assert_false(M("kvm_pio: val & 0x1", pio(0x80, 0x6)));
	/* & and == are one level, left to right: (val & 6) == 6. */
	assert_true(M("kvm_pio: val & 0x6 == 0x6", pio(0x80, 0x6)));
	assert_false(M("kvm_pio: val & 0x7 == 0x7", pio(0x80, 0x6)));
	assert_true(
		M("kvm_tdp_mmu_spte_changed: new_spte & 0x8000000000000000", spte_changed(1, 1)));
}

static void test_regex_operators_match_string_fields(void **state)
{
	(void)state;
	assert_true(M("kvm_exit: reason =~ \"^PF\"", kvm_exit("PF excp")));
	assert_false(M("kvm_exit: reason =~ \"^npf$\"", kvm_exit("PF excp")));
	assert_true(M("kvm_exit: reason !~ \"^npf$\"", kvm_exit("PF excp")));
	assert_false(M("kvm_exit: reason !~ 'excp'", kvm_exit("PF excp")));
	assert_true(M("tdx_seamcall: leaf_name =~ \"^TDH_MEM_(PAGE_AUG|SEPT_ADD)$\"",
		      seamcall("TDH_MEM_SEPT_ADD", 0)));
}

static void test_string_equality_compares_whole_strings(void **state)
{
	(void)state;
	assert_true(M("kvm_tdx_sept: op == \"set_spte\"", sept("set_spte", 0)));
	assert_false(M("kvm_tdx_sept: op == \"set\"", sept("set_spte", 0)));
	assert_true(M("kvm_tdx_sept: op != 'remove_spte'", sept("set_spte", 0)));
	assert_true(M("comm == \"CPU 1/KVM\"", pio(1, 1)));
	assert_true(M("comm == \"say \\\"hi\\\"\"",
		      (struct tdxr_event){.type = TDXR_EV_KVM_PIO, .comm = S("say \"hi\"")}));
}

/* ---- precedence and grouping ------------------------------------------ */

static void test_and_binds_tighter_than_or(void **state)
{
	(void)state;
	/* 1 || (0 && 0) is true; (1 || 0) && 0 would be false. */
	assert_true(M("kvm_pio: port == 0x80 || port == 1 && val == 9", pio(0x80, 0)));
	assert_false(M("kvm_pio: (port == 0x80 || port == 1) && val == 9", pio(0x80, 0)));
}

static void test_not_binds_tighter_than_comparisons(void **state)
{
	(void)state;
	/* (!val) == 1: true when val is zero. */
	assert_true(M("kvm_pio: !val == 1", pio(0x80, 0)));
	assert_false(M("kvm_pio: !val == 1", pio(0x80, 5)));
	assert_true(M("kvm_pio: !(port == 0x81)", pio(0x80, 0)));
	assert_false(M("kvm_pio: !(port == 0x80)", pio(0x80, 0)));
	assert_true(M("kvm_pio: !!(port == 0x80)", pio(0x80, 0)));
	assert_true(M("kvm_pio: !(port == 1 || port == 2) && val == 7", pio(3, 7)));
}

static void test_parentheses_group(void **state)
{
	(void)state;
	assert_true(M("kvm_pio: ((port == 3) && ((val == 7)))", pio(3, 7)));
	assert_false(M("kvm_pio: (port == 3) && (val == 8 || val == 9)", pio(3, 7)));
}

static void test_hex_and_decimal_literals_are_equal(void **state)
{
	(void)state;
	assert_true(M("kvm_tdp_mmu_spte_changed: gfn == 4096", spte_changed(0x1000, 1)));
	assert_true(M("kvm_tdp_mmu_spte_changed: gfn == 0x1000", spte_changed(0x1000, 1)));
	assert_true(M("kvm_tdp_mmu_spte_changed: gfn == 0X1000", spte_changed(0x1000, 1)));
	assert_false(M("kvm_tdp_mmu_spte_changed: gfn == 1000", spte_changed(0x1000, 1)));
}

/* ---- event names ------------------------------------------------------- */

static void test_design_examples(void **state)
{
	const char *e1 = "kvmmmu/kvm_tdp_mmu_spte_changed: gfn == 0x1000 && level > 1";

	(void)state;
	assert_true(M(e1, spte_changed(0x1000, 2)));
	assert_false(M(e1, spte_changed(0x1000, 1)));
	assert_false(M(e1, spte_changed(0x1001, 2)));
	assert_false(M(e1, sept("set_spte", 0)));
	assert_true(M("tdx/.*: status != 0", seamcall("TDH_MEM_PAGE_AUG", 0x8000)));
	assert_false(M("tdx/.*: status != 0", seamcall("TDH_MEM_PAGE_AUG", 0)));
	/* kvm_tdx_tdvmcall_done has a status field but is in system kvm. */
	{
		struct tdxr_event d = ev_new(TDXR_EV_KVM_TDX_TDVMCALL_DONE);

		EVF(&d, KVM_TDX_TDVMCALL_DONE, status) = 1;
		assert_false(M("tdx/.*: status != 0", d));
		assert_true(M("kvm/.*: status != 0", d));
	}
}

static void test_event_names_are_anchored_regexes(void **state)
{
	(void)state;
	assert_true(M("kvm_.*mmio", ev_new(TDXR_EV_KVM_FAST_MMIO)));
	assert_true(M("kvm_.*mmio", ev_new(TDXR_EV_KVM_MMIO)));
	assert_false(M("mmio", ev_new(TDXR_EV_KVM_MMIO)));
	assert_false(M("kvm_pi", pio(1, 1)));
	assert_true(M("kvm_p(io|age_fault)", pio(1, 1)));
	assert_true(M("kvm_p(io|age_fault)", ev_new(TDXR_EV_KVM_PAGE_FAULT)));
	/* trace-cmd ignores case in event names. */
	assert_true(M("KVM_PIO", pio(1, 1)));
}

static void test_event_list_alone_selects_without_condition(void **state)
{
	(void)state;
	assert_true(M("kvm_pio,kvm_mmio", pio(1, 1)));
	assert_true(M("kvm_pio, kvm_mmio", ev_new(TDXR_EV_KVM_MMIO)));
	assert_false(M("kvm_pio, kvm_mmio", kvm_exit("npf")));
}

static void test_several_events_share_one_condition(void **state)
{
	const char *e = "kvm/kvm_tdx_sept,kvmmmu/kvm_tdp_mmu_spte_changed: gfn == 0x1000";

	(void)state;
	assert_true(M(e, sept("set_spte", 0)));
	assert_true(M(e, spte_changed(0x1000, 1)));
	assert_false(M(e, spte_changed(0x2000, 1)));
	assert_false(M(e, pio(0x1000, 0)));
}

static void test_system_pattern_must_match_the_system(void **state)
{
	(void)state;
	assert_false(M("kvmmmu/kvm_pio", pio(1, 1)));
	assert_true(M("kvm/kvm_pio", pio(1, 1)));
	assert_true(M("kvm.*/kvm_pio", pio(1, 1)));
	/* A lone name matches a system too (trace-cmd): every tdx event. */
	assert_true(M("tdx", seamcall("TDH_VP_ENTER", 0)));
	assert_false(M("tdx", pio(1, 1)));
}

/* ---- fields ------------------------------------------------------------ */

static void test_common_fields_on_every_event(void **state)
{
	struct tdxr_event p = pio(1, 1);

	(void)state;
	assert_true(M("cpu == 3 && tid == 4242 && pid == 4242 && tgid == 4200", p));
	assert_true(M("vm == 4200 && vcpu == 1", p));
	assert_true(M("seq == 10 && ts == 1000000000 && line == 42", p));
	assert_true(M("comm =~ \"/KVM$\"", p));
	assert_false(M("cpu != 3", p));
	p.vcpu = -1;
	assert_true(M("vcpu < 0", p));
	assert_true(M("ts >= 1000000000 && ts < 2000000000", p));
	/* trace-cmd's spellings. */
	assert_true(M("common_pid == 4242 && CPU == 3 && COMM == \"CPU 1/KVM\"", p));
}

static void test_payload_field_wins_over_common_field(void **state)
{
	struct tdxr_event t = ev_new(TDXR_EV_KVM_TDX_TDVMCALL);

	(void)state;
	EVF(&t, KVM_TDX_TDVMCALL, vcpu) = 7; /* ev.vcpu is 1 */
	assert_true(M("kvm_tdx_tdvmcall: vcpu == 7", t));
	/* Absent in this event: the common vcpu, not a false. */
	t.fmask &= (uint16_t) ~(1u << TDXR_F_KVM_TDX_TDVMCALL_vcpu);
	assert_true(M("kvm_tdx_tdvmcall: vcpu == 1", t));
}

static void test_absent_field_makes_the_condition_false(void **state)
{
	struct tdxr_event old = spte_changed(0x1000, 1);

	(void)state;
	/* An unpatched kernel: no mirror field. */
	old.fmask &= (uint16_t) ~(1u << TDXR_F_KVM_TDP_MMU_SPTE_CHANGED_mirror);
	assert_false(M("kvm_tdp_mmu_spte_changed: mirror == 1", old));
	assert_false(M("kvm_tdp_mmu_spte_changed: mirror != 1", old));
	assert_true(M("kvm_tdp_mmu_spte_changed: !(mirror == 1)", old));
	/* A field some selected events lack: false for those. */
	assert_false(M("kvm_pio,kvm_tdx_sept: port == 1", sept("set_spte", 0)));
	assert_true(M("kvm_pio,kvm_tdx_sept: port == 1", pio(1, 0)));
}

static void test_field_type_follows_the_event(void **state)
{
	struct tdxr_event u = ev_new(TDXR_EV_KVM_USERSPACE_EXIT);
	const char *e = "kvm_exit,kvm_userspace_exit: reason == 2";

	(void)state;
	/* reason is a string in kvm_exit and an int in kvm_userspace_exit. */
	EVF(&u, KVM_USERSPACE_EXIT, reason) = 2;
	assert_true(M(e, u));
	assert_false(M(e, kvm_exit("2")));
	assert_true(M("kvm_exit,kvm_userspace_exit: reason == \"npf\"", kvm_exit("npf")));
}

/* ---- unmodelled events ------------------------------------------------- */

static void test_unmodelled_events_match_by_name(void **state)
{
	(void)state;
	assert_true(M("kvm_emulate_insn", unmodelled("kvm_emulate_insn")));
	assert_true(M("kvm_emul.*", unmodelled("kvm_emulate_insn")));
	assert_false(M("kvm_pio", unmodelled("kvm_emulate_insn")));
	/* The filter caches verdicts by id: a second name must not reuse it. */
	{
		char err[128];
		struct tdxr_filter *f = tdxr_filter_compile("sched_.*", err, sizeof(err));
		struct tdxr_event a = unmodelled("sched_switch");
		struct tdxr_event b = unmodelled("kvm_emulate_insn");

		assert_non_null(f);
		for (int i = 0; i < 3; i++) {
			assert_true(tdxr_filter_match(f, &a, st));
			assert_false(tdxr_filter_match(f, &b, st));
		}
		tdxr_filter_free(f);
	}
}

/* More names than the verdict cache has slots: no verdict leaks. */
static void test_unmodelled_verdicts_stay_per_name(void **state)
{
	char err[128], name[32];
	struct tdxr_filter *f = tdxr_filter_compile("ev_1[0-9]*", err, sizeof(err));

	(void)state;
	assert_non_null(f);
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < 1000; i++) {
			struct tdxr_event ev;

			snprintf(name, sizeof(name), "ev_%d", i);
			ev = unmodelled(name);
			if (tdxr_filter_match(f, &ev, st) != (name[3] == '1')) {
				fail_msg("%s: wrong verdict on pass %d", name, pass);
			}
		}
	}
	tdxr_filter_free(f);
}

static void test_unmodelled_events_have_only_common_fields(void **state)
{
	(void)state;
	assert_true(M("kvm_emulate_insn: cpu == 3", unmodelled("kvm_emulate_insn")));
	/* gfn is a field of modelled events only: absent here. */
	assert_false(M("gfn == 0x1000", unmodelled("kvm_emulate_insn")));
	assert_false(M("gfn != 0x1000", unmodelled("kvm_emulate_insn")));
	/* Patterns selecting no modelled event: unknown fields read absent. */
	assert_false(M("kvm_emulate_insn: rip == 0xfff0", unmodelled("kvm_emulate_insn")));
}

static void test_unmodelled_system_is_checked_when_known(void **state)
{
	(void)state;
	assert_true(M("kvm/kvm_emulate_insn", unmodelled("kvm:kvm_emulate_insn")));
	assert_false(M("sched/kvm_emulate_insn", unmodelled("kvm:kvm_emulate_insn")));
	assert_true(M("kvm", unmodelled("kvm:kvm_emulate_insn")));
	/* Plain names have no system: only the name is checked. */
	assert_true(M("kvm/kvm_emulate_insn", unmodelled("kvm_emulate_insn")));
}

/* ---- errors ------------------------------------------------------------ */

static void test_errors_name_the_column(void **state)
{
	(void)state;
	E("kvm_pio: prot == 1", 10, "unknown field 'prot'");
	E("gfx == 1", 1, "unknown field 'gfx'");
	E("kvm_pio: port = 1", 15, "==");
	E("kvm_pio: (port == 1", 20, "')'");
	E("kvm_pio: port == 1)", 19, "unexpected");
	E("kvm_pio: port == ", 18, "expected");
	E("kvm_pio: port == 0x", 18, "bad number");
	E("kvm_pio: port == 012", 18, "bad number");
	E("kvm_pio: port == 1 | port == 2", 20, "||");
	E("comm == \"abc", 9, "unterminated");
	E("kvm_pio:", 9, "condition");
	E("kvm_pio,,kvm_mmio: port == 1", 9, "empty event");
	E("kvm/: port == 1", 5, "empty event");
	E("kvm_(pio: port == 1", 1, "regex");
	E("kvm_exit: reason =~ \"(\"", 21, "bad regex");
	E("kvm_pio: port =~ \"1\"", 10, "string field");
	E("kvm_exit: reason =~ 3", 21, "quoted regex");
	E("kvm_pio: port == \"80\"", 10, "cannot compare");
	E("kvm_tdx_sept: op < \"x\"", 15, "numbers");
	E("kvm_pio: port == 1 && && val == 2", 23, "expected");
	E("", 1, "");
}

static void test_error_on_deep_nesting_is_clean(void **state)
{
	char expr[2048];
	char err[256];
	size_t n = 0;

	(void)state;
	n += (size_t)snprintf(expr, sizeof(expr), "kvm_pio: ");
	for (int i = 0; i < 900; i++) {
		expr[n++] = '(';
	}
	expr[n] = '\0';
	assert_null(tdxr_filter_compile(expr, err, sizeof(err)));
	assert_non_null(strstr(err, "nested too deeply"));
}

/* ---- lists ------------------------------------------------------------- */

static void test_list_passes_when_any_filter_matches(void **state)
{
	struct tdxr_filter_list *l = tdxr_filter_list_new();
	struct tdxr_event p = pio(1, 1), s = sept("set_spte", 0);
	struct tdxr_event x = kvm_exit("npf");
	char err[128];

	(void)state;
	assert_non_null(l);
	assert_true(tdxr_filter_list_match(l, &x, st)); /* empty: all */
	assert_int_equal(tdxr_filter_list_add(l, "kvm_pio: port == 1", err, sizeof(err)), 0);
	assert_int_equal(tdxr_filter_list_add(l, "kvm_tdx_sept", err, sizeof(err)), 0);
	assert_int_equal(tdxr_filter_list_add(l, "kvm_pio: nope == 1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "column 10"));
	assert_int_equal(tdxr_filter_list_count(l), 2);
	assert_true(tdxr_filter_list_match(l, &p, st));
	assert_true(tdxr_filter_list_match(l, &s, st));
	assert_false(tdxr_filter_list_match(l, &x, st));
	tdxr_filter_list_free(l);
}

static void test_wants_type_reflects_the_patterns(void **state)
{
	char err[128];
	struct tdxr_filter *f = tdxr_filter_compile("kvmmmu/.*: gfn == 1", err, sizeof(err));

	(void)state;
	assert_non_null(f);
	assert_true(tdxr_filter_wants_type(f, TDXR_EV_KVM_MMU_SET_SPTE));
	assert_false(tdxr_filter_wants_type(f, TDXR_EV_KVM_PIO));
	tdxr_filter_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eq_ne_compare_numbers),
		cmocka_unit_test(test_ordering_operators_compare_unsigned_fields),
		cmocka_unit_test(test_signed_fields_compare_as_signed),
		cmocka_unit_test(test_band_tests_bits),
		cmocka_unit_test(test_regex_operators_match_string_fields),
		cmocka_unit_test(test_string_equality_compares_whole_strings),
		cmocka_unit_test(test_and_binds_tighter_than_or),
		cmocka_unit_test(test_not_binds_tighter_than_comparisons),
		cmocka_unit_test(test_parentheses_group),
		cmocka_unit_test(test_hex_and_decimal_literals_are_equal),
		cmocka_unit_test(test_design_examples),
		cmocka_unit_test(test_event_names_are_anchored_regexes),
		cmocka_unit_test(test_event_list_alone_selects_without_condition),
		cmocka_unit_test(test_several_events_share_one_condition),
		cmocka_unit_test(test_system_pattern_must_match_the_system),
		cmocka_unit_test(test_common_fields_on_every_event),
		cmocka_unit_test(test_payload_field_wins_over_common_field),
		cmocka_unit_test(test_absent_field_makes_the_condition_false),
		cmocka_unit_test(test_field_type_follows_the_event),
		cmocka_unit_test(test_unmodelled_events_match_by_name),
		cmocka_unit_test(test_unmodelled_verdicts_stay_per_name),
		cmocka_unit_test(test_unmodelled_events_have_only_common_fields),
		cmocka_unit_test(test_unmodelled_system_is_checked_when_known),
		cmocka_unit_test(test_errors_name_the_column),
		cmocka_unit_test(test_error_on_deep_nesting_is_clean),
		cmocka_unit_test(test_list_passes_when_any_filter_matches),
		cmocka_unit_test(test_wants_type_reflects_the_patterns),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
