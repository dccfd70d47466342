package reports

import (
	"fmt"
	"strings"
	"sync"

	"github.com/xuri/excelize/v2"

	"github.com/openbilling/billing/internal/xlsxstream"
	"github.com/openbilling/billing/locale"
)

// A workbook here is built in two halves. excelize builds, once per kind of
// workbook (its sheets, and the currency's decimals its styles show), every
// part that does not depend on the invoice: content types, relationships,
// workbook, styles, theme, and each sheet's view, panes and column widths.
// Each invoice then only writes its rows, its tables' ranges and its document
// properties. Building a workbook from nothing costs milliseconds (excelize
// decodes its templates and writes every part), which made that fixed cost,
// not the rows, bound the run (docs/PERFORMANCE.md).

// sheetLayout is one sheet of a kind of workbook.
type sheetLayout struct {
	name   string
	widths []float64 // column widths from column A
	freeze bool      // freeze the header row, and repeat it on every printed page
	table  []string  // the column names of the sheet's auto-filter table; nil: none
	tableN int       // the table's number, for its name
}

// footer is every printed page's footer: the document and its invoice
// number on the left (each workbook's own), the page of pages on the right
// ("&P" the page, "&N" their number), in the workbook's language.
func footer(p *locale.Printer) string {
	return "&L" + xlsxstream.PlaceholderFooter + "&R" + footerText(p.T("Page {{.Page}} of {{.Pages}}", "Page", "\x00P", "Pages", "\x00N"))
}

// footerText is a text as a footer shows it: "&" starts a footer code, so a
// literal one is doubled.
func footerText(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "&", "&&"), "\x00", "&")
}

// dateFormat is how a workbook in p's language shows its dates: ISO 8601
// in English, 2026. 6. 30. in Korean (as locale.Printer.Date writes them).
func dateFormat(p *locale.Printer) string {
	if p.Locale == locale.Korean {
		return `yyyy". "m". "d"."`
	}
	return "yyyy-mm-dd"
}

// workbookTemplate is what a kind of workbook shares: its parts, ready to
// copy, and the cell styles its rows use.
type workbookTemplate struct {
	*xlsxstream.Template
	styles styles
}

var (
	templatesMu sync.Mutex
	templates   = map[string]*workbookTemplate{}
)

// templateFor returns the template of a kind of workbook, building it on
// first use. The key names everything the layouts and styles depend on.
func templateFor(key string, places int, p *locale.Printer, layouts func() []sheetLayout) (*workbookTemplate, error) {
	templatesMu.Lock()
	defer templatesMu.Unlock()
	if t, ok := templates[key]; ok {
		return t, nil
	}
	t, err := buildTemplate(places, footer(p), dateFormat(p), layouts())
	if err != nil {
		return nil, fmt.Errorf("building the %s workbook template: %w", key, err)
	}
	templates[key] = t
	return t, nil
}

func buildTemplate(places int, footer, dateFmt string, layouts []sheetLayout) (*workbookTemplate, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", layouts[0].name); err != nil {
		return nil, err
	}
	st, err := newStyles(f, places, dateFmt)
	if err != nil {
		return nil, err
	}
	for i, l := range layouts {
		if i > 0 {
			if _, err := f.NewSheet(l.name); err != nil {
				return nil, err
			}
		}
		if err := layoutSheet(f, st, l, footer); err != nil {
			return nil, fmt.Errorf("sheet %s: %w", l.name, err)
		}
	}
	t, err := xlsxstream.NewTemplate(f, "billing")
	if err != nil {
		return nil, err
	}
	return &workbookTemplate{Template: t, styles: st}, nil
}

// layoutSheet sets a template sheet's print set-up, widths, panes and
// table. A table's columns take their names from its header row, written
// here and dropped from the template with every other row. Printed, a
// sheet is landscape and one page wide, however many pages long, with its
// header row on every page and the footer.
func layoutSheet(f *excelize.File, st styles, l sheetLayout, footer string) error {
	fit, landscape, wide, tall := true, "landscape", 1, 0
	if err := f.SetSheetProps(l.name, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	if err := f.SetPageLayout(l.name, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &wide, FitToHeight: &tall}); err != nil {
		return err
	}
	if err := f.SetHeaderFooter(l.name, &excelize.HeaderFooterOptions{OddFooter: footer}); err != nil {
		return err
	}
	if l.freeze {
		if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: l.name,
			RefersTo: "'" + strings.ReplaceAll(l.name, "'", "''") + "'!$1:$1"}); err != nil {
			return err
		}
	}
	sw, err := f.NewStreamWriter(l.name)
	if err != nil {
		return err
	}
	for i, width := range l.widths {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if l.freeze {
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
	}
	if l.table != nil {
		header := make([]any, len(l.table))
		for i, c := range l.table {
			header[i] = excelize.Cell{StyleID: st.headerStyle(c), Value: c}
		}
		if err := sw.SetRow("A1", header); err != nil {
			return err
		}
		show := true
		if err := sw.AddTable(&excelize.Table{Range: xlsxstream.TableRef(len(l.table), xlsxstream.PlaceholderRows), Name: tableName(l.tableN), StyleName: "TableStyleLight1", ShowHeaderRow: &show}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func tableName(n int) string { return fmt.Sprintf("LineItems%d", n) }
