package files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config is where an S3 storage keeps its objects, as Rocket.Chat's
// FileUpload_S3_* settings say.
type S3Config struct {
	Bucket string
	// ACL is a canned ACL given to each new object (x-amz-acl), e.g.
	// "private"; empty leaves the bucket's default.
	ACL string
	// AccessKeyID and SecretAccessKey sign requests; when both are empty
	// the AWS_* environment variables or the machine's IAM role do.
	AccessKeyID, SecretAccessKey string
	Region                       string
	// BucketURL is the endpoint, e.g. https://minio.example.com:9000;
	// empty means Amazon S3.
	BucketURL string
	// ForcePathStyle puts the bucket in the path rather than in the host
	// name.
	ForcePathStyle bool
	// Transport, when set, carries the requests (tests use it).
	Transport http.RoundTripper
}

// s3Prefix is where Parley's objects live in the bucket, so that a bucket
// shared with other software keeps their objects apart from Parley's.
const s3Prefix = "parley/"

// s3PartSize is the size of the parts an upload of unknown length is sent
// in. Each upload in progress holds one part in memory; 5 MiB is the
// smallest part S3 accepts.
const s3PartSize = 5 << 20

// S3 keeps files in an S3-compatible bucket.
type S3 struct {
	c      *minio.Client
	bucket string
	acl    string
}

// NewS3 returns storage in the bucket cfg names. It sends no request.
func NewS3(cfg S3Config) (*S3, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("FileUpload_S3_Bucket is empty")
	}
	endpoint, secure := "s3.amazonaws.com", true
	if cfg.BucketURL != "" {
		u, err := url.Parse(cfg.BucketURL)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("FileUpload_S3_BucketURL %q is not an http:// or https:// URL", cfg.BucketURL)
		}
		if p := strings.Trim(u.Path, "/"); p != "" {
			return nil, fmt.Errorf("FileUpload_S3_BucketURL %q has a path; give the endpoint alone and the bucket in FileUpload_S3_Bucket", cfg.BucketURL)
		}
		endpoint, secure = u.Host, u.Scheme == "https"
	}
	var creds *credentials.Credentials
	if cfg.AccessKeyID != "" || cfg.SecretAccessKey != "" {
		creds = credentials.NewStaticV4(cfg.AccessKeyID, cfg.SecretAccessKey, "")
	} else {
		creds = credentials.NewChainCredentials([]credentials.Provider{
			&credentials.EnvAWS{}, &credentials.FileAWSCredentials{}, &credentials.IAM{},
		})
	}
	lookup := minio.BucketLookupAuto
	if cfg.ForcePathStyle {
		lookup = minio.BucketLookupPath
	}
	c, err := minio.New(endpoint, &minio.Options{Creds: creds, Secure: secure, Region: cfg.Region, BucketLookup: lookup, Transport: cfg.Transport})
	if err != nil {
		return nil, err
	}
	return &S3{c: c, bucket: cfg.Bucket, acl: cfg.ACL}, nil
}

// Kind implements Storage.
func (s *S3) Kind() string { return AmazonS3 }

func (s *S3) object(key string) (string, error) {
	if !ValidKey(key) {
		return "", ErrInvalidKey
	}
	return s3Prefix + key, nil
}

