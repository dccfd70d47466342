package portal

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/openbilling/billing/events"
	"github.com/openbilling/billing/webhooks"
)

// Operators manage webhook endpoints (§11, §14): each endpoint with its
// latest deliveries, a test event, a replay of any event, and enabling a
// disabled endpoint again, each audited.

// deliveriesShown is how many of an endpoint's deliveries its page lists.
const deliveriesShown = 20

// endpointView is an endpoint with its latest deliveries.
type endpointView struct {
	webhooks.Endpoint
	Deliveries []webhooks.Delivery
}

func (s *Server) webhooksPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	if !v.operator() {
		s.notFound(w, r, v)
		return
	}
	if s.Webhooks == nil {
		s.fail(w, r, v, http.StatusNotFound, "not_found", "Webhooks are not set up on this portal.")
		return
	}
	list, err := s.Webhooks.List(r.Context())
	if err != nil {
		s.internal(w, r, v, err)
		return
	}
	views := make([]endpointView, len(list))
	for i, e := range list {
		views[i].Endpoint = e
		if views[i].Deliveries, err = s.Webhooks.Deliveries(r.Context(), e.ID, false, deliveriesShown); err != nil {
			s.internal(w, r, v, err)
			return
		}
	}
	q := r.URL.Query()
	notice := map[string]string{"replay": "webhooks.replayed", "test": "webhooks.tested", "enable": "webhooks.enabled"}[q.Get("done")]
	s.render(w, r, http.StatusOK, "webhooks", view{Title: "Webhooks", Viewer: v, Section: "webhooks", Notice: notice,
		Args: []any{"Event", q.Get("event"), "Endpoint", q.Get("endpoint"), "Made", q.Get("made")},
		Data: map[string]any{"Endpoints": views}})
}

// webhookAction replays an event to the endpoint in the path, sends it a
// test event, or enables it again.
func (s *Server) webhookAction(w http.ResponseWriter, r *http.Request, v *viewer) {
	if !v.operator() || s.Webhooks == nil {
		s.notFound(w, r, v)
		return
	}
	id, action := r.PathValue("id"), r.PathValue("action")
	var err error
	object, made := id, ""
	switch action {
	case "replay":
		event := strings.TrimSpace(r.PostFormValue("event"))
		object = event + " to " + id
		if _, err = events.ParseID(event); err == nil {
			_, err = s.Webhooks.Replay(r.Context(), id, event, s.now())
		}
		action = "webhook_replay"
	case "test":
		_, err = s.Webhooks.Test(r.Context(), id)
		action = "webhook_test"
	case "enable":
		var n int
		n, err = s.Webhooks.Enable(r.Context(), id)
		made = strconv.Itoa(n)
		action = "webhook_enable"
	default:
		s.notFound(w, r, v)
		return
	}
	switch {
	case errors.Is(err, webhooks.ErrNoEndpoint):
		s.audit(r, v, action, object, "refused")
		s.notFound(w, r, v)
		return
	case err != nil:
		s.audit(r, v, action, object, "refused")
		s.fail(w, r, v, http.StatusUnprocessableEntity, "refused", fmt.Sprintf("Nothing was queued: %v.", err))
		return
	}
	s.audit(r, v, action, object, "ok")
	done := url.Values{"done": {strings.TrimPrefix(action, "webhook_")}, "endpoint": {id}, "event": {r.PostFormValue("event")}, "made": {made}}
	http.Redirect(w, r, "/webhook-endpoints?"+done.Encode(), http.StatusSeeOther)
}

// apiEvents is GET /api/v1/events (§14): events after a cursor, an
// account holder's own only.
func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request, v *viewer) {
	q := r.URL.Query()
	f := events.Filter{After: q.Get("after"), Type: q.Get("type"), Limit: 100}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > events.MaxLimit {
			s.fail(w, r, v, http.StatusBadRequest, "bad_filter", fmt.Sprintf("limit %q is not a whole number from 1 to %d", l, events.MaxLimit))
			return
		}
		f.Limit = n
	}
	if !v.staff() || q.Get("account") != "" {
		account, ok := s.apiAccount(w, r, v)
		if !ok {
			return
		}
		f.AccountID = account
	}
	list, err := events.List(r.Context(), s.DB, f)
	if err != nil {
		if _, perr := events.ParseID(f.After); f.After != "" && perr != nil || f.Type != "" && !events.Known(f.Type) {
			s.fail(w, r, v, http.StatusBadRequest, "bad_filter", err.Error())
			return
		}
		s.internal(w, r, v, err)
		return
	}
	if list == nil {
		list = []events.Event{}
	}
	next := ""
	if len(list) == f.Limit {
		next = list[len(list)-1].ID
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": list, "next": next})
}
