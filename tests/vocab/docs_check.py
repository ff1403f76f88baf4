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
     severity first.
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
    for p in problems:
        print(p)
    print('documents: %d files read, %d problems' % (len(files), len(problems)))
    if len(files) < 50:
        print('too few files: is %s the source tree?' % TOP)
        return 1
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
