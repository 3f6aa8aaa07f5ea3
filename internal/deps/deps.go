// Package deps holds, as a test, aiobench's statement of policy on which package may import
// which (in the manner of Go's go/build/deps_test.go): the layers run from the engines and the
// internal helpers at the bottom, through workloads, results and the run loop, to the suites,
// comparisons and the command at the top, and no import may run upward. It has no code.
package deps
