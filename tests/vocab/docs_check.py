#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/vocab/docs_check.py TOP - the project carries its own documents
(issue 14.6):
  1. nothing in the tree cites the brief the project was written from
     (a `../shared/` path, its design or facts file, or their F§ shorthand):
     users only have the repository;
  2. every `docs/design.md §N` and `docs/tdx.md §N` citation names a section
     that exists in that file;
  3. docs/findings.md has one `## kind (severity)` section per row of
     include/tdxr/finding.def, in the table's order, with its default
     severity first;
  4. the leaf table of docs/tdx.md §2.1 and the status table of §3.1 say
     what schema/tdx.def says (numbers, names, class values), and every
     `0x…` status written next to its words in docs/*.md decodes to them.
Prints each problem as file:line: what; exit 1 if any.
"""
import os
import re
import subprocess
import sys

TOP = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else '.')
SELF = 'tests/vocab/docs_check.py'
# spelled in pieces so that this file does not match itself
FORBIDDEN = re.compile('|'.join([re.escape('../' + 'shared'), re.escape('DESIGN' + '.md'),
                                 'TDX_' + 'FACTS', 'F' + '§']))
CITE = re.compile(r'docs/(design|tdx)\.md §(\d+(?:\.\d+)?)')


def tree_files():
    out = subprocess.run(['git', '-C', TOP, 'ls-files', '-co', '--exclude-standard'],
                         check=True, capture_output=True, text=True).stdout.split('\n')
    return [f for f in out if f and os.path.isfile(os.path.join(TOP, f))]


def sections(doc):
    """Section numbers of a doc's headings: '## 3. Status' -> 3, '### 3.1 X' -> 3.1."""
    found = set()
    with open(os.path.join(TOP, 'docs', doc + '.md')) as fp:
        for line in fp:
            m = re.match(r'#{2,3} (\d+(?:\.\d+)?)\.? ', line)
            if m:
                found.add(m.group(1))
    return found


def check_findings_doc(problems):
    kinds = []
    with open(os.path.join(TOP, 'include/tdxr/finding.def')) as fp:
        text = re.sub(r'/\*.*?\*/', '', fp.read(), flags=re.S)
    for m in re.finditer(r'MDL_FINDING\(\s*\w+,\s*"([^"]+)",\s*(\w+),', text):
        kinds.append((m.group(1), m.group(2).lower()))
    heads = []
    path = 'docs/findings.md'
    with open(os.path.join(TOP, path)) as fp:
        for no, line in enumerate(fp, 1):
            m = re.match(r'## ([a-z-]+) \(([a-z /]+)\)', line)
            if m:
                heads.append((m.group(1), m.group(2), no))
    if not kinds:
        problems.append('include/tdxr/finding.def: no MDL_FINDING rows read')
    if [h[0] for h in heads] != [k[0] for k in kinds]:
        problems.append('%s: sections %s, finding.def kinds %s (same order wanted)' %
                        (path, [h[0] for h in heads], [k[0] for k in kinds]))
        return
    for (name, sev, no), (_, want) in zip(heads, kinds):
        if not sev.startswith(want):
            problems.append('%s:%d: %s is %s in finding.def, "%s" here' % (path, no, name, want, sev))


def check_tdx_doc(problems):
    sys.path.insert(0, os.path.join(TOP, 'schema'))
    import tdx_def as tdx
    path = 'docs/tdx.md'
    sec = None
    rows = 0
    with open(os.path.join(TOP, path)) as fp:
        lines = fp.read().split('\n')
    for no, line in enumerate(lines, 1):
        m = re.match(r'### (\d+\.\d+) ', line)
        if m:
            sec = m.group(1)
        cells = [c.strip() for c in line.strip().strip('|').split('|')] if line.startswith('|') else []
        if sec == '2.1' and len(cells) > 2 and re.fullmatch(r'[\d, ]+', cells[0]):
            nrs = [int(x) for x in cells[0].split(',')]
            names = [x.strip() for x in cells[1].split(',')]
            if len(nrs) != len(names):
                problems.append('%s:%d: %d leaf numbers, %d names' % (path, no, len(nrs), len(names)))
                continue
            for nr, name in zip(nrs, names):
                rows += 1
                if tdx.LEAF.get(name) != nr:
                    problems.append('%s:%d: %s is leaf %s in schema/tdx.def, %d here' %
                                    (path, no, name, tdx.LEAF.get(name), nr))
        if sec == '3.1' and len(cells) > 2 and cells[0].startswith('TDX_'):
            m = re.fullmatch(r'`0x([0-9A-Fa-f]{8})…`', cells[1])
            rows += 1
            if not m or tdx.STATUS.get(cells[0]) != int(m.group(1), 16) << 32:
                problems.append('%s:%d: %s is %s in schema/tdx.def' %
                                (path, no, cells[0], hex(tdx.STATUS.get(cells[0], -1))))
    if rows < 30:
        problems.append('%s: only %d leaf/status rows read from §2.1/§3.1' % (path, rows))
    # "`NAME|OP` (`0x…`)" and "`0x…` … `NAME|OP`" pairs in the docs
    for doc in ('tdx', 'design', 'findings'):
        dpath = 'docs/%s.md' % doc
        with open(os.path.join(TOP, dpath)) as fp:
            for no, line in enumerate(fp, 1):
                for m in re.finditer(r'`(TDX_[A-Z_]+(?:\|[A-Z_0-9]+)?)` \(`(0x[0-9A-Fa-f]{16})`\)', line):
                    if tdx.status_str(int(m.group(2), 16)) != m.group(1):
                        problems.append('%s:%d: %s is %s' % (dpath, no, m.group(2),
                                                             tdx.status_str(int(m.group(2), 16))))


def main():
    problems = []
    have = {'design': sections('design'), 'tdx': sections('tdx')}
    files = tree_files()
    for f in files:
        if f == SELF:
            continue
        try:
            with open(os.path.join(TOP, f), encoding='utf-8') as fp:
                lines = fp.read().split('\n')
        except (UnicodeDecodeError, OSError):
            continue  # binary
        for no, line in enumerate(lines, 1):
            m = FORBIDDEN.search(line)
            if m:
                problems.append('%s:%d: cites "%s", which users do not have' % (f, no, m.group(0)))
            for c in CITE.finditer(line):
                sec = c.group(2)
                if sec not in have[c.group(1)]:
                    problems.append('%s:%d: docs/%s.md has no §%s' % (f, no, c.group(1), sec))
    check_findings_doc(problems)
    check_tdx_doc(problems)
    for p in problems:
        print(p)
    print('documents: %d files read, %d problems' % (len(files), len(problems)))
    if len(files) < 50:
        print('too few files: is %s the source tree?' % TOP)
        return 1
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
