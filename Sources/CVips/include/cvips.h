// The host's only door to libvips, libwebp and GLib. Nothing here is linked: the libraries are
// opened with dlopen the first time image work starts (`cvips_load`, called by VipsRuntime), so
// a host that has not decoded an image yet — `serve` at idle, `imagegen models` — never maps
// libvips' dependency tree (glib, gio, librsvg, cairo, OpenEXR, HDF5, gnutls, ...: about 20 MB
// resident, measured in Benchmarks/README.md, issue 18). Libraries opened here are never closed.
//
// Swift sees only this header. It declares stand-ins for the few libvips types it names
// (pointers to `VipsImage` are passed around, never dereferenced on the Swift side) and enums
// with libvips' own names and values (checked against libvips' headers in cvips.c), so the
// Swift code reads as libvips code. Every function is `cvips_<libvips name>` or a wrapper that
// fixes the optional arguments of a variadic libvips call (Swift cannot call variadic C).
// Wrappers return 0 on success and -1 on failure (the reason is in the libvips error buffer).
#ifndef CVIPS_H
#define CVIPS_H

#include <stddef.h>
#include <stdint.h>

#ifndef CVIPS_IMPLEMENTATION
typedef int gboolean;
typedef char gchar;
typedef unsigned long GType;
/// A stand-in: Swift passes `VipsImage` pointers back to libvips and never reads one.
typedef struct _VipsImage { int cvips_opaque; } VipsImage;
typedef enum { VIPS_ACCESS_RANDOM = 0, VIPS_ACCESS_SEQUENTIAL = 1, VIPS_ACCESS_SEQUENTIAL_UNBUFFERED = 2 } VipsAccess;
typedef enum { VIPS_FAIL_ON_NONE = 0, VIPS_FAIL_ON_TRUNCATED = 1, VIPS_FAIL_ON_ERROR = 2, VIPS_FAIL_ON_WARNING = 3 } VipsFailOn;
typedef enum {
    VIPS_FORMAT_NOTSET = -1, VIPS_FORMAT_UCHAR = 0, VIPS_FORMAT_CHAR = 1, VIPS_FORMAT_USHORT = 2,
    VIPS_FORMAT_SHORT = 3, VIPS_FORMAT_UINT = 4, VIPS_FORMAT_INT = 5, VIPS_FORMAT_FLOAT = 6,
    VIPS_FORMAT_COMPLEX = 7, VIPS_FORMAT_DOUBLE = 8, VIPS_FORMAT_DPCOMPLEX = 9
} VipsBandFormat;
typedef enum {
    VIPS_INTERPRETATION_ERROR = -1, VIPS_INTERPRETATION_MULTIBAND = 0, VIPS_INTERPRETATION_B_W = 1,
    VIPS_INTERPRETATION_HISTOGRAM = 10, VIPS_INTERPRETATION_XYZ = 12, VIPS_INTERPRETATION_LAB = 13,
    VIPS_INTERPRETATION_CMYK = 15, VIPS_INTERPRETATION_LABQ = 16, VIPS_INTERPRETATION_RGB = 17,
    VIPS_INTERPRETATION_CMC = 18, VIPS_INTERPRETATION_LCH = 19, VIPS_INTERPRETATION_LABS = 21,
    VIPS_INTERPRETATION_sRGB = 22, VIPS_INTERPRETATION_YXY = 23, VIPS_INTERPRETATION_FOURIER = 24,
    VIPS_INTERPRETATION_RGB16 = 25, VIPS_INTERPRETATION_GREY16 = 26, VIPS_INTERPRETATION_MATRIX = 27,
    VIPS_INTERPRETATION_scRGB = 28, VIPS_INTERPRETATION_HSV = 29
} VipsInterpretation;
typedef enum {
    VIPS_KERNEL_NEAREST = 0, VIPS_KERNEL_LINEAR = 1, VIPS_KERNEL_CUBIC = 2, VIPS_KERNEL_MITCHELL = 3,
    VIPS_KERNEL_LANCZOS2 = 4, VIPS_KERNEL_LANCZOS3 = 5
} VipsKernel;
#endif

