package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openbilling/billing/internal/testkit/apicontract"
	"github.com/openbilling/billing/internal/testkit/smtptest"
)

// portalServer is a `billing serve` started in-process, as an operator starts it,
// on a free port of 127.0.0.1, over the sample data billed as of
// 2026-08-08, with a test SMTP server for its sign-in links.
type portalServer struct {
	*operator
	base  string // http://127.0.0.1:PORT
	inbox *smtptest.Inbox
	// stop sends the server SIGTERM's cancellation and returns what it
	// printed; it fails the test unless the server stopped cleanly.
	stop func() string
}

func newPortal(t *testing.T, extra ...string) *portalServer {
	t.Helper()
	o := newOperator(t)
	o.loadExamples()
	// PDFs at their first download: the path of a download that writes one.
	o.billing("run", "--as-of", "2026-08-08T00:00:00Z", "--pdf-invoices", "on-demand")
	return startPortal(t, o, extra...)
}

// startPortal serves o's database; the server is stopped with SIGTERM's
// context at the end of the test, and must stop cleanly.
func startPortal(t *testing.T, o *operator, extra ...string) *portalServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := &portalServer{operator: o, base: "http://" + addr, inbox: smtptest.Start(t)}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan string, 1)
	args := append([]string{"serve", "--listen", addr, "--smtp-addr", p.inbox.Addr, "--database-url", o.url,
		"--output-dir", o.dir + "/out", "--log-level", "warn"}, extra...)
	go func() {
		var out, errOut bytes.Buffer
		code := runMain(ctx, args, &out, &errOut)
		done <- fmt.Sprintf("exit %d: %s%s", code, out.String(), errOut.String())
	}()
	var once sync.Once
	var output string
	p.stop = func() string {
		once.Do(func() {
			stop()
			if output = <-done; !strings.HasPrefix(output, "exit 0") {
				t.Errorf("billing serve did not stop cleanly: %s", output)
			}
		})
		return output
	}
	t.Cleanup(func() { p.stop() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(p.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case got := <-done:
			done <- got // for the clean-up's stop, which waits for it
			t.Fatalf("billing serve stopped at start: %s", got)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("billing serve did not answer /healthz within 20 s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// client is a browser-like HTTP client with its own cookies that does not
// follow redirects, so each answer can be checked.
type client struct {
	t    *testing.T
	p    *portalServer
	http *http.Client
}

func (p *portalServer) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: p.t, p: p, http: &http.Client{Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request as a same-origin page would (Sec-Fetch-Site) and
// returns the answer with its body read.
func (c *client) do(method, path string, form url.Values, header ...string) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.p.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, string(b)
}

// expect sends a request and fails the test unless the status is want.
func (c *client) expect(want int, method, path string, form url.Values, header ...string) (*http.Response, string) {
	c.t.Helper()
	resp, body := c.do(method, path, form, header...)
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, resp.StatusCode, want, clip(body))
	}
	return resp, body
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

// token creates an access token with billing token create.
func (p *portalServer) token(args ...string) string {
	p.t.Helper()
	return strings.TrimSpace(p.billing(append([]string{"token", "create"}, args...)...))
}

// signInWithToken opens a session with an access token.
func (c *client) signInWithToken(token string) {
	c.t.Helper()
	c.expect(http.StatusSeeOther, "POST", "/signin/token", url.Values{"token": {token}})
}

var linkPattern = regexp.MustCompile(`/signin/link\?t=([A-Za-z0-9_-]+)`)

// signInLink asks for a sign-in link for the address and returns the
// secret of the newest one e-mailed.
func (c *client) signInLink(email string) string {
	c.t.Helper()
	before := len(c.p.inbox.Received())
	c.expect(http.StatusOK, "POST", "/signin/email", url.Values{"email": {email}})
	got := c.p.inbox.Received()
	if len(got) != before+1 {
		c.t.Fatalf("%d e-mails after asking for a link, want %d", len(got), before+1)
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(got[len(got)-1].Body))
	m := linkPattern.FindStringSubmatch(string(body))
	if m == nil {
		c.t.Fatalf("no sign-in link in the e-mail:\n%s", body)
	}
	return m[1]
}

// api calls the JSON API with a bearer token.
func (p *portalServer) api(token, method, path string, body any, header ...string) (int, map[string]any, []byte) {
	p.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, p.base+path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	apicontract.Check(p.t, req, resp, raw) // every answer as the OpenAPI document says
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out, raw
}

// storedFile is an invoice's recorded file: its path and SHA-256.
func (p *portalServer) storedFile(number, kind string) (string, string) {
	p.t.Helper()
	var f struct{ Path, SHA256 string }
	if err := p.db.Get(&f, `SELECT path, sha256 FROM invoice_files WHERE invoice_number = $1 AND kind = $2`, number, kind); err != nil {
		p.t.Fatalf("the %s file of %s: %v", kind, number, err)
	}
	return f.Path, f.SHA256
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
