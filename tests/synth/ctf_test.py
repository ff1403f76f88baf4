#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ctf_test.py - `tdxr synth --format ctf` (ctest label: scenario).

    ctf_test.py twin SCENARIO    for a few seeds/configurations: the CTF
                                 trace and its ftrace twin (same options)
                                 hold the same events: babeltrace2 prints as
                                 many as the twin has, `tdxr dump` agrees
                                 field for field (but `line`), the readers'
                                 struct tdxr_event agree member by member
                                 (CTF_TWIN), `tdxr replay --json` reports
                                 the same findings (kind, seq), which are
                                 where synth says it injected; on one
                                 CPU (taskset) the dump is the same
    ctf_test.py determinism      same seed => same decoded events; seeds differ
    ctf_test.py recdir           a record directory (meta.json, kernel.dat,
                                 vmm/) merges exactly as its parts given one
                                 by one, ties across the parts included:
                                 kernel.dat is the ftrace twin of the CTF in
                                 vmm/ (parts are read by content) with each
                                 event moved to the time of the next, so
                                 every event ties with one of the other part,
                                 exits with non-exits too (the merge's tie
                                 rule must have reordered some)
    ctf_test.py usage            what CTF cannot do exits 2 with a reason;
                                 no lttng-sessiond of ours is left behind

Each CTF run starts its own lttng-sessiond in a private namespace. When
LTTng cannot run here the test prints "SKIP: reason" and exits 77.
Environment: TDXR_BIN, CTF_TWIN. Exit 0 pass, 1 fail, 77 skipped.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

TDXR = os.environ.get('TDXR_BIN', 'tdxr')
CTF_TWIN = os.environ.get('CTF_TWIN', '')
SKIP = 77
UNUSABLE = 'LTTng is not usable here: '
# (seed, events, vcpus, vms, profile)
CONFIGS = [(1, 20000, 2, 1, '6.19'), (7, 12000, 4, 2, '6.16'), (21, 8000, 1, 1, '6.19')]
failures = []


class Skip(Exception):
    pass


def fail(msg):
    failures.append(msg)
    print('FAIL: ' + msg)


def synth(tmp, scenario, cfg, fmt, name):
    seed, events, vcpus, vms, profile = cfg
    out = os.path.join(tmp, name)
    cmd = [TDXR, 'synth', scenario, '-o', out, '--events', str(events), '--vcpus', str(vcpus),
           '--vms', str(vms), '--seed', str(seed), '--kernel-profile', profile,
           '--format', fmt, '--json']
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        if UNUSABLE in p.stderr:
            raise Skip(p.stderr.strip().split(UNUSABLE, 1)[1])
        fail('%s exited %d: %s' % (' '.join(cmd), p.returncode, p.stderr.strip()))
        return None, None
    return out, json.loads(p.stdout)


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def dump(path):
    """`tdxr dump` rows without the input:line column."""
    p = run([TDXR, 'dump', '--strict', path])
    if p.returncode != 0:
        fail('tdxr dump %s exited %d: %s' % (path, p.returncode, p.stderr.strip()[:300]))
        return None
    rows = []
    for line in p.stdout.splitlines():
        if line.startswith('#'):
            rows.append(line)
            continue
        cols = line.split(' ', 2)
        rows.append(cols[0] + ' ' + cols[2])
    return rows


def findings(path):
    p = run([TDXR, 'replay', '--json', path])
    if p.returncode not in (0, 1):
        fail('tdxr replay --json %s exited %d: %s' % (path, p.returncode, p.stderr.strip()))
        return None
    d = json.loads(p.stdout)
    return d['events'], [(f['kind'], f['seq']) for f in d['findings']]


def compare_dumps(a, b, what):
    if a is None or b is None:
        return
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            fail('%s: dump row %d differs:\n  ftrace %s\n  ctf    %s' % (what, i, x, y))
            return
    if len(a) != len(b):
        fail('%s: dump has %d rows for ftrace, %d for ctf' % (what, len(a), len(b)))


