package workloads

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// randread's orders: the --random spec, parsed here and nowhere else. A spec is a name,
// optionally followed by a colon and an argument ("perm", "uniform"); it is recorded verbatim
// in the row's random column. Adding an order is one entry in the orders table and its test.

// Random orders of randread (--random).
const (
	// RandomPerm visits every block once per pass, in a seeded pseudo-random order shared by
	// the jobs, each job taking its own share of it (fio's default, its "random map").
	RandomPerm = "perm"
	// RandomUniform draws every offset uniformly with replacement, so a pass re-reads blocks
	// it already read (fio's norandommap).
	RandomUniform = "uniform"
)

// An orderKind is one form of spec.
type orderKind struct {
	name string // what comes before the colon
	form string // how the spec is written, e.g. "perm" or "zipf:θ"
	doc  string
	// parse validates the argument ("" when the spec has none) and returns the pattern maker.
	parse func(arg string) (func(PatternConfig) Pattern, error)
	// dist is the order's distribution over ranks (nil: every block equally likely).
	dist func(arg string, n uint64) (dist, error)
}

// noArg is the parse of an order that takes no argument.
func noArg(name string, f func(PatternConfig) Pattern) func(string) (func(PatternConfig) Pattern, error) {
	return func(arg string) (func(PatternConfig) Pattern, error) {
		if arg != "" {
			return nil, fmt.Errorf("%s takes no argument (got %q)", name, name+":"+arg)
		}
		return f, nil
	}
}

// orders lists the accepted forms, the default first.
var orders = []orderKind{
	{name: RandomPerm, form: RandomPerm, doc: "every block once per pass, in a seeded permutation shared by the jobs (fio's random map)", parse: noArg(RandomPerm, newPerm)},
	{name: RandomUniform, form: RandomUniform, doc: "blocks drawn uniformly with replacement (fio's norandommap)", parse: noArg(RandomUniform, newUniform)},
	{name: "zipf", form: "zipf:θ", doc: "Zipf's law over the blocks, P(rank k) ∝ k^-θ, θ > 0 and θ ≠ 1 (YCSB's 0.99), hot blocks scattered by the seeded permutation", parse: skewedOrder("zipf", parseZipf), dist: parseZipf},
	{name: "pareto", form: "pareto:h", doc: "fio's pareto: a share h of the accesses to the hottest 1-h of the blocks, 0.5 < h < 1 (0.8: 80/20), scattered likewise", parse: skewedOrder("pareto", parsePareto), dist: parsePareto},
	{name: "zoned", form: "zoned:A/F,...", doc: "fio's zoned: A% of the accesses to F% of the blocks per zone, each adding up to 100 (zoned:60/10,30/20,10/70), scattered likewise", parse: skewedOrder("zoned", parseZoned), dist: parseZoned},
}

// An Order is a parsed --random spec.
type Order struct {
	Spec string // as given, the row's random column
	new  func(PatternConfig) Pattern
	arg  string
	dist func(arg string, n uint64) (dist, error)
}

// Skewed says the order draws from a distribution that is not uniform (zipf, pareto, zoned):
// some blocks are hotter than others.
func (o *Order) Skewed() bool { return o.dist != nil }

// ParseOrder parses a --random spec ("" is the default, perm). Its error names the accepted
// forms.
func ParseOrder(spec string) (*Order, error) {
	if spec == "" {
		spec = RandomPerm
	}
	name, arg, _ := strings.Cut(spec, ":")
	for _, k := range orders {
		if k.name != name {
			continue
		}
		f, err := k.parse(arg)
		if err != nil {
			return nil, fmt.Errorf("%q: %v", spec, err)
		}
		return &Order{Spec: spec, new: f, arg: arg, dist: k.dist}, nil
	}
	return nil, fmt.Errorf("%q: accepted: %s", spec, strings.Join(OrderForms(), ", "))
}

// OrderForms lists how the accepted specs are written, the default first.
func OrderForms() []string {
	f := make([]string, len(orders))
	for i, k := range orders {
		f[i] = k.form
	}
	return f
}

// OrderDocs returns one line per accepted form with what it does.
func OrderDocs() []string {
	d := make([]string, len(orders))
	for i, k := range orders {
		d[i] = k.form + ": " + k.doc
	}
	return d
}

// newRandom is randread's pattern: the order of c.Random, which the harness has validated.
func newRandom(c PatternConfig) Pattern {
	o, err := ParseOrder(c.Random)
	if err != nil {
		panic("workloads: randread with an unvalidated order: " + err.Error())
	}
	return o.new(c)
}

// uniform is randread in --random uniform order: offsets drawn with replacement. A job's pass
// is blocks/jobs requests.
type uniform struct {
	rng     *rand.Rand
	blocks  uint64
	bs      int64
	perPass uint64
	issued  uint64
}

func newUniform(c PatternConfig) Pattern {
	blocks := uint64(Blocks(c.Size, c.BlockSize))
	return &uniform{
		rng:     rand.New(rand.NewPCG(JobSeed(c.Seed, c.Job))),
		blocks:  blocks,
		bs:      int64(c.BlockSize),
		perPass: max(blocks/uint64(max(c.Jobs, 1)), 1),
	}
}

func (p *uniform) Next() (int64, bool) {
	wrapped := p.issued > 0 && p.issued%p.perPass == 0
	p.issued++
	return int64(p.rng.Uint64N(p.blocks)) * p.bs, wrapped
}