// MARK: - Loading the libraries

/// Opens libvips (libvips.so.42, which brings GLib) and libwebp(mux), and resolves every function
/// this file uses, once per process (later calls return the first result). Returns 0, or -1
/// with the reason (library or function missing, and what to install) copied into `reason`.
int cvips_load(char *reason, size_t reason_size);
/// 1 once `cvips_load` succeeded (for tests and diagnostics), 0 before or after a failure.
int cvips_is_loaded(void);

// MARK: - Process set-up (VipsRuntime, once per process)

/// glibc malloc settings for an image-processing process (see `MallocTuning`): `arena_max`
/// arenas at most, and fixed mmap and trim thresholds in bytes (setting either stops glibc
/// from moving them). A value of 0 leaves that setting alone. Returns how many settings glibc
/// refused. Needs no library.
int cvips_tune_malloc(int arena_max, int mmap_threshold, int trim_threshold);
int cvips_init(const char *argv0);
void cvips_block_untrusted_set(gboolean state);
void cvips_vector_set_enabled(gboolean enabled);
gboolean cvips_vector_isenabled(void);
void cvips_concurrency_set(int concurrency);
void cvips_cache_set_max(int max);
void cvips_cache_set_max_mem(size_t max_mem);
void cvips_cache_set_max_files(int max_files);
/// Drops libvips' per-tile GLib warnings (the host turns decoder problems into errors with fail_on).
void cvips_silence_warnings(void);
/// Full path of libvips' loadable module `vips-<name>.so` (e.g. "heif") where libvips itself
/// looks when VIPSHOME is unset. Release with cvips_g_free; NULL when the path is unknown.
char *cvips_module_path(const char *name);
/// Makes sure the HEIF operations (AVIF in and out) are registered, loading the heif module on
/// first use when vips_init did not (see `VipsModuleSelection`).
int cvips_require_heif(void);
GType cvips_type_find(const char *basename, const char *nickname);
size_t cvips_tracked_get_mem(void);
size_t cvips_tracked_get_mem_highwater(void);

// MARK: - Memory and errors

void cvips_g_free(void *memory);
void cvips_g_strfreev(gchar **strings);
/// Frees a buffer allocated by libwebp (cvips_webpsave_memory's output).
void cvips_WebPFree(void *memory);
/// libvips' error buffer, copied (release with cvips_g_free), then cleared.
char *cvips_error_buffer_copy(void);

// MARK: - Images and their metadata

void cvips_unref(VipsImage *image);
/// True when the caller holds the only reference, so changing the image's metadata cannot
/// affect anyone else.
gboolean cvips_is_sole_reference(VipsImage *image);
int cvips_image_get_width(const VipsImage *image);
int cvips_image_get_height(const VipsImage *image);
int cvips_image_get_bands(const VipsImage *image);
VipsBandFormat cvips_image_get_format(const VipsImage *image);
VipsInterpretation cvips_image_get_interpretation(const VipsImage *image);
int cvips_image_get_orientation(VipsImage *image);
gboolean cvips_image_hasalpha(VipsImage *image);
GType cvips_image_get_typeof(const VipsImage *image, const char *name);
gchar **cvips_image_get_fields(VipsImage *image);
gboolean cvips_image_remove(VipsImage *image, const char *name);
void cvips_image_set_blob_copy(VipsImage *image, const char *name, const void *data, size_t length);
void cvips_image_set_double(VipsImage *image, const char *name, double value);
void cvips_image_set_int(VipsImage *image, const char *name, int value);
void cvips_image_set_string(VipsImage *image, const char *name, const char *value);
const void *cvips_image_get_data(VipsImage *image);
void *cvips_image_write_to_memory(VipsImage *image, size_t *size);
VipsImage *cvips_image_copy_memory(VipsImage *image);
VipsImage *cvips_image_new_from_memory_copy(const void *data, size_t size, int width, int height, int bands, VipsBandFormat format);
VipsImage *cvips_image_new_matrix_from_array(int width, int height, const double *array, int size);
uint64_t cvips_format_sizeof(VipsBandFormat format);

