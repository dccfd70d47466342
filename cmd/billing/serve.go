package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/openbilling/billing/access"
	"github.com/openbilling/billing/jobs"
	"github.com/openbilling/billing/payments/gateway"
	"github.com/openbilling/billing/portal"
)

// runServe is "billing serve" (§11): the portal and its API, with
// /healthz and /metrics, until SIGTERM or SIGINT; then it finishes the
// requests at hand within shutdown_timeout.
func runServe(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if len(args) != 0 {
		return usageError{errors.New("serve takes no arguments")}
	}
	stopProfiles, err := startProfiles(fs.Lookup("cpuprofile").Value.String(), fs.Lookup("memprofile").Value.String())
	if err != nil {
		return err
	}
	defer stopProfiles()
	p, closeDB, err := a.pipeline(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	db := p.DB
	// A pool of sessions kept open: without idle ones, each request beyond
	// the second would open a new PostgreSQL connection.
	db.LimitConnections(portalConnections)
	files := a.fileEmitter()
	p.Emitter = files
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", a.cfg.Listen, err)
	}
	public := a.cfg.PublicURL
	if public == "" {
		public = "http://" + ln.Addr().String()
	}
	p.Payments.PortalURL = public
	var hosted http.Handler
	var formTargets []string
	if sandbox, ok := p.Payments.Gateway.(*gateway.Sandbox); ok {
		sandbox.PublicURL = public // its hosted pages are served here
		hosted = sandbox.CheckoutHandler()
	} else {
		formTargets = []string{"https://checkout.stripe.com"}
	}
	metrics := jobs.NewMetrics()
	hooks, err := a.webhooks(db, p.Payments)
	if err != nil {
		return err
	}
	s := &portal.Server{DB: db, Payments: p.Payments, Files: files, Pipeline: p, Webhooks: hooks,
		PublicURL: public, BehindProxy: a.cfg.BehindProxy, Log: a.log, Metrics: metrics.Registerer(), Hosted: hosted, FormTargets: formTargets}
	if a.cfg.SMTPAddr != "" {
		s.Mail = a.mailer(db)
	} else {
		a.log.Warn("signin_by_email_disabled", "reason", "smtp_addr is empty: only access tokens sign in")
	}
	h, err := s.Handler(metrics.Handler(db.Ping))
	if err != nil {
		return err
	}
	server := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute,
		MaxHeaderBytes: 64 << 10}
	served := make(chan error, 1)
	go func() { served <- server.Serve(ln) }()
	a.log.Info("portal_ready", "listen", ln.Addr().String(), "public_url", public)
	select {
	case err := <-served:
		return fmt.Errorf("serving the portal: %w", err)
	case <-ctx.Done():
	}
	a.log.Info("portal_stopping", "shutdown_timeout", a.cfg.ShutdownTimeout.String())
	stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.ShutdownTimeout)
	defer cancel()
	if err := server.Shutdown(stop); err != nil {
		return fmt.Errorf("stopping the portal: %w", err)
	}
	a.log.Info("portal_stopped")
	return nil
}

// portalConnections bounds the portal's PostgreSQL sessions: enough to keep
// a few cores of PostgreSQL busy, few enough that several portal processes
// stay under max_connections; requests beyond it wait their turn.
const portalConnections = 16

// runToken is "billing token create|list|revoke" (§11).
func runToken(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	usage := usageError{errors.New("usage: billing token create (--account ID | --role finance|operator) [--label TEXT] | list | revoke ID")}
	if len(args) == 0 {
		return usage
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	account, role, label := fs.Lookup("account").Value.String(), fs.Lookup("role").Value.String(), fs.Lookup("label").Value.String()
	switch {
	case args[0] == "create" && len(args) == 1:
		if account != "" && role == "" {
			role = access.RoleAccount
		}
		if role == "" {
			return usage
		}
		secret, id, err := access.CreateToken(ctx, db, role, account, label)
		if err != nil {
			return err
		}
		a.log.Info("token_created", "token_id", id, "role", role, "account", account)
		fmt.Fprintln(a.stdout, secret) // alone on standard output (§11)
		return nil
	case args[0] == "list" && len(args) == 1:
		list, err := access.Tokens(ctx, db, time.Now())
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tKIND\tROLE\tACCOUNT\tLABEL\tCREATED\tEXPIRES\tSTATE")
		for _, t := range list {
			expires, state := "never", "live"
			if t.ExpiresAt != nil {
				expires = t.ExpiresAt.UTC().Format("2006-01-02 15:04")
			}
			if t.RevokedAt != nil {
				state = "revoked " + t.RevokedAt.UTC().Format("2006-01-02 15:04")
			}
			kind := t.Kind
			if t.ParentID != 0 {
				kind += " of " + strconv.FormatInt(t.ParentID, 10)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, kind, t.Role, t.AccountID, t.Label,
				t.CreatedAt.UTC().Format("2006-01-02 15:04"), expires, state)
		}
		return tw.Flush()
	case args[0] == "revoke" && len(args) == 2:
		id, err := strconv.ParseInt(strings.TrimSpace(args[1]), 10, 64)
		if err != nil {
			return usageError{fmt.Errorf("token id %q is not a number (see billing token list)", args[1])}
		}
		found, err := access.Revoke(ctx, db, id, time.Now())
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("no live token or session %d (see billing token list)", id)
		}
		fmt.Fprintf(a.stdout, "token %d revoked, with the sessions it opened\n", id)
		return nil
	}
	return usage
}
