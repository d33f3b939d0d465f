/* Misbehaving plugins for the isolation tests: Preview, compiled in with its entry renamed to
 * preview_real_entry (-Dimagegen_plugin_entry_v1=preview_real_entry on its sources), wrapped by
 * a table whose calls misbehave on demand. One -D switch each:
 *   MISBEHAVE_SEGV_SUBMIT   a NULL write in submit
 *   MISBEHAVE_SEGV_POLL     a NULL write in poll
 *   MISBEHAVE_SEGV_FETCH    a NULL write in fetch
 *   MISBEHAVE_ABORT_CREATE  abort() in create
 *   MISBEHAVE_HANG_SUBMIT   submit never returns
 *   (none)                  a well-behaved build (the "fixed" file of the resume test)
 * MISBEHAVE_ID (default "faulty") is the plugin id; it serves model "faulty" (not "preview",
 * so Preview generations never route to it). MISBEHAVE_VERSION makes a build with a new hash.
 */
#include "imagegen_plugin.h"
#undef imagegen_plugin_entry_v1

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef MISBEHAVE_ID
#define MISBEHAVE_ID "faulty"
#endif
#ifndef MISBEHAVE_VERSION
#define MISBEHAVE_VERSION "1.0.0"
#endif

const imagegen_plugin *preview_real_entry(const imagegen_host *host);

static const imagegen_plugin *REAL;
static imagegen_plugin TABLE;
/* The compiler cannot prove it NULL, so the write below is a real SIGSEGV, not a trap. */
static int *volatile nowhere = NULL;

static void crash(void) { *nowhere = 1; }

static const char DESCRIPTION[] =
    "{\"schema\":1,\"id\":\"" MISBEHAVE_ID "\",\"name\":\"Faulty\",\"version\":\"" MISBEHAVE_VERSION "\","
    "\"nsfw_allowed\":false,\"thread_safe\":true,\"idempotent_submit\":false,\"secrets\":[],"
    "\"models\":[{\"name\":\"faulty\",\"provider_model\":\"preview-1\",\"price\":{\"per_image\":0},"
    "\"capabilities\":[\"text-to-image\"],\"limits\":{\"min_size\":64,\"max_size\":2048,\"max_outputs\":4}}]}";

static imagegen_status w_describe(const imagegen_plugin *p, char *buf, size_t cap, size_t *out_len) {
    (void)p;
    *out_len = sizeof DESCRIPTION - 1;
    if (cap < *out_len) return IMAGEGEN_ERR_BUFFER_TOO_SMALL;
    memcpy(buf, DESCRIPTION, *out_len);
    return IMAGEGEN_OK;
}

static imagegen_status w_create(const imagegen_plugin *p, const char *c, size_t n, imagegen_instance **out, imagegen_error *e) {
    (void)p;
#ifdef MISBEHAVE_ABORT_CREATE
    abort();
#endif
    return REAL->create(REAL, c, n, out, e);
}

static imagegen_status w_submit(const imagegen_plugin *p, imagegen_instance *i, const char *r, size_t n,
                                imagegen_output *out, imagegen_error *e) {
    (void)p;
#ifdef MISBEHAVE_SEGV_SUBMIT
    crash();
#endif
#ifdef MISBEHAVE_HANG_SUBMIT
    for (;;) sleep(1000);
#endif
    return REAL->submit(REAL, i, r, n, out, e);
}

static imagegen_status w_poll(const imagegen_plugin *p, imagegen_instance *i, const char *r, size_t n,
                              imagegen_output *out, imagegen_error *e) {
    (void)p;
#ifdef MISBEHAVE_SEGV_POLL
    crash();
#endif
    return REAL->poll(REAL, i, r, n, out, e);
}

static imagegen_status w_fetch(const imagegen_plugin *p, imagegen_instance *i, const char *r, size_t n, uint32_t index,
                               imagegen_output *out, imagegen_error *e) {
    (void)p;
#ifdef MISBEHAVE_SEGV_FETCH
    crash();
#endif
    return REAL->fetch(REAL, i, r, n, index, out, e);
}

static void w_destroy(const imagegen_plugin *p, imagegen_instance *i) { (void)p; REAL->destroy(REAL, i); }
static imagegen_status w_cancel(const imagegen_plugin *p, imagegen_instance *i, const char *r, size_t n, imagegen_error *e) {
    (void)p;
    return REAL->cancel(REAL, i, r, n, e);
}
static void w_release(const imagegen_plugin *p, imagegen_output *o) { (void)p; REAL->release(REAL, o); }
static void w_shutdown(const imagegen_plugin *p) { (void)p; REAL->shutdown(REAL); }
static const void *w_get_extension(const imagegen_plugin *p, const char *id) { (void)p; (void)id; return NULL; }

IMAGEGEN_EXPORT const imagegen_plugin *imagegen_plugin_entry_v1(const imagegen_host *host) {
    REAL = preview_real_entry(host);
    if (!REAL) return NULL;
    TABLE = *REAL;
    TABLE.describe = w_describe;
    TABLE.create = w_create;
    TABLE.destroy = w_destroy;
    TABLE.submit = w_submit;
    TABLE.poll = w_poll;
    TABLE.fetch = w_fetch;
    TABLE.cancel = w_cancel;
    TABLE.release = w_release;
    TABLE.shutdown = w_shutdown;
    TABLE.get_extension = w_get_extension;
    return &TABLE;
}
