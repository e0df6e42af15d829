package apitest

import (
	"net/http/httptest"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// StartS3 runs an S3 server in the test process, with one empty bucket,
// until the test ends, and returns its address. It speaks S3's HTTP
// protocol (multipart uploads, ranged reads, listings), so the AmazonS3
// storage is tested over the wire as against a real service.
func StartS3(t testing.TB, bucket string) string {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatalf("S3 bucket: %v", err)
	}
	srv := httptest.NewServer(gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	t.Cleanup(srv.Close)
	return srv.URL
}

// S3Settings are the FileUpload_S3_* settings of bucket on the server at
// url, as StartS3 runs it.
func S3Settings(url, bucket string) map[string]any {
	return map[string]any{
		"FileUpload_S3_Bucket": bucket, "FileUpload_S3_BucketURL": url, "FileUpload_S3_ForcePathStyle": true,
		"FileUpload_S3_Region": "us-east-1", "FileUpload_S3_AWSAccessKeyId": "test-key", "FileUpload_S3_AWSSecretAccessKey": "test-secret",
	}
}
