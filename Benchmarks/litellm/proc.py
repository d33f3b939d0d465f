#!/usr/bin/env python3
"""Process-tree figures for the side-by-side benchmark, read from /proc.

  proc.py cpu PID       CPU seconds (user + system) of PID and every live descendant, plus the
                        CPU of children they already reaped (cutime/cstime), so a plugin child
                        (`imagegen plugin-runner`) or a uvicorn worker is counted with its parent
  proc.py mem PID       RSS and PSS in MB of the same tree (smaps_rollup), the processes counted,
                        and RSS and PSS of PID alone (a child's RSS counts pages shared with it)
  proc.py quiet PID     wait until the tree uses < 2 % of a core for 1.5 s (at most 300 s):
                        background work (post-processing) finished; prints the seconds waited
"""

import os
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        text = f.read()
    fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) "
    return fields


def tree(root):
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            ppid = int(stat(int(name))[1])
        except (OSError, ValueError, IndexError):
            continue  # gone while listing
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def cpu(root):
    total = 0
    for pid in tree(root):
        try:
            f = stat(pid)
        except OSError:
            continue
        total += sum(int(x) for x in f[11:15])  # utime stime cutime cstime
    return total / TICK


def mem(root):
    rss = pss = 0
    pids = tree(root)
    own = None
    for pid in pids:
        try:
            with open("/proc/%d/smaps_rollup" % pid) as f:
                for line in f:
                    key, _, rest = line.partition(":")
                    if key == "Rss":
                        rss += int(rest.split()[0])
                    elif key == "Pss":
                        pss += int(rest.split()[0])
        except OSError:
            continue
        if own is None:
            own = (rss, pss)
    return rss / 1024, pss / 1024, len(pids), own[0] / 1024, own[1] / 1024


def quiet(root):
    start = time.monotonic()
    calm = 0
    last = cpu(root)
    while time.monotonic() - start < 300:
        time.sleep(0.5)
        now = cpu(root)
        calm = calm + 1 if now - last < 0.01 else 0
        last = now
        if calm >= 3:
            break
    return time.monotonic() - start


if __name__ == "__main__":
    what, pid = sys.argv[1], int(sys.argv[2])
    if what == "cpu":
        print("%.3f" % cpu(pid))
    elif what == "mem":
        print("tree RSS %.1f PSS %.1f (%d processes); main process RSS %.1f PSS %.1f" % mem(pid))
    elif what == "quiet":
        print("%.1f" % quiet(pid))
    else:
        raise SystemExit(__doc__)
