package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

// avatarPalette is the colour of a generated avatar by the length of its
// name modulo 6, as Rocket.Chat's getAvatarColor picks it.
var avatarPalette = [6]string{"#158D65", "#7F1B9F", "#B68D00", "#E26D0E", "#10529E", "#6C727A"}

// svgModified is the Last-Modified of every generated avatar: it depends
// only on the name, so it never changes.
var svgModified = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)

// avatarSVG draws the initials of name on its colour, size pixels square.
// With initials > 1 it takes the first letter of up to that many words.
func avatarSVG(name string, size, initials int) []byte {
	colour := avatarPalette[len(utf16.Encode([]rune(name)))%6]
	text := ""
	if name == "?" || strings.TrimSpace(name) == "" {
		colour, text = "#000", "?"
	} else {
		words := strings.Fields(name)
		if initials <= 1 {
			words = words[:1]
		} else if len(words) > initials {
			words = words[:initials]
		}
		for _, w := range words {
			r, _ := utf8.DecodeRuneInString(w)
			text += strings.ToUpper(string(r))
		}
	}
	n := utf8.RuneCountInString(text)
	font := float64(size) / 1.6
	if n > 1 {
		font = float64(size) / (1.6 + float64(n*n)/10)
	}
	return fmt.Appendf(nil, `<svg xmlns="http://www.w3.org/2000/svg" pointer-events="none" width="%d" height="%d" viewBox="0 0 %d %d">`+
		`<rect width="100%%" height="100%%" fill="%s"/>`+
		`<text x="50%%" y="50%%" dy="0.36em" text-anchor="middle" pointer-events="auto" fill="#ffffff" font-family="Helvetica, Arial, Lucida Grande, sans-serif" font-size="%s">%s</text></svg>`,
		size, size, size, size, colour, strconv.FormatFloat(font, 'f', -1, 64), html.EscapeString(text))
}

// avatarSize reads ?size=, clamped to 16..1024, 200 when absent.
func avatarSize(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("size"))
	if err != nil {
		return 200
	}
	return max(16, min(1024, n))
}

// avatarViewer is the caller of an avatar route, known by the
// rc_uid/rc_token cookies or query parameters browsers send with images.
func (s *Server) avatarViewer(r *http.Request) *model.User {
	uid, tok := r.URL.Query().Get("rc_uid"), r.URL.Query().Get("rc_token")
	if c, err := r.Cookie("rc_uid"); err == nil && uid == "" {
		uid = c.Value
	}
	if c, err := r.Cookie("rc_token"); err == nil && tok == "" {
		tok = c.Value
	}
	if uid == "" || tok == "" {
		return nil
	}
	u, err := s.app.Authenticate(r.Context(), uid, tok)
	if err != nil {
		return nil
	}
	setUserID(r, u.ID)
	return u
}

// avatarAllowed applies Accounts_AvatarBlockUnauthenticatedAccess; it
// answers 403 when the caller must log in first.
func (s *Server) avatarAllowed(w http.ResponseWriter, r *http.Request, viewer *model.User) bool {
	if viewer == nil && s.app.Settings.Bool("Accounts_AvatarBlockUnauthenticatedAccess") {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, "Forbidden")
		return false
	}
	return true
}

// avatarCaching sets the headers every avatar answer carries.
func (s *Server) avatarCaching(w http.ResponseWriter, r *http.Request) {
	age := s.app.Settings.Int("Accounts_AvatarCacheTime")
	if v, err := strconv.Atoi(r.URL.Query().Get("cacheTime")); err == nil && v >= 0 {
		age = v
	}
	h := w.Header()
	h.Del("Pragma")
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(age))
	h.Set("Content-Disposition", "inline")
}

// serveSVG answers a generated avatar; http.ServeContent answers the
// conditional requests (If-None-Match, If-Modified-Since) with 304.
func (s *Server) serveSVG(w http.ResponseWriter, r *http.Request, name string, initials int) {
	svg := avatarSVG(name, avatarSize(r), initials)
	sum := sha256.Sum256(svg)
	s.avatarCaching(w, r)
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("ETag", `"`+hex.EncodeToString(sum[:12])+`"`)
	http.ServeContent(w, r, "", svgModified, bytes.NewReader(svg))
}

// serveUserAvatar answers the uploaded avatar of u, or its initials.
func (s *Server) serveUserAvatar(w http.ResponseWriter, r *http.Request, name string, u *model.User, img *app.AvatarImage) {
	if img == nil {
		initials := 1
		if u != nil && s.app.Settings.Bool("UI_Use_Name_Avatar") && strings.TrimSpace(u.Name) != "" {
			name, initials = u.Name, 3
		}
		s.serveSVG(w, r, name, initials)
		return
	}
	defer img.Close()
	if img.Link != "" {
		// Short-lived links must not be cached for the avatar's cache time.
		w.Header().Set("Cache-Control", "private, no-cache")
		http.Redirect(w, r, img.Link, http.StatusFound)
		return
	}
	s.avatarCaching(w, r)
	h := w.Header()
	h.Set("Content-Type", img.Type)
	h.Set("ETag", `"`+img.ETag+`"`)
	// The bytes are the user's, not ours: never let them run as a page.
	h.Set("Content-Security-Policy", "default-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", img.ModTime(), img)
}

