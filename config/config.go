// Package config loads the billing configuration. Each setting comes from, in
// order of precedence: a command-line flag, an environment variable, the YAML
// config file (--config or BILLING_CONFIG), or its default.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the effective configuration of one billing process.
type Config struct {
	DatabaseURL string `yaml:"database_url"`
	OutputDir   string `yaml:"output_dir"`
	Issuer      string `yaml:"invoice_issuer"` // the name at the top of PDF invoices
	PDFInvoices string `yaml:"pdf_invoices"`   // emit: the emit stage writes every PDF; on-demand: at its first download
	GraceDays   int    `yaml:"grace_days"`     // days to wait after a closing date before closing (§3)
	LogLevel    string `yaml:"log_level"`      // debug, info, warn, error
	LogFormat   string `yaml:"log_format"`     // text, json

	// Payments (§9).
	RetrySchedule string `yaml:"retry_schedule"` // days after the first attempt a soft-declined auto-charge is retried: "3d,5d,7d"

	// Payment providers (§9.1).
	PaymentGateway      string `yaml:"payment_gateway"`       // sandbox or stripe
	StripeSecretKey     string `yaml:"stripe_secret_key"`     // masked whenever printed
	StripeWebhookSecret string `yaml:"stripe_webhook_secret"` // verifies POST /webhooks/stripe
	StripeAPIURL        string `yaml:"stripe_api_url"`        // empty: Stripe's own
	GatewayConcurrency  int    `yaml:"gateway_concurrency"`   // calls in flight to a real provider
	GatewayRateLimit    int    `yaml:"gateway_rate_limit"`    // requests per second to a real provider

	// Due dates and reminders (§13).
	PaymentTermsDays int `yaml:"payment_terms_days"` // days from issue to due date, for an account without terms of its own
	DueReminderDays  int `yaml:"due_reminder_days"`  // days before the due date of the invoice_due_soon e-mail; -1 (off) sends none

	// E-mail (§9 "Notifications").
	SMTPAddr     string `yaml:"smtp_addr"` // host:port of the mail server; empty keeps e-mails in the outbox
	SMTPFrom     string `yaml:"smtp_from"`
	SMTPUsername string `yaml:"smtp_username"`
	SMTPPassword string `yaml:"smtp_password"`

	// The daemon (billing schedule).
	ScheduleNightly string        `yaml:"schedule_nightly"` // cron expression of the nightly job, UTC; empty disables it
	ScheduleClose   string        `yaml:"schedule_close"`   // cron expression of the close job, UTC; empty disables it
	MetricsAddr     string        `yaml:"metrics_addr"`     // host:port of /healthz and /metrics; empty disables them
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"` // how long a stopping daemon lets the work at hand finish

	// Scale-out: the units of a run's work (billing worker, docs/SCALING.md).
	UnitWorkers  int           `yaml:"unit_workers"`  // units this process works at once
	UnitPatience time.Duration `yaml:"unit_patience"` // how long a run waits for a unit before doing it itself

	// The portal (billing serve, §11).
	Listen      string `yaml:"listen"`       // host:port the portal listens on
	PublicURL   string `yaml:"public_url"`   // the address users reach it at; sign-in links point there
	BehindProxy bool   `yaml:"behind_proxy"` // trust the last X-Forwarded-For address as the client's

	// Webhooks (§14).
	OperatorEmail       string `yaml:"operator_email"`        // told when an endpoint is disabled; commas between addresses
	WebhookAllowHTTP    bool   `yaml:"webhook_allow_http"`    // endpoints may be http://
	WebhookAllowPrivate bool   `yaml:"webhook_allow_private"` // deliveries may go to private addresses
	WebhookWorkers      int    `yaml:"webhook_workers"`       // deliveries this process attempts at once
}

