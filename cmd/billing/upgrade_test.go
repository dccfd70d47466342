package main

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openbilling/billing/internal/testkit/pgtest"
	"github.com/openbilling/billing/internal/testkit/smtptest"
)

// river025 is a database of an installation on the build with River
// v0.25.0 (River's migrations 1 to 6 in both schemas of the job queue's
// tables), dumped with pg_dump after billing migrate, the imports of
// examples/, a card for P1 and billing run --as-of 2026-08-08T00:00:00Z, the
// steps of make demo: the run left three e-mails queued as send_email jobs.
const river025 = "testdata/river-v0.25.sql"

// An installation upgraded from River v0.25: until billing migrate, a
// process refuses to work the queue; billing migrate applies River's new
// migrations to both schemas, the daemon then delivers the e-mails the old
// build queued, and a run works its units on the upgraded tables.
func TestAnInstallationOnRiver025IsUpgradedByMigrateAndWorksItsQueuedJobs(t *testing.T) {
	t.Parallel()
	db, url := pgtest.NewEmptyDB(t)
	if out, err := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", river025).CombinedOutput(); err != nil {
		t.Fatalf("restoring %s: %v\n%s", river025, err, out)
	}
	o := &operator{t: t, db: db, url: url, dir: t.TempDir()}
	const asOf = "2026-09-08T00:00:00Z"

	code, _, errOut := billing(t, "run", "--as-of", asOf, "--database-url", url, "--output-dir", o.dir+"/out")
	if want := "the database schema is at version 15 and this billing needs 20: run billing migrate"; code != 1 || !strings.Contains(errOut, want) {
		t.Fatalf("run before migrate: exit %d, %q; want exit 1 and %q", code, errOut, want)
	}
	if got, want := o.billing("migrate"), "schema migrated to version 20 (applied 16, 17, 18, 19, 20)\n"+
		"sandbox gateway's books migrated to version 2 (applied 1, 2)\n"+
		"job queue (public) migrated to River version 8 (applied 7, 8)\n"+
		"job queue (river_units) migrated to River version 8 (applied 7, 8)\n"+
		"job queue (river_webhooks) migrated to River version 8 (applied 1, 2, 3, 4, 5, 6, 7, 8)\n"; got != want {
		t.Fatalf("migrate printed %q, want %q", got, want)
	}
	if got := o.billing("migrate"); got != "schema is current (version 20)\n" {
		t.Fatalf("a second migrate printed %q", got)
	}
	// What was done before events existed has its events (§12.8).
	_, out, _ := billing(t, "verify", "--json", "--database-url", url, "--output-dir", o.dir+"/out")
	var found struct {
		Breaches []struct{ Guarantee, Detail string }
	}
	if err := json.Unmarshal([]byte(out), &found); err != nil {
		t.Fatalf("verify --json: %v\n%s", err, out)
	}
	for _, b := range found.Breaches {
		if b.Guarantee == "12.8" {
			t.Errorf("after the upgrade: §12.8 %s", b.Detail)
		}
	}
	var history []string
	if err := db.Select(&history, `SELECT type || ' ' || count(*) FROM events GROUP BY type ORDER BY type`); err != nil {
		t.Fatal(err)
	}
	t.Logf("events of the history before the upgrade: %v", history)
	if len(history) < 3 {
		t.Errorf("the history's events: %v", history)
	}

	// The daemon works the jobs the old build queued.
	box := smtptest.Start(t)
	// No close job: the daemon would catch up on the windows due today.
	daemon := o.command("schedule", "--schedule-nightly", "0 2 * * *", "--schedule-close", "off", "--metrics-addr", "",
		"--smtp-addr", box.Addr, "--shutdown-timeout", "20s")
	var stderr strings.Builder
	daemon.Stderr = &stderr
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); len(box.Received()) < 3 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	if err := daemon.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := daemon.Wait(); err != nil {
		t.Fatalf("the daemon exited with %v\n%s", err, stderr.String())
	}
	var subjects []string
	for _, m := range box.Received() {
		subjects = append(subjects, m.Header.Get("To")+": "+m.Header.Get("Subject"))
	}
	slices.Sort(subjects)
	if want := []string{
		"billing@pinewood.example: Payment received: 24.00 USD",
		"billing@pinewood.example: Payment received: 24.00 USD",
		"billing@pinewood.example: Your visa ending 4242 is now valid",
	}; !slices.Equal(subjects, want) {
		t.Fatalf("the daemon delivered %q, want %q\n%s", subjects, want, stderr.String())
	}
	var jobs []string
	if err := db.Select(&jobs, `SELECT kind || ' ' || state || ' ' || count(*) FROM river_job GROUP BY kind, state ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	if want := []string{"send_email completed 3"}; !slices.Equal(jobs, want) {
		var rows []string
		_ = db.Select(&rows, `SELECT id || ' ' || state || ' attempt ' || attempt || ' ' || coalesce(attempted_at::text, '-') || ' ' || coalesce(finalized_at::text, '-') || ' ' || errors::text FROM river_job ORDER BY id`)
		t.Errorf("the job queue holds %q, want %q:\n%s\n%s", jobs, want, strings.Join(rows, "\n"), stderr.String())
	}

	// A run's units, on the upgraded tables of river_units.
	// (The old build's own units are left out: River deletes completed jobs
	// a day after they finished.)
	before := o.invoiceCount()
	var lastUnit int64
	if err := db.Get(&lastUnit, `SELECT coalesce(max(id), 0) FROM river_units.river_job`); err != nil {
		t.Fatal(err)
	}
	o.runProcess("run", "--as-of", asOf)
	var units []string
	if err := db.Select(&units, `SELECT kind || ' ' || state || ' ' || count(*) FROM river_units.river_job WHERE id > $1 GROUP BY kind, state ORDER BY 1`, lastUnit); err != nil {
		t.Fatal(err)
	}
	if got, want := []int{before, o.invoiceCount()}, []int{10, 14}; !slices.Equal(got, want) {
		t.Errorf("invoices before and after the run as of %s: %v, want %v", asOf, got, want)
	}
	if want := []string{"run_unit completed 6"}; !slices.Equal(units, want) {
		t.Errorf("the units' queue holds %q, want %q", units, want)
	}
}
