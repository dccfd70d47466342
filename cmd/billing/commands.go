package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/openbilling/billing/config"
	"github.com/openbilling/billing/store"
)

// command is one subcommand of billing.
type command struct {
	name, args, summary string
	run                 func(ctx context.Context, app *app, fs *flag.FlagSet, args []string) error
	flags               func(fs *flag.FlagSet) // registers the command's own flags
}

var commands []*command // filled in init to avoid an initialisation cycle with help

func init() {
	commands = []*command{
		{name: "migrate", summary: "create or upgrade the database schema", run: runMigrate},
		{name: "import", args: "KIND FILE.csv", summary: "import a CSV file; KIND: accounts customers products prices tax-rates late-fees orders usage", run: runImport},
		{name: "run", summary: "run the pipeline as of an instant: extract, rate, close due windows, emit files, collect", run: runRun,
			flags: func(fs *flag.FlagSet) {
				asOfFlag(fs)
				fs.String("stage", "all", "all, or any of extract, rate, close, emit, collect, dunning separated by commas")
				profileFlags(fs)
			}},
		{name: "rerun", args: "--account ID --window YYYY-MM-DD", summary: "recompute a closed window and issue an adjustment invoice for the difference", run: runRerun,
			flags: func(fs *flag.FlagSet) {
				fs.String("account", "", "account id")
				fs.String("window", "", "the closed window's first day, YYYY-MM-DD")
				fs.String("billing", "", "anniversary or calendar (needed when both closed on that day)")
				fs.String("currency", "", "only this invoice currency")
				asOfFlag(fs)
				fs.Bool("dry-run", false, "print the difference, issue nothing")
			}},
		{name: "invoices", summary: "list invoices, oldest first", run: runInvoices,
			flags: func(fs *flag.FlagSet) {
				fs.String("account", "", "only this account's")
				fs.Bool("json", false, "print the JSON contract")
			}},
		{name: "invoice", args: "NUMBER", summary: "show one invoice with its lines and files", run: runInvoice,
			flags: func(fs *flag.FlagSet) { fs.Bool("json", false, "print the JSON contract") }},
		{name: "runs", summary: "list the run history, newest first", run: runRuns,
			flags: func(fs *flag.FlagSet) { fs.Bool("json", false, "print JSON") }},
		{name: "summary", summary: "an account's balance, estimated next balance and invoice dates", run: runSummary,
			flags: func(fs *flag.FlagSet) {
				fs.String("account", "", "account id")
				asOfFlag(fs)
				fs.Bool("json", false, "print JSON")
			}},
		{name: "payment-methods", args: "add|list|remove|default|validate", summary: "cards on file: add (tokenized by the gateway), list, remove, make default, validate", run: runPaymentMethods,
			flags: func(fs *flag.FlagSet) {
				fs.String("account", "", "account id (list and validate: all accounts when empty)")
				cardFlags(fs)
				fs.Bool("default", false, "add: make the new card the account's default")
				fs.String("id", "", "remove, default: the card's id (see list)")
				fs.Bool("json", false, "print JSON")
			}},
		{name: "pay", args: "--account ID --currency C (--amount A | --all) (--card N ... | --paypal EMAIL)", summary: "a one-time payment of the balance or part of it, by card or PayPal", run: runPay,
			flags: func(fs *flag.FlagSet) {
				fs.String("account", "", "account id")
				fs.String("currency", "", "the balance's currency")
				fs.String("amount", "", "the amount to pay, in whole minor units of the currency")
				fs.Bool("all", false, "pay the whole balance in the currency")
				cardFlags(fs)
				fs.String("paypal", "", "pay by PayPal from this e-mail address")
				fs.String("idempotency-key", "", "the same key replays the first payment's result instead of paying again")
				fs.Bool("json", false, "print JSON")
			}},
		{name: "payments", summary: "list payments received, newest first, with the invoices each paid", run: runPayments,
			flags: func(fs *flag.FlagSet) {
				fs.String("account", "", "only this account's")
				fs.Bool("json", false, "print JSON")
			}},
		{name: "credit", args: "--account ID --currency C --amount A --reason TEXT", summary: "grant a credit to an account's balance: a credit invoice with its files", run: runCredit,
			flags: func(fs *flag.FlagSet) {
				fs.String("account", "", "account id")
				fs.String("currency", "", "the credit's currency")
				fs.String("amount", "", "the credit, positive, in whole minor units")
				fs.String("reason", "", "why (shown on the credit invoice)")
				asOfFlag(fs)
			}},
		{name: "refund", args: "--invoice NUMBER (--all | --line N... | --amount A) --reason TEXT", summary: "reverse charges of an invoice: a refund invoice; what a card paid goes back to it", run: runRefund,
			flags: func(fs *flag.FlagSet) {
				fs.String("invoice", "", "the invoice to refund")
				fs.Bool("all", false, "refund every charge line not refunded yet")
				fs.Var(&lineList{}, "line", "refund this line (1 is the first, as in billing invoice); repeat for more")
				fs.String("amount", "", "refund this amount, in whole minor units")
				fs.String("reason", "", "why (shown on the refund invoice)")
				asOfFlag(fs)
			}},
		{name: "outbox", args: "list|send", summary: "the e-mails written for account holders: list them, or send those due now", run: runOutbox,
			flags: func(fs *flag.FlagSet) { fs.Bool("json", false, "print JSON") }},
		{name: "account", args: "set-billing-day --account ID --day D | set-payment-terms --account ID --days N | set-locale --account ID --locale en|ko",
			summary: "change an account's billing day after its last closed window, its payment terms for invoices issued from now on, or its language", run: runAccount,
			flags: func(fs *flag.FlagSet) {
				fs.String("account", "", "account id")
				fs.String("day", "", "set-billing-day: the new billing day, 1 to 31")
				fs.String("days", "", "set-payment-terms: days from an invoice's issue date to its due date, 0 to 120")
				fs.String("locale", "", "set-locale: en or ko, for the account's e-mails, documents and pages")
			}},
		{name: "verify", summary: "check the guarantees of §12 on the database and the files; exit 1 on any breach", run: runVerify,
			flags: func(fs *flag.FlagSet) {
				fs.String("files", "quick", "quick: each file's presence and size; full: read every file and compare its SHA-256")
				fs.Bool("json", false, "print JSON")
			}},
		{name: "serve", summary: "the portal and its API (§11): invoices, files, balances, payments and cards, on --listen", run: runServe,
			flags: profileFlags},
		{name: "token", args: "create|list|revoke", summary: "portal and API access tokens: create (shown once), list, revoke (with its sessions)", run: runToken,
			flags: func(fs *flag.FlagSet) {
				fs.String("account", "", "create: a token of this account's holder")
				fs.String("role", "", "create: a staff token, finance or operator")
				fs.String("label", "", "create: who or what the token is for")
			}},
		{name: "webhooks", args: "add|list|remove|enable|rotate-secret|test|replay|deliveries",
			summary: "webhook endpoints (§14): add one (its secret shown once), list, remove, enable a disabled one, rotate its secret, test, replay events, list deliveries",
			run:     runWebhooks,
			flags: func(fs *flag.FlagSet) {
				fs.String("url", "", "add: the endpoint's https:// address")
				fs.String("events", "", "add: the event types it takes, separated by commas (default all)")
				fs.String("account", "", "add: only this account's events")
				fs.String("description", "", "add: what the endpoint is for")
				fs.String("event", "", "replay: the id of the event to send again")
				fs.String("since", "", "replay: send again every event it takes since this RFC 3339 instant")
				fs.Bool("failed", false, "deliveries: only the failed ones")
				fs.Bool("json", false, "print JSON")
			}},
		{name: "events", summary: "the events of §14, oldest first, after a cursor", run: runEvents,
			flags: func(fs *flag.FlagSet) {
				fs.String("account", "", "only this account's events")
				fs.String("type", "", "only events of this type")
				fs.String("after", "", "only events after this one (its id)")
				fs.String("limit", "100", "at most this many events (1 to 1000)")
				fs.Bool("json", false, "print JSON")
			}},
		{name: "schedule", summary: "the daemon: the nightly and close jobs on their cron schedules (UTC), and the job queue of e-mail, payments and webhooks", run: runSchedule},
		{name: "worker", summary: "work the units of any run's work (rating, closing, files, charges) and send webhooks until stopped; start any number, on any host", run: runWorker},
		{name: "generate", summary: "write a deterministic synthetic month (or months) of CSV files, for load tests and demos", run: runGenerate,
			flags: func(fs *flag.FlagSet) {
				fs.String("scale", "1", "1 is 10,000 accounts, 1,000,000 subscriptions and 10,000,000 usage events")
				fs.String("months", "1", "consecutive months: each later month M adds orders-M.csv and usage-M.csv")
				fs.String("seed", "1", "the random seed: the same scale and seed give the same files")
				fs.String("out", "", "the folder to write into")
			}},
		{name: "config", args: "check", summary: "validate and print the effective configuration, secrets masked", run: runConfig},
		{name: "help", summary: "show this help", run: func(_ context.Context, app *app, _ *flag.FlagSet, _ []string) error {
			printUsage(app.stdout)
			return nil
		}},
	}
}

