package ab

import (
	"bufio"
	"encoding/json"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/aiobench/aiobench/engines/null"
	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/results"
	"github.com/aiobench/aiobench/workloads"
)

// local are the fields of harness.Config that do not travel to a serving process: this
// process's own handles. Any other field must arrive as it was sent.
var local = []string{"Config.Trace", "Config.Live", "Config.Log", "Config.Trace", "Config.Live", "Config.Log", "Background.Dataset"}

// fill sets every travelling field of v (a struct) to a value that is not its zero, recursing
// into structs and pointers to structs (one level of pointers: a Config's background load has
// no load of its own), and returns the names of the fields it left alone.
func fill(t *testing.T, v reflect.Value, depth int) (skipped []string) {
	typ := v.Type()
	for i := range typ.NumField() {
		f, fv := typ.Field(i), v.Field(i)
		name := typ.Name() + "." + f.Name
		if f.Tag.Get("json") == "-" {
			skipped = append(skipped, name)
			continue
		}
		switch fv.Kind() {
		case reflect.String:
			fv.SetString("v-" + f.Name)
		case reflect.Int, reflect.Int64:
			fv.SetInt(int64(7 + i))
		case reflect.Uint64:
			fv.SetUint(1<<63 + uint64(i))
		case reflect.Float64:
			fv.SetFloat(0.25)
		case reflect.Bool:
			fv.SetBool(true)
		case reflect.Map:
			fv.Set(reflect.MakeMap(fv.Type()))
			fv.SetMapIndex(reflect.ValueOf("retry.notifier"), reflect.ValueOf("uring"))
		case reflect.Pointer:
			if fv.Type().Elem().Kind() != reflect.Struct {
				t.Fatalf("%s: a pointer to %s; teach fill about it", name, fv.Type().Elem())
			}
			if depth > 0 {
				continue
			}
			fv.Set(reflect.New(fv.Type().Elem()))
			skipped = append(skipped, fill(t, fv.Elem(), depth+1)...)
		case reflect.Struct:
			skipped = append(skipped, fill(t, fv, depth)...)
		default:
			t.Fatalf("%s: a %s; teach fill about it", name, fv.Kind())
		}
	}
	return skipped
}

// Every field of harness.Config, whatever is added to it, reaches a serving process as it was
// sent: through the arm line's own encoder and the decoder Serve reads it with.
func TestConfigTravels(t *testing.T) {
	var sent harness.Config
	skipped := fill(t, reflect.ValueOf(&sent).Elem(), 0)
	if !slices.Equal(skipped, local) {
		t.Errorf("fields that do not travel: %v; want only this process's handles %v", skipped, local)
	}
	line, err := ArmLine(&sent)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readArm(bufio.NewScanner(strings.NewReader(line + "\n")))
	if err != nil {
		t.Fatal(err)
	}
	want := sent
	want.Background = &harness.Background{Config: sent.Background.Config} // the Dataset stays here
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("after the trip:\n got %+v\nwant %+v", *got, want)
	}
}

// A real arm served over pipes runs exactly the configuration it was sent, and answers blocks.
func TestServeRunsTheConfigSent(t *testing.T) {
	dir := t.TempDir()
	sent := harness.Config{Engine: "null", Workload: "randread", BlockSize: 4096, IODepth: 2, Jobs: 1, Size: 1 << 20,
		Runtime: time.Second, Warmup: 10 * time.Millisecond, Cache: harness.CacheWarm, Random: workloads.RandomUniform,
		Verify: workloads.VerifyFull, Seed: 42, Round: 3, Duel: "a-vs-b", Options: map[string]string{"null.delay": "20ns"}}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Serve(inR, outW, nil, dir, func(path string, r results.Row) error { return results.WriteFile(path, nil, []results.Row{r}) })
		outW.Close()
	}()
	lines := bufio.NewScanner(outR)
	lines.Buffer(make([]byte, 64<<10), 1<<20)
	say := func(cmd string) string {
		t.Helper()
		if _, err := io.WriteString(inW, cmd+"\n"); err != nil {
			t.Fatal(err)
		}
		if !lines.Scan() {
			t.Fatalf("no answer to %q", cmd)
		}
		return lines.Text()
	}
	arm, err := ArmLine(&sent)
	if err != nil {
		t.Fatal(err)
	}
	if got := say(arm); got != "ready" {
		t.Fatalf("arm answered %q", got)
	}
	var got harness.Config
	if reply := say("config"); !strings.HasPrefix(reply, "ok ") || json.Unmarshal([]byte(reply[3:]), &got) != nil {
		t.Fatalf("config answered %q", reply)
	}
	if !reflect.DeepEqual(got, sent) {
		t.Errorf("the arm runs\n %+v\nsent\n %+v", got, sent)
	}
	if reply := say("block 10"); !strings.HasPrefix(reply, "ok 10 ") {
		t.Errorf("block answered %q", reply)
	}
	row := dir + "/row.csv"
	if reply := say("row " + row); reply != "ok" {
		t.Fatalf("row answered %q", reply)
	}
	f, err := results.ReadFile(row)
	if err != nil || len(f.Rows) != 1 || f.Rows[0].Round != 3 || f.Rows[0].Duel != "a-vs-b" || f.Rows[0].Seed != 42 || f.Rows[0].Random != "uniform" {
		t.Errorf("the arm's row: %v %+v", err, f)
	}
	io.WriteString(inW, "quit\n")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
