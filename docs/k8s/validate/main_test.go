package main

import (
	"os"
	"strings"
	"testing"
)

// The manifest passes; each of a misspelt field, a value of the wrong type, a privileged
// container and a Job that could put two pods on a node fails, naming it.
func TestCheck(t *testing.T) {
	data, err := os.ReadFile("../job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	job := strings.Split(string(data), "\n---\n")[0]
	if err := check([]byte(job)); err != nil {
		t.Fatalf("job.yaml: %v", err)
	}
	for _, tc := range []struct{ name, from, to, want string }{
		{"a misspelt field", "completionMode: Indexed", "completionMod: Indexed", "unknown field"},
		{"a wrong type", "maxSkew: 1", `maxSkew: "one"`, "cannot unmarshal"},
		{"privileged", "privileged: false", "privileged: true", "privileged"},
		{"no spread", "whenUnsatisfiable: DoNotSchedule", "whenUnsatisfiable: ScheduleAnyway", "share a node"},
		{"not indexed", "completionMode: Indexed", "completionMode: NonIndexed", "Indexed"},
	} {
		err := check([]byte(strings.Replace(job, tc.from, tc.to, 1)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}
