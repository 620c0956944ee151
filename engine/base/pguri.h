/* pguri.h: PostgreSQL connection URIs as a batch names its store, read
 * without a connection (the batch file, messages, `lcme history`).
 *
 *     store = postgresql://officer@db.example.org:5432/network?sslmode=require
 *
 *     if (pguri_is(cfg->store)) {
 *         if (pguri_has_password(cfg->store))
 *             ...refuse: passwords come from PGPASSWORD or ~/.pgpass
 *         char shown[512];
 *         printf("store %s\n", pguri_scrub(cfg->store, shown, sizeof shown));
 *     }
 *
 * The form is libpq's: postgresql://[user[:password]@][host][:port][,...]
 * [/dbname][?key=value&...], also spelled postgres://. A password can sit in
 * two places, after the user (user:secret@) and as the password parameter
 * (?password=secret, the key possibly percent-encoded); both are found and
 * both are hidden. Nothing here resolves or checks the rest: libpq does when
 * the store connects (store_pg.c).
 */
#ifndef LCME_PGURI_H
#define LCME_PGURI_H

#include <stddef.h>

/* 1 when s begins with postgresql:// or postgres:// (a PostgreSQL store),
 * 0 otherwise (a path: a SQLite store). NULL is 0. */
int pguri_is(const char *s);

/* 1 when s is a libpq keyword/value connection string rather than a URI
 * ("host=db dbname=network": a known connection keyword, optional blanks,
 * then '='), else 0. lcme names a PostgreSQL store by URI only, and a
 * keyword string would otherwise be taken for a SQLite file's name. */
int pguri_is_keywords(const char *s);

/* 1 when the URI s gives a password (user:password@, or a password
 * parameter, even empty), else 0. */
int pguri_has_password(const char *s);

/* s with every password replaced by "***" and every control character by
 * '?', fit to print, into out (truncated to len - 1 bytes; len >= 1).
 * Returns out. */
char *pguri_scrub(const char *s, char *out, size_t len);

#endif
