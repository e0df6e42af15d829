package storetest

import (
	"testing"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

func newFile(id, rid, name, group string, sec int) *model.File {
	return &model.File{
		ID: id, RID: rid, UserID: "u1", Name: name, Type: group + "/x", TypeGroup: group, Size: int64(sec),
		Store: "FileSystem:Uploads", Complete: true, Progress: 1, URL: "/file-upload/" + id + "/" + name,
		UploadedAt: at(sec), UpdatedAt: at(sec),
	}
}

var fileTests = []test{
	{"InsertGetUpdateDelete", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		f := newFile("f1", "r1", "Notes.txt", "text", 1)
		f.ExpiresAt = tp(at(100))
		f.Identify = &model.FileIdentify{Format: "png", Size: model.ImageSize{Width: 2, Height: 3}}
		must(t, s.Files().Insert(ctx, f))
		wantErr(t, s.Files().Insert(ctx, f), store.ErrConflict)
		got, err := s.Files().Get(ctx, "f1")
		must(t, err)
		wantEqual(t, "Get", got, f)

		f.ExpiresAt, f.Description = nil, "d"
		must(t, s.Files().Update(ctx, f))
		got, err = s.Files().Get(ctx, "f1")
		must(t, err)
		wantEqual(t, "after Update", got, f)

		// The user object is never stored.
		f.User = &model.UserRef{ID: "u1"}
		must(t, s.Files().Update(ctx, f))
		got, _ = s.Files().Get(ctx, "f1")
		if got.User != nil {
			t.Fatal("user stored")
		}

		wantDeletedOnce(t, "f1", s.Files().Delete, s.Files().Get)
		wantErr(t, s.Files().Update(ctx, f), store.ErrNotFound)
	}},
	{"ListFiltersSortsPages", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		pending := newFile("f4", "r1", "draft.png", "image", 4)
		pending.ExpiresAt = tp(at(50))
		for _, f := range []*model.File{
			newFile("f1", "r1", "b-report.pdf", "application", 1),
			newFile("f2", "r1", "A-photo.png", "image", 2),
			newFile("f3", "r2", "other.png", "image", 3),
			pending,
		} {
			must(t, s.Files().Insert(ctx, f))
		}
		ids := func(list []*model.File) []string {
			out := []string{}
			for _, f := range list {
				out = append(out, f.ID)
			}
			return out
		}
		list, total, err := s.Files().List(ctx, store.FileFilter{RID: "r1"}, store.ListOptions{})
		must(t, err)
		wantEqual(t, "by name", ids(list), []string{"f2", "f1", "f4"})
		wantEqual(t, "total", total, 3)

		list, total, err = s.Files().List(ctx, store.FileFilter{RID: "r1", TypeGroup: "image"}, store.ListOptions{})
		must(t, err)
		wantEqual(t, "typeGroup", ids(list), []string{"f2", "f4"})
		wantEqual(t, "typeGroup total", total, 2)
		list, _, err = s.Files().List(ctx, store.FileFilter{RID: "r1", NotTypeGroup: "image"}, store.ListOptions{})
		must(t, err)
		wantEqual(t, "not typeGroup", ids(list), []string{"f1"})

		list, _, err = s.Files().List(ctx, store.FileFilter{RID: "r1", Name: "PHOTO"}, store.ListOptions{})
		must(t, err)
		wantEqual(t, "name", ids(list), []string{"f2"})
		list, _, err = s.Files().List(ctx, store.FileFilter{RID: "r1", Name: "%"}, store.ListOptions{})
		must(t, err)
		wantEqual(t, "name is no pattern", ids(list), []string{})

		list, _, err = s.Files().List(ctx, store.FileFilter{RID: "r1", OnlyConfirmed: true}, store.ListOptions{})
		must(t, err)
		wantEqual(t, "onlyConfirmed", ids(list), []string{"f2", "f1"})
		list, _, err = s.Files().List(ctx, store.FileFilter{ExpiredBefore: at(60)}, store.ListOptions{})
		must(t, err)
		wantEqual(t, "expired", ids(list), []string{"f4"})

		list, total, err = s.Files().List(ctx, store.FileFilter{RID: "r1"}, store.ListOptions{Offset: 1, Count: 1, Sort: []store.SortField{{Field: "uploadedAt", Desc: true}}})
		must(t, err)
		wantEqual(t, "page", ids(list), []string{"f2"})
		wantEqual(t, "page total", total, 3)
	}},
}

// messageCountTests check that a room's visible count (the total of
// unfiltered listings) follows inserts, hides, moves and deletes.
var messageCountTests = []test{
	{"VisibleCountFollowsChanges", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		visible := store.MessageFilter{RID: "r1", ExcludeHidden: true}
		count := func(want int) {
			t.Helper()
			n, err := s.Messages().Count(ctx, visible)
			must(t, err)
			wantEqual(t, "count", n, want)
		}
		count(0)
		// Counted both through a room row and without one.
		must(t, s.Rooms().Create(ctx, &model.Room{ID: "r1", T: model.RoomChannel, Name: "counted", Ts: at(0), UpdatedAt: at(0)}))
		count(0)
		var ms []*model.Message
		for i := 1; i <= 4; i++ {
			m := &model.Message{ID: "m" + string(rune('0'+i)), RID: "r1", Msg: "x", Ts: at(i), UpdatedAt: at(i), U: model.UserRef{ID: "u1"}}
			if i == 4 {
				m.Hidden = true
			}
			must(t, s.Messages().Insert(ctx, m))
			ms = append(ms, m)
		}
		count(3)
		ms[0].Hidden = true
		must(t, s.Messages().Update(ctx, ms[0]))
		count(2)
		ms[3].Hidden = false
		must(t, s.Messages().Update(ctx, ms[3]))
		count(3)
		// A post counts in its own statement on PostgreSQL.
		must(t, s.Messages().Post(ctx, store.NewPost{Message: &model.Message{ID: "m5", RID: "r1", Msg: "posted", U: model.UserRef{ID: "u1"}}, Want: at(5)}))
		count(4)
		must(t, s.Messages().Delete(ctx, "m5"))
		count(3)
		must(t, s.Messages().Delete(ctx, ms[1].ID))
		count(2)
		must(t, s.Messages().DeleteByRoom(ctx, "r1"))
		count(0)
		must(t, s.Messages().Insert(ctx, &model.Message{ID: "m9", RID: "r1", Ts: at(9), UpdatedAt: at(9), U: model.UserRef{ID: "u1"}}))
		must(t, s.Rooms().Delete(ctx, "r1"))
		count(1)
	}},
}
