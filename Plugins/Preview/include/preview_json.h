/* A minimal JSON reader for the Preview plugin: finds top-level members of an object and
 * reads numbers and strings. It walks the document properly (nested values and escaped
 * quotes are skipped, not searched), so a prompt cannot fake a key. */
#ifndef PREVIEW_JSON_H
#define PREVIEW_JSON_H
#include <stddef.h>

typedef enum { JSON_INVALID, JSON_STRING, JSON_NUMBER, JSON_OTHER } json_kind;

typedef struct json_value {
    json_kind kind;
    const char *start; /* for strings: the raw text including the quotes */
    size_t len;
} json_value;

/* 1 when text is one JSON object (members are checked only as far as needed to skip them). */
int json_is_object(const char *text, size_t len);
/* Find top-level member `key`; 1 and *out set when found. */
int json_member(const char *text, size_t len, const char *key, json_value *out);
/* The value as a number, or fallback when it is not one. */
double json_number(const json_value *v, double fallback);
/* Copy a string value's content (escapes kept verbatim) NUL-terminated into buf. */
void json_string_copy(const json_value *v, char *buf, size_t cap);
#endif