// Default is the configuration before any file, variable or flag: each
// setting's default.
func Default() Config {
	var c Config
	for _, s := range Settings {
		if err := s.parse(&c, s.Default); err != nil {
			panic("config: the default of " + s.Key + ": " + err.Error()) // a programming error, caught by the tests
		}
	}
	return c
}

// Setting describes one configurable value, once: its key, variable, flag,
// default, help, how its text is read and written back, and how it is
// checked.
type Setting struct {
	Key     string // the YAML key
	Env     string // the environment variable
	Flag    string // the command-line flag
	Default string // as text, as it would be written in the file
	Secret  bool   // masked whenever printed
	Help    string
	parse   func(c *Config, v string) error
	format  func(c Config) string
	check   func(c Config) string // the problem with the value, or ""
}

func boolSetting(key, env, flag, help string, field func(*Config) *bool) Setting {
	return Setting{Key: key, Env: env, Flag: flag, Default: "false", Help: help,
		parse: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%q is not true or false", v)
			}
			*field(c) = b
			return nil
		},
		format: func(c Config) string { return strconv.FormatBool(*field(&c)) },
		check:  func(Config) string { return "" }}
}

// intSetting is a whole number from lo to hi.
func intSetting(key, env, flag, def, help string, field func(*Config) *int, lo, hi int) Setting {
	return Setting{Key: key, Env: env, Flag: flag, Default: def, Help: help,
		parse: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%q is not a whole number", v)
			}
			*field(c) = n
			return nil
		},
		format: func(c Config) string { return strconv.Itoa(*field(&c)) },
		check: func(c Config) string {
			if n := *field(&c); n < lo || n > hi {
				return fmt.Sprintf("%s %d is outside %d..%d", key, n, lo, hi)
			}
			return ""
		}}
}

// secret is a setting masked whenever printed.
func secret(s Setting) Setting {
	s.Secret = true
	return s
}

func textSetting(key, env, flag, def, help string, field func(*Config) *string, check func(string) string) Setting {
	return Setting{Key: key, Env: env, Flag: flag, Default: def, Help: help,
		parse:  func(c *Config, v string) error { *field(c) = v; return nil },
		format: func(c Config) string { return *field(&c) },
		check: func(c Config) string {
			if check == nil {
				return ""
			}
			return check(*field(&c))
		}}
}

// daysSetting is a whole number of days from 0 to most.
func daysSetting(key, env, flag, def, help string, field func(*Config) *int, most int) Setting {
	return Setting{Key: key, Env: env, Flag: flag, Default: def, Help: help,
		parse: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%q is not a whole number of days", v)
			}
			*field(c) = n
			return nil
		},
		format: func(c Config) string { return strconv.Itoa(*field(&c)) },
		check: func(c Config) string {
			if n := *field(&c); n < 0 || n > most {
				return fmt.Sprintf("%s %d is outside 0..%d", key, n, most)
			}
			return ""
		}}
}

func durationSetting(key, env, flag, def, help string, field func(*Config) *time.Duration) Setting {
	return Setting{Key: key, Env: env, Flag: flag, Default: def, Help: help,
		parse: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("%q is not a duration such as 30s or 2m", v)
			}
			*field(c) = d
			return nil
		},
		format: func(c Config) string { return field(&c).String() },
		check: func(c Config) string {
			if *field(&c) <= 0 {
				return fmt.Sprintf("%s %s is not above zero", key, *field(&c))
			}
			return ""
		}}
}

func oneOf(key string, allowed ...string) func(string) string {
	return func(v string) string {
		for _, a := range allowed {
			if v == a {
				return ""
			}
		}
		return fmt.Sprintf("%s %q is not %s or %s", key, v, strings.Join(allowed[:len(allowed)-1], ", "), allowed[len(allowed)-1])
	}
}

