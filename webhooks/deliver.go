package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/openbilling/billing/events"
	"github.com/openbilling/billing/store"
)

// RetrySchedule is how long after each failed attempt the next is made
// (§14): seven retries, eight attempts in all.
var RetrySchedule = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour,
	5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// MaxAttempts is the attempts a delivery gets before it is recorded failed.
var MaxAttempts = len(RetrySchedule) + 1

// NextRetry is when the attempt after failed attempt number n (1 is the
// first) is made, from now: the schedule's wait with up to 10% jitter.
func NextRetry(n int, now time.Time) time.Time {
	wait := RetrySchedule[min(max(n, 1), len(RetrySchedule))-1]
	return now.Add(wait + time.Duration(rand.Int64N(int64(wait)/10+1)))
}

// FailingLimit is how long an endpoint may fail every attempt before it is
// disabled (§14).
const FailingLimit = 5 * 24 * time.Hour

// The outcomes of an attempt, as the metrics count them.
const (
	OutcomeDelivered = "delivered"
	OutcomeRetried   = "retried"
	OutcomeFailed    = "failed"
	OutcomeGone      = "gone" // 410: the endpoint disabled
)

// Result is what became of one attempt.
type Result struct {
	Outcome string
	Retry   bool // the delivery is to be tried again, at NextRetry
}

// Deliver makes attempt number attempt (1 is the first) of a delivery, and
// records it: the delivery delivered, pending a retry, or failed. A
// delivery already finished, or whose endpoint is removed, or disabled
// (but for a test, so that a receiver can be checked before its endpoint
// is enabled again), is not attempted.
func (s *Service) Deliver(ctx context.Context, id int64, attempt int) (Result, error) {
	d, found, err := store.GetWebhookDelivery(ctx, s.DB, id)
	switch {
	case err != nil:
		return Result{}, fmt.Errorf("reading delivery %d: %w", id, err)
	case !found || d.Status != "pending":
		return Result{Outcome: d.Status}, nil
	case d.EndpointGone:
		return Result{Outcome: OutcomeFailed}, store.FailWebhookDelivery(ctx, s.DB, id, "the endpoint is removed", s.now())
	case d.EndpointStatus != "enabled" && d.Reason != "test":
		return Result{Outcome: OutcomeFailed}, store.FailWebhookDelivery(ctx, s.DB, id, "the endpoint is disabled", s.now())
	}
	eventID, body, err := payload(d)
	if err != nil {
		return Result{}, err
	}
	now := s.now()
	secrets, err := store.WebhookSecrets(ctx, s.DB, d.EndpointID, now)
	if err != nil {
		return Result{}, fmt.Errorf("reading the secrets of %s: %w", d.EndpointID, err)
	}
	a := s.attempt(ctx, d.URL, eventID, body, secrets, now)
	res := s.judge(a, attempt)
	if s.Observe != nil {
		s.Observe(res.Outcome, a.Duration)
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		return s.record(ctx, tx, d, a, res)
	})
	if err != nil {
		return Result{}, fmt.Errorf("recording attempt %d of delivery %d: %w", attempt, id, err)
	}
	return res, nil
}

// payload is the event a delivery sends, as JSON.
func payload(d store.WebhookDelivery) (string, []byte, error) {
	if d.Reason == "test" {
		var e events.Event
		if err := json.Unmarshal(d.TestEvent, &e); err != nil {
			return "", nil, fmt.Errorf("reading the test event of delivery %d: %w", d.ID, err)
		}
		return e.ID, d.TestEvent, nil
	}
	e, err := events.Render(d.Event)
	if err != nil {
		return "", nil, err
	}
	body, err := json.Marshal(e)
	return e.ID, body, err
}

