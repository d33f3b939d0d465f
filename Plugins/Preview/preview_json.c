#include "preview_json.h"
#include <stdlib.h>
#include <string.h>

typedef struct { const char *p, *end; } cursor;

static void skip_ws(cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) c->p++;
}

/* Skip one string starting at a quote; 0 when unterminated. */
static int skip_string(cursor *c) {
    if (c->p >= c->end || *c->p != '"') return 0;
    c->p++;
    while (c->p < c->end) {
        if (*c->p == '\\') { c->p += 2; continue; }
        if (*c->p == '"') { c->p++; return 1; }
        c->p++;
    }
    return 0;
}

/* Skip one value of any kind; sets *kind. 0 on malformed input. */
static int skip_value(cursor *c, json_kind *kind) {
    skip_ws(c);
    if (c->p >= c->end) return 0;
    char ch = *c->p;
    if (ch == '"') { *kind = JSON_STRING; return skip_string(c); }
    if (ch == '{' || ch == '[') {
        *kind = JSON_OTHER;
        int depth = 0;
        while (c->p < c->end) {
            char d = *c->p;
            if (d == '"') { if (!skip_string(c)) return 0; continue; }
            if (d == '{' || d == '[') depth++;
            if (d == '}' || d == ']') { depth--; if (depth == 0) { c->p++; return 1; } }
            c->p++;
        }
        return 0;
    }
    const char *s = c->p;
    while (c->p < c->end && *c->p != ',' && *c->p != '}' && *c->p != ']' &&
           *c->p != ' ' && *c->p != '\n' && *c->p != '\r' && *c->p != '\t') c->p++;
    if (c->p == s) return 0;
    *kind = (*s == '-' || (*s >= '0' && *s <= '9')) ? JSON_NUMBER : JSON_OTHER;
    return 1;
}

/* Walk the members of the top-level object, stopping at `key` when given. */
static int walk(const char *text, size_t len, const char *key, json_value *out) {
    cursor c = {text, text + len};
    skip_ws(&c);
    if (c.p >= c.end || *c.p != '{') return 0;
    c.p++;
    skip_ws(&c);
    if (c.p < c.end && *c.p == '}') return key == NULL;
    size_t klen = key ? strlen(key) : 0;
    while (c.p < c.end) {
        skip_ws(&c);
        const char *name = c.p;
        if (!skip_string(&c)) return 0;
        size_t nlen = (size_t)(c.p - name) - 2;
        skip_ws(&c);
        if (c.p >= c.end || *c.p != ':') return 0;
        c.p++;
        skip_ws(&c);
        const char *vstart = c.p;
        json_kind kind;
        if (!skip_value(&c, &kind)) return 0;
        if (key && nlen == klen && memcmp(name + 1, key, klen) == 0) {
            out->kind = kind;
            out->start = vstart;
            out->len = (size_t)(c.p - vstart);
            return 1;
        }
        skip_ws(&c);
        if (c.p < c.end && *c.p == ',') { c.p++; continue; }
        if (c.p < c.end && *c.p == '}') return key == NULL;
        return 0;
    }
    return 0;
}

int json_is_object(const char *text, size_t len) { return walk(text, len, NULL, NULL); }

int json_member(const char *text, size_t len, const char *key, json_value *out) {
    return walk(text, len, key, out);
}

double json_number(const json_value *v, double fallback) {
    if (v->kind != JSON_NUMBER || v->len >= 64) return fallback;
    char tmp[64];
    memcpy(tmp, v->start, v->len);
    tmp[v->len] = 0;
    char *end = NULL;
    double d = strtod(tmp, &end);
    return (end && *end == 0) ? d : fallback;
}

void json_string_copy(const json_value *v, char *buf, size_t cap) {
    if (cap == 0) return;
    size_t n = v->kind == JSON_STRING && v->len >= 2 ? v->len - 2 : 0;
    if (n >= cap) n = cap - 1;
    if (n) memcpy(buf, v->start + 1, n);
    buf[n] = 0;
}
