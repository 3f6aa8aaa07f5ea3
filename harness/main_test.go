package harness

import (
	"fmt"
	"os"
	"testing"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/engines/enginetest"
)

// Every Reader the harness opens in its tests is checked against the engine contract, so a
// breach by the run loop or an engine fails the tests (it panics, with what was broken).
func TestMain(m *testing.M) {
	wrapReader = func(rd engines.Reader, cfg engines.Config) engines.Reader {
		return enginetest.Checked(rd, cfg.QueueDepth, func(format string, args ...any) {
			panic(fmt.Sprintf(format, args...))
		})
	}
	os.Exit(m.Run())
}
