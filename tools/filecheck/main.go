// Command filecheck is make check-files: it bills the scenario data on
// a throwaway PostgreSQL (the sample data of examples/, plus a JPY, a KWD
// and a Korean KRW account and a credit) and opens every file the run wrote with three
// independent readers: LibreOffice headless (each sheet converted to CSV
// and its values compared with the database), openpyxl in read-only mode
// (every row present where the sheet says it ends), and poppler (the PDF's
// text holds the number and the total; its first page renders). Any
// difference is a line on stderr and exit status 1.
package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the PostgreSQL driver
	"github.com/shopspring/decimal"

	"github.com/openbilling/billing/internal/testkit/throwaway"
	"github.com/openbilling/billing/invoices"
	"github.com/openbilling/billing/locale"
	"github.com/openbilling/billing/money"
	"github.com/openbilling/billing/reports"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "check-files: %v\n", err)
		os.Exit(1)
	}
}

// The scenario data beyond examples/: accounts in JPY and KWD (no decimals,
// three), with names in Japanese and with diacritics, and a Korean account
// in KRW whose documents are in Korean; seats bought and added mid-term
// (prorated lines).
var extra = map[string]string{
	"accounts": "account_id,name,country,currency,billing_day,email,locale\nJ1,株式会社サクラ Software,JP,JPY,1,billing@sakura.example,\n" +
		"K1,Müller & Peña Trading,KW,KWD,1,billing@mp.example,\nKR1,한빛소프트 주식회사,KR,KRW,1,billing@hanbit.example,ko\n",
	"customers": "customer_id,account_id,name,country,currency\nCJ1,J1,山田商店,JP,JPY\nCJ2,J1,Ōsaka Ünïon ñ,JP,JPY\nCK1,K1,Al-Noor Ü & Co,KW,KWD\n" +
		"CKR1,KR1,김민수 상사,KR,KRW\n",
	"prices":    "sku,currency,unit_price,from_quantity,effective_from\nLIC-STD,JPY,1234,,\nLIC-STD,KWD,1.250,,\nLIC-STD,KRW,15000,,\n",
	"tax-rates": "country,rate,effective_from\nJP,0.10,\nKW,0,\nKR,0.10,\n",
	"orders": "order_id,subscription_id,customer_id,sku,action,quantity,effective_date\n" +
		"OJ-1,SJ1,CJ1,LIC-STD,new,3,2026-06-01\nOJ-2,SJ1,CJ1,LIC-STD,addQuantity,2,2026-06-12\nOJ-3,SJ2,CJ2,LIC-STD,new,1,2026-06-05\n" +
		"OK-1,SK1,CK1,LIC-STD,new,2,2026-06-01\nOK-2,SK1,CK1,LIC-STD,addQuantity,1,2026-06-20\n" +
		"OKR-1,SKR1,CKR1,LIC-STD,new,4,2026-06-01\nOKR-2,SKR1,CKR1,LIC-STD,addQuantity,1,2026-06-16\n",
}

// korean are the scenario's accounts written to in Korean.
var korean = map[string]bool{"KR1": true}

// printer is the language of an invoice's documents.
func printer(inv invoices.Invoice) *locale.Printer {
	if korean[inv.AccountID] {
		return locale.For(locale.Korean)
	}
	return locale.For(locale.English)
}

const asOf = "2026-08-08T00:00:00Z"

type checker struct {
	billing   func(args ...string) (string, error)
	out, work string
	db        *sqlx.DB
	problems  []string
	counts    map[string]int
}

