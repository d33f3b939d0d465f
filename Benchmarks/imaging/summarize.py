#!/usr/bin/env python3
"""Markdown tables from the JSON lines run.sh collects: summarize.py RESULTS.jsonl CORES"""
import json
import statistics
import sys

import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
cores = int(sys.argv[2])

def name(r):
    n = r["impl"]
    if r["impl"] == "swift+libvips":
        n += f" (vips threads {r['vips_threads'] or 'auto'}, parallel encoding {'on' if r['parallel_encoding'] else 'off'}, malloc tuning {'on' if r['malloc_tuning'] else 'off'})"
    if "webp_effort" in r:
        n += f", WebP effort {r['webp_effort']}"
    return n

def grouped(mode):
    groups = {}
    for r in rows:
        if r["mode"] == mode:
            groups.setdefault(name(r), []).append(r)
    return groups

latency = grouped("latency")
# Each row is compared with Pillow at the same WebP effort (the vips CLI row with effort 4).
pillow = {effort: statistics.median(r["median_ms"] for r in rows
                                    if r["mode"] == "latency" and r["impl"] == "python+pillow" and r["webp_effort"] == effort)
          for effort in {r["webp_effort"] for r in rows if r.get("impl") == "python+pillow"}}
print(f"| run ({len(next(iter(latency.values())))} rounds) | median ms | min–max ms | CPU ms/image | peak RSS MiB | vs Pillow |")
print("|---|---|---|---|---|---|")
for n, rs in latency.items():
    med = statistics.median(r["median_ms"] for r in rs)
    print(f"| {n} | {med:.1f} | {min(r['min_ms'] for r in rs):.1f}–{max(r['max_ms'] for r in rs):.1f} | "
          f"{statistics.median(r['cpu_ms_per_image'] for r in rs):.1f} | {max(r['peak_rss_mib'] for r in rs):.1f} | {med / pillow[rs[0].get('webp_effort', 4)]:.2f}× |")
print()
print(f"| throughput, 2 workers | images/s (median of rounds) | CPU ms/image | CPU-bound capacity on {cores} cores, images/s | peak RSS MiB |")
print("|---|---|---|---|---|")
for n, rs in grouped("throughput").items():
    cpu = statistics.median(r["cpu_ms_per_image"] for r in rs)
    print(f"| {n} | {statistics.median(r['images_per_s'] for r in rs):.1f} | {cpu:.1f} | {cores * 1000 / cpu:.1f} | {max(r['peak_rss_mib'] for r in rs):.1f} |")
print()
b = next(r for r in rows if r["mode"] == "breakdown")
print("CPU ms per step (median): " + ", ".join(f"{k[:-3]} {v:.1f}" for k, v in sorted(b.items()) if k.endswith("_ms")))
starts = [r["rss_at_start_mib"] for r in rows if r.get("rss_at_start_mib")]
print(f"Swift process RSS at start (libraries mapped, libvips started, no image yet): {statistics.median(starts):.1f} MiB")
print("load average: " + "; ".join(f"{r['when']} {r['loadavg']}" for r in rows if r["mode"] == "load"))
