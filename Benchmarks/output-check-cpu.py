#!/usr/bin/env python3
"""CPU time of the output check's detection (NudeNet through onnxruntime), independent of how
loaded the machine is: `python3 Benchmarks/output-check-cpu.py SMALL.png FULL.png` prints the model
load and the median detection time (CPU and wall, 20 runs after a warm-up) for each image."""
import sys
import time

from nudenet import NudeDetector

t, w = time.process_time(), time.perf_counter()
detector = NudeDetector()
print(f"model load: cpu {time.process_time() - t:.3f} s, wall {time.perf_counter() - w:.3f} s")
for path in sys.argv[1:]:
    detector.detect(path)
    cpu, wall = [], []
    for _ in range(20):
        t, w = time.process_time(), time.perf_counter()
        detector.detect(path)
        cpu.append(time.process_time() - t)
        wall.append(time.perf_counter() - w)
    cpu.sort()
    wall.sort()
    print(f"{path}: detection median cpu {cpu[10] * 1000:.1f} ms, wall {wall[10] * 1000:.1f} ms")
