package api_test

import (
	"bytes"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
)

// multipartBody builds a multipart body with one file part and extra fields.
func multipartBody(t *testing.T, name, typ string, content []byte, fields map[string]string) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name)+`"`)
	if typ != "" {
		h.Set("Content-Type", typ)
	}
	part, err := w.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	part.Write(content)
	w.Close()
	return b.Bytes(), w.FormDataContentType()
}

func upload(t *testing.T, c *apitest.Client, path, rid, name, typ string, content []byte, fields map[string]string) *apitest.Response {
	t.Helper()
	body, ct := multipartBody(t, name, typ, content, fields)
	return c.Do(t, http.MethodPost, "/api/v1/"+path+"/"+rid, body, ct)
}

// uploadMedia uploads and confirms; it returns the file message.
func uploadMedia(t *testing.T, c *apitest.Client, rid, name, typ string, content []byte, confirm map[string]any) map[string]any {
	t.Helper()
	f := upload(t, c, "rooms.media", rid, name, typ, content, nil).OK(t).JSON(t)["file"].(map[string]any)
	return c.Post(t, "rooms.mediaConfirm/"+rid+"/"+f["_id"].(string), confirm).OK(t).JSON(t)["message"].(map[string]any)
}

func download(t *testing.T, c *apitest.Client, url string) *apitest.Response {
	t.Helper()
	return c.Do(t, http.MethodGet, url, nil, "")
}

func roomFiles(t *testing.T, c *apitest.Client, rid string, q ...string) []map[string]any {
	t.Helper()
	var out struct{ Files []map[string]any }
	c.Get(t, "dm.files", apitest.Q(append([]string{"roomId", rid}, q...)...)).OK(t).Decode(t, &out)
	return out.Files
}

func TestUploadTwoStepAndDownload(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob", "eve")
	alice, bob, eve := e.Users[0], e.Users[1], e.Users[2]
	rid := alice.CreateDM(t, "dm", map[string]any{"username": "bob"})["_id"].(string)

	content := []byte("hello, file")
	m := uploadMedia(t, alice, rid, "notes.txt", "text/plain", content, map[string]any{"msg": "see @bob", "description": "my notes"})
	if m["msg"] != "see @bob" || m["file"].(map[string]any)["name"] != "notes.txt" || len(m["files"].([]any)) != 1 {
		t.Fatalf("file message: %v", m)
	}
	at := m["attachments"].([]any)[0].(map[string]any)
	url := at["title_link"].(string)
	if at["type"] != "file" || at["title"] != "notes.txt" || at["title_link_download"] != true || at["description"] != "my notes" ||
		at["format"] != "TXT" || !strings.HasPrefix(url, "/file-upload/") {
		t.Fatalf("attachment: %v", at)
	}
	if bob.Subscription(t, rid)["userMentions"].(float64) != 1 {
		t.Fatal("the mention in a file message did not count")
	}

	files := roomFiles(t, bob, rid)
	if len(files) != 1 || files[0]["name"] != "notes.txt" || files[0]["typeGroup"] != "text" || files[0]["complete"] != true ||
		files[0]["user"].(map[string]any)["username"] != "alice" || files[0]["url"] != url || files[0]["expiresAt"] != nil {
		t.Fatalf("dm.files: %v", files)
	}
	if len(roomFiles(t, bob, rid, "typeGroup", "image")) != 0 || len(roomFiles(t, bob, rid, "name", "NOTE")) != 1 || len(roomFiles(t, bob, rid, "name", "zzz")) != 0 {
		t.Fatal("dm.files filters")
	}
	bob.Get(t, "im.files", apitest.Q("username", "alice")).OK(t)
	eve.Get(t, "dm.files", apitest.Q("roomId", rid)).Fails(t, 403, "", "unauthorized")

	// Download: headers, cookies, ETag; nobody else.
	r := download(t, bob, url).Expect(t, 200)
	if !bytes.Equal(r.Body, content) || r.Header.Get("Content-Type") != "text/plain" || r.Header.Get("ETag") == "" ||
		r.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %v %q", r.Status, r.Header, r.Body)
	}
	etag := r.Header.Get("ETag")
	viaCookie := e.Anon()
	viaCookie.Header.Set("Cookie", "rc_uid="+bob.UserID+"; rc_token="+bob.Token)
	download(t, viaCookie, url).Expect(t, 200)
	bob.Header.Set("If-None-Match", etag)
	download(t, bob, url).Expect(t, http.StatusNotModified)
	bob.Header.Del("If-None-Match")
	download(t, eve, url).Expect(t, 403)
	download(t, e.Anon(), url).Expect(t, 403)
	download(t, bob, "/file-upload/nope/x.txt").Expect(t, 404)

	// Deleting the message deletes the file.
	alice.DeleteMessage(t, rid, m["_id"].(string))
	download(t, alice, url).Expect(t, 404)
	if len(roomFiles(t, bob, rid)) != 0 {
		t.Fatal("file record survived its message")
	}
}

