package emoji

import (
	"strings"
	"testing"
)

func TestKnown(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"smile", true},
		{"thumbsup", true},
		{"+1", true},
		{"thumbup", true},
		{"-1", true},
		{"thumbsdown", true},
		{"heart", true},
		{"tada", true},
		{"100", true},
		{"flag_br", true},
		{"br", true},
		{"regional_indicator_a", true},
		{"thumbsup_tone2", true},
		{"+1_tone2", true},
		{"woman_technologist_tone3", true},
		{"blond-haired_woman_medium_skin_tone", true},
		{"slight_smile", true},
		{"slightly_smiling_face", true},
		{"blue_circle", true},
		// Missing from the package's JS list; Rocket.Chat patches them in.
		{"tm", true},
		{"digit_zero", true},
		{"asterisk_symbol", true},
		// Dropped by emoji-toolkit, still accepted by Rocket.Chat.
		{"iphone", true},

		{"", false},
		{"notanemoji", false},
		{"Smile", false},
		{"SMILE", false},
		{" smile", false},
		{"smile ", false},
		{":smile:", false},
		{"smile:", false},
		// The Unicode name of 🔵; Rocket.Chat only knows blue_circle.
		{"large_blue_circle", false},
		// Newer than emojione 4.5.0.
		{"axe", false},
		{"melting_face", false},
		{"thumbsupskin-tone-2", false},
		{"skin-tone-2", false},
		// ASCII smileys are rendering only, never list keys.
		{")", false},
		{"D", false},
	}
	for _, tt := range tests {
		if got := Known(tt.name); got != tt.want {
			t.Errorf("Known(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		raw, want string
	}{
		{":smile:", "smile"},
		{"smile", "smile"},
		{"::sm:ile::", "smile"},
		{":+1:", "+1"},
		{":-1:", "-1"},
		{"", ""},
		{":", ""},
		{":::", ""},
		{":thumbsup::skin-tone-2:", "thumbsupskin-tone-2"},
		{" :smile: ", " smile "},
		{":Smile:", "Smile"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.raw); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

func TestCount(t *testing.T) {
	if n := Count(); n <= 1500 {
		t.Fatalf("Count() = %d, want more than 1500", n)
	}
}

// TestShortcodesFile guards hand edits and generator changes: the file must
// stay one bare, unique name per line in byte order.
func TestShortcodesFile(t *testing.T) {
	if !strings.HasSuffix(shortcodesText, "\n") {
		t.Fatal("shortcodes.txt does not end in a newline")
	}
	lines := strings.Split(strings.TrimSuffix(shortcodesText, "\n"), "\n")
	for i, l := range lines {
		if l == "" || strings.ContainsAny(l, ": \t\r") {
			t.Errorf("line %d: bad name %q", i+1, l)
		}
		if i > 0 && lines[i-1] >= l {
			t.Errorf("line %d: %q is not after %q", i+1, l, lines[i-1])
		}
	}
	if Count() != len(lines) {
		t.Errorf("Count() = %d, file has %d lines", Count(), len(lines))
	}
}