// attempt posts the event once and reads at most readLimit of the answer.
func (s *Service) attempt(ctx context.Context, endpoint, eventID string, body []byte, secrets []string, now time.Time) store.WebhookAttempt {
	a := store.WebhookAttempt{At: now}
	timestamp := now.Unix()
	signature, err := Signatures(secrets, eventID, timestamp, body)
	if err != nil {
		a.Error = err.Error()
		return a
	}
	ctx, cancel := context.WithTimeout(ctx, AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		a.Error = "the endpoint's URL cannot be requested"
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "billing-webhooks/1")
	req.Header.Set("webhook-id", eventID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(timestamp, 10))
	req.Header.Set("webhook-signature", signature)
	start := time.Now()
	resp, err := s.Client.Do(req)
	if err != nil {
		a.Duration = time.Since(start)
		a.Error = errorText(err)
		return a
	}
	answer, err := io.ReadAll(io.LimitReader(resp.Body, readLimit))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, readLimit)) // lets the connection be reused
	resp.Body.Close()
	a.Duration = time.Since(start)
	a.StatusCode = resp.StatusCode
	if err != nil {
		a.Error = "reading the answer: " + errorText(err)
	}
	a.Response = keep(answer)
	return a
}

// keep is the part of an answer kept: at most keepLimit bytes, cut on a
// character's boundary, valid UTF-8.
func keep(answer []byte) string {
	if len(answer) > keepLimit {
		answer = answer[:keepLimit]
		for len(answer) > 0 && !utf8.Valid(answer) {
			answer = answer[:len(answer)-1]
		}
	}
	return string(bytes.ToValidUTF8(answer, []byte("?")))
}

// judge is what an attempt means for its delivery (§14): a 2xx within the
// timeout is accepted; a 410 disables the endpoint; anything else is
// retried, until the attempts are spent.
func (s *Service) judge(a store.WebhookAttempt, attempt int) Result {
	switch {
	case a.StatusCode >= 200 && a.StatusCode < 300 && a.Error == "":
		return Result{Outcome: OutcomeDelivered}
	case a.StatusCode == http.StatusGone:
		return Result{Outcome: OutcomeGone}
	case attempt >= MaxAttempts:
		return Result{Outcome: OutcomeFailed}
	}
	return Result{Outcome: OutcomeRetried, Retry: true}
}

// record writes an attempt and what it did to the delivery and endpoint:
// a success ends the endpoint's failing; a 410, or five days of failing,
// disables it and tells the operators.
func (s *Service) record(ctx context.Context, tx *store.Tx, d store.WebhookDelivery, a store.WebhookAttempt, res Result) error {
	status, reason := "pending", a.Error
	if reason == "" && res.Outcome != OutcomeDelivered {
		reason = fmt.Sprintf("answered %d", a.StatusCode)
	}
	switch res.Outcome {
	case OutcomeDelivered:
		status, reason = "delivered", ""
		if err := store.WebhookSucceeded(ctx, tx, d.EndpointID); err != nil {
			return err
		}
	case OutcomeGone:
		status = "failed"
		if err := s.disable(ctx, tx, d, "the endpoint answered 410 Gone"); err != nil {
			return err
		}
	default:
		if res.Outcome == OutcomeFailed {
			status = "failed"
		}
		since, err := store.WebhookFailed(ctx, tx, d.EndpointID, a.At)
		if err != nil {
			return err
		}
		if a.At.Sub(since) >= FailingLimit {
			status = "failed"
			why := fmt.Sprintf("no attempt succeeded since %s", since.UTC().Format(time.RFC3339))
			if err := s.disable(ctx, tx, d, why); err != nil {
				return err
			}
		}
	}
	return store.RecordWebhookAttempt(ctx, tx, d.ID, a, status, reason)
}

// disable disables the delivery's endpoint and tells the operators, once.
func (s *Service) disable(ctx context.Context, tx *store.Tx, d store.WebhookDelivery, why string) error {
	disabled, err := store.DisableWebhookEndpoint(ctx, tx, d.EndpointID, why)
	if err != nil || !disabled || s.Notify == nil {
		return err
	}
	subject := fmt.Sprintf("Webhook endpoint %s disabled", d.EndpointID)
	body := fmt.Sprintf("The webhook endpoint %s (%s) was disabled: %s.\n\nIts events are kept. Once the receiver is fixed, "+
		"enable it again with billing webhooks enable %s: it is sent at once the events it missed. "+
		"Deliveries that failed after their attempts are listed by billing webhooks deliveries %s --failed; "+
		"billing webhooks replay sends them again.",
		d.EndpointID, d.URL, why, d.EndpointID, d.EndpointID)
	return s.Notify(ctx, tx, fmt.Sprintf("webhook-disabled-%s-%d", d.EndpointID, s.now().Unix()), subject, body)
}
