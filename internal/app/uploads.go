package app

import (
	"context"
	"encoding/json"
	"errors"
	"image"
	_ "image/gif" // image dimensions of uploads
	_ "image/jpeg"
	_ "image/png"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parleychat/parley/internal/files"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// unconfirmedTTL is how long an upload waits for its message.
const unconfirmedTTL = 24 * time.Hour

var (
	errUploadDisabled  = E("error-file-upload-disabled", "File upload is disabled")
	errUploadDirect    = E("error-direct-message-file-upload-not-allowed", "File upload not allowed in direct messages")
	errInvalidFileType = E("error-invalid-file-type", "File type is not accepted")
)

// UploadLimit is FileUpload_MaxFileSize in bytes; negative means none.
func (a *App) UploadLimit() int64 {
	n := int64(a.Settings.Int("FileUpload_MaxFileSize"))
	if n < 0 {
		return -1
	}
	return n
}

func errTooLarge(limit int64) error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Type: "error-file-too-large",
		Reason: "File size exceeds allowed size of " + strconv.FormatInt(limit, 10) + " bytes"}
}

// UploadRoom checks, before any byte of an upload is read, that u may
// upload into room rid, and returns the room.
func (a *App) UploadRoom(ctx context.Context, u *model.User, rid string) (*model.Room, error) {
	if a.files == nil || !a.Settings.Bool("FileUpload_Enabled") {
		return nil, errUploadDisabled
	}
	r, err := a.roomForRead(ctx, u, rid, ErrForbidden)
	if err != nil {
		return nil, err
	}
	if r.T == model.RoomDirect && !a.Settings.Bool("FileUpload_Enabled_Direct") {
		return nil, errUploadDirect
	}
	return r, nil
}

// UploadInput is one uploaded file as the client sent it.
type UploadInput struct {
	Name string
	Type string // the part's media type; guessed from the name when absent
	Body io.Reader
}

// Upload stores a file for room r, unconfirmed until a message uses it.
// Nothing is recorded unless the whole file arrived within the size limit.
func (a *App) Upload(ctx context.Context, u *model.User, r *model.Room, in UploadInput) (*model.File, error) {
	name := SafeFileName(in.Name)
	typ := fileType(name, in.Type)
	if !a.typeAllowed(typ) {
		return nil, errInvalidFileType
	}
	now := a.now()
	expires := now + model.Time(unconfirmedTTL.Milliseconds())
	f := &model.File{
		ID: model.NewID(), Name: name, Type: typ, TypeGroup: typeGroup(typ), Extension: extension(name),
		RID: r.ID, UserID: u.ID, Store: a.files.Name(), Complete: true, Progress: 1,
		UploadedAt: now, UpdatedAt: now, ExpiresAt: &expires,
	}
	f.URL = "/file-upload/" + f.ID + "/" + url.PathEscape(name)
	f.Path = f.URL
	limit := a.UploadLimit()
	size, digest, err := a.files.Put(ctx, f.ID, in.Body, limit)
	if errors.Is(err, files.ErrTooLarge) {
		return nil, errTooLarge(limit)
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errTooLarge(limit)
		}
		a.log.Info("upload interrupted", "rid", r.ID, "user_id", u.ID, "err", err)
		return nil, E("error-file-upload-incomplete", "The upload did not complete")
	}
	f.Size, f.ETag = size, digest
	if f.TypeGroup == "image" {
		f.Identify = a.identifyImage(ctx, f.ID)
	}
	if err := a.tx(ctx, func(st store.Store) error { return st.Files().Insert(ctx, f) }); err != nil {
		a.dropBlob(f.ID)
		return nil, err
	}
	return f, nil
}

// DiscardUpload forgets an upload whose request failed after the file was
// stored.
func (a *App) DiscardUpload(ctx context.Context, f *model.File) {
	err := a.tx(ctx, func(st store.Store) error { return st.Files().Delete(ctx, f.ID) })
	if err != nil && !isNotFound(err) {
		// The row still names the blob: deleting the bytes would leave a
		// file record whose download fails.
		a.log.Warn("discard upload: keep its bytes, the record remains", "file_id", f.ID, "err", err)
		return
	}
	a.dropBlob(f.ID)
}

func (a *App) dropBlob(id string) {
	if a.files == nil {
		return
	}
	if err := a.files.Delete(context.Background(), id); err != nil {
		a.log.Warn("delete upload", "file_id", id, "err", err)
	}
}

