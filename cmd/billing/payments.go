package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/openbilling/billing/config"
	"github.com/openbilling/billing/mail"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/payments"
	"github.com/openbilling/billing/payments/gateway"
	"github.com/openbilling/billing/pipeline"
	"github.com/openbilling/billing/queue"
	"github.com/openbilling/billing/store"
)

// payments is the payments service over db, through the configured
// gateway (§9.1): the sandbox, or Stripe limited to gateway_concurrency
// calls at once and gateway_rate_limit a second.
func (a *app) payments(db *store.DB) (*payments.Service, error) {
	schedule, err := config.ParseRetrySchedule(a.cfg.RetrySchedule)
	if err != nil {
		return nil, err
	}
	inserter, err := queue.NewInserter(db)
	if err != nil {
		return nil, err
	}
	public := a.cfg.PublicURL
	if public == "" {
		public = "http://" + a.cfg.Listen
	}
	s := &payments.Service{DB: db, RetrySchedule: schedule, Mail: inserter, Events: inserter, Provider: a.cfg.PaymentGateway,
		PortalURL: public, Operators: a.operatorEmails()}
	switch a.cfg.PaymentGateway {
	case "stripe":
		if a.cfg.StripeSecretKey == "" {
			return nil, errors.New("payment_gateway is stripe but stripe_secret_key is not set")
		}
		stripe := gateway.NewStripe(a.cfg.StripeSecretKey, a.cfg.StripeAPIURL, gateway.StripeHTTPClient(a.cfg.GatewayConcurrency))
		stripe.WebhookSecret = a.cfg.StripeWebhookSecret
		s.Gateway = gateway.NewLimited(stripe, a.cfg.GatewayConcurrency, float64(a.cfg.GatewayRateLimit))
		s.Concurrency = a.cfg.GatewayConcurrency
	default:
		s.Gateway = &gateway.Sandbox{DB: db, PublicURL: public}
	}
	return s, nil
}

// withPayments opens the database and runs fn with the payments service.
func (a *app) withPayments(ctx context.Context, fn func(s *payments.Service) error) error {
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := a.payments(db)
	if err != nil {
		return err
	}
	return fn(s)
}

// cardFlags registers the flags of a card's details.
func cardFlags(fs *flag.FlagSet) {
	fs.String("card", "", "card number (handed to the gateway only; never stored or logged)")
	fs.String("exp", "", "card expiry, MM/YY")
	fs.String("cvc", "", "card security code")
	fs.String("name", "", "card holder's name")
}

// cardOf reads the card flags; nil when no --card was given.
func cardOf(fs *flag.FlagSet) (*gateway.Card, error) {
	number := fs.Lookup("card").Value.String()
	if number == "" {
		return nil, nil
	}
	month, year, err := gateway.ParseExpiry(fs.Lookup("exp").Value.String())
	if err != nil {
		return nil, usageError{fmt.Errorf("--exp: %w", err)}
	}
	return &gateway.Card{Number: number, ExpMonth: month, ExpYear: year, CVC: fs.Lookup("cvc").Value.String(), Name: fs.Lookup("name").Value.String()}, nil
}

