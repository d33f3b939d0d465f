// A copy of share/classifiers/nudenet-detect.py (NudityOutputCheckTests checks they are equal), so
// an installed binary needs no share folder: the host writes it under <data>/classifiers at start.
extension NudeNetSidecar {
    static let shippedScript = #"""
#!/usr/bin/env python3
"""imagegen's nudity detector sidecar: NudeNet's ONNX detector (nudenet/320n.onnx, shipped inside
the `nudenet` wheel) through onnxruntime, offline. Installed by scripts/install-deps.sh.

Usage: nudenet-detect.py IMAGE...
Prints one JSON document: {"detector": "nudenet 3.4.2", "images": [{"path": P, "detections":
[{"label": L, "score": S, "box": [x, y, w, h]}, ...]} | {"path": P, "error": E}, ...]}.

Usage: nudenet-detect.py --serve
Loads the model once, prints {"detector": "nudenet 3.4.2"} on a line, then answers each image
path read on stdin (one a line) with one line {"path": P, "detections": [...]} | {"path": P,
"error": E}, until stdin closes. The host keeps one such process (NudeNetSidecar).

Exit 0 when the detector ran (per-image errors are in the output), 3 when it cannot start.
"""
import json
import sys


def detect(detector, path):
    try:
        found = detector.detect(path)
        return {"path": path, "detections": [
            {"label": d["class"], "score": float(d["score"]), "box": [int(v) for v in d["box"]]} for d in found]}
    except Exception as error:
        return {"path": path, "error": f"{type(error).__name__}: {error}"}


def single_threaded(session):
    """The same model in a session with one inference thread that sleeps between images.
    onnxruntime's default (a thread per core, spinning while it waits for work) cost about 60 ms
    of CPU per 320-px image against 40, and took the cores from the host's own work under load.
    NudeDetector takes no session options, so its session is replaced (loading the model twice
    at start costs about 60 ms, once)."""
    import onnxruntime
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(session._model_path, sess_options=options, providers=["CPUExecutionProvider"])


def main(args):
    try:
        from importlib.metadata import version
        from nudenet import NudeDetector
    except Exception as error:  # the detector is not installed: say so, the host reports it
        print(f"nudenet is not importable ({error}); run scripts/install-deps.sh", file=sys.stderr)
        return 3
    detector = NudeDetector()
    detector.onnx_session = single_threaded(detector.onnx_session)
    name = f"nudenet {version('nudenet')}"
    if args == ["--serve"]:
        print(json.dumps({"detector": name}), flush=True)
        for line in sys.stdin:
            path = line.rstrip("\n")
            if path:
                print(json.dumps(detect(detector, path)), flush=True)
        return 0
    json.dump({"detector": name, "images": [detect(detector, path) for path in args]}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
"""#
}
