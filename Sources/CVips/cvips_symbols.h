// Private to the CVips target: libvips' real headers, and the table of functions loaded at run time.
#ifndef CVIPS_SYMBOLS_H
#define CVIPS_SYMBOLS_H

#define CVIPS_IMPLEMENTATION
#include <vips/vips.h>
#include <vips/vector.h>
#include <gmodule.h>
#include <webp/encode.h>
#include <webp/mux.h>
#include "include/cvips.h"

enum { CVIPS_LIB_VIPS = 0, CVIPS_LIB_WEBP = 1, CVIPS_LIB_WEBPMUX = 2 };

/// Every library function cvips.c calls. GLib's are found through libvips (its dependencies).
#define CVIPS_SYMBOLS(X) \
    X(CVIPS_LIB_VIPS, vips_init) X(CVIPS_LIB_VIPS, vips_version) X(CVIPS_LIB_VIPS, vips_block_untrusted_set) \
    X(CVIPS_LIB_VIPS, vips_vector_set_enabled) X(CVIPS_LIB_VIPS, vips_vector_isenabled) \
    X(CVIPS_LIB_VIPS, vips_concurrency_set) X(CVIPS_LIB_VIPS, vips_cache_set_max) \
    X(CVIPS_LIB_VIPS, vips_cache_set_max_mem) X(CVIPS_LIB_VIPS, vips_cache_set_max_files) \
    X(CVIPS_LIB_VIPS, vips_type_find) X(CVIPS_LIB_VIPS, vips_tracked_get_mem) \
    X(CVIPS_LIB_VIPS, vips_tracked_get_mem_highwater) X(CVIPS_LIB_VIPS, vips_error) \
    X(CVIPS_LIB_VIPS, vips_error_clear) X(CVIPS_LIB_VIPS, vips_error_buffer_copy) \
    X(CVIPS_LIB_VIPS, vips_image_get_width) X(CVIPS_LIB_VIPS, vips_image_get_height) \
    X(CVIPS_LIB_VIPS, vips_image_get_bands) X(CVIPS_LIB_VIPS, vips_image_get_format) \
    X(CVIPS_LIB_VIPS, vips_image_get_interpretation) X(CVIPS_LIB_VIPS, vips_image_get_orientation) \
    X(CVIPS_LIB_VIPS, vips_image_hasalpha) X(CVIPS_LIB_VIPS, vips_image_get_typeof) \
    X(CVIPS_LIB_VIPS, vips_image_get_fields) X(CVIPS_LIB_VIPS, vips_image_remove) \
    X(CVIPS_LIB_VIPS, vips_image_set_blob_copy) X(CVIPS_LIB_VIPS, vips_image_set_double) \
    X(CVIPS_LIB_VIPS, vips_image_set_int) X(CVIPS_LIB_VIPS, vips_image_set_string) \
    X(CVIPS_LIB_VIPS, vips_image_get_data) X(CVIPS_LIB_VIPS, vips_image_write_to_memory) \
    X(CVIPS_LIB_VIPS, vips_image_copy_memory) X(CVIPS_LIB_VIPS, vips_image_new_from_memory_copy) \
    X(CVIPS_LIB_VIPS, vips_image_new_matrix_from_array) X(CVIPS_LIB_VIPS, vips_image_new_from_buffer) \
    X(CVIPS_LIB_VIPS, vips_format_sizeof) X(CVIPS_LIB_VIPS, vips_array_double_newv) \
    X(CVIPS_LIB_VIPS, vips_area_unref) \
    X(CVIPS_LIB_VIPS, vips_pngload_buffer) X(CVIPS_LIB_VIPS, vips_jpegload_buffer) \
    X(CVIPS_LIB_VIPS, vips_webpload_buffer) X(CVIPS_LIB_VIPS, vips_heifload_buffer) \
    X(CVIPS_LIB_VIPS, vips_autorot) X(CVIPS_LIB_VIPS, vips_icc_transform) X(CVIPS_LIB_VIPS, vips_colourspace) \
    X(CVIPS_LIB_VIPS, vips_cast) X(CVIPS_LIB_VIPS, vips_flatten) X(CVIPS_LIB_VIPS, vips_copy) \
    X(CVIPS_LIB_VIPS, vips_extract_band) X(CVIPS_LIB_VIPS, vips_extract_area) X(CVIPS_LIB_VIPS, vips_recomb) \
    X(CVIPS_LIB_VIPS, vips_bandjoin2) X(CVIPS_LIB_VIPS, vips_resize) X(CVIPS_LIB_VIPS, vips_linear) \
    X(CVIPS_LIB_VIPS, vips_maplut) X(CVIPS_LIB_VIPS, vips_conv) X(CVIPS_LIB_VIPS, vips_rank) \
    X(CVIPS_LIB_VIPS, vips_gaussblur) X(CVIPS_LIB_VIPS, vips_subtract) X(CVIPS_LIB_VIPS, vips_add) \
    X(CVIPS_LIB_VIPS, vips_abs) X(CVIPS_LIB_VIPS, vips_avg) X(CVIPS_LIB_VIPS, vips_deviate) \
    X(CVIPS_LIB_VIPS, vips_hist_find) X(CVIPS_LIB_VIPS, vips_gaussnoise) \
    X(CVIPS_LIB_VIPS, vips_jpegsave_buffer) X(CVIPS_LIB_VIPS, vips_webpsave_buffer) \
    X(CVIPS_LIB_VIPS, vips_heifsave_buffer) X(CVIPS_LIB_VIPS, vips_pngsave_buffer) \
    X(CVIPS_LIB_VIPS, g_object_unref) X(CVIPS_LIB_VIPS, g_log_set_handler) X(CVIPS_LIB_VIPS, g_free) \
    X(CVIPS_LIB_VIPS, g_strfreev) X(CVIPS_LIB_VIPS, g_memdup2) X(CVIPS_LIB_VIPS, g_path_get_dirname) \
    X(CVIPS_LIB_VIPS, g_strdup_printf) X(CVIPS_LIB_VIPS, g_module_open) X(CVIPS_LIB_VIPS, g_module_error) \
    X(CVIPS_LIB_VIPS, g_module_make_resident) \
    X(CVIPS_LIB_WEBP, WebPConfigInitInternal) X(CVIPS_LIB_WEBP, WebPValidateConfig) \
    X(CVIPS_LIB_WEBP, WebPPictureInitInternal) X(CVIPS_LIB_WEBP, WebPMemoryWriterInit) \
    X(CVIPS_LIB_WEBP, WebPMemoryWrite) X(CVIPS_LIB_WEBP, WebPMemoryWriterClear) \
    X(CVIPS_LIB_WEBP, WebPPictureImportRGB) X(CVIPS_LIB_WEBP, WebPPictureImportRGBA) \
    X(CVIPS_LIB_WEBP, WebPEncode) X(CVIPS_LIB_WEBP, WebPPictureFree) X(CVIPS_LIB_WEBP, WebPFree) \
    X(CVIPS_LIB_WEBPMUX, WebPMuxCreateInternal) X(CVIPS_LIB_WEBPMUX, WebPMuxDeleteChunk) \
    X(CVIPS_LIB_WEBPMUX, WebPMuxSetChunk) X(CVIPS_LIB_WEBPMUX, WebPMuxAssemble) X(CVIPS_LIB_WEBPMUX, WebPMuxDelete)

#define CVIPS_DECLARE(library, name) extern __typeof__(name) *cvips_p_##name;
CVIPS_SYMBOLS(CVIPS_DECLARE)
#undef CVIPS_DECLARE

/// Loads the libraries on first use, or stops the process with the reason (see cvips_load.c).
void cvips_require_loaded(void);
/// The loaded function `name` (the libraries are loaded first if they are not yet).
#define CV(name) (cvips_require_loaded(), cvips_p_##name)

#endif
