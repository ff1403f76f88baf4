// SPDX-License-Identifier: GPL-2.0
/*
 * cli/cmd_replay.c - `tdxr replay`: CI trace replay (docs/design.md §5).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"
#include "tdxr/explain.h"

int cli_parse_profile(const char *s, int *out)
{
	if (strcmp(s, "auto") == 0) {
		*out = 0;
	} else if (strcmp(s, "6.16") == 0) {
		*out = 616;
	} else if (strcmp(s, "6.19") == 0) {
		*out = 619;
	} else {
		return -1;
	}
	return 0;
}

/*
 * --follow: INPUT ("-" for standard input) is relayed into a pipe that the
 * engine reads as a live input, findings printed as they arrive. A
 * regular file is followed as it grows (tail -f) until SIGINT/SIGTERM; a
 * pipe or a tracefs trace_pipe until its writer ends it or a signal. The
 * first write holds whole lines (8 of them, or what came within 2 s), so
 * the format is told from lines, not from a fragment.
 */
struct follow {
	int in;	       /* INPUT, owned */
	int out;       /* the pipe's write end, owned by the relay thread */
	bool regular;  /* a file: EOF means "not yet" */
	char path[32]; /* /dev/fd/N of the pipe's read end */
	int rd;
	pthread_t thread;
};

static volatile sig_atomic_t follow_stop;

static void on_follow_signal(int sig)
{
	follow_stop = sig;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return false;
		}
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static void *follow_relay(void *arg)
{
	struct follow *fl = arg;
	static char head[65536];
	size_t held = 0, lines = 0;
	bool started = false;
	struct timespec t0;
	char buf[65536];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!follow_stop) {
		struct pollfd p = {.fd = fl->in, .events = POLLIN};
		struct timespec now;
		ssize_t n = 0;

		if (fl->regular || poll(&p, 1, 100) > 0) {
			n = read(fl->in, buf, sizeof(buf));
			if (n < 0 && errno != EINTR && errno != EAGAIN) {
				break;
			}
			if (n == 0 && !fl->regular) {
				break; /* the writer ended */
			}
			if (n <= 0 && fl->regular) {
				struct timespec ts = {0, 100 * 1000 * 1000};

				nanosleep(&ts, NULL);
			}
		}
		if (n > 0 && started && !write_all(fl->out, buf, (size_t)n)) {
			break;
		}
		if (n > 0 && !started) {
			size_t take =
				(size_t)n < sizeof(head) - held ? (size_t)n : sizeof(head) - held;

			for (ssize_t i = 0; i < n; i++) {
				lines += buf[i] == '\n';
			}
			memcpy(head + held, buf, take);
			held += take;
			if (take < (size_t)n) {
				/* the head is full: send it, then the rest */
				if (!write_all(fl->out, head, held) ||
				    !write_all(fl->out, buf + take, (size_t)n - take)) {
					break;
				}
				started = true;
				continue;
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!started && held && (lines >= 8 || now.tv_sec - t0.tv_sec >= 2)) {
			if (!write_all(fl->out, head, held)) {
				break;
			}
			started = true;
		}
	}
	if (!started && held) {
		write_all(fl->out, head, held);
	}
	close(fl->out);
	return NULL;
}

static int follow_open(struct follow *fl, const char *input)
{
	struct stat sb;
	int p[2];

	fl->in = strcmp(input, "-") == 0 ? dup(STDIN_FILENO) : open(input, O_RDONLY | O_CLOEXEC);
	if (fl->in < 0) {
		fprintf(stderr, "tdxr replay: %s: cannot open: %s\n", input, strerror(errno));
		return -1;
	}
	fl->regular = fstat(fl->in, &sb) == 0 && S_ISREG(sb.st_mode);
	if (pipe(p) < 0) {
		fprintf(stderr, "tdxr replay: pipe: %s\n", strerror(errno));
		close(fl->in);
		return -1;
	}
	fl->rd = p[0];
	fl->out = p[1];
	snprintf(fl->path, sizeof(fl->path), "/dev/fd/%d", p[0]);
	follow_stop = 0;
	signal(SIGINT, on_follow_signal);
	signal(SIGTERM, on_follow_signal);
	signal(SIGPIPE, SIG_IGN);
	if (pthread_create(&fl->thread, NULL, follow_relay, fl) != 0) {
		fprintf(stderr, "tdxr replay: cannot start the relay thread\n");
		close(fl->in);
		close(p[0]);
		close(p[1]);
		return -1;
	}
	return 0;
}

