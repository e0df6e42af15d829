package api

import (
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

// roomsBanUser serves rooms.banUser; the body is rooms.muteUser's.
func (s *Server) roomsBanUser(c *request, in *roomsMuteIn) (any, error) {
	return nil, s.app.BanUser(c.ctx, c.user, in.RoomID, in.target())
}

// roomsUnbanUser serves rooms.unbanUser.
func (s *Server) roomsUnbanUser(c *request, in *roomsMuteIn) (any, error) {
	return nil, s.app.UnbanUser(c.ctx, c.user, in.RoomID, in.target())
}

// roomsBannedUsersIn is the query of rooms.bannedUsers.
type roomsBannedUsersIn struct {
	RoomID string `json:"roomId" in:"required,nonempty"`
	_      pageKeys
}

// bannedUser is one entry of rooms.bannedUsers: the user, as Rocket.Chat
// lists them.
type bannedUser struct {
	ID       string `json:"_id"`
	Username string `json:"username"`
	Name     string `json:"name,omitempty"`
}

func (s *Server) roomsBannedUsers(c *request, in *roomsBannedUsersIn, p page) (any, error) {
	bans, total, err := s.app.BannedUsers(c.ctx, c.user, in.RoomID, p.opts())
	if err != nil {
		return nil, err
	}
	users := make([]bannedUser, 0, len(bans))
	for _, b := range bans {
		users = append(users, bannedUser{ID: b.User.ID, Username: b.User.Username, Name: b.User.Name})
	}
	return pageAnswer("bannedUsers", users, p, total), nil
}

// cleanHistoryIn is the body of rooms.cleanHistory; Rocket.Chat's schema
// is closed.
type cleanHistoryIn struct {
	RoomID           string   `json:"roomId" in:"required"`
	Latest           string   `json:"latest" in:"required"`
	Oldest           string   `json:"oldest" in:"required"`
	Inclusive        bool     `json:"inclusive"`
	ExcludePinned    bool     `json:"excludePinned"`
	FilesOnly        bool     `json:"filesOnly"`
	IgnoreThreads    bool     `json:"ignoreThreads"`
	IgnoreDiscussion bool     `json:"ignoreDiscussion"`
	Users            []string `json:"users"`
	Limit            *float64 `json:"limit"`
}

func (s *Server) roomsCleanHistory(c *request, in *cleanHistoryIn) (any, error) {
	q := app.CleanHistory{
		Inclusive: in.Inclusive, ExcludePinned: in.ExcludePinned, FilesOnly: in.FilesOnly,
		IgnoreThreads: in.IgnoreThreads, IgnoreDiscussion: in.IgnoreDiscussion, Users: in.Users,
	}
	var ok bool
	if q.Latest, ok = app.ParseJSDate(in.Latest); !ok {
		return nil, app.Invalid(`The "latest" param must be a valid date`)
	}
	if q.Oldest, ok = app.ParseJSDate(in.Oldest); !ok {
		return nil, app.Invalid(`The "oldest" param must be a valid date`)
	}
	if in.Limit != nil {
		l := *in.Limit
		if l < 0 || l != math.Trunc(l) || l > math.MaxInt32 {
			return nil, app.Invalid(`The "limit" param must be a whole number, 0 or more`)
		}
		q.Limit = int(l)
	}
	n, err := s.app.CleanRoomHistory(c.ctx, c.user, in.RoomID, q)
	if err != nil {
		return nil, err
	}
	return M{"_id": in.RoomID, "count": n}, nil
}

// errExportParams is rooms.export's refusal of a body its schema does not
// accept, in the words the contract gives it.
var errExportParams = app.E("error-invalid-params", "")

// exportDownloadPath is where the archive rooms.export made is fetched.
const exportDownloadPath = "/data-export/"

// roomsExport serves rooms.export. Its two bodies (file and email) are
// told apart by type; the contract names one refusal for a bad body and
// another for a bad format, so the body is checked here rather than
// through a request struct.
func (s *Server) roomsExport(c *request) (any, error) {
	body, err := readBody(c.r)
	if err != nil {
		return nil, err
	}
	str := func(key string) (string, bool) {
		switch v := body[key].(type) {
		case nil:
			return "", true
		case string:
			return v, true
		}
		return "", false
	}
	list := func(key string) ([]string, bool) {
		switch v := body[key].(type) {
		case nil:
			return nil, true
		case []any:
			out := make([]string, 0, len(v))
			for _, x := range v {
				s, ok := x.(string)
				if !ok {
					return nil, false
				}
				out = append(out, s)
			}
			return out, true
		case string:
			// A form body carries a one-element list as a plain value.
			return []string{v}, isFormBody(c.r)
		}
		return nil, false
	}
	rid, ok1 := str("rid")
	typ, ok2 := str("type")
	if !ok1 || !ok2 || rid == "" {
		return nil, errExportParams
	}
	switch typ {
	case "file":
		format, ok := str("format")
		if !ok || (format != "html" && format != "json") {
			return nil, app.E("error-invalid-format", "")
		}
		from, ok1 := exportDate(body["dateFrom"])
		to, ok2 := exportDate(body["dateTo"])
		if !ok1 || !ok2 {
			return nil, errExportParams
		}
		e, err := s.app.ExportRoomToFile(c.ctx, c.user, app.ExportFile{RID: rid, From: from, To: to, Format: format})
		if err != nil {
			return nil, err
		}
		e.URL = exportDownloadPath + e.ID
		return M{"export": e}, nil
	case "email":
		toUsers, ok1 := list("toUsers")
		toEmails, ok2 := list("toEmails")
		messages, ok3 := list("messages")
		subject, ok4 := str("subject")
		if !ok1 || !ok2 || !ok3 || !ok4 || len(messages) == 0 {
			return nil, errExportParams
		}
		return nil, s.app.ExportRoomByEmail(c.ctx, c.user, app.ExportEmail{
			RID: rid, ToUsers: toUsers, ToEmails: toEmails, Subject: subject, Messages: messages,
		})
	}
	return nil, errExportParams
}

// exportDate reads dateFrom or dateTo: absent, null or empty is the zero
// time; otherwise a day (2021-11-25) or a full date as JavaScript reads
// it.
func exportDate(v any) (time.Time, bool) {
	if v == nil {
		return time.Time{}, true
	}
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	if s = strings.TrimSpace(s); s == "" {
		return time.Time{}, true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	t, ok := app.ParseJSDate(s)
	return t.Std(), ok
}

// mountExports serves the archives rooms.export makes, at
// /data-export/{id}, to the user who asked for them.
func (s *Server) mountExports() {
	s.mux.Handle("GET "+exportDownloadPath+"{id}", s.wrap("data-export", s.exportDownload))
}

func (s *Server) exportDownload(w http.ResponseWriter, r *http.Request) {
	u, ok := s.downloader(w, r)
	if !ok {
		return
	}
	if u == nil {
		writeError(w, r, s.log, app.ErrUnauthorized)
		return
	}
	e, obj, err := s.app.OpenRoomExport(r.Context(), u, r.PathValue("id"))
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	defer obj.Close()
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(e.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	// The archive is the user's alone: never let a shared cache keep it.
	h.Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", obj.ModTime(), obj)
}

// findOrCreateInviteIn is the body of findOrCreateInvite.
type findOrCreateInviteIn struct {
	RID     string `json:"rid" in:"required"`
	Days    *int   `json:"days" in:"required"`
	MaxUses *int   `json:"maxUses" in:"required"`
}

// inviteAnswer is an invite as findOrCreateInvite answers it: its fields
// beside success, and the link, whose token is not repeated on its own.
func inviteAnswer(inv *model.Invite) M {
	return M{
		"_id": inv.ID, "rid": inv.RID, "userId": inv.UserID, "days": inv.Days, "maxUses": inv.MaxUses,
		"uses": inv.Uses, "createdAt": inv.CreatedAt, "expires": inv.Expires, "_updatedAt": inv.UpdatedAt,
		"url": inv.URL,
	}
}

func (s *Server) findOrCreateInvite(c *request, in *findOrCreateInviteIn) (any, error) {
	inv, err := s.app.FindOrCreateInvite(c.ctx, c.user, app.InviteRequest{RID: in.RID, Days: in.Days, MaxUses: in.MaxUses})
	if err != nil {
		return nil, err
	}
	return inviteAnswer(inv), nil
}

// listInvites answers a bare array, as Rocket.Chat does.
func (s *Server) listInvites(c *request) (any, error) {
	return s.app.ListInvites(c.ctx, c.user)
}

func (s *Server) removeInvite(c *request) (any, error) {
	return nil, s.app.RemoveInvite(c.ctx, c.user, c.r.PathValue("_id"))
}

// inviteTokenIn is the body of useInviteToken and validateInviteToken.
type inviteTokenIn struct {
	Token string `json:"token" in:"required"`
}

func (s *Server) useInviteToken(c *request, in *inviteTokenIn) (any, error) {
	return answerAs("room")(s.app.UseInviteToken(c.ctx, c.user, in.Token))
}

func (s *Server) validateInviteToken(c *request, in *inviteTokenIn) (any, error) {
	return M{"valid": s.app.ValidateInviteToken(c.ctx, in.Token)}, nil
}
