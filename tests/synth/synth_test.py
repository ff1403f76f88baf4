#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""synth_test.py - the `tdxr synth` suite (ctest label: scenario).

    synth_test.py determinism            same seed => same bytes; seeds differ
    synth_test.py dump                   every line decodes with dump --strict
    synth_test.py injection SCENARIO     reported seq/line is where the
                                         independent oracle (check_trace.py)
                                         first sees that kind; clean: nothing
    synth_test.py replay SCENARIO        the same against `tdxr replay --json`
                                         (exit 77 = skipped when replay is absent)
    synth_test.py index SCENARIO         the same against the findings that
                                         `tdxr index` stores (77 when absent)
    synth_test.py usage                  bad command lines exit 2

TDXR_BIN names the tdxr binary. Exit 0 pass, 1 fail, 77 skipped.
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TDXR = os.environ.get('TDXR_BIN', 'tdxr')
SKIP = 77
SCENARIOS = ['clean', 'status-mismatch', 'spte-mismatch', 'mirror-desync', 'remove-not-blocked',
             'tlb-not-tracked', 'private-shared-alias', 'mmio-suppress-ve', 'pending-access',
             'busy-retry', 'epoch-busy', 'reclaim', 'zero-step', 'lost-events', 'order']
# (seed, events, vcpus, vms, gpaw, profile[, guest MiB])
CONFIGS = [(1, 4000, 2, 1, 48, '6.19'), (2, 6000, 4, 2, 52, '6.16'), (3, 3000, 1, 1, 48, '6.16'),
           (11, 8000, 3, 3, 48, '6.19'), (12, 5000, 8, 1, 52, '6.19'),
           (13, 30000, 2, 1, 48, '6.19', 64)]
failures = []


def fail(msg):
    failures.append(msg)
    print('FAIL: ' + msg)


def synth(tmp, scenario, cfg, name='t.txt'):
    seed, events, vcpus, vms, gpaw, profile = cfg[:6]
    out = os.path.join(tmp, name)
    cmd = [TDXR, 'synth', scenario, '-o', out, '--events', str(events), '--vcpus', str(vcpus),
           '--vms', str(vms), '--seed', str(seed), '--gpaw', str(gpaw), '--kernel-profile',
           profile, '--json']
    if len(cfg) > 6:
        cmd += ['--mem', str(cfg[6])]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        fail('%s exited %d: %s' % (' '.join(cmd), p.returncode, p.stderr.strip()))
        return None, None, None
    return out, json.loads(p.stdout), p.stderr


