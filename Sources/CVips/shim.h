#include <dlfcn.h>
#include <malloc.h>
#include <vips/vips.h>
#include <vips/vector.h>
#include <webp/encode.h>
#include <webp/mux.h>
// libvips' C API is variadic; Swift cannot call variadic functions, so every call the
// host makes goes through a typed static inline wrapper here. Each wrapper fixes the
// optional arguments it passes, so the option names and C types are checked by the
// compiler here instead of being guessed at run time. Non-variadic libvips functions
// (vips_init, vips_image_get_width, vips_image_copy_memory, ...) are called directly.
// Every wrapper returns 0 on success and -1 on failure (the reason is in vips_error_buffer).

static inline void cvips_unref(VipsImage *im) { if (im) g_object_unref(im); }
/// True when the caller holds the only reference, so changing the image's metadata cannot
/// affect anyone else.
static inline gboolean cvips_is_sole_reference(VipsImage *im) { return G_OBJECT(im)->ref_count == 1; }

/// libvips reports recoverable decoder problems ("not enough data", ...) as GLib warnings on
/// stderr, once per tile. The host turns those problems into errors with `fail_on`, so the
/// warnings are only noise: this drops the "VIPS" log domain's warnings.
static void cvips_drop_log_message(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data) {
    (void) domain; (void) level; (void) message; (void) data; }
static inline void cvips_silence_warnings(void) {
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, cvips_drop_log_message, NULL); }

// MARK: - Process set-up (VipsRuntime, once per process)

/// glibc malloc settings for an image-processing process (see `MallocTuning`): `arena_max`
/// arenas at most, and fixed mmap and trim thresholds in bytes (setting either stops glibc
/// from moving them). A value of 0 leaves that setting alone. Returns how many settings glibc
/// refused.
static inline int cvips_tune_malloc(int arena_max, int mmap_threshold, int trim_threshold) {
    int refused = 0;
    if (arena_max > 0 && !mallopt(M_ARENA_MAX, arena_max)) refused++;
    if (mmap_threshold > 0 && !mallopt(M_MMAP_THRESHOLD, mmap_threshold)) refused++;
    if (trim_threshold > 0 && !mallopt(M_TRIM_THRESHOLD, trim_threshold)) refused++;
    return refused; }

/// Full path of libvips' loadable module `vips-<name>.so` (e.g. "heif") where libvips itself
/// looks when VIPSHOME is unset: `vips-modules-X.Y` beside the libvips shared library this
/// process runs (found with dladdr; glibc declares it only under _GNU_SOURCE, which Swift's
/// Glibc module is built without, hence the lookup by name and the local copy of Dl_info's
/// four-pointer layout). Release with g_free; NULL when the library's path is unknown.
typedef struct { const char *file_name; void *file_base; const char *symbol_name; void *symbol_address; } cvips_dl_info;
static inline char *cvips_module_path(const char *name) {
    int (*find)(const void *, cvips_dl_info *) = (int (*)(const void *, cvips_dl_info *)) dlsym(NULL, "dladdr");
    cvips_dl_info info;
    if (!find || !find((const void *) &vips_init, &info) || !info.file_name) return NULL;
    char *library_dir = g_path_get_dirname(info.file_name);
    char *path = g_strdup_printf("%s/vips-modules-%d.%d/vips-%s.so", library_dir, vips_version(0), vips_version(1), name);
    g_free(library_dir);
    return path; }

/// Makes sure libvips' HEIF operations (AVIF in and out) are registered, loading the heif
/// module on first use when vips_init did not (see `VipsModuleSelection`). The module is
/// loaded the way vips_init loads modules: g_module_open runs its g_module_check_init, which
/// registers the operations, under GModule's lock (so concurrent first uses wait for one
/// load), and it is made resident because registered types can never be unloaded.
/// Returns 0 when the operations exist, -1 with the reason in vips_error_buffer.
static inline int cvips_require_heif(void) {
    if (vips_type_find("VipsOperation", "heifload_buffer")) return 0;
    char *path = cvips_module_path("heif");
    if (!path) { vips_error("heif", "%s", "libvips' module directory is unknown"); return -1; }
    GModule *module = g_module_open(path, G_MODULE_BIND_LAZY);
    if (!module) { vips_error("heif", "unable to load \"%s\": %s", path, g_module_error()); g_free(path); return -1; }
    g_free(path);
    g_module_make_resident(module);
    return vips_type_find("VipsOperation", "heifload_buffer") ? 0 : -1; }

// MARK: - Loading from memory (one wrapper per trusted loader; the host never lets libvips
// pick a loader by itself, so untrusted ones such as magickload are never reached).
// `access` is a VipsAccess, `fail_on` a VipsFailOn. The buffer is NOT copied: it must stay
// valid for as long as the returned image (or anything computed from it) is alive.

