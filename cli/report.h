/* SPDX-License-Identifier: GPL-2.0 */
/* cli/report.h - findings as text, JSON and JUnit (docs/design.md §5). */
#ifndef TDXR_CLI_REPORT_H
#define TDXR_CLI_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tdxr/engine.h"

/* Writes @s as a JSON string literal. */
void json_str(FILE *f, const char *s);

/* Writes @s escaped for XML and HTML text and attributes (JUnit, --html);
 * control characters but tab and newline are dropped. */
void report_markup_str(FILE *f, const char *s);

void report_text(FILE *f, const struct rpl_result *res);
/* report_text without the findings before @first (already printed). */
void report_text_from(FILE *f, const struct rpl_result *res, size_t first);
void report_json(FILE *f, const struct rpl_result *res);
/*
 * What makes a finding fail a run (`--fail-on`): a severity and above, or,
 * when @kinds is non-zero, only the kinds whose bit (1 << kind) is set.
 */
struct report_fail_on {
	enum mdl_severity sev;
	uint32_t kinds;
};

/* Parses "error", "warning" or "KIND[,KIND...]"; -1 on a word it does not know. */
int report_fail_on_parse(const char *s, struct report_fail_on *out);
bool report_fails(const struct report_fail_on *fo, const struct mdl_finding *f);
/* How many findings of @res fail the run. */
uint64_t report_count_failing(const struct rpl_result *res, const struct report_fail_on *fo);

/* 0, or -1 when @path cannot be written (message on stderr). */
int report_junit(const char *path, const struct rpl_result *res, const struct report_fail_on *fo);

/* "checks: ...; not possible: ..." for @res. */
void report_coverage(char *buf, size_t len, const struct rpl_result *res);

/*
 * One self-contained HTML page (cli/report_html.c): summary, coverage,
 * findings with chains, a timeline per finding (the inputs are replayed
 * again with @o to draw it). With @x (`explain --html`), only its finding
 * and first cause, with its account and history. 0, or -1 with a message
 * on stderr.
 */
struct rpl_explanation;
int report_html(const char *path, char *const *inputs, const struct rpl_opts *o,
		const struct rpl_result *res, const struct rpl_explanation *x);

/* A kernel log's account (cli/report_log.c, docs/design.md §5.1): the "log"
 * JSON object (without its key), and the text `explain` prints. */
void report_log_json(FILE *f, const struct tdxr_klog_acct *a, const struct tdxr_strtab *st);
void report_log_text(FILE *f, const struct tdxr_klog_acct *a, const struct tdxr_strtab *st,
		     const char *input);

#endif /* TDXR_CLI_REPORT_H */