def sha(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def have_cmd(name):
    return subprocess.run([TDXR, 'help', name], capture_output=True).returncode == 0


def test_determinism(tmp):
    seen = {}
    for cfg in CONFIGS:
        for scenario in ('clean', 'lost-events', 'busy-retry'):
            a, ja, _ = synth(tmp, scenario, cfg, 'a.txt')
            b, jb, _ = synth(tmp, scenario, cfg, 'b.txt')
            if not a or not b:
                continue
            if sha(a) != sha(b) or ja != jb:
                fail('%s %s: same seed, different output' % (scenario, cfg))
            h = sha(a)
            if h in seen:
                fail('%s %s: same output as %s' % (scenario, cfg, seen[h]))
            seen[h] = (scenario, cfg)
    # only the seed differs
    base = CONFIGS[0]
    hashes = set()
    for seed in range(20, 28):
        a, _, _ = synth(tmp, 'clean', (seed,) + base[1:], 'a.txt')
        if a:
            hashes.add(sha(a))
    if len(hashes) != 8:
        fail('8 seeds gave %d distinct traces' % len(hashes))


def test_dump(tmp):
    if not have_cmd('dump'):
        print('SKIP: `tdxr help dump` fails: no dump to check against')
        return SKIP
    for scenario in SCENARIOS:
        for cfg in CONFIGS[:3]:
            out, js, _ = synth(tmp, scenario, cfg)
            if not out:
                continue
            p = subprocess.run([TDXR, 'dump', '--strict', out], capture_output=True, text=True)
            if p.returncode != 0:
                fail('%s %s: dump --strict exited %d: %s' %
                     (scenario, cfg, p.returncode, p.stderr.strip()[:300]))
                continue
            # dump prints lost-event records as "# lost: ..." lines
            lines = [x for x in p.stdout.splitlines() if x[:1].isdigit()]
            if len(lines) != js['events']:
                fail('%s %s: dump printed %d events, synth wrote %d' %
                     (scenario, cfg, len(lines), js['events']))
            inj = js['injected']
            if inj:
                row = lines[inj['seq']].split() if inj['seq'] < len(lines) else []
                if not row or row[0] != str(inj['seq']) or row[1] != '0:%d' % inj['line']:
                    fail('%s %s: dump has %r at seq %d, synth said line %d' %
                         (scenario, cfg, row[:2], inj['seq'], inj['line']))
    return 0


def check_injection(scenario, cfg, js, stderr):
    """The stderr line and the JSON agree; returns (seq, line) or None."""
    inj = js['injected']
    if scenario == 'clean':
        if inj is not None or 'injected' in stderr:
            fail('clean %s reports an injection' % (cfg,))
        return None
    if not inj or inj['kind'] != scenario:
        fail('%s %s: no injection in the JSON: %r' % (scenario, cfg, js))
        return None
    m = re.search(r'^injected (\S+) at seq (\d+) line (\d+)$', stderr, re.M)
    if not m or m.group(1) != scenario or int(m.group(2)) != inj['seq'] or \
            int(m.group(3)) != inj['line']:
        fail('%s %s: stderr %r disagrees with the JSON %r' % (scenario, cfg, stderr, inj))
    return inj['seq'], inj['line']


def test_injection(tmp, scenario):
    for cfg in CONFIGS:
        out, js, err = synth(tmp, scenario, cfg)
        if not out:
            continue
        where = check_injection(scenario, cfg, js, err)
        gpaw, profile = cfg[4], cfg[5]
        p = subprocess.run([sys.executable, os.path.join(HERE, 'check_trace.py'), out,
                            '--shared-bit', '51' if gpaw == 52 else '47', '--profile', profile],
                           capture_output=True, text=True)
        got = json.loads(p.stdout)
        if scenario == 'clean':
            if got['kind'] is not None:
                fail('clean %s: the oracle sees %r' % (cfg, got))
            continue
        if where is None:
            continue
        if (got['kind'], got.get('seq'), got.get('line')) != (scenario,) + where:
            fail('%s %s: injected at seq %d line %d, the oracle first sees %r' %
                 ((scenario, cfg) + where + (got,)))
    return 0


def test_replay(tmp, scenario):
    if not have_cmd('replay'):
        print('SKIP: `tdxr help replay` fails: replay is not built yet, '
              'the replay part of the %s scenario test did not run' % scenario)
        return SKIP
    for cfg in CONFIGS[:3]:
        out, js, err = synth(tmp, scenario, cfg)
        if not out:
            continue
        where = check_injection(scenario, cfg, js, err)
        p = subprocess.run([TDXR, 'replay', '--json', '--kernel-profile', cfg[5], out],
                           capture_output=True, text=True)
        if p.returncode not in (0, 1):
            # older replay without --kernel-profile: try plain
            p = subprocess.run([TDXR, 'replay', '--json', out], capture_output=True, text=True)
        if p.returncode not in (0, 1):
            fail('%s %s: replay exited %d: %s' % (scenario, cfg, p.returncode, p.stderr[:300]))
            continue
        rep = json.loads(p.stdout)
        check_findings(scenario, cfg, where, rep.get('findings', []), rep.get('errors'))
    return 0


def check_findings(scenario, cfg, where, findings, nr_errors):
    """The model's findings: clean has no error; an injection is found where
    synth says, with no error before it."""
    errors = [f for f in findings if f.get('severity') == 'error']
    if scenario == 'clean':
        if (nr_errors or 0) != 0 or errors:
            fail('clean %s: the model reports errors: %r' %
                 (cfg, [(f.get('kind'), f.get('seq'), f.get('line')) for f in errors[:3]]))
        return
    if where is None:
        return
    seq, line = where
    hit = [f for f in findings if f.get('kind') == scenario and f.get('seq') == seq and
           f.get('line') == line]
    if not hit:
        near = [(f.get('kind'), f.get('seq'), f.get('line')) for f in findings[:5]]
        fail('%s %s: no %s finding at seq %d line %d; first findings: %r' %
             (scenario, cfg, scenario, seq, line, near))
    early = [f for f in errors if f.get('seq', seq) < seq]
    if early:
        fail('%s %s: errors before the injection: %r' %
             (scenario, cfg, [(f.get('kind'), f.get('seq')) for f in early[:3]]))


def test_index(tmp, scenario):
    """The same through `tdxr index` (the model behind it) and its findings_v view."""
    import sqlite3
    if not have_cmd('index'):
        print('SKIP: `tdxr help index` fails: no index, the model part of the %s '
              'scenario test did not run' % scenario)
        return SKIP
    for cfg in CONFIGS:
        out, js, err = synth(tmp, scenario, cfg)
        if not out:
            continue
        where = check_injection(scenario, cfg, js, err)
        db = os.path.join(tmp, 't.db')
        if os.path.exists(db):
            os.unlink(db)
        p = subprocess.run([TDXR, 'index', '-o', db, out], capture_output=True, text=True)
        if p.returncode not in (0, 1) or not os.path.exists(db):
            fail('%s %s: index exited %d: %s' % (scenario, cfg, p.returncode, p.stderr[:300]))
            continue
        con = sqlite3.connect(db)
        rows = con.execute('SELECT seq, line, kind, severity FROM findings_v ORDER BY seq').fetchall()
        con.close()
        findings = [{'seq': r[0], 'line': r[1], 'kind': r[2], 'severity': r[3]} for r in rows]
        check_findings(scenario, cfg, where, findings, None)
    return 0


def test_usage(tmp):
    out = os.path.join(tmp, 'u.txt')
    cases = [
        (['synth'], 'no scenario'),
        (['synth', 'no-such-scenario', '-o', out], 'unknown scenario'),
        (['synth', 'clean'], 'no -o'),
        (['synth', 'clean', '-o', out, '--vcpus', '0'], '--vcpus 0'),
        (['synth', 'clean', '-o', out, '--gpaw', '50'], '--gpaw 50'),
        (['synth', 'clean', '-o', out, '--mem', '8'], '--mem 8'),
        (['synth', 'clean', '-o', out, '--mem', '65537'], '--mem 65537'),
        (['synth', 'clean', '-o', out, '--format', 'xml'], '--format xml'),
        (['synth', 'clean', '-o', out, '--kernel-profile', '5.0'], 'bad profile'),
        (['synth', 'clean', '-o', '-', '--json'], '--json with -o -'),
        (['synth', 'clean', '-o', '/nonexistent/dir/x'], 'unwritable output'),
    ]
    for args, what in cases:
        p = subprocess.run([TDXR] + args, capture_output=True, text=True)
        if p.returncode != 2 or not p.stderr:
            fail('%s: exit %d, stderr %r (want 2 and a message)' % (what, p.returncode, p.stderr))
    return 0


def test_highmem(tmp):
    """--mem beyond 3 GiB: RAM continues at 4 GiB (gfn 0x100000), nothing
    lands in the hole below the MMIO and firmware ranges, nothing beyond the
    RAM's end, and the trace replays clean."""
    mem = 6144
    out, js, err = synth(tmp, 'clean', (5, 400000, 4, 2, 48, '6.19', mem))
    if not out:
        return 0
    high_end = 0x100000 + mem * 256 - 0xc0000
    p = subprocess.run([TDXR, 'dump', out], capture_output=True, text=True)
    if p.returncode != 0:
        fail('dump exited %d: %s' % (p.returncode, p.stderr[:300]))
        return 0
    high = hole = beyond = 0
    # page tables (level >= 2) covering [3 GiB, 4 GiB) are fine: pages are not
    for m in re.finditer(r' gfn=0x([0-9a-f]+)(?! level=[2-5])', p.stdout):
        gfn = int(m.group(1), 16) & ~(1 << 35)  # the shared bit (GPAW 48)
        if gfn >= 0x100000:
            high += 1
            beyond += gfn >= high_end
        elif 0xc0000 <= gfn < 0xfe000:
            hole += 1
    if not high:
        fail('--mem %d: no event touches RAM above 4 GiB' % mem)
    if hole or beyond:
        fail('--mem %d: %d events in the hole below 4 GiB, %d beyond the RAM' % (mem, hole, beyond))
    p = subprocess.run([TDXR, 'replay', '--json', out], capture_output=True, text=True)
    rep = json.loads(p.stdout) if p.stdout.startswith('{') else {}
    if p.returncode != 0 or rep.get('errors') != 0:
        fail('--mem %d: replay exited %d with %r errors' % (mem, p.returncode, rep.get('errors')))
    print('--mem %d: %d events above 4 GiB' % (mem, high))
    return 0


def main():
    mode = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix='tdxr-synth-') as tmp:
        if mode == 'determinism':
            rc = test_determinism(tmp)
        elif mode == 'dump':
            rc = test_dump(tmp)
        elif mode == 'injection':
            rc = test_injection(tmp, sys.argv[2])
        elif mode == 'replay':
            rc = test_replay(tmp, sys.argv[2])
        elif mode == 'index':
            rc = test_index(tmp, sys.argv[2])
        elif mode == 'usage':
            rc = test_usage(tmp)
        elif mode == 'highmem':
            rc = test_highmem(tmp)
        else:
            print('unknown mode ' + mode)
            return 2
    if failures:
        print('%d failure(s)' % len(failures))
        return 1
    if rc == SKIP:
        return SKIP
    print('ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
