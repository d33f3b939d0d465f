// The wrappers declared in include/cvips.h, each calling libvips through the pointer table of
// cvips_symbols.h (CV(name) loads the libraries first if nobody has yet).
#define _GNU_SOURCE
#include "cvips_symbols.h"
#include <dlfcn.h>
#include <malloc.h>
#include <string.h>

// The enums Swift sees in include/cvips.h must carry libvips' values.
_Static_assert(VIPS_ACCESS_SEQUENTIAL == 1 && VIPS_FAIL_ON_ERROR == 2, "VipsAccess / VipsFailOn");
_Static_assert(VIPS_FORMAT_UCHAR == 0 && VIPS_FORMAT_USHORT == 2 && VIPS_FORMAT_UINT == 4 && VIPS_FORMAT_DOUBLE == 8, "VipsBandFormat");
_Static_assert(VIPS_INTERPRETATION_B_W == 1 && VIPS_INTERPRETATION_LAB == 13 && VIPS_INTERPRETATION_sRGB == 22 &&
               VIPS_INTERPRETATION_RGB16 == 25 && VIPS_INTERPRETATION_GREY16 == 26 && VIPS_INTERPRETATION_HSV == 29, "VipsInterpretation");
_Static_assert(VIPS_KERNEL_LINEAR == 1 && VIPS_KERNEL_LANCZOS3 == 5, "VipsKernel");
_Static_assert(sizeof(GType) == sizeof(unsigned long) && sizeof(gboolean) == sizeof(int), "GLib scalar types");

// MARK: - Process set-up

int cvips_tune_malloc(int arena_max, int mmap_threshold, int trim_threshold) {
    int refused = 0;
    if (arena_max > 0 && !mallopt(M_ARENA_MAX, arena_max)) refused++;
    if (mmap_threshold > 0 && !mallopt(M_MMAP_THRESHOLD, mmap_threshold)) refused++;
    if (trim_threshold > 0 && !mallopt(M_TRIM_THRESHOLD, trim_threshold)) refused++;
    return refused; }
int cvips_init(const char *argv0) { return CV(vips_init)(argv0); }
void cvips_block_untrusted_set(gboolean state) { CV(vips_block_untrusted_set)(state); }
void cvips_vector_set_enabled(gboolean enabled) { CV(vips_vector_set_enabled)(enabled); }
gboolean cvips_vector_isenabled(void) { return CV(vips_vector_isenabled)(); }
void cvips_concurrency_set(int concurrency) { CV(vips_concurrency_set)(concurrency); }
void cvips_cache_set_max(int max) { CV(vips_cache_set_max)(max); }
void cvips_cache_set_max_mem(size_t max_mem) { CV(vips_cache_set_max_mem)(max_mem); }
void cvips_cache_set_max_files(int max_files) { CV(vips_cache_set_max_files)(max_files); }
GType cvips_type_find(const char *basename, const char *nickname) { return CV(vips_type_find)(basename, nickname); }
size_t cvips_tracked_get_mem(void) { return CV(vips_tracked_get_mem)(); }
size_t cvips_tracked_get_mem_highwater(void) { return CV(vips_tracked_get_mem_highwater)(); }

static void drop_log_message(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data) {
    (void) domain; (void) level; (void) message; (void) data; }
void cvips_silence_warnings(void) { CV(g_log_set_handler)("VIPS", G_LOG_LEVEL_WARNING, drop_log_message, NULL); }

/// `vips-modules-X.Y` beside the libvips shared library this process loaded (found with dladdr).
char *cvips_module_path(const char *name) {
    Dl_info info;
    if (!dladdr((const void *) CV(vips_init), &info) || !info.dli_fname) return NULL;
    char *library_dir = CV(g_path_get_dirname)(info.dli_fname);
    char *path = CV(g_strdup_printf)("%s/vips-modules-%d.%d/vips-%s.so", library_dir,
                                     CV(vips_version)(0), CV(vips_version)(1), name);
    CV(g_free)(library_dir);
    return path; }

