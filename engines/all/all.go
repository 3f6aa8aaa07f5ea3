// Package all links every engine aiobench ships, each of which registers itself in its init:
// import it for its side effect wherever every engine must be known (the command; tests of the
// schema and the run loop), as database/sql programs import their drivers.
package all

import (
	_ "github.com/aiobench/aiobench/engines/libaio"
	_ "github.com/aiobench/aiobench/engines/null"
	_ "github.com/aiobench/aiobench/engines/psync"
	_ "github.com/aiobench/aiobench/engines/retry"
	_ "github.com/aiobench/aiobench/engines/syncread"
	_ "github.com/aiobench/aiobench/engines/threadpool"
	_ "github.com/aiobench/aiobench/engines/uring"
)
