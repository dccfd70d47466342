// Package stripemock starts Stripe's official API mock, stripe-mock, on
// 127.0.0.1 for a test: every request the Stripe gateway makes is checked
// by it against Stripe's OpenAPI description and answered with Stripe's
// fixtures. The program is installed by scripts/stripe-mock.sh, which
// make test runs and whose answer it puts in BILLING_STRIPE_MOCK.
package stripemock

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Start runs stripe-mock until the test ends and returns its base URL.
// Without the program the test fails, saying how to get it.
func Start(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("BILLING_STRIPE_MOCK")
	if bin == "" {
		t.Fatal("no stripe-mock: set BILLING_STRIPE_MOCK to the program (make test does: BILLING_STRIPE_MOCK=$(scripts/stripe-mock.sh))")
	}
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting stripe-mock (%s): %v", bin, err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		const prefix = "Listening for HTTP at address: "
		s := bufio.NewScanner(out)
		for s.Scan() {
			if line := s.Text(); strings.HasPrefix(line, prefix) {
				addr <- strings.TrimPrefix(line, prefix)
			}
		}
	}()
	select {
	case a := <-addr:
		return "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatal("stripe-mock did not say where it listens within 30 s")
		return ""
	}
}
