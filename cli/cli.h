/* SPDX-License-Identifier: GPL-2.0 */
/* cli/cli.h - the tdxr dispatcher's shared bits. */
#ifndef TDXR_CLI_H
#define TDXR_CLI_H

#include <stdio.h>

/* Exit codes (DESIGN.md §5). */
#define TDXR_EXIT_OK 0
#define TDXR_EXIT_FINDINGS 1
#define TDXR_EXIT_USAGE 2

#define TDXR_CMD(name, fn, summary, usage) int fn(int argc, char **argv);
#include "commands.def"
#undef TDXR_CMD

/* Prints "tdxr CMD: MSG" and the usage hint to stderr; returns 2. */
int cli_parse_profile(const char *s, int *out);

int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints the usage of @cmd to @f. */
void cli_print_usage(FILE *f, const char *cmd);

#endif /* TDXR_CLI_H */
