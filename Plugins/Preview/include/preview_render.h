/* Deterministic pictures for the Preview plugin, encoded as PNG by libpng. */
#ifndef PREVIEW_RENDER_H
#define PREVIEW_RENDER_H
#include <stddef.h>
#include <stdint.h>

typedef struct preview_picture {
    uint64_t prompt_hash;
    uint64_t seed;
    uint32_t width, height;
    uint32_t index; /* output index: a different picture per output of one job */
} preview_picture;

/* Render and encode. On success *png is malloc'd (free it) and 1 is returned. */
int preview_render_png(const preview_picture *pic, void **png, size_t *png_len);
#endif
