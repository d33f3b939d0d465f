#!/usr/bin/env python3
"""Fails when a `try?` in Sources/ or Plugins/ has no reason written beside it.

A `try?` drops an error. On a durable path that is a defect; elsewhere it can be right, and then
the line above it (or above the first line of a chain of `try?` lines) says why, starting with
`// try?:`. Run from the repository root: `python3 scripts/check-try.py [PATH-FILTER]`.
"""
import collections
import os
import re
import sys

TRY = re.compile(r'\btry\?')
missing = collections.Counter()
total = collections.Counter()
lines_out = []
for directory, _, names in [w for root in ('Sources', 'Plugins') for w in os.walk(root)]:
    for name in sorted(names):
        if not name.endswith('.swift'):
            continue
        path = os.path.join(directory, name)
        lines = open(path, encoding='utf-8').read().split('\n')
        for i, line in enumerate(lines):
            if not TRY.search(line.split('//')[0]):
                continue
            target = path.split('/')[1]
            total[target] += 1
            start = i
            while start > 0 and TRY.search(lines[start - 1].split('//')[0]):
                start -= 1
            above = lines[start - 1] if start else ''
            if 'try?:' in line or 'try?:' in above:
                continue
            missing[target] += 1
            lines_out.append(f'{path}:{i + 1}: {line.strip()[:120]}')

print(f'try? without a reason: {sum(missing.values())} of {sum(total.values())}')
for target in sorted(total):
    print(f'  {target}: {missing[target]} of {total[target]}')
for line in lines_out:
    if len(sys.argv) < 2 or sys.argv[1] in line:
        print(line)
sys.exit(1 if missing else 0)