// usageError is a mistake on the command line (exit status 2).
type usageError struct{ error }

// errReported is returned when the details were already printed on stderr.
var errReported = errors.New("reported")

// app is what a command needs: the configuration, the logger and the output.
type app struct {
	cfg            config.Loaded
	log            *slog.Logger
	stdout, stderr io.Writer
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		printUsage(stdout)
		return nil
	}
	var cmd *command
	for _, c := range commands {
		if c.name == args[0] {
			cmd = c
		}
	}
	if cmd == nil {
		return usageError{fmt.Errorf("unknown command %q (run 'billing help')", args[0])}
	}
	// The command's own flags, then those every command shares: --help
	// lists them apart.
	own := flag.NewFlagSet("billing "+cmd.name, flag.ContinueOnError)
	if cmd.flags != nil {
		cmd.flags(own)
	}
	shared := flag.NewFlagSet("billing", flag.ContinueOnError)
	configFile := shared.String("config", "", "YAML config file (or "+config.EnvConfigFile+")")
	for _, s := range config.Settings {
		shared.String(s.Flag, "", s.Help+" (or "+s.Env+")")
	}
	fs := flag.NewFlagSet("billing "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, set := range []*flag.FlagSet{own, shared} {
		set.SetOutput(stderr)
		set.VisitAll(func(f *flag.Flag) { fs.Var(f.Value, f.Name, f.Usage) })
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: billing %s [flags] %s\n  %s\n", cmd.name, cmd.args, cmd.summary)
		if cmd.flags != nil {
			fmt.Fprintf(stderr, "\nflags of %s:\n", cmd.name)
			own.PrintDefaults()
		}
		fmt.Fprintln(stderr, "\nflags of every command (each also read from its environment variable or the config file):")
		shared.PrintDefaults()
	}
	positional, err := parseInterspersed(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return usageError{err}
	}
	set := map[string]string{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = f.Value.String() })
	cfg, err := config.Load(*configFile, os.Getenv, set)
	if err != nil {
		return err
	}
	a := &app{cfg: cfg, stdout: stdout, stderr: stderr}
	if cmd.name != "config" { // config check reports an invalid configuration itself
		if err := cfg.Validate(); err != nil {
			return err
		}
	}
	a.log = newLogger(stderr, cfg.Config)
	return cmd.run(ctx, a, fs, positional)
}

