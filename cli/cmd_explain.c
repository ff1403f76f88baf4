// SPDX-License-Identifier: GPL-2.0
/*
 * cli/cmd_explain.c - `tdxr explain`: the post-mortem of one finding
 * (default: the first kvm-bug, else the first error).
 *
 * 1. Replay the whole input once to get the findings and pick the target.
 * 2. Collect what it involves: the target's gfn and VM, the seqs of its
 *    causal chain, and, for a kvm-bug, the chain of its first cause.
 * 3. Replay again up to the target, recording for every involved event
 *    the gfn's model state before and after it.
 * 4. Print the finding, the first cause, the history with state
 *    transitions, and a plain-English account; or the same as JSON.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"
#include "tdxr/print.h"
#include "tdxr/tdx.h"

#define HIST_MAX 64

struct hist_ev {
	struct tdxr_event ev;
	char fields[1024]; /* the decoded fields (raw is not kept) */
	char before[256];  /* gfn state before -> after */
	char after[256];
	bool in_chain;
};

struct explain {
	const struct mdl_finding *target;
	const struct mdl_finding *cause; /* first finding of the chain */
	uint64_t *chain;		 /* owned, sorted: seqs of interest */
	size_t nr_chain;
	int vm;
	bool has_gfn;
	uint64_t gfn;
	struct tdxr_strtab *st;	       /* owned: the 2nd replay's strings */
	struct hist_ev hist[HIST_MAX]; /* ring of the last HIST_MAX */
	size_t nr_hist;
	char pending_before[256];
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool in_chain(const struct explain *x, uint64_t seq)
{
	return bsearch(&seq, x->chain, x->nr_chain, sizeof(seq), cmp_u64) != NULL;
}

/* The gfn an event is about, if any (shared bit stripped). */
static bool event_gfn(const struct tdxr_event *ev, uint64_t *gfn)
{
	const struct tdxr_event_desc *d = tdxr_event_desc(ev->type);

	if (ev->type == TDXR_EV_TDX_SEAMCALL) {
		switch (EVF(ev, TDX_SEAMCALL, leaf) & 0xffff) {
		case 2:
		case 3:
		case 6:
		case 7:
		case 16:
		case 29:
		case 30:
			*gfn = (EVF(ev, TDX_SEAMCALL, rcx) >> 12) & ~((1ull << 35) | (1ull << 39));
			return true;
		default:
			return false;
		}
	}
	for (unsigned int i = 0; i < d->nr_fields; i++) {
		if (!((ev->fmask >> i) & 1)) {
			continue;
		}
		if (d->fields[i].role == TDXR_FR_GFN) {
			*gfn = ev->f[i];
			return true;
		}
		if (d->fields[i].role == TDXR_FR_GPA) {
			*gfn = (ev->f[i] >> 12) & ~((1ull << 35) | (1ull << 39));
			return true;
		}
	}
	return false;
}

static void state_str(const struct mdl_model *m, const struct explain *x, char *buf, size_t len)
{
	struct mdl_gfn_view v;
	char mirror[48] = "-", direct[48] = "-";

	if (!x->has_gfn || mdl_query_gfn(m, x->vm, x->gfn, &v) < 0) {
		snprintf(buf, len, "-");
		return;
	}
	for (int l = 1; l <= MDL_LEVELS; l++) {
		if (v.known[1][l] && v.spte[1][l] != 0x8000000000000000ull) {
			snprintf(mirror, sizeof(mirror), "L%d 0x%" PRIx64, l, v.spte[1][l]);
			break;
		}
	}
	for (int l = 1; l <= MDL_LEVELS; l++) {
		if (v.known[0][l] && v.spte[0][l] != 0x8000000000000000ull) {
			snprintf(direct, sizeof(direct), "L%d 0x%" PRIx64, l, v.spte[0][l]);
			break;
		}
	}
	snprintf(buf, len, "S-EPT %s%s%s, mirror %s, direct %s, td_epoch %" PRIu64 "%s",
		 mdl_sept_state_name(v.sept_state), v.maybe_accepted ? "|MAPPED?" : "",
		 v.blocked ? "" : "", mirror, direct, v.td_epoch,
		 v.uncertain ? " (uncertain)" : "");
	if (v.blocked) {
		size_t n = strlen(buf);

		snprintf(buf + n, len - n, ", bepoch %" PRIu64, v.bepoch);
	}
}

static bool involved(const struct explain *x, const struct tdxr_event *ev)
{
	uint64_t g;

	if (in_chain(x, ev->seq)) {
		return true;
	}
	if (!x->has_gfn || (x->vm >= 0 && ev->vm >= 0 && ev->vm != x->vm)) {
		return false;
	}
	return event_gfn(ev, &g) && g == x->gfn;
}

static void hook_before(void *ctx, const struct tdxr_event *ev, const struct mdl_model *m)
{
	struct explain *x = ctx;

	if (involved(x, ev)) {
		state_str(m, x, x->pending_before, sizeof(x->pending_before));
	}
}

static void hook_after(void *ctx, const struct tdxr_event *ev, const struct mdl_model *m)
{
	struct explain *x = ctx;
	struct hist_ev *h;

	if (!involved(x, ev)) {
		return;
	}
	/* Keep the last HIST_MAX, but never push a chain event out for a
	 * non-chain one: drop the oldest non-chain entry instead. */
	if (x->nr_hist == HIST_MAX) {
		size_t drop = 0;

		while (drop < HIST_MAX && x->hist[drop].in_chain) {
			drop++;
		}
		if (drop == HIST_MAX) {
			drop = 0;
		}
		memmove(&x->hist[drop], &x->hist[drop + 1],
			(HIST_MAX - drop - 1) * sizeof(x->hist[0]));
		x->nr_hist--;
	}
	h = &x->hist[x->nr_hist++];
	h->ev = *ev;
	h->ev.raw = NULL;
	h->in_chain = in_chain(x, ev->seq);
	tdxr_event_fields(ev, x->st, h->fields, sizeof(h->fields));
	snprintf(h->before, sizeof(h->before), "%s", x->pending_before);
	state_str(m, x, h->after, sizeof(h->after));
}

/* The gfn's TD epoch right after @h (from its state string), or -1. */
static long long after_epoch(const struct hist_ev *h)
{
	const char *p = strstr(h->after, "td_epoch ");

	return p ? strtoll(p + 9, NULL, 10) : -1;
}

/*
 * A short phrase for one event of the account, or "" for events that add
 * nothing to the story (the fault's bookkeeping events).
 */
static void phrase(const struct explain *x, const struct hist_ev *h, char *buf, size_t len)
{
	const struct tdxr_event *ev = &h->ev;
	char st[64];
	const char *nm;
	uint64_t status;

	buf[0] = '\0';
	switch (ev->type) {
	case TDXR_EV_TDX_SEAMCALL: {
		unsigned int leaf = (unsigned int)(EVF(ev, TDX_SEAMCALL, leaf) & 0xffff);

		status = EVF(ev, TDX_SEAMCALL, status);
		nm = tdxr_seamcall_name(leaf);
		if (status != 0 && leaf != TDH_VP_ENTER) {
			snprintf(buf, len, "%s at line %u got %s", nm ? nm : "a SEAMCALL", ev->line,
				 tdxr_tdx_status_str(status, st, sizeof(st)));
			break;
		}
		switch (leaf) {
		case TDH_MEM_PAGE_ADD:
			snprintf(buf, len, "was added (PAGE.ADD) at line %u", ev->line);
			break;
		case TDH_MEM_SEPT_ADD:
			snprintf(buf, len, "got an S-EPT page (SEPT.ADD) at line %u", ev->line);
			break;
		case TDH_MEM_PAGE_AUG:
			snprintf(buf, len, "was AUGed at line %u", ev->line);
			break;
		case TDH_MEM_RANGE_BLOCK:
			snprintf(buf, len, "was BLOCKed at line %u (epoch %lld)", ev->line,
				 after_epoch(h));
			break;
		case TDH_MEM_TRACK:
			snprintf(buf, len, "TDH.MEM.TRACK ran at line %u (epoch now %lld)",
				 ev->line, after_epoch(h));
			break;
		case TDH_MEM_PAGE_REMOVE:
			snprintf(buf, len, "was REMOVEd at line %u", ev->line);
			break;
		case TDH_VP_ENTER:
			if (h->in_chain) {
				snprintf(buf, len, "vCPU %d left the guest at line %u", ev->vcpu,
					 ev->line);
			}
			break;
		default:
			if (h->in_chain) {
				snprintf(buf, len, "%s at line %u", nm ? nm : "a SEAMCALL",
					 ev->line);
			}
		}
		break;
	}
	case TDXR_EV_KVM_VM_BUGGED:
		snprintf(buf, len, "KVM bugged the VM at line %u (%s)", ev->line,
			 tdxr_strtab_get(x->st, (uint32_t)EVF(ev, KVM_VM_BUGGED, caller)));
		break;
	case TDXR_EV_KVM_TDP_MMU_SPTE_CHANGED: {
		uint64_t o = EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, old_spte);
		uint64_t n = EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, new_spte);
		const char *tree = !EVF_HAS(ev, KVM_TDP_MMU_SPTE_CHANGED, mirror)   ? ""
				   : EVF(ev, KVM_TDP_MMU_SPTE_CHANGED, mirror) == 1 ? "mirror "
										    : "direct ";

		if (!(o & (1ull << 11)) && (n & (1ull << 11))) {
			snprintf(buf, len, "its %sSPTE was installed at line %u", tree, ev->line);
		} else if ((o & (1ull << 11)) && !(n & (1ull << 11))) {
			snprintf(buf, len, "its %sSPTE was zapped at line %u", tree, ev->line);
		} else if (h->in_chain) {
			snprintf(buf, len,
				 "its %sSPTE changed 0x%" PRIx64 " -> 0x%" PRIx64 " at line %u",
				 tree, o, n, ev->line);
		}
		break;
	}
	case TDXR_EV_KVM_TDX_SEPT:
		if ((int32_t)EVF(ev, KVM_TDX_SEPT, ret) != 0) {
			snprintf(buf, len, "the %s hook failed (%d) at line %u",
				 tdxr_strtab_get(x->st, (uint32_t)EVF(ev, KVM_TDX_SEPT, op)),
				 (int32_t)EVF(ev, KVM_TDX_SEPT, ret), ev->line);
		}
		break;
	case TDXR_EV_LOG_SEAMCALL_FAILED:
		snprintf(buf, len, "the console logged SEAMCALL %s failed: %s at line %u",
			 tdxr_strtab_get(x->st, (uint32_t)EVF(ev, LOG_SEAMCALL_FAILED, fn)),
			 tdxr_tdx_status_str(EVF(ev, LOG_SEAMCALL_FAILED, status), st, sizeof(st)),
			 ev->line);
		break;
	case TDXR_EV_LOG_WARN:
		snprintf(buf, len, "the kernel WARNed in %s:%d at line %u",
			 tdxr_strtab_get(x->st, (uint32_t)EVF(ev, LOG_WARN, file)),
			 (int32_t)EVF(ev, LOG_WARN, srcline), ev->line);
		break;
	case TDXR_EV_LOG_ACCEPT_BEFORE:
		snprintf(buf, len, "the guest touched it before accepting it (line %u)", ev->line);
		break;
	case TDXR_EV_KVM_MMU_SET_SPTE:
	case TDXR_EV_KVM_MMU_SPTE_REQUESTED:
		break; /* the fault's bookkeeping: the SPTE change tells it */
	default:
		if (h->in_chain) {
			char name[96];

			snprintf(buf, len, "%s at line %u",
				 tdxr_event_fullname(ev, x->st, name, sizeof(name)), ev->line);
		}
	}
}

