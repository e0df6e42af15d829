package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/parleychat/parley/internal/files"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// Avatar origins as Rocket.Chat stores them on the user.
const (
	AvatarFromUpload = "upload"
	AvatarFromURL    = "url"
)

// avatarTypes are the image types accepted as avatars, by the type their
// bytes show. SVG is not among them: an SVG is a document that can carry
// script, and a generated one is served when there is no avatar anyway.
var avatarTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true, "image/bmp": true}

// avatarKey is the storage key of an avatar: each new avatar gets its own
// key (its ETag), so that a failed change never damages the current one.
func avatarKey(etag string) string { return "av" + etag }

// UserRef names a user by id or by username, the way getUserFromParams
// reads userId and username.
type UserRef struct{ ID, Username string }

func (r UserRef) empty() bool { return r.ID == "" && r.Username == "" }

// userFromParams finds the user a request names, with Rocket.Chat's
// getUserFromParams refusals.
func (a *App) userFromParams(ctx context.Context, ref UserRef) (*model.User, error) {
	if ref.ID == "" && ref.Username == "" {
		return nil, E("error-user-param-not-provided", `The required "userId" or "username" param was not provided`)
	}
	u, err := a.userByIDOrName(ctx, strings.TrimSpace(ref.ID), strings.TrimSpace(ref.Username))
	if isNotFound(err) {
		return nil, E("error-invalid-user", `The required "userId" or "username" param provided does not match any users`)
	}
	return u, a.storeErr(err)
}

// FindUserByRef is userFromParams for the API: the user named by id or
// username, with Rocket.Chat's refusals.
func (a *App) FindUserByRef(ctx context.Context, ref UserRef) (*model.User, error) {
	return a.userFromParams(ctx, ref)
}

// isSelf reports whether ref names actor (or nobody).
func isSelf(actor *model.User, ref UserRef) bool {
	return ref.empty() || ref.ID == actor.ID || (ref.ID == "" && strings.EqualFold(ref.Username, actor.Username))
}

// AvatarInput is the new avatar of users.setAvatar: an uploaded image
// (Data) or the address of one (URL).
type AvatarInput struct {
	User UserRef
	Data []byte
	URL  string
	// Form tells that the user was named in the upload's form fields,
	// where Rocket.Chat refuses a missing permission with error-not-allowed
	// rather than with a 403.
	Form bool
}

// SetAvatar is users.setAvatar. Accounts_AllowUserAvatarChange lets users
// change their own avatar; edit-other-user-avatar lets its holders change
// anyone's, whatever the setting says.
func (a *App) SetAvatar(ctx context.Context, actor *model.User, in AvatarInput) error {
	other := a.HasPermission(actor, "edit-other-user-avatar")
	if !a.Settings.Bool("Accounts_AllowUserAvatarChange") && !other {
		return E("error-not-allowed", "Change avatar is not allowed").With(map[string]any{"method": "users.setAvatar"})
	}
	target := actor
	if !isSelf(actor, in.User) {
		if !other {
			if in.Form {
				return ErrNotAllowed
			}
			return ErrForbidden
		}
		u, err := a.userFromParams(ctx, in.User)
		if err != nil {
			if e, ok := AsError(err); ok && e.Type == "error-invalid-user" {
				return E("error-invalid-user", `The optional "userId" or "username" param provided does not match any users`)
			}
			return err
		}
		target = u
	}
	origin, data := AvatarFromUpload, in.Data
	if in.URL != "" {
		origin = AvatarFromURL
		var err error
		if data, err = a.fetchAvatar(ctx, in.URL, target.Username); err != nil {
			return err
		}
	}
	typ := http.DetectContentType(data)
	if !avatarTypes[typ] {
		return E("error-avatar-invalid-type", "The avatar must be a PNG, JPEG, GIF, WebP or BMP image").With(map[string]any{"method": "setAvatarFromService"})
	}
	if limit := a.UploadLimit(); limit >= 0 && int64(len(data)) > limit {
		return E("error-file-too-large", "File size exceeds allowed size").With(map[string]any{"method": "setAvatarFromService"})
	}
	return a.storeAvatar(ctx, target.ID, origin, typ, data)
}

// fetchAvatar downloads an avatar under the URL preview rules, which keep
// requests away from private and internal addresses.
func (a *App) fetchAvatar(ctx context.Context, rawURL, username string) ([]byte, error) {
	limit := a.UploadLimit()
	if limit < 0 || limit > 20<<20 {
		limit = 20 << 20
	}
	data, ctype, err := a.previews.Download(ctx, rawURL, "image/*", limit)
	if err != nil {
		return nil, E("error-avatar-url-handling", "Error while handling avatar setting from a URL ("+rawURL+") for "+username).
			With(map[string]any{"method": "setAvatarFromService"})
	}
	if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ctype)), "image/") {
		return nil, E("error-avatar-invalid-url", "Invalid avatar URL: "+rawURL).With(map[string]any{"method": "setAvatarFromService"})
	}
	return data, nil
}

// storeAvatar keeps data as userID's avatar. The bytes go to storage under
// a new key before the user changes; the old avatar's bytes go once the
// change is committed, and the new ones if it is not.
func (a *App) storeAvatar(ctx context.Context, userID, origin, typ string, data []byte) error {
	if a.files == nil {
		return E("error-file-storage", "No file storage is configured")
	}
	etag := model.NewID()
	if _, _, _, err := a.files.Put(ctx, avatarKey(etag), bytes.NewReader(data), -1); err != nil {
		return err
	}
	old := ""
	err := a.changeUser(ctx, userID, func(st store.Store, u *model.User) error {
		old = u.AvatarETag
		u.AvatarOrigin, u.AvatarETag, u.AvatarType = origin, etag, typ
		return nil
	})
	if err != nil {
		a.dropBlob(avatarKey(etag))
		return err
	}
	if old != "" {
		a.dropBlob(avatarKey(old))
	}
	return nil
}