static void follow_close(struct follow *fl)
{
	follow_stop = SIGTERM;
	close(fl->rd); /* a relay blocked on a full pipe gets EPIPE */
	pthread_join(fl->thread, NULL);
	close(fl->in);
}

/* Prints the findings the model made since the last call. */
struct live_print {
	struct rpl_result *res;
	size_t printed;
};

static void print_new_findings(void *ctx, const struct tdxr_event *ev, const struct mdl_model *m)
{
	struct live_print *lp = ctx;
	char line[512];

	(void)ev;
	(void)m;
	if (lp->printed == lp->res->nr_findings) {
		return;
	}
	for (; lp->printed < lp->res->nr_findings; lp->printed++) {
		rpl_finding_line(line, sizeof(line), &lp->res->findings[lp->printed], 1);
		printf("%s\n", line);
	}
	fflush(stdout);
}

int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"junit", required_argument, NULL, 'J'},
		{"html", required_argument, NULL, 'H'},
		{"fail-on", required_argument, NULL, 'F'},
		{"format", required_argument, NULL, 'f'},
		{"kernel-profile", required_argument, NULL, 'k'},
		{"strict", no_argument, NULL, 's'},
		{"follow", no_argument, NULL, 'w'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct rpl_opts o;
	struct rpl_result res;
	struct report_fail_on fail_on = {.sev = MDL_SEV_ERROR};
	const char *junit = NULL, *html = NULL;
	bool json = false, follow = false;
	struct follow fl = {0};
	struct live_print lp = {.res = &res};
	char *follow_input[1];
	char err[1024];
	int c, ret;

	rpl_opts_init(&o);
	o.progress = true;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+jJ:H:F:f:k:swh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'J':
			junit = optarg;
			break;
		case 'H':
			html = optarg;
			break;
		case 'F':
			if (report_fail_on_parse(optarg, &fail_on) < 0) {
				return cli_usage_error(
					"replay",
					"--fail-on takes error, warning or finding kinds "
					"(KIND[,KIND...], `tdxr help replay`), not '%s'",
					optarg);
			}
			break;
		case 'f':
			if (tdxr_format_parse(optarg, &o.format) < 0) {
				return cli_usage_error("replay", "unknown format '%s'", optarg);
			}
			break;
		case 'k':
			if (cli_parse_profile(optarg, &o.kernel_profile) < 0) {
				return cli_usage_error(
					"replay",
					"--kernel-profile takes 6.16, 6.19 or auto, not '%s'",
					optarg);
			}
			break;
		case 's':
			o.strict = true;
			break;
		case 'w':
			follow = true;
			break;
		case 'h':
			cli_print_usage(stdout, "replay");
			return TDXR_EXIT_OK;
		default:
			return cli_usage_error("replay", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		return cli_usage_error("replay", "no INPUT given");
	}
	if (follow) {
		if (argc - optind != 1 || json || junit || html) {
			return cli_usage_error("replay", "--follow reads one INPUT (or -), as text "
							 "(no --json, --junit or --html)");
		}
		if (follow_open(&fl, argv[optind]) < 0) {
			return TDXR_EXIT_USAGE;
		}
		follow_input[0] = fl.path;
		o.live = true;
		o.progress = false;
		o.after = print_new_findings;
		o.hook_ctx = &lp;
	}
	if (rpl_run(follow ? follow_input : argv + optind,
		    follow ? 1 : (unsigned int)(argc - optind), &o, &res, err, sizeof(err)) < 0) {
		fprintf(stderr, "tdxr replay: %s%s%s\n", follow ? argv[optind] : "",
			follow ? ": " : "", err);
		if (follow) {
			follow_close(&fl);
		}
		rpl_result_free(&res);
		return TDXR_EXIT_USAGE;
	}
	if (follow) {
		follow_close(&fl);
		res.inputs = argv + optind;
	}
	if (json) {
		report_json(stdout, &res);
	} else {
		report_text_from(stdout, &res, lp.printed);
	}
	ret = report_count_failing(&res, &fail_on) ? TDXR_EXIT_FINDINGS : TDXR_EXIT_OK;
	if (junit && report_junit(junit, &res, &fail_on) < 0) {
		ret = TDXR_EXIT_USAGE;
	}
	if (html && report_html(html, argv + optind, &o, &res, NULL) < 0) {
		ret = TDXR_EXIT_USAGE;
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "tdxr replay: write error on stdout\n");
		ret = TDXR_EXIT_USAGE;
	}
	rpl_result_free(&res);
	return ret;
}
