/*
 * imagegen_plugin.h — the imagegen provider-plugin ABI, version 1.0.
 *
 * A provider plugin is a shared object (.so) that exports ONE function:
 *
 *     const imagegen_plugin *imagegen_plugin_entry_v1(const imagegen_host *host);
 *
 * The host dlopen()s a private copy of the file, calls the entry with its service table and
 * gets the plugin's function table back (or NULL: the plugin refuses to load). Everything else
 * crosses the boundary through these two tables. This header is the whole contract; see
 * docs/plugin-abi.md for a guide with a complete C example.
 *
 * Rules that hold for every function below:
 *
 *  - Versioning. Every table starts with imagegen_table_header {struct_size, abi_major,
 *    abi_minor}. Tables only grow at the end. A reader copies min(struct_size, what it knows)
 *    bytes into a zeroed struct, so a field the other side predates reads as NULL / 0. A
 *    different abi_major is refused. The major is also in the entry's name, so a future v2
 *    host can probe both names and a plugin can export both.
 *  - Text. Every string crossing the boundary is UTF-8 with an explicit length; NUL
 *    termination is never relied on, except for extension ids (C string literals).
 *  - JSON. Requests, job references, poll results and descriptions are JSON objects carrying
 *    "schema": 1. Unknown keys must be ignored by both sides: that is how payloads grow.
 *  - Ownership. Inputs are borrowed for the duration of the call: copy what you keep.
 *    Small outputs go into caller buffers (capacity + *out_len + IMAGEGEN_BUFFER_TOO_SMALL).
 *    Large outputs (imagegen_output) are owned by the plugin and handed back to its
 *    release(). Nothing is ever freed by the side that did not allocate it.
 *  - Errors. Fallible calls return an imagegen_status. No C++ exception, longjmp, Swift error
 *    or signal may cross the boundary; a plugin that crashes takes the host down with it.
 *  - Threads. Every function pointer below carries one grep-able tag line, a comment such as
 *    "[any-thread] [thread-safe]" built from the legend that follows (grep -n 'THREADS:').
 *  - Lifetime. The host keeps its table and host_data valid until shutdown() returns. After
 *    shutdown() the host calls no table function again, and
 *    it never unmaps the image (dlopen with RTLD_NODELETE): a plugin must not leave threads,
 *    timers or callbacks running after shutdown().
 *
 * Thread and ordering tags (the legend; every tag used below is one of these):
 *
 *   [load-thread]          Called on the thread that is loading this copy of the file (host
 *                          startup, or the plugins-folder rescan), before any other function of
 *                          the table, and never concurrently with another call into this copy.
 *   [any-thread]           The host may call it from any thread: its plugin-call threads, a
 *                          Swift async executor thread, or the thread retiring the plugin. Not
 *                          necessarily the same thread twice; no thread-local state survives.
 *   [thread-safe]          Several calls may be in flight at once, on any threads, concurrently
 *                          with any other function of the same table.
 *   [instance-serialised]  Calls on ONE instance never overlap unless the description says
 *                          "thread_safe": true (then they may). Calls on DIFFERENT instances of
 *                          the plugin may always overlap: plugin-global state needs a lock.
 *   [on-call-thread]       Called on the thread that just made the call it belongs to, right
 *                          after that call returned, before that thread calls into the plugin
 *                          again, while the instance's serialisation (if any) is still held.
 *   [drained]              Called only once no other call into this copy is in flight, and
 *                          never concurrently with another table function.
 *   [once]                 Called at most once per object (instance, output, response...).
 *   [blocking]             Blocks the calling thread (network I/O); the host calls it only from
 *                          threads where blocking is allowed.
 *
 * The err out-parameter (imagegen_error *) of plugin functions:
 *   - it is NEVER NULL when the host calls a plugin function;
 *   - the host sets struct_size, message (a host buffer, never NULL), message_capacity (> 0;
 *     2048 bytes today, do not depend on the exact figure), message_len = 0 and
 *     retry_after_ms = -1 before the call;
 *   - the plugin writes at most message_capacity bytes into message and sets message_len
 *     (a larger message_len is clamped; truncate at a UTF-8 character boundary, since a cut
 *     sequence is decoded as U+FFFD); it may set retry_after_ms;
 *   - the host reads err only when the call returns a non-OK status.
 * The err parameter of host->http is the other way round: see there.
 */
