package api

import (
	"encoding/json"

	"github.com/parleychat/parley/internal/app"
)

// directoryIn is the query of directory. text, type and workspace may also
// come inside the query object, as older clients send them.
type directoryIn struct {
	Text      string `json:"text"`
	Type      string `json:"type"`
	Workspace string `json:"workspace"`
	_         pageKeys
}

func (s *Server) directory(c *request, in *directoryIn, p page) (any, error) {
	q := app.DirectoryQuery{Text: in.Text, Type: in.Type, Workspace: in.Workspace}
	if raw := c.r.URL.Query().Get("query"); raw != "" {
		var old struct {
			Text      string `json:"text"`
			Type      string `json:"type"`
			Workspace string `json:"workspace"`
		}
		// parsePage has already refused a query that is not an object.
		_ = json.Unmarshal([]byte(raw), &old)
		if q.Text == "" {
			q.Text = old.Text
		}
		if q.Type == "" {
			q.Type = old.Type
		}
		if q.Workspace == "" {
			q.Workspace = old.Workspace
		}
	}
	if len(p.Sort) > 1 {
		return nil, app.Plain(`This method support only one "sort" parameter`)
	}
	// Without a sort Rocket.Chat orders by name, descending.
	q.Desc = true
	if len(p.Sort) == 1 {
		q.SortBy, q.Desc = p.Sort[0].Field, p.Sort[0].Desc
	}
	list, total, err := s.app.Directory(c.ctx, c.user, q, p.Offset, p.Count)
	if err != nil {
		return nil, err
	}
	return M{"result": list, "count": len(list), "offset": p.Offset, "total": total}, nil
}
