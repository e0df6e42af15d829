package api

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/parleychat/parley/internal/app"
	"github.com/parleychat/parley/internal/model"
)

// uploadPaths are the routes whose bodies are files: they are exempt from
// the general body limit and bounded by FileUpload_MaxFileSize instead.
var uploadPaths = []string{"/api/v1/rooms.media/", "/api/v1/rooms.upload/"}

func isUploadPath(p string) bool {
	for _, prefix := range uploadPaths {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// maxFieldBytes bounds each non-file form field of an upload.
const maxFieldBytes = 1 << 20

// upload is a parsed multipart upload: the stored file and the other
// fields.
type upload struct {
	file   *model.File
	fields map[string]string
}

// readUpload streams the multipart body of an upload into storage and
// records it. The room is checked before any byte is read; a body that
// breaks off, in the file or after it, leaves no record behind. Only one
// file, in the field "file", is accepted. rooms.media passes withContent
// to take the "content" field as the file's encryption payload.
func (s *Server) readUpload(c *request, rid string, withContent bool) (*upload, error) {
	r, err := s.app.UploadRoom(c.ctx, c.user, rid)
	if err != nil {
		return nil, err
	}
	if limit := s.app.UploadLimit(); limit >= 0 {
		c.r.Body = http.MaxBytesReader(c.w, c.r.Body, limit+maxFieldBytes*4)
	}
	ct, _, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return nil, app.E("error-no-file-uploaded", "No file was uploaded")
	}
	mr, err := c.r.MultipartReader()
	if err != nil {
		return nil, app.E("error-no-file-uploaded", "No file was uploaded")
	}
	up := &upload{fields: map[string]string{}}
	fail := func(err error) (*upload, error) {
		if up.file != nil {
			s.app.DiscardUpload(c.ctx, up.file)
		}
		return nil, err
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if isTooLarge(err) {
				return fail(tooLarge(s.app.UploadLimit()))
			}
			return fail(app.E("error-file-upload-incomplete", "The upload did not complete"))
		}
		name := part.FormName()
		if part.FileName() != "" {
			switch {
			case up.file != nil:
				part.Close()
				return fail(app.Plain("Just 1 file is allowed"))
			case name != "file":
				part.Close()
				return fail(app.E("invalid-field", ""))
			}
			f, err := s.app.Upload(c.ctx, c.user, r, app.UploadInput{Name: part.FileName(), Type: part.Header.Get("Content-Type"), Body: part})
			part.Close()
			if err != nil {
				return fail(err)
			}
			up.file = f
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
		part.Close()
		if err != nil {
			if isTooLarge(err) {
				return fail(tooLarge(s.app.UploadLimit()))
			}
			return fail(app.E("error-file-upload-incomplete", "The upload did not complete"))
		}
		if len(b) > maxFieldBytes {
			return fail(app.Invalid("form field " + name + " is too large"))
		}
		up.fields[name] = string(b)
	}
	if up.file == nil {
		return nil, app.E("error-no-file-uploaded", "No file was uploaded")
	}
	var content json.RawMessage
	if raw := up.fields["content"]; withContent && raw != "" {
		if !json.Valid([]byte(raw)) {
			return fail(app.E("invalid-field-content", ""))
		}
		content = json.RawMessage(raw)
	}
	if err := s.app.SaveUpload(c.ctx, up.file, content); err != nil {
		return fail(err)
	}
	return up, nil
}

func tooLarge(limit int64) error {
	return &app.Error{Status: http.StatusRequestEntityTooLarge, Type: "error-file-too-large",
		Reason: "File size exceeds allowed size of " + strconv.FormatInt(limit, 10) + " bytes"}
}

// roomsMedia is rooms.media/:rid, the first step of an upload: the file is
// stored, unconfirmed until rooms.mediaConfirm.
func (s *Server) roomsMedia(c *request) (any, error) {
	up, err := s.readUpload(c, c.r.PathValue("rid"), true)
	if err != nil {
		return nil, err
	}
	return M{"file": M{"_id": up.file.ID, "url": up.file.URL}}, nil
}

// roomsMediaConfirm is rooms.mediaConfirm/:rid/:fileId: the upload becomes
// a file message.
func (s *Server) roomsMediaConfirm(c *request) (any, error) {
	var in struct {
		_            openKeys
		Msg          string         `json:"msg"`
		Description  string         `json:"description"`
		TMID         string         `json:"tmid"`
		CustomFields map[string]any `json:"customFields"`
		_            string         `key:"fileName"`
		_            any            `key:"fileContent"`
	}
	if err := c.bindBody(&in); err != nil {
		return nil, err
	}
	m, err := s.app.ConfirmUpload(c.ctx, c.user, c.r.PathValue("rid"), c.r.PathValue("fileId"), app.ConfirmInput{
		Msg: in.Msg, Description: in.Description, TMID: in.TMID, CustomFields: in.CustomFields,
	})
	if err != nil {
		return nil, err
	}
	return M{"message": m}, nil
}

// roomsUpload is the legacy one-step rooms.upload/:rid: upload and message
// in one request. A refused message leaves no file behind.
func (s *Server) roomsUpload(c *request) (any, error) {
	up, err := s.readUpload(c, c.r.PathValue("rid"), false)
	if err != nil {
		return nil, err
	}
	in := app.ConfirmInput{Msg: up.fields["msg"], Description: up.fields["description"], TMID: up.fields["tmid"]}
	if cf := up.fields["customFields"]; cf != "" {
		if err := json.Unmarshal([]byte(cf), &in.CustomFields); err != nil {
			s.app.DiscardUpload(c.ctx, up.file)
			return nil, app.E("invalid-field", "")
		}
	}
	m, err := s.app.ConfirmUpload(c.ctx, c.user, c.r.PathValue("rid"), up.file.ID, in)
	if err != nil {
		s.app.DiscardUpload(c.ctx, up.file)
		return nil, err
	}
	return M{"message": m}, nil
}

// downloader is the caller of a download link, known as Rocket.Chat knows
// it: by the rc_uid/rc_token query parameters, else the rc_uid/rc_token
// cookies (which browsers send for <img> and <a> links), else the
// X-User-Id/X-Auth-Token headers; nil when anonymous or the credentials are
// stale. It reports false after answering a failure.
func (s *Server) downloader(w http.ResponseWriter, r *http.Request) (*model.User, bool) {
	q := r.URL.Query()
	uid, tok := q.Get("rc_uid"), q.Get("rc_token")
	if uid == "" {
		if c, err := r.Cookie("rc_uid"); err == nil {
			uid = c.Value
		}
		if c, err := r.Cookie("rc_token"); err == nil {
			tok = c.Value
		}
	}
	if uid == "" {
		uid = r.Header.Get("X-User-Id")
	}
	if tok == "" {
		tok = r.Header.Get("X-Auth-Token")
	}
	if uid == "" || tok == "" {
		return nil, true
	}
	u, err := s.app.Authenticate(r.Context(), uid, tok)
	if err == nil {
		setUserID(r, u.ID)
		return u, true
	}
	if e, ok := app.AsError(err); !ok || e != app.ErrUnauthorized {
		writeError(w, r, s.log, err)
		return nil, false
	}
	return nil, true
}

// fileDownload serves GET /file-upload/:id/:name and the older
// /ufs/<store>:Uploads/:id/:name to the downloader. The name in the path
// is only there for the browser.
func (s *Server) fileDownload(w http.ResponseWriter, r *http.Request) {
	// A body on a download means nothing, but is read before answering:
	// a reply sent while the client still writes can reset the
	// connection. The general body limit bounds it.
	_, _ = io.Copy(io.Discard, r.Body)
	if st := r.PathValue("store"); st != "" && !uploadStores[st] {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	u, ok := s.downloader(w, r)
	if !ok {
		return
	}
	d, err := s.app.OpenUpload(r.Context(), u, r.PathValue("id"))
	if err == app.ErrFileNotFound || err == app.ErrFileForbidden {
		w.WriteHeader(err.(*app.Error).Status)
		return
	}
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	f, obj := d.File, d.Object
	defer obj.Close()
	h := w.Header()
	disposition := "attachment"
	if _, download := r.URL.Query()["download"]; !download && inlineType(f.Type) {
		disposition = "inline"
	}
	disposition += "; filename*=UTF-8''" + url.PathEscape(f.Name)
	// Revalidate with the ETag instead of the API's no-store; never let a
	// shared cache keep a protected file.
	h.Set("Cache-Control", "private, no-cache")
	h.Del("Pragma")
	if link := d.Link(r.Context(), f.Type, disposition); link != "" {
		// The access check is done: the bytes come from the bucket.
		http.Redirect(w, r, link, http.StatusFound)
		return
	}
	h.Set("Content-Type", f.Type)
	if f.ETag != "" {
		h.Set("ETag", `"`+f.ETag+`"`)
	}
	// Uploaded HTML or SVG must not run as this site's page.
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'")
	h.Set("Content-Disposition", disposition)
	http.ServeContent(w, r, "", obj.ModTime(), obj)
}

// uploadStores are the store names of Rocket.Chat's /ufs/ download paths,
// which older clients and stored messages still use. The upload record
// says where the bytes are, so each of them serves any upload.
var uploadStores = map[string]bool{
	"GridFS:Uploads": true, "FileSystem:Uploads": true, "AmazonS3:Uploads": true,
	"GoogleCloudStorage:Uploads": true, "Webdav:Uploads": true,
}

// inlineType says whether a browser may show a file in place: media, but
// not SVG, which can carry scripts.
func inlineType(t string) bool {
	if t == "image/svg+xml" {
		return false
	}
	for _, p := range []string{"image/", "audio/", "video/"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return t == "application/pdf"
}
