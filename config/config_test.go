package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openbilling/billing/config"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "billing.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPrecedenceIsFlagThenEnvThenFileThenDefault(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "output_dir: /srv/file-out\ngrace_days: 2\nlog_level: debug\n")
	got, err := config.Load(file, env(map[string]string{"BILLING_OUTPUT_DIR": "/srv/env-out", "BILLING_GRACE_DAYS": "3"}),
		map[string]string{"grace-days": "4"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		value  string
		source config.Source
	}{
		"output_dir": {"/srv/env-out", config.SourceEnv},
		"grace_days": {"4", config.SourceFlag},
		"log_level":  {"debug", config.SourceFile},
		"log_format": {"text", config.SourceDefault},
	}
	for key, w := range want {
		if v := got.Value(key); v != w.value || got.Sources[key] != w.source {
			t.Errorf("%s = %q from %s, want %q from %s", key, v, got.Sources[key], w.value, w.source)
		}
	}
}

func TestConfigFileFromEnvironment(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "output_dir: /srv/invoices\n")
	got, err := config.Load("", env(map[string]string{"BILLING_CONFIG": file}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.OutputDir != "/srv/invoices" || got.File != file {
		t.Errorf("output_dir %q from file %q, want /srv/invoices from %q", got.OutputDir, got.File, file)
	}
}

func TestConfigFileErrors(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ content, want string }{
		"unknown key":   {"output_dri: x\n", `unknown setting "output_dri"`},
		"not a number":  {"grace_days: two\n", `grace_days: "two" is not a whole number of days`},
		"not YAML":      {"output_dir: [\n", "config file"},
		"empty is fine": {"", ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := config.Load(writeFile(t, tc.content), env(nil), nil)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	c := config.Default()
	c.GraceDays = -1
	c.LogLevel = "loud"
	c.LogFormat = "xml"
	want := `invalid configuration: grace_days -1 is outside 0..28; log_level "loud" is not debug, info, warn or error; log_format "xml" is not text or json`
	if err := c.Validate(); err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if err := config.Default().Validate(); err != nil {
		t.Errorf("the defaults are invalid: %v", err)
	}
}

func TestMaskDatabaseURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"postgres://billing:s3cret@db.internal:5432/billing?sslmode=require": "postgres://billing:*****@db.internal:5432/billing?sslmode=require",
		"postgres://billing@db.internal/billing?password=s3cret":             "postgres://billing@db.internal/billing?password=*****",
		"host=db user=billing password=s3cret dbname=billing":                "host=db user=billing password=***** dbname=billing",
		"host=db password='a b c' dbname=billing":                            "host=db password=***** dbname=billing",
		"postgres://postgres@127.0.0.1:54329/billing?sslmode=disable":        "postgres://postgres@127.0.0.1:54329/billing?sslmode=disable",
		"": "",
	} {
		if got := config.MaskDatabaseURL(in); got != want {
			t.Errorf("MaskDatabaseURL(%q) = %q, want %q", in, got, want)
		}
		if strings.Contains(config.MaskDatabaseURL(in), "s3cret") {
			t.Errorf("password of %q leaked", in)
		}
	}
}

// Each setting is declared once: its default is valid and reads back as
// written, and its key, variable and flag are all distinct.
func TestEachSettingIsDeclaredOnce(t *testing.T) {
	t.Parallel()
	if err := config.Default().Validate(); err != nil {
		t.Fatalf("the defaults are invalid: %v", err)
	}
	seen := map[string]bool{}
	for _, s := range config.Settings {
		if got := config.Default().Value(s.Key); got != s.Default {
			t.Errorf("%s: default %q reads back as %q", s.Key, s.Default, got)
		}
		for _, name := range []string{"key " + s.Key, "env " + s.Env, "flag " + s.Flag} {
			if seen[name] {
				t.Errorf("%s is declared twice", name)
			}
			seen[name] = true
		}
	}
}

// A secret other than the database URL is masked whole, whatever it looks like.
func TestSecretsAreMaskedWhole(t *testing.T) {
	c := config.Default()
	c.StripeSecretKey, c.StripeWebhookSecret, c.SMTPPassword = "sk_live_abc123", "whsec_xyz", "hunter2"
	for _, key := range []string{"stripe_secret_key", "stripe_webhook_secret", "smtp_password"} {
		if got := c.Value(key); got != "*****" {
			t.Errorf("%s shows %q, want *****", key, got)
		}
	}
	if got := config.Default().Value("stripe_secret_key"); got != "" {
		t.Errorf("an unset secret shows %q", got)
	}
}