#ifndef IMAGEGEN_PLUGIN_H
#define IMAGEGEN_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IMAGEGEN_ABI_MAJOR 1
#define IMAGEGEN_ABI_MINOR 0

/* The entry symbol's name, for dlsym(). */
#define IMAGEGEN_PLUGIN_ENTRY_V1 "imagegen_plugin_entry_v1"

/* Export macro for the entry function. */
#if defined(__GNUC__) || defined(__clang__)
#define IMAGEGEN_EXPORT __attribute__((visibility("default")))
#else
#define IMAGEGEN_EXPORT
#endif

/* ------------------------------------------------------------------------------------------ */
/* Status codes: stable and append-only. An unknown code is treated as IMAGEGEN_ERR_INTERNAL.  */
/* ------------------------------------------------------------------------------------------ */

typedef int32_t imagegen_status;

#define IMAGEGEN_OK ((imagegen_status)0)
/* The request is wrong (bad parameter, unknown model...). Not retried, no fail-over. */
#define IMAGEGEN_ERR_INVALID_REQUEST ((imagegen_status)1)
/* Credentials missing or refused (HTTP 401/403). Not retried; the host fails over. */
#define IMAGEGEN_ERR_AUTH ((imagegen_status)2)
/* Throttled (HTTP 429). error->retry_after_ms says how long to wait, or -1 if unknown. */
#define IMAGEGEN_ERR_RATE_LIMITED ((imagegen_status)3)
/* Account out of credit or quota (HTTP 402, insufficient balance). The host fails over. */
#define IMAGEGEN_ERR_QUOTA ((imagegen_status)4)
/* The provider's safety filter refused the prompt or the output. FINAL: never retried and
   never sent to another provider. */
#define IMAGEGEN_ERR_CONTENT_FILTERED ((imagegen_status)5)
/* The provider failed (HTTP 5xx, malformed response, connection dropped). Retryable. */
#define IMAGEGEN_ERR_PROVIDER ((imagegen_status)6)
/* The provider did not answer, or a job ran past its deadline. Retryable for reads. */
#define IMAGEGEN_ERR_TIMEOUT ((imagegen_status)7)
/* The job was cancelled (by the host or at the provider). */
#define IMAGEGEN_ERR_CANCELLED ((imagegen_status)8)
/* The plugin or the model does not support the operation. */
#define IMAGEGEN_ERR_UNSUPPORTED ((imagegen_status)9)
/* A bug or an impossible state inside the plugin. */
#define IMAGEGEN_ERR_INTERNAL ((imagegen_status)10)
/* A caller buffer is too small; *out_len holds the size needed. Retry with a larger one. */
#define IMAGEGEN_ERR_BUFFER_TOO_SMALL ((imagegen_status)11)
/* The thing asked for is gone: an expired output URL, an unknown job at the provider. */
#define IMAGEGEN_ERR_NOT_FOUND ((imagegen_status)12)

/* ------------------------------------------------------------------------------------------ */
/* Shared small types                                                                          */
/* ------------------------------------------------------------------------------------------ */

/* First member of every table, in both directions. */
typedef struct imagegen_table_header {
    uint32_t struct_size; /* sizeof the table as the writer compiled it */
    uint16_t abi_major;   /* IMAGEGEN_ABI_MAJOR the writer was built against */
    uint16_t abi_minor;   /* IMAGEGEN_ABI_MINOR the writer was built against */
} imagegen_table_header;

/* Detail for a failed call. Allocated by the caller (the HOST for plugin functions, the plugin
 * for host->http), filled by the callee. See "The err out-parameter" at the top for who sets
 * what. Ownership: the caller's; the callee writes at most message_capacity bytes into message
 * and sets message_len (truncating is fine). Never store the pointer. Never put a secret in a message:
 * the host redacts known secrets, but a plugin should not rely on it. */
typedef struct imagegen_error {
    uint32_t struct_size;       /* set by the caller: sizeof(imagegen_error) it allocated */
    int32_t retry_after_ms;     /* for RATE_LIMITED / PROVIDER: wait this long; -1 = unknown */
    char *message;              /* host buffer, UTF-8, not NUL-terminated necessarily */
    size_t message_capacity;    /* bytes available in message */
    size_t message_len;         /* set by the callee */
} imagegen_error;