// MARK: - Loading from memory (one wrapper per trusted loader; the host never lets libvips
// pick a loader by itself, so untrusted ones such as magickload are never reached).
// `access` is a VipsAccess, `fail_on` a VipsFailOn. The buffer is NOT copied: it must stay
// valid for as long as the returned image (or anything computed from it) is alive.

int cvips_pngload_buffer(void *buf, size_t len, VipsImage **out, VipsAccess access, VipsFailOn fail_on);
int cvips_jpegload_buffer(void *buf, size_t len, VipsImage **out, VipsAccess access, VipsFailOn fail_on);
/// JPEG decoded at 1/`shrink` of its size (1, 2, 4 or 8) by libjpeg's DCT scaling: a fraction
/// of the full decode's work, for measurements that do not need every pixel.
int cvips_jpegload_buffer_shrink(void *buf, size_t len, VipsImage **out, VipsAccess access, VipsFailOn fail_on, int shrink);
int cvips_webpload_buffer(void *buf, size_t len, VipsImage **out, VipsAccess access, VipsFailOn fail_on);
/// WebP decoded at `scale` of its size (libwebp scales while decoding).
int cvips_webpload_buffer_scale(void *buf, size_t len, VipsImage **out, VipsAccess access, VipsFailOn fail_on, double scale);
int cvips_heifload_buffer(void *buf, size_t len, VipsImage **out, VipsAccess access, VipsFailOn fail_on);

// MARK: - Colour and geometry

int cvips_autorot(VipsImage *in, VipsImage **out);
/// Converts from the embedded ICC profile to sRGB (the caller checks a profile is present).
int cvips_icc_to_srgb(VipsImage *in, VipsImage **out);
int cvips_colourspace(VipsImage *in, VipsImage **out, VipsInterpretation space);
int cvips_cast(VipsImage *in, VipsImage **out, VipsBandFormat format);
int cvips_flatten(VipsImage *in, VipsImage **out, double r, double g, double b);
/// A new image sharing `in`'s pixels (nothing is copied), whose metadata the caller may change.
int cvips_copy(VipsImage *in, VipsImage **out);
int cvips_extract_band(VipsImage *in, VipsImage **out, int band, int n);
int cvips_extract_area(VipsImage *in, VipsImage **out, int left, int top, int width, int height);
/// Each output band is a weighted sum of the input bands (one matrix row per output band).
int cvips_recomb(VipsImage *in, VipsImage **out, VipsImage *matrix);
int cvips_bandjoin2(VipsImage *a, VipsImage *b, VipsImage **out);
/// `gap` is libvips' "reducing gap": how much of the downsizing the kernel does after a box
/// pre-shrink (larger = more by the kernel).
int cvips_resize(VipsImage *in, VipsImage **out, double hscale, double vscale, VipsKernel kernel, double gap);

// MARK: - Arithmetic, filters, statistics

/// out = in * a[i] + b[i] per band; `uchar` rounds and clips the result to 0...255.
int cvips_linear(VipsImage *in, VipsImage **out, const double *a, const double *b, int n, gboolean uchar);
/// Maps every band through a 256-entry 8-bit lookup table (a one-band 256 x 1 image).
int cvips_maplut(VipsImage *in, VipsImage **out, VipsImage *lut);
/// Convolution with an integer mask (its "scale" divides the sum): libvips' vectorised path,
/// output in the input's format (8-bit in, 8-bit out, clipped).
int cvips_conv_integer(VipsImage *in, VipsImage **out, VipsImage *mask);
/// Convolution with a float mask, computed in float (no integer rounding of the mask).
int cvips_conv_float(VipsImage *in, VipsImage **out, VipsImage *mask);
/// Rank filter over a size x size window: index 0 is the local minimum, size*size-1 the
/// local maximum (a median, size*size/2, is slow in 8.14: 53 ms per megapixel for 3 x 3).
int cvips_rank(VipsImage *in, VipsImage **out, int size, int index);
/// (Used by the tests to make blurred copies.)
int cvips_gaussblur(VipsImage *in, VipsImage **out, double sigma);
int cvips_subtract(VipsImage *a, VipsImage *b, VipsImage **out);
int cvips_add(VipsImage *a, VipsImage *b, VipsImage **out);
int cvips_abs(VipsImage *in, VipsImage **out);
int cvips_avg(VipsImage *in, double *out);
int cvips_deviate(VipsImage *in, double *out);
/// Histogram of a one-band uchar image: a 256 x 1 uint image of counts.
int cvips_hist_find(VipsImage *in, VipsImage **out);
int cvips_gaussnoise(VipsImage **out, int width, int height, double mean, double sigma, int seed);

