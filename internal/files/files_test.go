package files_test

import (
	"testing"

	"github.com/parleychat/parley/internal/api/apitest"
	"github.com/parleychat/parley/internal/files"
	"github.com/parleychat/parley/internal/files/filestest"
)

func TestLocal(t *testing.T) {
	t.Parallel()
	st, err := files.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	filestest.Run(t, st)
}

// TestS3 runs the suite over S3's protocol, against an S3 server in the
// test process.
func TestS3(t *testing.T) {
	t.Parallel()
	url, transport := apitest.StartS3TLS(t, "suite")
	cfg := files.S3Config{Bucket: "suite", AccessKeyID: "k", SecretAccessKey: "s", Region: "us-east-1", BucketURL: url, ForcePathStyle: true, Transport: transport}
	st, err := files.NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	filestest.Run(t, st)
}

func TestS3Config(t *testing.T) {
	for _, c := range []files.S3Config{
		{},
		{Bucket: "b", BucketURL: "ftp://host"},
		{Bucket: "b", BucketURL: "https://host/bucket"},
		{Bucket: "b", BucketURL: "not a url"},
	} {
		if _, err := files.NewS3(c); err == nil {
			t.Errorf("NewS3(%+v) accepted", c)
		}
	}
}
