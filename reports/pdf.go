package reports

import (
	_ "embed" // the fonts every PDF embeds
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode"

	"github.com/shopspring/decimal"
	"github.com/signintech/gopdf"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/locale"
	"github.com/openbilling/billing/money"
)

// The PDF invoice's fonts, embedded in the binary and, subset to the
// characters used, in every document: DejaVu Sans for Latin, Greek and
// Cyrillic text and the product's English labels, NanumSquare for Korean
// (the labels of a Korean invoice, and Hangul in a name), IPAex Gothic for
// Japanese and the other CJK text a name may hold (licences beside them).
var (
	//go:embed fonts/NanumSquareR.ttf
	nanumSquare []byte
	//go:embed fonts/NanumSquareB.ttf
	nanumSquareBold []byte
	//go:embed fonts/DejaVuSans.ttf
	dejaVuSans []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	dejaVuSansBold []byte
	//go:embed fonts/ipaexg.ttf
	ipaexGothic []byte
)

// PDFOptions tune the PDF invoice.
type PDFOptions struct {
	Issuer string // who issues the invoice, shown at its top
}

// pdfFonts are the fonts parsed once for every document; each document
// embeds the subset of the characters it uses.
var pdfFonts = sync.OnceValues(func() (*gopdf.FontContainer, error) {
	c := &gopdf.FontContainer{}
	for family, data := range map[string][]byte{"text": dejaVuSans, "bold": dejaVuSansBold, "cjk": ipaexGothic,
		"hangul": nanumSquare, "hangulBold": nanumSquareBold} {
		if err := c.AddTTFFontData(family, data); err != nil {
			return nil, fmt.Errorf("reading the PDF font %s: %w", family, err)
		}
	}
	return c, nil
})

// pdfDoc is a PDF invoice being written.
type pdfDoc struct {
	surface
	inv     Invoice
	p       *locale.Printer // the document's language
	fonts   *gopdf.FontContainer
	added   map[string]bool // the fonts added to the document beyond text and bold
	err     error           // the first error of drawing
	footers int
}

// Page geometry, in millimetres (A4 portrait).
const (
	pdfMargin = 15.0
	pdfWidth  = 210.0 - 2*pdfMargin
	pdfHeight = 297.0
	pdfLine   = 5.0
	pdfBottom = pdfHeight - pdfMargin - 8 // where a page's rows end
)

// MaxPDFLines is the most lines a PDF invoice itemises one by one: past
// it, the PDF says how many more there are and that the invoice spreadsheet
// holds them all, so a document of any size takes bounded memory (a PDF's
// pages are held until it is written) and stays a readable document.
const MaxPDFLines = 5000

// WritePDF writes the invoice document as a PDF for the account holder
// (§8): a header with the issuer and the account, the itemised
// summary by product and charge type, the tax and the total (or the credit),
// then the detail of every charge with its service period, the days charged
// of the term's and its tier breakdown, and page numbers. An English
// document whose characters the standard fonts show is set in them
// (stdPDF); any other embeds its fonts, so every name renders on any
// reader. The same invoice always gives the same bytes (the issue date as
// the document's dates).
func WritePDF(w io.Writer, inv Invoice, lines Lines, opts PDFOptions) error {
	p := locale.For(inv.Locale)
	info := gopdf.PdfInfo{Title: documentTitle(p, inv) + " " + inv.Number, Author: opts.Issuer, Creator: "billing", Producer: "billing",
		CreationDate: inv.IssueDate.Time()}
	if p.Locale == locale.English {
		std := newStdPDF(info)
		err := drawPDF(std, inv, p, nil, lines, opts)
		if err == nil {
			_, err = std.WriteTo(w)
			return err
		}
		if !errors.Is(err, errNotStandard) {
			return err
		}
	}
	fonts, err := pdfFonts()
	if err != nil {
		return err
	}
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitMM})
	gp.SetCompressLevel(1) // fast: most of a PDF's cost is compressing it
	gp.SetInfo(info)
	for _, family := range []string{"text", "bold"} {
		if err := gp.AddTTFFontFromFontContainer(family, fonts); err != nil {
			return err
		}
	}
	if err := drawPDF(gp, inv, p, fonts, lines, opts); err != nil {
		return err
	}
	_, err = gp.WriteTo(w)
	return err
}

// surface is what a PDF invoice is drawn on: gopdf's document, with the
// fonts embedded, or a document in the standard fonts (stdPDF).
type surface interface {
	AddFooter(func())
	AddPage()
	AddTTFFontFromFontContainer(family string, fonts *gopdf.FontContainer) error
	Cell(r *gopdf.Rect, text string) error
	CellWithOption(r *gopdf.Rect, text string, opt gopdf.CellOption) error
	FillInPlaceHoldText(name, text string, align int) error
	GetX() float64
	GetY() float64
	MeasureTextWidth(text string) (float64, error)
	PlaceHolderText(name string, width float64) error
	RectFromUpperLeftWithStyle(x, y, w, h float64, style string)
	SetFillColor(r, g, b uint8)
	SetFont(family, style string, size interface{}) error
	SetTextColor(r, g, b uint8)
	SetX(x float64)
	SetXY(x, y float64)
}