// ResetAvatar is users.resetAvatar: back to the generated initials. Users
// reset their own while Accounts_AllowUserAvatarChange is on; holders of
// edit-other-user-avatar or manage-moderation-actions reset anyone's.
func (a *App) ResetAvatar(ctx context.Context, actor *model.User, ref UserRef) error {
	u, err := a.userFromParams(ctx, ref)
	if err != nil {
		return err
	}
	if !(a.Settings.Bool("Accounts_AllowUserAvatarChange") && u.ID == actor.ID) &&
		!a.HasPermission(actor, "edit-other-user-avatar") && !a.HasPermission(actor, "manage-moderation-actions") {
		return E("error-not-allowed", "Reset avatar is not allowed").With(map[string]any{"method": "users.resetAvatar"})
	}
	old := ""
	err = a.changeUser(ctx, u.ID, func(st store.Store, u *model.User) error {
		old = u.AvatarETag
		u.AvatarOrigin, u.AvatarETag, u.AvatarType = "", "", ""
		return nil
	})
	if err == nil && old != "" {
		a.dropBlob(avatarKey(old))
	}
	return err
}

// AvatarImage is a stored avatar opened for reading.
type AvatarImage struct {
	files.Object
	Type string
	ETag string
	// Link, when set, is where the client may fetch the avatar from the
	// storage itself (see FileUpload_S3_Proxy_Avatars).
	Link string
}

// openAvatarKey opens the bytes of an avatar; nil when they are gone (a
// reset raced this read), and the initials then stand in.
func (a *App) openAvatarKey(ctx context.Context, etag, typ string) (*AvatarImage, error) {
	obj, in, err := a.files.Open(ctx, "", avatarKey(etag))
	if errors.Is(err, files.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	img := &AvatarImage{Object: obj, Type: typ, ETag: etag}
	if typ == "" {
		head := make([]byte, 512)
		n, _ := io.ReadFull(obj, head)
		if _, err := obj.Seek(0, io.SeekStart); err != nil {
			obj.Close()
			return nil, err
		}
		img.Type = http.DetectContentType(head[:n])
	}
	img.Link = a.files.link(ctx, in, "FileUpload_S3_Proxy_Avatars", avatarKey(etag), img.Type, "inline")
	return img, nil
}

// UserAvatarByName returns the user called username and the avatar
// uploaded for them; the image is nil when the generated one applies, and
// the user is nil too when nobody has that name.
func (a *App) UserAvatarByName(ctx context.Context, username string) (*model.User, *AvatarImage, error) {
	return a.userAvatar(ctx)(a.store.Users().GetByUsername(ctx, username))
}

// UserAvatarByID is UserAvatarByName by user id.
func (a *App) UserAvatarByID(ctx context.Context, id string) (*model.User, *AvatarImage, error) {
	return a.userAvatar(ctx)(a.store.Users().Get(ctx, id))
}

// userAvatar takes the result of a user lookup to what UserAvatarByName
// answers.
func (a *App) userAvatar(ctx context.Context) func(*model.User, error) (*model.User, *AvatarImage, error) {
	return func(u *model.User, err error) (*model.User, *AvatarImage, error) {
		if isNotFound(err) {
			return nil, nil, nil
		}
		if err != nil {
			return nil, nil, a.storeErr(err)
		}
		img, err := a.openAvatar(ctx, u)
		return u, img, err
	}
}

func (a *App) openAvatar(ctx context.Context, u *model.User) (*AvatarImage, error) {
	if u.AvatarETag == "" || a.files == nil {
		return nil, nil
	}
	return a.openAvatarKey(ctx, u.AvatarETag, u.AvatarType)
}

// RoomAvatarName is the text whose initials stand for room rid: its
// display name, a discussion's parent's, or for a direct conversation the
// other member as viewer (who may be nil) sees it. ok is false for an
// unknown room.
func (a *App) RoomAvatarName(ctx context.Context, viewer *model.User, rid string) (name string, ok bool, err error) {
	r, err := a.store.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, a.storeErr(err)
	}
	if r.Prid != "" {
		if p, err := a.store.Rooms().Get(ctx, r.Prid); err == nil {
			r = p
		}
	}
	if r.T == "d" {
		for _, n := range r.Usernames {
			if viewer == nil || !strings.EqualFold(n, viewer.Username) {
				return n, true, nil
			}
		}
		if len(r.Usernames) > 0 {
			return r.Usernames[0], true, nil
		}
	}
	for _, n := range []string{r.FName, r.Name, r.ID} {
		if n != "" {
			return n, true, nil
		}
	}
	return r.ID, true, nil
}

// RoomAvatarImage is the avatar uploaded for room rid, or nil when the
// room has none (or does not exist) and its initials stand for it.
func (a *App) RoomAvatarImage(ctx context.Context, rid string) (*AvatarImage, error) {
	r, err := a.store.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if r.AvatarETag == "" || a.files == nil {
		return nil, nil
	}
	return a.openAvatarKey(ctx, r.AvatarETag, "")
}