/*
 * One paragraph: "gfn 0x8a3f was AUGed at line 25; ...; was BLOCKed at
 * line 35 (epoch 7); TDH_MEM_PAGE_REMOVE at line 36 got
 * TDX_TLB_TRACKING_NOT_DONE|RCX; KVM bugged the VM at line 37." followed
 * by the model's verdict on the first cause.
 */
static void account(const struct explain *x, char *buf, size_t len)
{
	size_t pos = 0;
	bool first = true;
	char p[384];

	buf[0] = '\0';
	if (x->has_gfn) {
		pos += (size_t)snprintf(buf + pos, len - pos, "gfn 0x%" PRIx64 " ", x->gfn);
	}
	for (size_t i = 0; i < x->nr_hist && pos < len - 1; i++) {
		phrase(x, &x->hist[i], p, sizeof(p));
		if (!p[0]) {
			continue;
		}
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", first ? "" : "; ", p);
		first = false;
	}
	if (pos < len - 1) {
		pos += (size_t)snprintf(buf + pos, len - pos, "%s", first ? "" : ". ");
	}
	if (pos < len - 1 && x->cause) {
		pos += (size_t)snprintf(buf + pos, len - pos, "First cause: %s at line %u: %s.",
					mdl_finding_kind_name(x->cause->kind), x->cause->line,
					x->cause->message);
	}
	if (pos < len - 1 && x->cause != x->target) {
		snprintf(buf + pos, len - pos, " It led to %s at line %u.",
			 mdl_finding_kind_name(x->target->kind), x->target->line);
	}
}

