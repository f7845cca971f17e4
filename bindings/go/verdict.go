// Package verdict loads verdict decision tables and answers permission checks,
// through cgo over verdict's C ABI (bindings/c, header verdict.h).
//
// Build the C library first (`cargo build --release -p verdict-c` in the
// repository) and tell cgo where it is, for instance statically:
//
//	CGO_LDFLAGS="/path/to/verdict/target/release/libverdict_c.a" go build
//
// A *Table is immutable and safe for concurrent use. A *Handle may be checked
// and reloaded from any number of goroutines at once: every check sees one
// table, never a mix, and a failed reload keeps the old table serving.
//
// Only Allow allows: every error (unknown names, a request over a limit, a
// closed table) comes with a Decision that is not Allow.
package verdict

/*
#cgo CFLAGS: -I${SRCDIR}/../c/include
#cgo LDFLAGS: -lpthread -ldl -lm
#include <stdlib.h>
#include <string.h>
#include "verdict.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"sync"
	"unsafe"
)

// Decision is the answer to a check.
type Decision int

// The three decisions; only Allow allows.
const (
	Allow        Decision = C.VERDICT_ALLOW
	Deny         Decision = C.VERDICT_DENY
	ImplicitDeny Decision = C.VERDICT_IMPLICIT_DENY
)

// String gives "allow", "deny" or "implicit-deny", as the CLI prints them.
func (d Decision) String() string {
	switch d {
	case Allow:
		return "allow"
	case Deny:
		return "deny"
	case ImplicitDeny:
		return "implicit-deny"
	}
	return fmt.Sprintf("Decision(%d)", int(d))
}

// Kind says what went wrong in a call.
type Kind int

// The kinds of errors, one per VERDICT_ERR_* code of the C ABI.
const (
	KindNull             Kind = C.VERDICT_ERR_NULL
	KindUTF8             Kind = C.VERDICT_ERR_UTF8
	KindInvalidArgument  Kind = C.VERDICT_ERR_INVALID_ARGUMENT
	KindUnknownPrincipal Kind = C.VERDICT_ERR_UNKNOWN_PRINCIPAL
	KindUnknownAction    Kind = C.VERDICT_ERR_UNKNOWN_ACTION
	KindUnknownID        Kind = C.VERDICT_ERR_UNKNOWN_ID
	KindRequestLimit     Kind = C.VERDICT_ERR_REQUEST_LIMIT
	KindLoad             Kind = C.VERDICT_ERR_LOAD
	KindInternal         Kind = C.VERDICT_ERR_INTERNAL
	KindClosed           Kind = -100 // the table or handle was closed
)

// LoadClass says why a table could not be loaded (for KindLoad errors).
type LoadClass int

// The load classes, one per VERDICT_LOAD_* code of the C ABI.
const (
	LoadNone               LoadClass = C.VERDICT_LOAD_NONE
	LoadNotFound           LoadClass = C.VERDICT_LOAD_NOT_FOUND
	LoadNotATable          LoadClass = C.VERDICT_LOAD_NOT_A_TABLE
	LoadUnsupportedVersion LoadClass = C.VERDICT_LOAD_UNSUPPORTED_VERSION
	LoadDamaged            LoadClass = C.VERDICT_LOAD_DAMAGED
	LoadTooLarge           LoadClass = C.VERDICT_LOAD_TOO_LARGE
	LoadIO                 LoadClass = C.VERDICT_LOAD_IO
	LoadUnverified         LoadClass = C.VERDICT_LOAD_UNVERIFIED
)

// Error is every error of this package.
type Error struct {
	Kind      Kind
	LoadClass LoadClass // LoadNone unless Kind is KindLoad
	Message   string
}

func (e *Error) Error() string { return "verdict: " + e.Message }

// Is makes errors.Is(err, &verdict.Error{Kind: k}) match any error of kind k
// (and, when the target's LoadClass is set, of that load class).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Kind == e.Kind && (t.LoadClass == LoadNone || t.LoadClass == e.LoadClass)
}

// takeError turns a C error object into an *Error and frees it.
func takeError(cerr *C.verdict_error, code C.int32_t) *Error {
	if cerr == nil {
		return &Error{Kind: Kind(code), Message: fmt.Sprintf("error %d", int(code))}
	}
	defer C.verdict_error_free(cerr)
	return &Error{
		Kind:      Kind(C.verdict_error_code(cerr)),
		LoadClass: LoadClass(C.verdict_error_load_class(cerr)),
		Message:   C.GoString(C.verdict_error_message(cerr)),
	}
}

func closedError() *Error { return &Error{Kind: KindClosed, Message: "the table or handle is closed"} }

// empty is where empty strings point: the C ABI refuses NULL.
var empty = [1]byte{0}

// str gives a Go string's bytes to C without copying (cgo allows it: string
// data holds no Go pointers, and the C side does not keep it).
func str(s string) (*C.char, C.size_t) {
	if len(s) == 0 {
		return (*C.char)(unsafe.Pointer(&empty[0])), 0
	}
	return (*C.char)(*(*unsafe.Pointer)(unsafe.Pointer(&s))), C.size_t(len(s))
}

// bytesArg gives a byte slice to C without copying.
func bytesArg(b []byte) (*C.uint8_t, C.size_t) {
	if len(b) == 0 {
		return (*C.uint8_t)(unsafe.Pointer(&empty[0])), 0
	}
	return (*C.uint8_t)(unsafe.Pointer(&b[0])), C.size_t(len(b))
}

// Value is one context key with its values: Single for a single-valued key,
// Multi for a multivalued one (a list, whatever its length, as in IAM).
type Value struct {
	Key    string
	Values []string
	Multi  bool
}

// Single is a single-valued context key.
func Single(key, value string) Value { return Value{Key: key, Values: []string{value}} }

// Multi is a multivalued context key.
func Multi(key string, values ...string) Value { return Value{Key: key, Values: values, Multi: true} }

// Request is what a conditional cell is evaluated against: a resource ("" for
// none, that is "*") and context keys (matched case-insensitively; of two keys
// equal up to case, the last one wins).
type Request struct {
	Resource string
	Context  []Value
}

// cRequest is a Request copied into C memory (cgo forbids passing Go memory
// that holds Go pointers, such as an array of string pointers).
type cRequest struct {
	block    unsafe.Pointer
	resource *C.char
	rlen     C.size_t
	entries  *C.verdict_context_entry
	nEntries C.size_t
}

func newCRequest(req *Request) cRequest {
	n := len(req.Context)
	nValues, nBytes := 0, len(req.Resource)
	for _, v := range req.Context {
		nValues += len(v.Values)
		nBytes += len(v.Key)
		for _, s := range v.Values {
			nBytes += len(s)
		}
	}
	entrySize := int(unsafe.Sizeof(C.verdict_context_entry{}))
	strSize := int(unsafe.Sizeof(C.verdict_str{}))
	size := n*entrySize + nValues*strSize + nBytes + 1
	block := C.malloc(C.size_t(size))
	if block == nil {
		panic("verdict: out of memory")
	}
	entries := unsafe.Slice((*C.verdict_context_entry)(block), n)
	values := unsafe.Slice((*C.verdict_str)(unsafe.Add(block, n*entrySize)), nValues)
	text := unsafe.Slice((*byte)(unsafe.Add(block, n*entrySize+nValues*strSize)), nBytes+1)
	at := 0
	put := func(s string) (*C.char, C.size_t) {
		start := at
		at += copy(text[at:], s)
		return (*C.char)(unsafe.Pointer(&text[start])), C.size_t(len(s))
	}
	var out cRequest
	out.block = block
	if req.Resource != "" {
		out.resource, out.rlen = put(req.Resource)
	}
	vi := 0
	for i, v := range req.Context {
		e := &entries[i]
		e.key.ptr, e.key.len = put(v.Key)
		e.kind = C.VERDICT_SINGLE
		if v.Multi {
			e.kind = C.VERDICT_MULTI
		}
		e.n_values = C.size_t(len(v.Values))
		e.values = nil
		if len(v.Values) > 0 {
			e.values = &values[vi]
		}
		for _, s := range v.Values {
			values[vi].ptr, values[vi].len = put(s)
			vi++
		}
	}
	if n > 0 {
		out.entries = &entries[0]
	}
	out.nEntries = C.size_t(n)
	return out
}

func (r *cRequest) free() { C.free(r.block) }

func decision(code C.int32_t) Decision { return Decision(code) }

// Table is a loaded, validated decision table; safe for concurrent use.
// Close frees it (a finalizer does too); it must not be in use then.
type Table struct {
	ptr  *C.verdict_table
	once sync.Once
}

func newTable(ptr *C.verdict_table) *Table {
	t := &Table{ptr: ptr}
	runtime.SetFinalizer(t, (*Table).Close)
	return t
}

// Open loads the table file at path.
func Open(path string) (*Table, error) {
	p, n := str(path)
	var cerr *C.verdict_error
	ptr := C.verdict_table_open(p, n, &cerr)
	runtime.KeepAlive(path)
	if ptr == nil {
		return nil, takeError(cerr, C.VERDICT_ERR_LOAD)
	}
	return newTable(ptr), nil
}

// FromBytes loads a table from its bytes (copied).
func FromBytes(b []byte) (*Table, error) {
	p, n := bytesArg(b)
	var cerr *C.verdict_error
	ptr := C.verdict_table_from_bytes(p, n, &cerr)
	runtime.KeepAlive(b)
	if ptr == nil {
		return nil, takeError(cerr, C.VERDICT_ERR_LOAD)
	}
	return newTable(ptr), nil
}

// Close frees the table; later calls fail with KindClosed. Idempotent.
func (t *Table) Close() {
	t.once.Do(func() {
		C.verdict_table_free(t.ptr)
		t.ptr = nil
	})
}

// Check answers a request without resource or context by names.
func (t *Table) Check(principal, action string) (Decision, error) {
	if t.ptr == nil {
		return Deny, closedError()
	}
	p, pn := str(principal)
	a, an := str(action)
	code := C.verdict_table_check(t.ptr, p, pn, a, an, nil)
	if code < 0 {
		// Ask again for the message: a table's answers never change.
		var cerr *C.verdict_error
		code = C.verdict_table_check(t.ptr, p, pn, a, an, &cerr)
		runtime.KeepAlive(principal)
		runtime.KeepAlive(action)
		runtime.KeepAlive(t)
		return Deny, takeError(cerr, code)
	}
	runtime.KeepAlive(principal)
	runtime.KeepAlive(action)
	runtime.KeepAlive(t)
	return decision(code), nil
}

// CheckRequest answers a request with a resource and a context by names.
func (t *Table) CheckRequest(principal, action string, req Request) (Decision, error) {
	if t.ptr == nil {
		return Deny, closedError()
	}
	r := newCRequest(&req)
	defer r.free()
	p, pn := str(principal)
	a, an := str(action)
	var cerr *C.verdict_error
	code := C.verdict_table_check_request(t.ptr, p, pn, a, an, r.resource, r.rlen, r.entries, r.nEntries, &cerr)
	runtime.KeepAlive(principal)
	runtime.KeepAlive(action)
	runtime.KeepAlive(t)
	if code < 0 {
		return Deny, takeError(cerr, code)
	}
	return decision(code), nil
}

// PrincipalID is the id of the principal named name (or with that ARN), for
// CheckIDs on this table only.
func (t *Table) PrincipalID(name string) (uint32, error) {
	if t.ptr == nil {
		return 0, closedError()
	}
	p, n := str(name)
	var id C.uint32_t
	var cerr *C.verdict_error
	code := C.verdict_principal_id(t.ptr, p, n, &id, &cerr)
	runtime.KeepAlive(name)
	runtime.KeepAlive(t)
	if code < 0 {
		return 0, takeError(cerr, code)
	}
	return uint32(id), nil
}

// ActionID is the id of the action named name (ASCII case-insensitive), for
// CheckIDs on this table only.
func (t *Table) ActionID(name string) (uint32, error) {
	if t.ptr == nil {
		return 0, closedError()
	}
	p, n := str(name)
	var id C.uint32_t
	var cerr *C.verdict_error
	code := C.verdict_action_id(t.ptr, p, n, &id, &cerr)
	runtime.KeepAlive(name)
	runtime.KeepAlive(t)
	if code < 0 {
		return 0, takeError(cerr, code)
	}
	return uint32(id), nil
}

// CheckIDs answers by ids of this table, without resource or context: the
// hot path. An id out of range is an error (KindUnknownID).
func (t *Table) CheckIDs(principal, action uint32) (Decision, error) {
	if t.ptr == nil {
		return Deny, closedError()
	}
	code := C.verdict_check_ids(t.ptr, C.uint32_t(principal), C.uint32_t(action))
	runtime.KeepAlive(t)
	if code < 0 {
		return Deny, &Error{Kind: Kind(code), Message: fmt.Sprintf("no cell for ids %d, %d", principal, action)}
	}
	return decision(code), nil
}

// CheckIDsRequest answers by ids of this table on a request.
func (t *Table) CheckIDsRequest(principal, action uint32, req Request) (Decision, error) {
	if t.ptr == nil {
		return Deny, closedError()
	}
	r := newCRequest(&req)
	defer r.free()
	var cerr *C.verdict_error
	code := C.verdict_check_ids_request(t.ptr, C.uint32_t(principal), C.uint32_t(action), r.resource, r.rlen, r.entries, r.nEntries, &cerr)
	runtime.KeepAlive(t)
	if code < 0 {
		return Deny, takeError(cerr, code)
	}
	return decision(code), nil
}

// NPrincipals is the number of principals (ids 0 to NPrincipals-1).
func (t *Table) NPrincipals() int {
	if t.ptr == nil {
		return 0
	}
	n := int(C.verdict_table_n_principals(t.ptr))
	runtime.KeepAlive(t)
	return n
}

// NActions is the number of catalog actions (ids 0 to NActions-1).
func (t *Table) NActions() int {
	if t.ptr == nil {
		return 0
	}
	n := int(C.verdict_table_n_actions(t.ptr))
	runtime.KeepAlive(t)
	return n
}

// Fingerprint is one loggable line saying which table this is (format
// version, catalog, counts, size, digest).
func (t *Table) Fingerprint() string {
	if t.ptr == nil {
		return ""
	}
	defer runtime.KeepAlive(t)
	need := C.verdict_table_fingerprint(t.ptr, nil, 0)
	if need < 0 {
		return ""
	}
	buf := make([]byte, int(need)+1)
	C.verdict_table_fingerprint(t.ptr, (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)))
	return string(buf[:need])
}

// Handle is a reloadable table, safe for concurrent checks and reloads.
// Close frees it (a finalizer does too); it must not be in use then.
type Handle struct {
	ptr  *C.verdict_handle
	once sync.Once
}

func newHandle(ptr *C.verdict_handle) *Handle {
	h := &Handle{ptr: ptr}
	runtime.SetFinalizer(h, (*Handle).Close)
	return h
}

// OpenHandle loads the table file at path; Reload reads the same path again.
func OpenHandle(path string) (*Handle, error) {
	p, n := str(path)
	var cerr *C.verdict_error
	ptr := C.verdict_handle_open(p, n, &cerr)
	runtime.KeepAlive(path)
	if ptr == nil {
		return nil, takeError(cerr, C.VERDICT_ERR_LOAD)
	}
	return newHandle(ptr), nil
}

// HandleFromBytes serves the table in b, with no file behind it.
func HandleFromBytes(b []byte) (*Handle, error) {
	p, n := bytesArg(b)
	var cerr *C.verdict_error
	ptr := C.verdict_handle_from_bytes(p, n, &cerr)
	runtime.KeepAlive(b)
	if ptr == nil {
		return nil, takeError(cerr, C.VERDICT_ERR_LOAD)
	}
	return newHandle(ptr), nil
}

// Close frees the handle; tables taken with Current stay valid. Idempotent.
func (h *Handle) Close() {
	h.once.Do(func() {
		C.verdict_handle_free(h.ptr)
		h.ptr = nil
	})
}

// Reload re-reads the file and swaps the table in if it is valid; it returns
// the new generation. On error the old table keeps serving.
func (h *Handle) Reload() (uint64, error) {
	if h.ptr == nil {
		return 0, closedError()
	}
	var generation C.uint64_t
	var cerr *C.verdict_error
	code := C.verdict_handle_reload(h.ptr, &generation, &cerr)
	runtime.KeepAlive(h)
	if code < 0 {
		return 0, takeError(cerr, code)
	}
	return uint64(generation), nil
}

// ReloadFromBytes swaps in the table in b if it is valid.
func (h *Handle) ReloadFromBytes(b []byte) (uint64, error) {
	if h.ptr == nil {
		return 0, closedError()
	}
	p, n := bytesArg(b)
	var generation C.uint64_t
	var cerr *C.verdict_error
	code := C.verdict_handle_reload_from_bytes(h.ptr, p, n, &generation, &cerr)
	runtime.KeepAlive(b)
	runtime.KeepAlive(h)
	if code < 0 {
		return 0, takeError(cerr, code)
	}
	return uint64(generation), nil
}

// Generation counts the tables swapped in, the first included.
func (h *Handle) Generation() uint64 {
	if h.ptr == nil {
		return 0
	}
	g := uint64(C.verdict_handle_generation(h.ptr))
	runtime.KeepAlive(h)
	return g
}

// Current is the current table: it answers from that one table until
// closed, whatever reloads happen meanwhile. Resolve ids on it.
func (h *Handle) Current() *Table {
	if h.ptr == nil {
		return nil
	}
	ptr := C.verdict_handle_current(h.ptr)
	runtime.KeepAlive(h)
	if ptr == nil {
		return nil
	}
	return newTable(ptr)
}

// LastError is why the most recent reload failed; nil if it succeeded.
func (h *Handle) LastError() error {
	if h.ptr == nil {
		return nil
	}
	cerr := C.verdict_handle_last_error(h.ptr)
	runtime.KeepAlive(h)
	if cerr == nil {
		return nil
	}
	return takeError(cerr, C.VERDICT_ERR_LOAD)
}

// Check answers by names on the current table.
func (h *Handle) Check(principal, action string) (Decision, error) {
	if h.ptr == nil {
		return Deny, closedError()
	}
	p, pn := str(principal)
	a, an := str(action)
	code := C.verdict_handle_check(h.ptr, p, pn, a, an, nil)
	if code < 0 {
		// Ask again for the message; a reload meanwhile may answer instead.
		var cerr *C.verdict_error
		code = C.verdict_handle_check(h.ptr, p, pn, a, an, &cerr)
		if code >= 0 {
			runtime.KeepAlive(principal)
			runtime.KeepAlive(action)
			runtime.KeepAlive(h)
			return decision(code), nil
		}
		runtime.KeepAlive(principal)
		runtime.KeepAlive(action)
		runtime.KeepAlive(h)
		return Deny, takeError(cerr, code)
	}
	runtime.KeepAlive(principal)
	runtime.KeepAlive(action)
	runtime.KeepAlive(h)
	return decision(code), nil
}

// CheckRequest answers a request by names on the current table.
func (h *Handle) CheckRequest(principal, action string, req Request) (Decision, error) {
	if h.ptr == nil {
		return Deny, closedError()
	}
	r := newCRequest(&req)
	defer r.free()
	p, pn := str(principal)
	a, an := str(action)
	var cerr *C.verdict_error
	code := C.verdict_handle_check_request(h.ptr, p, pn, a, an, r.resource, r.rlen, r.entries, r.nEntries, &cerr)
	runtime.KeepAlive(principal)
	runtime.KeepAlive(action)
	runtime.KeepAlive(h)
	if code < 0 {
		return Deny, takeError(cerr, code)
	}
	return decision(code), nil
}
