/*
 * The C ABI from C: every function of verdict.h, its error paths (NULL,
 * invalid UTF-8, malformed contexts, missing, damaged, truncated and
 * other-version tables), and checks from several threads while another
 * replaces the table file again and again and reloads.
 *
 * Run by tests/c_abi.rs: `abi DIR`, where DIR holds a.vdt and b.vdt (two
 * tables with the same names whose answers differ in every unconditional cell
 * of every row), the broken files, and expect.txt (one line per cell:
 * principal index, action index, principal, action, A's code, B's code, for
 * the empty request). RELOADS (default 300) is the number of file
 * replacements of the concurrent test. Prints "N passed, N failed" and exits non-zero on any
 * failure.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "verdict.h"

static atomic_int passed;
static atomic_int failed;

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (cond) {                                                            \
      atomic_fetch_add(&passed, 1);                                        \
    } else {                                                               \
      atomic_fetch_add(&failed, 1);                                        \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                      \
  } while (0)

#define MAX_P 16
#define MAX_A 16

static const char *dir;
static size_t n_p, n_a;
static char p_names[MAX_P][64];
static char a_names[MAX_A][64];
static int want_a[MAX_P][MAX_A];
static int want_b[MAX_P][MAX_A];

static verdict_str S(const char *text) {
  verdict_str s = {text, strlen(text)};
  return s;
}

static char *path_of(const char *name) {
  size_t len = strlen(dir) + strlen(name) + 2;
  char *path = malloc(len);
  if (path == NULL) abort();
  snprintf(path, len, "%s/%s", dir, name);
  return path;
}

static unsigned char *read_file(const char *name, size_t *len) {
  char *path = path_of(name);
  FILE *file = fopen(path, "rb");
  free(path);
  if (file == NULL) abort();
  unsigned char *bytes = NULL;
  size_t cap = 0, used = 0;
  for (;;) {
    if (used == cap) {
      cap = cap ? cap * 2 : 4096;
      bytes = realloc(bytes, cap);
      if (bytes == NULL) abort();
    }
    size_t got = fread(bytes + used, 1, cap - used, file);
    used += got;
    if (got == 0) break;
  }
  fclose(file);
  *len = used;
  return bytes;
}

static void write_file(const char *path, const unsigned char *bytes, size_t len) {
  FILE *file = fopen(path, "wb");
  if (file == NULL) abort();
  if (fwrite(bytes, 1, len, file) != len) abort();
  if (fclose(file) != 0) abort();
}

static void read_expectations(void) {
  char *path = path_of("expect.txt");
  FILE *file = fopen(path, "r");
  free(path);
  if (file == NULL) abort();
  size_t pi, ai;
  char p[64], a[64];
  int code_a, code_b;
  while (fscanf(file, "%zu %zu %63s %63s %d %d", &pi, &ai, p, a, &code_a, &code_b) == 6) {
    if (pi >= MAX_P || ai >= MAX_A) abort();
    strcpy(p_names[pi], p);
    strcpy(a_names[ai], a);
    want_a[pi][ai] = code_a;
    want_b[pi][ai] = code_b;
    if (pi + 1 > n_p) n_p = pi + 1;
    if (ai + 1 > n_a) n_a = ai + 1;
  }
  fclose(file);
}

/* Opens NAME in DIR and expects a load error of CLASS. */
static void expect_load_error(const char *name, int class) {
  char *path = path_of(name);
  verdict_error *err = NULL;
  verdict_table *table = verdict_table_open(path, strlen(path), &err);
  CHECK(table == NULL);
  CHECK(verdict_error_code(err) == VERDICT_ERR_LOAD);
  CHECK(verdict_error_load_class(err) == class);
  if (verdict_error_load_class(err) != class)
    fprintf(stderr, "  %s: class %d: %s\n", name, verdict_error_load_class(err),
            verdict_error_message(err));
  CHECK(strlen(verdict_error_message(err)) > 0);
  verdict_error_free(err);

  verdict_handle *handle = verdict_handle_open(path, strlen(path), &err);
  CHECK(handle == NULL);
  CHECK(verdict_error_load_class(err) == class);
  verdict_error_free(err);
  free(path);
}

