// SPDX-License-Identifier: GPL-2.0
/*
 * cli/cmd_explain.c - `tdxr explain`: the post-mortem of one finding
 * (default: the first kvm-bug, else the first error), as text or JSON.
 *
 * The explanation itself (target, first cause, history, account) is
 * computed by rpl_explain() (tdxr/explain.h); this file only prints it.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"
#include "tdxr/explain.h"
#include "tdxr/print.h"

static void print_text(const struct rpl_explanation *x)
{
	char line[512], ts[32];

	rpl_finding_line(line, sizeof(line), &x->finding, 1);
	printf("finding:\n  %s\n", line);
	if (*x->finding.expected || *x->finding.actual) {
		printf("  expected: %s\n  actual:   %s\n", x->finding.expected, x->finding.actual);
	}
	rpl_finding_line(line, sizeof(line), &x->cause, 1);
	printf("first cause:\n  %s\n", x->cause_is_finding ? "(the finding itself)" : line);
	if (x->has_gfn) {
		printf("history of gfn 0x%" PRIx64 " (vm %d; * = in the causal chain):\n", x->gfn,
		       x->vm);
	} else {
		printf("causal chain (vm %d):\n", x->vm);
	}
	for (size_t i = 0; i < x->nr_steps; i++) {
		const struct rpl_explain_step *h = &x->steps[i];

		printf("  %c seq %" PRIu64 " line %u %s cpu %d vcpu %d %s %s\n",
		       h->in_chain ? '*' : ' ', h->ev.seq, h->ev.line,
		       tdxr_ts_str(h->ev.ts, ts, sizeof(ts)), h->ev.cpu, h->ev.vcpu, h->name,
		       h->fields);
		if (x->has_gfn && strcmp(h->before, h->after) != 0) {
			printf("      %s\n   -> %s\n", h->before, h->after);
		}
	}
	printf("account:\n  %s\n", x->account);
}

/* The kernel log's part (docs/postmortem.md), when the input held log lines. */
static const struct tdxr_klog_acct *log_of(const struct rpl_result *res)
{
	return res && res->klog && res->klog->records ? res->klog : NULL;
}

static void print_json(const struct rpl_explanation *x, const struct rpl_result *res)
{
	const struct mdl_finding *t = &x->finding, *c = &x->cause;
	char ts[32];

	fputs("{\"schema\":1,\"finding\":", stdout);
	fprintf(stdout,
		"{\"seq\":%" PRIu64 ",\"line\":%u,\"kind\":\"%s\",\"severity\":\"%s\",\"message\":",
		t->seq, t->line, mdl_finding_kind_name(t->kind), mdl_severity_name(t->severity));
	json_str(stdout, t->message);
	fputs(",\"expected\":", stdout);
	json_str(stdout, t->expected);
	fputs(",\"actual\":", stdout);
	json_str(stdout, t->actual);
	fprintf(stdout, ",\"cause_seq\":%" PRIu64 "}", t->cause_seq);
	fputs(",\"first_cause\":", stdout);
	fprintf(stdout, "{\"seq\":%" PRIu64 ",\"line\":%u,\"kind\":\"%s\",\"message\":", c->seq,
		c->line, mdl_finding_kind_name(c->kind));
	json_str(stdout, c->message);
	fputs("},\"gfn\":", stdout);
	if (x->has_gfn) {
		fprintf(stdout, "\"0x%" PRIx64 "\"", x->gfn);
	} else {
		fputs("null", stdout);
	}
	fprintf(stdout, ",\"vm\":%d,\"history\":[", x->vm);
	for (size_t i = 0; i < x->nr_steps; i++) {
		const struct rpl_explain_step *h = &x->steps[i];

		fprintf(stdout,
			"%s{\"seq\":%" PRIu64 ",\"line\":%u,\"ts\":\"%s\",\"cpu\":%d,\"vcpu\":%d,"
			"\"in_chain\":%s,\"event\":",
			i ? "," : "", h->ev.seq, h->ev.line, tdxr_ts_str(h->ev.ts, ts, sizeof(ts)),
			h->ev.cpu, h->ev.vcpu, h->in_chain ? "true" : "false");
		json_str(stdout, h->name);
		fputs(",\"fields\":", stdout);
		json_str(stdout, h->fields);
		fputs(",\"before\":", stdout);
		json_str(stdout, h->before);
		fputs(",\"after\":", stdout);
		json_str(stdout, h->after);
		fputc('}', stdout);
	}
	fputs("],\"account\":", stdout);
	json_str(stdout, x->account);
	if (log_of(res)) {
		fputs(",\"log\":", stdout);
		report_log_json(stdout, log_of(res), res->st);
	}
	fprintf(stdout, ",\"events\":%" PRIu64 "}\n", x->events);
}

int cmd_explain(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"html", required_argument, NULL, 'H'},
		{"format", required_argument, NULL, 'f'},
		{"kernel-profile", required_argument, NULL, 'k'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct rpl_opts o;
	struct rpl_explain_target target = {.pick = RPL_EXPLAIN_DEFAULT};
	struct rpl_explanation *x = NULL;
	struct rpl_result res;
	bool ran = false;
	bool json = false;
	const char *html = NULL;
	char err[1024];
	int c, ret = TDXR_EXIT_USAGE;

	rpl_opts_init(&o);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+jH:f:k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'H':
			html = optarg;
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

		target.seq = strtoull(argv[optind + 1], &end, 0);
		if (*argv[optind + 1] == '\0' || *end != '\0') {
			return cli_usage_error("explain", "SEQ must be a number, not '%s'",
					       argv[optind + 1]);
		}
		target.pick = RPL_EXPLAIN_SEQ;
	}
	/*
	 * The first pass's result serves what the explanation does not hold:
	 * the kernel log's account and, for --html, the findings drawn.
	 */
	if (rpl_explain_keep(argv + optind, 1, &o, &target, &x, &res, err, sizeof(err)) < 0) {
		fprintf(stderr, "tdxr explain: %s\n", err);
		goto out;
	}
	ran = true;
	if (!x->found) {
		if (target.pick == RPL_EXPLAIN_SEQ) {
			fprintf(stderr, "tdxr explain: %s: no finding at seq %" PRIu64 "\n",
				argv[optind], target.seq);
			goto out;
		}
		if (json) {
			printf("{\"schema\":1,\"finding\":null");
			if (log_of(&res)) {
				fputs(",\"log\":", stdout);
				report_log_json(stdout, log_of(&res), res.st);
			}
			printf(",\"events\":%" PRIu64 "}\n", x->events);
		} else if (log_of(&res)) {
			printf("%s: no kvm-bug and no error in %" PRIu64
			       " events; what the kernel log says:\n",
			       argv[optind], x->events);
			report_log_text(stdout, log_of(&res), res.st, argv[optind]);
		} else {
			printf("%s: no kvm-bug and no error in %" PRIu64
			       " events: nothing to explain\n",
			       argv[optind], x->events);
		}
		ret = TDXR_EXIT_OK;
		goto out;
	}
	if (json) {
		print_json(x, &res);
	} else {
		print_text(x);
		if (log_of(&res)) {
			putchar('\n');
			report_log_text(stdout, log_of(&res), res.st, argv[optind]);
		}
	}
	ret = TDXR_EXIT_OK;
	if (html && report_html(html, argv + optind, &o, &res, x) < 0) {
		ret = TDXR_EXIT_USAGE;
	}
out:
	if (ran) {
		rpl_result_free(&res);
	}
	rpl_explanation_free(x);
	return ret;
}