// identifyImage reads an image's dimensions, when its format is known.
func (a *App) identifyImage(ctx context.Context, id string) *model.FileIdentify {
	obj, err := a.files.Open(ctx, id)
	if err != nil {
		return nil
	}
	defer obj.Close()
	cfg, format, err := image.DecodeConfig(obj)
	if err != nil {
		return nil
	}
	return &model.FileIdentify{Format: format, Size: model.ImageSize{Width: cfg.Width, Height: cfg.Height}}
}

// SafeFileName keeps the last element of a client's file name, without
// control characters, so that it can never name a path; the bytes are
// stored under the upload id anyway.
func SafeFileName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || strings.Trim(name, ".") == "" {
		return "file"
	}
	for len(name) > 255 {
		_, n := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-n]
	}
	return name
}

// fileType is the upload's media type: the client's, unless it sent none
// or only a generic one and the extension says better.
func fileType(name, sent string) string {
	t, _, err := mime.ParseMediaType(sent)
	if err != nil || t == "" || t == "application/octet-stream" {
		if g, _, err := mime.ParseMediaType(mime.TypeByExtension(path.Ext(name))); err == nil && g != "" {
			return g
		}
		if t == "" {
			return "application/octet-stream"
		}
	}
	return strings.ToLower(t)
}

func typeGroup(t string) string {
	g, _, _ := strings.Cut(t, "/")
	return g
}

func extension(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return strings.ToLower(name[i+1:])
	}
	return ""
}

// typeAllowed applies FileUpload_MediaTypeBlackList, then
// FileUpload_MediaTypeWhiteList (empty allows all); entries may be
// wildcards such as image/*.
func (a *App) typeAllowed(t string) bool {
	if typeListed(a.Settings.String("FileUpload_MediaTypeBlackList"), t) {
		return false
	}
	white := strings.TrimSpace(a.Settings.String("FileUpload_MediaTypeWhiteList"))
	return white == "" || typeListed(white, t)
}

func typeListed(list, t string) bool {
	for _, e := range strings.Split(list, ",") {
		e = strings.ToLower(strings.TrimSpace(e))
		switch {
		case e == "":
		case e == t, e == "*", e == "*/*":
			return true
		case strings.HasSuffix(e, "/*") && strings.HasPrefix(t, strings.TrimSuffix(e, "*")):
			return true
		}
	}
	return false
}

// ConfirmInput is rooms.mediaConfirm's body.
type ConfirmInput struct {
	Msg          string
	Description  string
	TMID         string
	CustomFields map[string]any
}

// ConfirmUpload is rooms.mediaConfirm: the caller's upload in rid becomes a
// file message.
func (a *App) ConfirmUpload(ctx context.Context, u *model.User, rid, fileID string, in ConfirmInput) (*model.Message, error) {
	r, err := a.roomForRead(ctx, u, rid, ErrForbidden)
	if err != nil {
		return nil, err
	}
	f, err := a.store.Files().Get(ctx, fileID)
	if isNotFound(err) || (err == nil && (f.UserID != u.ID || f.RID != rid)) {
		return nil, E("invalid-file", "")
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if a.tooLong(in.Description) || a.tooLong(in.Msg) {
		return nil, E("error-message-size-exceeded", "Message size exceeds Message_MaxAllowedSize")
	}
	if err := a.canSend(ctx, r, u); err != nil {
		return nil, err
	}
	var known *model.Message
	if in.TMID != "" {
		// Threads do not nest; validateMessage then checks the root's room.
		parent, err := a.store.Messages().Get(ctx, in.TMID)
		if err != nil && !isNotFound(err) {
			return nil, a.storeErr(err)
		}
		if err == nil && parent.TMID != "" && parent.RID == rid {
			in.TMID, parent = parent.TMID, nil
		}
		known = parent
	}
	msgIn := MessageInput{Msg: strings.TrimSpace(in.Msg), TMID: in.TMID, CustomFields: in.CustomFields, parent: known}
	if err := a.validateMessage(ctx, r, u, msgIn); err != nil {
		return nil, err
	}
	msgIn.Attachments = []map[string]any{fileAttachment(f, in.Description)}
	no := false
	msgIn.Groupable = &no
	m, err := a.buildMessage(ctx, r, u, msgIn)
	if err != nil {
		return nil, err
	}
	ref := fileRef(f)
	m.File = ref
	m.Files = []json.RawMessage{ref}
	if err := a.checkGroupMentions(ctx, r, u, m); err != nil {
		return nil, err
	}
	err = a.tx(ctx, func(st store.Store) error {
		cur, err := st.Files().Get(ctx, f.ID)
		if err != nil {
			return err
		}
		if err := a.saveMessage(ctx, st, r, m, 0); err != nil {
			return err
		}
		cur.ExpiresAt, cur.Description, cur.UpdatedAt = nil, in.Description, a.now()
		return st.Files().Update(ctx, cur)
	})
	if isNotFound(err) {
		return nil, E("invalid-file", "")
	}
	if err != nil {
		return nil, err
	}
	a.afterCommit(m, false)
	return a.normalize(ctx, u, m)
}

// fileRef is the message's file object.
func fileRef(f *model.File) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"_id": f.ID, "name": f.Name, "type": f.Type, "size": f.Size, "format": f.Extension})
	return b
}

