package verdict

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// cli is the verdict command the tests compile their tables with:
// $VERDICT_BIN, else the repository's target/debug or target/release build.
func cli(tb testing.TB) string {
	tb.Helper()
	if bin := os.Getenv("VERDICT_BIN"); bin != "" {
		return bin
	}
	for _, profile := range []string{"debug", "release"} {
		bin, _ := filepath.Abs(filepath.Join("..", "..", "target", profile, "verdict"))
		if _, err := os.Stat(bin); err == nil {
			return bin
		}
	}
	tb.Fatal("no verdict CLI: run `cargo build` in the repository or set VERDICT_BIN")
	return ""
}

// compile compiles testdata/NAME.vp into DIR/NAME.vdt and returns its path.
func compile(tb testing.TB, dir, name string) string {
	tb.Helper()
	out := filepath.Join(dir, name+".vdt")
	cmd := exec.Command(cli(tb), "compile", filepath.Join("testdata", name+".vp"), "-o", out, "-q")
	if msg, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("verdict compile %s: %v\n%s", name, err, msg)
	}
	return out
}

// replace writes bytes to path atomically (a temporary file renamed over it).
func replace(tb testing.TB, path string, bytes []byte) {
	tb.Helper()
	tmp := path + ".next"
	if err := os.WriteFile(tmp, bytes, 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
}