static inline int cvips_pngload_buffer(void *buf, size_t len, VipsImage **out, VipsAccess access, VipsFailOn fail_on) {
    return vips_pngload_buffer(buf, len, out, "access", access, "fail_on", fail_on, NULL); }
static inline int cvips_jpegload_buffer(void *buf, size_t len, VipsImage **out, VipsAccess access, VipsFailOn fail_on) {
    return vips_jpegload_buffer(buf, len, out, "access", access, "fail_on", fail_on, NULL); }
static inline int cvips_webpload_buffer(void *buf, size_t len, VipsImage **out, VipsAccess access, VipsFailOn fail_on) {
    return vips_webpload_buffer(buf, len, out, "access", access, "fail_on", fail_on, NULL); }
static inline int cvips_heifload_buffer(void *buf, size_t len, VipsImage **out, VipsAccess access, VipsFailOn fail_on) {
    if (cvips_require_heif()) return -1;
    return vips_heifload_buffer(buf, len, out, "access", access, "fail_on", fail_on, NULL); }

// MARK: - Colour and geometry

static inline int cvips_autorot(VipsImage *in, VipsImage **out) { return vips_autorot(in, out, NULL); }
/// Converts from the embedded ICC profile to sRGB (the caller checks a profile is present).
static inline int cvips_icc_to_srgb(VipsImage *in, VipsImage **out) {
    return vips_icc_transform(in, out, "srgb", "embedded", TRUE, "intent", VIPS_INTENT_PERCEPTUAL, NULL); }
static inline int cvips_colourspace(VipsImage *in, VipsImage **out, VipsInterpretation space) {
    return vips_colourspace(in, out, space, NULL); }
static inline int cvips_cast(VipsImage *in, VipsImage **out, VipsBandFormat format) {
    return vips_cast(in, out, format, NULL); }
static inline int cvips_flatten(VipsImage *in, VipsImage **out, double r, double g, double b) {
    VipsArrayDouble *bg = vips_array_double_newv(3, r, g, b);
    int rc = vips_flatten(in, out, "background", bg, NULL);
    vips_area_unref(VIPS_AREA(bg));
    return rc; }
/// A new image sharing `in`'s pixels (nothing is copied), whose metadata the caller may change.
static inline int cvips_copy(VipsImage *in, VipsImage **out) { return vips_copy(in, out, NULL); }
static inline int cvips_extract_band(VipsImage *in, VipsImage **out, int band, int n) {
    return vips_extract_band(in, out, band, "n", n, NULL); }
static inline int cvips_extract_area(VipsImage *in, VipsImage **out, int left, int top, int width, int height) {
    return vips_extract_area(in, out, left, top, width, height, NULL); }
/// Each output band is a weighted sum of the input bands (one matrix row per output band).
static inline int cvips_recomb(VipsImage *in, VipsImage **out, VipsImage *matrix) { return vips_recomb(in, out, matrix, NULL); }
static inline int cvips_bandjoin2(VipsImage *a, VipsImage *b, VipsImage **out) { return vips_bandjoin2(a, b, out, NULL); }
/// `gap` is libvips' "reducing gap": how much of the downsizing the kernel does after a box
/// pre-shrink (larger = more by the kernel).
static inline int cvips_resize(VipsImage *in, VipsImage **out, double hscale, double vscale, VipsKernel kernel, double gap) {
    return vips_resize(in, out, hscale, "vscale", vscale, "kernel", kernel, "gap", gap, NULL); }

// MARK: - Arithmetic, filters, statistics

/// out = in * a[i] + b[i] per band; `uchar` rounds and clips the result to 0...255.
static inline int cvips_linear(VipsImage *in, VipsImage **out, const double *a, const double *b, int n, gboolean uchar) {
    return vips_linear(in, out, a, b, n, "uchar", uchar, NULL); }
/// Maps every band through a 256-entry 8-bit lookup table (a one-band 256 x 1 image).
static inline int cvips_maplut(VipsImage *in, VipsImage **out, VipsImage *lut) { return vips_maplut(in, out, lut, NULL); }
/// Convolution with an integer mask (its "scale" divides the sum): libvips' vectorised path,
/// output in the input's format (8-bit in, 8-bit out, clipped).
static inline int cvips_conv_integer(VipsImage *in, VipsImage **out, VipsImage *mask) {
    return vips_conv(in, out, mask, "precision", VIPS_PRECISION_INTEGER, NULL); }
/// Convolution with a float mask, computed in float (no integer rounding of the mask).
static inline int cvips_conv_float(VipsImage *in, VipsImage **out, VipsImage *mask) {
    return vips_conv(in, out, mask, "precision", VIPS_PRECISION_FLOAT, NULL); }