// runPaymentMethods is "billing payment-methods add|list|remove|default|validate" (§9).
func runPaymentMethods(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	account := fs.Lookup("account").Value.String()
	asJSON := fs.Lookup("json").Value.String() == "true"
	if len(args) != 1 {
		return usageError{errors.New("usage: billing payment-methods add|list|remove|default|validate [--account ID] ...")}
	}
	id, idErr := strconv.ParseInt(fs.Lookup("id").Value.String(), 10, 64)
	return a.withPayments(ctx, func(s *payments.Service) error {
		switch args[0] {
		case "add":
			card, err := cardOf(fs)
			if err != nil {
				return err
			}
			if account == "" || card == nil || strings.TrimSpace(card.Name) == "" {
				return usageError{errors.New("usage: billing payment-methods add --account ID --card N --exp MM/YY --cvc X --name TEXT [--default]")}
			}
			m, err := s.AddCard(ctx, account, *card, fs.Lookup("default").Value.String() == "true", time.Now())
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, m)
			}
			fmt.Fprintf(a.stdout, "card %d: %s ending %s, expires %02d/%d, %s%s\n", m.ID, m.Brand, m.Last4, m.ExpMonth, m.ExpYear, m.Status, defaultMark(m.IsDefault))
			return nil
		case "list":
			methods, err := s.Methods(ctx, account)
			if err != nil {
				return err
			}
			if asJSON {
				if methods == nil {
					methods = []store.PaymentMethod{}
				}
				return writeJSON(a.stdout, methods)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tACCOUNT\tCARD\tEXPIRES\tNAME\tSTATUS\tDEFAULT")
			for _, m := range methods {
				fmt.Fprintf(tw, "%d\t%s\t%s ending %s\t%02d/%d\t%s\t%s%s\t%s\n", m.ID, m.AccountID, m.Brand, m.Last4, m.ExpMonth, m.ExpYear,
					m.HolderName, m.Status, payments.Because(m.StatusReason), yes(m.IsDefault))
			}
			return tw.Flush()
		case "remove", "default":
			if account == "" || idErr != nil {
				return usageError{fmt.Errorf("usage: billing payment-methods %s --account ID --id N", args[0])}
			}
			if args[0] == "remove" {
				if err := s.RemoveCard(ctx, account, id); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "card %d removed from account %s\n", id, account)
				return nil
			}
			if err := s.SetDefault(ctx, account, id); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "card %d is account %s's default\n", id, account)
			return nil
		case "validate":
			changes, err := s.Validate(ctx, account, time.Now())
			if err != nil {
				return err
			}
			for _, c := range changes {
				fmt.Fprintf(a.stdout, "card %d of account %s (%s ending %s): %s -> %s%s\n", c.ID, c.AccountID, c.Brand, c.Last4, c.From, c.Status, payments.Because(c.StatusReason))
			}
			fmt.Fprintf(a.stdout, "%d cards changed status\n", len(changes))
			return nil
		}
		return usageError{fmt.Errorf("unknown payment-methods action %q (add, list, remove, default or validate)", args[0])}
	})
}

