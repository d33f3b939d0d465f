/* Only makes CC2PA a buildable C target; the header is the whole of it. */
#include "c2pa_loader.h"