/// Rank filter over a size x size window: index 0 is the local minimum, size*size-1 the
/// local maximum (a median, size*size/2, is slow in 8.14: 53 ms per megapixel for 3 x 3).
static inline int cvips_rank(VipsImage *in, VipsImage **out, int size, int index) {
    return vips_rank(in, out, size, size, index, NULL); }
/// (Used by the tests to make blurred copies.)
static inline int cvips_gaussblur(VipsImage *in, VipsImage **out, double sigma) { return vips_gaussblur(in, out, sigma, NULL); }
static inline int cvips_subtract(VipsImage *a, VipsImage *b, VipsImage **out) { return vips_subtract(a, b, out, NULL); }
static inline int cvips_add(VipsImage *a, VipsImage *b, VipsImage **out) { return vips_add(a, b, out, NULL); }
static inline int cvips_abs(VipsImage *in, VipsImage **out) { return vips_abs(in, out, NULL); }
static inline int cvips_avg(VipsImage *in, double *out) { return vips_avg(in, out, NULL); }
static inline int cvips_deviate(VipsImage *in, double *out) { return vips_deviate(in, out, NULL); }
/// Histogram of a one-band uchar image: a 256 x 1 uint image of counts.
static inline int cvips_hist_find(VipsImage *in, VipsImage **out) { return vips_hist_find(in, out, NULL); }
static inline int cvips_gaussnoise(VipsImage **out, int width, int height, double mean, double sigma, int seed) {
    return vips_gaussnoise(out, width, height, "mean", mean, "sigma", sigma, "seed", seed, NULL); }

// MARK: - Encoding to memory. The returned buffer is g_malloc'd: release it with g_free.

static inline int cvips_jpegsave_buffer(VipsImage *in, void **buf, size_t *len, int quality, gboolean interlace, gboolean strip) {
    return vips_jpegsave_buffer(in, buf, len, "Q", quality, "interlace", interlace,
                                "optimize_coding", TRUE, "strip", strip, NULL); }
/// Lossy WebP straight from an 8-bit RGB or RGBA image whose pixels libvips holds in memory
/// (as `vips_image_copy_memory` leaves them), with libwebp's own API: the same settings and
/// the same bytes as libvips 8.14's webpsave with `strip` (default preset at `quality`,
/// `method` = effort, alpha quality 100, no sharp YUV), without webpsave's copy of the whole
/// frame into a second RGB buffer (3 MiB for 1024 x 1024) and without its EXIF block, which
/// the host would otherwise remove again. Returns 1 when the image does not qualify (not in
/// memory, not 8-bit, not 3 or 4 bands): use cvips_webpsave_buffer then. On success `*buf`
/// is allocated by libwebp: release it with WebPFree.
static inline int cvips_webpsave_memory(VipsImage *in, void **buf, size_t *len, int quality, int method) {
    if ((in->dtype != VIPS_IMAGE_SETBUF && in->dtype != VIPS_IMAGE_SETBUF_FOREIGN) || !in->data ||
        in->BandFmt != VIPS_FORMAT_UCHAR || (in->Bands != 3 && in->Bands != 4)) return 1;
    WebPConfig config;
    if (!WebPConfigPreset(&config, WEBP_PRESET_DEFAULT, (float) quality)) {
        vips_error("webpsave", "%s", "libwebp version mismatch"); return -1; }
    config.method = method;
    config.alpha_quality = 100;
    if (!WebPValidateConfig(&config)) { vips_error("webpsave", "%s", "invalid WebP configuration"); return -1; }
    WebPPicture picture;
    if (!WebPPictureInit(&picture)) { vips_error("webpsave", "%s", "libwebp version mismatch"); return -1; }
    WebPMemoryWriter writer;
    WebPMemoryWriterInit(&writer);
    picture.width = in->Xsize;
    picture.height = in->Ysize;
    picture.use_argb = 0;
    picture.writer = WebPMemoryWrite;
    picture.custom_ptr = &writer;
    int stride = in->Xsize * in->Bands;
    int ok = in->Bands == 4 ? WebPPictureImportRGBA(&picture, (const uint8_t *) in->data, stride)
                            : WebPPictureImportRGB(&picture, (const uint8_t *) in->data, stride);
    ok = ok && WebPEncode(&config, &picture);
    WebPEncodingError error = picture.error_code;
    WebPPictureFree(&picture);
    if (!ok) {
        WebPMemoryWriterClear(&writer);
        vips_error("webpsave", "libwebp failed with error %d", (int) error);
        return -1; }
    *buf = writer.mem;
    *len = writer.size;
    return 0; }
static inline int cvips_webpsave_buffer(VipsImage *in, void **buf, size_t *len, int quality, int effort, gboolean strip) {
    return vips_webpsave_buffer(in, buf, len, "Q", quality, "effort", effort, "strip", strip, NULL); }
