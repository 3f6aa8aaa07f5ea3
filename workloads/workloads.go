// Package workloads owns what is read: the data set laid out under --dir, whose content encodes
// (file, offset) so every read can be verified, and the access patterns (randread, seqread)
// that choose each request's offset. The harness asks a Workload for one Pattern per job.
package workloads

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aiobench/aiobench/pagecache"
)

// PatternConfig is what a pattern needs to know about its job.
type PatternConfig struct {
	Size      int64  // bytes of the data file in use
	BlockSize int    // bytes per request
	Job, Jobs int    // this job's index and the number of jobs; Jobs must not exceed the blocks
	Seed      uint64 // the run's seed; each job derives its own source from it and Job
	Random    string // randread's order: a --random spec (ParseOrder), "" for the default
}

// Blocks returns the number of whole blocks of bs in size: the blocks a pattern chooses from.
func Blocks(size int64, bs int) int64 { return size / int64(bs) }

// A Pattern yields one job's request offsets. It is used by one goroutine and never allocates.
type Pattern interface {
	// Next returns the next offset; wrapped is true when this request starts a new pass, that
	// is when the job has covered its share of the file since the last pass began. The harness
	// ends a pass over the file when every job has covered its share (a cold run evicts the
	// cache again then, as fio does when a job loops over a file).
	Next() (off int64, wrapped bool)
}

// A Workload is a named access pattern.
type Workload struct {
	Name string
	Doc  string
	// Advice is the posix_fadvise hint the harness gives every job's file by default, the same
	// for every engine (as fio does), so readahead neither inflates nor hides device reads.
	Advice pagecache.Advice
	// Ordered is true for a workload whose order --random chooses.
	Ordered bool
	New     func(PatternConfig) Pattern
}

var all = map[string]*Workload{
	"randread": {
		Name:    "randread",
		Doc:     "random reads aligned to bs over the whole file, each block once per pass (--random; fadvise RANDOM)",
		Advice:  pagecache.AdviceRandom,
		Ordered: true,
		New:     newRandom,
	},
	"seqread": {
		Name:   "seqread",
		Doc:    "sequential reads, each job over its own slice of the file, wrapping (fadvise SEQUENTIAL)",
		Advice: pagecache.AdviceSequential,
		New:    newSequential,
	},
}

// Lookup returns the named workload; for an unknown name the error lists the known ones.
func Lookup(name string) (*Workload, error) {
	w, ok := all[name]
	if !ok {
		return nil, fmt.Errorf("unknown workload %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return w, nil
}

// Names returns the workload names, sorted.
func Names() []string {
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// JobSeed derives job's random seed from the run's seed, so that runs repeat and jobs differ.
func JobSeed(seed uint64, job int) (uint64, uint64) {
	return seed, uint64(job)*0x9e3779b97f4a7c15 + 1
}

// perm is randread in --random perm order: pass p visits the blocks in the order of the
// permutation keyed by (seed, p); job j of J takes indices [n·j/J, n·(j+1)/J) of it, so the
// jobs together read every block exactly once per pass.
type perm struct {
	perm      permutation
	seed      uint64
	pass      uint64
	lo, hi, i uint64
	bs        int64
}

func newPerm(c PatternConfig) Pattern {
	n := uint64(Blocks(c.Size, c.BlockSize))
	jobs := uint64(max(c.Jobs, 1))
	lo, hi := n*uint64(c.Job)/jobs, n*uint64(c.Job+1)/jobs
	if lo == hi { // more jobs than blocks: the harness refuses it; never loop without a block
		lo, hi = 0, n
	}
	return &perm{perm: newPermutation(n, passKey(c.Seed, 0)), seed: c.Seed, lo: lo, hi: hi, i: lo, bs: int64(c.BlockSize)}
}

// passKey is the permutation key of a pass: the same for every job of a run.
func passKey(seed, pass uint64) uint64 {
	s := seed ^ pass*0xd1b54a32d192ed03
	return splitmix(&s)
}

func (p *perm) Next() (int64, bool) {
	wrapped := false
	if p.i == p.hi {
		p.pass++
		p.perm = newPermutation(p.perm.n, passKey(p.seed, p.pass))
		p.i, wrapped = p.lo, true
	}
	off := int64(p.perm.at(p.i)) * p.bs
	p.i++
	return off, wrapped
}

type sequential struct {
	start, n, i int64 // first block, blocks in the slice, next index in it
	total       int64 // blocks in the file
	bs          int64
	issued      int64
}

func newSequential(c PatternConfig) Pattern {
	total := c.Size / int64(c.BlockSize)
	jobs := int64(max(c.Jobs, 1))
	n := max(total/jobs, 1)
	return &sequential{start: int64(c.Job) * n % total, n: n, total: total, bs: int64(c.BlockSize)}
}

func (p *sequential) Next() (int64, bool) {
	wrapped := p.issued > 0 && p.i == 0
	off := (p.start + p.i) % p.total * p.bs
	p.i = (p.i + 1) % p.n
	p.issued++
	return off, wrapped
}
