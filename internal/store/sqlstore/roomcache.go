package sqlstore

import (
	"maps"
	"slices"
	"sync"

	"github.com/parleychat/parley/internal/model"
)

// roomCache keeps decoded room documents in memory on SQLite, where this
// process is the database's only writer and so sees every change. Posting
// reads its room on every request, and that read cost as much as a tenth
// of the request; the document itself changes rarely (only Update, Delete
// and AddUsersCount touch what is kept). The counters a message moves
// (msgs, lm, lastMessage, _updatedAt) are not kept: they change with
// every post.
//
// A change forgets the room twice: when its statement runs, and again
// when its transaction ends, because a reader may have loaded the old
// document in between. A load that raced with a change is not kept:
// every change moves gen on, and an entry is stored only if gen did not
// move while it was read.
type roomCache struct {
	mu    sync.Mutex
	gen   uint64
	rooms map[string]*model.Room
}

// roomCacheMax bounds the memory: past it, new entries are not kept.
const roomCacheMax = 10_000

func newRoomCache() *roomCache { return &roomCache{rooms: map[string]*model.Room{}} }

// get returns a copy of room id if it is kept, and the generation to hand
// to put after loading it otherwise.
func (c *roomCache) get(id string) (*model.Room, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.rooms[id]; ok {
		return cloneRoom(r), c.gen
	}
	return nil, c.gen
}

// put keeps r, loaded when the generation was gen.
func (c *roomCache) put(r *model.Room, gen uint64) {
	kept := cloneRoom(r)
	kept.Msgs, kept.LM, kept.LastMessage, kept.UpdatedAt = 0, nil, nil, 0
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen && len(c.rooms) < roomCacheMax {
		c.rooms[r.ID] = kept
	}
}

func (c *roomCache) forget(ids ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, id := range ids {
		delete(c.rooms, id)
	}
}

// cloneRoom copies r deeply enough that a caller changing its copy's
// lists or custom fields cannot change the kept one.
func cloneRoom(r *model.Room) *model.Room {
	c := *r
	if r.U != nil {
		u := *r.U
		c.U = &u
	}
	if r.SysMes != nil {
		v := *r.SysMes
		c.SysMes = &v
	}
	if r.LM != nil {
		v := *r.LM
		c.LM = &v
	}
	c.LastMessage = slices.Clone(r.LastMessage)
	c.UIDs = slices.Clone(r.UIDs)
	c.Usernames = slices.Clone(r.Usernames)
	c.Muted = slices.Clone(r.Muted)
	c.Unmuted = slices.Clone(r.Unmuted)
	c.CustomFields = maps.Clone(r.CustomFields)
	return &c
}

// roomChanged forgets room id after a statement changed what the cache
// keeps: at once, and once more when the enclosing batch has committed or
// rolled back.
func (s *Store) roomChanged(id string) {
	if s.rooms == nil {
		return
	}
	s.rooms.forget(id)
	if s.changed != nil {
		s.changed.rooms = append(s.changed.rooms, id)
	}
}

// batchChanges lists the rooms a batch changed.
type batchChanges struct{ rooms []string }
