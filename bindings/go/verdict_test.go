package verdict

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func kind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func loadClass(err error) LoadClass {
	var e *Error
	if errors.As(err, &e) {
		return e.LoadClass
	}
	return LoadNone
}

func TestCheckByNames(t *testing.T) {
	path := compile(t, t.TempDir(), "a")
	table, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer table.Close()
	cases := []struct {
		principal, action string
		want              Decision
	}{
		{"user/alice", "chime:CreateAccount", Allow},
		{"user/alice", "CHIME:createaccount", Allow},
		{"user/alice", "chime:DeleteAccount", Deny},
		{"user/carol", "chime:UpdateUser", ImplicitDeny},
		{"user/carol", "chime:ListUsers", Allow},
		{"role/Ops", "chime:GetAccount", Allow},
		{"user/bob", "chime:CreateMeeting", ImplicitDeny}, // conditional, empty request
	}
	for _, c := range cases {
		got, err := table.Check(c.principal, c.action)
		if err != nil || got != c.want {
			t.Errorf("Check(%s, %s) = %v, %v; want %v", c.principal, c.action, got, err, c.want)
		}
		got, err = table.CheckRequest(c.principal, c.action, Request{})
		if err != nil || got != c.want {
			t.Errorf("CheckRequest(%s, %s) = %v, %v; want %v", c.principal, c.action, got, err, c.want)
		}
	}
	if d, err := table.Check("user/mallory", "chime:ListUsers"); kind(err) != KindUnknownPrincipal || d == Allow {
		t.Errorf("unknown principal: %v, %v", d, err)
	}
	if !errors.Is(func() error { _, err := table.Check("user/mallory", "chime:ListUsers"); return err }(), &Error{Kind: KindUnknownPrincipal}) {
		t.Error("errors.Is does not match the kind")
	}
	if _, err := table.Check("user/alice", "chime:Nope"); kind(err) != KindUnknownAction || !strings.Contains(err.Error(), "chime:Nope") {
		t.Errorf("unknown action: %v", err)
	}
	if _, err := table.Check("user/\xff", "chime:ListUsers"); kind(err) != KindUTF8 {
		t.Errorf("bad UTF-8: %v", err)
	}
	if _, err := table.Check("", ""); kind(err) != KindUnknownPrincipal {
		t.Errorf("empty names: %v", err)
	}

	bytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	same, err := FromBytes(bytes)
	if err != nil {
		t.Fatal(err)
	}
	defer same.Close()
	if same.Fingerprint() != table.Fingerprint() || table.Fingerprint() == "" {
		t.Errorf("fingerprints %q and %q", same.Fingerprint(), table.Fingerprint())
	}
	if !strings.Contains(table.Fingerprint(), "chime") {
		t.Errorf("fingerprint %q does not name the catalog", table.Fingerprint())
	}
	other, err := Open(compile(t, t.TempDir(), "b"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if other.Fingerprint() == table.Fingerprint() {
		t.Errorf("two tables with one fingerprint %q", table.Fingerprint())
	}
}

func TestCheckRequest(t *testing.T) {
	table, err := Open(compile(t, t.TempDir(), "a"))
	if err != nil {
		t.Fatal(err)
	}
	defer table.Close()
	check := func(action string, req Request, want Decision) {
		t.Helper()
		got, err := table.CheckRequest("user/bob", action, req)
		if err != nil || got != want {
			t.Errorf("CheckRequest(bob, %s, %+v) = %v, %v; want %v", action, req, got, err, want)
		}
	}
	check("chime:CreateMeeting", Request{Context: []Value{Single("aws:SourceIp", "10.1.2.3")}}, Allow)
	check("chime:CreateMeeting", Request{Context: []Value{Single("AWS:SOURCEIP", "10.1.2.3")}}, Allow)
	check("chime:CreateMeeting", Request{Context: []Value{Single("aws:SourceIp", "192.0.2.1")}}, ImplicitDeny)
	check("chime:CreateMeeting", Request{Resource: "*"}, ImplicitDeny)
	check("chime:TagResource", Request{Context: []Value{Multi("aws:TagKeys", "cost", "env")}}, Allow)
	check("chime:TagResource", Request{Context: []Value{Multi("aws:TagKeys")}}, ImplicitDeny)
	check("chime:TagResource", Request{Context: []Value{
		Single("aws:SourceIp", "10.0.0.1"), Multi("aws:TagKeys", "team"),
	}}, Allow)

	long := strings.Repeat("a", 5000)
	if _, err := table.CheckRequest("user/bob", "chime:CreateMeeting", Request{Resource: long}); kind(err) != KindRequestLimit {
		t.Errorf("long resource: %v", err)
	}
	bad := Value{Key: "aws:TagKeys", Values: []string{"a", "b"}} // single-valued with two values
	if _, err := table.CheckRequest("user/bob", "chime:TagResource", Request{Context: []Value{bad}}); kind(err) != KindInvalidArgument {
		t.Errorf("single key with two values: %v", err)
	}
	if _, err := table.CheckRequest("user/bob", "chime:TagResource", Request{Context: []Value{Single("k", "\xc3")}}); kind(err) != KindUTF8 {
		t.Errorf("bad UTF-8 value: %v", err)
	}
}

func TestIDs(t *testing.T) {
	table, err := Open(compile(t, t.TempDir(), "a"))
	if err != nil {
		t.Fatal(err)
	}
	defer table.Close()
	bob, err := table.PrincipalID("user/bob")
	if err != nil {
		t.Fatal(err)
	}
	meet, err := table.ActionID("chime:createmeeting")
	if err != nil {
		t.Fatal(err)
	}
	if d, err := table.CheckIDs(bob, meet); err != nil || d != ImplicitDeny {
		t.Errorf("CheckIDs = %v, %v", d, err)
	}
	corp := Request{Context: []Value{Single("aws:SourceIp", "10.9.9.9")}}
	if d, err := table.CheckIDsRequest(bob, meet, corp); err != nil || d != Allow {
		t.Errorf("CheckIDsRequest = %v, %v", d, err)
	}
	if _, err := table.PrincipalID("user/mallory"); kind(err) != KindUnknownPrincipal {
		t.Errorf("unknown principal id: %v", err)
	}
	if _, err := table.ActionID("chime:Nope"); kind(err) != KindUnknownAction {
		t.Errorf("unknown action id: %v", err)
	}
	if table.NPrincipals() != 4 || table.NActions() != 316 {
		t.Errorf("%d principals, %d actions", table.NPrincipals(), table.NActions())
	}
	// Every id answers, as by names; past the end is an error, never an answer.
	alice, _ := table.PrincipalID("user/alice")
	create, _ := table.ActionID("chime:CreateAccount")
	if d, err := table.CheckIDs(alice, create); err != nil || d != Allow {
		t.Errorf("alice CreateAccount by ids = %v, %v", d, err)
	}
	for p := 0; p < table.NPrincipals(); p++ {
		for a := 0; a < table.NActions(); a++ {
			if _, err := table.CheckIDs(uint32(p), uint32(a)); err != nil {
				t.Fatalf("CheckIDs(%d, %d): %v", p, a, err)
			}
		}
	}
	if d, err := table.CheckIDs(uint32(table.NPrincipals()), 0); kind(err) != KindUnknownID || d == Allow {
		t.Errorf("principal id past the end: %v, %v", d, err)
	}
	if _, err := table.CheckIDsRequest(0, 1<<31, Request{}); kind(err) != KindUnknownID {
		t.Errorf("action id past the end: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(compile(t, dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, bytes []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, bytes, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	version := append([]byte(nil), good...)
	version[12] = 99
	damaged := append([]byte(nil), good...)
	damaged[len(damaged)/2] ^= 0x40
	cases := []struct {
		path string
		want LoadClass
	}{
		{filepath.Join(dir, "missing.vdt"), LoadNotFound},
		{write("text.vdt", []byte("not a table\n")), LoadNotATable},
		{dir, LoadNotATable},
		{write("version.vdt", version), LoadUnsupportedVersion},
		{write("damaged.vdt", damaged), LoadDamaged},
		{write("truncated.vdt", good[:len(good)/3]), LoadDamaged},
	}
	for _, c := range cases {
		table, err := Open(c.path)
		if table != nil || kind(err) != KindLoad || loadClass(err) != c.want {
			t.Errorf("Open(%s): %v (class %d), want class %d", filepath.Base(c.path), err, loadClass(err), c.want)
		}
		if !errors.Is(err, &Error{Kind: KindLoad, LoadClass: c.want}) {
			t.Errorf("Open(%s): errors.Is does not match the load class", c.path)
		}
		handle, err := OpenHandle(c.path)
		if handle != nil || loadClass(err) != c.want {
			t.Errorf("OpenHandle(%s): %v", filepath.Base(c.path), err)
		}
	}
	if _, err := FromBytes(nil); kind(err) != KindLoad {
		t.Errorf("FromBytes(nil): %v", err)
	}
	if _, err := HandleFromBytes(good[:20]); loadClass(err) != LoadDamaged {
		t.Errorf("HandleFromBytes(truncated): %v", err)
	}
}

func TestHandleReload(t *testing.T) {
	dir := t.TempDir()
	a, _ := os.ReadFile(compile(t, dir, "a"))
	b, _ := os.ReadFile(compile(t, dir, "b"))
	live := filepath.Join(dir, "live.vdt")
	replace(t, live, a)
	handle, err := OpenHandle(live)
	if err != nil {
		t.Fatal(err)
	}
	defer handle.Close()
	want := func(d Decision) {
		t.Helper()
		got, err := handle.Check("user/alice", "chime:CreateAccount")
		if err != nil || got != d {
			t.Errorf("alice CreateAccount = %v, %v; want %v", got, err, d)
		}
	}
	want(Allow)
	if handle.Generation() != 1 || handle.LastError() != nil {
		t.Errorf("generation %d, last error %v", handle.Generation(), handle.LastError())
	}
	before := handle.Current()
	defer before.Close()
	replace(t, live, b)
	if g, err := handle.Reload(); err != nil || g != 2 {
		t.Errorf("Reload = %d, %v", g, err)
	}
	want(ImplicitDeny)
	if d, _ := before.Check("user/alice", "chime:CreateAccount"); d != Allow {
		t.Errorf("a table taken before the reload answers %v", d)
	}
	replace(t, live, []byte("garbage"))
	if _, err := handle.Reload(); loadClass(err) != LoadNotATable {
		t.Errorf("Reload(garbage): %v", err)
	}
	if loadClass(handle.LastError()) != LoadNotATable {
		t.Errorf("LastError = %v", handle.LastError())
	}
	want(ImplicitDeny) // the old table serves
	if g, err := handle.ReloadFromBytes(a); err != nil || g != 3 {
		t.Errorf("ReloadFromBytes = %d, %v", g, err)
	}
	want(Allow)
	if d, err := handle.CheckRequest("user/bob", "chime:CreateMeeting", Request{Context: []Value{Single("aws:SourceIp", "10.0.0.9")}}); err != nil || d != Allow {
		t.Errorf("handle CheckRequest = %v, %v", d, err)
	}
	if _, err := handle.ReloadFromBytes(a[:10]); kind(err) != KindLoad {
		t.Errorf("ReloadFromBytes(truncated): %v", err)
	}
	if handle.Generation() != 3 {
		t.Errorf("generation %d after a failed reload", handle.Generation())
	}
	memory, err := HandleFromBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := memory.Reload(); kind(err) != KindLoad {
		t.Errorf("Reload without a file: %v", err)
	}
	memory.Close()
	memory.Close()
	if _, err := memory.Check("user/alice", "chime:CreateAccount"); kind(err) != KindClosed {
		t.Errorf("after Close: %v", err)
	}
}

// Checks from several goroutines while the file is replaced again and again:
// never an error, and a row read from one table is all A's or all B's.
func TestConcurrentReload(t *testing.T) {
	dir := t.TempDir()
	a, _ := os.ReadFile(compile(t, dir, "a"))
	b, _ := os.ReadFile(compile(t, dir, "b"))
	tableA, err := FromBytes(a)
	if err != nil {
		t.Fatal(err)
	}
	tableB, err := FromBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	nP, nA := tableA.NPrincipals(), tableA.NActions()
	wantA := make([][]Decision, nP)
	wantB := make([][]Decision, nP)
	differ := 0
	for p := 0; p < nP; p++ {
		wantA[p] = make([]Decision, nA)
		wantB[p] = make([]Decision, nA)
		for act := 0; act < nA; act++ {
			wantA[p][act], _ = tableA.CheckIDs(uint32(p), uint32(act))
			wantB[p][act], _ = tableB.CheckIDs(uint32(p), uint32(act))
			if wantA[p][act] != wantB[p][act] {
				differ++
			}
		}
	}
	if differ == 0 {
		t.Fatal("tables A and B agree everywhere")
	}
	names := []string{"user/alice", "user/bob", "user/carol", "role/Ops"}
	actions := []string{"chime:CreateAccount", "chime:DeleteAccount", "chime:CreateMeeting", "chime:UpdateUser", "chime:ListUsers"}
	live := filepath.Join(dir, "live.vdt")
	replace(t, live, a)
	handle, err := OpenHandle(live)
	if err != nil {
		t.Fatal(err)
	}
	defer handle.Close()

	var stop atomic.Bool
	var rowsA, rowsB, checks atomic.Int64
	var failures atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(seed int) {
			defer wg.Done()
			for i := seed; !stop.Load(); i++ {
				p := i % nP
				table := handle.Current()
				allA, allB := true, true
				for act := 0; act < nA; act++ {
					d, err := table.CheckIDs(uint32(p), uint32(act))
					if err != nil {
						failures.Add(1)
					}
					allA = allA && d == wantA[p][act]
					allB = allB && d == wantB[p][act]
				}
				table.Close()
				switch {
				case allA:
					rowsA.Add(1)
				case allB:
					rowsB.Add(1)
				default:
					failures.Add(1)
				}
				for _, name := range names {
					for _, action := range actions {
						da, _ := tableA.Check(name, action)
						db, _ := tableB.Check(name, action)
						d, err := handle.Check(name, action)
						if err != nil || (d != da && d != db) {
							failures.Add(1)
						}
					}
				}
				checks.Add(int64(nA + len(names)*len(actions)))
			}
		}(g)
	}
	good, refused := uint64(1), 0
	for i := 0; i < 200; i++ {
		if i%10 == 9 {
			replace(t, live, b[:len(b)/2])
			if _, err := handle.Reload(); loadClass(err) == LoadDamaged {
				refused++
			}
			continue
		}
		next := a
		if i%2 == 0 {
			next = b
		}
		replace(t, live, next)
		g, err := handle.Reload()
		if err != nil || g != good+1 {
			t.Errorf("reload %d: %d, %v", i, g, err)
		}
		good = g
	}
	stop.Store(true)
	wg.Wait()
	if failures.Load() != 0 {
		t.Errorf("%d errors or mixed answers in %d checks", failures.Load(), checks.Load())
	}
	if refused != 20 || handle.Generation() != 181 {
		t.Errorf("refused %d, generation %d", refused, handle.Generation())
	}
	if rowsA.Load() == 0 || rowsB.Load() == 0 {
		t.Errorf("rows seen as A %d, as B %d", rowsA.Load(), rowsB.Load())
	}
	t.Logf("%d checks; rows from A %d, from B %d", checks.Load(), rowsA.Load(), rowsB.Load())
}