/// The module is loaded the way vips_init loads modules: g_module_open runs its
/// g_module_check_init, which registers the operations, under GModule's lock (so concurrent
/// first uses wait for one load), and it is made resident because registered types can never
/// be unloaded.
int cvips_require_heif(void) {
    if (CV(vips_type_find)("VipsOperation", "heifload_buffer")) return 0;
    char *path = cvips_module_path("heif");
    if (!path) { CV(vips_error)("heif", "%s", "libvips' module directory is unknown"); return -1; }
    GModule *module = CV(g_module_open)(path, G_MODULE_BIND_LAZY);
    if (!module) { CV(vips_error)("heif", "unable to load \"%s\": %s", path, CV(g_module_error)()); CV(g_free)(path); return -1; }
    CV(g_free)(path);
    CV(g_module_make_resident)(module);
    return CV(vips_type_find)("VipsOperation", "heifload_buffer") ? 0 : -1; }

// MARK: - Memory and errors

void cvips_g_free(void *memory) { CV(g_free)(memory); }
void cvips_g_strfreev(gchar **strings) { CV(g_strfreev)(strings); }
void cvips_WebPFree(void *memory) { CV(WebPFree)(memory); }
char *cvips_error_buffer_copy(void) { return CV(vips_error_buffer_copy)(); }

// MARK: - Images and their metadata

void cvips_unref(VipsImage *image) { if (image) CV(g_object_unref)(image); }
/// Reads GObject's public ref_count field directly (G_OBJECT() would call a GLib type check).
gboolean cvips_is_sole_reference(VipsImage *image) { return ((GObject *) image)->ref_count == 1; }
int cvips_image_get_width(const VipsImage *image) { return CV(vips_image_get_width)(image); }
int cvips_image_get_height(const VipsImage *image) { return CV(vips_image_get_height)(image); }
int cvips_image_get_bands(const VipsImage *image) { return CV(vips_image_get_bands)(image); }
VipsBandFormat cvips_image_get_format(const VipsImage *image) { return CV(vips_image_get_format)(image); }
VipsInterpretation cvips_image_get_interpretation(const VipsImage *image) { return CV(vips_image_get_interpretation)(image); }
int cvips_image_get_orientation(VipsImage *image) { return CV(vips_image_get_orientation)(image); }
gboolean cvips_image_hasalpha(VipsImage *image) { return CV(vips_image_hasalpha)(image); }
GType cvips_image_get_typeof(const VipsImage *image, const char *name) { return CV(vips_image_get_typeof)(image, name); }
gchar **cvips_image_get_fields(VipsImage *image) { return CV(vips_image_get_fields)(image); }
gboolean cvips_image_remove(VipsImage *image, const char *name) { return CV(vips_image_remove)(image, name); }
void cvips_image_set_blob_copy(VipsImage *image, const char *name, const void *data, size_t length) {
    CV(vips_image_set_blob_copy)(image, name, data, length); }
void cvips_image_set_double(VipsImage *image, const char *name, double value) { CV(vips_image_set_double)(image, name, value); }
void cvips_image_set_int(VipsImage *image, const char *name, int value) { CV(vips_image_set_int)(image, name, value); }
void cvips_image_set_string(VipsImage *image, const char *name, const char *value) { CV(vips_image_set_string)(image, name, value); }
const void *cvips_image_get_data(VipsImage *image) { return CV(vips_image_get_data)(image); }
void *cvips_image_write_to_memory(VipsImage *image, size_t *size) { return CV(vips_image_write_to_memory)(image, size); }
VipsImage *cvips_image_copy_memory(VipsImage *image) { return CV(vips_image_copy_memory)(image); }
VipsImage *cvips_image_new_from_memory_copy(const void *data, size_t size, int width, int height, int bands, VipsBandFormat format) {
    return CV(vips_image_new_from_memory_copy)(data, size, width, height, bands, format); }
VipsImage *cvips_image_new_matrix_from_array(int width, int height, const double *array, int size) {
    return CV(vips_image_new_matrix_from_array)(width, height, array, size); }
uint64_t cvips_format_sizeof(VipsBandFormat format) { return CV(vips_format_sizeof)(format); }

// MARK: - Loading from memory