// drawPDF draws the invoice on a surface.
func drawPDF(s surface, inv Invoice, p *locale.Printer, fonts *gopdf.FontContainer, lines Lines, opts PDFOptions) error {
	d := &pdfDoc{surface: s, inv: inv, p: p, fonts: fonts, added: map[string]bool{}}
	s.AddFooter(d.footer)

	// The summary needs every line; the detail follows it. Summing first
	// reads the lines once, the detail reads them again as it draws them.
	products := productTotals{}
	count := 0
	if err := lines(func(l *Line) error {
		count++
		products.add(l)
		return nil
	}); err != nil {
		return err
	}
	s.AddPage()
	s.SetXY(pdfMargin, pdfMargin)
	d.header(opts.Issuer)
	d.summary(products)
	if err := d.detail(lines, count); err != nil {
		return err
	}
	if d.err == nil {
		d.err = s.FillInPlaceHoldText("pages", fmt.Sprint(d.footers), gopdf.Left)
	}
	if errors.Is(d.err, errNotStandard) {
		return d.err
	}
	if d.err != nil {
		return fmt.Errorf("writing the PDF of invoice %s: %w", inv.Number, d.err)
	}
	return nil
}

// footer is every page's footer: the document and its number, and the page
// of pages (the total filled in at the end).
func (d *pdfDoc) footer() {
	d.footers++
	d.SetTextColor(110, 110, 110)
	d.SetXY(pdfMargin+0.5, pdfHeight-pdfMargin-3)
	d.cells(documentTitle(d.p, d.inv)+" "+d.inv.Number, 8)
	// "Page 2 of ", then the place holder of the pages, filled in at the end.
	label, _, _ := strings.Cut(d.p.T("Page {{.Page}} of {{.Pages}}", "Page", d.footers, "Pages", "\x00"), "\x00")
	w := d.width(label, false, 8)
	y := pdfHeight - pdfMargin - 3
	d.SetXY(pdfMargin+pdfWidth-w-8, y)
	d.cells(label, 8)
	d.SetXY(pdfMargin+pdfWidth-8, y+2.1) // a place holder is set from its baseline, a cell from its top
	d.setFont(latin, false, 8)
	if err := d.PlaceHolderText("pages", 8); err != nil && d.err == nil {
		d.err = err
	}
	d.SetTextColor(0, 0, 0)
}

// cells writes s at the current position, run by run in their fonts.
func (d *pdfDoc) cells(s string, size float64) {
	for _, r := range scriptRuns(s) {
		d.setFont(r.script, false, size)
		if err := d.Cell(nil, r.s); err != nil && d.err == nil {
			d.err = err
		}
	}
}

// documentTitle is what the document is, in p's language.
func documentTitle(p *locale.Printer, inv Invoice) string {
	if inv.Type == "credit" || inv.Total.IsNegative() {
		return p.T("Credit note")
	}
	return p.T("Invoice")
}

// width is the width of s in its fonts.
func (d *pdfDoc) width(s string, bold bool, size float64) float64 {
	return d.runsWidth(scriptRuns(s), bold, size)
}

// runsWidth is the width of runs, each in its font.
func (d *pdfDoc) runsWidth(runs []run, bold bool, size float64) float64 {
	total := 0.0
	for _, r := range runs {
		d.setFont(r.script, bold, size)
		n, err := d.MeasureTextWidth(r.s)
		if err != nil && d.err == nil {
			d.err = err
		}
		total += n
	}
	return total
}

// text writes s in a cell of width w at the current position and moves
// right by w, switching to the Korean or the CJK font for the characters
// DejaVu Sans lacks, cut with an ellipsis to fit.
func (d *pdfDoc) text(w, h float64, s, align string, bold bool, size float64) {
	runs := scriptRuns(s)
	width := func(rs []run) float64 { return d.runsWidth(rs, bold, size) }
	for len(runs) > 0 && width(runs) > w-1 { // cut to fit, a character at a time
		last := &runs[len(runs)-1]
		rs := []rune(strings.TrimSuffix(last.s, "…"))
		if len(rs) <= 1 {
			runs = runs[:len(runs)-1]
			continue
		}
		last.s = string(rs[:len(rs)-1]) + "…"
	}
	x, y := d.GetX(), d.GetY()
	used := width(runs)
	start := x + 0.5
	switch align {
	case "R":
		start = x + w - 0.5 - used
	case "C":
		start = x + (w-used)/2
	}
	d.SetXY(start, y)
	for _, r := range runs {
		d.setFont(r.script, bold, size)
		n, _ := d.MeasureTextWidth(r.s)
		if err := d.CellWithOption(&gopdf.Rect{W: n, H: h}, r.s, gopdf.CellOption{Align: gopdf.Left | gopdf.Middle}); err != nil && d.err == nil {
			d.err = err
		}
	}
	d.SetXY(x+w, y)
}

