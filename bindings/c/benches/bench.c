/*
 * ns per check through the C ABI: by names, by ids, by names with a request
 * context, and a POSIX hsearch(3) table of the same decisions keyed by
 * "principal action" (C's own dictionary). Run by benches/c_bench.rs
 * (`cargo bench -p verdict-c`): `bench TABLE STREAM`, where STREAM has one
 * request per line, principal and action separated by a tab, and each
 * figure is the median of 7 passes over the stream.
 */
#define _POSIX_C_SOURCE 200809L
#define _GNU_SOURCE
#include <search.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "verdict.h"

enum { PASSES = 7 };

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int by_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static size_t n;
static char **principals, **actions;
static size_t *p_len, *a_len;
static uint32_t *p_ids, *a_ids;
static volatile long sink;

typedef long (*pass_fn)(const verdict_table *);

static long pass_names(const verdict_table *table) {
  long sum = 0;
  for (size_t i = 0; i < n; i++)
    sum += verdict_table_check(table, principals[i], p_len[i], actions[i], a_len[i], NULL);
  return sum;
}

static long pass_ids(const verdict_table *table) {
  long sum = 0;
  for (size_t i = 0; i < n; i++) sum += verdict_check_ids(table, p_ids[i], a_ids[i]);
  return sum;
}

static long pass_request(const verdict_table *table) {
  static const verdict_str ip = {"10.1.2.3", 8};
  static const verdict_str tags[2] = {{"team", 4}, {"env", 3}};
  static const verdict_context_entry context[2] = {
      {{"aws:SourceIp", 12}, VERDICT_SINGLE, &ip, 1},
      {{"aws:TagKeys", 11}, VERDICT_MULTI, tags, 2},
  };
  long sum = 0;
  for (size_t i = 0; i < n; i++)
    sum += verdict_table_check_request(table, principals[i], p_len[i], actions[i], a_len[i], "*", 1,
                                       context, 2, NULL);
  return sum;
}

static long pass_hsearch(const verdict_table *table) {
  (void)table;
  long sum = 0;
  char key[512];
  for (size_t i = 0; i < n; i++) {
    memcpy(key, principals[i], p_len[i]);
    key[p_len[i]] = ' ';
    memcpy(key + p_len[i] + 1, actions[i], a_len[i] + 1);
    ENTRY query = {key, NULL};
    ENTRY *found = hsearch(query, FIND);
    sum += found ? (long)(intptr_t)found->data : 0;
  }
  return sum;
}

static double median_ns(pass_fn pass, const verdict_table *table) {
  double t[PASSES];
  for (int r = 0; r < PASSES; r++) {
    double start = now_ns();
    sink += pass(table);
    t[r] = (now_ns() - start) / (double)n;
  }
  qsort(t, PASSES, sizeof t[0], by_double);
  return t[PASSES / 2];
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: bench TABLE STREAM\n");
    return 2;
  }
  verdict_error *err = NULL;
  double start = now_ns();
  verdict_table *table = verdict_table_open(argv[1], strlen(argv[1]), &err);
  double load = now_ns() - start;
  if (table == NULL) {
    fprintf(stderr, "bench: %s\n", verdict_error_message(err));
    return 2;
  }
  FILE *stream = fopen(argv[2], "r");
  if (stream == NULL) return 2;
  size_t cap = 1 << 17;
  principals = malloc(cap * sizeof *principals);
  actions = malloc(cap * sizeof *actions);
  p_len = malloc(cap * sizeof *p_len);
  a_len = malloc(cap * sizeof *a_len);
  p_ids = malloc(cap * sizeof *p_ids);
  a_ids = malloc(cap * sizeof *a_ids);
  char *line = NULL;
  size_t line_cap = 0;
  while (n < cap && getline(&line, &line_cap, stream) > 0) {
    char *tab = strchr(line, '\t');
    if (tab == NULL) continue;
    *tab = '\0';
    char *action = tab + 1;
    action[strcspn(action, "\n")] = '\0';
    principals[n] = strdup(line);
    actions[n] = strdup(action);
    p_len[n] = strlen(line);
    a_len[n] = strlen(action);
    if (verdict_principal_id(table, principals[n], p_len[n], &p_ids[n], NULL) != VERDICT_OK ||
        verdict_action_id(table, actions[n], a_len[n], &a_ids[n], NULL) != VERDICT_OK) {
      fprintf(stderr, "bench: unknown name on line %zu\n", n + 1);
      return 2;
    }
    n++;
  }
  free(line);
  fclose(stream);

  /* C's own dictionary: the decision of every request of the stream, keyed "principal action". */
  size_t n_p = verdict_table_n_principals(table), n_a = verdict_table_n_actions(table);
  if (!hcreate(n_p * n_a * 2)) return 2;
  for (size_t i = 0; i < n; i++) {
    size_t len = p_len[i] + a_len[i] + 2;
    char *key = malloc(len);
    snprintf(key, len, "%s %s", principals[i], actions[i]);
    ENTRY item = {key, (void *)(intptr_t)verdict_check_ids(table, p_ids[i], a_ids[i])};
    ENTRY *found = hsearch(item, ENTER);
    if (found == NULL) return 2;
    if (found->key != key) free(key);
  }
  if (pass_names(table) != pass_hsearch(table)) {
    fprintf(stderr, "bench: the dictionary disagrees with the table\n");
    return 1;
  }

  printf("table: %zu principals x %zu actions, opened in %.1f us; %zu requests per pass, median of %d passes\n",
         n_p, n_a, load / 1e3, n, PASSES);
  printf("  by names (verdict_table_check)               %7.1f ns/check\n", median_ns(pass_names, table));
  printf("  by ids (verdict_check_ids)                   %7.1f ns/check\n", median_ns(pass_ids, table));
  printf("  with a 2-key context (verdict_table_check_request) %7.1f ns/check\n",
         median_ns(pass_request, table));
  printf("  hsearch(3) of the same decisions             %7.1f ns/check\n", median_ns(pass_hsearch, table));
  verdict_table_free(table);
  return 0;
}
