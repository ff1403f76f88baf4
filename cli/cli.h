/* SPDX-License-Identifier: GPL-2.0 */
/* cli/cli.h - the tdxr dispatcher's shared bits. */
#ifndef TDXR_CLI_H
#define TDXR_CLI_H

#include <stddef.h>
#include <stdio.h>

/* Exit codes (docs/design.md §5). */
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

/* One row of cli/commands.def. */
struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage;
};

/* The command table (borrowed, static): what `tdxr help` prints. */
const struct cli_cmd *cli_commands(size_t *n);

/*
 * Documents generated from the command table, so they cannot drift from
 * `tdxr help` (cli/gendoc.c). @cmd NULL: tdxr(1). Return an exit code.
 */
int cli_gendoc_man(FILE *f, const char *cmd);
int cli_gendoc_bash(FILE *f);

#endif /* TDXR_CLI_H */