// MARK: - Encoding to memory. The returned buffer is g_malloc'd: release it with cvips_g_free
// (cvips_webpsave_memory's with cvips_WebPFree).

int cvips_jpegsave_buffer(VipsImage *in, void **buf, size_t *len, int quality, gboolean interlace, gboolean strip);
/// Lossy WebP straight from an 8-bit RGB or RGBA image whose pixels libvips holds in memory
/// (as `vips_image_copy_memory` leaves them), with libwebp's own API: the same settings and
/// the same bytes as libvips 8.14's webpsave with `strip` (default preset at `quality`,
/// `method` = effort, alpha quality 100, no sharp YUV), without webpsave's copy of the whole
/// frame into a second RGB buffer (3 MiB for 1024 x 1024) and without its EXIF block, which
/// the host would otherwise remove again. Returns 1 when the image does not qualify (not in
/// memory, not 8-bit, not 3 or 4 bands): use cvips_webpsave_buffer then. On success `*buf`
/// is allocated by libwebp: release it with cvips_WebPFree.
int cvips_webpsave_memory(VipsImage *in, void **buf, size_t *len, int quality, int method);
int cvips_webpsave_buffer(VipsImage *in, void **buf, size_t *len, int quality, int effort, gboolean strip);
/// AVIF is HEIF with the AV1 codec; 8 bits per sample, as the web expects.
int cvips_avifsave_buffer(VipsImage *in, void **buf, size_t *len, int quality, int effort, gboolean strip);
/// Removes the EXIF, XMP and ICC chunks from a WebP file, using libwebpmux. libvips 8.14's
/// webpsave rebuilds a small EXIF block (resolution, dimensions, orientation) and writes it
/// even with `strip` (measured), so the host drops it after encoding. On success `*out` is a
/// new g_malloc'd buffer; returns -1 if `in` is not a valid WebP file.
int cvips_webp_drop_metadata(const void *in, size_t len, void **out, size_t *out_len);
/// Adds (or replaces) the `XMP ` chunk of a WebP file with libwebpmux, which also rewrites a
/// simple (VP8/VP8L) file as VP8X with the XMP flag set. On success `*out` is a new g_malloc'd
/// buffer; returns -1 if `in` is not a valid WebP file.
int cvips_webp_set_xmp(const void *in, size_t len, const void *xmp, size_t xmp_len, void **out, size_t *out_len);
/// AVIF with an XMP packet: libheif stores the image's `xmp-data` as an XMP item when `strip`
/// is off. The XMP is set on a copy (sharing the pixels), so `in` is left unchanged.
int cvips_avifsave_buffer_xmp(VipsImage *in, void **buf, size_t *len, int quality, int effort, const void *xmp, size_t xmp_len);
int cvips_pngsave_buffer(VipsImage *in, void **buf, size_t *len, int compression, gboolean strip);

// MARK: - Reading back outputs (tests, tools)

/// Loads bytes of any format libvips knows and decodes them into memory at once, so `buf`
/// may be freed afterwards; metadata is kept. For checking the host's own outputs only:
/// provider bytes never go through here, they go to the loader their magic number names.
VipsImage *cvips_load_any_buffer_copy(const void *buf, size_t len);

// The plain-C pixel measurements (no libvips) live in their own header; included here so a
// clang module cache built before that header existed is invalidated with this one.
#include "cvips_measure.h"

#endif
