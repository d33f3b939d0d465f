/* ABI fixtures: one C file, compiled by the tests into several plugins that keep the ABI
 * honest. Each -D switch makes one kind of plugin:
 *   (none)               a plain 1.0 plugin ("fixture")
 *   FIXTURE_FUTURE_MINOR a table from a future 1.x: larger, minor 7, extra fields at the end
 *   FIXTURE_MAJOR2       reports abi_major 2
 *   FIXTURE_NO_ENTRY     exports a misspelled entry symbol
 *   FIXTURE_NULL_ENTRY   the entry returns NULL (refuses to load)
 *   FIXTURE_BAD_DESCRIBE describe returns malformed JSON
 *   FIXTURE_SMALL_TABLE  struct_size smaller than 1.0's table
 *   FIXTURE_ID=...       plugin id (default "fixture"); FIXTURE_MODEL=... model name
 */
#include "imagegen_plugin.h"
#include <stdlib.h>
#include <string.h>

#ifndef FIXTURE_ID
#define FIXTURE_ID "fixture"
#endif
#ifndef FIXTURE_MODEL
#define FIXTURE_MODEL "fixture-model"
#endif

#ifdef FIXTURE_FUTURE_MINOR
typedef struct {
    imagegen_plugin v1;
    void *(*future_function)(void);
    uint64_t future_field;
} fixture_table;
#else
typedef struct { imagegen_plugin v1; } fixture_table;
#endif

static const char DESCRIPTION[] =
#ifdef FIXTURE_BAD_DESCRIBE
    "{\"schema\":1,\"id\":\"broken\",\"models\":[{\"name\":";
#else
    "{\"schema\":1,\"id\":\"" FIXTURE_ID "\",\"name\":\"Fixture\",\"version\":\"1.0.0\",\"nsfw_allowed\":false,"
    "\"thread_safe\":true,\"models\":[{\"name\":\"" FIXTURE_MODEL "\",\"provider_model\":\"fx-1\","
    "\"price\":{\"per_image\":0.01}}]}";
#endif

static imagegen_status describe(const imagegen_plugin *p, char *buf, size_t cap, size_t *len) {
    (void)p;
    *len = sizeof(DESCRIPTION) - 1;
    if (cap < *len) return IMAGEGEN_ERR_BUFFER_TOO_SMALL;
    memcpy(buf, DESCRIPTION, *len);
    return IMAGEGEN_OK;
}
static imagegen_status create(const imagegen_plugin *p, const char *c, size_t n, imagegen_instance **out, imagegen_error *e) {
    (void)p; (void)c; (void)n; (void)e;
    *out = (imagegen_instance *)malloc(1);
    return IMAGEGEN_OK;
}
static void destroy(const imagegen_plugin *p, imagegen_instance *i) { (void)p; free(i); }
static imagegen_status unsupported(imagegen_error *e) {
    static const char m[] = "fixture: not a real provider";
    size_t n = sizeof m - 1 < e->message_capacity ? sizeof m - 1 : e->message_capacity;
    memcpy(e->message, m, n);
    e->message_len = n;
    return IMAGEGEN_ERR_UNSUPPORTED;
}
static imagegen_status submit(const imagegen_plugin *p, imagegen_instance *i, const char *r, size_t n, imagegen_output *o, imagegen_error *e) {
    (void)p; (void)i; (void)r; (void)n; (void)o; return unsupported(e);
}
static imagegen_status poll(const imagegen_plugin *p, imagegen_instance *i, const char *r, size_t n, imagegen_output *o, imagegen_error *e) {
    (void)p; (void)i; (void)r; (void)n; (void)o; return unsupported(e);
}
static imagegen_status fetch(const imagegen_plugin *p, imagegen_instance *i, const char *r, size_t n, uint32_t x, imagegen_output *o, imagegen_error *e) {
    (void)p; (void)i; (void)r; (void)n; (void)x; (void)o; return unsupported(e);
}
static imagegen_status cancel(const imagegen_plugin *p, imagegen_instance *i, const char *r, size_t n, imagegen_error *e) {
    (void)p; (void)i; (void)r; (void)n; (void)e; return IMAGEGEN_OK;
}
static void release(const imagegen_plugin *p, imagegen_output *o) { (void)p; (void)o; }
static void shutdown_(const imagegen_plugin *p) { (void)p; }

static fixture_table TABLE = {
    .v1 = {
#if defined(FIXTURE_FUTURE_MINOR)
        .header = {sizeof(fixture_table), 1, 7},
#elif defined(FIXTURE_MAJOR2)
        .header = {sizeof(imagegen_plugin), 2, 0},
#elif defined(FIXTURE_SMALL_TABLE)
        .header = {40, 1, 0},
#else
        .header = {sizeof(imagegen_plugin), IMAGEGEN_ABI_MAJOR, IMAGEGEN_ABI_MINOR},
#endif
        .describe = describe, .create = create, .destroy = destroy, .submit = submit, .poll = poll,
        .fetch = fetch, .cancel = cancel, .release = release, .shutdown = shutdown_, .get_extension = NULL,
    },
};

#ifdef FIXTURE_NO_ENTRY
IMAGEGEN_EXPORT const imagegen_plugin *imagegen_plugin_entry(const imagegen_host *host) {
#else
IMAGEGEN_EXPORT const imagegen_plugin *imagegen_plugin_entry_v1(const imagegen_host *host) {
#endif
    (void)host;
#ifdef FIXTURE_NULL_ENTRY
    (void)TABLE;
    return NULL;
#else
    return &TABLE.v1;
#endif
}