int cvips_pngload_buffer(void *buf, size_t len, VipsImage **out, VipsAccess access, VipsFailOn fail_on) {
    return CV(vips_pngload_buffer)(buf, len, out, "access", access, "fail_on", fail_on, NULL); }
int cvips_jpegload_buffer(void *buf, size_t len, VipsImage **out, VipsAccess access, VipsFailOn fail_on) {
    return CV(vips_jpegload_buffer)(buf, len, out, "access", access, "fail_on", fail_on, NULL); }
int cvips_jpegload_buffer_shrink(void *buf, size_t len, VipsImage **out, VipsAccess access, VipsFailOn fail_on, int shrink) {
    return CV(vips_jpegload_buffer)(buf, len, out, "access", access, "fail_on", fail_on, "shrink", shrink, NULL); }
int cvips_webpload_buffer(void *buf, size_t len, VipsImage **out, VipsAccess access, VipsFailOn fail_on) {
    return CV(vips_webpload_buffer)(buf, len, out, "access", access, "fail_on", fail_on, NULL); }
int cvips_webpload_buffer_scale(void *buf, size_t len, VipsImage **out, VipsAccess access, VipsFailOn fail_on, double scale) {
    return CV(vips_webpload_buffer)(buf, len, out, "access", access, "fail_on", fail_on, "scale", scale, NULL); }
int cvips_heifload_buffer(void *buf, size_t len, VipsImage **out, VipsAccess access, VipsFailOn fail_on) {
    if (cvips_require_heif()) return -1;
    return CV(vips_heifload_buffer)(buf, len, out, "access", access, "fail_on", fail_on, NULL); }

// MARK: - Colour and geometry

int cvips_autorot(VipsImage *in, VipsImage **out) { return CV(vips_autorot)(in, out, NULL); }
int cvips_icc_to_srgb(VipsImage *in, VipsImage **out) {
    return CV(vips_icc_transform)(in, out, "srgb", "embedded", TRUE, "intent", VIPS_INTENT_PERCEPTUAL, NULL); }
int cvips_colourspace(VipsImage *in, VipsImage **out, VipsInterpretation space) { return CV(vips_colourspace)(in, out, space, NULL); }
int cvips_cast(VipsImage *in, VipsImage **out, VipsBandFormat format) { return CV(vips_cast)(in, out, format, NULL); }
int cvips_flatten(VipsImage *in, VipsImage **out, double r, double g, double b) {
    VipsArrayDouble *bg = CV(vips_array_double_newv)(3, r, g, b);
    int rc = CV(vips_flatten)(in, out, "background", bg, NULL);
    CV(vips_area_unref)(VIPS_AREA(bg));
    return rc; }
int cvips_copy(VipsImage *in, VipsImage **out) { return CV(vips_copy)(in, out, NULL); }
int cvips_extract_band(VipsImage *in, VipsImage **out, int band, int n) { return CV(vips_extract_band)(in, out, band, "n", n, NULL); }
int cvips_extract_area(VipsImage *in, VipsImage **out, int left, int top, int width, int height) {
    return CV(vips_extract_area)(in, out, left, top, width, height, NULL); }
int cvips_recomb(VipsImage *in, VipsImage **out, VipsImage *matrix) { return CV(vips_recomb)(in, out, matrix, NULL); }
int cvips_bandjoin2(VipsImage *a, VipsImage *b, VipsImage **out) { return CV(vips_bandjoin2)(a, b, out, NULL); }
int cvips_resize(VipsImage *in, VipsImage **out, double hscale, double vscale, VipsKernel kernel, double gap) {
    return CV(vips_resize)(in, out, hscale, "vscale", vscale, "kernel", kernel, "gap", gap, NULL); }

// MARK: - Arithmetic, filters, statistics

int cvips_linear(VipsImage *in, VipsImage **out, const double *a, const double *b, int n, gboolean uchar) {
    return CV(vips_linear)(in, out, a, b, n, "uchar", uchar, NULL); }
