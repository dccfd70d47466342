// Command load is the portal's load test: it bills a synthetic
// month on a throwaway PostgreSQL, starts `billing serve` on 127.0.0.1, and
// has many clients at once read pages, call the API and download files for
// a fixed time. It prints requests per second, latency percentiles, errors
// and the server's memory over the run. It talks only to the servers it
// started, and every loop is bounded by the duration.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the PostgreSQL driver

	"github.com/openbilling/billing/internal/synthetic"
	"github.com/openbilling/billing/internal/testkit/benchmem"
	"github.com/openbilling/billing/internal/testkit/throwaway"
)

// Result is what one load test measured.
type Result struct {
	Date            string         `json:"date"`
	Machine         string         `json:"machine"`
	Scale           float64        `json:"scale"`
	Invoices        int            `json:"invoices"`
	Clients         int            `json:"clients"`
	DurationSeconds float64        `json:"duration_seconds"`
	Requests        int64          `json:"requests"`
	RequestsPerS    float64        `json:"requests_per_s"`
	Errors          int64          `json:"errors"`
	P50ms           float64        `json:"p50_ms"`
	P99ms           float64        `json:"p99_ms"`
	MaxMs           float64        `json:"max_ms"`
	ByKind          map[string]int `json:"requests_by_kind"`
	BytesMiB        float64        `json:"downloaded_mib"`
	RSSStartMiB     float64        `json:"server_rss_after_warmup_mib"`
	RSSEndMiB       float64        `json:"server_rss_at_end_mib"`
	RSSMaxMiB       float64        `json:"server_rss_max_mib"`
	FirstErrors     []string       `json:"first_errors,omitempty"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "billing-load: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	scale := flag.Float64("scale", 0.01, "workload scale of the billed month (0.01: 100 accounts, about 2,000 invoices with files)")
	clients := flag.Int("clients", 200, "concurrent clients")
	duration := flag.Duration("duration", 30*time.Second, "how long the clients run")
	binary := flag.String("billing", "bin/billing", "the billing binary to serve with")
	asJSON := flag.Bool("json", false, "print one JSON object")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the server to FILE")
	flag.Parse()
	say := func(format string, args ...any) {
		if !*asJSON {
			fmt.Fprintf(os.Stderr, "==> "+format+"\n", args...)
		}
	}

	pg, err := throwaway.Start("billing-load-")
	if err != nil {
		return err
	}
	defer pg.Stop()
	work, dbURL := pg.Dir, pg.URL
	outDir := filepath.Join(work, "out")
	billing := pg.Billing(*binary, outDir)

	say("billing a synthetic month at scale %g", *scale)
	data := filepath.Join(work, "data")
	if _, err := synthetic.Generate(data, *scale, 1, nil); err != nil {
		return err
	}
	if _, err := billing("migrate"); err != nil {
		return err
	}
	for _, kind := range []string{"accounts", "customers", "products", "prices", "tax-rates", "orders", "usage"} {
		if _, err := billing("import", kind, filepath.Join(data, kind+".csv")); err != nil {
			return err
		}
	}
	if _, err := billing("run", "--as-of", synthetic.AsOf); err != nil {
		return err
	}
	db, err := sqlx.ConnectContext(context.Background(), "postgres", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	targets, err := loadTargets(db)
	if err != nil {
		return err
	}
	res := &Result{Date: time.Now().UTC().Format(time.DateOnly), Machine: fmt.Sprintf("%s/%s, %d cores", runtime.GOOS, runtime.GOARCH, runtime.NumCPU()),
		Scale: *scale, Clients: *clients, ByKind: map[string]int{}}
	if err := db.Get(&res.Invoices, `SELECT count(*) FROM invoices`); err != nil {
		return err
	}

	// One API token per account (up to 100), and page sessions for eight
	// accounts: the sign-in rate limit allows ten a minute from one address.
	say("creating access tokens for %d accounts", min(len(targets), 100))
	targets = targets[:min(len(targets), 100)]
	for i := range targets {
		tok, err := billing("token", "create", "--account", targets[i].account)
		if err != nil {
			return err
		}
		targets[i].token = strings.TrimSpace(tok)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	serveArgs := []string{"serve", "--listen", addr, "--database-url", dbURL, "--output-dir", outDir, "--log-level", "warn"}
	if *cpuprofile != "" {
		serveArgs = append(serveArgs, "--cpuprofile", *cpuprofile)
	}
	server := exec.Command(*binary, serveArgs...)
	server.Stderr = os.Stderr
	if err := server.Start(); err != nil {
		return err
	}
	defer func() {
		_ = server.Process.Signal(os.Interrupt)
		_ = server.Wait()
	}()
	if err := waitHealthy(base); err != nil {
		return err
	}
	sessions := make([]*http.Client, min(8, len(targets)))
	for i := range sessions {
		if sessions[i], err = signIn(base, targets[i].token); err != nil {
			return err
		}
	}

	say("%d clients for %s against %s", *clients, *duration, base)
	transport := &http.Transport{MaxIdleConnsPerHost: *clients, MaxConnsPerHost: *clients}
	api := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	for _, s := range sessions {
		s.Transport = transport
	}
	var (
		requests, errors, bytesRead atomic.Int64
		mu                          sync.Mutex
		latencies                   []time.Duration
		firstErrors                 []string
		byKind                      = map[string]int{}
	)
	rss := &rssSampler{pid: server.Process.Pid}
	rss.start(*duration)
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	for c := range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			kinds := map[string]int{}
			for i := 0; time.Now().Before(deadline); i++ {
				t := targets[(c+i)%len(targets)]
				inv := t.invoices[i%len(t.invoices)]
				kind, req := pick(c+i, base, t, inv)
				client := api
				if strings.HasPrefix(kind, "page") {
					s := (c + i) % len(sessions)
					t = targets[s]
					inv = t.invoices[i%len(t.invoices)]
					kind, req = pick(c+i, base, t, inv)
					client = sessions[s]
				} else {
					req.Header.Set("Authorization", "Bearer "+t.token)
				}
				began := time.Now()
				resp, err := client.Do(req)
				var n int64
				if err == nil {
					n, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("%s %s: status %d", req.Method, req.URL.Path, resp.StatusCode)
					}
				}
				mine = append(mine, time.Since(began))
				requests.Add(1)
				bytesRead.Add(n)
				kinds[kind]++
				if err != nil {
					errors.Add(1)
					mu.Lock()
					if len(firstErrors) < 5 {
						firstErrors = append(firstErrors, err.Error())
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			for k, n := range kinds {
				byKind[k] += n
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	rss.wait()

	slices.Sort(latencies)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	res.DurationSeconds = duration.Seconds()
	res.Requests, res.Errors = requests.Load(), errors.Load()
	res.RequestsPerS = float64(res.Requests) / duration.Seconds()
	if len(latencies) > 0 {
		res.P50ms, res.P99ms, res.MaxMs = ms(latencies[len(latencies)/2]), ms(latencies[len(latencies)*99/100]), ms(latencies[len(latencies)-1])
	}
	res.ByKind, res.FirstErrors = byKind, firstErrors
	res.BytesMiB = float64(bytesRead.Load()) / (1 << 20)
	res.RSSStartMiB, res.RSSEndMiB, res.RSSMaxMiB = rss.warmed, rss.end, rss.max
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	fmt.Printf("%d clients, %.0f s, %d invoices at scale %g\n", res.Clients, res.DurationSeconds, res.Invoices, res.Scale)
	fmt.Printf("requests      %d (%.0f/s), %d errors, %.1f MiB downloaded\n", res.Requests, res.RequestsPerS, res.Errors, res.BytesMiB)
	fmt.Printf("latency       p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", res.P50ms, res.P99ms, res.MaxMs)
	fmt.Printf("server RSS    %.0f MiB after warm-up, %.0f MiB at the end, %.0f MiB at most\n", res.RSSStartMiB, res.RSSEndMiB, res.RSSMaxMiB)
	fmt.Printf("by kind       %v\n", res.ByKind)
	for _, e := range res.FirstErrors {
		fmt.Printf("error         %s\n", e)
	}
	return nil
}

// target is an account the clients read, with its token and invoices.
type target struct {
	account  string
	token    string
	invoices []string
}

func loadTargets(db *sqlx.DB) ([]target, error) {
	var rows []struct {
		Account string `db:"account_id"`
		Numbers string `db:"numbers"`
	}
	err := db.Select(&rows, `SELECT account_id, string_agg(number, ' ' ORDER BY number) AS numbers FROM invoices GROUP BY account_id ORDER BY account_id`)
	if err != nil {
		return nil, err
	}
	out := make([]target, len(rows))
	for i, r := range rows {
		out[i] = target{account: r.Account, invoices: strings.Fields(r.Numbers)}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the billed month has no invoices")
	}
	return out, nil
}

// pick is the n-th request of the mix: pages, API calls and downloads.
func pick(n int, base string, t target, number string) (string, *http.Request) {
	a := url.PathEscape(t.account)
	paths := []struct{ kind, path string }{
		{"page_invoices", "/accounts/" + a + "/invoices"},
		{"page_invoice", "/accounts/" + a + "/invoices/" + number},
		{"page_summary", "/accounts/" + a + "/summary"},
		{"api_invoices", "/api/v1/invoices"},
		{"api_invoice", "/api/v1/invoices/" + number},
		{"api_summary", "/api/v1/summary"},
		{"download", "/api/v1/invoices/" + number + "/files/reconciliation"},
		{"download", "/api/v1/invoices/" + number + "/files/invoice"},
	}
	p := paths[n%len(paths)]
	req, _ := http.NewRequest("GET", base+p.path, nil)
	return p.kind, req
}

func waitHealthy(base string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("billing serve did not answer on %s within 30 s", base)
}

// signIn opens a page session with a token, as the sign-in form does.
func signIn(base, token string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("POST", base+"/signin/token", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("signing in: status %d", resp.StatusCode)
	}
	return c, nil
}

// rssSampler reads the server's resident memory once a second.
type rssSampler struct {
	pid              int
	warmed, end, max float64
	done             sync.WaitGroup
}

func (r *rssSampler) start(d time.Duration) {
	r.done.Add(1)
	go r.sample(d)
}

func (r *rssSampler) sample(d time.Duration) {
	defer r.done.Done()
	began := time.Now()
	warm := min(5*time.Second, d/4)
	for time.Since(began) < d {
		time.Sleep(time.Second)
		mib := rssMiB(r.pid)
		if r.warmed == 0 && time.Since(began) >= warm {
			r.warmed = mib
		}
		r.end, r.max = mib, max(r.max, mib)
	}
}

func (r *rssSampler) wait() { r.done.Wait() }

func rssMiB(pid int) float64 {
	b, _ := benchmem.RSS(pid)
	return float64(b) / (1 << 20)
}