// Settings lists every setting in the order `config check` prints them.
var Settings = []Setting{
	func() Setting {
		s := textSetting("database_url", "BILLING_DATABASE_URL", "database-url", "", "PostgreSQL URL, e.g. postgres://user:pass@host:5432/billing",
			func(c *Config) *string { return &c.DatabaseURL }, func(v string) string {
				if v != "" && !strings.Contains(v, "://") && !strings.Contains(v, "=") {
					return "database_url is neither a postgres:// URL nor key=value settings"
				}
				return ""
			})
		s.Secret = true
		return s
	}(),
	textSetting("output_dir", "BILLING_OUTPUT_DIR", "output-dir", "./out", "folder for invoice and reconciliation files",
		func(c *Config) *string { return &c.OutputDir }, func(v string) string {
			if v == "" {
				return "output_dir is empty"
			}
			return ""
		}),
	textSetting("invoice_issuer", "BILLING_INVOICE_ISSUER", "invoice-issuer", "Billing", "who issues the invoices: the name at the top of every PDF invoice",
		func(c *Config) *string { return &c.Issuer }, func(v string) string {
			if strings.TrimSpace(v) == "" || len(v) > 200 {
				return "invoice_issuer is empty or longer than 200 characters"
			}
			return ""
		}),
	textSetting("pdf_invoices", "BILLING_PDF_INVOICES", "pdf-invoices", "emit",
		"when an invoice's PDF is written: emit (by the emit stage, beside the spreadsheets) or on-demand (at its first download, then kept and healed like the others)",
		func(c *Config) *string { return &c.PDFInvoices }, oneOf("pdf_invoices", "emit", "on-demand")),
	daysSetting("grace_days", "BILLING_GRACE_DAYS", "grace-days", "0", "days to wait after a closing date before closing a window",
		func(c *Config) *int { return &c.GraceDays }, 28),
	daysSetting("payment_terms_days", "BILLING_PAYMENT_TERMS_DAYS", "payment-terms-days", "30",
		"days from an invoice's issue date to its due date, for an account without payment terms of its own (0..120)",
		func(c *Config) *int { return &c.PaymentTermsDays }, 120),
	{Key: "due_reminder_days", Env: "BILLING_DUE_REMINDER_DAYS", Flag: "due-reminder-days", Default: "3",
		Help: "days before an invoice's due date that its contact is reminded (invoice_due_soon); off sends no such reminder",
		parse: func(c *Config, v string) error {
			if v == "off" {
				c.DueReminderDays = -1
				return nil
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%q is neither a whole number of days nor off", v)
			}
			c.DueReminderDays = n
			return nil
		},
		format: func(c Config) string {
			if c.DueReminderDays < 0 {
				return "off"
			}
			return strconv.Itoa(c.DueReminderDays)
		},
		check: func(c Config) string {
			if c.DueReminderDays > 120 {
				return fmt.Sprintf("due_reminder_days %d is outside 0..120", c.DueReminderDays)
			}
			return ""
		}},
	textSetting("retry_schedule", "BILLING_RETRY_SCHEDULE", "retry-schedule", "3d,5d,7d",
		"when a soft-declined auto-charge is retried, in days after the first attempt; empty never retries",
		func(c *Config) *string { return &c.RetrySchedule }, func(v string) string {
			if _, err := ParseRetrySchedule(v); err != nil {
				return err.Error()
			}
			return ""
		}),
	textSetting("smtp_addr", "BILLING_SMTP_ADDR", "smtp-addr", "",
		"host:port of the SMTP server the daemon sends e-mail through (STARTTLS when offered); empty keeps e-mail in the outbox",
		func(c *Config) *string { return &c.SMTPAddr }, nil),
	textSetting("smtp_from", "BILLING_SMTP_FROM", "smtp-from", "billing@localhost", "the From address of e-mail",
		func(c *Config) *string { return &c.SMTPFrom }, func(v string) string {
			if !strings.Contains(v, "@") {
				return fmt.Sprintf("smtp_from %q is not an e-mail address", v)
			}
			return ""
		}),
	textSetting("smtp_username", "BILLING_SMTP_USERNAME", "smtp-username", "", "user name for SMTP authentication; empty sends without it",
		func(c *Config) *string { return &c.SMTPUsername }, nil),
	secret(textSetting("smtp_password", "BILLING_SMTP_PASSWORD", "smtp-password", "", "password for SMTP authentication",
		func(c *Config) *string { return &c.SMTPPassword }, nil)),
	textSetting("log_level", "BILLING_LOG_LEVEL", "log-level", "info", "debug, info, warn or error",
		func(c *Config) *string { return &c.LogLevel }, oneOf("log_level", "debug", "info", "warn", "error")),
	textSetting("log_format", "BILLING_LOG_FORMAT", "log-format", "text", "text or json",
		func(c *Config) *string { return &c.LogFormat }, oneOf("log_format", "text", "json")),
	textSetting("schedule_nightly", "BILLING_SCHEDULE_NIGHTLY", "schedule-nightly", "0 2 * * *",
		"cron expression (UTC) of the daemon's nightly job: extract, rate, report; empty disables it",
		func(c *Config) *string { return &c.ScheduleNightly }, nil),
	textSetting("schedule_close", "BILLING_SCHEDULE_CLOSE", "schedule-close", "5 0 * * *",
		"cron expression (UTC) of the daemon's close job: close every window due, write files; empty disables it",
		func(c *Config) *string { return &c.ScheduleClose }, nil),
	textSetting("metrics_addr", "BILLING_METRICS_ADDR", "metrics-addr", "127.0.0.1:9464",
		"host:port the daemon serves /healthz and /metrics on; empty disables them",
		func(c *Config) *string { return &c.MetricsAddr }, func(v string) string {
			if v == "" {
				return ""
			}
			if _, _, err := net.SplitHostPort(v); err != nil {
				return fmt.Sprintf("metrics_addr %q is not host:port", v)
			}
			return ""
		}),
	textSetting("listen", "BILLING_LISTEN", "listen", "127.0.0.1:8080", "host:port the portal (billing serve) listens on",
		func(c *Config) *string { return &c.Listen }, func(v string) string {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return fmt.Sprintf("listen %q is not host:port", v)
			}
			return ""
		}),
	textSetting("public_url", "BILLING_PUBLIC_URL", "public-url", "",
		"the portal's address as users reach it, such as https://billing.example.com (sign-in links point there; https makes cookies Secure); empty: http://LISTEN",
		func(c *Config) *string { return &c.PublicURL }, func(v string) string {
			if v == "" {
				return ""
			}
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
				return fmt.Sprintf("public_url %q is not an http:// or https:// address", v)
			}
			return ""
		}),
	boolSetting("behind_proxy", "BILLING_BEHIND_PROXY", "behind-proxy",
		"true when the portal is reached through a reverse proxy that appends the client's address to X-Forwarded-For",
		func(c *Config) *bool { return &c.BehindProxy }),

	// Payment providers (§9.1).
	textSetting("payment_gateway", "BILLING_PAYMENT_GATEWAY", "payment-gateway", "sandbox",
		"the payment provider: sandbox (test cards, its hosted page on billing serve) or stripe",
		func(c *Config) *string { return &c.PaymentGateway }, oneOf("payment_gateway", "sandbox", "stripe")),
	secret(textSetting("stripe_secret_key", "BILLING_STRIPE_SECRET_KEY", "stripe-secret-key", "",
		"Stripe's secret API key (sk_live_... or sk_test_...), for payment_gateway stripe",
		func(c *Config) *string { return &c.StripeSecretKey }, nil)),
	secret(textSetting("stripe_webhook_secret", "BILLING_STRIPE_WEBHOOK_SECRET", "stripe-webhook-secret", "",
		"the signing secret (whsec_...) of the Stripe webhook endpoint that sends events to POST /webhooks/stripe",
		func(c *Config) *string { return &c.StripeWebhookSecret }, nil)),
	textSetting("stripe_api_url", "BILLING_STRIPE_API_URL", "stripe-api-url", "",
		"Stripe's API address; empty is Stripe's own (tests give stripe-mock's)",
		func(c *Config) *string { return &c.StripeAPIURL }, nil),
	intSetting("gateway_concurrency", "BILLING_GATEWAY_CONCURRENCY", "gateway-concurrency", "20",
		"how many calls to a real payment provider this process has in flight at once",
		func(c *Config) *int { return &c.GatewayConcurrency }, 1, 1000),
	intSetting("gateway_rate_limit", "BILLING_GATEWAY_RATE_LIMIT", "gateway-rate-limit", "90",
		"requests per second this process sends a real payment provider at most (Stripe's default live limit is 100)",
		func(c *Config) *int { return &c.GatewayRateLimit }, 1, 10000),

	// Webhooks (§14).
	textSetting("operator_email", "BILLING_OPERATOR_EMAIL", "operator-email", "",
		"the operators' e-mail addresses, separated by commas: told when a webhook endpoint is disabled",
		func(c *Config) *string { return &c.OperatorEmail }, func(v string) string {
			for _, a := range strings.Split(v, ",") {
				if a = strings.TrimSpace(a); v != "" && (a == "" || !strings.Contains(a, "@")) {
					return fmt.Sprintf("operator_email %q is not a list of e-mail addresses", v)
				}
			}
			return ""
		}),
	boolSetting("webhook_allow_http", "BILLING_WEBHOOK_ALLOW_HTTP", "webhook-allow-http",
		"true lets webhook endpoints be http:// addresses, not only https://",
		func(c *Config) *bool { return &c.WebhookAllowHTTP }),
	boolSetting("webhook_allow_private", "BILLING_WEBHOOK_ALLOW_PRIVATE", "webhook-allow-private",
		"true lets webhooks be delivered to loopback, private and link-local addresses",
		func(c *Config) *bool { return &c.WebhookAllowPrivate }),
	intSetting("webhook_workers", "BILLING_WEBHOOK_WORKERS", "webhook-workers", "50",
		"how many webhook deliveries this process attempts at once", func(c *Config) *int { return &c.WebhookWorkers }, 1, 1000),
	durationSetting("shutdown_timeout", "BILLING_SHUTDOWN_TIMEOUT", "shutdown-timeout", "30s",
		"how long a stopping daemon lets the work at hand finish, such as 30s", func(c *Config) *time.Duration { return &c.ShutdownTimeout }),

	// Scale-out (docs/SCALING.md).
	intSetting("unit_workers", "BILLING_UNIT_WORKERS", "unit-workers", "2",
		"how many units of a run's work (batches of accounts, windows, files or charges) this process works at once",
		func(c *Config) *int { return &c.UnitWorkers }, 1, 256),
	durationSetting("unit_patience", "BILLING_UNIT_PATIENCE", "unit-patience", "30s",
		"how long a run waits for a unit of its work, queued for the workers, before doing it itself, such as 30s", func(c *Config) *time.Duration { return &c.UnitPatience }),
}

