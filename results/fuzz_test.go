package results

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzRead: no input makes the reader panic, and whatever it accepts survives a write and a
// second read unchanged.
func FuzzRead(f *testing.F) {
	var good bytes.Buffer
	Write(&good, []string{MagicComment}, sampleRows())
	for _, s := range []string{
		good.String(),
		"",
		"# only a comment\n",
		"engine,workload,bs,iodepth,jobs,cache\nsync,randread,4096,1,1,warm\n",
		"\xef\xbb\xbfengine,workload,bs,iodepth,jobs,cache,iops\r\nsync,randread,4096,1,1,warm,1e3\r\n",
		"engine,workload,bs,iodepth,jobs,cache\n\"a\nb\",x,1,1,1,warm\n",
		"engine,workload,bs,iodepth,jobs,cache,iops\nsync,randread,4096,1,1,warm,NaN\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		file, err := Read(strings.NewReader(in), "fuzz.csv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		var a, b bytes.Buffer
		if err := Write(&a, nil, file.Rows); err != nil {
			t.Fatal(err)
		}
		again, err := Read(bytes.NewReader(a.Bytes()), "again.csv")
		if err != nil {
			t.Fatalf("rereading what was written: %v\n%s", err, a.String())
		}
		Write(&b, nil, again.Rows)
		if a.String() != b.String() {
			t.Fatalf("round trip changed the data:\n%s\n%s", a.String(), b.String())
		}
	})
}
