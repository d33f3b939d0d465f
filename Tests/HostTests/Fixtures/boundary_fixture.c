/* A plugin that breaks the ABI contract in one chosen way, compiled by the tests
 * (BoundaryCheckTests, PluginABIDefectTests, ModelTakeoverTests). Each -D switch makes one plugin:
 *   MB_ID="..."            plugin id (default "misbehaving"); MB_MODEL="..." its model name
 *   MB_POLL_MALFORMED      poll answers text that is not JSON
 *   MB_POLL_UNKNOWN_STATE  poll answers "state": "exploded"
 *   MB_POLL_TOO_MANY       poll lists 100,001 outputs (for any job)
 *   MB_POLL_RUNNING        poll answers "running" forever
 *   MB_FETCH_HUGE          fetch answers a size of 2^40 (over a 16-byte buffer)
 *   MB_SUBMIT_GATED        submit waits while the gate is closed (a submit that does not return)
 *   (otherwise poll succeeds with one output and fetch returns a 1x1 PNG)
 * Exported probes the tests read with dlsym: mb_create_count, mb_shutdown_count,
 * mb_ext_after_shutdown, mb_ext_in_flight, mb_fetch_count, mb_close_gate, mb_open_gate.
 */
#define _POSIX_C_SOURCE 200809L
#include "imagegen_plugin.h"
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef MB_ID
#define MB_ID "misbehaving"
#endif
#ifndef MB_MODEL
#define MB_MODEL "misbehaving-model"
#endif

static const imagegen_host *HOST;
static atomic_int create_count, shutdown_count, ext_after_shutdown, ext_in_flight, fetch_count, gate_closed;

IMAGEGEN_EXPORT int mb_create_count(void) { return atomic_load(&create_count); }
IMAGEGEN_EXPORT int mb_shutdown_count(void) { return atomic_load(&shutdown_count); }
IMAGEGEN_EXPORT int mb_ext_after_shutdown(void) { return atomic_load(&ext_after_shutdown); }
IMAGEGEN_EXPORT int mb_ext_in_flight(void) { return atomic_load(&ext_in_flight); }
IMAGEGEN_EXPORT int mb_fetch_count(void) { return atomic_load(&fetch_count); }
IMAGEGEN_EXPORT void mb_close_gate(void) { atomic_store(&gate_closed, 1); }
IMAGEGEN_EXPORT void mb_open_gate(void) { atomic_store(&gate_closed, 0); }

static void nap_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static const char DESCRIPTION[] =
    "{\"schema\":1,\"id\":\"" MB_ID "\",\"name\":\"Misbehaving\",\"version\":\"1.0.0\",\"nsfw_allowed\":false,"
    "\"thread_safe\":true,\"models\":[{\"name\":\"" MB_MODEL "\",\"provider_model\":\"mb-1\","
    "\"price\":{\"per_image\":0},\"limits\":{\"min_size\":64,\"max_size\":2048,\"max_outputs\":4}}]}";

static imagegen_status describe(const imagegen_plugin *p, char *buf, size_t cap, size_t *len) {
    (void)p;
    *len = sizeof(DESCRIPTION) - 1;
    if (cap < *len) return IMAGEGEN_ERR_BUFFER_TOO_SMALL;
    memcpy(buf, DESCRIPTION, *len);
    return IMAGEGEN_OK;
}

/* Slow on purpose: two racing first uses would both be inside it. */
static imagegen_status create(const imagegen_plugin *p, const char *c, size_t n, imagegen_instance **out, imagegen_error *e) {
    (void)p; (void)c; (void)n; (void)e;
    atomic_fetch_add(&create_count, 1);
    nap_ms(100);
    *out = (imagegen_instance *)malloc(1);
    return IMAGEGEN_OK;
}
static void destroy(const imagegen_plugin *p, imagegen_instance *i) { (void)p; free(i); }

static imagegen_status answer(const char *text, imagegen_output *o) {
    size_t n = strlen(text);
    char *copy = malloc(n);
    memcpy(copy, text, n);
    o->data = (const uint8_t *)copy;
    o->size = n;
    o->plugin_data = copy;
    return IMAGEGEN_OK;
}

static imagegen_status submit(const imagegen_plugin *p, imagegen_instance *i, const char *r, size_t n, imagegen_output *o, imagegen_error *e) {
    (void)p; (void)i; (void)r; (void)n; (void)e;
#ifdef MB_SUBMIT_GATED
    while (atomic_load(&gate_closed)) nap_ms(1);
#endif
    return answer("{\"schema\":1,\"state\":\"queued\",\"ref\":{\"job\":1},\"next_poll_ms\":20}", o);
}

