package api_test

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/events"
)

// pngImage is a small valid PNG.
func pngImage(t *testing.T, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for x := 0; x < 4; x++ {
		for y := 0; y < 4; y++ {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// setAvatar posts users.setAvatar as a multipart form with the image and
// the extra fields.
func setAvatar(t *testing.T, c *apitest.Client, data []byte, fields ...string) *apitest.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for i := 0; i+1 < len(fields); i += 2 {
		if err := w.WriteField(fields[i], fields[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if data != nil {
		part, err := w.CreateFormFile("image", "avatar.png")
		if err != nil {
			t.Fatal(err)
		}
		part.Write(data)
	}
	w.Close()
	return c.Do(t, http.MethodPost, "/api/v1/users.setAvatar", body.Bytes(), w.FormDataContentType())
}

// getAvatar fetches an avatar path with extra request headers.
func getAvatar(t *testing.T, c *apitest.Client, path string, header ...string) *apitest.Response {
	t.Helper()
	saved := c.Header.Clone()
	defer func() { c.Header = saved }()
	for i := 0; i+1 < len(header); i += 2 {
		c.Header.Set(header[i], header[i+1])
	}
	return c.Do(t, http.MethodGet, path, nil, "")
}

func TestAvatarGenerated(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	e.NewUser(t, "alice", map[string]any{"name": "Alice Liddell Pleasance Extra"})
	anon := e.Anon()
	cases := []struct {
		path, colour, text string
		status             int
	}{
		// The colour follows the length of the name, as Rocket.Chat's does.
		{"/avatar/alice", "#6C727A", ">A<", 200},        // 5 % 6 = 5
		{"/avatar/@zz", "#B68D00", ">Z<", 200},          // 2
		{"/avatar/nobody.here", "#6C727A", ">N<", 200},  // unknown names are drawn too; 11 % 6 = 5
		{"/avatar/room/GENERAL", "#7F1B9F", ">G<", 200}, // "general": 7 % 6 = 1
		{"/avatar/room/no-such-room", "", "", 404},
		{"/avatar/uid/no-such-user", "", "", 404},
	}
	for _, tc := range cases {
		r := getAvatar(t, anon, tc.path).Expect(t, tc.status)
		if tc.status != 200 {
			continue
		}
		svg := string(r.Body)
		if r.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(svg, "<svg") || !strings.Contains(svg, tc.text) {
			t.Fatalf("%s: %s %s", tc.path, r.Header.Get("Content-Type"), svg)
		}
		if !strings.Contains(svg, `fill="`+tc.colour+`"`) {
			t.Fatalf("%s: colour: %s", tc.path, svg)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=3600" {
			t.Fatalf("%s: Cache-Control %q", tc.path, cc)
		}
		etag := r.Header.Get("ETag")
		if etag == "" {
			t.Fatalf("%s: no ETag", tc.path)
		}
		getAvatar(t, anon, tc.path, "If-None-Match", etag).Expect(t, http.StatusNotModified)
	}
	// size is clamped.
	if svg := string(getAvatar(t, anon, "/avatar/alice?size=5000").Body); !strings.Contains(svg, `width="1024"`) {
		t.Fatalf("size not clamped: %s", svg)
	}
	// The real name's initials, with UI_Use_Name_Avatar.
	e.SetSetting(t, "UI_Use_Name_Avatar", true)
	if svg := string(getAvatar(t, anon, "/avatar/alice").Body); !strings.Contains(svg, ">ALP<") {
		t.Fatalf("name initials: %s", svg)
	}
	// Accounts_AvatarCacheTime sets the max-age.
	e.SetSetting(t, "Accounts_AvatarCacheTime", 60)
	if cc := getAvatar(t, anon, "/avatar/alice").Header.Get("Cache-Control"); cc != "public, max-age=60" {
		t.Fatalf("Cache-Control %q", cc)
	}
	// Accounts_AvatarBlockUnauthenticatedAccess keeps them from strangers.
	e.SetSetting(t, "Accounts_AvatarBlockUnauthenticatedAccess", true)
	getAvatar(t, anon, "/avatar/alice").Expect(t, http.StatusForbidden)
	getAvatar(t, anon, "/avatar/alice?rc_uid="+e.Admin.UserID+"&rc_token="+e.Admin.Token).Expect(t, http.StatusOK)
	getAvatar(t, anon, "/avatar/alice", "Cookie", "rc_uid="+e.Admin.UserID+"; rc_token="+e.Admin.Token).Expect(t, http.StatusOK)
}

func TestAvatarOfDirectRoom(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	bob := e.NewUser(t, "bob")
	rid := apitest.DMID(e.Admin.UserID, bob.UserID)
	e.Admin.Post(t, "im.create", map[string]any{"username": "bob"}).OK(t)
	// Each member sees the other's initial.
	if svg := string(getAvatar(t, e.Anon(), "/avatar/room/"+rid, "Cookie", "rc_uid="+bob.UserID+"; rc_token="+bob.Token).Body); !strings.Contains(svg, ">A<") {
		t.Fatalf("bob should see admin: %s", svg)
	}
	if svg := string(getAvatar(t, e.Anon(), "/avatar/room/"+rid, "Cookie", "rc_uid="+e.Admin.UserID+"; rc_token="+e.Admin.Token).Body); !strings.Contains(svg, ">B<") {
		t.Fatalf("admin should see bob: %s", svg)
	}
}

func TestUsersSetAvatar(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	carol := e.NewUser(t, "carol")
	dan := e.NewUser(t, "dan")
	red := pngImage(t, color.RGBA{255, 0, 0, 255})

	setAvatar(t, carol, red).OK(t)
	r := getAvatar(t, e.Anon(), "/avatar/carol").Expect(t, 200)
	if !bytes.Equal(r.Body, red) || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("avatar: %s %d bytes", r.Header.Get("Content-Type"), len(r.Body))
	}
	if csp := r.Header.Get("Content-Security-Policy"); csp != "default-src 'none'" {
		t.Fatalf("CSP %q", csp)
	}
	etag := r.Header.Get("ETag")
	getAvatar(t, e.Anon(), "/avatar/carol", "If-None-Match", etag).Expect(t, http.StatusNotModified)
	getAvatar(t, e.Anon(), "/avatar/uid/"+carol.UserID).Expect(t, 200)
	// users.info carries the ETag clients bust caches with.
	var info struct{ User map[string]any }
	e.Admin.Get(t, "users.info", apitest.Q("userId", carol.UserID)).OK(t).Decode(t, &info)
	if `"`+info.User["avatarETag"].(string)+`"` != etag {
		t.Fatalf("avatarETag %v, ETag %s", info.User["avatarETag"], etag)
	}
	// A new avatar changes the ETag and the bytes.
	blue := pngImage(t, color.RGBA{0, 0, 255, 255})
	setAvatar(t, carol, blue).OK(t)
	r = getAvatar(t, e.Anon(), "/avatar/carol", "If-None-Match", etag).Expect(t, 200)
	if !bytes.Equal(r.Body, blue) {
		t.Fatal("the new avatar is not served")
	}

	cases := []struct {
		name      string
		caller    *apitest.Client
		data      []byte
		fields    []string
		status    int
		errorType string
		errorText string
	}{
		{"no image", carol, nil, nil, 400, "", "The 'image' param is required"},
		{"not an image", carol, []byte("<html><script>alert(1)</script></html>"), nil, 400, "error-avatar-invalid-type", ""},
		{"svg refused", carol, []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), nil, 400, "error-avatar-invalid-type", ""},
		{"other user without permission", dan, red, []string{"userId", carol.UserID}, 400, "error-not-allowed", "Not allowed [error-not-allowed]"},
		{"other user by username without permission", dan, red, []string{"username", "carol"}, 400, "error-not-allowed", ""},
		{"admin sets another's", e.Admin, red, []string{"username", "dan"}, 200, "", ""},
		{"unknown user", e.Admin, red, []string{"userId", "nobody"}, 400, "error-invalid-user", ""},
	}
	for _, tc := range cases {
		r := setAvatar(t, tc.caller, tc.data, tc.fields...)
		if tc.status == 200 {
			r.OK(t)
			continue
		}
		r.Fails(t, tc.status, tc.errorType, tc.errorText)
	}
	if !bytes.Equal(getAvatar(t, e.Anon(), "/avatar/dan").Body, red) {
		t.Fatal("the admin's change of dan's avatar is not served")
	}

	// Without Accounts_AllowUserAvatarChange users cannot, holders of
	// edit-other-user-avatar still can.
	e.SetSetting(t, "Accounts_AllowUserAvatarChange", false)
	setAvatar(t, carol, red).Fails(t, 400, "error-not-allowed", "Change avatar is not allowed [error-not-allowed]")
	setAvatar(t, e.Admin, red, "userId", carol.UserID).OK(t)
	e.SetSetting(t, "Accounts_AllowUserAvatarChange", true)

	// An avatarUrl must not reach private addresses.
	e.Admin.Post(t, "users.setAvatar", map[string]any{"userId": carol.UserID, "avatarUrl": "http://169.254.169.254/"}).
		Fails(t, 400, "error-avatar-url-handling", "")
	e.Admin.Post(t, "users.setAvatar", map[string]any{"avatarUrl": "file:///etc/passwd"}).Fails(t, 400, "error-avatar-url-handling", "")
	dan.Post(t, "users.setAvatar", map[string]any{"userId": carol.UserID, "avatarUrl": "http://example.com/a.png"}).Fails(t, 403, "", "unauthorized")
	e.Admin.Post(t, "users.setAvatar", map[string]any{"color": "red"}).Fails(t, 400, "invalid-params", "")
	e.Admin.Do(t, http.MethodPost, "/api/v1/users.setAvatar", nil, "").Fails(t, 400, "", "Missing Content-Type")
	// The failed attempts left carol's avatar alone.
	if !bytes.Equal(getAvatar(t, e.Anon(), "/avatar/carol").Body, red) {
		t.Fatal("carol's avatar changed")
	}
}

func TestUsersResetAvatar(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	erin := e.NewUser(t, "erin")
	fay := e.NewUser(t, "fay")
	img := pngImage(t, color.RGBA{0, 255, 0, 255})
	setAvatar(t, erin, img).OK(t)
	setAvatar(t, fay, img).OK(t)

	erin.Post(t, "users.resetAvatar", map[string]any{}).Fails(t, 400, "error-user-param-not-provided",
		`The required "userId" or "username" param was not provided [error-user-param-not-provided]`)
	erin.Post(t, "users.resetAvatar", map[string]any{"userId": fay.UserID}).Fails(t, 400, "error-not-allowed", "Reset avatar is not allowed [error-not-allowed]")
	erin.Post(t, "users.resetAvatar", map[string]any{"userId": "nobody"}).Fails(t, 400, "error-invalid-user", "")

	erin.Post(t, "users.resetAvatar", map[string]any{"userId": erin.UserID}).OK(t)
	if r := getAvatar(t, e.Anon(), "/avatar/erin"); r.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("after a reset: %s", r.Header.Get("Content-Type"))
	}
	var info struct{ User map[string]any }
	e.Admin.Get(t, "users.info", apitest.Q("userId", erin.UserID)).OK(t).Decode(t, &info)
	if _, ok := info.User["avatarETag"]; ok {
		t.Fatalf("avatarETag after a reset: %v", info.User)
	}

	// Own resets follow the setting; the permission overrides it.
	e.SetSetting(t, "Accounts_AllowUserAvatarChange", false)
	fay.Post(t, "users.resetAvatar", map[string]any{"username": "fay"}).Fails(t, 400, "error-not-allowed", "")
	e.Admin.Post(t, "users.resetAvatar", map[string]any{"username": "fay"}).OK(t)
	if r := getAvatar(t, e.Anon(), "/avatar/fay"); r.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("after the admin's reset: %s", r.Header.Get("Content-Type"))
	}
}

func TestUsersGetAvatar(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	gus := e.NewUser(t, "gus")
	for _, q := range [][]string{{"userId", gus.UserID}, {"username", "gus"}} {
		r := e.Anon().Get(t, "users.getAvatar", apitest.Q(q...)).Expect(t, http.StatusTemporaryRedirect)
		if loc := r.Header.Get("Location"); !strings.HasSuffix(loc, "/avatar/gus") {
			t.Fatalf("Location %q", loc)
		}
	}
	e.Anon().Get(t, "users.getAvatar").Fails(t, 400, "error-user-param-not-provided",
		`The required "userId" or "username" param was not provided [error-user-param-not-provided]`)
	e.Anon().Get(t, "users.getAvatar", apitest.Q("username", "nobody")).Fails(t, 400, "error-invalid-user", "")
}

func TestUsersSetAvatarFromURL(t *testing.T) {
	t.Parallel()
	img := pngImage(t, color.RGBA{9, 9, 9, 255})
	site := newUpServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/a.png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(img)
		default:
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html></html>")
		}
	})
	e := apitest.New(t, apitest.WithPreviewResolver(upResolver{"pics.test": "127.0.0.1"}))
	hugo := e.NewUser(t, "hugo")
	// Loopback stays refused until the preview rules allow it.
	hugo.Post(t, "users.setAvatar", map[string]any{"avatarUrl": site.at("pics.test", "/a.png")}).Fails(t, 400, "error-avatar-url-handling", "")
	if n := site.total(); n != 0 {
		t.Fatalf("a refused avatarUrl reached the server (%d requests)", n)
	}
	e.SetSetting(t, "API_EmbedSafePorts", upPorts(site))
	e.SetSetting(t, "API_EmbedAllowedPrivateHosts", "pics.test")
	hugo.Post(t, "users.setAvatar", map[string]any{"avatarUrl": site.at("pics.test", "/page")}).Fails(t, 400, "error-avatar-invalid-url", "")
	hugo.Post(t, "users.setAvatar", map[string]any{"avatarUrl": site.at("pics.test", "/a.png")}).OK(t)
	if r := getAvatar(t, e.Anon(), "/avatar/hugo"); !bytes.Equal(r.Body, img) || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("avatar from URL: %s %d bytes", r.Header.Get("Content-Type"), len(r.Body))
	}
}