// setFont chooses the font of a run; the Korean and the CJK fonts join the
// document the first time a run needs them, so a document without their
// characters is the same as before they existed.
func (d *pdfDoc) setFont(s script, bold bool, size float64) {
	family := "text"
	switch {
	case s == cjk:
		family = "cjk" // IPAex Gothic has no bold face
	case s == hangul && bold:
		family = "hangulBold"
	case s == hangul:
		family = "hangul"
	case bold:
		family = "bold"
	}
	if s != latin && !d.added[family] {
		if err := d.AddTTFFontFromFontContainer(family, d.fonts); err != nil && d.err == nil {
			d.err = err
		}
		d.added[family] = true
	}
	if err := d.SetFont(family, "", size); err != nil && d.err == nil {
		d.err = err
	}
}

// ln moves to the start of the line h below.
func (d *pdfDoc) ln(h float64) { d.SetXY(pdfMargin, d.GetY()+h) }

// script is which of the fonts sets a character.
type script int

const (
	latin  script = iota // DejaVu Sans: Latin, Greek, Cyrillic, digits and punctuation
	hangul               // NanumSquare: Korean
	cjk                  // IPAex Gothic: Japanese and CJK ideographs
)

// run is a stretch of text in one font.
type run struct {
	s      string
	script script
}

// scriptRuns splits a text into runs of one script each, slices of it.
func scriptRuns(s string) []run {
	if isPlainLatin(s) {
		return []run{{s: s, script: latin}}
	}
	var out []run
	start := 0
	for i, r := range s {
		sc := latin
		switch {
		case unicode.Is(unicode.Hangul, r):
			sc = hangul
		case isCJK(r):
			sc = cjk
		}
		if n := len(out); n > 0 && out[n-1].script == sc {
			continue
		}
		if n := len(out); n > 0 {
			out[n-1].s = s[start:i]
		}
		out = append(out, run{script: sc})
		start = i
	}
	if n := len(out); n > 0 {
		out[n-1].s = s[start:]
	}
	return out
}

// isPlainLatin is true for a text without Korean or CJK characters, by
// their blocks: below U+1100, and the punctuation and symbols from U+2000
// to U+2E7F (the dash of a period): one run in the Latin font.
func isPlainLatin(s string) bool {
	for _, r := range s {
		if r >= 0x1100 && (r < 0x2000 || r >= 0x2E80) {
			return false
		}
	}
	return true
}

// isCJK is true for the characters set in IPAex Gothic: Japanese kana,
// CJK ideographs and symbols, and full-width forms.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
		r >= 0x3000 && r <= 0x303F || r >= 0xFF00 && r <= 0xFFEF || r >= 0x31F0 && r <= 0x31FF
}

// amount writes an amount with the currency's decimals and thousands
// separators.
func (d *pdfDoc) amount(v decimal.Decimal) string {
	return money.Grouped(money.Format(v, d.inv.Currency))
}

func (d *pdfDoc) header(issuer string) {
	inv := d.inv
	d.text(pdfWidth/2, 9, issuer, "L", true, 16)
	d.text(pdfWidth/2, 9, documentTitle(d.p, inv), "R", true, 16)
	d.ln(10)
	facts := [][2]string{
		{"Number", inv.Number},
		{"Issue date", d.p.Date(inv.IssueDate)},
	}
	if inv.DueDate != nil {
		facts = append(facts, [2]string{"Due date", d.p.Date(*inv.DueDate)})
	}
	facts = append(facts, [][2]string{
		{"Billed to", inv.AccountName},
		{"Account", inv.AccountID},
		{"Billing period", d.period(inv.WindowStart, inv.WindowEnd) + " (" + d.p.Code("billing.", inv.Billing) + ")"},
		{"Currency", string(inv.Currency)},
	}...)
	if inv.Adjusts != "" {
		facts = append(facts, [2]string{"Adjusts invoice", inv.Adjusts})
	}
	for _, f := range facts {
		d.SetTextColor(90, 90, 90)
		d.text(35, pdfLine, d.p.T(f[0]), "L", false, 9)
		d.SetTextColor(0, 0, 0)
		d.text(pdfWidth-35, pdfLine, f[1], "L", false, 9)
		d.ln(pdfLine)
	}
	d.ln(4)
}