/* A variable-size result owned by the PLUGIN (a JSON document or image bytes), returned by
 * submit, poll, fetch and the extensions' balance and reconcile (describe writes into a host
 * buffer instead). The plugin sets data/size and may use plugin_data for its own bookkeeping;
 * the host copies what it needs and then calls plugin->release(plugin, output) exactly once,
 * on the same thread, right after the call returned: an output never outlives the call that
 * produced it by more than that copy, so it is always released before the instance is
 * destroyed and before shutdown. The plugin must not touch it after release.
 * On a non-OK status the host does not call release and ignores the struct. */
typedef struct imagegen_output {
    const uint8_t *data;
    size_t size;
    void *plugin_data;
} imagegen_output;

/* Log levels for host->log. */
typedef int32_t imagegen_log_level;
#define IMAGEGEN_LOG_DEBUG ((imagegen_log_level)0)
#define IMAGEGEN_LOG_INFO ((imagegen_log_level)1)
#define IMAGEGEN_LOG_WARNING ((imagegen_log_level)2)
#define IMAGEGEN_LOG_ERROR ((imagegen_log_level)3)

/* ------------------------------------------------------------------------------------------ */
/* Host services: the table the host passes to the entry function                               */
/* ------------------------------------------------------------------------------------------ */

/* An HTTP request made through the host (host->http). All pointers are borrowed for the call.
 * headers: zero or more "Name: value\r\n" lines. A header value may contain
 * "${secret:NAME}", which the host replaces with the secret NAME (see get_secret) after any
 * logging and redaction, so a plugin that uses this never holds the key at all. */
typedef struct imagegen_http_request {
    uint32_t struct_size;                     /* set by the plugin: sizeof(imagegen_http_request) */
    const char *method;  size_t method_len;   /* "GET", "POST", ... */
    const char *url;     size_t url_len;      /* absolute http(s) URL */
    const char *headers; size_t headers_len;
    const uint8_t *body; size_t body_len;     /* may be NULL/0 */
    int32_t timeout_ms;                       /* whole-request timeout; <= 0: host default */
} imagegen_http_request;

/* The response to host->http. The struct itself is the PLUGIN's (usually on its stack): the
 * plugin zeroes it and sets struct_size = sizeof(imagegen_http_response) before the call, so
 * that a later host knows how many fields it may write; the host never writes struct_size.
 * On OK the host fills the other fields; the memory they point to is the HOST's, valid until
 * host->http_release(). On a non-OK status the host sets status_code to 0 and every other
 * field but struct_size to NULL / 0: there is no response, and http_release must not be
 * called. */
typedef struct imagegen_http_response {
    uint32_t struct_size;                     /* set by the PLUGIN; the host neither reads nor writes it in 1.0 */
    int32_t status_code;                      /* 100..599; written by the host only on OK */
    const char *headers; size_t headers_len;  /* "Name: value\r\n" lines, names lower-cased */
    const uint8_t *body; size_t body_len;
    void *host_data;                          /* host bookkeeping; do not touch */
} imagegen_http_response;

typedef struct imagegen_host imagegen_host;
struct imagegen_host {
    imagegen_table_header header;

    /* Opaque host pointer. Do not touch. */
    void *host_data;

    /* Write a log line. The host adds a timestamp and the plugin id (the file name during the
     * entry function and describe), masks every known secret value, and cuts the line at
     * 16 KiB (between characters). Never blocks for long. Usable from the entry function and
     * from shutdown. */
    /* THREADS: [any-thread] [thread-safe] */
    void (*log)(const imagegen_host *host, imagegen_log_level level, const char *message, size_t message_len);

    /* Copy the secret `name` (e.g. "REPLICATE_API_TOKEN") into buf. Secrets come from the
     * host's environment or its 0600 secrets file, never from the config text.
     * Returns OK and sets *out_len; IMAGEGEN_ERR_NOT_FOUND when the secret is not set;
     * IMAGEGEN_ERR_BUFFER_TOO_SMALL with *out_len = size needed (buf may be NULL with
     * capacity 0 to ask for the size; out_len may be NULL if the size is not wanted).
     * No err parameter: the status says it all. Ownership: buf is the plugin's. Wipe it when done; never log it. Prefer "${secret:NAME}"
     * in an HTTP header, which keeps the key out of the plugin altogether. */
    /* THREADS: [any-thread] [thread-safe] */
    imagegen_status (*get_secret)(const imagegen_host *host, const char *name, size_t name_len,
                                  char *buf, size_t capacity, size_t *out_len);

