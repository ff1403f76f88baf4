// SPDX-License-Identifier: GPL-2.0
/*
 * cli/main.c - `tdxr`, a git-style dispatcher over cli/commands.def.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_cmd cmds[] = {
#define TDXR_CMD(name, fn, summary, usage) {#name, fn, summary, usage},
#include "commands.def"
#undef TDXR_CMD
};

#define NR_CMDS (sizeof(cmds) / sizeof(cmds[0]))

const struct cli_cmd *cli_commands(size_t *n)
{
	*n = NR_CMDS;
	return cmds;
}

static const struct cli_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < NR_CMDS; i++) {
		if (strcmp(cmds[i].name, name) == 0) {
			return &cmds[i];
		}
	}
	return NULL;
}

static void print_help(FILE *f)
{
	fprintf(f, "usage: tdxr [--version] [help [CMD]] CMD [ARGS...]\n\n"
		   "tdxr records, replays and explains Intel TDX MMU activity in KVM.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < NR_CMDS; i++) {
		fprintf(f, "  %-9s %s\n", cmds[i].name, cmds[i].summary);
	}
	fprintf(f, "\nExit codes: 0 no finding at or above --fail-on, 1 findings,\n"
		   "2 usage error or unusable input.\n"
		   "`tdxr help CMD` shows the usage of one command; `tdxr help --man [CMD]`\n"
		   "its manual page (roff), `tdxr help --bash-completion` the completion.\n");
}

void cli_print_usage(FILE *f, const char *cmd)
{
	const struct cli_cmd *c = find_cmd(cmd);

	if (c) {
		fprintf(f, "usage: %s", c->usage);
	}
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tdxr %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see `tdxr help %s`)\n", cmd);
	return TDXR_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *c;

	if (argc < 2) {
		print_help(stderr);
		return TDXR_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("tdxr %s (event schema v%d)\n", TDXR_VERSION, 1);
		return TDXR_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		if (argc > 2 && strcmp(argv[2], "--man") == 0) {
			return cli_gendoc_man(stdout, argc > 3 ? argv[3] : NULL);
		}
		if (argc > 2 && strcmp(argv[2], "--bash-completion") == 0) {
			return cli_gendoc_bash(stdout);
		}
		if (argc > 2) {
			if (!find_cmd(argv[2])) {
				fprintf(stderr, "tdxr: unknown command '%s'\n", argv[2]);
				return TDXR_EXIT_USAGE;
			}
			cli_print_usage(stdout, argv[2]);
			return TDXR_EXIT_OK;
		}
		print_help(stdout);
		return TDXR_EXIT_OK;
	}
	if (argv[1][0] == '-') {
		fprintf(stderr, "tdxr: unknown option '%s'\n", argv[1]);
		print_help(stderr);
		return TDXR_EXIT_USAGE;
	}
	c = find_cmd(argv[1]);
	if (!c) {
		fprintf(stderr, "tdxr: unknown command '%s' (see `tdxr help`)\n", argv[1]);
		return TDXR_EXIT_USAGE;
	}
	return c->fn(argc - 1, argv + 1);
}
