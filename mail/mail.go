// Package mail sends the outbox (§9 "Notifications"): the e-mails
// written in the same transaction as the change that causes them, each
// with a stable Message-ID, delivered over SMTP and tried again with a
// growing delay until the server accepts them. It is a package of its own
// because the portal's sign-in links (§11) go out the same way.
package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"strings"
	"time"

	"github.com/openbilling/billing/store"
)

// Message is an e-mail to send: from the outbox, or straight to the
// server (a sign-in link, whose secret is never stored).
type Message = store.OutboxMessage

// Sender delivers the outbox through one SMTP server.
type Sender struct {
	DB                 *store.DB
	Addr               string // host:port
	From               string
	Username, Password string // optional: PLAIN authentication, only over TLS or to localhost
	Log                *slog.Logger
}

// batch bounds how many e-mails one Send delivers.
const batch = 200

// Report counts what one Send did.
type Report struct {
	Sent, Failed int
}

// Send delivers the e-mails due at now. A refused e-mail is tried again
// after a delay that doubles with each attempt, from one minute to six
// hours; the others are still sent.
func (s *Sender) Send(ctx context.Context, now time.Time) (Report, error) {
	var r Report
	due, err := store.DueMessages(ctx, s.DB, now, batch)
	if err != nil {
		return r, fmt.Errorf("reading the outbox: %w", err)
	}
	for _, m := range due {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		refused, err := s.send(ctx, m, now)
		if err != nil {
			return r, err
		}
		if refused != nil {
			r.Failed++
			continue
		}
		r.Sent++
	}
	return r, nil
}

// SendOne delivers one e-mail of the outbox, unless it was sent already, and
// records the outcome; the job queue calls it for each new e-mail and tries
// again when it fails.
func (s *Sender) SendOne(ctx context.Context, id string, now time.Time) error {
	m, found, err := store.MessageByID(ctx, s.DB, id)
	switch {
	case err != nil:
		return fmt.Errorf("reading e-mail %s: %w", id, err)
	case !found || m.SentAt != nil:
		return nil
	}
	refused, err := s.send(ctx, m, now)
	if err == nil && refused != nil {
		err = fmt.Errorf("sending e-mail %s to %s: %w", m.ID, m.To, refused)
	}
	return err
}

// send delivers one e-mail and records the outcome: sent, or refused (the
// server's error, returned as refused) and due again after its delay. err
// is a failure to record either.
func (s *Sender) send(ctx context.Context, m store.OutboxMessage, now time.Time) (refused, err error) {
	if refused = s.Deliver(ctx, m); refused != nil {
		next := now.Add(backoff(m.Attempts))
		if s.Log != nil {
			s.Log.Warn("mail_failed", "message_id", m.ID, "attempts", m.Attempts+1, "next_attempt_at", next, "error", refused.Error())
		}
		if err := store.MessageFailed(ctx, s.DB, m.ID, next, refused.Error()); err != nil {
			return refused, fmt.Errorf("recording a failed e-mail: %w", err)
		}
		return refused, nil
	}
	if err := store.MessageSent(ctx, s.DB, m.ID, now); err != nil {
		return nil, fmt.Errorf("recording a sent e-mail (it is sent again, with the same Message-ID): %w", err)
	}
	return nil, nil
}

// backoff is the delay before attempt n+1.
func backoff(attempts int) time.Duration {
	d := time.Minute << min(attempts, 9)
	return min(d, 6*time.Hour)
}

// Deliver hands one e-mail to the server now, outside the outbox: the portal
// sends its sign-in links this way, since a link is worth nothing once late
// and its secret must not rest in the database (§11).
func (s *Sender) Deliver(ctx context.Context, m Message) error {
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("smtp_addr %q: %w", s.Addr, err)
	}
	dialer := net.Dialer{Timeout: 30 * time.Second}
	conn, err := dialer.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return err
	}
	_ = conn.SetDeadline(time.Now().Add(2 * time.Minute))
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return err
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return err
		}
	}
	if err := c.Mail(s.From); err != nil {
		return err
	}
	if err := c.Rcpt(m.To); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(compose(s.From, m)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// compose writes an e-mail as RFC 5322 text: its stable Message-ID, so a
// server or reader recognizes a retry, and a quoted-printable UTF-8 body.
func compose(from string, m store.OutboxMessage) []byte {
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", from)
	header("To", m.To)
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", m.CreatedAt.UTC().Format(time.RFC1123Z))
	header("Message-ID", m.ID)
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(strings.ReplaceAll(m.Body, "\n", "\r\n")))
	_ = qp.Close()
	b.WriteString("\r\n")
	return b.Bytes()
}