    /* Perform one HTTP request with the host's client: its timeouts, proxy, metrics, secret
     * substitution and redaction (it rewrites no URL: tests point a plugin at an emulator
     * through the plugin's config, e.g. "base_url"). Blocks the calling thread until the
     * response or the timeout: timeout_ms <= 0 means 60 s, and more than 300 s is cut to 300 s.
     * Returns OK when a response arrived (any status code: the plugin classifies it), or
     * IMAGEGEN_ERR_PROVIDER (nothing was sent) / IMAGEGEN_ERR_TIMEOUT (the outcome is unknown)
     * when none did; IMAGEGEN_ERR_INTERNAL if request or response is NULL. On OK the plugin
     * must call http_release(response). request->struct_size and response->struct_size are
     * set by the plugin (see imagegen_http_response).
     * err: the PLUGIN's struct and buffer, and it MAY be NULL (the message is then dropped).
     * On failure the host writes at most err->message_capacity bytes of message (cut between
     * characters) and sets message_len, if err and err->message are non-NULL;
     * it does not touch struct_size or retry_after_ms, and on OK it does not touch err at all:
     * initialise message_len to 0 yourself. */
    /* THREADS: [any-thread] [thread-safe] [blocking] */
    imagegen_status (*http)(const imagegen_host *host, const imagegen_http_request *request,
                            imagegen_http_response *response, imagegen_error *err);

    /* Release a response returned by http(). Exactly once per OK http() call, on any thread
     * (not necessarily the one that called http), before shutdown() returns. */
    /* THREADS: [any-thread] [thread-safe] [once] */
    void (*http_release)(const imagegen_host *host, imagegen_http_response *response);

    /* Wall-clock time, milliseconds since the Unix epoch. Tests may run the host on a fake
     * clock: use this, not time(), for anything that the host compares (deadlines). */
    /* THREADS: [any-thread] [thread-safe] */
    int64_t (*now_ms)(const imagegen_host *host);

    /* Optional host services by id ("imagegen.<name>/<rev>"); NULL when unknown.
     * The returned table lives as long as the host table. The 1.0 host offers none yet: it
     * returns NULL for every id. */
    /* THREADS: [any-thread] [thread-safe] */
    const void *(*get_extension)(const imagegen_host *host, const char *id);
};

/* ------------------------------------------------------------------------------------------ */
/* The plugin's table                                                                          */
/* ------------------------------------------------------------------------------------------ */

/* A configured provider instance, opaque to the host. Created by create(), ended by destroy(). */
typedef struct imagegen_instance imagegen_instance;

typedef struct imagegen_plugin imagegen_plugin;
struct imagegen_plugin {
    imagegen_table_header header;

    /* Opaque plugin pointer, for the plugin's own use. The host never touches it. */
    void *plugin_data;

    /* Describe the plugin as JSON into the host's buffer:
     *   { "schema": 1, "id": "replicate", "name": "Replicate", "version": "1.2.0",
     *     "nsfw_allowed": true, "thread_safe": true, "idempotent_submit": false,
     *     "secrets": ["REPLICATE_API_TOKEN"],
     *     "models": [ { "name": "stable-diffusion-v2", "provider_model": "<id>",
     *                   "price": {"per_image": 0.05} | {"per_megapixel": x} |
     *                            {"per_second": x} | {"per_million_tokens": {...}} | null,
     *                   "capabilities": ["text-to-image", "image-to-image", "upscale"],
     *                   "nsfw_allowed": true,
     *                   "limits": {"min_size": 64, "max_size": 2048, "max_outputs": 4} } ] }
     * Required: schema, id, version, models[].name, models[].provider_model.
     * "nsfw_allowed" says whether the provider's terms allow adult (non-explicit) content; a
     * model may narrow it. "thread_safe": true lets the host call instance functions
     * concurrently on one instance; otherwise it serialises them per instance.
     * "idempotent_submit": true promises that submitting the same job_id twice costs once
     * (the provider dedupes it, or it is free): the host may then resubmit a job whose
     * submit outcome is unknown after a crash instead of failing it.
     * Returns OK and sets *out_len, or BUFFER_TOO_SMALL with *out_len = size needed (the host
     * retries with a larger buffer, so describe must be free of side effects): the first
     * buffer is 16 KiB, the host tries at most 4 times and accepts at most 16 MiB.
     * The host calls it only while loading, right after the entry returned, and never again.
     * No err parameter: a failing describe refuses the load with its status. */
    /* THREADS: [load-thread] */
    imagegen_status (*describe)(const imagegen_plugin *plugin, char *buf, size_t capacity,
                                size_t *out_len);

