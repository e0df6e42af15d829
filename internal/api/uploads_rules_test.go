package api_test

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

// formPart is one part of a multipart body: a file when it has a filename.
type formPart struct{ field, filename, typ, value string }

// formBody builds a multipart body from parts, in order.
func formBody(t *testing.T, parts ...formPart) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		cd := `form-data; name="` + p.field + `"`
		if p.filename != "" {
			cd += `; filename="` + p.filename + `"`
		}
		h.Set("Content-Disposition", cd)
		if p.typ != "" {
			h.Set("Content-Type", p.typ)
		}
		part, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		part.Write([]byte(p.value))
	}
	w.Close()
	return b.Bytes(), w.FormDataContentType()
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func jpegBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 120
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestUploadFormShape(t *testing.T) {
	t.Parallel()
	_, alice, rid := apitest.NewUserRoom(t, "alice", "channels", "forms")
	for _, path := range []string{"rooms.upload", "rooms.media"} {
		body, ct := formBody(t, formPart{field: "test", filename: "a.txt", typ: "text/plain", value: "x"})
		alice.Do(t, http.MethodPost, "/api/v1/"+path+"/"+rid, body, ct).Fails(t, 400, "invalid-field", "[invalid-field]")

		body, ct = formBody(t,
			formPart{field: "file", filename: "a.txt", typ: "text/plain", value: "x"},
			formPart{field: "file", filename: "b.txt", typ: "text/plain", value: "y"})
		alice.Do(t, http.MethodPost, "/api/v1/"+path+"/"+rid, body, ct).Fails(t, 400, "", "Just 1 file is allowed")

		body, ct = formBody(t,
			formPart{field: "file", filename: "a.txt", typ: "text/plain", value: "x"},
			formPart{field: "other", filename: "b.txt", typ: "text/plain", value: "y"})
		alice.Do(t, http.MethodPost, "/api/v1/"+path+"/"+rid, body, ct).Fails(t, 400, "", "Just 1 file is allowed")
	}
	if n := len(channelFiles(t, alice, rid)); n != 0 {
		t.Fatalf("refused forms left %d records", n)
	}
}

func TestUploadTypeAndFormat(t *testing.T) {
	t.Parallel()
	_, alice, rid := apitest.NewUserRoom(t, "alice", "channels", "types")
	for _, tc := range []struct {
		name, sent       string
		wantType, format string
	}{
		{"lst-test.lst", "application/octet-stream", "text/plain", "LST"},
		{"diagram.drawio", "application/octet-stream", "application/octet-stream", "DRAWIO"},
		{"notes.TXT", "", "text/plain", "TXT"},
		{"report.bin", "application/pdf", "application/pdf", "BIN"},
		{"a.txt", "application/x-no-such-type", "text/plain", "TXT"},
		{"README", "", "application/octet-stream", "file"},
		{".bashrc", "", "application/octet-stream", "file"},
		{"archive.tar.gz", "application/gzip", "application/gzip", "GZ"},
	} {
		m := upload(t, alice, "rooms.upload", rid, tc.name, tc.sent, []byte("data"), nil).OK(t).JSON(t)["message"].(map[string]any)
		f := m["files"].([]any)[0].(map[string]any)
		at := m["attachments"].([]any)[0].(map[string]any)
		if f["type"] != tc.wantType || f["format"] != "" || at["format"] != tc.format || len(m["files"].([]any)) != 1 {
			t.Errorf("%s sent as %q: file %v, attachment format %v", tc.name, tc.sent, f, at["format"])
		}
	}
}

func TestUploadMediaTypeLists(t *testing.T) {
	t.Parallel()
	e, alice, rid := apitest.NewUserRoom(t, "alice", "channels", "lists")
	e.SetSetting(t, "FileUpload_MediaTypeBlackList", "text/plain")
	// The type comes from the extension, so a generic part type is no way round the list.
	upload(t, alice, "rooms.upload", rid, "x.lst", "application/octet-stream", []byte("x"), nil).
		Fails(t, 400, "error-invalid-file-type", "File type is not accepted [error-invalid-file-type]")
	upload(t, alice, "rooms.media", rid, "x.txt", "", []byte("x"), nil).Fails(t, 400, "error-invalid-file-type", "")
	e.SetSetting(t, "FileUpload_MediaTypeBlackList", "application/octet-stream")
	upload(t, alice, "rooms.upload", rid, "diagram.drawio", "", []byte("x"), nil).Fails(t, 400, "error-invalid-file-type", "")
	e.SetSetting(t, "FileUpload_MediaTypeBlackList", "")
	upload(t, alice, "rooms.upload", rid, "x.lst", "", []byte("x"), nil).OK(t)
	if n := len(channelFiles(t, alice, rid)); n != 1 {
		t.Fatalf("%d records, want 1", n)
	}
}