def test_twin(tmp, scenario):
    if not shutil.which('babeltrace2'):
        raise Skip('babeltrace2 is not installed')
    for cfg in CONFIGS:
        what = '%s seed %d' % (scenario, cfg[0])
        ctf, cj = synth(tmp, scenario, cfg, 'ctf', 'ctf-%d' % cfg[0])
        txt, tj = synth(tmp, scenario, cfg, 'ftrace', 'twin-%d.txt' % cfg[0])
        if not ctf or not txt:
            continue
        if cj != tj:
            fail('%s: synth reports differ: ftrace %s, ctf %s' % (what, tj, cj))
        # babeltrace2 reads it, one line per event, as many as the twin.
        p = run(['babeltrace2', ctf])
        if p.returncode != 0:
            fail('%s: babeltrace2 %s exited %d: %s' % (what, ctf, p.returncode,
                                                       p.stderr.strip()[:300]))
        elif len(p.stdout.splitlines()) != tj['events']:
            fail('%s: babeltrace2 prints %d events, the ftrace twin has %d' %
                 (what, len(p.stdout.splitlines()), tj['events']))
        if CTF_TWIN:
            p = run([CTF_TWIN, txt, ctf])
            if p.returncode != 0:
                fail('%s: readers disagree: %s%s' % (what, p.stdout.strip(), p.stderr.strip()))
        compare_dumps(dump(txt), dump(ctf), what)
        # On one CPU the reader decodes inline instead of on its thread:
        # the same events either way.
        if shutil.which('taskset'):
            one = run(['taskset', '-c', '0', TDXR, 'dump', '--strict', ctf])
            two = run([TDXR, 'dump', '--strict', ctf])
            if one.returncode != 0 or one.stdout != two.stdout:
                fail('%s: tdxr dump on one CPU (exit %d) differs from the threaded one' %
                     (what, one.returncode))
        ft, fc = findings(txt), findings(ctf)
        if ft and fc:
            if ft != fc:
                fail('%s: replay differs: ftrace %d events %s, ctf %d events %s' %
                     (what, ft[0], ft[1][:5], fc[0], fc[1][:5]))
            inj = cj.get('injected')
            if scenario == 'clean':
                if fc[1]:
                    fail('%s: clean CTF trace has findings %s' % (what, fc[1][:5]))
            elif not inj or not fc[1] or fc[1][0] != (scenario, inj['seq']):
                fail('%s: first CTF finding %s, synth injected %s' %
                     (what, fc[1][:1], inj))
        shutil.rmtree(ctf, ignore_errors=True)
    return 0


def split_rows(out):
    """`tdxr dump` output -> [(line, ts_ns, rest)] without seq and input."""
    rows = []
    for line in out.splitlines():
        if line.startswith('#'):
            continue
        seq, where, ts, rest = line.split(' ', 3)
        secs, frac = ts.split('.')
        rows.append((where.split(':')[1], int(secs) * 10**9 + int(frac), rest))
    return rows


def test_recdir(tmp):
    cfg = (3, 6000, 2, 1, '6.19')
    ctf, _ = synth(tmp, 'clean', cfg, 'ctf', 'ctf')
    txt, _ = synth(tmp, 'clean', cfg, 'ftrace', 'twin.txt')
    if not ctf or not txt:
        return
    rec = os.path.join(tmp, 'rec')
    os.mkdir(rec)
    shutil.copytree(ctf, os.path.join(rec, 'vmm'))
    with open(os.path.join(rec, 'meta.json'), 'w') as f:
        f.write('{"schema":1}\n')
    # Each event line of the twin takes the timestamp of the next event line.
    with open(txt) as f:
        lines = f.read().splitlines()
    stamp = re.compile(r'(\] \S+ +)(\d+\.\d+)(: )')
    ev = [i for i, l in enumerate(lines) if not l.startswith('#') and stamp.search(l)]
    with open(os.path.join(rec, 'kernel.dat'), 'w') as f:
        for k, i in enumerate(ev):
            if k + 1 < len(ev):
                nxt = stamp.search(lines[ev[k + 1]]).group(2)
                lines[i] = stamp.sub(lambda m: m.group(1) + nxt + m.group(3), lines[i], 1)
        f.write('\n'.join(lines) + '\n')
    whole = run([TDXR, 'dump', '--strict', rec])
    parts = run([TDXR, 'dump', '--strict', os.path.join(rec, 'kernel.dat'),
                 os.path.join(rec, 'vmm')])
    k = run([TDXR, 'dump', '--strict', os.path.join(rec, 'kernel.dat')])
    v = run([TDXR, 'dump', '--strict', os.path.join(rec, 'vmm')])
    for what, p in (('record directory', whole), ('its parts', parts), ('kernel.dat', k),
                    ('vmm/', v)):
        if p.returncode != 0:
            fail('tdxr dump of %s exited %d: %s' % (what, p.returncode, p.stderr.strip()[:300]))
            return
    w, s = split_rows(whole.stdout), split_rows(parts.stdout)
    kr, vr = split_rows(k.stdout), split_rows(v.stdout)
    # Parts in order, ties to the first part: what the merge gives without its tie rule.
    naive = [r for _, _, _, r in sorted([(r[1], 0, i, r) for i, r in enumerate(kr)] +
                                     [(r[1], 1, i, r) for i, r in enumerate(vr)])]
    ties = len(kr) + len(vr) - len(set(r[1] for r in kr + vr))
    print('%d + %d events, %d tied timestamps' % (len(kr), len(vr), ties))
    if len(w) != len(kr) + len(vr) or ties < len(vr) // 2:
        fail('record directory: %d events from parts of %d and %d, %d ties' %
             (len(w), len(kr), len(vr), ties))
    if w == naive:
        fail('no tie went to the second part: the tie rule was not exercised')
    if sorted(w) != sorted(naive):
        fail('record directory: not the events of its parts')
    for i, (x, y) in enumerate(zip(w, s)):
        if x != y:
            fail('record directory and its parts merge differently at event %d:\n'
                 '  DIR        %s %d %s\n  DIR/parts  %s %d %s' % ((i,) + x + y))
            break
    if len(w) != len(s):
        fail('record directory: %d events, its parts %d' % (len(w), len(s)))