    /* Create a configured instance from the provider's config section as JSON:
     *   { "schema": 1, "base_url": "https://...", ...provider-specific keys... }
     * Keys are NOT in the config: fetch them with host->get_secret or "${secret:NAME}".
     * A missing key should not fail create(): report it (AUTH, naming the variable) at the
     * first request, so one unconfigured provider does not stop the others.
     * Ownership: *out belongs to the plugin until destroy(). err is never NULL (see top).
     * The host creates ONE instance per loaded copy, on first use of the provider (not at
     * load), from a Swift async executor thread: create() must not block on the network.
     * Racing first uses wait for that one create(); a failed create() is tried again at the
     * next use. The config is the providers.<id> section re-serialised, with "schema": 1. */
    /* THREADS: [any-thread] [thread-safe] */
    imagegen_status (*create)(const imagegen_plugin *plugin, const char *config_json,
                              size_t config_len, imagegen_instance **out, imagegen_error *err);

    /* Destroy an instance. The host calls it once, after every call on the instance returned
     * and every output was released, only when it retires the whole plugin copy (hot swap,
     * removed file, host exit): there is no earlier per-instance destroy. All instances are
     * destroyed in a row, on the thread that then calls shutdown() (see there). */
    /* THREADS: [any-thread] [drained] [once] */
    void (*destroy)(const imagegen_plugin *plugin, imagegen_instance *instance);

    /* Submit one generation. request_json:
     *   { "schema": 1, "job_id": "<host id, usable as an idempotency key>",
     *     "model": "<provider_model>", "model_name": "<host model name>",
     *     "prompt": "...", "negative_prompt": "..." | null, "width": 1024, "height": 1024,
     *     "steps": 30 | null, "guidance_scale": 7.5 | null, "seed": 42, "num_outputs": 1,
     *     "deadline_ms": <unix ms> | null, "allow_nsfw": false, "options": { ... } }
     * Image-to-image and upscaling (added in 1.0, append-only: a plugin that predates them
     * never receives them). Three more keys, absent from a plain generation:
     *     "kind": "generate" | "vary" | "upscale",      (absent: "generate")
     *     "input_image": { "data_base64": "...", "mime": "image/png", "width": 512,
     *                      "height": 512, "sha256": "<hex>",
     *                      "source": { "ref": <ref>, "index": 0 } },   (vary and upscale)
     *     "strength": 0.0..1.0 | null,   (vary: how far to move from the input; 1 = ignore it)
     *     "scale": 2 | 3 | 4 | null      (upscale: output = input size x scale)
     * For "vary", width/height are the input's; for "upscale" they are the target size. The
     * host sends "vary" only to a model whose describe lists the capability "image-to-image"
     * and "upscale" only to one listing "upscale" (a model without "capabilities" is
     * ["text-to-image"]), and it refuses such a request up front, naming the models that can.
     * The input image is the host's stored original, its checksum verified before sending.
     * "source" (appended later; absent unless this same plugin made the image): the "ref" of
     * the job that made it and the output "index", for providers that act on their own
     * results (Midjourney's upscale/variation of a task's image) rather than on bytes.
     * A plugin that cannot honour the kind must return UNSUPPORTED, never ignore it.
     * On OK, *out holds a POLL RESULT (see poll) that MUST contain "ref": the job reference,
     * any JSON value that lets poll/fetch/cancel find the job again from a fresh process (the
     * host commits it to its catalog before polling). A synchronous provider may already
     * report "state": "succeeded"; it may even carry its outputs inside "ref" (for instance
     * base64 images) so that fetch needs no further request.
     * Failure statuses from submit carry a promise about the provider's side:
     *   PROVIDER, RATE_LIMITED, QUOTA, AUTH, INVALID_REQUEST: the provider answered and did
     *     NOT accept the job, so the host may send it again (here or to another provider);
     *   TIMEOUT: the outcome is unknown (the request went out, no complete answer came
     *     back); the host will not send it again unless "idempotent_submit" is declared.
     * So a plugin never repeats a POST that may have reached the provider by itself.
     * err is never NULL (see top). */
    /* THREADS: [any-thread] [instance-serialised] [blocking] */
    imagegen_status (*submit)(const imagegen_plugin *plugin, imagegen_instance *instance,
                              const char *request_json, size_t request_len,
                              imagegen_output *out, imagegen_error *err);