static void test_loading(void) {
  expect_load_error("missing.vdt", VERDICT_LOAD_NOT_FOUND);
  expect_load_error("text.vdt", VERDICT_LOAD_NOT_A_TABLE);
  expect_load_error("damaged.vdt", VERDICT_LOAD_DAMAGED);
  expect_load_error("truncated.vdt", VERDICT_LOAD_DAMAGED);
  expect_load_error("version.vdt", VERDICT_LOAD_UNSUPPORTED_VERSION);
  expect_load_error(".", VERDICT_LOAD_NOT_A_TABLE); /* a directory */

  verdict_error *err = NULL;
  CHECK(verdict_table_open(NULL, 0, &err) == NULL);
  CHECK(verdict_error_code(err) == VERDICT_ERR_NULL);
  verdict_error_free(err);
  CHECK(verdict_table_open(NULL, 3, NULL) == NULL); /* no error object asked */
  CHECK(verdict_table_from_bytes(NULL, 10, &err) == NULL);
  CHECK(verdict_error_code(err) == VERDICT_ERR_NULL);
  verdict_error_free(err);
  const unsigned char nothing[1] = {0};
  CHECK(verdict_table_from_bytes(nothing, 0, &err) == NULL);
  CHECK(verdict_error_code(err) == VERDICT_ERR_LOAD);
  verdict_error_free(err);
  CHECK(verdict_handle_from_bytes(nothing, 1, &err) == NULL);
  CHECK(verdict_error_code(err) == VERDICT_ERR_LOAD);
  CHECK(verdict_error_load_class(err) == VERDICT_LOAD_NOT_A_TABLE);
  verdict_error_free(err);

  /* Reading a NULL error object is defined. */
  CHECK(verdict_error_code(NULL) == VERDICT_ERR_NULL);
  CHECK(verdict_error_load_class(NULL) == VERDICT_LOAD_NONE);
  CHECK(strcmp(verdict_error_message(NULL), "") == 0);
  verdict_error_free(NULL);
  verdict_table_free(NULL);
  verdict_handle_free(NULL);
}