func TestUploadEncryptedContent(t *testing.T) {
	t.Parallel()
	e, alice, rid := apitest.NewUserRoom(t, "alice", "channels", "e2e")
	media := func(typ, content string) *apitest.Response {
		body, ct := formBody(t,
			formPart{field: "file", filename: "sample.jpg", typ: typ, value: "ciphertext bytes"},
			formPart{field: "content", value: content})
		return alice.Do(t, http.MethodPost, "/api/v1/rooms.media/"+rid, body, ct)
	}
	payload := `{"algorithm":"rc.v1.aes-sha2","ciphertext":"something"}`
	id := media("image/jpeg", payload).OK(t).JSON(t)["file"].(map[string]any)["_id"].(string)
	m := alice.Post(t, "rooms.mediaConfirm/"+rid+"/"+id, map[string]any{}).OK(t).JSON(t)["message"].(map[string]any)
	if files := m["files"].([]any); len(files) != 1 || files[0].(map[string]any)["type"] != "application/octet-stream" {
		t.Fatalf("an encrypted file keeps its claimed type: %v", m["files"])
	}
	// Not an encryption payload: the type stands.
	id = media("image/jpeg", `{"note":1}`).OK(t).JSON(t)["file"].(map[string]any)["_id"].(string)
	if f := channelFiles(t, alice, rid, "name", "sample"); len(f) != 2 || !hasFile(f, id, "image/jpeg") {
		t.Fatalf("plain content: %v", f)
	}
	media("image/jpeg", "{not json").Fails(t, 400, "invalid-field-content", "[invalid-field-content]")

	e.SetSetting(t, "E2E_Enable_Encrypt_Files", false)
	media("application/octet-stream", payload).Fails(t, 400, "error-invalid-file-type", "Encrypted file not allowed [error-invalid-file-type]")
	e.SetSetting(t, "E2E_Enable_Encrypt_Files", true)
	e.SetSetting(t, "FileUpload_MediaTypeBlackList", "application/octet-stream")
	media("application/octet-stream", payload).Fails(t, 400, "error-invalid-file-type", "")
	e.SetSetting(t, "FileUpload_MediaTypeBlackList", "")
	// A white list does not keep encrypted files out: they are octet-stream by rule.
	e.SetSetting(t, "FileUpload_MediaTypeWhiteList", "image/png")
	media("image/jpeg", payload).OK(t)
}

func channelFiles(t *testing.T, c *apitest.Client, rid string, q ...string) []map[string]any {
	t.Helper()
	var out struct{ Files []map[string]any }
	c.Get(t, "channels.files", apitest.Q(append([]string{"roomId", rid}, q...)...)).OK(t).Decode(t, &out)
	return out.Files
}

func hasFile(list []map[string]any, id, typ string) bool {
	for _, f := range list {
		if f["_id"] == id && f["type"] == typ {
			return true
		}
	}
	return false
}

