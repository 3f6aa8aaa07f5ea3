// Command validate checks aiobench's Kubernetes manifests (docs/k8s) against the Kubernetes API
// types themselves (k8s.io/api, from which the API's OpenAPI schemas are generated): every
// document decoded strictly (an unknown or misspelt field, or a value of the wrong type, is an
// error), then what a fleet run needs: an indexed Job of one pod per node, the disk under test
// from the node, no privileged container. kubeconform would need its schemas from GitHub; the
// types come from the Go module proxy like any module. .ci/run runs it:
//
//	cd docs/k8s/validate && go run . ../*.yaml
//
// It is a module of its own so that aiobench does not depend on the Kubernetes API.
package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "validate: name the manifests (e.g. ../*.yaml)")
		os.Exit(2)
	}
	bad := 0
	for _, path := range os.Args[1:] {
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "validate:", err)
			os.Exit(2)
		}
		for i, doc := range bytes.Split(data, []byte("\n---\n")) {
			if err := check(doc); err != nil {
				fmt.Fprintf(os.Stderr, "%s: document %d: %v\n", path, i+1, err)
				bad++
			}
		}
		if bad == 0 {
			fmt.Printf("%s: valid\n", path)
		}
	}
	if bad > 0 {
		os.Exit(1)
	}
}

// check decodes one document strictly by its kind and applies the fleet's rules.
func check(doc []byte) error {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return err
	}
	switch tm.APIVersion + " " + tm.Kind {
	case "batch/v1 Job":
		var j batchv1.Job
		if err := yaml.UnmarshalStrict(doc, &j); err != nil {
			return err
		}
		s := j.Spec
		switch {
		case s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion:
			return fmt.Errorf("job %s: completionMode must be Indexed (one pod per index, each on its own node)", j.Name)
		case s.Completions == nil || s.Parallelism == nil || *s.Completions != *s.Parallelism:
			return fmt.Errorf("job %s: completions and parallelism must be set and equal (every node's pod at once)", j.Name)
		case !spreadByNode(s.Template.Spec):
			return fmt.Errorf("job %s: no topologySpreadConstraint on kubernetes.io/hostname with DoNotSchedule: two pods could share a node", j.Name)
		}
		return podRules(j.Name, s.Template.Spec)
	case "apps/v1 DaemonSet":
		var d appsv1.DaemonSet
		if err := yaml.UnmarshalStrict(doc, &d); err != nil {
			return err
		}
		return podRules(d.Name, d.Spec.Template.Spec)
	case "v1 PersistentVolumeClaim":
		var p corev1.PersistentVolumeClaim
		return yaml.UnmarshalStrict(doc, &p)
	}
	return fmt.Errorf("kind %q of %q: not one aiobench's manifests use (Job, DaemonSet, PersistentVolumeClaim)", tm.Kind, tm.APIVersion)
}

func spreadByNode(p corev1.PodSpec) bool {
	for _, c := range p.TopologySpreadConstraints {
		if c.TopologyKey == "kubernetes.io/hostname" && c.WhenUnsatisfiable == corev1.DoNotSchedule && c.MaxSkew == 1 {
			return true
		}
	}
	return false
}

// podRules: the disk under test comes from the node (hostPath) or a claim, results go to a
// volume, and no container is privileged (cold runs need no privilege).
func podRules(name string, p corev1.PodSpec) error {
	vols := map[string]bool{}
	for _, v := range p.Volumes {
		vols[v.Name] = v.HostPath != nil || v.PersistentVolumeClaim != nil
	}
	for _, c := range p.Containers {
		if sc := c.SecurityContext; sc != nil && sc.Privileged != nil && *sc.Privileged {
			return fmt.Errorf("%s: container %s is privileged; only --cache-limit or a raw device needs it", name, c.Name)
		}
		var mounts []string
		for _, m := range c.VolumeMounts {
			if !vols[m.Name] {
				return fmt.Errorf("%s: container %s mounts %s, which is not a hostPath or claim volume of the pod", name, c.Name, m.Name)
			}
			mounts = append(mounts, m.MountPath)
		}
		if !strings.Contains(strings.Join(mounts, " "), "/data") || !strings.Contains(strings.Join(mounts, " "), "/results") {
			return fmt.Errorf("%s: container %s must mount the disk under test at /data and the results at /results", name, c.Name)
		}
	}
	return nil
}
