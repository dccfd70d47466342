package portal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/openbilling/billing/calendar"
	"github.com/openbilling/billing/locale"
)

// pages holds each page's template: the layout with the page's content.
var (
	pages     map[string]*template.Template
	pagesOnce sync.Once
	pagesErr  error
)

func parseTemplates() error {
	pagesOnce.Do(func() {
		names, err := fs.Glob(assets, "templates/*.html")
		if err != nil {
			pagesErr = err
			return
		}
		pages = map[string]*template.Template{}
		funcs := template.FuncMap{"query": queryOf}
		for _, name := range names {
			if name == "templates/layout.html" {
				continue
			}
			t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", name)
			if err != nil {
				pagesErr = fmt.Errorf("portal template %s: %w", name, err)
				return
			}
			pages[strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")] = t
		}
	})
	return pagesErr
}

// queryOf is ?k=v&... with the empty values left out.
func queryOf(kv ...string) template.URL {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return ""
	}
	return template.URL("?" + q.Encode())
}

// view is what every page's template gets. Title, Notice and Error are
// ids of the catalogs (or text shown as it is when no catalog has them),
// written in the page's language with Args.
type view struct {
	Title   string
	Viewer  *viewer
	Account string // the account the page is about, for the navigation
	Section string // the navigation entry to mark as current
	Notice  string // a message above the content
	Error   string
	Data    any
	Today   calendar.Date // the server's date, against which invoices are overdue (§13)
	Args    []any         // the placeholders of Title, Notice and Error, in pairs
	P       *locale.Printer
	Path    string // the page's own path and query, for the language chooser
}

// Staff and Operator let templates ask about the viewer.
func (v view) Staff() bool    { return v.Viewer.staff() }
func (v view) Operator() bool { return v.Viewer.operator() }

// render writes a page. It renders into a buffer first, so a template
// error is a clean 500, never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	var b bytes.Buffer
	v.Today = calendar.DateOf(s.now())
	v.P = locale.For(s.localeOf(r, v.Viewer, v.Account))
	if status < 400 {
		v.Path = r.URL.RequestURI() // an error page is the same wherever it is met: its chooser goes to the start
	}
	v.Title, v.Notice, v.Error = v.text(v.Title), v.text(v.Notice), v.text(v.Error)
	if err := pages[name].Execute(&b, v); err != nil {
		s.Log.Error("portal_render_failed", "page", name, "error", err.Error())
		http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", v.P.Locale)
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept-Language, Cookie")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// text is a title, notice or error in the page's language.
func (v view) text(id string) string {
	if id == "" {
		return ""
	}
	return v.P.T(id, v.Args...)
}

// apiError is the API's error body (§11).
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// errorBody is an error as the API answers it.
func errorBody(code, message string) apiError {
	var e apiError
	e.Error.Code, e.Error.Message = code, message
	return e
}

// fail answers an error: JSON with a stable code for the API, a page
// otherwise.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, v *viewer, status int, code, message string) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, status, errorBody(code, message))
		return
	}
	// A page names the error in its language when the catalogs know its
	// code; the API's messages are English, for developers.
	if locale.For(locale.English).Has("error." + code) {
		message = "error." + code
	}
	s.render(w, r, status, "error", view{Title: "status." + fmt.Sprint(status), Viewer: v, Error: message})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request, v *viewer) {
	s.fail(w, r, v, http.StatusNotFound, "not_found", "There is nothing here, or it is not yours to see.")
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, v *viewer, err error) {
	s.Log.Error("portal_request_failed", "method", r.Method, "path", r.URL.Path, "error", err.Error())
	s.fail(w, r, v, http.StatusInternalServerError, "internal", "Something went wrong on our side; it has been logged.")
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(body)
}
