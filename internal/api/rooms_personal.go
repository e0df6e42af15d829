package api

// favoriteIn is the body of rooms.favorite.
type favoriteIn struct {
	RoomID   string `json:"roomId" in:"oneOf,exclusive"`
	RoomName string `json:"roomName" in:"oneOf,exclusive"`
	Favorite bool   `json:"favorite" in:"required"`
}

func (s *Server) roomsFavorite(c *request, in *favoriteIn) (any, error) {
	return nil, s.app.SetFavorite(c.ctx, c.user, roomRefIn{RoomID: in.RoomID, RoomName: in.RoomName}.ref(), in.Favorite)
}

// hideIn is the body of rooms.hide.
type hideIn struct {
	RoomID string `json:"roomId" in:"required,nonempty"`
}

func (s *Server) roomsHide(c *request, in *hideIn) (any, error) {
	return nil, s.app.HideRoom(c.ctx, c.user, in.RoomID)
}

// saveDraftIn is the body of rooms.saveDraft.
type saveDraftIn struct {
	RID   string `json:"rid" in:"required,nonempty"`
	Draft string `json:"draft" in:"required"`
	TMID  string `json:"tmid" in:"nonempty"`
}

func (s *Server) roomsSaveDraft(c *request, in *saveDraftIn) (any, error) {
	return nil, s.app.SaveDraft(c.ctx, c.user, in.RID, in.Draft, in.TMID)
}

// unreadIn is the body of subscriptions.unread: the room whose newest
// message becomes unread, or the first unread message itself.
type unreadIn struct {
	RoomID             string `json:"roomId" in:"oneOf,exclusive"`
	FirstUnreadMessage *struct {
		ID string `json:"_id" in:"required"`
	} `json:"firstUnreadMessage" in:"oneOf,exclusive"`
}

func (s *Server) subscriptionsUnread(c *request, in *unreadIn) (any, error) {
	mid := ""
	if in.FirstUnreadMessage != nil {
		mid = in.FirstUnreadMessage.ID
	}
	return nil, s.app.MarkUnread(c.ctx, c.user, in.RoomID, mid)
}
