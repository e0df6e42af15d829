package model

import "encoding/json"

// File is an uploaded file (Rocket.Chat's rocketchat_uploads document).
// User is filled in for listings and never stored.
type File struct {
	ID          string        `json:"_id"`
	Name        string        `json:"name"`
	Size        int64         `json:"size"`
	Type        string        `json:"type"`
	TypeGroup   string        `json:"typeGroup"`
	Extension   string        `json:"extension,omitempty"`
	RID         string        `json:"rid"`
	UserID      string        `json:"userId"`
	Store       string        `json:"store"`
	Complete    bool          `json:"complete"`
	Uploading   bool          `json:"uploading"`
	Progress    int           `json:"progress"`
	ETag        string        `json:"etag,omitempty"`
	Path        string        `json:"path,omitempty"`
	URL         string        `json:"url,omitempty"`
	Description string        `json:"description,omitempty"`
	Identify    *FileIdentify `json:"identify,omitempty"`
	// Content is the client's end-to-end encryption payload of the file.
	Content json.RawMessage `json:"content,omitempty"`
	// OriginalFileID is, on a thumbnail, the upload it was made from.
	OriginalFileID string `json:"originalFileId,omitempty"`
	UploadedAt     Time   `json:"uploadedAt"`
	// ExpiresAt is set until the upload is confirmed by a message.
	ExpiresAt *Time    `json:"expiresAt,omitempty"`
	UpdatedAt Time     `json:"_updatedAt"`
	User      *UserRef `json:"user,omitempty"`
}

// FileIdentify is what is known of an image's format and size.
type FileIdentify struct {
	Format string    `json:"format"`
	Size   ImageSize `json:"size"`
}

// ImageSize is an image's dimensions in pixels.
type ImageSize struct {
	Width  int `json:"width"`
	Height int `json:"height"`
}
