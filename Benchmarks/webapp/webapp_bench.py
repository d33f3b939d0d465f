"""The studio web app's server side under 10,000 images (issue 19's benchmark), against a running
`imagegen serve` (Benchmarks/webapp/run.sh starts one, release build):

- fills the catalog with N Preview images (64 px, post-processing off) through POST /v1/generations;
- the gallery's first page exactly as the app asks for it (GET /v1/images?limit=60, and with the
  review and category filters), 200 times on one keep-alive connection: median, p95, max;
- a thumbnail: ETag and Cache-Control, and the 304 a browser's revalidation gets;
- a review action's round trip (approve, reject with a reason, rate), 200 of each on distinct images.

Times are client round trips on loopback, so they bound the server's time from above.
"""
import http.client
import os
import json
import statistics
import sys
import threading
import time
import urllib.parse

HOST, PORT = sys.argv[1], int(sys.argv[2])
COUNT = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
SERVER_PID = int(sys.argv[4]) if len(sys.argv) > 4 else None


def server_cpu_ms():
    """CPU time (user + system) the server process has used: unlike a round trip, not inflated
    by other work on a shared machine."""
    if SERVER_PID is None:
        return None
    with open(f"/proc/{SERVER_PID}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")


def connect():
    return http.client.HTTPConnection(HOST, PORT, timeout=120)


def call(conn, method, path, body=None, headers=None):
    h = {"Accept": "application/json"}
    if body is not None:
        h["Content-Type"] = "application/json"
    h.update(headers or {})
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=h)
    r = conn.getresponse()
    data = r.read()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def timed(conn, method, path, body=None, headers=None):
    t0 = time.perf_counter()
    status, hdrs, data = call(conn, method, path, body, headers)
    return (time.perf_counter() - t0) * 1000, status, hdrs, data


def summary(label, ms, cpu_before=None):
    ms = sorted(ms)
    p95 = ms[int(len(ms) * 0.95) - 1]
    cpu = ""
    if cpu_before is not None:
        cpu = f"  server CPU {(server_cpu_ms() - cpu_before) / len(ms):5.2f} ms/request"
    print(f"{label:58s} n={len(ms):4d}  median {statistics.median(ms):6.2f} ms  p95 {p95:6.2f} ms  max {ms[-1]:6.2f} ms{cpu}", flush=True)
    return statistics.median(ms), p95


def fill():
    made = []
    lock = threading.Lock()
    per = 16

    def worker():
        conn = connect()
        while True:
            with lock:
                if len(made) >= COUNT:
                    return
            status, _, data = call(conn, "POST", "/v1/generations", {
                "prompt": "a ceramic teapot on a wooden table", "category": "product",
                "parameters": {"width": 64, "height": 64}, "variations": per, "wait": 120})
            if status != 200:
                raise SystemExit(f"POST /v1/generations answered {status}: {data[:300]!r}")
            with lock:
                made.extend(i["image_id"] for i in json.loads(data)["images"])

    t0 = time.time()
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"filled: {len(made)} images in {time.time() - t0:.0f} s", flush=True)
    return made


def main():
    made = fill()
    conn = connect()

    print("\n== gallery first page (what share/webapp/gallery.js asks for)")
    results = {}
    for label, q in [("GET /v1/images?limit=60", {"limit": 60}),
                     ("GET /v1/images?limit=60&review=pending", {"limit": 60, "review": "pending"}),
                     ("GET /v1/images?limit=60&category=product&min_rating=1", {"limit": 60, "category": "product", "min_rating": 1})]:
        path = "/v1/images?" + urllib.parse.urlencode(q)
        for _ in range(10):
            call(conn, "GET", path)  # warm
        ms = []
        cpu = server_cpu_ms()
        for _ in range(200):
            t, status, _, data = timed(conn, "GET", path)
            assert status == 200, (status, data[:200])
            ms.append(t)
        results[label] = summary(label, ms, cpu)
    page = json.loads(call(conn, "GET", "/v1/images?limit=60")[2])
    print(f"(a page holds {len(page['images'])} records; next_cursor {'present' if page.get('next_cursor') else 'absent'})")

    print("\n== thumbnail caching")
    target = made[0]
    status, _, data = call(conn, "POST", f"/v1/images/{target}/process", {})
    print(f"POST /v1/images/{target}/process → {status}")
    deadline = time.time() + 60
    while time.time() < deadline:
        status, hdrs, data = call(conn, "GET", f"/v1/images/{target}/thumbnail")
        if status == 200 and hdrs.get("content-type", "").startswith(("image/webp", "image/jpeg")):
            break
        time.sleep(0.5)
    print(f"GET thumbnail: {status}, {hdrs.get('content-type')}, {len(data)} bytes, ETag {hdrs.get('etag')}, "
          f"Cache-Control {hdrs.get('cache-control')!r}")
    etag = hdrs.get("etag")
    ms = []
    for _ in range(200):
        t, s304, _, body = timed(conn, "GET", f"/v1/images/{target}/thumbnail", headers={"If-None-Match": etag or ""})
        ms.append(t)
    print(f"revalidation with If-None-Match → {s304}, body {len(body)} bytes")
    summary("GET thumbnail with If-None-Match (304)", ms)
    other = made[1]
    ms = []
    for _ in range(200):
        t, s, h, body = timed(conn, "GET", f"/v1/images/{other}/thumbnail")
        ms.append(t)
    summary(f"GET thumbnail, none rendered yet (the original, {len(body)} B)", ms)

    print("\n== review actions (round trip, distinct images)")
    pool = iter(made[2:])
    for label, make in [("POST /v1/images/{id}/approve", lambda i: (f"/v1/images/{i}/approve", {})),
                        ("POST /v1/images/{id}/reject {reason}", lambda i: (f"/v1/images/{i}/reject", {"reason": "blurred label"})),
                        ("POST /v1/images/{id}/rating {rating: 4}", lambda i: (f"/v1/images/{i}/rating", {"rating": 4}))]:
        ms = []
        cpu = server_cpu_ms()
        for _ in range(200):
            path, body = make(next(pool))
            t, status, _, data = timed(conn, "POST", path, body)
            assert status == 200, (path, status, data[:300])
            ms.append(t)
        results[label] = summary(label, ms, cpu)

    gallery = results["GET /v1/images?limit=60"][1]
    review = max(results[k][1] for k in results if k.startswith("POST"))
    print(f"\ntargets: gallery first page p95 {gallery:.2f} ms (≤ 50 ms: {'met' if gallery <= 50 else 'NOT met'}); "
          f"review round trip p95 {review:.2f} ms (≤ 20 ms: {'met' if review <= 20 else 'NOT met'})")


main()
