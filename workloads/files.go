package workloads

// Several files (fio's nrfiles and file_service_type): how a job's requests are shared out
// over files of the same size, laid out end to end in one offset space (file i's block b is
// at i·perFile + b·bs), so that the harness maps an offset back to its file by division.

// File services: how the requests go to the files (fio's file_service_type).
const (
	// ServiceRandom runs the job's pattern over every file's blocks end to end: a random
	// order picks the file at random with each request; seqread reads the files one after
	// another. It is the default.
	ServiceRandom = "random"
	// ServiceRoundRobin gives each file a pattern of its own and sends the requests to the
	// files in turn: file 0, 1, …, N−1, 0, …, each file in its own order.
	ServiceRoundRobin = "roundrobin"
)

// FileServices are the accepted file services, the default first.
var FileServices = []string{ServiceRandom, ServiceRoundRobin}

// Files returns the pattern of a job over n files of perFile bytes each (whole blocks), by
// file service: one pattern of w over them all for ServiceRandom (or ""), a pattern per file
// in turn for ServiceRoundRobin. Its offsets are in the files' end-to-end space.
func Files(w *Workload, c PatternConfig, n int, perFile int64, service string) Pattern {
	if service != ServiceRoundRobin || n < 2 {
		c.Size = perFile * int64(n)
		return w.New(c)
	}
	rr := &roundRobin{perFile: perFile}
	for i := range n {
		fc := c
		fc.Size = perFile
		fc.Seed = c.Seed ^ uint64(i)*0xbf58476d1ce4e5b9 // each file its own order
		rr.subs = append(rr.subs, w.New(fc))
	}
	return rr
}

// roundRobin takes the next request from each file's pattern in turn. The files' patterns
// have the same period (the same size, blocks and job), so file 0's wrap starts the pass of
// them all: a pass covers the job's share of every file once.
type roundRobin struct {
	subs    []Pattern
	perFile int64
	k       int
}

func (p *roundRobin) Next() (int64, bool) {
	k := p.k
	off, wrapped := p.subs[k].Next()
	if p.k++; p.k == len(p.subs) {
		p.k = 0
	}
	return int64(k)*p.perFile + off, wrapped && k == 0
}
