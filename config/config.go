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
	GraceDays   int    `yaml:"grace_days"` // days to wait after a closing date before closing (SPEC §3)
	LogLevel    string `yaml:"log_level"`  // debug, info, warn, error
	LogFormat   string `yaml:"log_format"` // text, json

	// The daemon (billing schedule).
	ScheduleNightly string        `yaml:"schedule_nightly"` // cron expression of the nightly job, UTC; empty disables it
	ScheduleClose   string        `yaml:"schedule_close"`   // cron expression of the close job, UTC; empty disables it
	MetricsAddr     string        `yaml:"metrics_addr"`     // host:port of /healthz and /metrics; empty disables them
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"` // how long a stopping daemon lets the work at hand finish
}

// Default is the configuration before any file, variable or flag.
func Default() Config {
	return Config{OutputDir: "./out", GraceDays: 0, LogLevel: "info", LogFormat: "text",
		ScheduleNightly: "0 2 * * *", ScheduleClose: "5 0 * * *", MetricsAddr: "127.0.0.1:9464", ShutdownTimeout: 30 * time.Second}
}

// Setting describes one configurable value.
type Setting struct {
	Key    string // the YAML key
	Env    string // the environment variable
	Flag   string // the command-line flag
	Secret bool   // masked whenever printed
	Help   string
}

// Settings lists every setting in the order `config check` prints them.
var Settings = []Setting{
	{Key: "database_url", Env: "BILLING_DATABASE_URL", Flag: "database-url", Secret: true, Help: "PostgreSQL URL, e.g. postgres://user:pass@host:5432/billing"},
	{Key: "output_dir", Env: "BILLING_OUTPUT_DIR", Flag: "output-dir", Help: "folder for invoice and reconciliation files"},
	{Key: "grace_days", Env: "BILLING_GRACE_DAYS", Flag: "grace-days", Help: "days to wait after a closing date before closing a window"},
	{Key: "log_level", Env: "BILLING_LOG_LEVEL", Flag: "log-level", Help: "debug, info, warn or error"},
	{Key: "log_format", Env: "BILLING_LOG_FORMAT", Flag: "log-format", Help: "text or json"},
	{Key: "schedule_nightly", Env: "BILLING_SCHEDULE_NIGHTLY", Flag: "schedule-nightly", Help: "cron expression (UTC) of the daemon's nightly job: extract, rate, report; empty disables it"},
	{Key: "schedule_close", Env: "BILLING_SCHEDULE_CLOSE", Flag: "schedule-close", Help: "cron expression (UTC) of the daemon's close job: close every window due, write files; empty disables it"},
	{Key: "metrics_addr", Env: "BILLING_METRICS_ADDR", Flag: "metrics-addr", Help: "host:port the daemon serves /healthz and /metrics on; empty disables them"},
	{Key: "shutdown_timeout", Env: "BILLING_SHUTDOWN_TIMEOUT", Flag: "shutdown-timeout", Help: "how long a stopping daemon lets the work at hand finish, such as 30s"},
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
	switch s.Key {
	case "database_url":
		l.DatabaseURL = v
	case "output_dir":
		l.OutputDir = v
	case "grace_days":
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q is not a whole number of days", v)
		}
		l.GraceDays = n
	case "log_level":
		l.LogLevel = v
	case "log_format":
		l.LogFormat = v
	case "schedule_nightly":
		l.ScheduleNightly = v
	case "schedule_close":
		l.ScheduleClose = v
	case "metrics_addr":
		l.MetricsAddr = v
	case "shutdown_timeout":
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration such as 30s or 2m", v)
		}
		l.ShutdownTimeout = d
	}
	l.Sources[s.Key] = src
	return nil
}

// Validate checks every setting and reports all problems at once.
func (c Config) Validate() error {
	var problems []string
	if c.OutputDir == "" {
		problems = append(problems, "output_dir is empty")
	}
	if c.GraceDays < 0 || c.GraceDays > 28 {
		problems = append(problems, fmt.Sprintf("grace_days %d is outside 0..28", c.GraceDays))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		problems = append(problems, fmt.Sprintf("log_level %q is not debug, info, warn or error", c.LogLevel))
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		problems = append(problems, fmt.Sprintf("log_format %q is not text or json", c.LogFormat))
	}
	if c.ShutdownTimeout <= 0 {
		problems = append(problems, fmt.Sprintf("shutdown_timeout %s is not above zero", c.ShutdownTimeout))
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			problems = append(problems, fmt.Sprintf("metrics_addr %q is not host:port", c.MetricsAddr))
		}
	}
	if c.DatabaseURL != "" && !strings.Contains(c.DatabaseURL, "://") && !strings.Contains(c.DatabaseURL, "=") {
		problems = append(problems, "database_url is neither a postgres:// URL nor key=value settings")
	}
	if len(problems) > 0 {
		return fmt.Errorf("invalid configuration: %s", strings.Join(problems, "; "))
	}
	return nil
}

// Value returns the effective value of a setting as text, secrets masked.
func (c Config) Value(key string) string {
	switch key {
	case "database_url":
		return MaskDatabaseURL(c.DatabaseURL)
	case "output_dir":
		return c.OutputDir
	case "grace_days":
		return strconv.Itoa(c.GraceDays)
	case "log_level":
		return c.LogLevel
	case "log_format":
		return c.LogFormat
	case "schedule_nightly":
		return c.ScheduleNightly
	case "schedule_close":
		return c.ScheduleClose
	case "metrics_addr":
		return c.MetricsAddr
	case "shutdown_timeout":
		return c.ShutdownTimeout.String()
	}
	return ""
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
