/*
 * Preview: the offline provider, in plain C. It draws a deterministic picture from
 * (prompt, seed, width, height, output index) — the same inputs give the same PNG bytes — at
 * zero cost, so imagegen runs with no key and no network. It is also the proof that the ABI
 * needs no Swift.
 *
 * It is stateless like every provider should be: the job reference carries everything that
 * poll and fetch need, so a restarted host (or a new generation of this plugin) resumes it.
 *
 * Config knobs (top-level keys of the provider config, all optional), for tests and demos:
 *   "latency_ms":        a job stays "running" this long after submit (host clock)
 *   "fail_every_n":      every Nth submit of this instance fails with "fail_status"
 *   "fail_rate":         this fraction (0..1) of submits fail, chosen by hashing the job id
 *   "fail_status":       the status of injected failures (default IMAGEGEN_ERR_PROVIDER = 6)
 *   "filter_word":       a prompt containing this word ends "content_filtered"
 *   "cost_usd":          report this provider cost per image (default: none reported)
 *   "submit_log":        append "<job_id>\n" to this file on every submit (tests count submits)
 *
 * Build-time switches, for tests that need a second provider or a non-idempotent one:
 *   -DPREVIEW_PLUGIN_ID='"preview-b"'   another plugin id (same model name "preview")
 *   -DPREVIEW_NOT_IDEMPOTENT             declare "idempotent_submit": false
 */
#include "imagegen_plugin.h"
#include "preview_json.h"
#include "preview_render.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREVIEW_VERSION "1.0.0"
#ifndef PREVIEW_PLUGIN_ID
#define PREVIEW_PLUGIN_ID "preview"
#endif
#ifdef PREVIEW_NOT_IDEMPOTENT
#define PREVIEW_IDEMPOTENT "false"
#else
#define PREVIEW_IDEMPOTENT "true"
#endif

static const imagegen_host *g_host;

struct imagegen_instance {
    int64_t latency_ms;
    int64_t fail_every_n;
    double fail_rate;
    int32_t fail_status;
    char filter_word[128];
    double cost_usd;
    int has_cost;
    char submit_log[1024];
    atomic_llong submits;
};

/* ---------------------------------------------------------------- small helpers */

static void set_error(imagegen_error *err, int32_t retry_after_ms, const char *message) {
    if (!err) return;
    err->retry_after_ms = retry_after_ms;
    size_t n = strlen(message);
    if (n > err->message_capacity) n = err->message_capacity;
    if (err->message && n) memcpy(err->message, message, n);
    err->message_len = n;
}

/* Outputs are malloc'd; release frees them. */
static imagegen_status give(imagegen_output *out, char *data, size_t size) {
    out->data = (const uint8_t *)data;
    out->size = size;
    out->plugin_data = data;
    return IMAGEGEN_OK;
}

static void log_line(int32_t level, const char *msg) {
    if (g_host && g_host->log) g_host->log(g_host, level, msg, strlen(msg));
}

static int64_t now_ms(void) {
    return (g_host && g_host->now_ms) ? g_host->now_ms(g_host) : 0;
}

static uint64_t fnv1a(const char *s, size_t n, uint64_t h) {
    for (size_t i = 0; i < n; i++) { h ^= (unsigned char)s[i]; h *= 1099511628211ULL; }
    return h;
}