static void test_table(void) {
  size_t len;
  unsigned char *bytes = read_file("a.vdt", &len);
  verdict_error *err = (verdict_error *)1; /* must be overwritten */
  verdict_table *from_bytes = verdict_table_from_bytes(bytes, len, &err);
  CHECK(from_bytes != NULL);
  CHECK(err == NULL);
  free(bytes);
  char *path = path_of("a.vdt");
  verdict_table *table = verdict_table_open(path, strlen(path), &err);
  free(path);
  CHECK(table != NULL && err == NULL);
  if (table == NULL || from_bytes == NULL) return;

  CHECK(verdict_table_n_principals(table) == n_p);
  CHECK(verdict_table_n_actions(table) == n_a);
  CHECK(verdict_table_n_principals(NULL) == 0);
  CHECK(verdict_table_n_actions(NULL) == 0);

  /* Every cell by names and by ids, on both tables, equals A's expectation. */
  for (size_t p = 0; p < n_p; p++) {
    for (size_t a = 0; a < n_a; a++) {
      verdict_str pn = S(p_names[p]), an = S(a_names[a]);
      CHECK(verdict_table_check(table, pn.ptr, pn.len, an.ptr, an.len, &err) == want_a[p][a]);
      CHECK(verdict_table_check(from_bytes, pn.ptr, pn.len, an.ptr, an.len, NULL) == want_a[p][a]);
      uint32_t pid = 99, aid = 99;
      CHECK(verdict_principal_id(table, pn.ptr, pn.len, &pid, &err) == VERDICT_OK);
      CHECK(verdict_action_id(table, an.ptr, an.len, &aid, &err) == VERDICT_OK);
      CHECK(pid == p && aid == a);
      CHECK(verdict_check_ids(table, pid, aid) == want_a[p][a]);
      CHECK(verdict_check_ids_request(table, pid, aid, NULL, 0, NULL, 0, &err) == want_a[p][a]);
      CHECK(verdict_table_check_request(table, pn.ptr, pn.len, an.ptr, an.len, NULL, 0, NULL, 0,
                                        &err) == want_a[p][a]);
    }
  }

  /* Conditional cells of user/p0: a0 needs aws:SourceIp in 10.0.0.0/8, a1 a
   * resource under arn:aws:s3:::bucket/, a2 aws:TagKeys containing "team". */
  verdict_str p0 = S("user/p0"), a0 = S("svc:A0"), a1 = S("svc:a1"), a2 = S("SVC:A2");
  verdict_str corp = S("10.1.2.3"), home = S("192.0.2.1");
  verdict_context_entry ip = {S("aws:SourceIp"), VERDICT_SINGLE, &corp, 1};
  CHECK(verdict_table_check_request(table, p0.ptr, p0.len, a0.ptr, a0.len, NULL, 0, &ip, 1, &err) ==
        VERDICT_ALLOW);
  verdict_context_entry ip_home = {S("AWS:SOURCEIP"), VERDICT_SINGLE, &home, 1};
  CHECK(verdict_table_check_request(table, p0.ptr, p0.len, a0.ptr, a0.len, NULL, 0, &ip_home, 1,
                                    &err) == VERDICT_IMPLICIT_DENY);
  CHECK(verdict_check_ids_request(table, 0, 0, NULL, 0, &ip, 1, &err) == VERDICT_ALLOW);
  CHECK(verdict_check_ids_request(table, 0, 0, "*", 1, &ip_home, 1, &err) == VERDICT_IMPLICIT_DENY);
  const char *object = "arn:aws:s3:::bucket/key";
  CHECK(verdict_table_check_request(table, p0.ptr, p0.len, a1.ptr, a1.len, object, strlen(object),
                                    NULL, 0, &err) == VERDICT_ALLOW);
  CHECK(verdict_table_check_request(table, p0.ptr, p0.len, a1.ptr, a1.len, "*", 1, NULL, 0, &err) ==
        VERDICT_IMPLICIT_DENY);
  verdict_str tags[2] = {S("env"), S("team")};
  verdict_context_entry tag_keys = {S("aws:TagKeys"), VERDICT_MULTI, tags, 2};
  CHECK(verdict_table_check_request(table, p0.ptr, p0.len, a2.ptr, a2.len, NULL, 0, &tag_keys, 1,
                                    &err) == VERDICT_ALLOW);
  verdict_context_entry no_tags = {S("aws:TagKeys"), VERDICT_MULTI, NULL, 0};
  CHECK(verdict_table_check_request(table, p0.ptr, p0.len, a2.ptr, a2.len, NULL, 0, &no_tags, 1,
                                    &err) == VERDICT_IMPLICIT_DENY);
  verdict_context_entry both[2] = {ip, tag_keys};
  CHECK(verdict_table_check_request(table, p0.ptr, p0.len, a2.ptr, a2.len, NULL, 0, both, 2, &err) ==
        VERDICT_ALLOW);
  CHECK(err == NULL);

  /* Errors: unknown names, NULL, bad UTF-8, malformed contexts, limits. */
  CHECK(verdict_table_check(table, "user/nobody", 11, a0.ptr, a0.len, &err) ==
        VERDICT_ERR_UNKNOWN_PRINCIPAL);
  CHECK(verdict_error_code(err) == VERDICT_ERR_UNKNOWN_PRINCIPAL);
  CHECK(strstr(verdict_error_message(err), "user/nobody") != NULL);
  verdict_error_free(err);
  CHECK(verdict_table_check(table, p0.ptr, p0.len, "svc:Nope", 8, &err) ==
        VERDICT_ERR_UNKNOWN_ACTION);
  verdict_error_free(err);
  CHECK(verdict_table_check(NULL, p0.ptr, p0.len, a0.ptr, a0.len, &err) == VERDICT_ERR_NULL);
  verdict_error_free(err);
  CHECK(verdict_table_check(table, NULL, 0, a0.ptr, a0.len, &err) == VERDICT_ERR_NULL);
  verdict_error_free(err);
  CHECK(verdict_table_check(table, p0.ptr, p0.len, NULL, 7, NULL) == VERDICT_ERR_NULL);
  CHECK(verdict_table_check(table, "user/\xff\xfe", 7, a0.ptr, a0.len, &err) == VERDICT_ERR_UTF8);
  CHECK(verdict_error_code(err) == VERDICT_ERR_UTF8);
  verdict_error_free(err);
  CHECK(verdict_table_check(table, p0.ptr, p0.len, "svc:\xc3", 5, NULL) == VERDICT_ERR_UTF8);
  /* A name with a NUL inside is a name like any other (and unknown). */
  CHECK(verdict_table_check(table, "user/p0\0x", 9, a0.ptr, a0.len, &err) ==
        VERDICT_ERR_UNKNOWN_PRINCIPAL);
  verdict_error_free(err);
  CHECK(verdict_table_check_request(table, p0.ptr, p0.len, a0.ptr, a0.len, NULL, 4, NULL, 0, &err) ==
        VERDICT_ERR_NULL);
  verdict_error_free(err);
  CHECK(verdict_table_check_request(table, p0.ptr, p0.len, a0.ptr, a0.len, NULL, 0, NULL, 2, &err) ==
        VERDICT_ERR_NULL);
  verdict_error_free(err);
  verdict_context_entry bad_kind = {S("aws:SourceIp"), 7, &corp, 1};
  CHECK(verdict_table_check_request(table, p0.ptr, p0.len, a0.ptr, a0.len, NULL, 0, &bad_kind, 1,
                                    &err) == VERDICT_ERR_INVALID_ARGUMENT);
  verdict_error_free(err);
  verdict_context_entry two_singles = {S("aws:TagKeys"), VERDICT_SINGLE, tags, 2};
  CHECK(verdict_table_check_request(table, p0.ptr, p0.len, a0.ptr, a0.len, NULL, 0, &two_singles, 1,
                                    &err) == VERDICT_ERR_INVALID_ARGUMENT);
  verdict_error_free(err);
  /* With no values the pointer is not read, whatever it is. */
  verdict_context_entry junk_pointer = {S("aws:TagKeys"), VERDICT_MULTI, (const verdict_str *)3, 0};
  CHECK(verdict_table_check_request(table, p0.ptr, p0.len, a2.ptr, a2.len, NULL, 0, &junk_pointer,
                                    1, &err) == VERDICT_IMPLICIT_DENY);
  verdict_context_entry misaligned = {S("aws:TagKeys"), VERDICT_MULTI, (const verdict_str *)3, 1};
  CHECK(verdict_table_check_request(table, p0.ptr, p0.len, a2.ptr, a2.len, NULL, 0, &misaligned, 1,
                                    &err) == VERDICT_ERR_INVALID_ARGUMENT);
  verdict_error_free(err);
  verdict_context_entry null_values = {S("aws:TagKeys"), VERDICT_MULTI, NULL, 3};
  CHECK(verdict_table_check_request(table, p0.ptr, p0.len, a0.ptr, a0.len, NULL, 0, &null_values, 1,
                                    &err) == VERDICT_ERR_NULL);
  verdict_error_free(err);
  verdict_str bad_value = {"\x80", 1};
  verdict_context_entry utf8_value = {S("aws:SourceIp"), VERDICT_SINGLE, &bad_value, 1};
  CHECK(verdict_table_check_request(table, p0.ptr, p0.len, a0.ptr, a0.len, NULL, 0, &utf8_value, 1,
                                    &err) == VERDICT_ERR_UTF8);
  verdict_error_free(err);
  verdict_context_entry utf8_key = {{"k\xff", 2}, VERDICT_SINGLE, &corp, 1};
  CHECK(verdict_check_ids_request(table, 0, 0, NULL, 0, &utf8_key, 1, &err) == VERDICT_ERR_UTF8);
  verdict_error_free(err);
  char *long_resource = malloc(5000);
  if (long_resource == NULL) abort();
  memset(long_resource, 'a', 5000);
  CHECK(verdict_table_check_request(table, p0.ptr, p0.len, a1.ptr, a1.len, long_resource, 5000,
                                    NULL, 0, &err) == VERDICT_ERR_REQUEST_LIMIT);
  CHECK(strstr(verdict_error_message(err), "resource") != NULL);
  verdict_error_free(err);
  CHECK(verdict_check_ids_request(table, 0, 1, long_resource, 5000, NULL, 0, &err) ==
        VERDICT_ERR_REQUEST_LIMIT);
  verdict_error_free(err);
  free(long_resource);

  /* Ids: out of range is an error, never another cell's answer. */
  uint32_t id = 7;
  CHECK(verdict_principal_id(table, "user/nobody", 11, &id, &err) == VERDICT_ERR_UNKNOWN_PRINCIPAL);
  CHECK(id == 7);
  verdict_error_free(err);
  CHECK(verdict_action_id(table, "svc:Nope", 8, &id, &err) == VERDICT_ERR_UNKNOWN_ACTION);
  verdict_error_free(err);
  CHECK(verdict_principal_id(table, p0.ptr, p0.len, NULL, &err) == VERDICT_ERR_NULL);
  verdict_error_free(err);
  CHECK(verdict_action_id(NULL, a0.ptr, a0.len, &id, NULL) == VERDICT_ERR_NULL);
  CHECK(verdict_check_ids(table, (uint32_t)n_p, 0) == VERDICT_ERR_UNKNOWN_ID);
  CHECK(verdict_check_ids(table, 0, (uint32_t)n_a) == VERDICT_ERR_UNKNOWN_ID);
  CHECK(verdict_check_ids(table, UINT32_MAX, UINT32_MAX) == VERDICT_ERR_UNKNOWN_ID);
  CHECK(verdict_check_ids(NULL, 0, 0) == VERDICT_ERR_NULL);
  CHECK(verdict_check_ids_request(table, UINT32_MAX, 0, NULL, 0, NULL, 0, &err) ==
        VERDICT_ERR_UNKNOWN_ID);
  CHECK(verdict_error_code(err) == VERDICT_ERR_UNKNOWN_ID);
  verdict_error_free(err);

  /* Fingerprint, snprintf-style. */
  int64_t need = verdict_table_fingerprint(table, NULL, 0);
  CHECK(need > 10);
  char *line = malloc((size_t)need + 1);
  if (line == NULL) abort();
  CHECK(verdict_table_fingerprint(table, line, (size_t)need + 1) == need);
  CHECK(strlen(line) == (size_t)need);
  CHECK(strstr(line, "3") != NULL); /* the format version */
  char small[8];
  CHECK(verdict_table_fingerprint(table, small, sizeof small) == need);
  CHECK(strlen(small) == sizeof small - 1 && strncmp(small, line, sizeof small - 1) == 0);
  CHECK(verdict_table_fingerprint(table, NULL, 5) == VERDICT_ERR_NULL);
  CHECK(verdict_table_fingerprint(NULL, small, sizeof small) == VERDICT_ERR_NULL);
  char other[512];
  CHECK(verdict_table_fingerprint(from_bytes, other, sizeof other) == need);
  CHECK(strcmp(other, line) == 0);
  free(line);

  /* Code names. */
  CHECK(strcmp(verdict_code_name(VERDICT_ALLOW), "allow") == 0);
  CHECK(strcmp(verdict_code_name(VERDICT_DENY), "deny") == 0);
  CHECK(strcmp(verdict_code_name(VERDICT_IMPLICIT_DENY), "implicit-deny") == 0);
  CHECK(strcmp(verdict_code_name(VERDICT_ERR_LOAD), "error") == 0);
  CHECK(strcmp(verdict_code_name(42), "unknown") == 0);

  verdict_table_free(table);
  verdict_table_free(from_bytes);
}