static const struct mdl_finding *pick_target(const struct rpl_result *res, bool have_seq,
					     uint64_t seq)
{
	if (have_seq) {
		for (size_t i = 0; i < res->nr_findings; i++) {
			if (res->findings[i].seq == seq) {
				return &res->findings[i];
			}
		}
		return NULL;
	}
	for (size_t i = 0; i < res->nr_findings; i++) {
		if (res->findings[i].kind == MDL_FK_KVM_BUG) {
			return &res->findings[i];
		}
	}
	for (size_t i = 0; i < res->nr_findings; i++) {
		if (res->findings[i].severity == MDL_SEV_ERROR) {
			return &res->findings[i];
		}
	}
	return NULL;
}

static const struct mdl_finding *find_cause(const struct rpl_result *res,
					    const struct mdl_finding *t)
{
	const struct mdl_finding *best = t;

	for (size_t i = 0; i < res->nr_findings; i++) {
		const struct mdl_finding *f = &res->findings[i];

		if (f->seq == t->cause_seq && f->seq < best->seq) {
			best = f;
		}
	}
	return best;
}

static void print_hist_text(const struct explain *x)
{
	char ts[32], name[96];

	for (size_t i = 0; i < x->nr_hist; i++) {
		const struct hist_ev *h = &x->hist[i];

		printf("  %c seq %" PRIu64 " line %u %s cpu %d vcpu %d %s %s\n",
		       h->in_chain ? '*' : ' ', h->ev.seq, h->ev.line,
		       tdxr_ts_str(h->ev.ts, ts, sizeof(ts)), h->ev.cpu, h->ev.vcpu,
		       tdxr_event_fullname(&h->ev, x->st, name, sizeof(name)), h->fields);
		if (x->has_gfn && strcmp(h->before, h->after) != 0) {
			printf("      %s\n   -> %s\n", h->before, h->after);
		}
	}
}

