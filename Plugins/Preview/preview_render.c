#include "preview_render.h"
#include <png.h>
#include <stdlib.h>
#include <string.h>

/* splitmix64: a small, well-known generator, enough for picking shapes and colours. */
static uint64_t next(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint8_t lerp(uint8_t a, uint8_t b, uint32_t t, uint32_t n) {
    return (uint8_t)((a * (n - t) + b * t) / (n ? n : 1));
}

int preview_render_png(const preview_picture *pic, void **png, size_t *png_len) {
    uint32_t w = pic->width, h = pic->height;
    uint8_t *px = malloc((size_t)w * h * 3);
    if (!px) return 0;
    uint64_t state = pic->prompt_hash ^ (pic->seed * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)pic->index << 56);
    uint8_t c0[3], c1[3];
    for (int i = 0; i < 3; i++) { c0[i] = (uint8_t)next(&state); c1[i] = (uint8_t)next(&state); }

    /* A diagonal gradient between two colours... */
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint8_t *p = px + ((size_t)y * w + x) * 3;
            uint32_t t = x + y, n = w + h - 2;
            for (int i = 0; i < 3; i++) p[i] = lerp(c0[i], c1[i], t, n);
        }
    /* ...with a few soft discs on top, so that sharpness and contrast are measurable. */
    int discs = 3 + (int)(next(&state) % 6);
    for (int d = 0; d < discs; d++) {
        int32_t cx = (int32_t)(next(&state) % w), cy = (int32_t)(next(&state) % h);
        int32_t r = (int32_t)(8 + next(&state) % ((w < h ? w : h) / 3 + 1));
        uint8_t col[3] = {(uint8_t)next(&state), (uint8_t)next(&state), (uint8_t)next(&state)};
        int32_t y0 = cy - r < 0 ? 0 : cy - r, y1 = cy + r >= (int32_t)h ? (int32_t)h - 1 : cy + r;
        int32_t x0 = cx - r < 0 ? 0 : cx - r, x1 = cx + r >= (int32_t)w ? (int32_t)w - 1 : cx + r;
        for (int32_t y = y0; y <= y1; y++)
            for (int32_t x = x0; x <= x1; x++) {
                int32_t dx = x - cx, dy = y - cy;
                if (dx * dx + dy * dy > r * r) continue;
                uint8_t *p = px + ((size_t)y * w + (size_t)x) * 3;
                for (int i = 0; i < 3; i++) p[i] = (uint8_t)((p[i] + 3 * col[i]) / 4);
            }
    }

    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = w;
    image.height = h;
    image.format = PNG_FORMAT_RGB;
    png_alloc_size_t size = 0;
    /* Two passes: the first asks for the size, the second writes. */
    if (!png_image_write_to_memory(&image, NULL, &size, 0, px, 0, NULL)) { free(px); return 0; }
    void *buf = malloc(size);
    if (!buf) { free(px); return 0; }
    if (!png_image_write_to_memory(&image, buf, &size, 0, px, 0, NULL)) { free(px); free(buf); return 0; }
    free(px);
    *png = buf;
    *png_len = size;
    return 1;
}
