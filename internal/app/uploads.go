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

// Upload streams a file for room r into storage. Nothing is recorded: the
// caller reads the rest of the form and then calls SaveUpload, or
// DiscardUpload to drop the bytes.
func (a *App) Upload(ctx context.Context, u *model.User, r *model.Room, in UploadInput) (*model.File, error) {
	name := SafeFileName(in.Name)
	typ := fileType(name, in.Type)
	now := a.now()
	expires := now + model.Time(unconfirmedTTL.Milliseconds())
	f := &model.File{
		ID: model.NewID(), Name: name, Type: typ, TypeGroup: typeGroup(typ), Extension: extension(name),
		RID: r.ID, UserID: u.ID, Complete: true, Progress: 1,
		UploadedAt: now, UpdatedAt: now, ExpiresAt: &expires,
	}
	f.URL = "/file-upload/" + f.ID + "/" + url.PathEscape(name)
	f.Path = f.URL
	limit := a.UploadLimit()
	kind, size, digest, err := a.files.Put(ctx, f.ID, in.Body, limit)
	if e, ok := AsError(err); ok {
		return nil, e
	}
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
	f.Store, f.Size, f.ETag = kind+":Uploads", size, digest
	return f, nil
}

// SaveUpload checks a stored file against the upload rules, now that the
// whole form is known, and records it, unconfirmed. content is the
// client's end-to-end encryption payload, if any: an encrypted file is
// always application/octet-stream, whatever the client said, and is
// accepted only with E2E_Enable_Encrypt_Files.
func (a *App) SaveUpload(ctx context.Context, f *model.File, content json.RawMessage) error {
	white := ""
	if len(content) > 0 {
		f.Content = content
		if isEncrypted(content) {
			if !a.Settings.Bool("E2E_Enable_Encrypt_Files") {
				return E("error-invalid-file-type", "Encrypted file not allowed")
			}
			f.Type, f.TypeGroup = octetStream, typeGroup(octetStream)
			white = octetStream
		}
	}
	if !a.typeAllowed(f.Type, white) {
		return errInvalidFileType
	}
	if f.TypeGroup == "image" {
		f.Identify = a.identifyImage(ctx, f)
	}
	return a.tx(ctx, func(st store.Store) error { return st.Files().Insert(ctx, f) })
}

