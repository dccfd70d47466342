package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// provider is the bench's stand-in for a real payment provider: the parts
// of Stripe's API the collect stage calls, each answered after a latency,
// on 127.0.0.1. billing talks to it through its real Stripe gateway, with
// its concurrency and rate limits, so the bench measures what collect
// costs when the provider, not billing, is the slow side.
type provider struct {
	latency  time.Duration
	server   *http.Server
	url      string
	requests atomic.Int64
	conns    atomic.Int64 // connections opened to it
	mu       sync.Mutex
	inFlight int
	peak     int // the most requests in flight at once
}

func startProvider(latency time.Duration) (*provider, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &provider{latency: latency, url: "http://" + ln.Addr().String()}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/payment_intents", func(w http.ResponseWriter, r *http.Request) {
		n := p.begin()
		defer p.end()
		amount, _ := strconv.ParseInt(r.PostFormValue("amount"), 10, 64)
		p.answer(w, map[string]any{"id": fmt.Sprintf("pi_bench_%d", n), "object": "payment_intent", "status": "succeeded",
			"amount": amount, "currency": r.PostFormValue("currency")})
	})
	mux.HandleFunc("GET /v1/payment_intents/search", func(w http.ResponseWriter, r *http.Request) {
		p.begin()
		defer p.end()
		p.answer(w, map[string]any{"object": "search_result", "data": []any{}, "has_more": false, "url": "/v1/payment_intents/search"})
	})
	mux.HandleFunc("POST /v1/customers", func(w http.ResponseWriter, r *http.Request) {
		n := p.begin()
		defer p.end()
		p.answer(w, map[string]any{"id": fmt.Sprintf("cus_bench_%d", n), "object": "customer"})
	})
	p.server = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ConnState: func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			p.conns.Add(1)
		}
	}}
	go func() { _ = p.server.Serve(ln) }()
	return p, nil
}

func (p *provider) begin() int64 {
	p.mu.Lock()
	p.inFlight++
	p.peak = max(p.peak, p.inFlight)
	p.mu.Unlock()
	return p.requests.Add(1)
}

func (p *provider) end() {
	p.mu.Lock()
	p.inFlight--
	p.mu.Unlock()
}

// answer answers after the provider's latency.
func (p *provider) answer(w http.ResponseWriter, body map[string]any) {
	time.Sleep(p.latency)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

// maxInFlight is the most requests it had in flight at once.
func (p *provider) maxInFlight() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.peak
}

func (p *provider) stop() { _ = p.server.Close() }
