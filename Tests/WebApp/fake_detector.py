#!/usr/bin/env python3
"""A stand-in for the nudity detector's interpreter (`output_check.python`), speaking the sidecar's
documented line protocol (share/classifiers/nudenet-detect.py --serve): the host runs
`fake_detector.py SCRIPT --serve`. The web app's tests are about review, not about NudeNet's
verdicts on Preview's abstract pictures, so every image is clean, except that when the file
`flag-next` exists beside this script the next image is reported with exposed buttocks (and the
file is consumed): a product image the host must quarantine and a reviewer may release."""
import json
import os
import sys

FLAG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "flag-next")


def main() -> int:
    print(json.dumps({"detector": "webapp-fake 1"}), flush=True)
    for line in sys.stdin:
        path = line.rstrip("\n")
        if not path:
            continue
        try:
            os.remove(FLAG)  # consumed by exactly one image
            found = [{"label": "BUTTOCKS_EXPOSED", "score": 0.91, "box": [0, 0, 8, 8]}]
        except FileNotFoundError:
            found = []
        print(json.dumps({"path": path, "detections": found}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
