// The measurements declared in include/cvips_measure.h: plain C over pixels in memory.
#include "include/cvips_measure.h"
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static inline int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/// Composites a sample onto white with its alpha (as libvips' flatten: rounded to 8 bits).
static inline int over_white(int v, int a) { return (v * a + 255 * (255 - a) + 127) / 255; }

static inline void rgb_at(const uint8_t *p, int bands, int *r, int *g, int *b) {
    switch (bands) {
    case 1: *r = *g = *b = p[0]; break;
    case 2: *r = *g = *b = over_white(p[0], p[1]); break;
    case 3: *r = p[0]; *g = p[1]; *b = p[2]; break;
    default: *r = over_white(p[0], p[3]); *g = over_white(p[1], p[3]); *b = over_white(p[2], p[3]); break;
    }
}

void cvips_measure_luma(const uint8_t *pixels, int width, int height, int bands, uint8_t *luma) {
    size_t count = (size_t)width * (size_t)height;
    if (bands == 3) {  // what providers send: a loop without the per-pixel switch, vectorised
        for (size_t i = 0; i < count; i++) {
            const uint8_t *p = pixels + i * 3;
            luma[i] = (uint8_t)((2126 * p[0] + 7152 * p[1] + 722 * p[2] + 5000) / 10000);
        }
        return;
    }
    for (size_t i = 0; i < count; i++) {
        int r, g, b;
        rgb_at(pixels + i * (size_t)bands, bands, &r, &g, &b);
        luma[i] = (uint8_t)((2126 * r + 7152 * g + 722 * b + 5000) / 10000);
    }
}

void cvips_measure_histogram(const uint8_t *luma, size_t count, uint64_t *histogram) {
    memset(histogram, 0, 256 * sizeof(uint64_t));
    for (size_t i = 0; i < count; i++) histogram[luma[i]]++;
}

double cvips_measure_laplacian_variance(const uint8_t *luma, int width, int height, int stride) {
    double sum = 0, sum_of_squares = 0;
    for (int y = 0; y < height; y++) {
        const uint8_t *row = luma + (size_t)y * stride;
        const uint8_t *up = luma + (size_t)clampi(y - 1, 0, height - 1) * stride;
        const uint8_t *down = luma + (size_t)clampi(y + 1, 0, height - 1) * stride;
        for (int x = 0; x < width; x++) {
            int left = row[clampi(x - 1, 0, width - 1)], right = row[clampi(x + 1, 0, width - 1)];
            double v = (double)(up[x] + down[x] + left + right - 4 * row[x]);
            sum += v;
            sum_of_squares += v * v;
        }
    }
    double n = (double)width * (double)height;
    if (n < 2) return 0;
    double variance = (sum_of_squares - sum * sum / n) / (n - 1);
    return variance > 0 ? variance : 0;
}

static inline uint8_t max8(uint8_t a, uint8_t b) { return a > b ? a : b; }

/// Sobel |Gx| + |Gy| / 4 at column `x` of the middle row, reading columns `l` and `r` beside it.
static inline uint8_t sobel(const uint8_t *up, const uint8_t *row, const uint8_t *down, int l, int x, int r) {
    int gx = -up[l] + up[r] - 2 * row[l] + 2 * row[r] - down[l] + down[r];
    int gy = -up[l] - 2 * up[x] - up[r] + down[l] + 2 * down[x] + down[r];
    int g = (abs(gx) + abs(gy)) / 4;
    return (uint8_t)(g > 255 ? 255 : g);
}

