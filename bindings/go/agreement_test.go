package verdict

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAgreement answers the cross-language agreement requests (written by the
// root package's `bindings` test into $VERDICT_AGREEMENT_DIR: table.vdt,
// requests.jsonl in the CLI's batch format, expected.txt with the CLI's
// answers) and finds the CLI's decision for every one. Skipped without the
// folder unless $VERDICT_REQUIRE_AGREEMENT is set.
func TestAgreement(t *testing.T) {
	dir := os.Getenv("VERDICT_AGREEMENT_DIR")
	if dir == "" {
		if os.Getenv("VERDICT_REQUIRE_AGREEMENT") != "" {
			t.Fatal("VERDICT_AGREEMENT_DIR is not set")
		}
		t.Skip("VERDICT_AGREEMENT_DIR is not set (cargo test --test main -- bindings sets it)")
	}
	table, err := Open(filepath.Join(dir, "table.vdt"))
	if err != nil {
		t.Fatal(err)
	}
	defer table.Close()
	expected, err := os.ReadFile(filepath.Join(dir, "expected.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSuffix(string(expected), "\n"), "\n")
	file, err := os.Open(filepath.Join(dir, "requests.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	lines := bufio.NewScanner(file)
	lines.Buffer(make([]byte, 1<<20), 1<<24)
	n, disagree := 0, 0
	for lines.Scan() {
		var line struct {
			Principal string                     `json:"principal"`
			Action    string                     `json:"action"`
			Resource  string                     `json:"resource"`
			Context   map[string]json.RawMessage `json:"context"`
		}
		if err := json.Unmarshal(lines.Bytes(), &line); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		req := Request{Resource: line.Resource}
		for key, raw := range line.Context {
			var single string
			var multi []string
			if err := json.Unmarshal(raw, &single); err == nil {
				req.Context = append(req.Context, Single(key, single))
			} else if err := json.Unmarshal(raw, &multi); err == nil {
				req.Context = append(req.Context, Multi(key, multi...))
			} else {
				t.Fatalf("line %d: context %s is neither a string nor a list", n+1, key)
			}
		}
		got := "error"
		if d, err := table.CheckRequest(line.Principal, line.Action, req); err == nil {
			got = d.String()
		}
		if n >= len(want) {
			t.Fatalf("more requests than answers in expected.txt")
		}
		if got != want[n] {
			disagree++
			if disagree <= 5 {
				t.Errorf("line %d: CLI %s, Go %s", n+1, want[n], got)
			}
		}
		n++
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(want) || n == 0 {
		t.Fatalf("%d requests, %d answers", n, len(want))
	}
	if disagree > 0 {
		t.Fatalf("%d of %d requests disagree", disagree, n)
	}
	t.Logf("%d requests agree with the CLI", n)
}
