#!/usr/bin/env python3
"""imagegen's nudity detector sidecar: NudeNet's ONNX detector (nudenet/320n.onnx, shipped inside
the `nudenet` wheel) through onnxruntime, offline. Installed by scripts/install-deps.sh.

Usage: nudenet-detect.py IMAGE...
Prints one JSON document: {"detector": "nudenet 3.4.2", "images": [{"path": P, "detections":
[{"label": L, "score": S, "box": [x, y, w, h]}, ...]} | {"path": P, "error": E}, ...]}.
Exit 0 when the detector ran (per-image errors are in the output), 3 when it cannot start.
"""
import json
import sys


def main(paths):
    try:
        from importlib.metadata import version
        from nudenet import NudeDetector
    except Exception as error:  # the detector is not installed: say so, the host reports it
        print(f"nudenet is not importable ({error}); run scripts/install-deps.sh", file=sys.stderr)
        return 3
    detector = NudeDetector()
    out = {"detector": f"nudenet {version('nudenet')}", "images": []}
    for path in paths:
        try:
            found = detector.detect(path)
            out["images"].append({"path": path, "detections": [
                {"label": d["class"], "score": float(d["score"]), "box": [int(v) for v in d["box"]]} for d in found]})
        except Exception as error:
            out["images"].append({"path": path, "error": f"{type(error).__name__}: {error}"})
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
