// Package clock gives the run loop and the engines one cheap monotonic clock: the runtime's own
// nanotime (a single vDSO clock_gettime(CLOCK_MONOTONIC)), which costs about half of time.Now,
// since that reads the wall clock too. Values are nanoseconds from an arbitrary origin; only
// differences mean anything.
package clock

import _ "unsafe" // for go:linkname

// Now returns monotonic nanoseconds.
//
//go:linkname Now runtime.nanotime
func Now() int64