// parseInterspersed parses flags wherever they stand among the arguments
// ("import usage f.csv --database-url X" as well as flags first); "--" ends flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func newLogger(w io.Writer, cfg config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated by Config.Validate
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openDB connects to the configured database.
func (a *app) openDB(ctx context.Context) (*store.DB, error) {
	return store.Open(ctx, a.cfg.DatabaseURL)
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `billing: a scheduled batch billing pipeline on PostgreSQL.

usage: billing COMMAND [flags] [arguments]

commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-28s %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	fmt.Fprint(w, `
flags of every command (each also read from its environment variable or the config file):
  --config FILE          YAML config file (or BILLING_CONFIG)
`)
	for _, s := range config.Settings {
		fmt.Fprintf(w, "  --%-20s %s (%s)\n", s.Flag+" V", s.Help, s.Env)
	}
	fmt.Fprint(w, `
Precedence: flag > environment > config file > default.
Exit status: 0 on success; 1 on failure, with the error on stderr; 2 for a usage mistake.
Run 'billing COMMAND --help' for a command's own flags.
`)
}

func runMigrate(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if len(args) != 0 {
		return usageError{fmt.Errorf("migrate takes no arguments")}
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := store.Migrate(ctx, db)
	if err != nil {
		return err
	}
	if len(res.Applied) == 0 {
		fmt.Fprintf(a.stdout, "schema is current (version %d)\n", res.Version)
	} else {
		fmt.Fprintf(a.stdout, "schema migrated to version %d (applied %s)\n", res.Version, joinVersions(res.Applied))
	}
	// The sandbox gateway's books and the job queue's own tables (River's
	// migrations), when any changed.
	if len(res.Sandbox) > 0 {
		fmt.Fprintf(a.stdout, "sandbox gateway's books migrated to version %d (applied %s)\n", res.SandboxVersion, joinVersions(res.Sandbox))
	}
	for _, q := range res.Queue {
		fmt.Fprintf(a.stdout, "job queue (%s) migrated to River version %d (applied %s)\n", q.Schema, slices.Max(q.Applied), joinVersions(q.Applied))
	}
	return nil
}

// joinVersions lists migration versions as "1, 2, 3".
func joinVersions[V int | int64](versions []V) string {
	s := make([]string, len(versions))
	for i, v := range versions {
		s[i] = strconv.FormatInt(int64(v), 10)
	}
	return strings.Join(s, ", ")
}

func runConfig(_ context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if len(args) != 1 || args[0] != "check" {
		return usageError{fmt.Errorf("usage: billing config check")}
	}
	file := a.cfg.File
	if file == "" {
		file = "(none)"
	}
	fmt.Fprintf(a.stdout, "config file: %s\n", file)
	for _, s := range config.Settings {
		v := a.cfg.Value(s.Key)
		if v == "" {
			v = "(not set)"
		}
		fmt.Fprintf(a.stdout, "%-17s %-50s (%s)\n", s.Key, v, a.cfg.Sources[s.Key])
	}
	if err := a.cfg.Validate(); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "configuration is valid")
	return nil
}
