package app

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/parleychat/parley/internal/files"
	"github.com/parleychat/parley/internal/settings"
)

// FileStorages are the places uploaded bytes may live.
// FileUpload_Storage_Type picks the one new files go to; each upload
// record names the one that holds it, so a file stays readable after the
// setting changes.
type FileStorages struct {
	// FileSystem is the local directory; nil when there is none.
	FileSystem files.Storage
	// GridFS is the database; nil when there is none.
	GridFS files.Storage
	// Default is the kind FileUpload_Storage_Type names until an
	// administrator sets it: FileSystem on SQLite, GridFS on PostgreSQL.
	Default string
	// S3Transport, when set, carries the requests of the AmazonS3 storage,
	// which is built from the FileUpload_S3_* settings.
	S3Transport http.RoundTripper
}

// DefaultFileStorage is the storage new uploads go to on a database
// (sqlstore's dialect name) until an administrator chooses: on PostgreSQL
// the database itself, so that every node serves every file; on SQLite,
// a single node, the data directory.
func DefaultFileStorage(dialect string) string {
	if dialect == "postgres" {
		return files.GridFS
	}
	return files.FileSystem
}

// fileStores picks a storage by kind. The AmazonS3 storage is made from
// the settings when first needed and again whenever they change, so
// every change applies to the next upload or download.
type fileStores struct {
	cfg      FileStorages
	settings *settings.Registry

	mu    sync.Mutex
	s3cfg files.S3Config
	s3    *files.S3
	s3err error
}

func newFileStores(c FileStorages, reg *settings.Registry) *fileStores {
	if c.FileSystem == nil && c.GridFS == nil {
		return nil
	}
	if c.Default != "" {
		// Only a kind outside the setting's values fails, and then the
		// registry's own default stays.
		_ = reg.SetDefault("FileUpload_Storage_Type", c.Default)
	}
	return &fileStores{cfg: c, settings: reg}
}

var errS3NotConfigured = errors.New("FileUpload_S3_Bucket is empty")

// s3Config reads the FileUpload_S3_* settings.
func (fs *fileStores) s3Config() files.S3Config {
	s := fs.settings
	return files.S3Config{
		Bucket: strings.TrimSpace(s.String("FileUpload_S3_Bucket")), ACL: strings.TrimSpace(s.String("FileUpload_S3_Acl")),
		AccessKeyID: strings.TrimSpace(s.String("FileUpload_S3_AWSAccessKeyId")), SecretAccessKey: s.String("FileUpload_S3_AWSSecretAccessKey"),
		Region: strings.TrimSpace(s.String("FileUpload_S3_Region")), BucketURL: strings.TrimSpace(s.String("FileUpload_S3_BucketURL")),
		ForcePathStyle: s.Bool("FileUpload_S3_ForcePathStyle"), Transport: fs.cfg.S3Transport,
	}
}

// s3Storage is the AmazonS3 storage the settings describe.
func (fs *fileStores) s3Storage() (*files.S3, error) {
	cfg := fs.s3Config()
	if cfg.Bucket == "" {
		return nil, errS3NotConfigured
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.s3 == nil && fs.s3err == nil || fs.s3cfg != cfg {
		fs.s3cfg = cfg
		fs.s3, fs.s3err = files.NewS3(cfg)
	}
	return fs.s3, fs.s3err
}

// kind returns the storage of a kind, or an error that says why there is
// none.
func (fs *fileStores) kind(kind string) (files.Storage, error) {
	switch kind {
	case files.FileSystem:
		if fs.cfg.FileSystem != nil {
			return fs.cfg.FileSystem, nil
		}
	case files.GridFS:
		if fs.cfg.GridFS != nil {
			return fs.cfg.GridFS, nil
		}
	case files.AmazonS3:
		s, err := fs.s3Storage()
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	return nil, errors.New("no " + kind + " file storage is available")
}

// FileStorage returns the storage of a kind, for tools and tests that
// look at the bytes themselves.
func (a *App) FileStorage(kind string) (files.Storage, error) {
	if a.files == nil {
		return nil, errors.New("no file storage is configured")
	}
	return a.files.kind(kind)
}

// current is the storage new files go to.
func (fs *fileStores) current() (files.Storage, error) {
	st, err := fs.kind(fs.settings.String("FileUpload_Storage_Type"))
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Type: "error-file-storage",
			Reason: "FileUpload_Storage_Type is " + fs.settings.String("FileUpload_Storage_Type") + ", which cannot be used: " + err.Error()}
	}
	return st, nil
}

// Put stores a new file in the current storage and returns the kind it
// went to.
func (fs *fileStores) Put(ctx context.Context, key string, r io.Reader, limit int64) (kind string, size int64, digest string, err error) {
	st, err := fs.current()
	if err != nil {
		return "", 0, "", err
	}
	size, digest, err = st.Put(ctx, key, r, limit)
	return st.Kind(), size, digest, err
}

// available lists the storages that may hold files, prefer first.
func (fs *fileStores) available(prefer string) []files.Storage {
	var out []files.Storage
	add := func(kind string) {
		st, err := fs.kind(kind)
		if err != nil {
			return
		}
		for _, s := range out {
			if s.Kind() == st.Kind() {
				return
			}
		}
		out = append(out, st)
	}
	if prefer != "" {
		add(prefer)
	}
	add(fs.settings.String("FileUpload_Storage_Type"))
	for _, k := range files.Kinds {
		add(k)
	}
	return out
}

// storeKind is the kind of an upload record's store ("GridFS:Uploads").
func storeKind(store string) string {
	k, _, _ := strings.Cut(store, ":")
	return k
}

// Open opens key where it is: in the storage of kind prefer (the one its
// record names; "" for the current one) or, when it is not there, in any
// other. A file being moved between storages, and an avatar, which has
// no record of its storage, are found all the same.
func (fs *fileStores) Open(ctx context.Context, prefer, key string) (files.Object, files.Storage, error) {
	var firstErr error
	for _, st := range fs.available(prefer) {
		obj, err := st.Open(ctx, key)
		if err == nil {
			return obj, st, nil
		}
		if !errors.Is(err, files.ErrNotFound) && firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		return nil, nil, firstErr
	}
	return nil, nil, files.ErrNotFound
}

// Delete removes key from every storage, so that no copy outlives its
// file, wherever a move left one.
func (fs *fileStores) Delete(ctx context.Context, key string) error {
	var firstErr error
	for _, st := range fs.available("") {
		if err := st.Delete(ctx, key); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

// link is the presigned address of key in st when st is the AmazonS3
// storage and proxySetting is off; "" when the bytes go through Parley.
func (fs *fileStores) link(ctx context.Context, st files.Storage, proxySetting, key, contentType, disposition string) string {
	l, ok := st.(files.Linker)
	if !ok || fs.settings.Bool(proxySetting) {
		return ""
	}
	expiry := time.Duration(max(5, fs.settings.Int("FileUpload_S3_URLExpiryTimeSpan"))) * time.Second
	expiry = min(expiry, 7*24*time.Hour) // the longest a presigned URL may last
	u, err := l.Link(ctx, key, expiry, contentType, disposition)
	if err != nil {
		return ""
	}
	return u
}
