package deps

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/aiobench/aiobench/"

// policy says, for each of aiobench's packages (by path in the module; "engines/*" is every
// engine), which of aiobench's packages its non-test files may import. "internal/*" is every
// internal package. A package missing here fails the test: a new package must take its place.
var policy = map[string][]string{
	// The bottom: helpers that know nothing of aiobench's model.
	"internal/atomicfile": {},
	"internal/clock":      {},
	"internal/diskstats":  {},
	"internal/dirlock":    {},
	"internal/memcg":      {},
	"internal/testfs":     {},
	"internal/fileio":     {},
	"internal/futex":      {},
	"internal/handoff":    {"internal/clock", "internal/futex"},
	"internal/uring":      {},
	"internal/aio":        {},
	"internal/sysinfo":    {},
	"internal/units":      {},
	"internal/faultdisk":  {"internal/testfs"},
	"internal/deps":       {},
	// The engine contract, and the engines: only it and the internal helpers, never each other.
	"engines":   {"internal/*"},
	"engines/*": {"engines", "internal/*"},
	// What is read, and the page cache.
	"pagecache": {},
	"workloads": {"pagecache"},
	// Every engine, linked for its registration.
	"engines/all": {"engines/*"},
	// The engines' conformance kit, for tests: the contract and real files.
	"engines/enginetest": {"engines", "pagecache", "workloads", "internal/clock"},
	// The data model on disk: nothing above it but the engines' declarations of their columns.
	"results": {"engines", "internal/*"},
	// The run loop: it drives engines over workloads and turns what happened into a row.
	"harness": {"engines", "workloads", "pagecache", "results", "internal/*"},
	// Statistics over results.
	"compare": {"results", "internal/*"},
	// Named sets of runs and their checks.
	"suites": {"harness", "compare", "engines", "workloads", "results", "internal/*"},
	// The progress display watches the run loop's Live.
	"harness/progress": {"harness", "internal/units"},
	// Charts and the report page, from results files (and comparisons of them) and histories.
	"report": {"results", "compare", "history", "internal/*"},
	// Two builds compared.
	"ab": {"harness", "compare", "suites", "workloads", "results", "internal/*"},
	// Results across commits and hosts, and the change-point search it runs.
	"history/changepoint": {},
	"history":             {"history/changepoint", "results", "compare", "internal/*"},
	// The command may import anything.
	"cmd/aiobench": nil,
}

func allowed(pkg, imp string) bool {
	rules, ok := policy[pkg]
	if !ok && strings.HasPrefix(pkg, "engines/") && pkg != "engines/enginetest" && pkg != "engines/all" {
		rules, ok = policy["engines/*"]
	}
	if pkg == "cmd/aiobench" {
		return true
	}
	for _, r := range rules {
		if r == imp || strings.HasSuffix(r, "/*") && strings.HasPrefix(imp, strings.TrimSuffix(r, "*")) {
			return true
		}
	}
	return false
}

func TestImportPolicy(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	imports := map[string][]string{} // package → aiobench packages its non-test files import
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() && path != root {
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // a module of its own (docs/k8s/validate)
			}
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		if _, ok := imports[pkg]; !ok {
			imports[pkg] = nil
		}
		for _, is := range f.Imports {
			p, _ := strconv.Unquote(is.Path.Value)
			if strings.HasPrefix(p, module) && !slices.Contains(imports[pkg], strings.TrimPrefix(p, module)) {
				imports[pkg] = append(imports[pkg], strings.TrimPrefix(p, module))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) < 10 {
		t.Fatalf("found only %d packages under %s", len(imports), root)
	}
	for pkg, imps := range imports {
		_, listed := policy[pkg]
		if !listed && !strings.HasPrefix(pkg, "engines/") {
			t.Errorf("package %s is not in the import policy: add it to internal/deps", pkg)
			continue
		}
		for _, imp := range imps {
			if !allowed(pkg, imp) {
				t.Errorf("%s imports %s, which the policy does not allow", pkg, imp)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("not the module root: %v", err)
	}
}

// The policy's own check: an engine importing another engine, or results importing the
// harness, is refused.
func TestPolicyRefuses(t *testing.T) {
	for _, c := range []struct{ pkg, imp string }{
		{"engines/retry", "engines/syncread"}, {"results", "harness"}, {"internal/sysinfo", "results"},
		{"harness", "suites"}, {"workloads", "results"},
	} {
		if allowed(c.pkg, c.imp) {
			t.Errorf("%s may import %s", c.pkg, c.imp)
		}
	}
}
