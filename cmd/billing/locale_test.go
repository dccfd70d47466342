package main

import (
	"io"
	"mime"
	"mime/quotedprintable"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/openbilling/billing/internal/testkit/smtptest"
)

// An account's locale, from the accounts file or set-locale, writes its
// invoices' documents in Korean; an invoice keeps the language it was
// finalized in, so a file healed after the account went back to English is
// the same bytes (§6).
func TestAKoreanAccountsInvoicesKeepTheirLanguage(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	if out := o.billing("account", "set-locale", "--account", "U1", "--locale", "ko-KR"); out != "account U1: locale ko, for its e-mails and pages now and the invoices finalized from now on\n" {
		t.Fatalf("set-locale printed %q", out)
	}
	o.billing("run", "--as-of", "2026-07-02T00:00:00Z", "--pdf-invoices", "emit")
	korean, english := o.invoice("INV-2026-000002"), o.invoice("INV-2026-000001")
	if korean.AccountID != "U1" || english.AccountID != "P1" {
		t.Fatalf("invoices of %s and %s", korean.AccountID, english.AccountID)
	}
	text := func(path string) string {
		out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext %s (apt-get install -y poppler-utils): %v", path, err)
		}
		return string(out)
	}
	pdf := korean.Files.PDF
	if got := text(pdf); !strings.Contains(got, "청구서") || !strings.Contains(got, "발행일") || !strings.Contains(got, "2026. 7. 1.") || strings.Contains(got, "Issue date") {
		t.Errorf("U1's PDF is not in Korean:\n%s", got)
	}
	if got := text(english.Files.PDF); !strings.Contains(got, "Issue date") || !strings.Contains(got, "2026-06-15") {
		t.Errorf("P1's PDF is not in English:\n%s", got)
	}
	doc, err := excelize.OpenFile(korean.Files.Invoice)
	if err != nil {
		t.Fatal(err)
	}
	sheets := strings.Join(doc.GetSheetList(), ",")
	doc.Close()
	if sheets != "청구서,청구 항목" {
		t.Errorf("U1's invoice spreadsheet has sheets %s", sheets)
	}

	before := sha(t, pdf)
	o.billing("account", "set-locale", "--account", "U1", "--locale", "en")
	if err := os.Remove(pdf); err != nil {
		t.Fatal(err)
	}
	o.billing("run", "--as-of", "2026-07-02T00:00:00Z", "--pdf-invoices", "emit") // heals the missing file
	if after := sha(t, pdf); after != before {
		t.Errorf("the healed PDF differs from the one written in Korean")
	}
	o.billing("verify", "--files", "full")

	// The accounts file's column, checked like every other.
	path := filepath.Join(o.dir, "bad-accounts.csv")
	if err := os.WriteFile(path, []byte("account_id,name,country,currency,billing_day,locale\nK1,Kim,KR,KRW,1,ko\nK2,Lee,KR,KRW,1,fr\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := billing(t, "import", "accounts", path, "--database-url", o.url)
	if want := "bad-accounts.csv:3: column 6 (locale): \"fr\" is not one of en, ko"; code == 0 || !strings.Contains(errOut, want) {
		t.Errorf("import: exit %d, %q; want %q", code, errOut, want)
	}
	o.load(map[string]string{"accounts": "account_id,name,country,currency,billing_day,locale\nK1,Kim,KR,KRW,1,ko\nK3,Park,KR,KRW,1,\n"})
	var locales string
	if err := o.db.Get(&locales, `SELECT string_agg(account_id || '=' || coalesce(locale, '-'), ',' ORDER BY account_id) FROM accounts WHERE account_id IN ('K1', 'K3')`); err != nil || locales != "K1=ko,K3=-" {
		t.Errorf("locales %q (%v)", locales, err)
	}
}

// A Korean account's contact is written to in Korean, over SMTP: the
// reminder's subject and body from the Korean catalog, with dates as Korean
// writes them; an English account's reminder of the same run stays English.
func TestAKoreanAccountsEmailsAreInKorean(t *testing.T) {
	t.Parallel()
	o := newOperator(t)
	o.loadExamples()
	o.billing("account", "set-locale", "--account", "U1", "--locale", "ko")
	o.billing("run", "--as-of", "2026-08-28T00:00:00Z")
	box := smtptest.Start(t)
	o.billing("outbox", "send", "--smtp-addr", box.Addr)
	var got []string
	for _, m := range box.Received() {
		if !strings.HasPrefix(m.Header.Get("Message-ID"), "<invoice_due_soon-") && !strings.HasPrefix(m.Header.Get("Message-ID"), "<invoice_overdue-INV-2026-000001") {
			continue
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, m.Header.Get("To")+": "+subject+"\n"+strings.TrimSpace(string(body)))
	}
	slices.Sort(got)
	want := []string{
		"billing@pinewood.example: Invoice INV-2026-000001 is overdue\n" +
			"Invoice INV-2026-000001 was due on 2026-07-15 and 24.00 USD of it is still to pay (as of 2026-08-28). Please pay it in the billing portal.",
		"finance@upstream.example: 청구서 INV-2026-000007의 납부 기한은 2026. 8. 31.입니다\n" +
			"청구서 INV-2026-000007의 납부 기한은 2026. 8. 31.이며, 납부하실 금액은 0.75 USD입니다. 청구 포털에서 납부하실 수 있습니다.",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("received\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
