// Package smtptest is an SMTP server for tests, on 127.0.0.1, that keeps
// the messages it accepts (github.com/emersion/go-smtp).
package smtptest

import (
	"errors"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Inbox is a running server and what it received.
type Inbox struct {
	Addr       string // host:port to send to
	mu         sync.Mutex
	received   []*mail.Message
	refuseOnce map[string]bool
	hold       chan struct{} // set by Hold: messages wait for Release
	arrived    chan struct{}
}

// Hold makes the server keep each message it is sent, before accepting it,
// until Release; it returns a channel that receives as each message arrives.
// Call it before anything is sent.
func (b *Inbox) Hold() <-chan struct{} {
	b.hold, b.arrived = make(chan struct{}), make(chan struct{}, 16)
	return b.arrived
}

// Release lets the messages held, and those to come, be accepted.
func (b *Inbox) Release() { close(b.hold) }

// Start starts a server for the test, stopped when the test ends. The first
// delivery to each address in refuseOnce is refused with a temporary error.
func Start(t *testing.T, refuseOnce ...string) *Inbox {
	t.Helper()
	b := &Inbox{refuseOnce: map[string]bool{}}
	for _, a := range refuseOnce {
		b.refuseOnce[a] = true
	}
	srv := smtp.NewServer(b)
	srv.Domain = "localhost"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.Addr = l.Addr().String()
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Error(err)
		}
	}()
	t.Cleanup(func() { srv.Close() })
	return b
}

// Received returns the messages accepted so far, bodies read into memory.
func (b *Inbox) Received() []*mail.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]*mail.Message(nil), b.received...)
}

// NewSession is a connection's session (smtp.Backend).
func (b *Inbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{inbox: b}, nil }

type session struct{ inbox *Inbox }

func (s *session) Mail(string, *smtp.MailOptions) error { return nil }
func (s *session) Reset()                               {}
func (s *session) Logout() error                        { return nil }

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.inbox.mu.Lock()
	defer s.inbox.mu.Unlock()
	if s.inbox.refuseOnce[to] {
		delete(s.inbox.refuseOnce, to)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	return nil
}

func (s *session) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(m.Body)
	if err != nil {
		return err
	}
	m.Body = strings.NewReader(string(body))
	if s.inbox.hold != nil {
		s.inbox.arrived <- struct{}{}
		<-s.inbox.hold
	}
	s.inbox.mu.Lock()
	defer s.inbox.mu.Unlock()
	s.inbox.received = append(s.inbox.received, m)
	return nil
}