/// AVIF is HEIF with the AV1 codec; 8 bits per sample, as the web expects.
static inline int cvips_avifsave_buffer(VipsImage *in, void **buf, size_t *len, int quality, int effort, gboolean strip) {
    if (cvips_require_heif()) return -1;
    return vips_heifsave_buffer(in, buf, len, "Q", quality, "effort", effort, "bitdepth", 8,
                                "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1, "strip", strip, NULL); }
/// Removes the EXIF, XMP and ICC chunks from a WebP file, using libwebpmux. libvips 8.14's
/// webpsave rebuilds a small EXIF block (resolution, dimensions, orientation) and writes it
/// even with `strip` (measured), so the host drops it after encoding. On success `*out` is a
/// new g_malloc'd buffer (release with g_free); returns -1 if `in` is not a valid WebP file.
static inline int cvips_webp_drop_metadata(const void *in, size_t len, void **out, size_t *out_len) {
    WebPData data = { (const uint8_t *) in, len };
    WebPMux *mux = WebPMuxCreate(&data, 0);
    if (!mux) return -1;
    WebPMuxDeleteChunk(mux, "EXIF");
    WebPMuxDeleteChunk(mux, "XMP ");
    WebPMuxDeleteChunk(mux, "ICCP");
    WebPData assembled;
    WebPDataInit(&assembled);
    WebPMuxError status = WebPMuxAssemble(mux, &assembled);
    WebPMuxDelete(mux);
    if (status != WEBP_MUX_OK) { WebPDataClear(&assembled); return -1; }
    *out = g_memdup2(assembled.bytes, assembled.size);
    *out_len = assembled.size;
    WebPDataClear(&assembled);
    return 0; }
/// Adds (or replaces) the `XMP ` chunk of a WebP file with libwebpmux, which also rewrites a
/// simple (VP8/VP8L) file as VP8X with the XMP flag set. On success `*out` is a new g_malloc'd
/// buffer (release with g_free); returns -1 if `in` is not a valid WebP file.
static inline int cvips_webp_set_xmp(const void *in, size_t len, const void *xmp, size_t xmp_len, void **out, size_t *out_len) {
    WebPData data = { (const uint8_t *) in, len };
    WebPMux *mux = WebPMuxCreate(&data, 0);
    if (!mux) return -1;
    WebPData chunk = { (const uint8_t *) xmp, xmp_len };
    if (WebPMuxSetChunk(mux, "XMP ", &chunk, 1) != WEBP_MUX_OK) { WebPMuxDelete(mux); return -1; }
    WebPData assembled;
    WebPDataInit(&assembled);
    WebPMuxError status = WebPMuxAssemble(mux, &assembled);
    WebPMuxDelete(mux);
    if (status != WEBP_MUX_OK) { WebPDataClear(&assembled); return -1; }
    *out = g_memdup2(assembled.bytes, assembled.size);
    *out_len = assembled.size;
    WebPDataClear(&assembled);
    return 0; }
/// AVIF with an XMP packet: libheif stores the image's `xmp-data` as an XMP item when `strip`
/// is off. The XMP is set on a copy (sharing the pixels), so `in` is left unchanged.
static inline int cvips_avifsave_buffer_xmp(VipsImage *in, void **buf, size_t *len, int quality, int effort,
                                            const void *xmp, size_t xmp_len) {
    if (cvips_require_heif()) return -1;
    VipsImage *copy;
    if (vips_copy(in, &copy, NULL)) return -1;
    vips_image_set_blob_copy(copy, VIPS_META_XMP_NAME, xmp, xmp_len);
    int rc = vips_heifsave_buffer(copy, buf, len, "Q", quality, "effort", effort, "bitdepth", 8,
                                  "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1, "strip", FALSE, NULL);
    g_object_unref(copy);
    return rc; }
static inline int cvips_pngsave_buffer(VipsImage *in, void **buf, size_t *len, int compression, gboolean strip) {
    return vips_pngsave_buffer(in, buf, len, "compression", compression, "strip", strip, NULL); }

// MARK: - Reading back outputs (tests, tools)

/// Loads bytes of any format libvips knows and decodes them into memory at once, so `buf`
/// may be freed afterwards; metadata is kept. For checking the host's own outputs only:
/// provider bytes never go through here, they go to the loader their magic number names.
static inline VipsImage *cvips_load_any_buffer_copy(const void *buf, size_t len) {
    if (cvips_require_heif()) vips_error_clear();  // AVIF is known even before the host first used it
    VipsImage *lazy = vips_image_new_from_buffer(buf, len, "", NULL);
    if (!lazy) return NULL;
    VipsImage *memory = vips_image_copy_memory(lazy);
    g_object_unref(lazy);
    return memory; }