func TestUploadConfirmRules(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob", "eve")
	alice, bob, eve := e.Users[0], e.Users[1], e.Users[2]
	rid := alice.CreateDM(t, "dm", map[string]any{"username": "bob"})["_id"].(string)
	f := upload(t, alice, "rooms.media", rid, "a.txt", "text/plain", []byte("x"), nil).OK(t).JSON(t)["file"].(map[string]any)
	id := f["_id"].(string)
	// Unconfirmed uploads are listed, but not with onlyConfirmed.
	if len(roomFiles(t, alice, rid)) != 1 || len(roomFiles(t, alice, rid, "onlyConfirmed", "true")) != 0 {
		t.Fatal("onlyConfirmed")
	}
	bob.Post(t, "rooms.mediaConfirm/"+rid+"/"+id, map[string]any{}).Fails(t, 400, "invalid-file", "[invalid-file]")
	eve.Post(t, "rooms.mediaConfirm/"+rid+"/"+id, map[string]any{}).Fails(t, 403, "", "unauthorized")
	alice.Post(t, "rooms.mediaConfirm/GENERAL/"+id, map[string]any{}).Fails(t, 400, "invalid-file", "")
	alice.Post(t, "rooms.mediaConfirm/"+rid+"/"+id, map[string]any{"description": strings.Repeat("x", 5001)}).Fails(t, 400, "error-message-size-exceeded", "")
	eve.Do(t, http.MethodPost, "/api/v1/rooms.media/"+rid, nil, "multipart/form-data; boundary=x").Fails(t, 403, "", "unauthorized")
	alice.Post(t, "rooms.media/"+rid, map[string]any{"msg": "no file"}).Fails(t, 400, "error-no-file-uploaded", "")
	e.Anon().Post(t, "rooms.media/"+rid, nil).Expect(t, 401)

	// Threads: the reply carries the file.
	parent := alice.PostText(t, rid, "parent")
	m := alice.Post(t, "rooms.mediaConfirm/"+rid+"/"+id, map[string]any{"tmid": parent["_id"], "msg": "in thread"}).OK(t).JSON(t)["message"].(map[string]any)
	if m["tmid"] != parent["_id"] {
		t.Fatalf("tmid: %v", m)
	}
}

func TestUploadLegacyOneStepAndImages(t *testing.T) {
	t.Parallel()
	_, alice, rid := apitest.NewUserRoom(t, "alice", "channels", "files")
	m := upload(t, alice, "rooms.upload", rid, "report.pdf", "application/pdf", []byte("%PDF-1.4"), map[string]string{"msg": "the report", "description": "Q3"}).
		OK(t).JSON(t)["message"].(map[string]any)
	if m["msg"] != "the report" || m["attachments"].([]any)[0].(map[string]any)["description"] != "Q3" {
		t.Fatalf("one-step upload: %v", m)
	}

	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	var buf bytes.Buffer
	png.Encode(&buf, img)
	// No part type: it is taken from the extension.
	m = uploadMedia(t, alice, rid, "dot.png", "", buf.Bytes(), map[string]any{})
	at := m["attachments"].([]any)[0].(map[string]any)
	dims, _ := at["image_dimensions"].(map[string]any)
	if at["image_type"] != "image/png" || at["image_url"] != at["title_link"] || int(at["image_size"].(float64)) != buf.Len() ||
		dims["width"] != 3.0 || dims["height"] != 2.0 {
		t.Fatalf("image attachment: %v", at)
	}
	r := download(t, alice, at["image_url"].(string)).Expect(t, 200)
	if r.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "inline") {
		t.Fatalf("image download headers: %v", r.Header)
	}
}