static void test_handle(void) {
  char *live = path_of("handle.vdt");
  size_t len_a, len_b;
  unsigned char *a = read_file("a.vdt", &len_a);
  unsigned char *b = read_file("b.vdt", &len_b);
  write_file(live, a, len_a);
  verdict_error *err = NULL;
  verdict_handle *handle = verdict_handle_open(live, strlen(live), &err);
  CHECK(handle != NULL && err == NULL);
  if (handle == NULL) return;
  CHECK(verdict_handle_generation(handle) == 1);
  CHECK(verdict_handle_last_error(handle) == NULL);
  verdict_str p1 = S(p_names[1]), a3 = S(a_names[3]);
  CHECK(verdict_handle_check(handle, p1.ptr, p1.len, a3.ptr, a3.len, &err) == want_a[1][3]);
  CHECK(verdict_handle_check_request(handle, p1.ptr, p1.len, a3.ptr, a3.len, NULL, 0, NULL, 0,
                                     &err) == want_a[1][3]);
  verdict_table *first = verdict_handle_current(handle);
  CHECK(first != NULL);

  /* A good reload swaps B in; the table taken before still answers as A. */
  write_file(live, b, len_b);
  uint64_t generation = 0;
  CHECK(verdict_handle_reload(handle, &generation, &err) == VERDICT_OK);
  CHECK(generation == 2 && verdict_handle_generation(handle) == 2);
  CHECK(verdict_handle_check(handle, p1.ptr, p1.len, a3.ptr, a3.len, &err) == want_b[1][3]);
  CHECK(verdict_check_ids(first, 1, 3) == want_a[1][3]);
  verdict_table_free(first);

  /* A bad file is refused, reported and the old table keeps serving. */
  write_file(live, (const unsigned char *)"not a table", 11);
  CHECK(verdict_handle_reload(handle, &generation, &err) == VERDICT_ERR_LOAD);
  CHECK(verdict_error_load_class(err) == VERDICT_LOAD_NOT_A_TABLE);
  verdict_error_free(err);
  CHECK(generation == 2);
  verdict_error *last = verdict_handle_last_error(handle);
  CHECK(last != NULL && verdict_error_load_class(last) == VERDICT_LOAD_NOT_A_TABLE);
  verdict_error_free(last);
  CHECK(verdict_handle_check(handle, p1.ptr, p1.len, a3.ptr, a3.len, &err) == want_b[1][3]);
  unlink(live);
  CHECK(verdict_handle_reload(handle, NULL, &err) == VERDICT_ERR_LOAD);
  CHECK(verdict_error_load_class(err) == VERDICT_LOAD_NOT_FOUND);
  verdict_error_free(err);

  /* From bytes: reload_from_bytes, and errors on damaged bytes. */
  CHECK(verdict_handle_reload_from_bytes(handle, a, len_a, &generation, &err) == VERDICT_OK);
  CHECK(generation == 3);
  CHECK(verdict_handle_last_error(handle) == NULL);
  CHECK(verdict_handle_check(handle, p1.ptr, p1.len, a3.ptr, a3.len, &err) == want_a[1][3]);
  CHECK(verdict_handle_reload_from_bytes(handle, a, len_a / 2, &generation, &err) ==
        VERDICT_ERR_LOAD);
  CHECK(verdict_error_load_class(err) == VERDICT_LOAD_DAMAGED);
  verdict_error_free(err);
  CHECK(verdict_handle_reload_from_bytes(handle, NULL, 1, NULL, &err) == VERDICT_ERR_NULL);
  verdict_error_free(err);
  CHECK(generation == 3);

  verdict_handle *memory = verdict_handle_from_bytes(b, len_b, &err);
  CHECK(memory != NULL);
  CHECK(verdict_handle_check(memory, p1.ptr, p1.len, a3.ptr, a3.len, NULL) == want_b[1][3]);
  CHECK(verdict_handle_reload(memory, NULL, &err) == VERDICT_ERR_LOAD); /* no file */
  verdict_error_free(err);
  CHECK(verdict_handle_reload_from_bytes(memory, a, len_a, NULL, NULL) == VERDICT_OK);
  CHECK(verdict_handle_generation(memory) == 2);
  verdict_handle_free(memory);

  /* NULL handles. */
  CHECK(verdict_handle_generation(NULL) == 0);
  CHECK(verdict_handle_current(NULL) == NULL);
  CHECK(verdict_handle_last_error(NULL) == NULL);
  CHECK(verdict_handle_reload(NULL, NULL, &err) == VERDICT_ERR_NULL);
  verdict_error_free(err);
  CHECK(verdict_handle_check(NULL, p1.ptr, p1.len, a3.ptr, a3.len, NULL) == VERDICT_ERR_NULL);
  CHECK(verdict_handle_check_request(handle, p1.ptr, p1.len, NULL, 1, NULL, 0, NULL, 0, NULL) ==
        VERDICT_ERR_NULL);
  CHECK(verdict_handle_check(handle, "\xff", 1, a3.ptr, a3.len, NULL) == VERDICT_ERR_UTF8);

  verdict_handle_free(handle);
  free(a);
  free(b);
  free(live);
}

