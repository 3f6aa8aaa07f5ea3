// Package engines defines the contract between aiobench's run loop and its I/O engines: the
// Request that carries one read, the Reader interface an engine implements, the optional
// abilities an engine may add, and the registry by which engines are found by name.
//
// It is modelled on database/sql/driver and on fio's ioengine_ops: an engine package registers
// itself in init() (import it for its side effect), the harness opens one Reader per job, queues
// requests with Submit and collects them with Reap. A synchronous engine completes requests inside
// Submit; an asynchronous one starts them there and completes them later. Both look the same to the
// harness, so their numbers are comparable.
//
// An Engine needs only Open, and a Reader only Submit, Reap and Close. Everything else is an
// optional ability, found by type assertion, each with what happens without it:
//
//   - Prober (Engine): says whether the engine works here. Without it: it is taken to work.
//   - Describer (Engine): a one-line description for `aiobench engines`. Without it: none.
//   - Checker (Engine): refuses configurations it cannot run, before any run. Without it: every
//     configuration is accepted.
//   - Blocker (Engine): how many threads a Reader keeps blocked in system calls; the harness
//     raises GOMAXPROCS by as many. Without it: none.
//   - DataLess (Engine): reads no data, so nothing is verified (the null engine). Without it: every
//     read is verified against the layout.
//   - Synchronous (Engine): completes every request inside Submit; suites compare the asynchronous
//     engines' sync path against such engines. Without it: the engine is asynchronous.
//   - InlineCachedRead (Engine): serves a cached read inside Submit, on the caller's thread, with
//     the system call a synchronous read makes (the RFC's fast path: retry). The sync-first
//     rule is its promise, and the syncfirst gate judges such engines by default. Without it:
//     the engine's cached read is reported against sync's, not gated.
//   - Reference (Engine): the engine every other is compared with (the summary's "vs" column,
//     the syncfirst suite's baseline): sync. Without any: "sync" by name.
//   - TimedReaper (Reader): Reap that gives up at a clock reading, so that an open-loop run reaps
//     and still issues on schedule. Without it: the harness polls with Reap(dst, 0) and waits
//     out its gaps itself (a synchronous engine, which has nothing in flight, needs none).
//   - Invalidator (Reader): keeps data above the page cache; called whenever the harness evicts.
//     Without it: the page cache is all there is to evict.
//   - Optioned (Engine): declares the engine's options (--<engine>-<option>, recorded in a CSV
//     column each), and which of their values a suite comparing the engine's variants sweeps
//     (Option.Sweep). Without it: the engine takes no settings of its own.
//   - Counted (Engine) and StatsReader (Reader): the engine declares named counters that explain
//     its figures; its Readers keep them, reset when the measured phase starts, read when it
//     ends. Without them: the engine's counter columns stay empty.
//
// The harness keeps the calling discipline, so engines do not re-check it: one goroutine, at
// most QueueDepth requests in flight, Reap's min at most what is in flight, a request never
// submitted again before it is reaped, Close once and nothing after it. The conformance kit's
// checking wrapper (engines/enginetest.Checked) enforces exactly that in tests; an engine that
// finds the discipline broken may fail or misbehave. A wrapper exposes the Reader it wraps by
// Unwrap, and Ability finds an optional ability through any wrapping.
package engines

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// A Request is one read. The caller fills Fd, Offset and Buf and must not touch the Request from
// Submit until Reap hands it back; the engine fills N and Err before it does.
//
// A Request may be submitted again after it was reaped; engines may keep per-request state in
// Engine across such reuse, so the caller must preserve that field.
type Request struct {
	// Fd is an open file descriptor to read from. With Config.Direct it was opened O_DIRECT and
	// Offset and Buf are aligned as direct I/O requires.
	Fd int
	// Offset is where in the file the read starts.
	Offset int64
	// Buf receives the data; len(Buf) bytes are asked for.
	Buf []byte

	// Inline is set by Submit, on the caller's goroutine, before Submit returns: true when the
	// engine completed the request inside Submit, false when it is still in flight. The caller
	// may read it once Submit has returned (nothing else writes it): it lets the harness take
	// an inline completion's time from Submit's return without reading the clock again.
	Inline bool

	// N is the number of bytes read. An engine completes a request only when N == len(Buf), when
	// the read reached end of file (N < len(Buf) and Err == nil: a short completion means EOF
	// and nothing else), or when it failed (Err != nil; N counts the bytes read before).
	N int
	// Err is the read's error, nil on success. A failed read is still completed and reaped.
	Err error

	// ID and User belong to the caller; engines never change them. ID names the request in
	// engine traces.
	ID   uint64
	User int

	// Engine is the engine's own per-request state; the caller must leave it alone.
	Engine any
}