func defaultMark(d bool) string {
	if d {
		return ", default"
	}
	return ""
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

// runPay is "billing pay" (§9 "One-time payment").
func runPay(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	usage := usageError{errors.New("usage: billing pay --account ID --currency C (--amount A | --all) (--card N --exp MM/YY --cvc X | --paypal EMAIL) [--idempotency-key K]")}
	account, amountText := fs.Lookup("account").Value.String(), fs.Lookup("amount").Value.String()
	all := fs.Lookup("all").Value.String() == "true"
	if len(args) != 0 || account == "" || (amountText == "") == !all {
		return usage
	}
	currency, err := money.ParseCurrency(fs.Lookup("currency").Value.String())
	if err != nil {
		return usageError{fmt.Errorf("--currency: %w", err)}
	}
	req := payments.PayRequest{AccountID: account, Currency: currency, All: all, PayPal: fs.Lookup("paypal").Value.String(),
		IdempotencyKey: fs.Lookup("idempotency-key").Value.String(), AsOf: time.Now()}
	if !all {
		if req.Amount, err = money.ParseDecimal(amountText, false); err != nil {
			return usageError{fmt.Errorf("--amount %q: %w", amountText, err)}
		}
	}
	if req.Card, err = cardOf(fs); err != nil {
		return err
	}
	return a.withPayments(ctx, func(s *payments.Service) error {
		res, err := s.Pay(ctx, req)
		if err != nil {
			return err
		}
		if fs.Lookup("json").Value.String() == "true" {
			return writeJSON(a.stdout, res)
		}
		amount := money.Format(res.Amount, money.Currency(res.Currency))
		switch res.Status {
		case "succeeded":
			fmt.Fprintf(a.stdout, "payment %s: %s %s by %s succeeded (idempotency key %s)%s\n", res.PaymentID, amount, res.Currency, res.Method, res.Key, replayed(res.Replayed))
			return nil
		case "declined":
			return fmt.Errorf("payment of %s %s by %s declined: %s (idempotency key %s)%s", amount, res.Currency, res.Method, res.DeclineCode, res.Key, replayed(res.Replayed))
		default:
			return fmt.Errorf("payment of %s %s by %s: the gateway has not answered; it is asked again by the next run, or run the same command with --idempotency-key %s", amount, res.Currency, res.Method, res.Key)
		}
	})
}

func replayed(r bool) string {
	if r {
		return " [replayed: this key was used before]"
	}
	return ""
}

// runPayments is "billing payments" (§9).
func runPayments(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if len(args) != 0 {
		return usageError{errors.New("usage: billing payments [--account ID] [--json]")}
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := store.Payments(ctx, db, fs.Lookup("account").Value.String())
	if err != nil {
		return fmt.Errorf("reading payments: %w", err)
	}
	if fs.Lookup("json").Value.String() == "true" {
		type payment struct {
			ID        string    `json:"payment_id"`
			AccountID string    `json:"account_id"`
			Currency  string    `json:"currency"`
			Amount    string    `json:"amount"`
			Method    string    `json:"method"`
			Label     string    `json:"method_label"`
			Reference string    `json:"gateway_reference"`
			PaidAt    time.Time `json:"paid_at"`
			Paid      string    `json:"paid_invoices"`
			Disputed  string    `json:"disputed"`
			Disputes  string    `json:"disputes"` // "ID STATUS AMOUNT, ..."
		}
		out := []payment{}
		for _, p := range list {
			c := money.Currency(p.Currency)
			out = append(out, payment{p.PaymentID, p.AccountID, p.Currency, money.Format(p.Amount, c), p.Method, p.MethodLabel,
				p.GatewayReference, p.PaidAt.UTC(), p.PaidInvoices, money.Format(p.Disputed, c), p.Disputes})
		}
		return writeJSON(a.stdout, out)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PAYMENT\tACCOUNT\tPAID AT\tAMOUNT\tCURRENCY\tMETHOD\tPAID INVOICES\tDISPUTES")
	for _, p := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.PaymentID, p.AccountID, p.PaidAt.UTC().Format("2006-01-02 15:04"),
			money.Format(p.Amount, money.Currency(p.Currency)), p.Currency, p.MethodLabel, p.PaidInvoices, p.Disputes)
	}
	return tw.Flush()
}

// runCredit is "billing credit" (§9).
func runCredit(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	account, amountText, reason := fs.Lookup("account").Value.String(), fs.Lookup("amount").Value.String(), fs.Lookup("reason").Value.String()
	if len(args) != 0 || account == "" || amountText == "" || reason == "" {
		return usageError{errors.New("usage: billing credit --account ID --currency C --amount A --reason TEXT")}
	}
	currency, err := money.ParseCurrency(fs.Lookup("currency").Value.String())
	if err != nil {
		return usageError{fmt.Errorf("--currency: %w", err)}
	}
	amount, err := money.ParseDecimal(amountText, false)
	if err != nil {
		return usageError{fmt.Errorf("--amount %q: %w", amountText, err)}
	}
	asOf, err := parseAsOf(fs.Lookup("as-of").Value.String())
	if err != nil {
		return err
	}
	p, closeDB, err := a.pipeline(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	out, err := p.Credit(ctx, pipeline.CreditRequest{AccountID: account, Currency: currency, Amount: amount, Reason: reason, AsOf: asOf})
	if errors.Is(err, store.ErrNoAccount) {
		return fmt.Errorf("no account %s", account)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "credit %s: %s %s to account %s (%d files written)\n", out.Number, money.Format(out.Total.Neg(), out.Currency), out.Currency, account, out.Files)
	return nil
}

// lineList is the repeatable --line flag.
type lineList []int

func (l *lineList) String() string { return fmt.Sprint([]int(*l)) }

func (l *lineList) Set(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return fmt.Errorf("%q is not a line number (1, 2, ...)", v)
	}
	*l = append(*l, n)
	return nil
}

// runRefund is "billing refund" (§9).
func runRefund(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	usage := usageError{errors.New("usage: billing refund --invoice NUMBER (--all | --line N... | --amount A) --reason TEXT")}
	number, amountText, reason := fs.Lookup("invoice").Value.String(), fs.Lookup("amount").Value.String(), fs.Lookup("reason").Value.String()
	all := fs.Lookup("all").Value.String() == "true"
	lines := *fs.Lookup("line").Value.(*lineList)
	ways := 0
	for _, given := range []bool{all, len(lines) > 0, amountText != ""} {
		if given {
			ways++
		}
	}
	if len(args) != 0 || number == "" || reason == "" || ways != 1 {
		return usage
	}
	asOf, err := parseAsOf(fs.Lookup("as-of").Value.String())
	if err != nil {
		return err
	}
	req := pipeline.RefundRequest{Invoice: number, All: all, Lines: lines, Reason: reason, AsOf: asOf}
	if amountText != "" {
		if req.Amount, err = money.ParseDecimal(amountText, false); err != nil {
			return usageError{fmt.Errorf("--amount %q: %w", amountText, err)}
		}
	}
	p, closeDB, err := a.pipeline(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	out, err := p.Refund(ctx, req)
	if out != nil {
		fmt.Fprintf(a.stdout, "refund %s of invoice %s: %s %s (%d files written)\n", out.Number, number, money.Format(out.Total.Neg(), out.Currency), out.Currency, out.Files)
		for _, b := range out.PaidBack {
			fmt.Fprintf(a.stdout, "  paid back to the %s (payment %s): %s %s, %s%s\n", b.MethodLabel, b.PaymentID, money.Format(b.Amount, out.Currency), out.Currency, b.Status, payments.Because(b.DeclineCode))
		}
	}
	return err
}

// mailer is the outbox's sender through the configured SMTP server.
func (a *app) mailer(db *store.DB) *mail.Sender {
	return &mail.Sender{DB: db, Addr: a.cfg.SMTPAddr, From: a.cfg.SMTPFrom, Username: a.cfg.SMTPUsername, Password: a.cfg.SMTPPassword, Log: a.log}
}

// runOutbox is "billing outbox list|send": the e-mails waiting or sent (§9).
func runOutbox(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 || (args[0] != "list" && args[0] != "send") {
		return usageError{errors.New("usage: billing outbox list|send")}
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if args[0] == "send" {
		if a.cfg.SMTPAddr == "" {
			return errors.New("no mail server: set smtp_addr (BILLING_SMTP_ADDR or --smtp-addr)")
		}
		r, err := a.mailer(db).Send(ctx, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%d e-mails sent, %d refused (tried again later)\n", r.Sent, r.Failed)
		return nil
	}
	list, err := store.Outbox(ctx, db, 100)
	if err != nil {
		return fmt.Errorf("reading the outbox: %w", err)
	}
	if fs.Lookup("json").Value.String() == "true" {
		if list == nil {
			list = []store.OutboxMessage{}
		}
		return writeJSON(a.stdout, list)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CREATED\tTO\tSUBJECT\tSTATUS")
	for _, m := range list {
		status := fmt.Sprintf("waiting (%d attempts)%s", m.Attempts, payments.Because(m.LastError))
		if m.SentAt != nil {
			status = "sent " + m.SentAt.UTC().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.CreatedAt.UTC().Format("2006-01-02 15:04"), m.To, m.Subject, status)
	}
	return tw.Flush()
}
