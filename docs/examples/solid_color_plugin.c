/*
 * A complete imagegen provider plugin in C: model "solid-color" returns a PNG of one colour
 * chosen from the seed. It shows every part of the ABI a real provider needs; the tests
 * compile it and generate an image through it (Tests/HostTests/Loading/ExamplePluginTests).
 *
 *   cc -shared -fPIC -O2 -I Sources/PluginAPI/include -o plugins/solid.so \
 *      docs/examples/solid_color_plugin.c -lpng
 *
 * Real providers should parse JSON with a real parser (cJSON, jansson...); the strstr-based
 * number lookup below keeps the example short and only reads the host's flat request.
 */
#include "imagegen_plugin.h"
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const imagegen_host *host; /* valid until shutdown() returns */

static const char DESCRIPTION[] =
    "{\"schema\":1,\"id\":\"solid\",\"name\":\"Solid colour\",\"version\":\"1.0.0\","
    "\"nsfw_allowed\":false,\"thread_safe\":true,\"idempotent_submit\":true,"
    "\"models\":[{\"name\":\"solid-color\",\"provider_model\":\"solid-1\",\"price\":{\"per_image\":0},"
    "\"limits\":{\"min_size\":8,\"max_size\":1024,\"max_outputs\":1}}]}";

/* Finds "key": <number> in a flat JSON object (example only). */
static double number(const char *json, size_t len, const char *key, double fallback) {
    char pattern[64], buf[4096];
    size_t n = len < sizeof buf - 1 ? len : sizeof buf - 1;
    memcpy(buf, json, n);
    buf[n] = 0;
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(buf, pattern);
    return at ? strtod(at + strlen(pattern), NULL) : fallback;
}

static void fail(imagegen_error *err, const char *message) {
    size_t n = strlen(message);
    if (n > err->message_capacity) n = err->message_capacity;
    memcpy(err->message, message, n);
    err->message_len = n;
}

/* Outputs are malloc'd by us and freed by our release(). */
static imagegen_status output(imagegen_output *out, char *data, size_t size) {
    out->data = (const uint8_t *)data;
    out->size = size;
    out->plugin_data = data;
    return IMAGEGEN_OK;
}

static imagegen_status describe(const imagegen_plugin *p, char *buf, size_t cap, size_t *len) {
    (void)p;
    *len = sizeof DESCRIPTION - 1;
    if (cap < *len) return IMAGEGEN_ERR_BUFFER_TOO_SMALL;
    memcpy(buf, DESCRIPTION, *len);
    return IMAGEGEN_OK;
}

static imagegen_status create(const imagegen_plugin *p, const char *config, size_t len,
                              imagegen_instance **out, imagegen_error *err) {
    (void)p; (void)config; (void)len; (void)err;
    *out = (imagegen_instance *)calloc(1, 1); /* no state: every job lives in its reference */
    return *out ? IMAGEGEN_OK : IMAGEGEN_ERR_INTERNAL;
}

static void destroy(const imagegen_plugin *p, imagegen_instance *i) { (void)p; free(i); }

/* The job reference carries what fetch needs, so any process can finish the job. */
static imagegen_status submit(const imagegen_plugin *p, imagegen_instance *i, const char *req,
                              size_t len, imagegen_output *out, imagegen_error *err) {
    (void)p; (void)i;
    double w = number(req, len, "width", 0), h = number(req, len, "height", 0);
    if (w < 8 || h < 8 || w > 1024 || h > 1024) { fail(err, "solid: width/height must be 8..1024"); return IMAGEGEN_ERR_INVALID_REQUEST; }
    char *ref = malloc(160);
    if (!ref) return IMAGEGEN_ERR_INTERNAL;
    int n = snprintf(ref, 160, "{\"schema\":1,\"state\":\"succeeded\",\"outputs\":[{\"index\":0,\"mime\":\"image/png\"}],"
                     "\"ref\":{\"w\":%.0f,\"h\":%.0f,\"seed\":%.0f}}", w, h, number(req, len, "seed", 0));
    return output(out, ref, (size_t)n);
}

static imagegen_status poll(const imagegen_plugin *p, imagegen_instance *i, const char *ref,
                            size_t len, imagegen_output *out, imagegen_error *err) {
    (void)p; (void)i; (void)ref; (void)len; (void)err;
    static const char done[] = "{\"schema\":1,\"state\":\"succeeded\",\"cost_usd\":0,"
                               "\"outputs\":[{\"index\":0,\"mime\":\"image/png\"}]}";
    char *copy = malloc(sizeof done);
    if (!copy) return IMAGEGEN_ERR_INTERNAL;
    memcpy(copy, done, sizeof done);
    return output(out, copy, sizeof done - 1);
}

static imagegen_status fetch(const imagegen_plugin *p, imagegen_instance *i, const char *ref,
                             size_t len, uint32_t index, imagegen_output *out, imagegen_error *err) {
    (void)p; (void)i;
    if (index != 0) { fail(err, "solid: one output only"); return IMAGEGEN_ERR_NOT_FOUND; }
    uint32_t w = (uint32_t)number(ref, len, "w", 8), h = (uint32_t)number(ref, len, "h", 8);
    uint32_t seed = (uint32_t)number(ref, len, "seed", 0);
    unsigned char *px = malloc((size_t)w * h * 3);
    if (!px) return IMAGEGEN_ERR_INTERNAL;
    for (size_t k = 0; k < (size_t)w * h; k++) {
        px[3 * k] = (unsigned char)seed; px[3 * k + 1] = (unsigned char)(seed >> 8); px[3 * k + 2] = (unsigned char)(seed >> 16);
    }
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = w;
    img.height = h;
    img.format = PNG_FORMAT_RGB;
    png_alloc_size_t size = 0;
    png_image_write_to_memory(&img, NULL, &size, 0, px, 0, NULL);
    char *png = malloc(size);
    if (!png || !png_image_write_to_memory(&img, png, &size, 0, px, 0, NULL)) {
        free(px); free(png);
        fail(err, "solid: PNG encoding failed");
        return IMAGEGEN_ERR_INTERNAL;
    }
    free(px);
    return output(out, png, size);
}

static imagegen_status cancel(const imagegen_plugin *p, imagegen_instance *i, const char *ref,
                              size_t len, imagegen_error *err) {
    (void)p; (void)i; (void)ref; (void)len; (void)err;
    return IMAGEGEN_OK;
}

static void release(const imagegen_plugin *p, imagegen_output *out) { (void)p; free(out->plugin_data); }

static void shutdown_plugin(const imagegen_plugin *p) {
    (void)p;
    if (host && host->log) host->log(host, IMAGEGEN_LOG_INFO, "solid: bye", 10);
}

static const void *get_extension(const imagegen_plugin *p, const char *id) { (void)p; (void)id; return NULL; }

static const imagegen_plugin PLUGIN = {
    .header = {sizeof(imagegen_plugin), IMAGEGEN_ABI_MAJOR, IMAGEGEN_ABI_MINOR},
    .describe = describe, .create = create, .destroy = destroy, .submit = submit, .poll = poll,
    .fetch = fetch, .cancel = cancel, .release = release, .shutdown = shutdown_plugin,
    .get_extension = get_extension,
};

IMAGEGEN_EXPORT const imagegen_plugin *imagegen_plugin_entry_v1(const imagegen_host *h) {
    if (h->header.abi_major != IMAGEGEN_ABI_MAJOR) return NULL; /* a host we do not speak */
    host = h;
    return &PLUGIN;
}