int cvips_measure_flat_residual(const uint8_t *luma, int width, int height, int stride, double flat_fraction,
                                double *sum_of_squares, int64_t *count) {
    *sum_of_squares = 0;
    *count = 0;
    if (width < 3 || height < 3) return 0;
    size_t n = (size_t)width * (size_t)height;
    uint8_t *gradient = malloc(n), *maximum = malloc(n);
    if (!gradient || !maximum) { free(gradient); free(maximum); return -1; }
    // Sobel |Gx| + |Gy| / 4, edges repeated. The passes below have no branch in their inner
    // loops, so the compiler vectorises them (this estimate was most of the score's CPU).
    for (int y = 0; y < height; y++) {
        const uint8_t *up = luma + (size_t)clampi(y - 1, 0, height - 1) * stride;
        const uint8_t *row = luma + (size_t)y * stride;
        const uint8_t *down = luma + (size_t)clampi(y + 1, 0, height - 1) * stride;
        uint8_t *out = gradient + (size_t)y * width;
        out[0] = sobel(up, row, down, 0, 0, 1);
        for (int x = 1; x < width - 1; x++) out[x] = sobel(up, row, down, x - 1, x, x + 1);
        out[width - 1] = sobel(up, row, down, width - 2, width - 1, width - 1);
    }
    // Largest gradient in each 3x3 neighbourhood, over the inner pixels (the only ones counted).
    uint64_t histogram[256] = { 0 };
    for (int y = 1; y < height - 1; y++) {
        const uint8_t *g0 = gradient + (size_t)(y - 1) * width, *g1 = g0 + width, *g2 = g1 + width;
        uint8_t *m = maximum + (size_t)y * width;
        for (int x = 1; x < width - 1; x++) {
            uint8_t v = max8(max8(g0[x - 1], g0[x]), max8(g0[x + 1], g1[x - 1]));
            v = max8(v, max8(max8(g1[x], g1[x + 1]), max8(g2[x - 1], max8(g2[x], g2[x + 1]))));
            m[x] = v;
        }
        for (int x = 1; x < width - 1; x++) histogram[m[x]]++;
    }
    double inner = (double)(width - 2) * (double)(height - 2);
    int threshold = 0;
    uint64_t below = histogram[0];
    while ((double)below < flat_fraction * inner && threshold < 255) below += histogram[++threshold];
    // Squares of 8-bit differences: an integer sum is exact (and the double it becomes is too).
    int64_t sum = 0;
    int64_t counted = 0;
    for (int y = 1; y < height - 1; y++) {
        const uint8_t *up = luma + (size_t)(y - 1) * stride, *row = luma + (size_t)y * stride, *down = luma + (size_t)(y + 1) * stride;
        for (int x = 1; x < width - 1; x++) {
            int flat = maximum[(size_t)y * width + x] <= threshold;
            int blur = (up[x - 1] + 2 * up[x] + up[x + 1] + 2 * row[x - 1] + 4 * row[x] + 2 * row[x + 1]
                        + down[x - 1] + 2 * down[x] + down[x + 1] + 8) / 16;
            int r = row[x] - blur;
            sum += flat * r * r;
            counted += flat;
        }
    }
    free(gradient);
    free(maximum);
    *sum_of_squares = (double)sum;
    *count = counted;
    return 0;
}

static double linear_table[256];
static pthread_once_t linear_once = PTHREAD_ONCE_INIT;

static void fill_linear_table(void) {
    for (int v = 0; v < 256; v++) {
        double c = v / 255.0;
        linear_table[v] = c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
    }
}

static inline double lab_f(double t) { return t > 216.0 / 24389 ? cbrt(t) : (24389.0 / 27 * t + 16) / 116; }

void cvips_measure_lab(uint8_t red, uint8_t green, uint8_t blue, double *lab) {
    pthread_once(&linear_once, fill_linear_table);
    double r = linear_table[red], g = linear_table[green], b = linear_table[blue];
    double x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    double y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    double z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    double fy = lab_f(y);
    lab[0] = 116 * fy - 16;
    lab[1] = 500 * (lab_f(x) - fy);
    lab[2] = 200 * (fy - lab_f(z));
}

void cvips_measure_mean_ab(const uint8_t *pixels, int width, int height, int bands, int block,
                           double *mean_a, double *mean_b) {
    double sum_a = 0, sum_b = 0;
    int64_t blocks = 0;
    if (block < 1) block = 1;
    for (int by = 0; by < height; by += block) {
        int bh = height - by < block ? height - by : block;
        for (int bx = 0; bx < width; bx += block) {
            int bw = width - bx < block ? width - bx : block;
            int sr = 0, sg = 0, sb = 0;
            for (int y = by; y < by + bh; y++) {
                const uint8_t *p = pixels + ((size_t)y * width + bx) * bands;
                for (int x = 0; x < bw; x++, p += bands) {
                    int r, g, b;
                    rgb_at(p, bands, &r, &g, &b);
                    sr += r; sg += g; sb += b;
                }
            }
            int area = bw * bh;
            double lab[3];
            cvips_measure_lab((uint8_t)((sr + area / 2) / area), (uint8_t)((sg + area / 2) / area),
                              (uint8_t)((sb + area / 2) / area), lab);
            sum_a += lab[1];
            sum_b += lab[2];
            blocks++;
        }
    }
    *mean_a = blocks ? sum_a / (double)blocks : 0;
    *mean_b = blocks ? sum_b / (double)blocks : 0;
}
