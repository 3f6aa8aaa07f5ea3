package report

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/aiobench/aiobench/internal/atomicfile"
	"github.com/aiobench/aiobench/results"
)

// Marker is on the second line of every index.html aiobench writes: a directory holding one is
// a report directory aiobench may write into again.
const Marker = "<!-- aiobench report -->"

// CheckDir says whether a report may be written into dir: a directory that does not exist yet
// (its parent must), an empty one, or one holding an earlier aiobench report. It writes nothing.
func CheckDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		parent := filepath.Dir(filepath.Clean(dir))
		if pi, err := os.Stat(parent); err != nil || !pi.IsDir() {
			return fmt.Errorf("%s: its parent directory %s does not exist", dir, parent)
		}
		return nil
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s: exists and is not a directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	head := make([]byte, 64)
	f, err := os.Open(filepath.Join(dir, "index.html"))
	if err == nil {
		n, _ := io.ReadFull(f, head)
		f.Close()
		if bytes.Contains(head[:n], []byte(Marker)) {
			return nil
		}
	}
	return fmt.Errorf("%s: is not empty and holds no aiobench report; name a new or empty directory", dir)
}

// Write draws every chart into dir as NAME.png and NAME.svg and writes index.html with the
// charts embedded; it returns the files written. Files are replaced atomically.
func (r *Report) Write(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var written []string
	seen := map[string]int{}
	var figs []figure
	for _, c := range r.Charts {
		if seen[c.Name]++; seen[c.Name] > 1 {
			c.Name += "-" + strconv.Itoa(seen[c.Name])
		}
		var svg []byte
		for _, format := range []string{"png", "svg"} {
			wt, err := c.Plot.WriterTo(c.W, c.H, format)
			if err != nil {
				return written, fmt.Errorf("chart %s: %w", c.Name, err)
			}
			var buf bytes.Buffer
			if _, err := wt.WriteTo(&buf); err != nil {
				return written, fmt.Errorf("chart %s: %w", c.Name, err)
			}
			path := filepath.Join(dir, c.Name+"."+format)
			if err := atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
				return written, err
			}
			written = append(written, path)
			if format == "svg" {
				svg = buf.Bytes()
			}
		}
		figs = append(figs, figure{Chart: c, SVG: template.HTML(inlineSVG(svg))})
	}
	page := filepath.Join(dir, "index.html")
	err := atomicfile.Write(page, func(w io.Writer) error { return r.writeHTML(w, figs) })
	if err != nil {
		return written, err
	}
	return append(written, page), nil
}

type figure struct {
	*Chart
	SVG template.HTML
}

var svgProlog = regexp.MustCompile(`(?s)^.*?(<svg\b)`)

// inlineSVG makes an SVG file fit in HTML: no XML prolog or doctype, and scaled to the page by
// its viewBox.
func inlineSVG(svg []byte) []byte {
	svg = svgProlog.ReplaceAll(svg, []byte("$1"))
	w := regexp.MustCompile(`<svg[^>]*?\bwidth="([0-9.]+)(?:pt|px)?"`).FindSubmatch(svg)
	h := regexp.MustCompile(`<svg[^>]*?\bheight="([0-9.]+)(?:pt|px)?"`).FindSubmatch(svg)
	if w != nil && h != nil && !bytes.Contains(svg[:bytes.IndexByte(svg, '>')], []byte("viewBox")) {
		svg = bytes.Replace(svg, []byte("<svg"), []byte(fmt.Sprintf(`<svg viewBox="0 0 %s %s" preserveAspectRatio="xMidYMid meet"`, w[1], h[1])), 1)
	}
	return svg
}

func (r *Report) writeHTML(w io.Writer, figs []figure) error {
	type row struct{ Cells []string }
	header, cells := results.SummaryTable(r.Summary)
	var sum []row
	for _, c := range cells {
		sum = append(sum, row{c})
	}
	return page.Execute(w, map[string]any{
		"R": r, "Figures": figs, "Header": header, "Rows": sum, "Note": results.SummaryNote, "Marker": template.HTML(Marker),
	})
}

var page = template.Must(template.New("index").Parse(`<!DOCTYPE html>
{{.Marker}}
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.R.Title}}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #1d1d1f; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: left; white-space: nowrap; }
th { background: #f2f2f2; }
figure { margin: 1.5em 0; }
figure svg { width: 100%; height: auto; max-width: 900px; display: block; }
figcaption { color: #444; max-width: 900px; }
code, pre { font: 12px ui-monospace, monospace; background: #f6f6f6; }
pre { padding: 0.6em; overflow-x: auto; }
ul.verdicts li { margin: 0.2em 0; }
</style>
</head>
<body>
<h1>{{.R.Title}}</h1>
{{if .R.Verdicts}}<h2 id="verdicts">Verdicts</h2>
<ul class="verdicts">{{range .R.Verdicts}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Rows}}<h2 id="summary">Summary</h2>
<p>{{.Note}}.</p>
<table class="summary"><thead><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .Cells}}<td>{{.}}</td>{{end}}</tr>{{end}}</tbody></table>{{end}}
<h2 id="charts">Charts</h2>
{{range .R.Notes}}<p>{{.}}</p>{{end}}
{{range .Figures}}<figure id="{{.Name}}" class="chart">
{{.SVG}}
<figcaption>{{.Caption}} <a href="{{.Name}}.png">PNG</a> · <a href="{{.Name}}.svg">SVG</a></figcaption>
</figure>
{{else}}<p>No chart: the inputs have no rows or comparisons to draw.</p>{{end}}
<h2 id="provenance">How this was measured</h2>
{{if .R.Machines}}<p>Machine:</p>{{range .R.Machines}}<pre>{{.}}</pre>{{end}}{{end}}
{{if .R.Commands}}<p>Command lines:</p>{{range .R.Commands}}<pre>{{.}}</pre>{{end}}{{end}}
{{if .R.Sources}}<p>Drawn from: {{range $i, $s := .R.Sources}}{{if $i}}, {{end}}<code>{{$s}}</code>{{end}}.</p>{{end}}
</body>
</html>
`))
