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
		funcs := template.FuncMap{
			"query": func(kv ...string) template.URL { // ?k=v&... with the empty values left out
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
			},
			"label": func(s string) string { return strings.ReplaceAll(s, "_", " ") },
		}
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

// view is what every page's template gets.
type view struct {
	Title   string
	Viewer  *viewer
	Account string // the account the page is about, for the navigation
	Section string // the navigation entry to mark as current
	Notice  string // a message above the content
	Error   string
	Data    any
	Today   calendar.Date // the server's date, against which invoices are overdue (§13)
}

// Staff and Operator let templates ask about the viewer.
func (v view) Staff() bool    { return v.Viewer.staff() }
func (v view) Operator() bool { return v.Viewer.operator() }

// render writes a page. It renders into a buffer first, so a template
// error is a clean 500, never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	var b bytes.Buffer
	v.Today = calendar.DateOf(s.now())
	if err := pages[name].Execute(&b, v); err != nil {
		s.Log.Error("portal_render_failed", "page", name, "error", err.Error())
		http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
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
	title := http.StatusText(status)
	s.render(w, r, status, "error", view{Title: title, Viewer: v, Error: message})
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