def test_determinism(tmp):
    cfg = (5, 6000, 2, 1, '6.19')
    a, _ = synth(tmp, 'tlb-not-tracked', cfg, 'ctf', 'a')
    b, _ = synth(tmp, 'tlb-not-tracked', cfg, 'ctf', 'b')
    c, _ = synth(tmp, 'tlb-not-tracked', (6,) + cfg[1:], 'ctf', 'c')
    if a and b and c:
        da, db, dc = dump(a), dump(b), dump(c)
        if da is not None and da != db:
            compare_dumps(da, db, 'same seed')
            fail('same seed: different events')
        if da is not None and da == dc:
            fail('seeds 5 and 6: the same events')
    return 0


def our_daemons(tmp):
    """pids of lttng-sessiond processes whose LTTNG_HOME is below @tmp: the
    runs of this test put their private run directories there (TMPDIR)."""
    pids = set()
    want = b'LTTNG_HOME=' + os.fsencode(tmp) + b'/'
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                args = f.read().split(b'\0')
            with open('/proc/%s/environ' % pid, 'rb') as f:
                env = f.read().split(b'\0')
        except OSError:
            continue
        if args[0].endswith(b'lttng-sessiond') and any(e.startswith(want) for e in env):
            pids.add(pid)
    return pids


def expect_usage(args, want, what):
    p = run([TDXR, 'synth'] + args)
    if p.returncode != 2:
        fail('%s: exit %d, want 2 (%s)' % (what, p.returncode, p.stderr.strip()))
    elif want not in p.stderr:
        fail('%s: message %r does not say %r' % (what, p.stderr.strip(), want))


def test_usage(tmp):
    os.environ['TMPDIR'] = tmp
    expect_usage(['clean', '-o', '-', '--format', 'ctf'], 'directory', 'ctf to stdout')
    expect_usage(['lost-events', '-o', os.path.join(tmp, 'l'), '--format', 'ctf'],
                 'ftrace-only', 'lost-events as ctf')
    full = os.path.join(tmp, 'full')
    os.mkdir(full)
    with open(os.path.join(full, 'keep'), 'w') as f:
        f.write('x')
    expect_usage(['clean', '-o', full, '--format', 'ctf'], 'not empty', 'non-empty OUT')
    if not os.path.exists(os.path.join(full, 'keep')):
        fail('non-empty OUT: its file was removed')
    env = dict(os.environ, TDXR_SYNTH_UST=os.path.join(tmp, 'no-such-writer'))
    p = subprocess.run([TDXR, 'synth', 'clean', '-o', os.path.join(tmp, 'x'), '--format', 'ctf'],
                       capture_output=True, text=True, env=env)
    if p.returncode != 2 or 'no-such-writer' not in p.stderr:
        fail('missing writer: exit %d: %s' % (p.returncode, p.stderr.strip()))
    # A writer that fails after the daemon started: an error, nothing left running.
    env = dict(os.environ, TDXR_SYNTH_UST='/bin/false')
    p = subprocess.run([TDXR, 'synth', 'clean', '-o', os.path.join(tmp, 'y'), '--format', 'ctf'],
                       capture_output=True, text=True, env=env)
    if p.returncode != 2:
        fail('failing writer: exit %d, want 2: %s' % (p.returncode, p.stderr.strip()))
    elif UNUSABLE in p.stderr:
        raise Skip(p.stderr.strip().split(UNUSABLE, 1)[1])
    elif '/bin/false' not in p.stderr:
        fail('failing writer: message does not name it: %s' % p.stderr.strip())
    # A good run, then: the daemons it started are gone.
    synth(tmp, 'clean', (1, 2000, 1, 1, '6.19'), 'ctf', 'ok')
    left = our_daemons(tmp)
    if left:
        fail('lttng-sessiond left running: pids %s' % sorted(left))
    return 0


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    mode = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix='tdxr-synth-ctf.') as tmp:
        try:
            if mode == 'twin' and len(sys.argv) == 3:
                test_twin(tmp, sys.argv[2])
            elif mode == 'determinism':
                test_determinism(tmp)
            elif mode == 'recdir':
                test_recdir(tmp)
            elif mode == 'usage':
                test_usage(tmp)
            else:
                print(__doc__)
                return 2
        except Skip as e:
            print('SKIP: %s' % e)
            return SKIP
    if failures:
        print('%d failure(s)' % len(failures))
        return 1
    print('PASS')
    return 0


if __name__ == '__main__':
    sys.exit(main())
