package apitest

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// specFiles are the contract documents responses are checked against.
var specFiles = []string{"messaging.yaml", "authentication.yaml", "user-management.yaml", "rooms.yaml", "settings.yaml"}

// specHost is the server the documents declare; requests are matched as if
// sent there.
const specHost = "https://apiexplorer.support.rocket.chat"

type specSet struct {
	routers []routers.Router
	skipped string
}

var (
	specOnce sync.Once
	specs    *specSet
	skipOnce sync.Once
)

// specDir finds the contract: PARLEY_SPEC_DIR, or ../shared/spec beside the
// repository root.
func specDir() string {
	if d := os.Getenv("PARLEY_SPEC_DIR"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "spec")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func loadSpecs() *specSet {
	specOnce.Do(func() {
		specs = &specSet{}
		dir := specDir()
		if dir == "" {
			specs.skipped = "no spec directory found"
			return
		}
		for _, f := range specFiles {
			path := filepath.Join(dir, f)
			if _, err := os.Stat(path); err != nil {
				specs.skipped = "spec file " + path + " not found"
				specs.routers = nil
				return
			}
			loader := openapi3.NewLoader()
			doc, err := loader.LoadFromFile(path)
			if err != nil {
				specs.skipped = "loading " + path + ": " + err.Error()
				specs.routers = nil
				return
			}
			// Some documented paths are prose ("/api/v1/login - with
			// Facebook"); they are not routes.
			for p := range doc.Paths.Map() {
				if strings.ContainsAny(p, " ") {
					doc.Paths.Delete(p)
				}
			}
			relax(doc)
			r, err := gorillamux.NewRouter(doc)
			if err != nil {
				specs.skipped = "routing " + path + ": " + err.Error()
				specs.routers = nil
				return
			}
			specs.routers = append(specs.routers, r)
		}
	})
	return specs
}

// checkSpec validates a 200 response against the contract.
func checkSpec(t testing.TB, method, target string, reqBody []byte, status int, header http.Header, body []byte) {
	t.Helper()
	s := loadSpecs()
	if s.skipped != "" {
		skipOnce.Do(func() { t.Logf("schema checks skipped: %s (set PARLEY_SPEC_DIR)", s.skipped) })
		return
	}
	u, err := url.Parse(specHost + target)
	if err != nil {
		t.Fatalf("bad target %q: %v", target, err)
	}
	req, _ := http.NewRequest(method, u.String(), bytes.NewReader(reqBody))
	for _, r := range s.routers {
		route, params, err := r.FindRoute(req)
		if err != nil {
			continue
		}
		in := &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, ExcludeRequestBody: true},
		}
		out := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: status, Header: http.Header{"Content-Type": {"application/json"}},
			Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
		}
		out.SetBodyBytes(body)
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			t.Errorf("%s %s: response does not match the spec: %v\nbody: %s", method, target, err, truncate(body))
		}
		return
	}
	// Endpoints outside the contract documents are not checked.
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// relax widens the few schemas that describe one example rather than the
// real server: a setting's value is a boolean, string or number (integer
// settings such as Message_MaxAllowedSize), while the documents allow only
// booleans and strings.
func relax(doc *openapi3.T) {
	for _, p := range []string{"/api/v1/settings.public", "/api/v1/settings", "/api/v1/settings/{_id}"} {
		item := doc.Paths.Value(p)
		if item == nil || item.Get == nil {
			continue
		}
		resp := item.Get.Responses.Status(200)
		if resp == nil || resp.Value == nil {
			continue
		}
		mt := resp.Value.Content.Get("application/json")
		if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
			continue
		}
		obj := mt.Schema.Value
		if list := obj.Properties["settings"]; list != nil && list.Value != nil && list.Value.Items != nil && list.Value.Items.Value != nil {
			obj = list.Value.Items.Value
		}
		if _, ok := obj.Properties["value"]; ok {
			obj.Properties["value"] = openapi3.NewSchemaRef("", &openapi3.Schema{})
		}
	}
	// dm.counters answers null for what the caller may not know (and for
	// unreadsFrom before the first read), as Rocket.Chat does; the document
	// types those keys without null.
	if item := doc.Paths.Value("/api/v1/dm.counters"); item != nil && item.Get != nil {
		if resp := item.Get.Responses.Status(200); resp != nil && resp.Value != nil {
			if mt := resp.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil && mt.Schema.Value != nil {
				for _, p := range mt.Schema.Value.Properties {
					if p.Value != nil {
						p.Value.Nullable = true
					}
				}
			}
		}
	}
	// findOrCreateInvite answers one invite, its fields beside success, as
	// Rocket.Chat does; the document repeats listInvites' array for it. The
	// array's item is the invite's schema.
	if item := doc.Paths.Value("/api/v1/findOrCreateInvite"); item != nil && item.Post != nil {
		if resp := item.Post.Responses.Status(200); resp != nil && resp.Value != nil {
			if mt := resp.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil && mt.Schema.Value != nil && mt.Schema.Value.Items != nil {
				mt.Schema = mt.Schema.Value.Items
			}
		}
	}
	// A message's md is the message-parser tree, whose node values are
	// strings or nested nodes; some documents type every value as a string,
	// against their own examples. A message's starred is the array of the
	// caller's star; some documents type it as one object.
	seen := map[*openapi3.Schema]bool{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.Responses == nil {
				continue
			}
			for _, resp := range op.Responses.Map() {
				if resp.Value == nil {
					continue
				}
				for _, mt := range resp.Value.Content {
					if mt.Schema != nil {
						relaxMessageFields(mt.Schema.Value, seen)
					}
				}
			}
		}
	}
}

// relaxMessageFields accepts anything as md or starred wherever s nests
// them.
func relaxMessageFields(s *openapi3.Schema, seen map[*openapi3.Schema]bool) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	for name, p := range s.Properties {
		if name == "md" || name == "starred" {
			s.Properties[name] = openapi3.NewSchemaRef("", &openapi3.Schema{})
			continue
		}
		if p != nil {
			relaxMessageFields(p.Value, seen)
		}
	}
	if s.Items != nil {
		relaxMessageFields(s.Items.Value, seen)
	}
	for _, list := range [][]*openapi3.SchemaRef{s.AllOf, s.AnyOf, s.OneOf} {
		for _, r := range list {
			if r != nil {
				relaxMessageFields(r.Value, seen)
			}
		}
	}
}
