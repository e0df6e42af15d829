package api

import (
	"bytes"
	"net/http/httptest"
	"testing"
)

// postMessageBody is a chat.postMessage body with most of its keys.
var postMessageBody = []byte(`{"roomId":"GENERAL","text":"hello @alice, see https://example.com/a?b=c",` +
	`"alias":"bot","emoji":":smile:","tmid":"abcdefghijklmnopq","parseUrls":true,` +
	`"attachments":[{"title":"t","text":"x","fields":[{"short":true,"title":"a","value":"b"}]}],"customFields":{"a":1}}`)

// BenchmarkDecodePostMessage measures reading and binding a
// chat.postMessage body, as the handler does.
func BenchmarkDecodePostMessage(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("POST", "/api/v1/chat.postMessage", bytes.NewReader(postMessageBody))
		r.Header.Set("Content-Type", "application/json")
		c := &request{r: r}
		body, err := readBody(r)
		if err != nil {
			b.Fatal(err)
		}
		var in postMessageIn
		if err := c.decodeBody(body, &in); err != nil {
			b.Fatal(err)
		}
	}
}
