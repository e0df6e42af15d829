package markdown

type emoticonEntry struct {
	text string
	u16  []uint16
	name string
}

// emoticonGroups lists the ASCII emoticons and the emoji name each maps to,
// grouped by first character. Within a group the first match wins, so the
// order matters where one emoticon is a prefix of another.
var emoticonGroups = []struct {
	names []string // alternating: text, name
}{
	{[]string{
		":-D", "smiley", ":D", "smiley",
		":')", "joy", ":'-)", "joy",
		":-)", "slight_smile", ":)", "slight_smile", ":]", "slight_smile",
		":-*", "kissing_heart", ":*", "kissing_heart", ":^*", "kissing_heart",
		":-P", "stuck_out_tongue", ":P", "stuck_out_tongue", ":-Þ", "stuck_out_tongue",
		":Þ", "stuck_out_tongue", ":-b", "stuck_out_tongue", ":b", "stuck_out_tongue",
		":-(", "disappointed", ":(", "disappointed", ":-[", "disappointed", ":[", "disappointed",
		":-/", "confused", ":-.", "confused", ":/", "confused", `:\`, "confused", ":L", "confused",
		":'(", "cry",
		":@", "angry",
		":$", "flushed",
		":-X", "no_mouth", ":X", "no_mouth", ":-#", "no_mouth", ":#", "no_mouth",
		":-O", "open_mouth", ":O", "open_mouth",
	}},
	{[]string{
		";)", "wink", ";-)", "wink", ";-]", "wink", ";]", "wink", ";D", "wink", ";^)", "wink",
		";(", "cry", ";-(", "cry",
	}},
	{[]string{"</3", "broken_heart", "<3", "heart"}},
	{[]string{
		">:)", "laughing", ">;)", "laughing", ">:-)", "laughing", ">=)", "laughing",
		">.<", "persevere",
		">:P", "stuck_out_tongue_winking_eye",
		`>:\`, "confused", ">;/", "confused",
		">:(", "angry", ">:-(", "angry",
		">:[", "disappointed",
		">:O", "open_mouth",
	}},
	{[]string{
		"=D", "smiley",
		"=]", "slight_smile", "=)", "slight_smile",
		"=*", "kissing_heart",
		"=P", "stuck_out_tongue",
		"=(", "disappointed",
		"=/", "confused", `=\`, "confused", "=L", "confused",
		"=$", "flushed",
		"=X", "no_mouth", "=#", "no_mouth",
	}},
	{[]string{"D:", "fearful"}},
	{[]string{"B-)", "sunglasses", "B)", "sunglasses", "B-D", "sunglasses"}},
	{[]string{"8)", "sunglasses", "8-)", "sunglasses", "8-D", "sunglasses"}},
	{[]string{
		"':)", "sweat_smile", "':-)", "sweat_smile", "'=)", "sweat_smile",
		"':D", "sweat_smile", "':-D", "sweat_smile", "'=D", "sweat_smile",
		"':(", "sweat", "':-(", "sweat", "'=(", "sweat",
	}},
	{[]string{
		"O:-)", "innocent", "O:)", "innocent", "O;-)", "innocent", "O=)", "innocent",
		"O:-3", "innocent", "O:3", "innocent",
		"O_O", "open_mouth",
	}},
	{[]string{
		"0:-3", "innocent", "0:3", "innocent", "0:-)", "innocent", "0:)", "innocent",
		"0;^)", "innocent", "0;-)", "innocent",
	}},
	{[]string{"*-)", "wink", "*)", "wink", `*\0/*`, "person_gesturing_ok", `*\O/*`, "person_gesturing_ok"}},
	{[]string{"X-P", "stuck_out_tongue_winking_eye", "X)", "dizzy_face", "X-)", "dizzy_face"}},
	{[]string{"#-)", "dizzy_face", "#)", "dizzy_face"}},
	{[]string{"%-)", "dizzy_face", "%)", "dizzy_face"}},
	{[]string{"(y)", "thumbsup"}},
	{[]string{"-___-", "expressionless", "-__-", "expressionless", "-_-", "expressionless"}},
	{[]string{`\0\/`, "person_gesturing_ok", `\O\/`, "person_gesturing_ok"}},
}

var emoticonsByLead [128][]emoticonEntry

func init() {
	for _, g := range emoticonGroups {
		for k := 0; k < len(g.names); k += 2 {
			e := emoticonEntry{text: g.names[k], u16: utf16Of(g.names[k]), name: g.names[k+1]}
			emoticonsByLead[e.text[0]] = append(emoticonsByLead[e.text[0]], e)
		}
	}
}
