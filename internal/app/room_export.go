package app

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/files"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// exportKeep is how long an archive made by rooms.export stays available.
const exportKeep = 24 * time.Hour

// exportPage is how many messages an export reads at a time.
const exportPage = 500

// ExportFile asks rooms.export for an archive of the messages of room RID
// sent from From until the end of the day To (zero: the beginning, now),
// in Format "html" or "json".
type ExportFile struct {
	RID      string
	From, To time.Time
	Format   string
}

// ExportEmail asks rooms.export to mail the messages named by Messages.
type ExportEmail struct {
	RID      string
	ToUsers  []string
	ToEmails []string
	Subject  string
	Messages []string
}

// exportRoom is the checks every rooms.export makes, in Rocket.Chat's
// order: mail-messages in the room, the room, and access to it.
func (a *App) exportRoom(ctx context.Context, actor *model.User, rid string) (*model.Room, error) {
	if !a.HasRoomPermission(ctx, actor, "mail-messages", rid) {
		return nil, E("error-action-not-allowed", "Mailing is not allowed")
	}
	r, err := a.store.Rooms().Get(ctx, rid)
	if isNotFound(err) {
		return nil, E("error-invalid-room", "")
	}
	if err != nil {
		return nil, a.storeErr(err)
	}
	if err := a.requireSee(ctx, r, actor, E("error-not-allowed", "Not Allowed")); err != nil {
		return nil, err
	}
	return r, nil
}

// ExportRoomToFile is rooms.export with type "file": the room's messages
// in the range, as one HTML or JSON document in a zip archive, kept in the
// file storage for exportKeep and downloadable by actor alone (see
// OpenRoomExport). Archives past their time are removed on the way.
func (a *App) ExportRoomToFile(ctx context.Context, actor *model.User, in ExportFile) (*model.RoomExport, error) {
	r, err := a.exportRoom(ctx, actor, in.RID)
	if err != nil {
		return nil, err
	}
	from, to := in.From, in.To
	if to.IsZero() {
		to = a.Now()
	}
	// The last day counts whole.
	to = to.AddDate(0, 0, 1)
	if from.After(to) {
		return nil, E("error-invalid-dates", "From date cannot be after To date")
	}
	if a.files == nil {
		return nil, errUploadDisabled
	}
	a.pruneExports(ctx)
	now := a.now()
	e := &model.RoomExport{
		ID: model.NewID(), RID: r.ID, UserID: actor.ID, Format: in.Format, CreatedAt: now,
		Name: SafeFileName(exportBaseName(r)+"-"+now.Std().Format("2006-01-02")) + ".zip",
	}
	f := store.MessageFilter{RID: r.ID, ExcludeHidden: true, TsAfter: model.FromTime(from), TsBefore: model.FromTime(to), TsInclusive: true}
	if from.IsZero() {
		f.TsAfter = 0
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(a.writeExport(ctx, pw, r, f, in.Format)) }()
	_, size, _, err := a.files.Put(ctx, e.ID, pr, -1)
	pr.CloseWithError(err) // stops the writer if storing failed first
	if err != nil {
		return nil, a.storeErr(err)
	}
	e.Size = size
	if err := a.tx(ctx, func(st store.Store) error { return st.RoomExports().Create(ctx, e) }); err != nil {
		_ = a.files.Delete(context.WithoutCancel(ctx), e.ID)
		return nil, err
	}
	return e, nil
}

// exportBaseName names an archive after its room.
func exportBaseName(r *model.Room) string {
	for _, n := range []string{r.FName, r.Name} {
		if n != "" {
			return n
		}
	}
	return r.ID
}