func (c *checker) problem(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

func run() error {
	binary := flag.String("billing", "bin/billing", "the billing binary")
	shots := flag.String("screenshots", "", "also render a USD, a JPY, a KWD, a KRW (Korean) and a credit invoice's files as PNG into this folder")
	flag.Parse()
	pg, err := throwaway.Start("billing-files-")
	if err != nil {
		return err
	}
	defer pg.Stop()
	out := filepath.Join(pg.Dir, "out")
	c := &checker{billing: pg.Billing(*binary, out, "--invoice-issuer", "Openbilling Ltd", "--pdf-invoices", "emit"),
		out: out, work: pg.Dir, counts: map[string]int{}}
	if err := c.bill(); err != nil {
		return err
	}
	if c.db, err = sqlx.ConnectContext(context.Background(), "postgres", pg.URL); err != nil {
		return err
	}
	defer c.db.Close()
	list, err := c.billing("invoices", "--json")
	if err != nil {
		return err
	}
	var invoices []invoices.Invoice
	if err := json.Unmarshal([]byte(list), &invoices); err != nil {
		return err
	}
	var xlsx []string
	for _, inv := range invoices {
		if inv.Files == nil || inv.Files.Reconciliation == "" || inv.Files.Invoice == "" || inv.Files.PDF == "" {
			c.problem("invoice %s lacks a file: %+v", inv.Number, inv.Files)
			continue
		}
		xlsx = append(xlsx, inv.Files.Reconciliation, inv.Files.Invoice)
	}
	if err := c.libreOffice(invoices, xlsx); err != nil {
		return err
	}
	if err := c.openpyxl(invoices); err != nil {
		return err
	}
	if err := c.poppler(invoices); err != nil {
		return err
	}
	if *shots != "" {
		if err := c.screenshots(invoices, *shots); err != nil {
			return err
		}
	}
	fmt.Printf("%d invoices, %d files\n", len(invoices), 3*len(invoices))
	fmt.Printf("LibreOffice %s: %d files, %d sheets, %d values compared with the database\n", loVersion(), c.counts["lo files"], c.counts["lo sheets"], c.counts["lo values"])
	fmt.Printf("openpyxl (read-only): %d files, %d sheets, %d rows read\n", c.counts["py files"], c.counts["py sheets"], c.counts["py rows"])
	fmt.Printf("poppler: %d PDFs, %d pages rendered, totals found in %d\n", c.counts["pdf files"], c.counts["pdf pages"], c.counts["pdf totals"])
	for _, p := range c.problems {
		fmt.Fprintln(os.Stderr, "difference:", p)
	}
	fmt.Printf("%d differences\n", len(c.problems))
	if len(c.problems) > 0 {
		return errors.New("the files differ from the database")
	}
	return nil
}

// bill imports the sample data and the extra scenarios, runs the month and
// grants a credit.
func (c *checker) bill() error {
	if _, err := c.billing("migrate"); err != nil {
		return err
	}
	for _, kind := range []string{"accounts", "customers", "products", "prices", "tax-rates", "orders", "usage"} {
		if _, err := c.billing("import", kind, filepath.Join("examples", kind+".csv")); err != nil {
			return err
		}
		if data, ok := extra[kind]; ok {
			path := filepath.Join(c.work, kind+"-extra.csv")
			if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
				return err
			}
			if _, err := c.billing("import", kind, path); err != nil {
				return err
			}
		}
	}
	if _, err := c.billing("run", "--as-of", asOf); err != nil {
		return err
	}
	_, err := c.billing("credit", "--account", "P1", "--currency", "USD", "--amount", "6.02", "--reason", "Service credit for the outage of 2026-07-20", "--as-of", asOf)
	return err
}

// dbLine is what the database says of a line, to compare the cells with.
type dbLine struct {
	Customer string          `db:"customer_id"`
	SKU      string          `db:"sku"`
	Charge   string          `db:"charge_type"`
	Quantity decimal.Decimal `db:"quantity"`
	Amount   decimal.Decimal `db:"amount"`
	Tax      decimal.Decimal `db:"tax"`
	Total    decimal.Decimal `db:"total"`
}

func (c *checker) lines(number string) ([]dbLine, error) {
	var out []dbLine
	err := c.db.Select(&out, `SELECT customer_id, sku, charge_type, quantity::text AS quantity, amount::text AS amount, tax::text AS tax, total::text AS total
		FROM invoice_lines WHERE invoice_number = $1 ORDER BY line_no`, number)
	return out, err
}

