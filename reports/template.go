package reports

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/xuri/excelize/v2"
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
	freeze bool      // freeze the header row
	table  []string  // the column names of the sheet's auto-filter table; nil: none
	tableN int       // the table's number, for its name
}

// workbookTemplate is what a kind of workbook shares, ready to copy.
type workbookTemplate struct {
	static []staticPart    // parts written as they are, compressed once
	sheets []sheetTemplate // in layout order
	tables []tableTemplate // in the order of the sheets that hold them
	core   string          // docProps/core.xml with the placeholders below
	styles styles
}

// staticPart is a part every workbook of a kind has as it is.
type staticPart struct {
	name string
	data compressedHead
}

// sheetTemplate is a worksheet part split around its rows.
type sheetTemplate struct {
	part string
	head compressedHead // up to and including <sheetData>
	tail []byte         // from </sheetData>
}

type tableTemplate struct {
	part string
	text string // with placeholderRef where its range goes
}

// Placeholders the template carries where each invoice's values go.
const (
	placeholderTitle = "BILLING-TITLE-PLACEHOLDER"
	placeholderStamp = "2000-01-01T00:00:00Z"
	placeholderRows  = 999999
)

var (
	templatesMu sync.Mutex
	templates   = map[string]*workbookTemplate{}
)

// templateFor returns the template of a kind of workbook, building it on
// first use. The key names everything the layouts and styles depend on.
func templateFor(key string, places int, layouts func() []sheetLayout) (*workbookTemplate, error) {
	templatesMu.Lock()
	defer templatesMu.Unlock()
	if t, ok := templates[key]; ok {
		return t, nil
	}
	t, err := buildTemplate(places, layouts())
	if err != nil {
		return nil, fmt.Errorf("building the %s workbook template: %w", key, err)
	}
	templates[key] = t
	return t, nil
}

func buildTemplate(places int, layouts []sheetLayout) (*workbookTemplate, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", layouts[0].name); err != nil {
		return nil, err
	}
	st, err := newStyles(f, places)
	if err != nil {
		return nil, err
	}
	for i, l := range layouts {
		if i > 0 {
			if _, err := f.NewSheet(l.name); err != nil {
				return nil, err
			}
		}
		if err := layoutSheet(f, st, l); err != nil {
			return nil, fmt.Errorf("sheet %s: %w", l.name, err)
		}
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: placeholderTitle, Creator: "billing", LastModifiedBy: "billing",
		Created: placeholderStamp, Modified: placeholderStamp, Language: "en-US"}); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		return nil, err
	}
	t := &workbookTemplate{styles: st, sheets: make([]sheetTemplate, len(layouts))}
	tables := 0
	for _, l := range layouts {
		if l.table != nil {
			tables++
		}
	}
	t.tables = make([]tableTemplate, tables)
	for _, zf := range zr.File {
		data, err := readPart(zf)
		if err != nil {
			return nil, err
		}
		name := zf.Name
		switch {
		case name == "docProps/core.xml":
			t.core = string(data)
		case strings.HasPrefix(name, "xl/worksheets/sheet") && strings.HasSuffix(name, ".xml"):
			n, err := partNumber(name, "xl/worksheets/sheet", len(layouts))
			if err != nil {
				return nil, err
			}
			open, end := bytes.Index(data, []byte("<sheetData>")), bytes.Index(data, []byte("</sheetData>"))
			if open < 0 || end < open {
				return nil, fmt.Errorf("%s has no rows element", name)
			}
			head, err := compressHead(data[:open+len("<sheetData>")])
			if err != nil {
				return nil, err
			}
			t.sheets[n-1] = sheetTemplate{part: name, head: head, tail: data[end:]}
		case strings.HasPrefix(name, "xl/tables/table"):
			n, err := partNumber(name, "xl/tables/table", tables)
			if err != nil {
				return nil, err
			}
			if !strings.Contains(string(data), strconv.Itoa(placeholderRows)) {
				return nil, fmt.Errorf("%s has no range to fill in", name)
			}
			t.tables[n-1] = tableTemplate{part: name, text: string(data)}
		default:
			head, err := compressHead(data)
			if err != nil {
				return nil, err
			}
			t.static = append(t.static, staticPart{name: name, data: head})
		}
	}
	for i, s := range t.sheets {
		if s.part == "" {
			return nil, fmt.Errorf("sheet %s has no part", layouts[i].name)
		}
	}
	for k, tb := range t.tables {
		if tb.part == "" {
			return nil, fmt.Errorf("table %d has no part", k+1)
		}
	}
	if t.core == "" || !strings.Contains(t.core, placeholderTitle) {
		return nil, fmt.Errorf("no document properties to fill in")
	}
	sort.Slice(t.static, func(i, j int) bool { return t.static[i].name < t.static[j].name })
	return t, nil
}

// layoutSheet sets a template sheet's widths, panes and table. A table's
// columns take their names from its header row, written here and dropped
// from the template with every other row.
func layoutSheet(f *excelize.File, st styles, l sheetLayout) error {
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
			header[i] = excelize.Cell{StyleID: st.header, Value: c}
		}
		if err := sw.SetRow("A1", header); err != nil {
			return err
		}
		show := true
		if err := sw.AddTable(&excelize.Table{Range: tableRef(len(l.table), placeholderRows), Name: tableName(l.tableN), StyleName: "TableStyleLight1", ShowHeaderRow: &show}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// partNumber reads N out of PREFIX N .xml and checks it is in 1..most.
func partNumber(name, prefix string, most int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, prefix), ".xml"))
	if err != nil || n < 1 || n > most {
		return 0, fmt.Errorf("unexpected part %s", name)
	}
	return n, nil
}

func readPart(zf *zip.File) ([]byte, error) {
	r, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// tableRef is the range of a table of cols columns whose last row is last.
func tableRef(cols, last int) string { return "A1:" + columnName(cols-1) + strconv.Itoa(last) }

func tableName(n int) string { return fmt.Sprintf("LineItems%d", n) }
