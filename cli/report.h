/* SPDX-License-Identifier: GPL-2.0 */
/* cli/report.h - findings as text, JSON and JUnit (DESIGN.md §5). */
#ifndef TDXR_CLI_REPORT_H
#define TDXR_CLI_REPORT_H

#include <stdio.h>

#include "tdxr/engine.h"

/* Writes @s as a JSON string literal. */
void json_str(FILE *f, const char *s);

void report_text(FILE *f, const struct rpl_result *res);
void report_json(FILE *f, const struct rpl_result *res);
/* 0, or -1 when @path cannot be written (message on stderr). */
int report_junit(const char *path, const struct rpl_result *res, enum mdl_severity fail_on);

/* "checks: ...; not possible: ..." for @res. */
void report_coverage(char *buf, size_t len, const struct rpl_result *res);

/* The text line of one finding, without a newline. */
void report_finding_line(char *buf, size_t len, const struct mdl_finding *f,
			 unsigned int nr_inputs);

#endif /* TDXR_CLI_REPORT_H */
