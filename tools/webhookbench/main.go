// Command webhookbench is make bench-webhooks: on a throwaway PostgreSQL
// it writes EVENTS invoice.finalized events (one statement finalizing as
// many invoices, as a close does), registers one endpoint on a receiver on
// 127.0.0.1, and starts the daemon and two billing worker processes. It
// prints how fast the events were delivered, the lag (the age of the oldest
// event not yet delivered) sampled each second, and each process's
// resident memory at a quarter of the deliveries and at the end.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/openbilling/billing/internal/testkit/benchmem"
	"github.com/openbilling/billing/internal/testkit/throwaway"
	"github.com/openbilling/billing/store"
)

// Result is what the bench measured.
type Result struct {
	Events           int     `json:"events"`
	WriteSeconds     float64 `json:"write_seconds"` // finalizing the invoices, their events included
	DeliverSeconds   float64 `json:"deliver_seconds"`
	DeliveriesPerSec float64 `json:"deliveries_per_second"`
	Requests         int     `json:"requests"` // more than events when one was sent twice
	MaxLagSeconds    float64 `json:"max_lag_seconds"`
	RSSQuarterMiB    []int   `json:"rss_quarter_mib"` // daemon, worker, worker
	RSSEndMiB        []int   `json:"rss_end_mib"`
}

func main() {
	n := flag.Int("events", 100000, "events to deliver")
	workers := flag.Int("workers", 2, "billing worker processes beside the daemon")
	asJSON := flag.Bool("json", false, "print one JSON object")
	flag.Parse()
	res, err := run(*n, *workers)
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhookbench:", err)
		os.Exit(1)
	}
	if *asJSON {
		_ = json.NewEncoder(os.Stdout).Encode(res)
		return
	}
	fmt.Printf("events written:   %d in %.1f s (one statement finalizing as many invoices)\n", res.Events, res.WriteSeconds)
	fmt.Printf("delivered:        %d in %.1f s = %.0f deliveries/s (%d requests), daemon and %d workers\n",
		res.Events, res.DeliverSeconds, res.DeliveriesPerSec, res.Requests, *workers)
	fmt.Printf("lag:              at most %.1f s\n", res.MaxLagSeconds)
	fmt.Printf("resident memory:  %v MiB at a quarter of the deliveries, %v MiB at the end (daemon, workers)\n", res.RSSQuarterMiB, res.RSSEndMiB)
}

// receiver counts the webhook-ids it is sent.
type receiver struct {
	mu       sync.Mutex
	ids      map[string]bool
	requests int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	_, _ = io.Copy(io.Discard, req.Body)
	r.mu.Lock()
	r.ids[req.Header.Get("webhook-id")] = true
	r.requests++
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) count() (unique, requests int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ids), r.requests
}

func run(n, workers int) (Result, error) {
	res := Result{Events: n}
	bin, err := filepath.Abs(filepath.Join("bin", "billing"))
	if err != nil {
		return res, err
	}
	cluster, err := throwaway.Start("billing-webhookbench-")
	if err != nil {
		return res, err
	}
	defer cluster.Stop()
	out := filepath.Join(cluster.Dir, "out")
	billing := cluster.Billing(bin, out)
	if _, err := billing("migrate"); err != nil {
		return res, err
	}
	db, err := sqlx.Open("postgres", cluster.URL)
	if err != nil {
		return res, err
	}
	defer db.Close()

	recv := &receiver{ids: map[string]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	srv := &http.Server{Handler: recv, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	os.Setenv("BILLING_WEBHOOK_ALLOW_HTTP", "true")
	os.Setenv("BILLING_WEBHOOK_ALLOW_PRIVATE", "true")
	if _, err := billing("webhooks", "add", "--url", "http://"+ln.Addr().String()+"/hook"); err != nil {
		return res, err
	}

	// n invoices of 100 accounts, finalized in one statement with their
	// ledger entries: n invoice.finalized events.
	began := time.Now()
	if _, err := db.Exec(`INSERT INTO accounts (account_id, name, country, currency, billing_day)
		SELECT 'B' || lpad(a::text, 3, '0'), 'Bench ' || a, 'US', 'USD', 1 FROM generate_series(1, 100) a`); err != nil {
		return res, err
	}
	if _, err := db.Exec(`WITH added AS (
			INSERT INTO invoices (number, series, seq, account_id, type, billing, currency, window_start, window_end, issue_date, subtotal, tax, total)
			SELECT 'INV-2026-' || lpad(i::text, 7, '0'), 'INV-2026', i, 'B' || lpad((1 + i % 100)::text, 3, '0'), 'recurring', 'anniversary', 'USD',
			       date '2000-01-01' + i / 100, date '2000-01-01' + i / 100, date '2000-01-02' + i / 100, 10, 0, 10
			FROM generate_series(1, $1) i
			RETURNING account_id, number, total)
		INSERT INTO ledger_entries (account_id, currency, kind, amount, invoice_number)
		SELECT account_id, 'USD', 'invoice', total, number FROM added`, n); err != nil {
		return res, err
	}
	res.WriteSeconds = time.Since(began).Seconds()

	var procs []*exec.Cmd
	start := func(args ...string) error {
		cmd := exec.Command(bin, append(args, "--database-url", cluster.URL, "--output-dir", out, "--log-level", "warn", "--metrics-addr", "")...)
		cmd.Stderr = os.Stderr
		procs = append(procs, cmd)
		return cmd.Start()
	}
	defer func() {
		for _, p := range procs {
			_ = p.Process.Signal(syscall.SIGTERM)
			_ = p.Wait()
		}
	}()
	began = time.Now()
	if err := start("schedule", "--schedule-nightly", "0 2 * * *", "--schedule-close", "off"); err != nil {
		return res, err
	}
	for range workers {
		if err := start("worker"); err != nil {
			return res, err
		}
	}
	lastLag := time.Now()
	for deadline := time.Now().Add(30 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		unique, requests := recv.count()
		if res.RSSQuarterMiB == nil && unique >= n/4 {
			res.RSSQuarterMiB = rss(procs)
		}
		if unique >= n {
			res.DeliverSeconds = time.Since(began).Seconds()
			res.Requests = requests
			break
		}
		if time.Now().After(deadline) {
			return res, fmt.Errorf("%d of %d events delivered in 30 minutes", unique, n)
		}
		if time.Since(lastLag) >= time.Second {
			lastLag = time.Now()
			if lag, err := store.WebhookLag(context.Background(), store.New(db), time.Now()); err == nil && lag.Seconds() > res.MaxLagSeconds {
				res.MaxLagSeconds = lag.Seconds()
			}
		}
	}
	res.RSSEndMiB = rss(procs)
	res.DeliveriesPerSec = float64(n) / res.DeliverSeconds
	return res, nil
}

// rss is each process's resident memory now, in MiB.
func rss(procs []*exec.Cmd) []int {
	out := make([]int, len(procs))
	for i, p := range procs {
		b, _ := benchmem.RSS(p.Process.Pid)
		out[i] = int(b >> 20)
	}
	return out
}
