#!/usr/bin/env python3
"""The imaging benchmark's reference implementations of the same steps as ImagingBenchmark.

    reference_pipelines.py pillow-latency INPUT ITERATIONS [WEBP_METHOD]
    reference_pipelines.py pillow-throughput INPUT IMAGES WORKERS [WEBP_METHOD]
    reference_pipelines.py vips-cli-latency INPUT ITERATIONS WORKDIR

Steps (as in the host's default profile): decode the PNG; levels (autocontrast, 0.25 % cut
per end = the host's 0.5 % clipping budget); mild sharpen; sizes master (as generated),
publish (1080 px long edge, never upscaled), thumbnail (256 px) with Lanczos; JPEG q85
progressive + optimised, WebP q80 method 4 (or WEBP_METHOD, to match the host's
`formats.webp.effort`); sizes that come out equal are encoded once, as
the host does. Prints one JSON object per line.
"""
import io
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import time

SIZES = [("master", None), ("publish", 1080), ("thumbnail", 256)]


def dimensions(width, height, long_edge):
    if long_edge is None or long_edge >= max(width, height):
        return width, height
    scale = long_edge / max(width, height)
    if width >= height:
        return long_edge, max(1, round(height * scale))
    return max(1, round(width * scale)), long_edge


WEBP_METHOD = 4


def pillow_pipeline(data):
    from PIL import Image, ImageFilter, ImageOps

    image = Image.open(io.BytesIO(data))
    image.load()
    if image.mode != "RGB":
        image = image.convert("RGB")
    image = ImageOps.autocontrast(image, cutoff=0.25)
    image = image.filter(ImageFilter.UnsharpMask(radius=1, percent=50, threshold=2))
    encoded = {}
    total = 0
    for _, edge in SIZES:
        size = dimensions(image.width, image.height, edge)
        if size not in encoded:
            resized = image if size == image.size else image.resize(size, Image.LANCZOS)
            jpeg, webp = io.BytesIO(), io.BytesIO()
            resized.save(jpeg, "JPEG", quality=85, progressive=True, optimize=True)
            resized.save(webp, "WEBP", quality=80, method=WEBP_METHOD)
            encoded[size] = (jpeg.getvalue(), webp.getvalue())
        total += sum(len(b) for b in encoded[size])
    return total


def peak_rss_mib(who=resource.RUSAGE_SELF):
    return resource.getrusage(who).ru_maxrss / 1024


def timed(iterations, body):
    body()  # warm-up
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        body()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def emit(**fields):
    print(json.dumps(fields, sort_keys=True))


def pillow_latency(path, iterations):
    import PIL

    data = open(path, "rb").read()
    cpu_before = time.process_time()
    samples = timed(iterations, lambda: pillow_pipeline(data))
    cpu_per_image = (time.process_time() - cpu_before) * 1000 / (iterations + 1)
    emit(impl="python+pillow", pillow=PIL.__version__, mode="latency", iterations=iterations, webp_effort=WEBP_METHOD,
         median_ms=statistics.median(samples), min_ms=min(samples), max_ms=max(samples),
         cpu_ms_per_image=cpu_per_image, peak_rss_mib=peak_rss_mib(), output_bytes=pillow_pipeline(data))


def _pillow_worker(args):
    global WEBP_METHOD
    path, count, WEBP_METHOD = args
    data = open(path, "rb").read()
    for _ in range(count):
        pillow_pipeline(data)
    return count


def pillow_throughput(path, images, workers):
    data = open(path, "rb").read()
    pillow_pipeline(data)  # warm the page cache and imports in the parent
    shares = [images // workers + (1 if i < images % workers else 0) for i in range(workers)]
    with multiprocessing.Pool(workers) as pool:
        pool.map(_pillow_worker, [(path, 1, WEBP_METHOD)] * workers)  # warm-up: import PIL in each worker
        start = time.perf_counter()
        done = sum(pool.map(_pillow_worker, [(path, n, WEBP_METHOD) for n in shares]))
        seconds = time.perf_counter() - start
    # The pool's workers are reaped when it closes, so their CPU time is in RUSAGE_CHILDREN now
    # (it includes the one warm-up image per worker).
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_ms = (children.ru_utime + children.ru_stime) * 1000
    emit(impl="python+pillow", mode="throughput", webp_effort=WEBP_METHOD, images=done, workers=workers, seconds=seconds,
         images_per_s=done / seconds, cpu_ms_per_image=cpu_ms / (done + workers),
         peak_rss_mib=peak_rss_mib(resource.RUSAGE_CHILDREN))


def vips_cli_latency(path, iterations, workdir):
    """The same steps as separate `vips` commands through .v files in WORKDIR (use /dev/shm).
    The CLI has no histogram-driven levels in one command, so this chain skips the levels step."""
    def run(*args):
        subprocess.run(["vips", *args], check=True)

    def chain():
        sharpened = os.path.join(workdir, "sharpened.v")
        small = os.path.join(workdir, "small.v")
        run("sharpen", path, sharpened, "--sigma", "0.5", "--m2", "1")
        out = subprocess.run(["vipsheader", "-f", "width", sharpened], check=True, capture_output=True, text=True)
        width = int(out.stdout)
        for image, name in [(sharpened, "master")]:
            run("jpegsave", image, os.path.join(workdir, name + ".jpg"), "--Q", "85", "--interlace", "--optimize-coding", "--strip")
            run("webpsave", image, os.path.join(workdir, name + ".webp"), "--Q", "80", "--effort", "4", "--strip")
        # publish: 1080 px long edge, never upscaled; for a 1024 px input it is the master.
        if width > 1080:
            run("resize", sharpened, small, str(1080 / width), "--kernel", "lanczos3")
            run("jpegsave", small, os.path.join(workdir, "publish.jpg"), "--Q", "85", "--interlace", "--optimize-coding", "--strip")
            run("webpsave", small, os.path.join(workdir, "publish.webp"), "--Q", "80", "--effort", "4", "--strip")
        run("resize", sharpened, small, str(256 / width), "--kernel", "lanczos3")
        run("jpegsave", small, os.path.join(workdir, "thumbnail.jpg"), "--Q", "85", "--interlace", "--optimize-coding", "--strip")
        run("webpsave", small, os.path.join(workdir, "thumbnail.webp"), "--Q", "80", "--effort", "4", "--strip")

    samples = timed(iterations, chain)
    version = subprocess.run(["vips", "--version"], capture_output=True, text=True).stdout.strip()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    emit(impl="vips-cli", vips=version, mode="latency", iterations=iterations, median_ms=statistics.median(samples),
         min_ms=min(samples), max_ms=max(samples), peak_rss_mib=peak_rss_mib(resource.RUSAGE_CHILDREN),
         cpu_ms_per_image=(children.ru_utime + children.ru_stime) * 1000 / (iterations + 1),
         note="no levels step; one process per step (sharpen, 4 saves, 1 resize, 1 header read)")


if __name__ == "__main__":
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "pillow-latency":
        WEBP_METHOD = int(sys.argv[4]) if len(sys.argv) > 4 else 4
        pillow_latency(path, int(sys.argv[3]))
    elif mode == "pillow-throughput":
        WEBP_METHOD = int(sys.argv[5]) if len(sys.argv) > 5 else 4
        pillow_throughput(path, int(sys.argv[3]), int(sys.argv[4]))
    elif mode == "vips-cli-latency":
        vips_cli_latency(path, int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(f"unknown mode {mode}")