func TestUploadLimits(t *testing.T) {
	t.Parallel()
	e := apitest.NewScene(t, "alice", "bob")
	alice := e.Users[0]
	rid := alice.CreateDM(t, "dm", map[string]any{"username": "bob"})["_id"].(string)

	e.SetSetting(t, "FileUpload_MaxFileSize", 10)
	upload(t, alice, "rooms.media", rid, "big.txt", "text/plain", bytes.Repeat([]byte("x"), 11), nil).
		Fails(t, http.StatusRequestEntityTooLarge, "error-file-too-large", "File size exceeds allowed size of 10 bytes [error-file-too-large]")
	upload(t, alice, "rooms.upload", rid, "big.txt", "text/plain", bytes.Repeat([]byte("x"), 11), nil).Expect(t, http.StatusRequestEntityTooLarge)
	upload(t, alice, "rooms.media", rid, "ok.txt", "text/plain", bytes.Repeat([]byte("x"), 10), nil).OK(t)
	e.SetSetting(t, "FileUpload_MaxFileSize", 104857600)

	// image/svg+xml is refused by default.
	upload(t, alice, "rooms.media", rid, "x.svg", "image/svg+xml", []byte("<svg/>"), nil).Fails(t, 400, "error-invalid-file-type", "File type is not accepted [error-invalid-file-type]")
	e.SetSetting(t, "FileUpload_MediaTypeWhiteList", "image/*, application/pdf")
	upload(t, alice, "rooms.media", rid, "a.txt", "text/plain", []byte("x"), nil).Fails(t, 400, "error-invalid-file-type", "")
	upload(t, alice, "rooms.media", rid, "a.gif", "image/gif", []byte("GIF89a"), nil).OK(t)
	e.SetSetting(t, "FileUpload_MediaTypeWhiteList", "")

	e.SetSetting(t, "FileUpload_Enabled_Direct", false)
	upload(t, alice, "rooms.media", rid, "a.txt", "text/plain", []byte("x"), nil).Fails(t, 400, "error-direct-message-file-upload-not-allowed", "")
	e.SetSetting(t, "FileUpload_Enabled_Direct", true)
	e.SetSetting(t, "FileUpload_Enabled", false)
	upload(t, alice, "rooms.media", rid, "a.txt", "text/plain", []byte("x"), nil).Fails(t, 400, "error-file-upload-disabled", "")
	e.SetSetting(t, "FileUpload_Enabled", true)

	// Only the two good uploads left records.
	if n := len(roomFiles(t, alice, rid)); n != 2 {
		t.Fatalf("%d records, want 2", n)
	}

	// A body that breaks off inside the file leaves nothing.
	body, ct := multipartBody(t, "cut.txt", "text/plain", bytes.Repeat([]byte("y"), 5000), nil)
	alice.Do(t, http.MethodPost, "/api/v1/rooms.media/"+rid, body[:len(body)-200], ct).Fails(t, 400, "error-file-upload-incomplete", "")
	if n := len(roomFiles(t, alice, rid)); n != 2 {
		t.Fatalf("a partial upload left a record: %d", n)
	}
}

func TestUploadSafeNames(t *testing.T) {
	t.Parallel()
	_, alice, rid := apitest.NewUserRoom(t, "alice", "groups", "g")
	for _, tc := range []struct{ sent, want string }{
		{"../../etc/passwd", "passwd"},
		{`..\..\windows\win.ini`, "win.ini"},
		{"..", "file"},
		{"space name.txt", "space name.txt"},
	} {
		f := upload(t, alice, "rooms.media", rid, tc.sent, "text/plain", []byte("data"), nil).OK(t).JSON(t)["file"].(map[string]any)
		m := alice.Post(t, "rooms.mediaConfirm/"+rid+"/"+f["_id"].(string), map[string]any{}).OK(t).JSON(t)["message"].(map[string]any)
		if name := m["file"].(map[string]any)["name"]; name != tc.want {
			t.Fatalf("%q stored as %q, want %q", tc.sent, name, tc.want)
		}
		if url := f["url"].(string); strings.Contains(url, "..") || strings.Count(url, "/") != 3 {
			t.Fatalf("url %q", url)
		}
		if r := download(t, alice, f["url"].(string)).Expect(t, 200); string(r.Body) != "data" {
			t.Fatalf("download of %q: %q", tc.sent, r.Body)
		}
	}
}

func TestUploadRoomDeleteRemovesFiles(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	bob := e.NewUser(t, "bob")
	rid := e.Admin.CreateDM(t, "dm", map[string]any{"username": "bob"})["_id"].(string)
	m := uploadMedia(t, bob, rid, "a.txt", "text/plain", []byte("x"), map[string]any{})
	url := m["attachments"].([]any)[0].(map[string]any)["title_link"].(string)
	download(t, bob, url).Expect(t, 200)
	e.Admin.Post(t, "im.delete", map[string]any{"roomId": rid}).OK(t)
	download(t, e.Admin, url).Expect(t, 404)
}
