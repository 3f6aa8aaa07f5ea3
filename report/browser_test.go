package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestPageInChromium opens a report's index.html from disk in a real headless Chromium (driven
// by chromedp) and checks what a reader sees: every chart drawn with a size, the summary's rows,
// and nothing fetched from anywhere (the page is self-contained). A screenshot of the page is
// kept in $AIOBENCH_ARTIFACTS (default: a directory under the system's temporary directory).
func TestPageInChromium(t *testing.T) {
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("no Chromium on this machine: install Debian's chromium package (.ci/run does)")
	}
	r, dir, _ := drawFixtures(t, "aiolat.csv", "cold.csv", "cold.hist.csv", "warm.csv", "gate.csv")

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()), chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 900))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	type view struct {
		Figures, Drawn, Rows, Texts, Fetched int
		Title                                string
	}
	if err := chromedp.Do(bctx, chromedp.Navigate("file://"+filepath.Join(dir, "index.html")), chromedp.WaitReady("body")); err != nil {
		t.Fatalf("Chromium: open the page: %v", err)
	}
	seen, err := chromedp.Run(bctx, chromedp.Evaluate[view](`(() => {
		const figs = [...document.querySelectorAll("figure.chart")];
		const drawn = figs.filter(f => { const s = f.querySelector("svg"); if (!s) return false;
			const b = s.getBoundingClientRect(); return b.width > 300 && b.height > 100; });
		return {
			Figures: figs.length, Drawn: drawn.length,
			Rows: document.querySelectorAll("table.summary tbody tr").length,
			Texts: document.querySelectorAll("figure.chart svg text").length,
			Fetched: performance.getEntriesByType("resource").length,
			Title: document.title,
		};
	})()`))
	if err != nil {
		t.Fatalf("Chromium: read the page: %v", err)
	}
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)) // quality 100: a PNG
	if err != nil {
		t.Fatalf("Chromium: screenshot: %v", err)
	}
	if seen.Figures != len(r.Charts) || seen.Drawn != seen.Figures {
		t.Errorf("the page shows %d of %d charts drawn (%d figures)", seen.Drawn, len(r.Charts), seen.Figures)
	}
	if seen.Rows != len(r.Summary) || seen.Rows == 0 {
		t.Errorf("the summary table has %d rows, want %d", seen.Rows, len(r.Summary))
	}
	if seen.Texts < 10*len(r.Charts) {
		t.Errorf("the charts hold %d texts: labels missing", seen.Texts)
	}
	if seen.Fetched != 0 {
		t.Errorf("the page fetched %d resources; it must be self-contained", seen.Fetched)
	}
	if seen.Title != "aiobench report" {
		t.Errorf("title %q", seen.Title)
	}
	artifacts := os.Getenv("AIOBENCH_ARTIFACTS")
	if artifacts == "" {
		artifacts = filepath.Join(os.TempDir(), "aiobench-artifacts")
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	shotPath := filepath.Join(artifacts, "report-page.png")
	if err := os.WriteFile(shotPath, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the page: %s (%d bytes)", shotPath, len(shot))
}