static void print_json(const struct explain *x, const struct rpl_result *res, const char *acc)
{
	char ts[32], name[96];

	fputs("{\"schema\":1,\"finding\":", stdout);
	fprintf(stdout,
		"{\"seq\":%" PRIu64 ",\"line\":%u,\"kind\":\"%s\",\"severity\":\"%s\",\"message\":",
		x->target->seq, x->target->line, mdl_finding_kind_name(x->target->kind),
		mdl_severity_name(x->target->severity));
	json_str(stdout, x->target->message);
	fputs(",\"expected\":", stdout);
	json_str(stdout, x->target->expected);
	fputs(",\"actual\":", stdout);
	json_str(stdout, x->target->actual);
	fprintf(stdout, ",\"cause_seq\":%" PRIu64 "}", x->target->cause_seq);
	fputs(",\"first_cause\":", stdout);
	fprintf(stdout,
		"{\"seq\":%" PRIu64 ",\"line\":%u,\"kind\":\"%s\",\"message\":", x->cause->seq,
		x->cause->line, mdl_finding_kind_name(x->cause->kind));
	json_str(stdout, x->cause->message);
	fputs("},\"gfn\":", stdout);
	if (x->has_gfn) {
		fprintf(stdout, "\"0x%" PRIx64 "\"", x->gfn);
	} else {
		fputs("null", stdout);
	}
	fprintf(stdout, ",\"vm\":%d,\"history\":[", x->vm);
	for (size_t i = 0; i < x->nr_hist; i++) {
		const struct hist_ev *h = &x->hist[i];

		fprintf(stdout,
			"%s{\"seq\":%" PRIu64 ",\"line\":%u,\"ts\":\"%s\",\"cpu\":%d,\"vcpu\":%d,"
			"\"in_chain\":%s,\"event\":",
			i ? "," : "", h->ev.seq, h->ev.line, tdxr_ts_str(h->ev.ts, ts, sizeof(ts)),
			h->ev.cpu, h->ev.vcpu, h->in_chain ? "true" : "false");
		json_str(stdout, tdxr_event_fullname(&h->ev, x->st, name, sizeof(name)));
		fputs(",\"fields\":", stdout);
		json_str(stdout, h->fields);
		fputs(",\"before\":", stdout);
		json_str(stdout, h->before);
		fputs(",\"after\":", stdout);
		json_str(stdout, h->after);
		fputc('}', stdout);
	}
	fputs("],\"account\":", stdout);
	json_str(stdout, acc);
	fprintf(stdout, ",\"events\":%" PRIu64 "}\n", res->events);
}

