package reports_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/openbilling/billing/reports"
)

// An invoice finalized for a Korean account has Korean documents: the PDF's
// labels, dates and charge names in Korean, set in an embedded font with
// Hangul (pdftotext reads them back); the invoice spreadsheet's sheets,
// labels and headers, and its dates shown as Korean writes them; the
// reconciliation's labels, its sheet and column names those of §8.
func TestAKoreanInvoicesDocumentsAreInKorean(t *testing.T) {
	t.Parallel()
	inv, lines := jpyInvoice()
	inv.Locale = "ko"
	inv.AccountName = "한빛 소프트 株式会社"
	var pdf bytes.Buffer
	if err := reports.WritePDF(&pdf, inv, source(lines), reports.PDFOptions{Issuer: "Openbilling Ltd"}); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf.Bytes())
	for _, want := range []string{"청구서", "번호", "INV-2026-000042", "발행일", "2026. 6. 15.", "납부 기한", "2026. 7. 15.",
		"청구 대상", "한빛 소프트 株式会社", "2026. 5. 15. – 2026. 6. 14. (가입일 기준)", "요약", "요금 유형", "신규", "수량 추가",
		"세금 (10%)", "청구 금액", "3,193 JPY", "전체 청구 내역", "29/30", "페이지 1 / 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Korean PDF lacks %q:\n%s", want, text)
		}
	}
	for _, english := range []string{"Invoice", "Issue date", "Total due", "Page", "Every charge", "addQuantity"} {
		if strings.Contains(text, english) {
			t.Errorf("the Korean PDF has %q", english)
		}
	}
	path := filepath.Join(t.TempDir(), "ko.pdf")
	if err := os.WriteFile(path, pdf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	fonts, err := exec.Command("pdffonts", path).Output()
	if err != nil {
		t.Fatalf("pdffonts (apt-get install -y poppler-utils): %v", err)
	}
	for _, family := range []string{"hangul ", "hangulBold "} { // name, type, encoding, embedded yes, subset, unicode yes
		if !regexp.MustCompile(`(?m)^` + family + `\s+CID TrueType\s+Identity-H\s+yes\s+\w+\s+yes`).Match(fonts) {
			t.Errorf("the Korean PDF does not embed its %sfont:\n%s", family, fonts)
		}
	}

	doc := render(t, func(b *bytes.Buffer) error { return reports.WriteDocument(b, inv, source(lines), reports.Options{}) })
	if got := strings.Join(doc.GetSheetList(), ","); got != "청구서,청구 항목" {
		t.Fatalf("invoice sheets %s", got)
	}
	front := rows(t, doc, "청구서")
	for i, want := range [][]string{{"청구서", "INV-2026-000042"}, {}, {"청구 대상", "한빛 소프트 株式会社"}, {"계정", "K1"},
		{"발행일", "2026. 6. 15."}, {"납부 기한", "2026. 7. 15."}, {"청구 기간", "2026. 5. 15.", "2026. 6. 14."}, {"통화", "JPY"}} {
		if got := strings.Join(front[i], "|"); got != strings.Join(want, "|") {
			t.Errorf("invoice sheet row %d: %q, want %q", i+1, got, want)
		}
	}
	charges := rows(t, doc, "청구 항목")
	if got := strings.Join(charges[0], "|"); got != "날짜|고객|고객 이름|상품|요금 유형|서비스 시작일|서비스 종료일|수량|단가|금액|세금|합계|주문|구독" {
		t.Errorf("charges header %s", got)
	}
	if got := charges[1][4] + " " + charges[1][0]; got != "신규 2026. 6. 11." {
		t.Errorf("a charge reads %q", got)
	}

	rec := render(t, func(b *bytes.Buffer) error {
		return reports.WriteReconciliation(b, inv, source(lines), reports.Options{})
	})
	if got := strings.Join(rec.GetSheetList(), ","); got != "Summary,Line items,Control" {
		t.Fatalf("reconciliation sheets %s", got)
	}
	summary := rows(t, rec, "Summary")
	if got := strings.Join(summary[0], "|") + " " + strings.Join(summary[1], "|"); got != "청구서|INV-2026-000042 유형|new" {
		t.Errorf("reconciliation summary %q", got)
	}
	if got := strings.Join(rows(t, rec, "Line items")[0], ","); got != strings.Join(reports.LineItemColumns, ",") {
		t.Errorf("line items header %s", got)
	}
	if got := strings.Join(rows(t, rec, "Control")[0], "|"); got != "항목|항목 합계|청구서|차이" {
		t.Errorf("control header %s", got)
	}
}