// Reset clears the completion fields before a Request is submitted again.
func (r *Request) Reset() { r.N, r.Err, r.Inline = 0, nil, false }

// A Reader is an open engine instance. One goroutine drives a Reader at a time: Submit, Reap and
// Close are never called concurrently with each other. The caller opens the Reader and calls
// them all from one goroutine locked to its OS thread (runtime.LockOSThread), as the harness's
// jobs do: an engine may rely on it (uring's ring is single-issuer, owned by the thread that
// made it). Engines that use helper threads must synchronise with them internally.
type Reader interface {
	// Submit queues reqs. It either accepts all of them or returns an error and accepts none; a
	// returned error means the engine itself is broken, not that a read failed (a failed read
	// is completed with Request.Err set). The caller never has more than Config.QueueDepth
	// requests submitted and not yet reaped.
	//
	// An asynchronous engine must not wait for the device in Submit. A synchronous engine may
	// complete requests inline; they are then returned by the next Reap like any other.
	Submit(reqs []*Request) error

	// Reap waits until at least min requests have completed, appends every completed request
	// not yet reaped to dst and returns it. min must not exceed the number in flight; Reap
	// with min 0 never waits. The caller passes dst with capacity for Config.QueueDepth
	// requests, so reaping does not allocate.
	Reap(dst []*Request, min int) ([]*Request, error)

	// Close waits for the requests in flight to complete (their results are discarded, the
	// caller must not reap them), then releases the engine's threads and resources. No method
	// may be called after Close.
	Close() error
}

// Config carries the settings the harness passes to Engine.Open.
type Config struct {
	// QueueDepth is the most requests the caller will have in flight at once (at least 1).
	QueueDepth int
	// Direct says the files are opened with O_DIRECT.
	Direct bool
	// Options are the engine's own options that were given, by name, in canonical form (see
	// Option); an engine reads them into its own types.
	Options map[string]string
	// Trace, when not nil, receives one record per read attempt from engines that trace.
	Trace *Trace
}

// An Engine opens Readers. It is the value an engine package registers.
type Engine interface {
	Open(cfg Config) (Reader, error)
}

// Optional abilities. The harness discovers them by type assertion, as database/sql discovers a
// driver's Pinger.

// A Prober is an Engine that can tell whether it works on this machine. Probe returns nil when
// it does and an error saying why not otherwise (missing kernel feature, missing permission).
type Prober interface {
	Probe() error
}

// A Describer is an Engine with a one-line description for `aiobench engines`.
type Describer interface {
	Describe() string
}

// A DataLess Engine completes requests without reading data (the null engine). The harness
// does not verify what such an engine returns.
type DataLess interface {
	MovesNoData()
}

// A TimedReaper is a Reader whose Reap can give up at a time: ReapUntil waits until at least min
// requests have completed or the clock (internal/clock) reaches deadline, whichever comes
// first, and appends every completed request to dst as Reap does. It may return with fewer
// than min, and a little after deadline (a system call's wake-up), never long after: the
// open-loop issuer relies on it to issue the next request on time.
type TimedReaper interface {
	ReapUntil(dst []*Request, min int, deadline int64) ([]*Request, error)
}

// An Invalidator is a Reader that keeps data of its own above the page cache. The harness calls
// Invalidate whenever it evicts the page cache, so that cold runs stay cold.
type Invalidator interface {
	Invalidate() error
}

// A Synchronous Engine completes every request inside Submit, on the caller's thread (sync,
// psync, null). It is a capability declared by the engine, as fio's FIO_SYNCIO flag: the
// syncfirst suite measures every other engine's cached read against sync's.
type Synchronous interface {
	CompletesInline()
}

// IsSynchronous reports whether e declares itself Synchronous.
func IsSynchronous(e Engine) bool {
	_, ok := e.(Synchronous)
	return ok
}

// An InlineCachedRead Engine serves a cached read inside Submit, on the caller's thread, with
// the system call a synchronous read makes: the 2003 RFC's fast path, whose promise is that such
// a read costs no more than a synchronous one. An engine whose cached read goes through another
// interface (an io_uring submission, io_submit, a worker thread) does not declare it: its cost
// against sync is a finding, not a breach of that promise.
type InlineCachedRead interface {
	ServesCachedReadInline()
}

// ServesCachedReadInline reports whether e declares InlineCachedRead.
func ServesCachedReadInline(e Engine) bool {
	_, ok := e.(InlineCachedRead)
	return ok
}