// isEncrypted says whether an upload's content is an end-to-end
// encryption payload: an algorithm and a ciphertext.
func isEncrypted(content json.RawMessage) bool {
	var c struct {
		Algorithm  any `json:"algorithm"`
		Ciphertext any `json:"ciphertext"`
	}
	if json.Unmarshal(content, &c) != nil {
		return false
	}
	return truthy(c.Algorithm) && truthy(c.Ciphertext)
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case bool:
		return x
	case float64:
		return x != 0
	}
	return true
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
func (a *App) identifyImage(ctx context.Context, f *model.File) *model.FileIdentify {
	obj, _, err := a.files.Open(ctx, storeKind(f.Store), f.ID)
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

// extraTypes are the extensions whose type Rocket.Chat fixes on top of
// the common tables; they are looked at before the system's table, which
// varies from host to host.
var extraTypes = map[string]string{
	".lst": "text/plain",
	".wav": "audio/wav",
	".ico": "image/x-icon",
	".aac": "audio/aac",
}

// typeByName is the media type a file name suggests, or "".
func typeByName(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if ext == "" {
		return ""
	}
	if t, ok := extraTypes[ext]; ok {
		return t
	}
	t, _, err := mime.ParseMediaType(mime.TypeByExtension(ext))
	if err != nil {
		return ""
	}
	return t
}

// knownType says whether t is a media type with a known extension: a
// client's type that no table knows says nothing about the file.
func knownType(t string) bool {
	for _, typ := range extraTypes {
		if typ == t {
			return true
		}
	}
	exts, err := mime.ExtensionsByType(t)
	return err == nil && len(exts) > 0
}

// fileType is the upload's media type: the client's, when it is a known
// specific type; otherwise the one the file's extension suggests; else
// application/octet-stream.
func fileType(name, sent string) string {
	t, _, err := mime.ParseMediaType(sent)
	t = strings.ToLower(t)
	if err == nil && t != "" && t != octetStream && knownType(t) {
		return t
	}
	if g := typeByName(name); g != "" {
		return g
	}
	return octetStream
}

const octetStream = "application/octet-stream"

// fileFormat is an attachment's format: the file's extension in capitals,
// or "file" when the name has none (a leading dot does not start one).
func fileFormat(name string) string {
	parts := strings.Split(name, ".")
	if len(parts) < 2 || (parts[0] == "" && len(parts) == 2) || parts[len(parts)-1] == "" {
		return "file"
	}
	return strings.ToUpper(parts[len(parts)-1])
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

// typeAllowed applies FileUpload_MediaTypeBlackList, then white, or
// FileUpload_MediaTypeWhiteList when white is empty (an empty list allows
// all); entries may be wildcards such as image/*.
func (a *App) typeAllowed(t, white string) bool {
	if typeListed(a.Settings.String("FileUpload_MediaTypeBlackList"), t) {
		return false
	}
	if white == "" {
		white = strings.TrimSpace(a.Settings.String("FileUpload_MediaTypeWhiteList"))
	}
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
	var extras imageExtras
	if f.TypeGroup == "image" {
		extras = a.imageExtras(ctx, f)
	}
	saved := false
	defer func() {
		if extras.thumb != nil && !saved {
			a.dropBlob(extras.thumb.ID)
		}
	}()
	msgIn.Attachments = []map[string]any{fileAttachment(f, in.Description, extras)}
	no := false
	msgIn.Groupable = &no
	m, err := a.buildMessage(ctx, r, u, msgIn)
	if err != nil {
		return nil, err
	}
	ref := fileRef(f)
	m.File = ref
	m.Files = []json.RawMessage{ref}
	if extras.thumb != nil {
		m.Files = append(m.Files, fileRef(extras.thumb))
	}
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
		if extras.thumb != nil {
			if err := st.Files().Insert(ctx, extras.thumb); err != nil {
				return err
			}
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
	saved = true
	a.afterCommit(m, false)
	return a.normalize(ctx, u, m)
}

// fileRef is the message's file object; its format is the image format
// found in the file, empty for other files.
func fileRef(f *model.File) json.RawMessage {
	format := ""
	if f.Identify != nil {
		format = f.Identify.Format
	}
	b, _ := json.Marshal(map[string]any{"_id": f.ID, "name": f.Name, "type": f.Type, "size": f.Size, "format": format})
	return b
}

// fileAttachment is the attachment Rocket.Chat's sendFileMessage writes:
// images, audio and video get their *_url, *_type and *_size; other
// files their format (the extension in capitals) and size. An image with
// a thumbnail points image_url at it, under the original's name.
func fileAttachment(f *model.File, description string, extras imageExtras) map[string]any {
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
		if extras.previewB64 != "" {
			at["image_preview"] = extras.previewB64
		}
		if t := extras.thumb; t != nil {
			at["image_url"] = "/file-upload/" + t.ID + "/" + url.PathEscape(f.Name)
			at["image_type"] = t.Type
			at["image_dimensions"] = map[string]any{"width": extras.thumbW, "height": extras.thumbH}
		}
	default:
		at["format"], at["size"] = fileFormat(f.Name), f.Size
	}
	return at
}

// Download is an upload opened for its downloader.
type Download struct {
	File   *model.File
	Object files.Object
	stores *fileStores
	in     files.Storage
}

// Link is where the downloader may fetch the file from the storage itself
// (a presigned address into the AmazonS3 bucket while
// FileUpload_S3_Proxy_Uploads is off), answering with the given headers;
// "" when Parley serves the bytes.
func (d *Download) Link(ctx context.Context, contentType, disposition string) string {
	return d.stores.link(ctx, d.in, "FileUpload_S3_Proxy_Uploads", d.File.ID, contentType, disposition)
}

// OpenUpload opens a confirmed or pending file for u (nil when nobody is
// logged in), after its access check. A refused caller gets
// ErrFileForbidden, a missing file ErrFileNotFound.
func (a *App) OpenUpload(ctx context.Context, u *model.User, id string) (*Download, error) {
	if a.files == nil {
		return nil, ErrFileNotFound
	}
	f, err := a.store.Files().Get(ctx, id)
	if isNotFound(err) {
		return nil, ErrFileNotFound
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	ok, err := a.canDownload(ctx, u, f)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrFileForbidden
	}
	obj, in, err := a.files.Open(ctx, storeKind(f.Store), f.ID)
	if errors.Is(err, files.ErrNotFound) {
		return nil, ErrFileNotFound
	}
	if err != nil {
		return nil, err
	}
	return &Download{File: f, Object: obj, stores: a.files, in: in}, nil
}

var (
	// ErrFileNotFound and ErrFileForbidden answer a download with a bare
	// status, as a static file server does.
	ErrFileNotFound  = &Error{Status: http.StatusNotFound, Plain: true}
	ErrFileForbidden = &Error{Status: http.StatusForbidden, Plain: true}
)

// canDownload applies FileUpload_ProtectFiles: when it is on, only a
// logged-in user may download, and of a room's files, with
// FileUpload_Restrict_to_room_members only its members, with
// FileUpload_Restrict_to_users_who_can_access_room only who can access
// the room, and with both settings on nobody.
func (a *App) canDownload(ctx context.Context, u *model.User, f *model.File) (bool, error) {
	if !a.Settings.Bool("FileUpload_ProtectFiles") {
		return true, nil
	}
	if u == nil {
		return false, nil
	}
	if f.RID == "" {
		return true, nil
	}
	members := a.Settings.Bool("FileUpload_Restrict_to_room_members")
	access := a.Settings.Bool("FileUpload_Restrict_to_users_who_can_access_room")
	switch {
	case !members && !access:
		return true, nil
	case members && !access:
		_, err := a.store.Subscriptions().Get(ctx, f.RID, u.ID)
		if isNotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, a.storeErr(err)
		}
		return true, nil
	case access && !members:
		r, err := a.store.Rooms().Get(ctx, f.RID)
		if isNotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, a.storeErr(err)
		}
		return a.canSee(ctx, r, u)
	}
	return false, nil
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
// within st's transaction, the bytes once it has committed (a rollback
// leaves both).
func (a *App) dropMessageFiles(ctx context.Context, st store.Store, m *model.Message) error {
	for _, id := range messageFileIDs(m) {
		if err := st.Files().Delete(ctx, id); err != nil && !isNotFound(err) {
			return err
		}
		a.onCommit(st, func() { a.dropBlob(id) })
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
		a.onCommit(st, func() { a.dropBlob(f.ID) })
	}
	return nil
}
