// Package apicontract checks the API's answers against its OpenAPI
// document (portal/openapi.json), for the tests that call the API: the
// document and the server cannot drift apart.
package apicontract

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/helpers"

	"github.com/openbilling/billing/portal"
)

var (
	once  sync.Once
	check validator.Validator
	built error
)

func load() {
	doc, err := libopenapi.NewDocument(portal.OpenAPI)
	if err != nil {
		built = err
		return
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		built = errs[0]
		return
	}
	check = v
}

// Check fails the test when an answer of the API does not conform to the
// document: its status, its content type or its body. body is the answer's
// body, already read.
func Check(t testing.TB, req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") || req.URL.Path == "/api/v1/openapi.json" {
		return
	}
	once.Do(load)
	if built != nil {
		t.Fatalf("the API's OpenAPI document does not load: %v", built)
	}
	answer := *resp
	answer.Body = io.NopCloser(bytes.NewReader(body))
	answer.Request = req
	if ok, errs := check.ValidateHttpResponse(req, &answer); !ok {
		for _, e := range errs {
			if e.ValidationType == helpers.PathValidation && resp.StatusCode == http.StatusNotFound {
				continue // a route the API does not have: its 404 is the document's silence
			}
			t.Errorf("%s %s answered %d, which the OpenAPI document does not allow: %s (%s)", req.Method, req.URL.Path, resp.StatusCode, e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("  %s: %s", se.FieldPath, se.Reason)
			}
		}
	}
}
