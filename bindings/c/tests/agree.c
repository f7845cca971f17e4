/*
 * Cross-language agreement, C side: `agree TABLE REQUESTS.tsv` answers each
 * request through verdict_table_check_request and prints one word per line:
 * allow, deny, implicit-deny or error (verdict_code_name).
 *
 * A line of REQUESTS.tsv is tab-separated: principal, action, resource (empty
 * for none), the number of context keys, then per key: the key, `s` (single)
 * or `m` (multivalued), the number of values and the values. Written by the
 * root package's `bindings` test beside requests.jsonl, the same requests in
 * the CLI's batch format; no field holds a tab or a newline.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verdict.h"

enum { MAX_FIELDS = 4096 };

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: agree TABLE REQUESTS.tsv\n");
    return 2;
  }
  verdict_error *err = NULL;
  verdict_table *table = verdict_table_open(argv[1], strlen(argv[1]), &err);
  if (table == NULL) {
    fprintf(stderr, "agree: %s\n", verdict_error_message(err));
    verdict_error_free(err);
    return 2;
  }
  FILE *requests = fopen(argv[2], "r");
  if (requests == NULL) {
    perror("agree");
    return 2;
  }
  static char *field[MAX_FIELDS];
  static size_t length[MAX_FIELDS];
  static verdict_context_entry entries[MAX_FIELDS];
  static verdict_str values[MAX_FIELDS];
  char *line = NULL;
  size_t cap = 0;
  ssize_t got;
  long line_no = 0;
  while ((got = getline(&line, &cap, requests)) != -1) {
    line_no++;
    if (got > 0 && line[got - 1] == '\n') line[--got] = '\0';
    size_t n = 0;
    char *at = line;
    for (;;) {
      if (n == MAX_FIELDS) {
        fprintf(stderr, "agree: line %ld has too many fields\n", line_no);
        return 2;
      }
      char *tab = strchr(at, '\t');
      field[n] = at;
      length[n] = tab ? (size_t)(tab - at) : strlen(at);
      n++;
      if (tab == NULL) break;
      at = tab + 1;
    }
    if (n < 4) {
      fprintf(stderr, "agree: line %ld is short\n", line_no);
      return 2;
    }
    size_t n_keys = strtoul(field[3], NULL, 10), next = 4, n_values = 0;
    for (size_t k = 0; k < n_keys; k++) {
      if (next + 3 > n) {
        fprintf(stderr, "agree: line %ld is short\n", line_no);
        return 2;
      }
      entries[k].key.ptr = field[next];
      entries[k].key.len = length[next];
      entries[k].kind = field[next + 1][0] == 'm' ? VERDICT_MULTI : VERDICT_SINGLE;
      size_t count = strtoul(field[next + 2], NULL, 10);
      next += 3;
      if (next + count > n) {
        fprintf(stderr, "agree: line %ld is short\n", line_no);
        return 2;
      }
      entries[k].values = &values[n_values];
      entries[k].n_values = count;
      for (size_t v = 0; v < count; v++, next++, n_values++) {
        values[n_values].ptr = field[next];
        values[n_values].len = length[next];
      }
    }
    int code = verdict_table_check_request(table, field[0], length[0], field[1], length[1],
                                           field[2], length[2], entries, n_keys, NULL);
    puts(verdict_code_name(code));
  }
  free(line);
  fclose(requests);
  verdict_table_free(table);
  return 0;
}