func TestUploadThumbnails(t *testing.T) {
	t.Parallel()
	e, alice, rid := apitest.NewUserRoom(t, "alice", "channels", "thumbs")
	e.SetSetting(t, "FileUpload_MediaTypeBlackList", "")

	decode := func(url string, wantType string) image.Config {
		t.Helper()
		r := download(t, alice, url).Expect(t, 200)
		if r.Header.Get("Content-Type") != wantType {
			t.Fatalf("%s: Content-Type %q, want %q", url, r.Header.Get("Content-Type"), wantType)
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		return cfg
	}
	for _, tc := range []struct {
		name, typ string
		content   []byte
		thumbType string
		w, h      int
	}{
		{"big.png", "image/png", pngBytes(t, 1000, 800), "image/png", 450, 360},
		{"photo.jpg", "image/jpeg", jpegBytes(t, 719, 479), "image/jpeg", 480, 320},
		{"tall.png", "image/png", pngBytes(t, 100, 720), "image/png", 50, 360},
		{"logo.svg", "image/svg+xml", []byte(`<svg width="768" height="221" viewBox="0 0 768 221" xmlns="http://www.w3.org/2000/svg"><title>x</title>` +
			`<path d="M10 10H200V200H10Z" fill="#F5455C"/><g fill="blue"><circle cx="400" cy="100" r="50"/><path d="m500 20 l50 0 c10 10 20 20 0 50 s-10 10 -20 0 q5 5 10 10 t5 5 z"/></g></svg>`),
			"image/png", 480, 138},
	} {
		// Both the one-step and the two-step flows make the thumbnail.
		for _, twoStep := range []bool{false, true} {
			var m map[string]any
			if twoStep {
				m = uploadMedia(t, alice, rid, tc.name, tc.typ, tc.content, map[string]any{"description": "d"})
			} else {
				m = upload(t, alice, "rooms.upload", rid, tc.name, tc.typ, tc.content, map[string]string{"description": "d"}).OK(t).JSON(t)["message"].(map[string]any)
			}
			files := m["files"].([]any)
			if len(files) != 2 {
				t.Fatalf("%s: files %v", tc.name, files)
			}
			orig, thumb := files[0].(map[string]any), files[1].(map[string]any)
			if orig["name"] != tc.name || orig["type"] != tc.typ || thumb["name"] != "thumb-"+tc.name || thumb["type"] != tc.thumbType {
				t.Fatalf("%s: files %v", tc.name, files)
			}
			at := m["attachments"].([]any)[0].(map[string]any)
			wantURL := "/file-upload/" + thumb["_id"].(string) + "/" + tc.name
			dims, _ := at["image_dimensions"].(map[string]any)
			if at["title"] != tc.name || at["image_url"] != wantURL || at["image_type"] != tc.thumbType || at["description"] != "d" ||
				apitest.Num(dims["width"]) != tc.w || apitest.Num(dims["height"]) != tc.h ||
				at["title_link"] != "/file-upload/"+orig["_id"].(string)+"/"+tc.name {
				t.Fatalf("%s: attachment %v", tc.name, at)
			}
			if cfg := decode(wantURL, tc.thumbType); cfg.Width != tc.w || cfg.Height != tc.h {
				t.Fatalf("%s: thumbnail is %dx%d, want %dx%d", tc.name, cfg.Width, cfg.Height, tc.w, tc.h)
			}
			preview, err := base64.StdEncoding.DecodeString(at["image_preview"].(string))
			if err != nil {
				t.Fatalf("%s: image_preview: %v", tc.name, err)
			}
			if cfg, err := jpeg.DecodeConfig(bytes.NewReader(preview)); err != nil || cfg.Width > 32 || cfg.Height > 32 {
				t.Fatalf("%s: image_preview %v %v", tc.name, cfg, err)
			}
		}
	}
	// Thumbnails are not listed as room files.
	for _, f := range channelFiles(t, alice, rid) {
		if strings.HasPrefix(f["name"].(string), "thumb-") || f["typeGroup"] == "thumb" {
			t.Fatalf("a thumbnail is listed: %v", f)
		}
	}

	// Small images, SVG Parley cannot draw, and the setting turned off: no thumbnail.
	noThumb := func(name, typ string, content []byte) map[string]any {
		t.Helper()
		m := uploadMedia(t, alice, rid, name, typ, content, map[string]any{})
		at := m["attachments"].([]any)[0].(map[string]any)
		if len(m["files"].([]any)) != 1 || at["image_url"] != at["title_link"] || at["image_type"] != typ {
			t.Fatalf("%s: unexpected thumbnail: %v", name, m)
		}
		return at
	}
	noThumb("small.png", "image/png", pngBytes(t, 479, 359))
	noThumb("moved.svg", "image/svg+xml", []byte(`<svg width="100" height="100" xmlns="http://www.w3.org/2000/svg"><path transform="scale(2)" d="M0 0H10V10Z"/></svg>`))
	noThumb("arc.svg", "image/svg+xml", []byte(`<svg width="100" height="100" xmlns="http://www.w3.org/2000/svg"><path d="M0 0A5 5 0 0 1 10 10Z"/></svg>`))
	noThumb("broken.png", "image/png", []byte("not a png"))
	e.SetSetting(t, "Message_Attachments_Thumbnails_Enabled", false)
	if at := noThumb("big.png", "image/png", pngBytes(t, 1000, 800)); at["image_preview"] == nil {
		t.Fatal("the preview does not depend on thumbnails")
	}
	e.SetSetting(t, "Message_Attachments_Thumbnails_Enabled", true)

	// Deleting the message deletes its thumbnail too.
	m := uploadMedia(t, alice, rid, "gone.png", "image/png", pngBytes(t, 600, 600), map[string]any{})
	thumbURL := m["attachments"].([]any)[0].(map[string]any)["image_url"].(string)
	download(t, alice, thumbURL).Expect(t, 200)
	alice.DeleteMessage(t, rid, m["_id"].(string))
	download(t, alice, thumbURL).Expect(t, 404)
}

func TestUploadDownloadAccess(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	alice, bob := e.NewUser(t, "alice"), e.NewUser(t, "bob")
	public := alice.CreateRoom(t, "channels", "", nil)
	private := alice.CreateRoom(t, "groups", "", nil)
	pubURL := upload(t, alice, "rooms.media", public, "a b.png", "image/png", pngBytes(t, 2, 2), nil).OK(t).JSON(t)["file"].(map[string]any)["url"].(string)
	privURL := upload(t, alice, "rooms.media", private, "p.txt", "text/plain", []byte("secret"), nil).OK(t).JSON(t)["file"].(map[string]any)["url"].(string)
	ufs := func(url, store string) string { return strings.Replace(url, "/file-upload/", "/ufs/"+store+"/", 1) }

	type access struct {
		members, canAccess bool
		alicePub, bobPub   int
		bobPriv            int
	}
	for _, tc := range []access{
		{members: true, canAccess: false, alicePub: 200, bobPub: 403, bobPriv: 403},
		{members: false, canAccess: false, alicePub: 200, bobPub: 200, bobPriv: 200},
		{members: false, canAccess: true, alicePub: 200, bobPub: 200, bobPriv: 403},
		{members: true, canAccess: true, alicePub: 403, bobPub: 403, bobPriv: 403},
	} {
		e.SetSetting(t, "FileUpload_Restrict_to_room_members", tc.members)
		e.SetSetting(t, "FileUpload_Restrict_to_users_who_can_access_room", tc.canAccess)
		for _, u := range []string{pubURL, ufs(pubURL, "GridFS:Uploads"), ufs(pubURL, "FileSystem:Uploads")} {
			if r := download(t, alice, u).Expect(t, tc.alicePub); tc.alicePub == 200 && r.Header.Get("Content-Type") != "image/png" {
				t.Fatalf("%s: Content-Type %q", u, r.Header.Get("Content-Type"))
			}
			download(t, bob, u).Expect(t, tc.bobPub)
		}
		download(t, bob, privURL).Expect(t, tc.bobPriv)
	}
	e.SetSetting(t, "FileUpload_Restrict_to_room_members", true)
	e.SetSetting(t, "FileUpload_Restrict_to_users_who_can_access_room", false)

	// Credentials: query, cookies, headers; a wrong token is nobody.
	anon := e.Anon()
	if r := download(t, anon, privURL+"?rc_uid="+alice.UserID+"&rc_token="+alice.Token).Expect(t, 200); string(r.Body) != "secret" {
		t.Fatalf("query credentials: %q", r.Body)
	}
	cookie := e.Anon()
	cookie.Header.Set("Cookie", "rc_uid="+alice.UserID+"; rc_token="+alice.Token)
	download(t, cookie, privURL).Expect(t, 200)
	header := e.Anon()
	header.Header.Set("X-User-Id", alice.UserID)
	header.Header.Set("X-Auth-Token", alice.Token)
	download(t, header, ufs(privURL, "GridFS:Uploads")).Expect(t, 200)
	download(t, anon, privURL+"?rc_uid="+alice.UserID+"&rc_token=wrong").Expect(t, 403)
	r := download(t, anon, privURL).Expect(t, 403)
	if len(r.Body) != 0 {
		t.Fatalf("a refusal has a body: %q", r.Body)
	}
	// A body sent with the request is read and ignored.
	anon.Do(t, http.MethodGet, privURL, bytes.Repeat([]byte("x"), 100_000), "application/octet-stream").Expect(t, 403)

	// Unknown stores and files.
	download(t, alice, ufs(privURL, "Nowhere:Uploads")).Expect(t, 404)
	download(t, alice, "/ufs/GridFS:Uploads/nope/x.txt").Expect(t, 404)

	// Without protection anybody may download.
	e.SetSetting(t, "FileUpload_ProtectFiles", false)
	download(t, anon, privURL).Expect(t, 200)
	download(t, anon, ufs(pubURL, "GridFS:Uploads")).Expect(t, 200)
}