/* Case-insensitive substring test on raw (JSON-escaped) text; enough for a trigger word. */
static int contains_word(const char *hay, size_t n, const char *needle) {
    size_t m = strlen(needle);
    if (m == 0 || m > n) return 0;
    for (size_t i = 0; i + m <= n; i++) {
        size_t j = 0;
        while (j < m) {
            char a = hay[i + j], b = needle[j];
            if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
            if (b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
            if (a != b) break;
            j++;
        }
        if (j == m) return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- describe */

static const char DESCRIPTION[] =
    "{\"schema\":1,\"id\":\"" PREVIEW_PLUGIN_ID "\",\"name\":\"Preview (offline)\",\"version\":\"" PREVIEW_VERSION "\","
    "\"nsfw_allowed\":true,\"thread_safe\":true,\"idempotent_submit\":" PREVIEW_IDEMPOTENT ",\"secrets\":[],"
    "\"models\":[{\"name\":\"preview\",\"provider_model\":\"preview-1\",\"price\":{\"per_image\":0},"
    "\"capabilities\":[\"text-to-image\",\"deterministic\"],\"nsfw_allowed\":true,"
    "\"limits\":{\"min_size\":64,\"max_size\":2048,\"max_outputs\":4}}]}";

static imagegen_status preview_describe(const imagegen_plugin *p, char *buf, size_t cap, size_t *out_len) {
    (void)p;
    size_t n = sizeof(DESCRIPTION) - 1;
    *out_len = n;
    if (cap < n) return IMAGEGEN_ERR_BUFFER_TOO_SMALL;
    memcpy(buf, DESCRIPTION, n);
    return IMAGEGEN_OK;
}

/* ---------------------------------------------------------------- create / destroy */

static imagegen_status preview_create(const imagegen_plugin *p, const char *config, size_t len,
                                      imagegen_instance **out, imagegen_error *err) {
    (void)p;
    imagegen_instance *inst = calloc(1, sizeof *inst);
    if (!inst) { set_error(err, -1, "preview: out of memory"); return IMAGEGEN_ERR_INTERNAL; }
    inst->fail_status = IMAGEGEN_ERR_PROVIDER;
    json_value v;
    if (config && len) {
        if (!json_is_object(config, len)) {
            free(inst);
            set_error(err, -1, "preview: the provider config is not a JSON object");
            return IMAGEGEN_ERR_INVALID_REQUEST;
        }
        if (json_member(config, len, "latency_ms", &v)) inst->latency_ms = (int64_t)json_number(&v, 0);
        if (json_member(config, len, "fail_every_n", &v)) inst->fail_every_n = (int64_t)json_number(&v, 0);
        if (json_member(config, len, "fail_rate", &v)) inst->fail_rate = json_number(&v, 0);
        if (json_member(config, len, "fail_status", &v)) inst->fail_status = (int32_t)json_number(&v, IMAGEGEN_ERR_PROVIDER);
        if (json_member(config, len, "filter_word", &v) && v.kind == JSON_STRING)
            json_string_copy(&v, inst->filter_word, sizeof inst->filter_word);
        if (json_member(config, len, "submit_log", &v) && v.kind == JSON_STRING)
            json_string_copy(&v, inst->submit_log, sizeof inst->submit_log);
        if (json_member(config, len, "cost_usd", &v) && v.kind == JSON_NUMBER) {
            inst->cost_usd = json_number(&v, 0);
            inst->has_cost = 1;
        }
    }
    atomic_init(&inst->submits, 0);
    *out = inst;
    return IMAGEGEN_OK;
}

static void preview_destroy(const imagegen_plugin *p, imagegen_instance *inst) {
    (void)p;
    free(inst);
}

/* ---------------------------------------------------------------- jobs */

/* The job reference: everything poll and fetch need, copied from the request.
 *   {"prompt":"<raw escaped>","seed":N,"width":W,"height":H,"outputs":K,"created_ms":T,
 *    "filtered":0|1} */

static imagegen_status preview_submit(const imagegen_plugin *p, imagegen_instance *inst,
                                      const char *req, size_t len, imagegen_output *out,
                                      imagegen_error *err) {
    (void)p;
    json_value prompt, v;
    if (!json_is_object(req, len) || !json_member(req, len, "prompt", &prompt) || prompt.kind != JSON_STRING) {
        set_error(err, -1, "preview: the request has no \"prompt\" string");
        return IMAGEGEN_ERR_INVALID_REQUEST;
    }
    double seed = json_member(req, len, "seed", &v) ? json_number(&v, 0) : 0;
    double width = json_member(req, len, "width", &v) ? json_number(&v, 512) : 512;
    double height = json_member(req, len, "height", &v) ? json_number(&v, 512) : 512;
    double outputs = json_member(req, len, "num_outputs", &v) ? json_number(&v, 1) : 1;
    if (width < 8 || height < 8 || width > 4096 || height > 4096) {
        set_error(err, -1, "preview: width and height must be within 8..4096");
        return IMAGEGEN_ERR_INVALID_REQUEST;
    }
    if (outputs < 1 || outputs > 4) {
        set_error(err, -1, "preview: num_outputs must be within 1..4");
        return IMAGEGEN_ERR_INVALID_REQUEST;
    }

    long long n = atomic_fetch_add(&inst->submits, 1) + 1;
    if (inst->submit_log[0]) {
        json_value job;
        FILE *f = fopen(inst->submit_log, "a");
        if (f) {
            if (json_member(req, len, "job_id", &job) && job.kind == JSON_STRING)
                fprintf(f, "%.*s\n", (int)job.len - 2, job.start + 1);
            else
                fputs("?\n", f);
            fclose(f);
        }
    }
    int fail = inst->fail_every_n > 0 && n % inst->fail_every_n == 0;
    if (!fail && inst->fail_rate > 0) {
        json_value job;
        uint64_t h = 1469598103934665603ULL;
        if (json_member(req, len, "job_id", &job)) h = fnv1a(job.start, job.len, h);
        h = fnv1a((const char *)&n, sizeof n, h);
        fail = (double)(h % 1000000ULL) / 1000000.0 < inst->fail_rate;
    }
    if (fail) {
        set_error(err, inst->fail_status == IMAGEGEN_ERR_RATE_LIMITED ? 1000 : -1,
                  "preview: injected failure (fail_every_n / fail_rate in the provider config)");
        return inst->fail_status;
    }

    int filtered = inst->filter_word[0] && contains_word(prompt.start, prompt.len, inst->filter_word);
    size_t cap = prompt.len + 256;
    char *ref = malloc(cap);
    if (!ref) { set_error(err, -1, "preview: out of memory"); return IMAGEGEN_ERR_INTERNAL; }
    int m = snprintf(ref, cap,
                     "{\"schema\":1,\"state\":\"%s\",\"ref\":{\"prompt\":%.*s,\"seed\":%.0f,\"width\":%.0f,"
                     "\"height\":%.0f,\"outputs\":%.0f,\"created_ms\":%lld,\"filtered\":%d}}",
                     inst->latency_ms > 0 ? "running" : "queued",
                     (int)prompt.len, prompt.start, seed, width, height, outputs,
                     (long long)now_ms(), filtered);
    if (m < 0 || (size_t)m >= cap) { free(ref); set_error(err, -1, "preview: reference too long"); return IMAGEGEN_ERR_INTERNAL; }
    return give(out, ref, (size_t)m);
}

static imagegen_status preview_poll(const imagegen_plugin *p, imagegen_instance *inst,
                                    const char *ref, size_t len, imagegen_output *out,
                                    imagegen_error *err) {
    (void)p;
    json_value v;
    if (!json_is_object(ref, len) || !json_member(ref, len, "created_ms", &v)) {
        set_error(err, -1, "preview: not a preview job reference");
        return IMAGEGEN_ERR_INVALID_REQUEST;
    }
    int64_t created = (int64_t)json_number(&v, 0);
    int filtered = json_member(ref, len, "filtered", &v) && json_number(&v, 0) != 0;
    int outputs = json_member(ref, len, "outputs", &v) ? (int)json_number(&v, 1) : 1;
    double seed = json_member(ref, len, "seed", &v) ? json_number(&v, 0) : 0;
    int64_t left = created + inst->latency_ms - now_ms();

    char *buf = malloc(512);
    if (!buf) { set_error(err, -1, "preview: out of memory"); return IMAGEGEN_ERR_INTERNAL; }
    int m;
    if (left > 0) {
        double progress = inst->latency_ms > 0 ? 1.0 - (double)left / (double)inst->latency_ms : 0;
        m = snprintf(buf, 512, "{\"schema\":1,\"state\":\"running\",\"progress\":%.3f,\"next_poll_ms\":%lld}",
                     progress, (long long)(left < 250 ? left : 250));
    } else if (filtered) {
        m = snprintf(buf, 512, "{\"schema\":1,\"state\":\"content_filtered\",\"error\":{\"status\":%d,"
                     "\"message\":\"preview: the prompt contains the configured filter word\"}}",
                     IMAGEGEN_ERR_CONTENT_FILTERED);
    } else {
        char outs[256] = "";
        size_t at = 0;
        for (int i = 0; i < outputs && i < 4; i++)
            at += (size_t)snprintf(outs + at, sizeof outs - at, "%s{\"index\":%d,\"mime\":\"image/png\"}", i ? "," : "", i);
        char cost[64] = "null";
        if (inst->has_cost) snprintf(cost, sizeof cost, "%.6f", inst->cost_usd * outputs);
        m = snprintf(buf, 512, "{\"schema\":1,\"state\":\"succeeded\",\"progress\":1,\"outputs\":[%s],"
                     "\"cost_usd\":%s,\"provider_time_s\":%.3f,\"seed\":%.0f}",
                     outs, cost, (double)inst->latency_ms / 1000.0, seed);
    }
    return give(out, buf, (size_t)m);
}

static imagegen_status preview_fetch(const imagegen_plugin *p, imagegen_instance *inst,
                                     const char *ref, size_t len, uint32_t index,
                                     imagegen_output *out, imagegen_error *err) {
    (void)p; (void)inst;
    json_value prompt, v;
    if (!json_is_object(ref, len) || !json_member(ref, len, "prompt", &prompt)) {
        set_error(err, -1, "preview: not a preview job reference");
        return IMAGEGEN_ERR_INVALID_REQUEST;
    }
    int outputs = json_member(ref, len, "outputs", &v) ? (int)json_number(&v, 1) : 1;
    if ((int)index >= outputs) {
        set_error(err, -1, "preview: no such output index");
        return IMAGEGEN_ERR_NOT_FOUND;
    }
    preview_picture pic;
    pic.seed = json_member(ref, len, "seed", &v) ? (uint64_t)json_number(&v, 0) : 0;
    pic.width = json_member(ref, len, "width", &v) ? (uint32_t)json_number(&v, 512) : 512;
    pic.height = json_member(ref, len, "height", &v) ? (uint32_t)json_number(&v, 512) : 512;
    pic.prompt_hash = fnv1a(prompt.start, prompt.len, 1469598103934665603ULL);
    pic.index = index;
    void *png = NULL;
    size_t png_len = 0;
    if (!preview_render_png(&pic, &png, &png_len)) {
        set_error(err, -1, "preview: PNG encoding failed");
        return IMAGEGEN_ERR_INTERNAL;
    }
    return give(out, png, png_len);
}

static imagegen_status preview_cancel(const imagegen_plugin *p, imagegen_instance *inst,
                                      const char *ref, size_t len, imagegen_error *err) {
    (void)p; (void)inst; (void)ref; (void)len; (void)err;
    return IMAGEGEN_OK; /* nothing runs anywhere: cancelling is always immediate */
}

static void preview_release(const imagegen_plugin *p, imagegen_output *out) {
    (void)p;
    free(out->plugin_data);
    out->plugin_data = NULL;
}

static void preview_shutdown(const imagegen_plugin *p) {
    (void)p;
    log_line(IMAGEGEN_LOG_DEBUG, "preview: shutdown");
}

static const void *preview_get_extension(const imagegen_plugin *p, const char *id) {
    (void)p; (void)id;
    return NULL;
}

static const imagegen_plugin PREVIEW = {
    .header = {sizeof(imagegen_plugin), IMAGEGEN_ABI_MAJOR, IMAGEGEN_ABI_MINOR},
    .plugin_data = NULL,
    .describe = preview_describe,
    .create = preview_create,
    .destroy = preview_destroy,
    .submit = preview_submit,
    .poll = preview_poll,
    .fetch = preview_fetch,
    .cancel = preview_cancel,
    .release = preview_release,
    .shutdown = preview_shutdown,
    .get_extension = preview_get_extension,
};

IMAGEGEN_EXPORT const imagegen_plugin *imagegen_plugin_entry_v1(const imagegen_host *host) {
    if (!host || host->header.abi_major != IMAGEGEN_ABI_MAJOR) return NULL;
    g_host = host;
    return &PREVIEW;
}