static imagegen_status poll(const imagegen_plugin *p, imagegen_instance *i, const char *r, size_t n, imagegen_output *o, imagegen_error *e) {
    (void)p; (void)i; (void)r; (void)n; (void)e;
#if defined(MB_POLL_MALFORMED)
    return answer("{\"schema\":1,\"state\":\"succ", o);
#elif defined(MB_POLL_UNKNOWN_STATE)
    return answer("{\"schema\":1,\"state\":\"exploded\",\"progress\":0.5}", o);
#elif defined(MB_POLL_RUNNING)
    return answer("{\"schema\":1,\"state\":\"running\",\"progress\":7.5,\"next_poll_ms\":20}", o);
#elif defined(MB_POLL_TOO_MANY)
    size_t cap = 100001 * 40 + 64, len = 0;
    char *buf = malloc(cap);
    len += (size_t)sprintf(buf, "{\"schema\":1,\"state\":\"succeeded\",\"outputs\":[");
    for (int k = 0; k < 100001; k++) len += (size_t)sprintf(buf + len, "%s{\"index\":%d,\"mime\":\"image/png\"}", k ? "," : "", k);
    len += (size_t)sprintf(buf + len, "]}");
    o->data = (const uint8_t *)buf;
    o->size = len;
    o->plugin_data = buf;
    return IMAGEGEN_OK;
#else
    return answer("{\"schema\":1,\"state\":\"succeeded\",\"progress\":1,\"outputs\":[{\"index\":0,\"mime\":\"image/png\"}]}", o);
#endif
}

/* A valid 64x64 PNG (the size jobs ask for). */
static const uint8_t PNG[] __attribute__((unused)) = {
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x40, 0x00, 0x00, 0x00, 0x40, 0x08, 0x02, 0x00, 0x00, 0x00, 0x25, 0x0B, 0xE6, 0x89, 0x00, 0x00, 0x00, 0x4F, 0x49,
    0x44, 0x41, 0x54, 0x78, 0xDA, 0xED, 0xCF, 0x41, 0x09, 0x00, 0x00, 0x08, 0x04, 0xB0, 0x8B, 0x62, 0x14, 0xA3, 0x19,
    0xDD, 0x08, 0xBE, 0x85, 0xC1, 0x0A, 0x2C, 0xD3, 0xF5, 0x5A, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04,
    0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04,
    0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04,
    0x2E, 0x0B, 0xFB, 0xF7, 0x00, 0xD3, 0xA9, 0x02, 0x58, 0xDA, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82};

static imagegen_status fetch(const imagegen_plugin *p, imagegen_instance *i, const char *r, size_t n, uint32_t x, imagegen_output *o, imagegen_error *e) {
    (void)p; (void)i; (void)r; (void)n; (void)x; (void)e;
    atomic_fetch_add(&fetch_count, 1);
    static const uint8_t small[16];
    o->plugin_data = NULL;
#ifdef MB_FETCH_HUGE
    (void)PNG;
    o->data = small;
    o->size = (size_t)1 << 40;
#else
    (void)small;
    o->data = PNG;
    o->size = sizeof PNG;
#endif
    return IMAGEGEN_OK;
}

static imagegen_status cancel(const imagegen_plugin *p, imagegen_instance *i, const char *r, size_t n, imagegen_error *e) {
    (void)p; (void)i; (void)r; (void)n; (void)e;
    return IMAGEGEN_OK;
}
static void release(const imagegen_plugin *p, imagegen_output *o) { (void)p; free(o->plugin_data); }
static void shutdown_(const imagegen_plugin *p) {
    (void)p;
    atomic_fetch_add(&shutdown_count, 1);
    static const char line[] = "mb: shutdown ran";
    HOST->log(HOST, IMAGEGEN_LOG_INFO, line, sizeof line - 1);
}

static const imagegen_balance_extension BALANCE = {
    .header = {sizeof(imagegen_balance_extension), IMAGEGEN_ABI_MAJOR, IMAGEGEN_ABI_MINOR}, .balance = NULL};

/* Counts lookups after shutdown; blocks while the gate is closed so a test can retire the copy
 * while one lookup is in flight. */
static const void *get_extension(const imagegen_plugin *p, const char *id) {
    (void)p; (void)id;
    atomic_fetch_add(&ext_in_flight, 1);
    if (atomic_load(&shutdown_count) > 0) atomic_fetch_add(&ext_after_shutdown, 1);
    while (atomic_load(&gate_closed)) nap_ms(1);
    if (atomic_load(&shutdown_count) > 0) atomic_fetch_add(&ext_after_shutdown, 1);
    atomic_fetch_sub(&ext_in_flight, 1);
    return strcmp(id, IMAGEGEN_EXT_BALANCE) == 0 ? &BALANCE : NULL;
}

static const imagegen_plugin TABLE = {
    .header = {sizeof(imagegen_plugin), IMAGEGEN_ABI_MAJOR, IMAGEGEN_ABI_MINOR},
    .describe = describe, .create = create, .destroy = destroy, .submit = submit, .poll = poll,
    .fetch = fetch, .cancel = cancel, .release = release, .shutdown = shutdown_, .get_extension = get_extension,
};

IMAGEGEN_EXPORT const imagegen_plugin *imagegen_plugin_entry_v1(const imagegen_host *host) {
    HOST = host;
    return &TABLE;
}
