package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"sync"
	"syscall"
	"time"
)

// hookSink is a webhook receiver on 127.0.0.1: it keeps the webhook-ids
// each path received, and answers 200 after a short pause, so that
// deliveries take long enough to be killed in the middle of.
type hookSink struct {
	server *http.Server
	url    string
	mu     sync.Mutex
	got    map[string]map[string]int // path → webhook-id → requests
}

func newHookSink() (*hookSink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &hookSink{url: "http://" + ln.Addr().String(), got: map[string]map[string]int{}}
	s.server = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		time.Sleep(2 * time.Millisecond)
		s.mu.Lock()
		if s.got[r.URL.Path] == nil {
			s.got[r.URL.Path] = map[string]int{}
		}
		s.got[r.URL.Path][r.Header.Get("webhook-id")]++
		s.mu.Unlock()
	})}
	go func() { _ = s.server.Serve(ln) }()
	return s, nil
}

// ids are the webhook-ids a path received, sorted.
func (s *hookSink) ids(path string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id := range s.got[path] {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func (s *hookSink) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got[path])
}

// killDaemonDelivering registers three endpoints on a local receiver (every
// event; one account's finalized invoices; a type no change of the run
// makes), runs the pipeline, then starts the daemon, SIGKILLs it while it
// delivers, and starts it again: every event must reach every endpoint that
// takes it at least once, and none an endpoint that does not (§12.8).
func (c *chaos) killDaemonDelivering() error {
	d, err := c.loadedDatabase()
	if err != nil {
		return err
	}
	defer d.db.Close()
	sink, err := newHookSink()
	if err != nil {
		return err
	}
	defer sink.server.Close()
	// The receiver is on 127.0.0.1, over http.
	for _, v := range []string{"BILLING_WEBHOOK_ALLOW_HTTP", "BILLING_WEBHOOK_ALLOW_PRIVATE"} {
		os.Setenv(v, "true")
		defer os.Unsetenv(v)
	}
	account := fmt.Sprintf("A%04d", 1+c.rng.IntN(9))
	for _, e := range [][]string{{"/all"}, {"/one", "--account", account, "--events", "invoice.finalized"}, {"/none", "--events", "payment.disputed"}} {
		if err := d.billing(append([]string{"webhooks", "add", "--url", sink.url + e[0]}, e[1:]...)...); err != nil {
			return err
		}
	}
	if err := d.finish(); err != nil {
		return err
	}
	var all, one []string
	// The events written since the endpoints were added (the cards put on
	// file before have theirs, which no endpoint takes).
	if err := d.db.Select(&all, `SELECT 'evt_' || lpad(seq::text, 16, '0') FROM events
		WHERE seq > (SELECT max(after_seq) FROM webhook_endpoints) ORDER BY 1`); err != nil {
		return err
	}
	if err := d.db.Select(&one, `SELECT 'evt_' || lpad(seq::text, 16, '0') FROM events
		WHERE seq > (SELECT max(after_seq) FROM webhook_endpoints) AND account_id = $1 AND type = 'invoice.finalized' ORDER BY 1`, account); err != nil {
		return err
	}
	// The daemon with its nightly job only (no close job to catch up on);
	// exited is closed should it end.
	daemon := func() (*exec.Cmd, chan struct{}, error) {
		cmd := d.command("schedule", "--schedule-nightly", "0 2 * * *", "--schedule-close", "off", "--metrics-addr", "")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		exited := make(chan struct{})
		if err := cmd.Start(); err != nil {
			return nil, nil, err
		}
		go func() {
			_ = cmd.Wait()
			if ws := cmd.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() && ws.ExitStatus() != 0 {
				fmt.Fprintf(os.Stderr, "chaos: the daemon exited: %s\n%s", cmd.ProcessState, out.String())
			}
			close(exited)
		}()
		return cmd, exited, nil
	}
	first, exited, err := daemon()
	if err != nil {
		return err
	}
	// Killed once some, not all, are delivered.
	target := 1 + c.rng.IntN(len(all)-1)
	for deadline := time.Now().Add(time.Minute); sink.count("/all") < target && time.Now().Before(deadline); {
		select {
		case <-exited:
			return fmt.Errorf("the daemon ended before it was killed")
		case <-time.After(5 * time.Millisecond):
		}
	}
	_ = first.Process.Kill()
	<-exited
	if sink.count("/all") == len(all) && sink.count("/one") == len(one) {
		return errMissed
	}
	second, exited, err := daemon()
	if err != nil {
		return err
	}
	defer func() {
		_ = second.Process.Signal(syscall.SIGTERM)
		<-exited
	}()
	// A delivery the kill left running is rescued after half a minute.
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if slices.Equal(sink.ids("/all"), all) && slices.Equal(sink.ids("/one"), one) {
			break
		}
	}
	if got := sink.ids("/all"); !slices.Equal(got, all) {
		var jobs []string
		_ = d.db.Select(&jobs, `SELECT state || ' attempt ' || attempt || ': ' || count(*) FROM river_webhooks.river_job
			WHERE kind = 'deliver_webhook' GROUP BY state, attempt ORDER BY 1`)
		var deliveries []string
		_ = d.db.Select(&deliveries, `SELECT status || ' after ' || attempts || ' attempts: ' || count(*) FROM webhook_deliveries GROUP BY status, attempts ORDER BY 1`)
		return fmt.Errorf("the catch-all endpoint received %d of the %d events; delivery jobs %v; deliveries %v", len(got), len(all), jobs, deliveries)
	}
	if got := sink.ids("/one"); !slices.Equal(got, one) {
		return fmt.Errorf("%s's endpoint received %v, want its %d finalized invoices", account, got, len(one))
	}
	if n := sink.count("/none"); n != 0 {
		return fmt.Errorf("an endpoint taking no event of the run received %d", n)
	}
	twice := 0
	sink.mu.Lock()
	for _, n := range sink.got["/all"] {
		if n > 1 {
			twice++
		}
	}
	sink.mu.Unlock()
	c.redelivered += twice
	return d.billing("verify")
}
