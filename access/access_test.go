package access_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/openbilling/billing/access"
	"github.com/openbilling/billing/internal/testkit/pgtest"
	"github.com/openbilling/billing/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var now = time.Date(2026, 8, 8, 12, 0, 0, 0, time.UTC)

func newDB(t *testing.T) *store.DB {
	t.Helper()
	raw, _ := pgtest.NewDB(t)
	raw.MustExec(`INSERT INTO accounts (account_id, name, country, currency, billing_day, email)
		VALUES ('P1', 'Pinewood Software', 'US', 'USD', 15, 'billing@pinewood.example')`)
	return store.New(raw)
}

func TestATokenIsCheckedBeforeItIsMade(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ctx := context.Background()
	for _, c := range []struct{ role, account, label, want string }{
		{access.RoleAccount, "", "", "an account holder's token needs --account"},
		{access.RoleFinance, "P1", "", "give --account or --role, not both"},
		{"admin", "", "", `role "admin" is not finance or operator`},
		{access.RoleFinance, "", strings.Repeat("x", 201), "the label is longer than 200 characters"},
		{access.RoleAccount, "P2", "", "no such account: P2"},
	} {
		if _, _, err := access.CreateToken(ctx, db, c.role, c.account, c.label); err == nil || err.Error() != c.want {
			t.Errorf("CreateToken(%q, %q) = %v, want %q", c.role, c.account, err, c.want)
		}
	}
	_, _, err := access.CreateToken(ctx, db, access.RoleAccount, "P2", "")
	if !errors.Is(err, store.ErrNoAccount) {
		t.Errorf("an unknown account's error is %v, not store.ErrNoAccount", err)
	}
}

func TestATokenOpensASessionUntilRevoked(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ctx := context.Background()
	secret, id, err := access.CreateToken(ctx, db, access.RoleAccount, "P1", "Pat's laptop")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "bt_") || len(secret) != 3+43 {
		t.Fatalf("secret %q: want bt_ and 43 characters of base64", secret)
	}
	g, found, err := access.Find(ctx, db, secret, access.KindToken, now)
	if err != nil || !found || g.ID != id || g.Role != access.RoleAccount || g.AccountID != "P1" || g.Label != "Pat's laptop" {
		t.Fatalf("Find = %+v, %v, %v", g, found, err)
	}
	if _, found, _ := access.Find(ctx, db, secret, access.KindSession, now); found {
		t.Fatal("a token was taken for a session")
	}
	if _, found, _ := access.Find(ctx, db, secret+"x", access.KindToken, now); found {
		t.Fatal("a wrong secret was found")
	}
	cookie, session, err := access.OpenSession(ctx, db, g, now.Add(12*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if s, found, err := access.Find(ctx, db, cookie, access.KindSession, now); err != nil || !found || s.ID != session.ID || s.AccountID != "P1" {
		t.Fatalf("the session's cookie finds %+v, %v, %v", s, found, err)
	}
	if _, found, _ := access.Find(ctx, db, cookie, access.KindSession, now.Add(13*time.Hour)); found {
		t.Fatal("a session was found after it expired")
	}
	if found, err := access.Revoke(ctx, db, session.ID, now); err != nil || !found {
		t.Fatalf("Revoke = %v, %v", found, err)
	}
	if _, found, _ := access.Find(ctx, db, cookie, access.KindSession, now); found {
		t.Fatal("a revoked session was found")
	}
	if _, found, _ := access.Find(ctx, db, secret, access.KindToken, now); !found {
		t.Fatal("revoking a session revoked its token")
	}
}

func TestASignInLinkWorksOnce(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ctx := context.Background()
	accounts, err := access.AccountsOf(ctx, db, "billing@pinewood.example")
	if err != nil || len(accounts) != 1 || accounts[0].AccountID != "P1" {
		t.Fatalf("AccountsOf = %+v, %v", accounts, err)
	}
	secret, err := access.NewSignInLink(ctx, db, "P1", "billing@pinewood.example", now.Add(15*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	g, found, err := access.UseSignInLink(ctx, db, secret, now)
	if err != nil || !found || g.Role != access.RoleAccount || g.AccountID != "P1" {
		t.Fatalf("UseSignInLink = %+v, %v, %v", g, found, err)
	}
	if _, found, _ := access.UseSignInLink(ctx, db, secret, now); found {
		t.Fatal("a sign-in link worked twice")
	}
	late, _ := access.NewSignInLink(ctx, db, "P1", "billing@pinewood.example", now.Add(15*time.Minute))
	if _, found, _ := access.UseSignInLink(ctx, db, late, now.Add(16*time.Minute)); found {
		t.Fatal("a sign-in link worked after 15 minutes")
	}
}