/* Concurrent reload: checkers read rows while the reloader replaces the file. */
static verdict_handle *shared;
static atomic_int stop;
static atomic_long checks_done;
static atomic_long rows_a, rows_b;

static void *checker(void *arg) {
  unsigned seed = (unsigned)(size_t)arg * 2654435761u + 1;
  long local = 0;
  while (!atomic_load(&stop)) {
    seed = seed * 1103515245u + 12345u;
    size_t p = (seed >> 16) % n_p;
    /* A whole row from one snapshot: all A's answers or all B's. */
    verdict_table *table = verdict_handle_current(shared);
    if (table == NULL) {
      CHECK(table != NULL);
      break;
    }
    int all_a = 1, all_b = 1, errors = 0;
    for (size_t a = 0; a < n_a; a++) {
      int code = verdict_check_ids(table, (uint32_t)p, (uint32_t)a);
      if (code < 0) errors++;
      if (code != want_a[p][a]) all_a = 0;
      if (code != want_b[p][a]) all_b = 0;
    }
    verdict_table_free(table);
    if (errors != 0 || !(all_a || all_b)) {
      CHECK(errors == 0);
      CHECK(all_a || all_b);
    }
    if (all_a) atomic_fetch_add(&rows_a, 1);
    if (all_b) atomic_fetch_add(&rows_b, 1);
    /* Single checks through the handle: A's or B's answer, never an error. */
    for (size_t a = 0; a < n_a; a++) {
      verdict_str pn = S(p_names[p]), an = S(a_names[a]);
      verdict_error *err = NULL;
      int code = verdict_handle_check(shared, pn.ptr, pn.len, an.ptr, an.len, &err);
      if (code != want_a[p][a] && code != want_b[p][a]) {
        CHECK(code == want_a[p][a] || code == want_b[p][a]);
        fprintf(stderr, "  got %d: %s\n", code, verdict_error_message(err));
      }
      verdict_error_free(err);
      code = verdict_handle_check_request(shared, pn.ptr, pn.len, an.ptr, an.len, NULL, 0, NULL, 0,
                                          NULL);
      if (code != want_a[p][a] && code != want_b[p][a]) {
        CHECK(code == want_a[p][a] || code == want_b[p][a]);
      }
    }
    local += (long)(3 * n_a);
  }
  atomic_fetch_add(&checks_done, local);
  return NULL;
}

