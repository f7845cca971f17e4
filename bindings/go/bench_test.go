package verdict

import (
	"bytes"
	"encoding/csv"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// The benchmark's table: `verdict bench --generate --users 1000` compiled
// (1,010 principals × 316 actions), its decisions as a Go map, and a stream of
// random (principal, action) names drawn from it.
var bench struct {
	once     sync.Once
	dir      string
	table    string
	names    [][2]string
	ids      [][2]uint32
	decision map[string]map[string]int
}

func benchSetup(b *testing.B) {
	bench.once.Do(func() {
		dir, err := os.MkdirTemp("", "verdict-go-bench")
		if err != nil {
			b.Fatal(err)
		}
		bench.dir = dir
		org := filepath.Join(dir, "org.vp")
		bench.table = filepath.Join(dir, "org.vdt")
		for _, args := range [][]string{
			{"bench", "--generate", "--users", "1000", "-o", org},
			{"compile", org, "-o", bench.table, "-q"},
		} {
			if out, err := exec.Command(cli(b), args...).CombinedOutput(); err != nil {
				b.Fatalf("verdict %v: %v\n%s", args, err, out)
			}
		}
		wide, err := exec.Command(cli(b), "export", bench.table, "--format", "csv", "--layout", "wide").Output()
		if err != nil {
			b.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(wide)).ReadAll()
		if err != nil {
			b.Fatal(err)
		}
		codes := map[string]int{"allow": int(Allow), "deny": int(Deny), "implicit-deny": int(ImplicitDeny)}
		bench.decision = make(map[string]map[string]int, len(rows))
		actions := rows[0][1:]
		for _, row := range rows[1:] {
			inner := make(map[string]int, len(actions))
			for i, cell := range row[1:] {
				inner[actions[i]] = codes[cell]
			}
			bench.decision[row[0]] = inner
		}
		table, err := Open(bench.table)
		if err != nil {
			b.Fatal(err)
		}
		defer table.Close()
		rng := rand.New(rand.NewSource(1))
		for i := 0; i < 100000; i++ {
			row := rows[1+rng.Intn(len(rows)-1)]
			action := actions[rng.Intn(len(actions))]
			p, _ := table.PrincipalID(row[0])
			a, _ := table.ActionID(action)
			bench.names = append(bench.names, [2]string{row[0], action})
			bench.ids = append(bench.ids, [2]uint32{p, a})
			// The map and the table must agree before anything is timed.
			d, err := table.Check(row[0], action)
			if err != nil || int(d) != bench.decision[row[0]][action] {
				b.Fatalf("%s %s: table %v (%v), map %d", row[0], action, d, err, bench.decision[row[0]][action])
			}
		}
	})
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

var sink int

// BenchmarkCheck: ns per check by names through cgo and the C ABI, by ids,
// with a request context, against a Go map of the same decisions and against
// running the CLI (`verdict check`) once per check.
func BenchmarkCheck(b *testing.B) {
	benchSetup(b)
	table, err := Open(bench.table)
	if err != nil {
		b.Fatal(err)
	}
	defer table.Close()
	n := len(bench.names)
	b.Run("names", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			q := &bench.names[i%n]
			d, _ := table.Check(q[0], q[1])
			sink += int(d)
		}
	})
	b.Run("ids", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			q := &bench.ids[i%n]
			d, _ := table.CheckIDs(q[0], q[1])
			sink += int(d)
		}
	})
	req := Request{Resource: "*", Context: []Value{Single("aws:SourceIp", "10.1.2.3"), Multi("aws:TagKeys", "team", "env")}}
	b.Run("request-with-context", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			q := &bench.names[i%n]
			d, _ := table.CheckRequest(q[0], q[1], req)
			sink += int(d)
		}
	})
	handle, err := OpenHandle(bench.table)
	if err != nil {
		b.Fatal(err)
	}
	defer handle.Close()
	b.Run("handle-names", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			q := &bench.names[i%n]
			d, _ := handle.Check(q[0], q[1])
			sink += int(d)
		}
	})
	b.Run("go-map", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			q := &bench.names[i%n]
			sink += bench.decision[q[0]][q[1]]
		}
	})
	bin := cli(b)
	b.Run("cli", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			q := &bench.names[i%n]
			// Exit status 1 is deny: only a failure to run counts.
			out, _ := exec.Command(bin, "check", bench.table, q[0], q[1]).Output()
			sink += len(out)
		}
	})
}