int cvips_maplut(VipsImage *in, VipsImage **out, VipsImage *lut) { return CV(vips_maplut)(in, out, lut, NULL); }
int cvips_conv_integer(VipsImage *in, VipsImage **out, VipsImage *mask) {
    return CV(vips_conv)(in, out, mask, "precision", VIPS_PRECISION_INTEGER, NULL); }
int cvips_conv_float(VipsImage *in, VipsImage **out, VipsImage *mask) {
    return CV(vips_conv)(in, out, mask, "precision", VIPS_PRECISION_FLOAT, NULL); }
int cvips_rank(VipsImage *in, VipsImage **out, int size, int index) { return CV(vips_rank)(in, out, size, size, index, NULL); }
int cvips_gaussblur(VipsImage *in, VipsImage **out, double sigma) { return CV(vips_gaussblur)(in, out, sigma, NULL); }
int cvips_subtract(VipsImage *a, VipsImage *b, VipsImage **out) { return CV(vips_subtract)(a, b, out, NULL); }
int cvips_add(VipsImage *a, VipsImage *b, VipsImage **out) { return CV(vips_add)(a, b, out, NULL); }
int cvips_abs(VipsImage *in, VipsImage **out) { return CV(vips_abs)(in, out, NULL); }
int cvips_avg(VipsImage *in, double *out) { return CV(vips_avg)(in, out, NULL); }
int cvips_deviate(VipsImage *in, double *out) { return CV(vips_deviate)(in, out, NULL); }
int cvips_hist_find(VipsImage *in, VipsImage **out) { return CV(vips_hist_find)(in, out, NULL); }
int cvips_gaussnoise(VipsImage **out, int width, int height, double mean, double sigma, int seed) {
    return CV(vips_gaussnoise)(out, width, height, "mean", mean, "sigma", sigma, "seed", seed, NULL); }

// MARK: - Encoding to memory

int cvips_jpegsave_buffer(VipsImage *in, void **buf, size_t *len, int quality, gboolean interlace, gboolean strip) {
    return CV(vips_jpegsave_buffer)(in, buf, len, "Q", quality, "interlace", interlace,
                                    "optimize_coding", TRUE, "strip", strip, NULL); }
int cvips_webpsave_memory(VipsImage *in, void **buf, size_t *len, int quality, int method) {
    if ((in->dtype != VIPS_IMAGE_SETBUF && in->dtype != VIPS_IMAGE_SETBUF_FOREIGN) || !in->data ||
        in->BandFmt != VIPS_FORMAT_UCHAR || (in->Bands != 3 && in->Bands != 4)) return 1;
    WebPConfig config;
    // WebPConfigPreset and WebPPictureInit are inline in libwebp's header: their bodies, here.
    if (!CV(WebPConfigInitInternal)(&config, WEBP_PRESET_DEFAULT, (float) quality, WEBP_ENCODER_ABI_VERSION)) {
        CV(vips_error)("webpsave", "%s", "libwebp version mismatch"); return -1; }
    config.method = method;
    config.alpha_quality = 100;
    if (!CV(WebPValidateConfig)(&config)) { CV(vips_error)("webpsave", "%s", "invalid WebP configuration"); return -1; }
    WebPPicture picture;
    if (!CV(WebPPictureInitInternal)(&picture, WEBP_ENCODER_ABI_VERSION)) {
        CV(vips_error)("webpsave", "%s", "libwebp version mismatch"); return -1; }
    WebPMemoryWriter writer;
    CV(WebPMemoryWriterInit)(&writer);
    picture.width = in->Xsize;
    picture.height = in->Ysize;
    picture.use_argb = 0;
    picture.writer = CV(WebPMemoryWrite);
    picture.custom_ptr = &writer;
    int stride = in->Xsize * in->Bands;
    int ok = in->Bands == 4 ? CV(WebPPictureImportRGBA)(&picture, (const uint8_t *) in->data, stride)
                            : CV(WebPPictureImportRGB)(&picture, (const uint8_t *) in->data, stride);
    ok = ok && CV(WebPEncode)(&config, &picture);
    WebPEncodingError error = picture.error_code;
    CV(WebPPictureFree)(&picture);
    if (!ok) {
        CV(WebPMemoryWriterClear)(&writer);
        CV(vips_error)("webpsave", "libwebp failed with error %d", (int) error);
        return -1; }
    *buf = writer.mem;
    *len = writer.size;
    return 0; }
