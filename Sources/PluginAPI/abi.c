// The PluginAPI target is the header; this file only checks the layout it promises.
#include "imagegen_plugin.h"

_Static_assert(sizeof(imagegen_table_header) == 8, "table header is 8 bytes");
_Static_assert(offsetof(imagegen_plugin, header) == 0, "plugin table starts with its header");
_Static_assert(offsetof(imagegen_host, header) == 0, "host table starts with its header");
