package apitest

import (
	"net/http"
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
	srv := httptest.NewServer(s3Handler(t, bucket))
	t.Cleanup(srv.Close)
	return srv.URL
}

// StartS3TLS is StartS3 over HTTPS; requests must go through the
// transport it returns, which trusts the server's certificate. Over
// HTTPS the client sends part uploads as plain bodies; over HTTP it signs
// them chunk by chunk (aws-chunked), which this server decodes for whole
// objects but not for the parts of a multipart upload, so files of more
// than one part are tested over HTTPS.
func StartS3TLS(t testing.TB, bucket string) (string, http.RoundTripper) {
	t.Helper()
	srv := httptest.NewTLSServer(s3Handler(t, bucket))
	t.Cleanup(srv.Close)
	return srv.URL, srv.Client().Transport
}

func s3Handler(t testing.TB, bucket string) http.Handler {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatalf("S3 bucket: %v", err)
	}
	return gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server()
}

// S3Settings are the FileUpload_S3_* settings of bucket on the server at
// url, as StartS3 runs it.
func S3Settings(url, bucket string) map[string]any {
	return map[string]any{
		"FileUpload_S3_Bucket": bucket, "FileUpload_S3_BucketURL": url, "FileUpload_S3_ForcePathStyle": true,
		"FileUpload_S3_Region": "us-east-1", "FileUpload_S3_AWSAccessKeyId": "test-key", "FileUpload_S3_AWSSecretAccessKey": "test-secret",
	}
}