// tableHeader writes a row of column headers on a shaded band.
func (d *pdfDoc) tableHeader(widths []float64, names []string, aligns string) {
	d.SetFillColor(221, 235, 247)
	d.RectFromUpperLeftWithStyle(pdfMargin, d.GetY(), pdfWidth, pdfLine+1, "F")
	for i, n := range names {
		d.text(widths[i], pdfLine+1, d.p.T(n), aligns[i:i+1], true, 8)
	}
	d.ln(pdfLine + 1)
}

var (
	summaryWidths = []float64{30, 52, 26, 14, 20, 18, 20}
	summaryNames  = []string{"Product", "Name", "Charge", "Lines", "Amount", "Tax", "Total"}
)

func (d *pdfDoc) summary(products productTotals) {
	d.text(pdfWidth, 7, d.p.T("Summary"), "L", true, 11)
	d.ln(8)
	d.tableHeader(summaryWidths, summaryNames, "LLLRRRR")
	for _, p := range products.sorted() {
		cells := []string{p.sku, p.name, chargeName(d.p, p.charge), fmt.Sprint(p.lines), d.amount(p.amount), d.amount(p.tax), d.amount(p.total)}
		for i, c := range cells {
			d.text(summaryWidths[i], pdfLine, c, "LLLRRRR"[i:i+1], false, 8)
		}
		d.ln(pdfLine)
	}
	d.ln(2)
	inv := d.inv
	last, total := totalLine(d.p, inv.Total)
	for _, t := range []struct {
		label, value string
		bold         bool
	}{
		{d.p.T("Subtotal"), d.amount(inv.Subtotal), false},
		{taxLabel(d.p, inv), d.amount(inv.Tax), false},
		{last, d.amount(total) + " " + string(inv.Currency), true},
	} {
		d.SetX(pdfMargin + pdfWidth - 90)
		d.text(55, pdfLine+1, t.label, "L", t.bold, 9)
		d.text(35, pdfLine+1, t.value, "R", t.bold, 9)
		d.ln(pdfLine + 1)
	}
	d.SetTextColor(90, 90, 90)
	d.ln(1)
	d.text(pdfWidth, 4, d.p.T("pdf.payments_note"), "L", false, 8)
	d.SetTextColor(0, 0, 0)
	d.ln(8)
}

var (
	detailWidths = []float64{40, 36, 22, 36, 14, 16, 16}
	detailNames  = []string{"Customer", "Product", "Charge", "Service period", "Days", "Quantity", "Amount"}
)

// detail writes every line (up to MaxPDFLines), a row each, with its tier
// breakdown below it.
func (d *pdfDoc) detail(lines Lines, count int) error {
	d.text(pdfWidth, 7, d.p.T("Every charge"), "L", true, 11)
	d.ln(8)
	d.tableHeader(detailWidths, detailNames, "LLLLRRR")
	written := 0
	err := lines(func(l *Line) error {
		if written == MaxPDFLines {
			return errEnough
		}
		written++
		rowHeight := pdfLine
		if l.Detail != "" {
			rowHeight += 4
		}
		if d.GetY()+rowHeight > pdfBottom {
			d.AddPage()
			d.SetXY(pdfMargin, pdfMargin)
			d.tableHeader(detailWidths, detailNames, "LLLLRRR")
		}
		days := ""
		if l.TermDays > 0 {
			days = fmt.Sprintf("%d/%d", l.DaysCharged, l.TermDays)
		}
		customer := l.CustomerID
		if l.CustomerName != "" {
			customer += " " + l.CustomerName
		}
		cells := []string{customer, l.ProductName, chargeName(d.p, string(l.ChargeType)), d.period(l.ChargeStart, l.ChargeEnd), days,
			l.Quantity.String(), d.amount(l.Amount)}
		for i, c := range cells {
			d.text(detailWidths[i], pdfLine, c, "LLLLRRR"[i:i+1], false, 7.5)
		}
		d.ln(pdfLine)
		if l.Detail != "" {
			d.SetTextColor(90, 90, 90)
			d.SetX(pdfMargin + 4)
			d.text(pdfWidth-4, 4, d.p.T("Tiers: {{.Tiers}}", "Tiers", l.Detail), "L", false, 7)
			d.SetTextColor(0, 0, 0)
			d.ln(4)
		}
		return d.err
	})
	if errors.Is(err, errEnough) {
		d.ln(2)
		d.text(pdfWidth, pdfLine, d.p.T("pdf.more_charges", "More", count-written, "Count", count), "L", true, 8)
		err = nil
	}
	return err
}

// errEnough stops reading lines past the PDF's itemised detail.
var errEnough = errors.New("the PDF itemises no more lines")

// period is a service period or a window, its two dates in the document's
// language.
func (d *pdfDoc) period(from, to calendar.Date) string {
	return d.p.Date(from) + " – " + d.p.Date(to)
}
