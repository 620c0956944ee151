/* pguri.c: recognising a PostgreSQL connection URI, finding a password in
 * it and hiding it (pguri.h).
 *
 * The URI is cut as libpq cuts it: after the scheme, the text up to the
 * first '@' or '/' is the user part when an '@' ends it (user[:password]);
 * the parameters follow the first '?' after it, '&'-separated key=value
 * pairs whose keys may be percent-encoded. Only the two places a password
 * can sit matter here.
 */
#include <stdio.h>
#include <string.h>

#include "pguri.h"
#include "hexdigit.h"

static const char *const schemes[] = {"postgresql://", "postgres://"};

/* Length of the scheme s begins with; 0 when none. */
static size_t scheme_len(const char *s)
{
    for (size_t i = 0; s && i < sizeof schemes / sizeof *schemes; i++)
        if (strncmp(s, schemes[i], strlen(schemes[i])) == 0)
            return strlen(schemes[i]);
    return 0;
}

int pguri_is(const char *s)
{
    return scheme_len(s) > 0;
}

int pguri_is_keywords(const char *s)
{
    static const char *const keys[] = {
        "host", "hostaddr", "port", "dbname", "user", "password", "passfile",
        "service", "sslmode", "connect_timeout", "application_name", "options",
        "target_session_attrs", "sslrootcert", "sslcert", "sslkey", "requiressl"};
    if (!s) return 0;
    s += strspn(s, " \t");
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        size_t n = strlen(keys[i]);
        if (strncmp(s, keys[i], n) == 0 && s[n + strspn(s + n, " \t")] == '=')
            return 1;
    }
    return 0;
}

/* Whether the parameter key k (n bytes, percent-encoded) is "password". */
static int key_is_password(const char *k, size_t n)
{
    static const char want[] = "password";
    size_t j = 0;
    for (size_t i = 0; i < n; i++, j++) {
        char c = k[i];
        if (c == '%' && i + 2 < n && hexdigit_value(k[i + 1]) >= 0 && hexdigit_value(k[i + 2]) >= 0) {
            c = (char)(hexdigit_value(k[i + 1]) * 16 + hexdigit_value(k[i + 2]));
            i += 2;
        }
        if (j >= sizeof want - 1 || c != want[j])
            return 0;
    }
    return j == sizeof want - 1;
}

/* The parts of a URI: [user, user_end) with pass at the ':' (NULL when
 * none; user NULL when there is no user part), and the parameters from
 * query (NULL when none). */
struct parts {
    const char *user, *pass, *user_end;
    const char *query;
};

static void split(const char *s, struct parts *p)
{
    memset(p, 0, sizeof *p);
    const char *a = s + scheme_len(s);
    const char *e = a + strcspn(a, "@/");
    const char *rest = a;
    if (*e == '@') {
        p->user = a;
        p->user_end = e;
        p->pass = memchr(a, ':', (size_t)(e - a));
        rest = e + 1;
    }
    p->query = strchr(rest, '?');
}

int pguri_has_password(const char *s)
{
    if (!pguri_is(s))
        return 0;
    struct parts p;
    split(s, &p);
    if (p.pass)
        return 1;
    for (const char *k = p.query ? p.query + 1 : NULL; k && *k;) {
        size_t n = strcspn(k, "&");
        size_t kn = strcspn(k, "=&");
        if (kn < n && key_is_password(k, kn))
            return 1;
        k += n + (k[n] == '&');
    }
    return 0;
}

/* Append n bytes of t to out, control characters as '?'. */
static void put(char *out, size_t len, size_t *k, const char *t, size_t n)
{
    for (size_t i = 0; i < n && *k + 1 < len; i++) {
        unsigned char c = (unsigned char)t[i];
        out[(*k)++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    out[*k] = '\0';
}

char *pguri_scrub(const char *s, char *out, size_t len)
{
    size_t k = 0;
    out[0] = '\0';
    if (!s)
        return out;
    if (!pguri_is(s)) {
        put(out, len, &k, s, strlen(s));
        return out;
    }
    struct parts p;
    split(s, &p);
    const char *at = s;
    if (p.pass) {
        put(out, len, &k, at, (size_t)(p.pass - at));
        put(out, len, &k, ":***", 4);
        at = p.user_end;
    }
    if (!p.query) {
        put(out, len, &k, at, strlen(at));
        return out;
    }
    put(out, len, &k, at, (size_t)(p.query + 1 - at));
    for (const char *q = p.query + 1; *q;) {
        size_t n = strcspn(q, "&");
        size_t kn = strcspn(q, "=&");
        if (kn < n && key_is_password(q, kn)) {
            put(out, len, &k, q, kn);
            put(out, len, &k, "=***", 4);
        } else {
            put(out, len, &k, q, n);
        }
        q += n;
        if (*q == '&')
            put(out, len, &k, q++, 1);
    }
    return out;
}