func TestAvatarChangesEmitEvents(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	ivo := e.NewUser(t, "ivo")
	for _, act := range []func(){
		func() { setAvatar(t, ivo, pngImage(t, color.White)).OK(t) },
		func() { ivo.Post(t, "users.resetAvatar", map[string]any{"username": "ivo"}).OK(t) },
	} {
		rec := e.App.Bus().Subscribe(64)
		act()
		got := drainEvents(rec)
		rec.Close()
		if !slices.ContainsFunc(got, func(ev events.Event) bool { return ev.Kind == events.UserChanged && ev.UserID == ivo.UserID }) {
			t.Fatalf("no user.changed for ivo: %v", got)
		}
	}
}

// TestRoomAvatarSetting covers rooms.saveRoomSettings' roomAvatar: a data
// URI stores the room's avatar, which /avatar/room/{rid} then serves, and
// "" goes back to the initials.
func TestRoomAvatarSetting(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "owner", "member")
	owner, member := e.Users[0], e.Users[1]
	rid := owner.CreateRoom(t, "channels", "pictured", nil, "member")
	img := pngImage(t, color.RGBA{R: 200, A: 255})
	uri := "data:image/png;base64," + base64.StdEncoding.EncodeToString(img)
	save := func(c *apitest.Client, v any) *apitest.Response {
		return c.Post(t, "rooms.saveRoomSettings", map[string]any{"rid": rid, "roomAvatar": v})
	}

	member.Post(t, "rooms.saveRoomSettings", map[string]any{"rid": rid, "roomAvatar": uri}).
		Fails(t, 400, "error-action-not-allowed", "Editing room is not allowed [error-action-not-allowed]")
	save(owner, uri).OK(t)
	room := owner.RoomInfo(t, rid)
	if room["avatarETag"] == nil {
		t.Fatalf("room after an avatar = %v", room)
	}
	got := getAvatar(t, owner, "/avatar/room/"+rid).Expect(t, 200)
	if got.Header.Get("Content-Type") != "image/png" || !bytes.Equal(got.Body, img) {
		t.Fatalf("room avatar: %s, %d bytes", got.Header.Get("Content-Type"), len(got.Body))
	}
	if last := owner.History(t, "channels", rid)[0]; last["t"] != "room_changed_avatar" {
		t.Fatalf("last message = %v", last)
	}

	for _, bad := range []any{"not a uri", "data:text/plain;base64," + base64.StdEncoding.EncodeToString([]byte("hello")), 7} {
		save(owner, bad).Fails(t, 400, "error-invalid-settings", "Invalid settings provided [error-invalid-settings]")
	}

	save(owner, "").OK(t)
	if room := owner.RoomInfo(t, rid); room["avatarETag"] != nil {
		t.Fatalf("room after removing the avatar = %v", room)
	}
	if ct := getAvatar(t, owner, "/avatar/room/"+rid).Expect(t, 200).Header.Get("Content-Type"); ct == "image/png" {
		t.Fatalf("removed avatar still served")
	}
}