// avatarByName serves GET /avatar/{name}: the uploaded avatar of that user,
// else the initials of the name; /avatar/@text always draws text.
func (s *Server) avatarByName(w http.ResponseWriter, r *http.Request) {
	viewer := s.avatarViewer(r)
	if !s.avatarAllowed(w, r, viewer) {
		return
	}
	name := r.PathValue("name")
	if ext := strings.LastIndexByte(name, '.'); ext > 0 && mime.TypeByExtension(name[ext:]) != "" && strings.HasPrefix(mime.TypeByExtension(name[ext:]), "image/") {
		// Clients ask for /avatar/alice.jpg too.
		name = name[:ext]
	}
	if text, ok := strings.CutPrefix(name, "@"); ok {
		s.serveSVG(w, r, text, 1)
		return
	}
	u, img, err := s.app.UserAvatarByName(r.Context(), name)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	s.serveUserAvatar(w, r, name, u, img)
}

// avatarByUserID serves GET /avatar/uid/{id}.
func (s *Server) avatarByUserID(w http.ResponseWriter, r *http.Request) {
	viewer := s.avatarViewer(r)
	if !s.avatarAllowed(w, r, viewer) {
		return
	}
	u, img, err := s.app.UserAvatarByID(r.Context(), r.PathValue("id"))
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if u == nil || u.Username == "" {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	s.serveUserAvatar(w, r, u.Username, u, img)
}

// avatarOfRoom serves GET /avatar/room/{rid}: the initials of the room's
// name (a discussion's parent's; for a direct conversation the other
// member's, as the caller sees it).
func (s *Server) avatarOfRoom(w http.ResponseWriter, r *http.Request) {
	viewer := s.avatarViewer(r)
	if !s.avatarAllowed(w, r, viewer) {
		return
	}
	img, err := s.app.RoomAvatarImage(r.Context(), r.PathValue("rid"))
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if img != nil {
		s.serveUserAvatar(w, r, "", nil, img)
		return
	}
	name, ok, err := s.app.RoomAvatarName(r.Context(), viewer, r.PathValue("rid"))
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	s.serveSVG(w, r, name, 1)
}

// mountAvatars adds the avatar routes beside the API.
func (s *Server) mountAvatars() {
	s.mux.Handle("GET /avatar/room/{rid}", s.wrap("avatar-room", s.avatarOfRoom))
	s.mux.Handle("GET /avatar/uid/{id}", s.wrap("avatar-uid", s.avatarByUserID))
	s.mux.Handle("GET /avatar/{name}", s.wrap("avatar", s.avatarByName))
}

// usersGetAvatar is users.getAvatar: a redirect to the avatar's address.
func (s *Server) usersGetAvatar(c *request, in *userRefIn) (any, error) {
	u, err := s.app.FindUserByRef(c.ctx, app.UserRef{ID: in.UserID, Username: in.Username})
	if err != nil {
		return nil, err
	}
	url := strings.TrimRight(s.app.SiteURL(), "/") + "/avatar/" + u.Username
	c.w.Header().Set("Location", url)
	return withStatus{status: http.StatusTemporaryRedirect, body: url}, nil
}

// usersSetAvatarIn is the JSON body of users.setAvatar.
type usersSetAvatarIn struct {
	AvatarURL string `json:"avatarUrl"`
	UserID    string `json:"userId"`
	Username  string `json:"username"`
}

// maxAvatarBytes bounds an uploaded avatar (the request body limit bounds
// it too).
const maxAvatarBytes = 10 << 20

// usersSetAvatar is users.setAvatar: an image uploaded as the form field
// "image", or the JSON avatarUrl of one.
func (s *Server) usersSetAvatar(c *request) (any, error) {
	if c.r.Header.Get("Content-Type") == "" {
		return nil, app.Plain("Missing Content-Type")
	}
	ct, _, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		var in usersSetAvatarIn
		if err := c.bindBody(&in); err != nil {
			return nil, err
		}
		if in.AvatarURL == "" {
			return nil, app.Plain("The 'image' param is required")
		}
		return nil, s.app.SetAvatar(c.ctx, c.user, app.AvatarInput{User: app.UserRef{ID: in.UserID, Username: in.Username}, URL: in.AvatarURL})
	}
	mr, err := c.r.MultipartReader()
	if err != nil {
		return nil, app.Plain("The 'image' param is required")
	}
	in := app.AvatarInput{Form: true}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if isTooLarge(err) {
				return nil, tooLarge(maxAvatarBytes)
			}
			return nil, app.E("error-file-upload-incomplete", "The upload did not complete")
		}
		limit := int64(maxFieldBytes)
		if part.FormName() == "image" {
			limit = maxAvatarBytes
		}
		b, err := io.ReadAll(io.LimitReader(part, limit+1))
		part.Close()
		if err != nil {
			if isTooLarge(err) {
				return nil, tooLarge(maxAvatarBytes)
			}
			return nil, app.E("error-file-upload-incomplete", "The upload did not complete")
		}
		if int64(len(b)) > limit {
			return nil, tooLarge(limit)
		}
		switch part.FormName() {
		case "image":
			in.Data = b
		case "userId":
			in.User.ID = string(b)
		case "username":
			in.User.Username = string(b)
		}
	}
	if len(in.Data) == 0 {
		return nil, app.Plain("The 'image' param is required")
	}
	return nil, s.app.SetAvatar(c.ctx, c.user, in)
}

// usersResetAvatar is users.resetAvatar.
func (s *Server) usersResetAvatar(c *request, in *userRefIn) (any, error) {
	return nil, s.app.ResetAvatar(c.ctx, c.user, app.UserRef{ID: in.UserID, Username: in.Username})
}