    /* Ask for a job's state. ref_json is the "ref" value persisted by the host. *out:
     *   { "schema": 1, "state": "queued" | "running" | "succeeded" | "failed" | "cancelled" |
     *                           "content_filtered",
     *     "progress": 0.0..1.0 | null, "next_poll_ms": 1000 | null,
     *     "outputs": [ { "index": 0, "mime": "image/png" } ],   (when succeeded)
     *     "cost_usd": 0.0123 | null,          (provider-reported cost, when it reports one)
     *     "provider_time_s": 3.2 | null,      (billable provider time, for per-second prices)
     *     "usage": { "input_text_tokens": n, "input_image_tokens": n, "output_image_tokens": n,
     *                "output_text_tokens": n } | null,   (billed tokens, for per-token prices)
     *     "seed": 42 | null,                  (the seed the provider actually used)
     *     "error": { "status": <imagegen_status>, "message": "..." } | null,  (when failed)
     *     "ref": <new ref> }                  (optional: replaces the persisted ref) }
     * A failed call (non-OK return) means "could not learn the state", not "the job failed".
     * The host checks every poll result (from submit, poll and reconcile) before acting on
     * it: a JSON object of at most the JSON size limit, "schema" 1 if present, "state" one of
     * the six values, the numbers numbers (or null), "outputs" at most num_outputs entries
     * with distinct "index" values in 0..num_outputs-1. A result that breaks this is a
     * plugin error: the job fails at once as "plugin_error", naming the plugin and what was
     * wrong (logged, counted against the circuit, never re-polled, nothing fetched).
     * "progress" is clamped to 0..1 and "next_poll_ms" to 20..10000.
     * err is never NULL (see top). */
    /* THREADS: [any-thread] [instance-serialised] [blocking] */
    imagegen_status (*poll)(const imagegen_plugin *plugin, imagegen_instance *instance,
                            const char *ref_json, size_t ref_len,
                            imagegen_output *out, imagegen_error *err);

    /* Fetch the bytes of output `index` of a succeeded job. *out holds the encoded image as
     * the provider returned it (PNG, JPEG, WebP). NOT_FOUND when it expired.
     * out->size is checked against the image limit (imaging.limits.maxBytes, 40 MiB by
     * default) BEFORE the host reads a byte: a larger size fails the job as "plugin_error"
     * naming the size, and the output is still released. The host fetches only indexes its
     * checked poll result listed.
     * err is never NULL (see top). */
    /* THREADS: [any-thread] [instance-serialised] [blocking] */
    imagegen_status (*fetch)(const imagegen_plugin *plugin, imagegen_instance *instance,
                             const char *ref_json, size_t ref_len, uint32_t index,
                             imagegen_output *out, imagegen_error *err);

    /* Ask the provider to cancel a job. Idempotent; OK when the job is cancelled or already
     * finished. May race with completion: poll tells the truth afterwards.
     * err is never NULL (see top). */
    /* THREADS: [any-thread] [instance-serialised] [blocking] */
    imagegen_status (*cancel)(const imagegen_plugin *plugin, imagegen_instance *instance,
                              const char *ref_json, size_t ref_len, imagegen_error *err);

    /* Give back an output that submit/poll/fetch (or balance/reconcile) returned with OK.
     * Exactly once per output, on the thread that made the call, right after it returned and
     * the host copied the bytes; always before destroy() of that instance and before
     * shutdown(). Releases of outputs of different instances (or of a "thread_safe" plugin's
     * concurrent calls) may run at the same time. */
    /* THREADS: [on-call-thread] [once] */
    void (*release)(const imagegen_plugin *plugin, imagegen_output *output);

    /* The host is done with this plugin copy (it is being replaced or removed, or the host is
     * exiting): every instance has been destroyed, every output released, and no call is in
     * flight. Join any thread you started; the image stays mapped but is never called again.
     * Called once, on no particular thread: the thread that
     * retires the copy if it is already drained (the plugins-folder rescan, or host exit),
     * otherwise the thread whose call was the last one in flight, right after that call
     * returned (a plugin-call thread or a Swift async executor thread); never from inside a
     * call into the plugin. At host exit the host stops its jobs (unfinished ones are parked
     * for the next start) and then retires every copy, so shutdown runs once the calls in
     * flight have returned. It is not called while a call never returns, nor when the process
     * is killed or crashes, so do not rely on it to persist anything. */
    /* THREADS: [any-thread] [drained] [once] */
    void (*shutdown)(const imagegen_plugin *plugin);