// Put implements Storage. A file smaller than one part goes in one
// request; a larger one as a multipart upload, which the bucket shows
// only once it is complete and which is aborted when the stream fails.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, limit int64) (int64, string, error) {
	name, err := s.object(key)
	if err != nil {
		return 0, "", err
	}
	h := NewDigest()
	var n int64
	tooLarge := false
	src := ctxReader{ctx, io.TeeReader(limited(r, limit), h)}
	// counted stops the upload with an error once the limit is passed, so
	// that the multipart upload is aborted rather than completed.
	counted := readerFunc(func(p []byte) (int, error) {
		m, err := src.Read(p)
		n += int64(m)
		if limit >= 0 && n > limit {
			tooLarge = true
			return m, ErrTooLarge
		}
		return m, err
	})
	opts := minio.PutObjectOptions{ContentType: "application/octet-stream", PartSize: s3PartSize}
	if s.acl != "" {
		opts.UserMetadata = map[string]string{"x-amz-acl": s.acl}
	}
	// The first part is read here: most files fit in it and then go in
	// one plain PUT of known length.
	var head bytes.Buffer
	if _, err := head.ReadFrom(io.LimitReader(counted, s3PartSize)); err != nil {
		if tooLarge {
			return 0, "", ErrTooLarge
		}
		return 0, "", err
	}
	if head.Len() < s3PartSize {
		_, err = s.c.PutObject(ctx, s.bucket, name, &head, int64(head.Len()), opts)
	} else {
		_, err = s.c.PutObject(ctx, s.bucket, name, io.MultiReader(&head, counted), -1, opts)
	}
	if tooLarge {
		return 0, "", ErrTooLarge
	}
	if err != nil {
		return 0, "", err
	}
	return n, DigestString(h), nil
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// Open implements Storage. The object is read with ranged GETs from the
// position read or sought to, so a ranged download fetches its range only.
func (s *S3) Open(ctx context.Context, key string) (Object, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, err
	}
	info, err := s.c.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	if err != nil {
		if isNoSuchKey(err) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	return &s3Object{s: s, ctx: ctx, name: name, size: info.Size, mod: info.LastModified, etag: info.ETag}, nil
}

func isNoSuchKey(err error) bool {
	code := minio.ToErrorResponse(err).Code
	return code == "NoSuchKey" || code == "NotFound"
}

// Delete implements Storage.
func (s *S3) Delete(ctx context.Context, key string) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	err = s.c.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{})
	if err != nil && isNoSuchKey(err) {
		return nil
	}
	return err
}

// Keys implements Storage: the objects under Parley's prefix.
func (s *S3) Keys(ctx context.Context, fn func(key string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing when fn fails
	for o := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s3Prefix, Recursive: true}) {
		if o.Err != nil {
			return o.Err
		}
		key := strings.TrimPrefix(o.Key, s3Prefix)
		if !ValidKey(key) {
			continue
		}
		if err := fn(key); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Link implements Linker: a presigned GET that answers with the given
// Content-Type and Content-Disposition.
func (s *S3) Link(ctx context.Context, key string, expiry time.Duration, contentType, disposition string) (string, error) {
	name, err := s.object(key)
	if err != nil {
		return "", err
	}
	q := url.Values{}
	if contentType != "" {
		q.Set("response-content-type", contentType)
	}
	if disposition != "" {
		q.Set("response-content-disposition", disposition)
	}
	u, err := s.c.PresignedGetObject(ctx, s.bucket, name, expiry, q)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// s3Object reads an object from pos with one GET per contiguous run.
type s3Object struct {
	s    *S3
	ctx  context.Context
	name string
	size int64
	mod  time.Time
	etag string
	pos  int64
	body io.ReadCloser // the GET under way, reading from pos
}

func (o *s3Object) Size() int64        { return o.size }
func (o *s3Object) ModTime() time.Time { return o.mod }

func (o *s3Object) Read(p []byte) (int, error) {
	if o.pos >= o.size {
		return 0, io.EOF
	}
	if o.body == nil {
		opts := minio.GetObjectOptions{}
		if o.pos > 0 {
			if err := opts.SetRange(o.pos, 0); err != nil {
				return 0, err
			}
		}
		// The object must not change under a reader: a replaced object
		// fails the read instead of mixing two contents.
		if o.etag != "" {
			if err := opts.SetMatchETag(o.etag); err != nil {
				return 0, err
			}
		}
		obj, err := o.s.c.GetObject(o.ctx, o.s.bucket, o.name, opts)
		if err != nil {
			return 0, err
		}
		o.body = obj
	}
	n, err := o.body.Read(p)
	o.pos += int64(n)
	if err == io.EOF && o.pos < o.size {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (o *s3Object) Seek(offset int64, whence int) (int64, error) {
	pos, err := SeekTarget(o.pos, o.size, offset, whence)
	if err != nil {
		return o.pos, err
	}
	if pos != o.pos && o.body != nil {
		o.body.Close()
		o.body = nil
	}
	o.pos = pos
	return pos, nil
}

func (o *s3Object) Close() error {
	if o.body != nil {
		err := o.body.Close()
		o.body = nil
		return err
	}
	return nil
}
