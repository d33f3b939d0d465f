#include <vips/vips.h>
// libvips' C API is variadic; Swift cannot call variadic functions, so every call the
// host makes goes through a typed static inline wrapper here.
static inline void cvips_unref(VipsImage *im) { if (im) g_object_unref(im); }
