#!/usr/bin/env python3
"""Markdown tables from the JSON lines run.sh collects: summarize.py RESULTS.jsonl CORES"""
import json
import statistics
import sys

rows = [json.loads(line) for line in open(sys.argv[1])]
cores = int(sys.argv[2])


def name(r):
    n = r["impl"]
    if r["impl"] == "swift+libvips":
        n += (f" (vips threads {r['vips_threads'] or 'auto'}, parallel encoding {'on' if r['parallel_encoding'] else 'off'}"
              f"{'' if r.get('malloc_tuning', True) else ', malloc tuning off'})")
    if "webp_effort" in r:
        n += f", WebP effort {r['webp_effort']}"
    return n


def grouped(mode):
    groups = {}
    for r in rows:
        if r["mode"] == mode:
            groups.setdefault(name(r), []).append(r)
    return groups


def mib(rs, key, pick=max):
    values = [r[key] for r in rs if key in r]
    return f"{pick(values):.1f}" if values else "–"


latency = grouped("latency")
# Each row is compared with Pillow at the same WebP effort (the vips CLI row with effort 4).
pillow = {effort: statistics.median(r["median_ms"] for r in rows
                                    if r["mode"] == "latency" and r["impl"] == "python+pillow" and r["webp_effort"] == effort)
          for effort in {r["webp_effort"] for r in rows if r.get("impl") == "python+pillow"}}
print(f"| run ({len(next(iter(latency.values())))} rounds) | median ms | min–max ms | CPU ms/image | peak RSS MiB | RSS at start MiB | peak above start MiB | vs Pillow |")
print("|---|---|---|---|---|---|---|---|")
for n, rs in latency.items():
    med = statistics.median(r["median_ms"] for r in rs)
    effort = rs[0].get("webp_effort", 4)
    versus = f"{med / pillow[effort]:.2f}×" if effort in pillow else "–"
    print(f"| {n} | {med:.1f} | {min(r['min_ms'] for r in rs):.1f}–{max(r['max_ms'] for r in rs):.1f} | "
          f"{statistics.median(r['cpu_ms_per_image'] for r in rs):.1f} | {mib(rs, 'peak_rss_mib')} | "
          f"{mib(rs, 'rss_at_start_mib', statistics.median)} | {mib(rs, 'peak_above_start_mib')} | {versus} |")
print()
print(f"| throughput, 2 workers | images/s (median of rounds) | CPU ms/image | CPU-bound capacity on {cores} cores, images/s | peak RSS MiB | peak above start MiB |")
print("|---|---|---|---|---|---|")
for n, rs in grouped("throughput").items():
    cpu = statistics.median(r["cpu_ms_per_image"] for r in rs)
    print(f"| {n} | {statistics.median(r['images_per_s'] for r in rs):.1f} | {cpu:.1f} | {cores * 1000 / cpu:.1f} | "
          f"{mib(rs, 'peak_rss_mib')} | {mib(rs, 'peak_above_start_mib')} |")
print()
sizes = {}
for r in rows:
    if r["mode"] == "latency" and r["impl"] == "swift+libvips":
        for d in r.get("derivatives", []):
            if ".webp " in d and not d.startswith("publish"):
                sizes.setdefault(r["webp_effort"], set()).add(d)
for effort in sorted(sizes):
    print(f"WebP at effort {effort}: " + ", ".join(sorted(sizes[effort])))
b = next((r for r in rows if r["mode"] == "breakdown"), None)
if b:
    print("CPU ms per step (median): " + ", ".join(f"{k[:-3]} {v:.1f}" for k, v in sorted(b.items()) if k.endswith("_ms")))
starts = [r for r in rows if r.get("rss_anon_at_start_mib")]
if starts:
    print(f"Swift process RSS at start (libraries mapped, libvips started, no image yet): "
          f"{statistics.median(r['rss_at_start_mib'] for r in starts):.1f} MiB, of which mapped files "
          f"{statistics.median(r['rss_file_at_start_mib'] for r in starts):.1f} MiB and anonymous "
          f"{statistics.median(r['rss_anon_at_start_mib'] for r in starts):.1f} MiB")
print("load average: " + "; ".join(f"{r['when']} {r['loadavg']}" for r in rows if r["mode"] == "load"))
