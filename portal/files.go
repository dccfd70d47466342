package portal

import (
	"archive/zip"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/emit"
	"github.com/openbilling/billing/invoices"
)

// fileKinds are the kinds a download may name (§11), with the file's
// media type.
var fileKinds = map[string]string{
	invoices.KindReconciliation: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	invoices.KindInvoice:        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	invoices.KindPDF:            "application/pdf",
}

// downloadName is the file name a download carries, sortable by account,
// window, currency and number (§11), made only of characters every
// file system and browser keeps.
func downloadName(inv *invoices.Invoice, kind string) string {
	return fmt.Sprintf("%s_%s_%s_%s_%s", fileSafe(inv.AccountID), inv.WindowStart, fileSafe(inv.Currency), fileSafe(inv.Number), emit.FileName(kind))
}

// fileSafe keeps letters, digits, '-' and '.' of a name from the data and
// writes '_' for anything else.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, s)
}

// fileDownload serves an invoice's file by number and kind, never by a path
// from the request (§11).
func (s *Server) fileDownload(w http.ResponseWriter, r *http.Request, v *viewer) {
	kind := r.PathValue("kind")
	if _, ok := fileKinds[kind]; !ok {
		s.notFound(w, r, v)
		return
	}
	inv, ok := s.invoiceOf(w, r, v)
	if !ok {
		return
	}
	s.serveFile(w, r, v, inv, kind)
}

// serveFile serves the stored file, healed first if missing or altered,
// with its SHA-256 as ETag and range requests.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, v *viewer, inv *invoices.Invoice, kind string) {
	files, err := s.Files.Heal(r.Context(), s.DB, inv.Number)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	f, err := os.Open(files[kind].Path)
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	s.audit(r, v, "download", inv.Number+" "+kind, "ok")
	h := w.Header()
	h.Set("Content-Type", fileKinds[kind])
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", downloadName(inv, kind)))
	h.Set("ETag", `"`+files[kind].SHA256+`"`)
	h.Set("Cache-Control", "private, no-cache")
	http.ServeContent(w, r, "", info.ModTime(), f)
}

// monthZip streams the files of an account's invoices issued in one month
// as one zip, a file at a time: memory does not grow with their number.
func (s *Server) monthZip(w http.ResponseWriter, r *http.Request, v *viewer) {
	if !v.staff() {
		s.notFound(w, r, v)
		return
	}
	account, month := r.PathValue("account"), r.URL.Query().Get("month")
	first, err := time.Parse("2006-01", month)
	if err != nil || first.Year() < 2000 || first.Year() > 2099 {
		s.fail(w, r, v, http.StatusBadRequest, "bad_month", fmt.Sprintf("month %q is not YYYY-MM", month))
		return
	}
	list, err := invoices.MonthFiles(r.Context(), s.DB, account, calendar.DateOf(first))
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	// Every file is checked, and written if missing or altered (a PDF
	// not asked for yet among them), before the answer starts: once the zip
	// is streaming, an error can only cut it short.
	var numbers []string
	for _, f := range list {
		if len(numbers) == 0 || numbers[len(numbers)-1] != f.Number {
			numbers = append(numbers, f.Number)
		}
	}
	healed := map[string]map[string]emit.HealedFile{}
	for _, number := range numbers {
		if healed[number], err = s.Files.Heal(r.Context(), s.DB, number); err != nil {
			s.internal(w, r, v, err)
			return
		}
	}
	s.audit(r, v, "download_month", account+" "+month, "ok")
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", fileSafe(account)+"_"+first.Format("2006-01")+".zip"))
	h.Set("Cache-Control", "no-store")
	zw := zip.NewWriter(w)
	for _, number := range numbers {
		inv, err := invoices.GetInvoiceHeader(r.Context(), s.DB, number)
		for _, kind := range []string{invoices.KindInvoice, invoices.KindPDF, invoices.KindReconciliation} {
			if err == nil {
				err = addToZip(zw, healed[number][kind].Path, downloadName(inv, kind))
			}
		}
		if err != nil {
			s.Log.Error("portal_zip_cut_short", "account", account, "month", month, "error", err.Error())
			return // the client sees a truncated zip, which no reader accepts
		}
	}
	if err := zw.Close(); err != nil {
		s.Log.Error("portal_zip_cut_short", "account", account, "month", month, "error", err.Error())
	}
}

func addToZip(zw *zip.Writer, path, name string) error {
	src, err := os.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	info, err := src.Stat()
	if err != nil {
		return err
	}
	// The files are zips already: stored, not compressed again.
	dst, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: info.ModTime().UTC()})
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, src)
	return err
}