// A Reference Engine is the one every other engine is compared with: the summary's "vs"
// column and the syncfirst suite's baseline (the sync engine declares it).
type Reference interface {
	ComparedAgainst()
}

// ReferenceName returns the name of the registered engine that declares itself the Reference,
// or "sync" when none does (results read without any engine linked).
func ReferenceName() string {
	for _, n := range Names() {
		if e, _ := Lookup(n); e != nil {
			if _, ok := e.(Reference); ok {
				return n
			}
		}
	}
	return "sync"
}

// Ability returns rd's optional ability T (StatsReader, Invalidator), looking through any
// wrapper that exposes the Reader it wraps by an Unwrap method.
func Ability[T any](rd Reader) (T, bool) {
	for rd != nil {
		if a, ok := rd.(T); ok {
			return a, true
		}
		u, ok := rd.(interface{ Unwrap() Reader })
		if !ok {
			break
		}
		rd = u.Unwrap()
	}
	var zero T
	return zero, false
}

// A StatsReader is a Reader that keeps counters (its engine declares them: Counted). The
// harness calls ResetStats when the measured phase begins and Stats when it ends, both from the
// driving goroutine, and merges the jobs' Stats.
type StatsReader interface {
	Stats() Counters
	ResetStats()
}

// A Checker is an Engine that refuses some configurations; Check says why, before any run.
type Checker interface {
	Check(cfg Config) error
}

// A Blocker is an Engine whose Readers keep threads that block in system calls (worker or
// waiter threads). BlockingThreads says how many one Reader opened with cfg keeps.
//
// The harness raises GOMAXPROCS by that many for the run: a Go thread blocked in a system call
// keeps its P until the runtime's monitor takes it back (20 µs to 10 ms later), so on a small
// machine a few blocked threads would otherwise leave the runnable goroutines, the reaper
// among them, without a P, and the engine would measure the Go scheduler rather than its
// design. A C thread pool has no such limit.
type Blocker interface {
	BlockingThreads(cfg Config) int
}

var registry struct {
	sync.Mutex
	engines map[string]Engine
	gen     int // changes with every Register and Unregister
}

// Register makes an engine available by name. It is meant for an engine package's init.
// Registering a nil engine, an empty name or a name twice panics: those are programming errors.
func Register(name string, e Engine) {
	registry.Lock()
	defer registry.Unlock()
	if e == nil {
		panic("engines: Register engine is nil")
	}
	if name == "" || strings.ContainsAny(name, ", \t\n") {
		panic(fmt.Sprintf("engines: Register of invalid name %q", name))
	}
	if _, dup := registry.engines[name]; dup {
		panic("engines: Register called twice for engine " + name)
	}
	if registry.engines == nil {
		registry.engines = make(map[string]Engine)
	}
	registry.engines[name] = e
	registry.gen++
}

// Unregister removes an engine a test registered; it is for tests, which must leave the
// registry as they found it. Removing a name nobody registered does nothing.
func Unregister(name string) {
	registry.Lock()
	defer registry.Unlock()
	if _, ok := registry.engines[name]; ok {
		delete(registry.engines, name)
		registry.gen++
	}
}

// ErrUnknown is wrapped by the error Lookup returns for a name nobody registered.
var ErrUnknown = errors.New("unknown engine")

// Lookup returns the engine registered under name. For an unknown name the error lists the known
// ones, as database/sql does.
func Lookup(name string) (Engine, error) {
	registry.Lock()
	e, ok := registry.engines[name]
	registry.Unlock()
	if !ok {
		return nil, fmt.Errorf("%w %q (known: %s; forgotten import?)", ErrUnknown, name, strings.Join(Names(), ", "))
	}
	return e, nil
}

// Generation changes whenever an engine registers or is unregistered: what is derived from
// the registry (the results schema's engine columns) is made again when it does.
func Generation() int {
	registry.Lock()
	defer registry.Unlock()
	return registry.gen
}

// Names returns the registered engine names, sorted.
func Names() []string {
	registry.Lock()
	defer registry.Unlock()
	names := make([]string, 0, len(registry.engines))
	for n := range registry.engines {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Available reports whether e works here: nil, or the reason it does not.
func Available(e Engine) error {
	if p, ok := e.(Prober); ok {
		return p.Probe()
	}
	return nil
}

// Description returns e's one-line description, or "" if it has none.
func Description(e Engine) string {
	if d, ok := e.(Describer); ok {
		return d.Describe()
	}
	return ""
}

// MovesData reports whether e reads real data that can be verified.
func MovesData(e Engine) bool {
	_, ok := e.(DataLess)
	return !ok
}
