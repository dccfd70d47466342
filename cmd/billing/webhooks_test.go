package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/openbilling/billing/events"
	"github.com/openbilling/billing/webhooks"
)

// hookReceiver is a webhook endpoint on 127.0.0.1 that checks each request
// as a receiver does (the Standard Webhooks signature with its secret) and
// keeps the events, by path.
type hookReceiver struct {
	*httptest.Server
	t       *testing.T
	mu      sync.Mutex
	secrets map[string]string         // by path
	got     map[string][]events.Event // by path, in arrival order
	bad     []string
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{t: t, secrets: map[string]string{}, got: map[string][]events.Event{}}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		secret := h.secrets[r.URL.Path]
		key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(r.Header.Get("webhook-id") + "." + r.Header.Get("webhook-timestamp") + "." + string(body)))
		var e events.Event
		switch {
		case !slices.Contains(strings.Fields(r.Header.Get("webhook-signature")), "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil))):
			h.bad = append(h.bad, r.URL.Path+": bad signature")
		case json.Unmarshal(body, &e) != nil || e.ID != r.Header.Get("webhook-id"):
			h.bad = append(h.bad, r.URL.Path+": bad body "+string(body))
		default:
			h.got[r.URL.Path] = append(h.got[r.URL.Path], e)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.Close)
	return h
}

// ids is the ids of the events a path received, each once, sorted.
func (h *hookReceiver) ids(path string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, e := range h.got[path] {
		out = append(out, e.ID)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// waitFor waits, at most a minute, until the path has received want.
func (h *hookReceiver) waitFor(path string, want []string) {
	h.t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if slices.Equal(h.ids(path), want) {
			return
		}
	}
	h.t.Fatalf("%s received %v, want %v", path, h.ids(path), want)
}

func TestWebhooksThroughTheCommandLine(t *testing.T) {
	t.Setenv("BILLING_WEBHOOK_ALLOW_HTTP", "true")
	t.Setenv("BILLING_WEBHOOK_ALLOW_PRIVATE", "true")
	o := newOperator(t)
	o.loadExamples()
	h := newHookReceiver(t)
	add := func(path string, args ...string) (id, secret string) {
		lines := strings.Split(strings.TrimSuffix(o.billing(append([]string{"webhooks", "add", "--url", h.URL + path}, args...)...), "\n"), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "we_") || !strings.HasPrefix(lines[1], "whsec_") {
			t.Fatalf("webhooks add printed %q, want the id and the secret on a line each", lines)
		}
		h.mu.Lock()
		h.secrets[path] = lines[1]
		h.mu.Unlock()
		return lines[0], lines[1]
	}
	all, allSecret := add("/all", "--description", "the ledger")
	m1, _ := add("/m1", "--events", "invoice.finalized", "--account", "M1")

	o.billing("run", "--as-of", "2026-07-08T00:00:00Z")
	var list []events.Event
	if err := json.Unmarshal([]byte(o.billing("events", "--json", "--limit", "1000")), &list); err != nil {
		t.Fatal(err)
	}
	var every, m1Finalized []string
	types := map[string]int{}
	for _, e := range list {
		every = append(every, e.ID)
		types[e.Type]++
		if e.Type == "invoice.finalized" && e.AccountID != nil && *e.AccountID == "M1" {
			m1Finalized = append(m1Finalized, e.ID)
		}
	}
	if types["invoice.finalized"] != o.invoiceCount() || types["run.completed"] != 1 || len(m1Finalized) == 0 {
		t.Fatalf("events by type %v for %d invoices", types, o.invoiceCount())
	}
	t.Logf("%d events of a run on the sample data: %v", len(every), types)
	if !slices.IsSorted(every) {
		t.Fatalf("events not in id order: %v", every)
	}

	// The worker sends them: every event to the catch-all, M1's invoices
	// to M1's endpoint, and nothing else.
	worker := o.command("worker")
	var logs bytes.Buffer
	worker.Stdout, worker.Stderr = &logs, &logs
	if err := worker.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			_ = worker.Process.Signal(syscall.SIGTERM)
			_ = worker.Wait()
		}
	}
	defer stop()
	h.waitFor("/all", every)
	h.waitFor("/m1", m1Finalized)

	var deliveries []webhooks.Delivery
	if err := json.Unmarshal([]byte(o.billing("webhooks", "deliveries", all, "--json")), &deliveries); err != nil {
		t.Fatal(err)
	}
	if len(deliveries) != min(len(every), 100) || deliveries[0].Status != "delivered" || *deliveries[0].StatusCode != 204 {
		t.Fatalf("deliveries of %s: %d, first %+v", all, len(deliveries), deliveries[0])
	}

	// A replay and a test reach the endpoint again.
	first := every[0]
	if out := o.billing("webhooks", "replay", all, "--event", first); out != "queued 1 deliveries to "+all+"\n" {
		t.Fatalf("replay: %q", out)
	}
	o.billing("webhooks", "test", m1)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		h.mu.Lock()
		n, m := len(h.got["/all"]), len(h.got["/m1"])
		h.mu.Unlock()
		if n == len(every)+1 && m == len(m1Finalized)+1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a replay and a test: %d and %d requests", n, m)
		}
	}
	h.mu.Lock()
	test := h.got["/m1"][len(m1Finalized)]
	h.mu.Unlock()
	if test.Type != "webhook.test" || !strings.HasPrefix(test.ID, "evt_test_") {
		t.Fatalf("test event %+v", test)
	}
	stop()
	if len(h.bad) != 0 {
		t.Fatalf("requests a receiver refuses: %v", h.bad)
	}

	// The list shows the endpoints, never their secrets; nor does the log.
	listed := o.billing("webhooks", "list", "--json")
	var endpoints []webhooks.Endpoint
	if err := json.Unmarshal([]byte(listed), &endpoints); err != nil || len(endpoints) != 2 ||
		endpoints[0].ID != all || endpoints[0].Status != "enabled" || !slices.Equal(endpoints[1].Events, []string{"invoice.finalized"}) || *endpoints[1].AccountID != "M1" {
		t.Fatalf("webhooks list: %s (%v)", listed, err)
	}
	if strings.Contains(listed, allSecret) || strings.Contains(logs.String(), allSecret) || strings.Contains(o.billing("webhooks", "list"), "whsec_") {
		t.Fatal("a secret was shown after its creation")
	}
	rotated := strings.TrimSpace(o.billing("webhooks", "rotate-secret", all))
	if !strings.HasPrefix(rotated, "whsec_") || rotated == allSecret {
		t.Fatalf("rotate-secret printed %q", rotated)
	}
	o.billing("webhooks", "remove", m1)
	if out := o.billing("webhooks", "list"); strings.Contains(out, m1) {
		t.Fatalf("a removed endpoint is listed:\n%s", out)
	}
	code, _, errOut := billing(t, "webhooks", "add", "--url", "ftp://example.com/", "--database-url", o.url)
	if code != 1 || errOut != "billing: invalid webhook endpoint: \"ftp://example.com/\" is neither https nor http\n" {
		t.Fatalf("a bad URL: exit %d, %q", code, errOut)
	}
}