// libreOffice converts every sheet of every workbook to CSV with its stored
// values (not as shown) and compares them with the database.
func (c *checker) libreOffice(invoices []invoices.Invoice, files []string) error {
	dir := filepath.Join(c.work, "lo")
	// Options: comma, double quote, UTF-8, from line 1, standard cell
	// formats, no quoting of text, detect numbers, stored values rather than
	// as shown, no formulas, keep empty cells, every sheet to its own file.
	filter := `csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1`
	args := append([]string{"--headless", "--norestore", "-env:UserInstallation=file://" + filepath.Join(c.work, "lo-profile"),
		"--convert-to", filter, "--outdir", dir}, files...)
	cmd := exec.Command("soffice", args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("soffice: %w: %s", err, out)
	}
	sheet := func(file, name string) [][]string {
		base := strings.TrimSuffix(filepath.Base(file), ".xlsx")
		path := filepath.Join(dir, base+"-"+name+".csv")
		f, err := os.Open(path)
		if err != nil {
			c.problem("LibreOffice wrote no CSV of %s sheet %s: %v", filepath.Base(file), name, err)
			return nil
		}
		defer f.Close()
		r := csv.NewReader(f)
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil {
			c.problem("%s: %v", path, err)
		}
		c.counts["lo sheets"]++
		return rows
	}
	for _, inv := range invoices {
		if inv.Files == nil {
			continue
		}
		lines, err := c.lines(inv.Number)
		if err != nil {
			return err
		}
		p := printer(inv)
		c.counts["lo files"] += 2
		// Reconciliation: every line's ids and amounts, the Summary's total,
		// the Control's differences.
		items := sheet(inv.Files.Reconciliation, "Line items")
		if len(items) != len(lines)+1 {
			c.problem("%s: Line items has %d rows, want %d", inv.Number, len(items), len(lines)+1)
		} else {
			for i, l := range lines {
				row := items[i+1]
				c.same(inv.Number, fmt.Sprintf("Line items row %d", i+2), row[5], inv.Number)
				c.same(inv.Number, fmt.Sprintf("Line items row %d customer", i+2), row[2], l.Customer)
				c.same(inv.Number, fmt.Sprintf("Line items row %d sku", i+2), row[8], l.SKU)
				c.same(inv.Number, fmt.Sprintf("Line items row %d charge", i+2), row[10], l.Charge)
				for col, want := range map[int]decimal.Decimal{15: l.Quantity, 16: l.Amount, 17: l.Tax, 18: l.Total} {
					c.number(inv.Number, fmt.Sprintf("Line items %s%d", string(rune('A'+col)), i+2), row[col], want)
				}
			}
		}
		for _, row := range sheet(inv.Files.Reconciliation, "Summary") {
			if len(row) > 1 && row[0] == p.T("Total") {
				c.number(inv.Number, "Summary total", row[1], decimal.RequireFromString(inv.Total))
			}
		}
		for _, row := range sheet(inv.Files.Reconciliation, "Control")[1:] {
			if len(row) > 3 {
				c.number(inv.Number, "Control difference of "+row[0], row[3], decimal.Zero)
			}
		}
		// The invoice document: every charge's amount, and the total or credit.
		charges := sheet(inv.Files.Invoice, p.T("Charges"))
		if len(charges) != len(lines)+1 {
			c.problem("%s: Charges has %d rows, want %d", inv.Number, len(charges), len(lines)+1)
		} else {
			for i, l := range lines {
				c.number(inv.Number, fmt.Sprintf("Charges J%d", i+2), charges[i+1][9], l.Amount)
				c.number(inv.Number, fmt.Sprintf("Charges L%d", i+2), charges[i+1][11], l.Total)
			}
		}
		front := sheet(inv.Files.Invoice, p.T("Invoice"))
		if n := len(front); n > 0 {
			last := front[n-1]
			label, total := reports.TotalLine(decimal.RequireFromString(inv.Total))
			label = p.T(label)
			if len(last) < 5 || last[3] != label {
				c.problem("%s: the invoice sheet ends %q, want %q", inv.Number, last, label)
			} else {
				c.number(inv.Number, "Invoice "+label, last[4], total)
			}
		}
	}
	return nil
}

func (c *checker) same(number, where, got, want string) {
	c.counts["lo values"]++
	if got != want {
		c.problem("%s %s: LibreOffice reads %q, the database holds %q", number, where, got, want)
	}
}

func (c *checker) number(number, where, got string, want decimal.Decimal) {
	c.counts["lo values"]++
	d, err := decimal.NewFromString(got)
	if err != nil || !d.Equal(want) {
		c.problem("%s %s: LibreOffice reads %q, the database holds %s", number, where, got, want)
	}
}

// openpyxlScript prints, for each sheet of each workbook opened read-only,
// its name, the last row its dimension declares and the rows read.
const openpyxlScript = `
import json, sys, openpyxl
out = {}
for path in sys.argv[1:]:
    wb = openpyxl.load_workbook(path, read_only=True)
    out[path] = [[ws.title, ws.max_row, sum(1 for _ in ws.iter_rows(values_only=True))] for ws in wb.worksheets]
    wb.close()
print(json.dumps(out))
`

