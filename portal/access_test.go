package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/openbilling/billing/access"
	"github.com/openbilling/billing/emit"
	"github.com/openbilling/billing/internal/testkit/apicontract"
	"github.com/openbilling/billing/internal/testkit/pgtest"
	"github.com/openbilling/billing/payments"
	"github.com/openbilling/billing/payments/gateway"
	"github.com/openbilling/billing/pipeline"
	"github.com/openbilling/billing/portal"
	"github.com/openbilling/billing/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Who sees what (§11), through the API: for each role and route, the
// status and error code, another account's invoice answering 404.
func TestEveryRoleSeesWhatItMayAndNoMore(t *testing.T) {
	t.Parallel()
	raw, _ := pgtest.NewDB(t)
	raw.MustExec(`INSERT INTO accounts (account_id, name, country, currency, billing_day, email) VALUES
		('P1', 'Pinewood Software', 'US', 'USD', 15, 'billing@pinewood.example'),
		('U1', 'Umber Analytics', 'US', 'USD', 1, 'ap@umber.example')`)
	for i, account := range []string{"P1", "U1"} {
		raw.MustExec(`INSERT INTO invoices (number, series, seq, account_id, type, billing, currency, window_start, window_end, issue_date, subtotal, tax, total)
			VALUES ($1, 'INV-2026', $2, $3, 'new', 'anniversary', 'USD', '2026-05-15', '2026-06-14', '2026-06-15', 10, 0, 10)`,
			"INV-2026-00000"+string(rune('1'+i)), i+1, account)
	}
	db := store.New(raw)
	ctx := context.Background()
	token := func(role, account string) string {
		secret, _, err := access.CreateToken(ctx, db, role, account, "")
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	holder, finance := token(access.RoleAccount, "P1"), token(access.RoleFinance, "")
	quiet := slog.New(slog.DiscardHandler)
	files := &emit.FileEmitter{OutputDir: t.TempDir(), Log: quiet}
	pay := &payments.Service{DB: db, Gateway: &gateway.Sandbox{DB: db}}
	s := &portal.Server{DB: db, Payments: pay, Files: files, Pipeline: &pipeline.Pipeline{DB: db, Log: quiet, Emitter: files, Payments: pay},
		PublicURL: "http://portal.test", Log: quiet, Now: func() time.Time { return time.Date(2026, 8, 8, 0, 0, 0, 0, time.UTC) }}
	h, err := s.Handler(nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	// The API's document, to anyone, as it is in the repository.
	resp, err := http.Get(srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || !bytes.Equal(served, portal.OpenAPI) {
		t.Errorf("GET /api/v1/openapi.json: %d %s, %d bytes of the document's %d", resp.StatusCode, resp.Header.Get("Content-Type"), len(served), len(portal.OpenAPI))
	}

	for _, c := range []struct {
		name, token, path string
		status            int
		code              string // the error's code, or the invoices listed
	}{
		{"no token", "", "/api/v1/invoices", 401, "unauthorized"},
		{"a wrong token", "bt_nope", "/api/v1/invoices", 401, "unauthorized"},
		{"holder, own list", holder, "/api/v1/invoices", 200, "INV-2026-000001"},
		{"holder, own invoice", holder, "/api/v1/invoices/INV-2026-000001", 200, "INV-2026-000001"},
		{"holder, another's invoice", holder, "/api/v1/invoices/INV-2026-000002", 404, "not_found"},
		{"holder, another's list", holder, "/api/v1/invoices?account=U1", 404, "not_found"},
		{"holder, another's file", holder, "/api/v1/invoices/INV-2026-000002/files/pdf", 404, "not_found"},
		{"holder, no such invoice", holder, "/api/v1/invoices/INV-2026-000009", 404, "not_found"},
		{"finance, an account's list", finance, "/api/v1/invoices?account=U1", 200, "INV-2026-000002"},
		{"finance, any invoice", finance, "/api/v1/invoices/INV-2026-000002", 200, "INV-2026-000002"},
		{"finance, no account named", finance, "/api/v1/invoices", 400, "account_required"},
		{"finance, no such account", finance, "/api/v1/invoices?account=X9", 404, "not_found"},
		{"no such route", holder, "/api/v1/nothing", 404, "not_found"},
		// The events (§14): each invoice's invoice.finalized.
		{"holder, own events", holder, "/api/v1/events", 200, "INV-2026-000001"},
		{"holder, another's events", holder, "/api/v1/events?account=U1", 404, "not_found"},
		{"holder, after the last", holder, "/api/v1/events?after=evt_0000000000000001", 200, ""},
		{"finance, every account's events", finance, "/api/v1/events", 200, "INV-2026-000001INV-2026-000002"},
		{"finance, an account's events", finance, "/api/v1/events?account=U1&type=invoice.finalized", 200, "INV-2026-000002"},
		{"finance, a page of one", finance, "/api/v1/events?limit=1", 200, "INV-2026-000001"},
		{"a bad cursor", finance, "/api/v1/events?after=7", 400, "bad_filter"},
		{"a bad type", finance, "/api/v1/events?type=invoice.sent", 400, "bad_filter"},
		{"a bad limit", finance, "/api/v1/events?limit=0", 400, "bad_filter"},
	} {
		req, _ := http.NewRequest("GET", srv.URL+c.path, nil)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		apicontract.Check(t, req, resp, body)
		if resp.StatusCode != c.status {
			t.Errorf("%s: GET %s = %d, want %d: %s", c.name, c.path, resp.StatusCode, c.status, body)
			continue
		}
		var got struct {
			Error    struct{ Code string }
			Number   string
			Invoices []struct{ Number string }
			Events   []struct{ Data struct{ Number string } }
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Errorf("%s: %v: %s", c.name, err, body)
			continue
		}
		seen := got.Error.Code + got.Number
		for _, inv := range got.Invoices {
			seen += inv.Number
		}
		for _, e := range got.Events {
			seen += e.Data.Number
		}
		if seen != c.code {
			t.Errorf("%s: GET %s answered %q, want %q: %s", c.name, c.path, seen, c.code, body)
		}
	}
}
