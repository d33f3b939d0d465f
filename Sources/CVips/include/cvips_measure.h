// Pixel measurements the quality score and the colour tags need, each one pass in plain C over
// 8-bit pixels the host already holds in memory (no libvips call, nothing to load). They replace
// chains of about thirty small libvips operations whose GObject construction cost more than the
// arithmetic on the host's images (Benchmarks/README.md, issue 18). Decoding, resizing and
// encoding stay in libvips. Rows are `stride` bytes apart; pixels are band-interleaved.
#ifndef CVIPS_MEASURE_H
#define CVIPS_MEASURE_H

#include <stddef.h>
#include <stdint.h>

/// Luma Y' = 0.2126 R' + 0.7152 G' + 0.0722 B', rounded, of 8-bit pixels with `bands` 1 (grey),
/// 2 (grey + alpha), 3 (RGB) or 4 (RGBA); alpha is composited onto white first. `luma` receives
/// width * height bytes, rows packed.
void cvips_measure_luma(const uint8_t *pixels, int width, int height, int bands, uint8_t *luma);

/// Counts of each luma value 0...255 (`histogram` has 256 entries, overwritten).
void cvips_measure_histogram(const uint8_t *luma, size_t count, uint64_t *histogram);

/// Sample variance of the 3x3 Laplacian [0 1 0; 1 -4 1; 0 1 0] over every pixel, edges
/// extended by copying (as libvips' conv does).
double cvips_measure_laplacian_variance(const uint8_t *luma, int width, int height, int stride);

/// The noise estimate's sums over the window: residual |p - binomial3x3(p)| (integer blur,
/// rounded) squared and summed over the inner pixels whose local edge strength is at or below
/// the `flat_fraction` quantile; edge strength = max over 3x3 of (|Sobel x| + |Sobel y|) / 4,
/// clipped to 255. Returns -1 when it cannot allocate its scratch rows, else 0.
int cvips_measure_flat_residual(const uint8_t *luma, int width, int height, int stride, double flat_fraction,
                                double *sum_of_squares, int64_t *count);

/// Mean CIELAB (D65) a* and b* of the pixels (alpha composited onto white), on box averages of
/// `block` x `block` pixels (1 = every pixel).
void cvips_measure_mean_ab(const uint8_t *pixels, int width, int height, int bands, int block,
                           double *mean_a, double *mean_b);

/// CIELAB (D65) of an 8-bit sRGB colour, with a table for the sRGB linearisation.
void cvips_measure_lab(uint8_t red, uint8_t green, uint8_t blue, double *lab);

#endif