static int RELOADS = 300;

static void test_concurrent_reload(void) {
  char *live = path_of("live.vdt");
  char *next = path_of("live.vdt.next");
  size_t len_a, len_b;
  unsigned char *a = read_file("a.vdt", &len_a);
  unsigned char *b = read_file("b.vdt", &len_b);
  write_file(live, a, len_a);
  verdict_error *err = NULL;
  shared = verdict_handle_open(live, strlen(live), &err);
  CHECK(shared != NULL);
  if (shared == NULL) return;

  enum { THREADS = 4 };
  pthread_t threads[THREADS];
  for (size_t t = 0; t < THREADS; t++)
    CHECK(pthread_create(&threads[t], NULL, checker, (void *)(t + 1)) == 0);

  uint64_t good = 1;
  int reload_errors = 0, refused = 0;
  for (int i = 0; i < RELOADS; i++) {
    int damaged = i % 10 == 9;
    if (damaged) {
      /* A broken file, renamed into place: refused, the old table serves. */
      write_file(next, b, len_b / 2);
    } else {
      write_file(next, i % 2 ? a : b, i % 2 ? len_a : len_b);
    }
    if (rename(next, live) != 0) abort();
    uint64_t generation = 0;
    int rc = verdict_handle_reload(shared, &generation, &err);
    if (damaged) {
      if (rc == VERDICT_ERR_LOAD && verdict_error_load_class(err) == VERDICT_LOAD_DAMAGED) refused++;
      verdict_error_free(err);
    } else if (rc == VERDICT_OK && generation == good + 1) {
      good = generation;
    } else {
      reload_errors++;
    }
    /* Give the checkers time to read between swaps now and then. */
    if (i % 16 == 0) {
      struct timespec pause = {0, 1000000};
      nanosleep(&pause, NULL);
    }
  }
  atomic_store(&stop, 1);
  for (size_t t = 0; t < THREADS; t++) pthread_join(threads[t], NULL);
  CHECK(reload_errors == 0);
  CHECK(refused == RELOADS / 10);
  CHECK(good == (uint64_t)(RELOADS - RELOADS / 10 + 1));
  CHECK(verdict_handle_generation(shared) == good);
  CHECK(atomic_load(&checks_done) > 0);
  CHECK(atomic_load(&rows_a) > 0 && atomic_load(&rows_b) > 0);
  printf("concurrent reload: %d reloads (%d refused), %ld checks, rows seen as A %ld, as B %ld\n",
         RELOADS, refused, atomic_load(&checks_done), atomic_load(&rows_a), atomic_load(&rows_b));
  verdict_handle_free(shared);
  free(a);
  free(b);
  free(live);
  free(next);
}

int main(int argc, char **argv) {
  if (argc != 2 && argc != 3) {
    fprintf(stderr, "usage: abi DIR [RELOADS]\n");
    return 2;
  }
  dir = argv[1];
  if (argc == 3) RELOADS = atoi(argv[2]);
  if (RELOADS < 10) RELOADS = 10;
  read_expectations();
  if (n_p < 2 || n_a < 4) {
    fprintf(stderr, "expect.txt is too small\n");
    return 2;
  }
  test_loading();
  test_table();
  test_handle();
  test_concurrent_reload();
  printf("%d passed, %d failed\n", atomic_load(&passed), atomic_load(&failed));
  return atomic_load(&failed) == 0 ? 0 : 1;
}