int cvips_webpsave_buffer(VipsImage *in, void **buf, size_t *len, int quality, int effort, gboolean strip) {
    return CV(vips_webpsave_buffer)(in, buf, len, "Q", quality, "effort", effort, "strip", strip, NULL); }
int cvips_avifsave_buffer(VipsImage *in, void **buf, size_t *len, int quality, int effort, gboolean strip) {
    if (cvips_require_heif()) return -1;
    return CV(vips_heifsave_buffer)(in, buf, len, "Q", quality, "effort", effort, "bitdepth", 8,
                                    "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1, "strip", strip, NULL); }

/// Assembles `mux` into a new g_malloc'd buffer (WebPDataClear is inline in libwebp's header:
/// its body, here) and deletes the mux.
static int assemble_mux(WebPMux *mux, void **out, size_t *out_len) {
    WebPData assembled;
    memset(&assembled, 0, sizeof assembled);
    WebPMuxError status = CV(WebPMuxAssemble)(mux, &assembled);
    CV(WebPMuxDelete)(mux);
    if (status != WEBP_MUX_OK) { CV(WebPFree)((void *) assembled.bytes); return -1; }
    *out = CV(g_memdup2)(assembled.bytes, assembled.size);
    *out_len = assembled.size;
    CV(WebPFree)((void *) assembled.bytes);
    return 0; }
int cvips_webp_drop_metadata(const void *in, size_t len, void **out, size_t *out_len) {
    WebPData data = { (const uint8_t *) in, len };
    WebPMux *mux = CV(WebPMuxCreateInternal)(&data, 0, WEBP_MUX_ABI_VERSION);
    if (!mux) return -1;
    CV(WebPMuxDeleteChunk)(mux, "EXIF");
    CV(WebPMuxDeleteChunk)(mux, "XMP ");
    CV(WebPMuxDeleteChunk)(mux, "ICCP");
    return assemble_mux(mux, out, out_len); }
int cvips_webp_set_xmp(const void *in, size_t len, const void *xmp, size_t xmp_len, void **out, size_t *out_len) {
    WebPData data = { (const uint8_t *) in, len };
    WebPMux *mux = CV(WebPMuxCreateInternal)(&data, 0, WEBP_MUX_ABI_VERSION);
    if (!mux) return -1;
    WebPData chunk = { (const uint8_t *) xmp, xmp_len };
    if (CV(WebPMuxSetChunk)(mux, "XMP ", &chunk, 1) != WEBP_MUX_OK) { CV(WebPMuxDelete)(mux); return -1; }
    return assemble_mux(mux, out, out_len); }
int cvips_avifsave_buffer_xmp(VipsImage *in, void **buf, size_t *len, int quality, int effort, const void *xmp, size_t xmp_len) {
    if (cvips_require_heif()) return -1;
    VipsImage *copy;
    if (CV(vips_copy)(in, &copy, NULL)) return -1;
    CV(vips_image_set_blob_copy)(copy, VIPS_META_XMP_NAME, xmp, xmp_len);
    int rc = CV(vips_heifsave_buffer)(copy, buf, len, "Q", quality, "effort", effort, "bitdepth", 8,
                                      "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1, "strip", FALSE, NULL);
    CV(g_object_unref)(copy);
    return rc; }
int cvips_pngsave_buffer(VipsImage *in, void **buf, size_t *len, int compression, gboolean strip) {
    return CV(vips_pngsave_buffer)(in, buf, len, "compression", compression, "strip", strip, NULL); }

// MARK: - Reading back outputs

VipsImage *cvips_load_any_buffer_copy(const void *buf, size_t len) {
    if (cvips_require_heif()) CV(vips_error_clear)();  // AVIF is known even before the host first used it
    VipsImage *lazy = CV(vips_image_new_from_buffer)(buf, len, "", NULL);
    if (!lazy) return NULL;
    VipsImage *memory = CV(vips_image_copy_memory)(lazy);
    CV(g_object_unref)(lazy);
    return memory; }