// fileAttachment is the attachment Rocket.Chat's sendFileMessage writes:
// images, audio and video get their *_url, *_type and *_size; other
// files their format and size.
func fileAttachment(f *model.File, description string) map[string]any {
	at := map[string]any{
		"ts": model.Time(0), "title": f.Name, "type": "file", "title_link": f.URL, "title_link_download": true,
		"description": description,
	}
	switch f.TypeGroup {
	case "image", "audio", "video":
		g := f.TypeGroup
		at[g+"_url"], at[g+"_type"], at[g+"_size"] = f.URL, f.Type, f.Size
		if f.Identify != nil {
			at["image_dimensions"] = map[string]any{"width": f.Identify.Size.Width, "height": f.Identify.Size.Height}
		}
	default:
		at["format"], at["size"] = f.Extension, f.Size
	}
	return at
}

// OpenUpload opens a confirmed or pending file for u (nil when nobody is
// logged in). With FileUpload_ProtectFiles, only who can see the file's
// room may read it; anything else looks missing or forbidden.
func (a *App) OpenUpload(ctx context.Context, u *model.User, id string) (*model.File, files.Object, error) {
	if a.files == nil {
		return nil, nil, &Error{Status: http.StatusNotFound, Reason: "Not found", Plain: true}
	}
	f, err := a.store.Files().Get(ctx, id)
	if isNotFound(err) {
		return nil, nil, &Error{Status: http.StatusNotFound, Reason: "Not found", Plain: true}
	}
	if err != nil {
		return nil, nil, a.storeErr(err)
	}
	if a.Settings.Bool("FileUpload_ProtectFiles") {
		if u == nil {
			return nil, nil, ErrForbidden
		}
		if _, err := a.roomForRead(ctx, u, f.RID, ErrForbidden); err != nil {
			return nil, nil, err
		}
	}
	obj, err := a.files.Open(ctx, f.ID)
	if errors.Is(err, files.ErrNotFound) {
		return nil, nil, &Error{Status: http.StatusNotFound, Reason: "Not found", Plain: true}
	}
	if err != nil {
		return nil, nil, err
	}
	return f, obj, nil
}

// messageFileIDs lists the uploads a message carries.
func messageFileIDs(m *model.Message) []string {
	var ids []string
	add := func(raw json.RawMessage) {
		var ref struct {
			ID string `json:"_id"`
		}
		if json.Unmarshal(raw, &ref) == nil && ref.ID != "" {
			for _, x := range ids {
				if x == ref.ID {
					return
				}
			}
			ids = append(ids, ref.ID)
		}
	}
	if len(m.File) > 0 {
		add(m.File)
	}
	for _, raw := range m.Files {
		add(raw)
	}
	return ids
}

// dropMessageFiles removes the uploads of a deleted message: the records
// within st's transaction, the bytes at once (a rollback after this would
// leave records whose downloads answer 404, as a deleted file does).
func (a *App) dropMessageFiles(ctx context.Context, st store.Store, m *model.Message) error {
	for _, id := range messageFileIDs(m) {
		if err := st.Files().Delete(ctx, id); err != nil && !isNotFound(err) {
			return err
		}
		a.dropBlob(id)
	}
	return nil
}

// dropRoomFiles removes every upload of a room being erased.
func (a *App) dropRoomFiles(ctx context.Context, st store.Store, rid string) error {
	list, _, err := st.Files().List(ctx, store.FileFilter{RID: rid}, store.ListOptions{})
	if err != nil {
		return err
	}
	for _, f := range list {
		if err := st.Files().Delete(ctx, f.ID); err != nil && !isNotFound(err) {
			return err
		}
		a.dropBlob(f.ID)
	}
	return nil
}