func (c *checker) openpyxl(invoices []invoices.Invoice) error {
	var files []string
	want := map[string]int{} // line sheet rows by file
	for _, inv := range invoices {
		if inv.Files == nil {
			continue
		}
		lines, err := c.lines(inv.Number)
		if err != nil {
			return err
		}
		files = append(files, inv.Files.Reconciliation, inv.Files.Invoice)
		want[inv.Files.Reconciliation], want[inv.Files.Invoice] = len(lines)+1, len(lines)+1
	}
	out, err := exec.Command("/usr/bin/python3", append([]string{"-c", openpyxlScript}, files...)...).Output()
	if err != nil {
		return fmt.Errorf("openpyxl: %w", err)
	}
	var got map[string][][]any
	if err := json.Unmarshal(out, &got); err != nil {
		return err
	}
	for _, f := range files {
		c.counts["py files"]++
		for _, s := range got[f] {
			name, maxRow, read := s[0].(string), int(s[1].(float64)), int(s[2].(float64))
			c.counts["py sheets"]++
			c.counts["py rows"] += read
			if maxRow != read {
				c.problem("openpyxl: %s sheet %s declares %d rows and holds %d", filepath.Base(f), name, maxRow, read)
			}
			if (name == "Line items" || name == "Charges") && read != want[f] {
				c.problem("openpyxl: %s sheet %s has %d rows, want %d", filepath.Base(f), name, read, want[f])
			}
		}
	}
	return nil
}

// poppler reads each PDF's text and renders its first page.
func (c *checker) poppler(invoices []invoices.Invoice) error {
	dir := filepath.Join(c.work, "png")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, inv := range invoices {
		if inv.Files == nil {
			continue
		}
		c.counts["pdf files"]++
		text, err := exec.Command("pdftotext", "-layout", inv.Files.PDF, "-").Output()
		if err != nil {
			c.problem("pdftotext %s: %v", inv.Number, err)
			continue
		}
		label, total := reports.TotalLine(decimal.RequireFromString(inv.Total))
		label = printer(inv).T(label)
		want := money.Grouped(money.Format(total, money.Currency(inv.Currency))) + " " + inv.Currency
		if !strings.Contains(string(text), inv.Number) || !strings.Contains(string(text), label) || !strings.Contains(string(text), want) {
			c.problem("the PDF of %s lacks its number, %q or %q", inv.Number, label, want)
		} else {
			c.counts["pdf totals"]++
		}
		prefix := filepath.Join(dir, inv.Number)
		if out, err := exec.Command("pdftoppm", "-png", "-r", "40", inv.Files.PDF, prefix).CombinedOutput(); err != nil {
			c.problem("pdftoppm %s: %v %s", inv.Number, err, out)
			continue
		}
		pages, _ := filepath.Glob(prefix + "-*.png")
		if len(pages) == 0 {
			c.problem("pdftoppm rendered no page of %s", inv.Number)
		}
		c.counts["pdf pages"] += len(pages)
	}
	return nil
}

// screenshots renders a USD, a JPY, a KWD, a KRW (Korean) and a credit invoice: each
// spreadsheet through LibreOffice to PDF to PNG, a picture per printed
// page (KEY-KIND-xlsx-N.png), and the PDF invoice's first page to PNG.
func (c *checker) screenshots(list []invoices.Invoice, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	picked := map[string]invoices.Invoice{}
	for _, inv := range list {
		key := inv.Currency
		if strings.HasPrefix(inv.Total, "-") {
			key = "credit"
		}
		if _, ok := picked[key]; !ok && inv.Files != nil {
			picked[key] = inv
		}
	}
	var keys []string
	for k := range picked {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range []string{"USD", "JPY", "KWD", "KRW", "credit"} {
		inv, ok := picked[key]
		if !ok {
			return fmt.Errorf("no %s invoice to picture (have %v)", key, keys)
		}
		lo := filepath.Join(c.work, "lo-pdf")
		for _, kind := range []struct{ name, path string }{{"invoice", inv.Files.Invoice}, {"reconciliation", inv.Files.Reconciliation}} {
			cmd := exec.Command("soffice", "--headless", "--norestore", "-env:UserInstallation=file://"+filepath.Join(c.work, "lo-profile"),
				"--convert-to", "pdf", "--outdir", lo, kind.path)
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("soffice to PDF: %w: %s", err, out)
			}
			pdf := filepath.Join(lo, strings.TrimSuffix(filepath.Base(kind.path), ".xlsx")+".pdf")
			if out, err := exec.Command("pdftoppm", "-png", "-r", "60", pdf, filepath.Join(dir, key+"-"+kind.name+"-xlsx")).CombinedOutput(); err != nil {
				return fmt.Errorf("pdftoppm: %w: %s", err, out)
			}
		}
		if out, err := exec.Command("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", inv.Files.PDF,
			filepath.Join(dir, key+"-invoice-pdf")).CombinedOutput(); err != nil {
			return fmt.Errorf("pdftoppm: %w: %s", err, out)
		}
	}
	return nil
}

func loVersion() string {
	out, err := exec.Command("soffice", "--version").Output()
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(out))
	if len(f) > 1 {
		return f[1]
	}
	return strings.TrimSpace(string(out))
}