int cmd_explain(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"format", required_argument, NULL, 'f'},
		{"kernel-profile", required_argument, NULL, 'k'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct rpl_opts o;
	struct rpl_result res = {0}, res2 = {0};
	struct explain *x = NULL;
	bool json = false, have_seq = false;
	uint64_t seq = 0;
	char err[1024], line[512];
	static char acc[8192];
	int c, ret = TDXR_EXIT_USAGE;

	rpl_opts_init(&o);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+jf:k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'f':
			if (tdxr_format_parse(optarg, &o.format) < 0) {
				return cli_usage_error("explain", "unknown format '%s'", optarg);
			}
			break;
		case 'k':
			if (cli_parse_profile(optarg, &o.kernel_profile) < 0) {
				return cli_usage_error("explain", "bad --kernel-profile '%s'",
						       optarg);
			}
			break;
		case 'h':
			cli_print_usage(stdout, "explain");
			return TDXR_EXIT_OK;
		default:
			return cli_usage_error("explain", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		return cli_usage_error("explain", "no INPUT given");
	}
	if (argc - optind > 2) {
		return cli_usage_error("explain", "one INPUT and at most one SEQ");
	}
	if (argc - optind == 2) {
		char *end;

		seq = strtoull(argv[optind + 1], &end, 0);
		if (*argv[optind + 1] == '\0' || *end != '\0') {
			return cli_usage_error("explain", "SEQ must be a number, not '%s'",
					       argv[optind + 1]);
		}
		have_seq = true;
	}
	if (rpl_run(argv + optind, 1, &o, &res, err, sizeof(err)) < 0) {
		fprintf(stderr, "tdxr explain: %s\n", err);
		goto out;
	}
	x = calloc(1, sizeof(*x));
	if (!x) {
		fprintf(stderr, "tdxr explain: out of memory\n");
		goto out;
	}
	x->target = pick_target(&res, have_seq, seq);
	if (!x->target) {
		if (have_seq) {
			fprintf(stderr, "tdxr explain: %s: no finding at seq %" PRIu64 "\n",
				argv[optind], seq);
			goto out;
		}
		if (json) {
			printf("{\"schema\":1,\"finding\":null,\"events\":%" PRIu64 "}\n",
			       res.events);
		} else {
			printf("%s: no kvm-bug and no error in %" PRIu64
			       " events: nothing to explain\n",
			       argv[optind], res.events);
		}
		ret = TDXR_EXIT_OK;
		goto out;
	}
	x->cause = find_cause(&res, x->target);
	x->vm = x->target->vm;
	x->has_gfn = x->target->has_gfn || x->cause->has_gfn;
	x->gfn = x->target->has_gfn ? x->target->gfn : x->cause->gfn;
	x->chain = calloc(2 * MDL_CHAIN_MAX + 2, sizeof(uint64_t));
	if (!x->chain) {
		goto out;
	}
	for (uint32_t i = 0; i < x->target->nr_chain && i < MDL_CHAIN_MAX; i++) {
		x->chain[x->nr_chain++] = x->target->chain[i];
	}
	for (uint32_t i = 0; i < x->cause->nr_chain && i < MDL_CHAIN_MAX; i++) {
		x->chain[x->nr_chain++] = x->cause->chain[i];
	}
	x->chain[x->nr_chain++] = x->target->seq;
	x->chain[x->nr_chain++] = x->cause->seq;
	qsort(x->chain, x->nr_chain, sizeof(uint64_t), cmp_u64);

	/* Second pass, up to the target, with the state hooks. */
	x->st = tdxr_strtab_new();
	if (!x->st) {
		goto out;
	}
	o.st = x->st;
	o.before = hook_before;
	o.after = hook_after;
	o.hook_ctx = x;
	o.stop_after_seq = x->target->seq;
	if (rpl_run(argv + optind, 1, &o, &res2, err, sizeof(err)) < 0) {
		fprintf(stderr, "tdxr explain: %s\n", err);
		goto out;
	}
	account(x, acc, sizeof(acc));
	if (json) {
		print_json(x, &res, acc);
	} else {
		report_finding_line(line, sizeof(line), x->target, 1);
		printf("finding:\n  %s\n", line);
		if (*x->target->expected || *x->target->actual) {
			printf("  expected: %s\n  actual:   %s\n", x->target->expected,
			       x->target->actual);
		}
		report_finding_line(line, sizeof(line), x->cause, 1);
		printf("first cause:\n  %s\n",
		       x->cause == x->target ? "(the finding itself)" : line);
		if (x->has_gfn) {
			printf("history of gfn 0x%" PRIx64 " (vm %d; * = in the causal chain):\n",
			       x->gfn, x->vm);
		} else {
			printf("causal chain (vm %d):\n", x->vm);
		}
		print_hist_text(x);
		printf("account:\n  %s\n", acc);
	}
	ret = TDXR_EXIT_OK;
out:
	if (x) {
		tdxr_strtab_free(x->st);
		free(x->chain);
		free(x);
	}
	rpl_result_free(&res);
	rpl_result_free(&res2);
	return ret;
}