    /* Optional capabilities by id ("imagegen.<name>/<rev>", or reverse-DNS for third
     * parties); NULL when unknown.
     * Known ids: "imagegen.balance/1" -> imagegen_balance_extension,
     *            "imagegen.reconcile/1" -> imagegen_reconcile_extension.
     * The host asks again before every use (it does not cache the answer), from Swift async
     * executor threads too, inside the drain accounting of the other calls: never concurrently
     * with destroy()/shutdown() and never after shutdown(). Answer from static data only
     * (return pointers to static tables): the answer is used after the lookup returned. */
    /* THREADS: [any-thread] [thread-safe] */
    const void *(*get_extension)(const imagegen_plugin *plugin, const char *id);
};

/* ------------------------------------------------------------------------------------------ */
/* Extensions                                                                                  */
/* ------------------------------------------------------------------------------------------ */

#define IMAGEGEN_EXT_BALANCE "imagegen.balance/1"

/* "imagegen.balance/1": the provider account's remaining credit, for quota alerts.
 * balance() writes { "schema": 1, "credits": 12.5, "unit": "credits" | "usd" } into *out
 * (released with plugin->release). err is never NULL (see top). */
typedef struct imagegen_balance_extension {
    imagegen_table_header header;
    /* THREADS: [any-thread] [instance-serialised] [blocking] */
    imagegen_status (*balance)(const imagegen_plugin *plugin, imagegen_instance *instance,
                               imagegen_output *out, imagegen_error *err);
} imagegen_balance_extension;

#define IMAGEGEN_EXT_RECONCILE "imagegen.reconcile/1"

/* "imagegen.reconcile/1": does the provider already have a job for this host job id?
 * The host calls it for a job it finds, after a restart, in its "submitting" state: the intent
 * to submit was committed but no answer was, so the provider may or may not have the job.
 * Without this extension such a job fails as submit_outcome_unknown (or is sent again when
 * "idempotent_submit" is declared). Only providers that can look a job up by an id the client
 * chose (ComfyUI's prompt_id) can offer it.
 * request_json is the request submit() would get: the same job_id, model and parameters.
 * reconcile() must not start any work at the provider. Returns:
 *   OK         the provider has the job: *out holds a POLL RESULT with "ref", exactly what
 *              submit() would have returned (the host commits the ref, then polls it). The
 *              plugin releases *out through release(), as for submit;
 *   NOT_FOUND  the provider has no job for this job_id, and the interrupted attempt can no
 *              longer create one: the host submits the job again, normally (it may go to any
 *              provider);
 *   anything else: the answer is unknown (provider unreachable...): the host may ask again
 *              later, and otherwise keeps its old behaviour.
 * err is never NULL (see top). */
typedef struct imagegen_reconcile_extension {
    imagegen_table_header header;
    /* THREADS: [any-thread] [instance-serialised] [blocking] */
    imagegen_status (*reconcile)(const imagegen_plugin *plugin, imagegen_instance *instance,
                                 const char *request_json, size_t request_len,
                                 imagegen_output *out, imagegen_error *err);
} imagegen_reconcile_extension;

/* ------------------------------------------------------------------------------------------ */
/* Entry point                                                                                 */
/* ------------------------------------------------------------------------------------------ */

/* The one exported function. Called once per loaded copy, on the loading thread, before
 * anything else.
 * host stays valid until shutdown() returns. Return the plugin's table (static storage, or
 * storage that lives until shutdown), or NULL to refuse (log why through host->log first).
 * A plugin may read host->header to refuse a host that is too old for it. */
/* THREADS: [load-thread] [once] */
typedef const imagegen_plugin *(*imagegen_plugin_entry_v1_fn)(const imagegen_host *host);

IMAGEGEN_EXPORT const imagegen_plugin *imagegen_plugin_entry_v1(const imagegen_host *host);

#ifdef __cplusplus
}
#endif

#endif /* IMAGEGEN_PLUGIN_H */