// EnvConfigFile names the variable that points at the config file.
const EnvConfigFile = "BILLING_CONFIG"

// Source says where a setting's effective value came from.
type Source string

// The sources of a setting, lowest precedence first.
const (
	SourceDefault Source = "default"
	SourceFile    Source = "file"
	SourceEnv     Source = "env"
	SourceFlag    Source = "flag"
)

// Loaded is a configuration with the source of each setting.
type Loaded struct {
	Config
	File    string            // the config file read, if any
	Sources map[string]Source // by setting key
}

// Load builds the configuration. file is the --config flag's value (empty
// when not given); getenv reads the environment; flags holds the flags that
// were set on the command line, by flag name.
func Load(file string, getenv func(string) string, flags map[string]string) (Loaded, error) {
	out := Loaded{Config: Default(), Sources: map[string]Source{}}
	for _, s := range Settings {
		out.Sources[s.Key] = SourceDefault
	}
	if file == "" {
		file = getenv(EnvConfigFile)
	}
	if file != "" {
		if err := out.readFile(file); err != nil {
			return out, err
		}
	}
	for _, s := range Settings {
		if v := getenv(s.Env); v != "" {
			if err := out.set(s, v, SourceEnv); err != nil {
				return out, fmt.Errorf("environment variable %s: %w", s.Env, err)
			}
		}
	}
	for _, s := range Settings {
		if v, ok := flags[s.Flag]; ok {
			if err := out.set(s, v, SourceFlag); err != nil {
				return out, fmt.Errorf("flag --%s: %w", s.Flag, err)
			}
		}
	}
	return out, nil
}

