// Opens libvips, GLib and libwebp with dlopen and resolves the functions cvips.c calls.
// Each function pointer is declared with the type of libvips' own prototype (__typeof__ of the
// declaration in its headers), so the compiler checks every call as if it were linked.
#define _GNU_SOURCE
#include "cvips_symbols.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define CVIPS_DEFINE(library, name) __typeof__(name) *cvips_p_##name;
CVIPS_SYMBOLS(CVIPS_DEFINE)

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static atomic_int loaded;
static char load_failure[512];

/// Libraries are opened by soname (the runtime package's file, not the -dev symlink) and never
/// closed: GLib types registered by libvips can never be unregistered.
static void *open_library(const char *soname) {
    void *handle = dlopen(soname, RTLD_NOW | RTLD_GLOBAL);
    if (!handle) {
        const char *reason = dlerror();
        snprintf(load_failure, sizeof load_failure,
                 "%s could not be loaded (%s): install libvips42 and libwebpmux3 (scripts/install-deps.sh does)",
                 soname, reason ? reason : "no reason given");
    }
    return handle;
}

static void load_all(void) {
    void *handles[3];
    handles[CVIPS_LIB_VIPS] = open_library("libvips.so.42");
    if (!handles[CVIPS_LIB_VIPS]) return;
    handles[CVIPS_LIB_WEBP] = open_library("libwebp.so.7");
    if (!handles[CVIPS_LIB_WEBP]) return;
    handles[CVIPS_LIB_WEBPMUX] = open_library("libwebpmux.so.3");
    if (!handles[CVIPS_LIB_WEBPMUX]) return;
    static const char *const names[] = { "libvips.so.42", "libwebp.so.7", "libwebpmux.so.3" };
#define CVIPS_RESOLVE(library, name)                                                          \
    cvips_p_##name = (__typeof__(name) *) dlsym(handles[library], #name);                     \
    if (!cvips_p_##name) {                                                                    \
        snprintf(load_failure, sizeof load_failure,                                           \
                 "%s has no function %s: libvips 8.14 or newer is needed", names[library], #name); \
        return;                                                                               \
    }
    CVIPS_SYMBOLS(CVIPS_RESOLVE)
    atomic_store_explicit(&loaded, 1, memory_order_release);
}

int cvips_load(char *reason, size_t reason_size) {
    pthread_once(&load_once, load_all);
    if (atomic_load_explicit(&loaded, memory_order_acquire)) return 0;
    if (reason && reason_size) snprintf(reason, reason_size, "%s", load_failure);
    return -1;
}

int cvips_is_loaded(void) { return atomic_load_explicit(&loaded, memory_order_acquire); }

void cvips_require_loaded(void) {
    if (cvips_is_loaded()) return;
    char reason[512];
    if (cvips_load(reason, sizeof reason) == 0) return;
    // Only reachable when code calls an image function without starting VipsRuntime first
    // (which reports a failed load as an error): a programming error, not bad input.
    fprintf(stderr, "imagegen: image work without libvips: %s\n", reason);
    abort();
}
