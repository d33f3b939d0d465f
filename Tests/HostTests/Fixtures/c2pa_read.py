"""Reads an image's C2PA manifest with the c2pa Python package (an independent reader: the
host signs through the C library, never through this) and prints what the tests assert on.

usage: c2pa_read.py FILE MIME [TRUST_ANCHORS.pem]
"""
import io
import json
import sys

import c2pa

path, mime = sys.argv[1], sys.argv[2]
context = None
if len(sys.argv) > 3:
    with open(sys.argv[3]) as f:
        context = c2pa.Context(c2pa.Settings.from_dict({"trust": {"trust_anchors": f.read()}}))
with open(path, "rb") as f:
    data = f.read()
try:
    reader = c2pa.Reader(mime, io.BytesIO(data), context=context) if context else c2pa.Reader(mime, io.BytesIO(data))
except Exception as error:  # no manifest, or one that does not parse
    print(json.dumps({"error": str(error)}))
    sys.exit(0)
store = json.loads(reader.json())
active = store.get("manifests", {}).get(store.get("active_manifest"), {})
results = store.get("validation_results", {}).get("activeManifest", {})
print(json.dumps({
    "state": store.get("validation_state"),
    "status": [s["code"] for s in store.get("validation_status", [])],
    "success": [s["code"] for s in results.get("success", [])],
    "failure": [s["code"] for s in results.get("failure", [])],
    "manifest": active,
}))