func (l *Loaded) readFile(file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("reading config file: %w", err)
	}
	var fromFile map[string]any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&fromFile); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config file %s: %w", file, err)
	}
	keys := make([]string, 0, len(fromFile))
	for k := range fromFile {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s, ok := settingByKey(k)
		if !ok {
			return fmt.Errorf("config file %s: unknown setting %q", file, k)
		}
		if err := l.set(s, fmt.Sprint(fromFile[k]), SourceFile); err != nil {
			return fmt.Errorf("config file %s: %s: %w", file, k, err)
		}
	}
	l.File = file
	return nil
}

func settingByKey(key string) (Setting, bool) {
	for _, s := range Settings {
		if s.Key == key {
			return s, true
		}
	}
	return Setting{}, false
}

func (l *Loaded) set(s Setting, v string, src Source) error {
	if err := s.parse(&l.Config, v); err != nil {
		return err
	}
	l.Sources[s.Key] = src
	return nil
}

// Validate checks every setting and reports all problems at once.
func (c Config) Validate() error {
	var problems []string
	for _, s := range Settings {
		if p := s.check(c); p != "" {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("invalid configuration: %s", strings.Join(problems, "; "))
	}
	return nil
}

// Value returns the effective value of a setting as text, secrets masked.
func (c Config) Value(key string) string {
	s, ok := settingByKey(key)
	switch {
	case !ok:
		return ""
	case s.Secret && s.Key == "database_url":
		return MaskDatabaseURL(s.format(c)) // where it is, not who may connect
	case s.Secret:
		if s.format(c) == "" {
			return ""
		}
		return "*****"
	default:
		return s.format(c)
	}
}

var passwordSetting = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

// MaskDatabaseURL hides the password of a database URL or key=value
// connection string, so it can be printed or logged.
func MaskDatabaseURL(raw string) string {
	if raw == "" {
		return ""
	}
	if !strings.Contains(raw, "://") {
		return passwordSetting.ReplaceAllString(raw, "${1}*****")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL hidden)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "*****")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "*****")
		u.RawQuery = q.Encode()
	}
	return strings.Replace(u.String(), "%2A%2A%2A%2A%2A", "*****", -1)
}

// ParseRetrySchedule reads a retry schedule such as "3d,5d,7d": days after
// the first attempt, each later than the one before.
func ParseRetrySchedule(v string) ([]time.Duration, error) {
	out := []time.Duration{}
	if strings.TrimSpace(v) == "" {
		return out, nil
	}
	for _, part := range strings.Split(v, ",") {
		days, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(part), "d"))
		if err != nil || days < 1 || days > 365 || !strings.HasSuffix(strings.TrimSpace(part), "d") {
			return nil, fmt.Errorf("retry_schedule %q: %q is not a number of days such as 3d (1d to 365d)", v, part)
		}
		d := time.Duration(days) * 24 * time.Hour
		if len(out) > 0 && d <= out[len(out)-1] {
			return nil, fmt.Errorf("retry_schedule %q: each retry must come after the one before", v)
		}
		out = append(out, d)
	}
	return out, nil
}