// writeExport writes the zip archive of the messages f selects.
func (a *App) writeExport(ctx context.Context, w io.Writer, r *model.Room, f store.MessageFilter, format string) error {
	zw := zip.NewWriter(w)
	doc, err := zw.Create("messages." + format)
	if err != nil {
		return err
	}
	title := html.EscapeString(exportBaseName(r))
	if format == "html" {
		if _, err := fmt.Fprintf(doc, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title></head><body>\n<h1>%s</h1>\n", title, title); err != nil {
			return err
		}
	} else if _, err := io.WriteString(doc, "[\n"); err != nil {
		return err
	}
	first := true
	opts := store.ListOptions{Count: exportPage, Sort: []store.SortField{{Field: "ts"}}}
	for {
		page, err := a.store.Messages().List(ctx, f, opts)
		if err != nil {
			return err
		}
		for _, m := range page {
			if err := writeExportMessage(doc, m, format, first); err != nil {
				return err
			}
			first = false
		}
		if len(page) < exportPage {
			break
		}
		opts.Offset += exportPage
	}
	end := "\n]\n"
	if format == "html" {
		end = "</body></html>\n"
	}
	if _, err := io.WriteString(doc, end); err != nil {
		return err
	}
	return zw.Close()
}

// writeExportMessage writes one message: a paragraph with its author and
// time (HTML), or the message document (JSON).
func writeExportMessage(w io.Writer, m *model.Message, format string, first bool) error {
	if format == "html" {
		text := m.Msg
		if m.T != "" && text == "" {
			text = m.T
		}
		var files []string
		for _, raw := range m.Attachments {
			var at struct {
				Title     string `json:"title"`
				TitleLink string `json:"title_link"`
			}
			if json.Unmarshal(raw, &at) == nil && at.TitleLink != "" {
				files = append(files, fmt.Sprintf(`<a href="%s">%s</a>`, html.EscapeString(at.TitleLink), html.EscapeString(at.Title)))
			}
		}
		body := strings.ReplaceAll(html.EscapeString(text), "\n", "<br>")
		if len(files) > 0 {
			body += "<br>" + strings.Join(files, " ")
		}
		_, err := fmt.Fprintf(w, "<p><strong>%s</strong> <em>%s</em><br>%s</p>\n", html.EscapeString(m.U.Username), m.Ts.String(), body)
		return err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if !first {
		if _, err := io.WriteString(w, ",\n"); err != nil {
			return err
		}
	}
	_, err = w.Write(b)
	return err
}

// pruneExports removes the archives older than exportKeep. A failure is
// left for the next export to retry.
func (a *App) pruneExports(ctx context.Context) {
	old, err := a.store.RoomExports().ListCreatedBefore(ctx, a.now()-model.Time(exportKeep.Milliseconds()))
	if err != nil {
		return
	}
	for _, e := range old {
		if err := a.files.Delete(ctx, e.ID); err != nil {
			continue
		}
		_ = a.tx(ctx, func(st store.Store) error { return st.RoomExports().Delete(ctx, e.ID) })
	}
}

// OpenRoomExport opens archive id for download by actor, who must be the
// user who made it; anyone else, and an archive past its time, finds
// nothing.
func (a *App) OpenRoomExport(ctx context.Context, actor *model.User, id string) (*model.RoomExport, files.Object, error) {
	notFound := &Error{Status: 404, Type: "error-file-not-found", Reason: "File not found", Plain: true}
	e, err := a.store.RoomExports().Get(ctx, id)
	if isNotFound(err) || (err == nil && (e.UserID != actor.ID || e.CreatedAt < a.now()-model.Time(exportKeep.Milliseconds()))) {
		return nil, nil, notFound
	}
	if err != nil {
		return nil, nil, a.storeErr(err)
	}
	if a.files == nil {
		return nil, nil, notFound
	}
	obj, _, err := a.files.Open(ctx, "", e.ID)
	if err != nil {
		return nil, nil, notFound
	}
	return e, obj, nil
}

// ExportRoomByEmail is rooms.export with type "email". Parley sends no
// mail, so once the request is checked it answers as Rocket.Chat does
// where SMTP is not set up.
func (a *App) ExportRoomByEmail(ctx context.Context, actor *model.User, in ExportEmail) error {
	if _, err := a.exportRoom(ctx, actor, in.RID); err != nil {
		return err
	}
	if len(in.ToUsers) == 0 && len(in.ToEmails) == 0 {
		return E("error-invalid-recipient", "")
	}
	return E("error-email-send-failed", "SMTP is not configured")
}
