/*
 * The part of the C2PA C library (c2pa-rs's c2pa_c_ffi; libc2pa_c.so inside the c2pa-python wheel)
 * that imagegen uses, declared as function-pointer types: the host never links the library, it
 * dlopens it at run time and dlsyms each symbol into these types (Sources/ContentCredentials).
 * Signatures follow contentauth/c2pa-c include/c2pa.h (cbindgen output) for c2pa-rs 0.91.
 */
#ifndef IMAGEGEN_C2PA_LOADER_H
#define IMAGEGEN_C2PA_LOADER_H

#include <stdint.h>

typedef struct C2paBuilder C2paBuilder;
typedef struct C2paSigner C2paSigner;
typedef struct C2paStream C2paStream;
/* Opaque to the library: it only hands it back to the callbacks. */
typedef struct StreamContext StreamContext;

/* Seek origin for SeekCallback: 0 start, 1 current, 2 end. */
typedef int C2paSeekMode;

/* Each returns bytes read/written, the new position, or 0; a negative value is an error. */
typedef intptr_t (*C2paReadCallback)(StreamContext *context, uint8_t *data, intptr_t len);
typedef intptr_t (*C2paSeekCallback)(StreamContext *context, intptr_t offset, C2paSeekMode mode);
typedef intptr_t (*C2paWriteCallback)(StreamContext *context, const uint8_t *data, intptr_t len);
typedef intptr_t (*C2paFlushCallback)(StreamContext *context);

/* The signer's configuration: algorithm name ("es256", "ps256", "ed25519", ...), the certificate
 * chain and the private key as PEM text, and an optional RFC 3161 time-stamp authority URL. */
typedef struct C2paSignerInfo {
    const char *alg;
    const char *sign_cert;
    const char *private_key;
    const char *ta_url;
} C2paSignerInfo;

typedef char *(*c2pa_version_fn)(void);
/* The calling thread's last error (NULL when none); free with c2pa_string_free. */
typedef char *(*c2pa_error_fn)(void);
typedef void (*c2pa_string_free_fn)(char *s);

typedef C2paStream *(*c2pa_create_stream_fn)(StreamContext *context, C2paReadCallback reader,
                                             C2paSeekCallback seeker, C2paWriteCallback writer,
                                             C2paFlushCallback flusher);
typedef void (*c2pa_release_stream_fn)(C2paStream *stream);

typedef void (*c2pa_builder_free_fn)(C2paBuilder *builder);
/* Returns the manifest's size, or -1 (see c2pa_error). manifest_bytes must not be NULL (c2pa-rs
 * 0.91 refuses it); free what it receives with c2pa_manifest_bytes_free. */
typedef int64_t (*c2pa_builder_sign_fn)(C2paBuilder *builder, const char *format, C2paStream *source,
                                        C2paStream *dest, C2paSigner *signer, const unsigned char **manifest_bytes);
typedef void (*c2pa_manifest_bytes_free_fn)(const unsigned char *manifest_bytes);

/* Settings and contexts: per-builder configuration (the thumbnail switch). Free settings and
 * contexts with c2pa_free; c2pa_context_builder_build consumes its builder, and
 * c2pa_builder_with_definition consumes the builder it is given and returns a new one. */
typedef struct C2paSettings C2paSettings;
typedef struct C2paContextBuilder C2paContextBuilder;
typedef struct C2paContext C2paContext;
typedef int (*c2pa_free_fn)(const void *ptr);
typedef C2paSettings *(*c2pa_settings_new_fn)(void);
typedef int (*c2pa_settings_update_from_string_fn)(C2paSettings *settings, const char *text, const char *format);
typedef C2paContextBuilder *(*c2pa_context_builder_new_fn)(void);
typedef int (*c2pa_context_builder_set_settings_fn)(C2paContextBuilder *builder, C2paSettings *settings);
typedef C2paContext *(*c2pa_context_builder_build_fn)(C2paContextBuilder *builder);
typedef C2paBuilder *(*c2pa_builder_from_context_fn)(C2paContext *context);
typedef C2paBuilder *(*c2pa_builder_with_definition_fn)(C2paBuilder *builder, const char *manifest_json);

typedef C2paSigner *(*c2pa_signer_from_info_fn)(const C2paSignerInfo *info);
typedef void (*c2pa_signer_free_fn)(const C2paSigner *signer);

#endif
