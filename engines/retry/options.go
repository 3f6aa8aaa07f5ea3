package retry

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/uring"
)

// The engine's settings. The RFC names three decisions that characterise a retry-based read
// and asks which variation works best: what triggers a retry (the notifier), what state is kept
// across retries and by whom (--retry-progress), and when a retry is triggered (--retry-wait:
// "when enough is ready"). Each is an option, its default the RFC's own choice or the one
// measured best (the variations suite compares them).

// What a retry keeps (--retry-progress).
const (
	ProgressKeep    = "keep"
	ProgressRestart = "restart"
)

// What a waiting request waits for (--retry-wait).
const (
	WaitFirst = "first"
	WaitRange = "range"
)

// Options declares the engine's settings (engines.Optioned); the flags' old names stay aliases.
func (engine) Options() []engines.Option {
	return []engines.Option{
		{Name: "waiters", Alias: "waiters", Kind: "int", Help: "waiter threads per job of the retry engine (default 1)",
			Column: "waiters", ColumnDoc: "--waiters asked for (retry), 0 for the engine's default",
			Parse: engines.IntAtLeast(1), Record: engines.RecordInt},
		{Name: "notifier", Alias: "notifier", Kind: "string",
			Help:   "how the retry engine learns a page is ready: reaper (default: Reap waits itself), waiters (waiter threads) or uring (a 1-byte io_uring read of the page)",
			Column: "notifier", ColumnDoc: "--notifier asked for (retry: waiters, reaper or uring), empty for the engine's default",
			Parse:  func(s string) (string, error) { return s, nil }, // Check names the accepted ones
			Record: func(v string) string { return v },
			Sweep:  notifiers},
		{Name: "progress", Kind: "string",
			Help:   "what a retry of the retry engine keeps: keep (default: the bytes already read; the rest is retried, as the RFC does) or restart (the whole read again at each retry, as a retry without saved state)",
			Column: "retry_progress", ColumnDoc: "--retry-progress asked for (retry: keep or restart), empty for the default, keep",
			Parse: engines.OneOf(ProgressKeep, ProgressRestart), Record: func(v string) string { return v },
			Variations: []string{ProgressRestart}},
		{Name: "wait", Kind: "string",
			Help:   "what page a waiting request of the retry engine waits for: first (default: the first missing page) or range (the missing range's last page: when all of it is ready)",
			Column: "retry_wait", ColumnDoc: "--retry-wait asked for (retry: first or range), empty for the default, first",
			Parse: engines.OneOf(WaitFirst, WaitRange), Record: func(v string) string { return v },
			Variations: []string{WaitRange}},
		{Name: "waiter-spin", Alias: "waiter-spin", Kind: "duration|off",
			Help:   "how long an idle retry waiter polls for work before it sleeps, or off (default 50µs from QD8 up, off below)",
			Column: "waiter_spin_us", ColumnUnit: "µs",
			ColumnDoc: "--waiter-spin asked for (retry: how long an idle waiter polls before it sleeps), 0 for the engine's default, -1 for off",
			Parse:     engines.ParseDurationOff("20us, 200us, off"),
			Record:    recordDurationOff},
		{Name: "poll", Kind: "duration|off",
			Help:   "with the reaper notifier: how often Reap looks, without blocking, whether the pages it waits for are ready when it would return without waiting, or off (default 10µs)",
			Column: "retry_poll_us", ColumnUnit: "µs",
			ColumnDoc: "--retry-poll asked for (retry, reaper notifier: how often Reap looks whether a missing page is ready between hits), 0 for the engine's default, -1 for off",
			Parse:     engines.ParseDurationOff("5us, 50us, off"),
			Record:    recordDurationOff},
	}
}

// DefaultPoll is how often, with the reaper notifier, Reap looks whether the pages it waits for
// are ready when it has completions to hand back and would not wait (the poll option unset).
// Without it a stream of inline hits never lets Reap wait, and a miss waits for the first Reap
// that finds nothing else to do (README, Hits and misses: figures per interval).
const DefaultPoll = 10 * time.Microsecond

// pollInterval is the poll interval of a Reader opened with cfg; 0 when it does not poll.
func pollInterval(cfg engines.Config) time.Duration {
	switch d := engines.Duration(cfg.Options["poll"]); {
	case d < 0:
		return 0
	case d == 0:
		return DefaultPoll
	default:
		return d
	}
}

// recordDurationOff records a duration|off option in µs: 0 for the default, -1 for off.
func recordDurationOff(v string) string {
	if d := engines.Duration(v); d >= 0 {
		return strconv.FormatFloat(float64(d)/1e3, 'f', -1, 64)
	}
	return "-1"
}

// notifiers are the notifiers that work here, which suites comparing the engine's variants
// sweep: uring only where io_uring does.
func notifiers() []string {
	n := []string{NotifyWaiters, NotifyReaper}
	if uring.Probe() == nil {
		n = append(n, NotifyUring)
	}
	return n
}

// Check refuses O_DIRECT (the engine's every step goes through the page cache) and unknown
// notifiers.
func (engine) Check(cfg engines.Config) error {
	if cfg.Direct {
		return errors.New("retry reads through the page cache (RWF_NOWAIT, readahead, page waits), which --cache direct bypasses")
	}
	if cfg.Options["poll"] != "" && notifier(cfg) != NotifyReaper {
		return fmt.Errorf("--retry-poll applies to the reaper notifier only, not %s", notifier(cfg))
	}
	switch n := cfg.Options["notifier"]; n {
	case "", NotifyWaiters, NotifyReaper:
		return nil
	case NotifyUring:
		if err := uring.Probe(); err != nil {
			return fmt.Errorf("notifier uring needs io_uring, unavailable here: %v", err)
		}
		return nil
	default:
		return fmt.Errorf("unknown notifier %q (accepted: %s, %s, %s)", n, NotifyWaiters, NotifyReaper, NotifyUring)
	}
}
