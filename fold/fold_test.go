package fold

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// vietnamese lists every Vietnamese vowel with every tone, and đ, by the
// letter they fold to.
var vietnamese = map[string]string{
	"a": "a à á ả ã ạ ă ằ ắ ẳ ẵ ặ â ầ ấ ẩ ẫ ậ",
	"e": "e è é ẻ ẽ ẹ ê ề ế ể ễ ệ",
	"i": "i ì í ỉ ĩ ị",
	"o": "o ò ó ỏ õ ọ ô ồ ố ổ ỗ ộ ơ ờ ớ ở ỡ ợ",
	"u": "u ù ú ủ ũ ụ ư ừ ứ ử ữ ự",
	"y": "y ỳ ý ỷ ỹ ỵ",
	"d": "d đ",
}

func TestFoldVietnameseLetters(t *testing.T) {
	for base, letters := range vietnamese {
		for _, l := range strings.Fields(letters) {
			for _, form := range []struct{ name, s string }{
				{"lower", l},
				{"upper", strings.ToUpper(l)},
				{"NFC", norm.NFC.String(strings.ToUpper(l))},
				{"NFD", norm.NFD.String(l)},
				{"NFD upper", norm.NFD.String(strings.ToUpper(l))},
			} {
				if got := Fold(form.s); got != base {
					t.Errorf("Fold(%q) (%s of %s) = %q, want %q", form.s, form.name, l, got, base)
				}
			}
		}
	}
}

func TestFold(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Sở Xây dựng", "so xay dung"},
		{"sở xây dựng", "so xay dung"},
		{"SỞ XÂY DỰNG", "so xay dung"},
		{"Đà Nẵng", "da nang"},
		{"ĐÀ NẴNG", "da nang"},
		{"Thừa Thiên – Huế", "thua thien hue"},
		{"Bà Rịa-Vũng Tàu", "ba ria vung tau"},
		{"  Hồ   Chí\tMinh\n", "ho chi minh"},
		{"Ý kiến về Trang thông tin điện tử...?", "y kien ve trang thong tin dien tu"},
		{"1. Đạt yêu cầu 1180 phiếu (88 %)", "1 dat yeu cau 1180 phieu 88"},
		{"Người trực tuyến: Khách 38, Thành viên 0", "nguoi truc tuyen khach 38 thanh vien 0"},
		{"Ðà Nẵng", "da nang"},    // U+00D0, Icelandic eth, in mis-converted text
		{"ＡＢＣ１２３", "abc123"},      // full-width
		{"ﬁnance ²", "finance 2"}, // ligature, superscript
		{"e-mail: a@b.vn", "e mail a b vn"},
		{"", ""},
		{"?!…", ""},
		{"a\xffb", "a b"},
		{"\xf4ȃ", "a"}, // found by FuzzFold: an invalid byte kept the next letter whole
		{"Straße İstanbul", "straße istanbul"},
		{"ΟΔΟΣ", "οδοσ"},
	} {
		if got := Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFoldPrecomposedEqualsDecomposed(t *testing.T) {
	for _, s := range []string{
		"Ý kiến về Trang thông tin điện tử",
		"Tổng số phiếu: 1344",
		"Khách 38, Thành viên 0, Tổng 38. Tổng lượt truy cập: 20100646",
		"Quảng Ngãi, Thừa Thiên Huế, Bắc Ninh, Hưng Yên",
	} {
		nfc, nfd := Fold(norm.NFC.String(s)), Fold(norm.NFD.String(s))
		if nfc != nfd {
			t.Errorf("Fold(NFC %q) = %q, Fold(NFD) = %q", s, nfc, nfd)
		}
	}
}

func TestTokens(t *testing.T) {
	long := strings.Repeat("a", MaxTokenBytes+1)
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Sở Xây dựng, sở xây DỰNG!", []string{"so", "xay", "dung"}},
		{"Đà Nẵng đà nẵng Da Nang", []string{"da", "nang"}},
		{"rác thải, rác", []string{"rac", "thai"}},
		{"ok " + long + " " + long[1:], []string{"ok", long[1:]}},
		{"", nil},
		{"... —", nil},
	} {
		if got := Tokens(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestQueryTokens(t *testing.T) {
	for _, tc := range []struct {
		name string
		q    string
		want []string
		err  error
	}{
		{"diacritics", "sở xây dựng", []string{"so", "xay", "dung"}, nil},
		{"without diacritics", "so xay dung", []string{"so", "xay", "dung"}, nil},
		{"d", "Đà Nẵng", []string{"da", "nang"}, nil},
		{"duplicates count once", "da da da da da da da da da da da nang", []string{"da", "nang"}, nil},
		{"ten tokens", "a b c d e f g h i j", strings.Fields("a b c d e f g h i j"), nil},
		{"empty", "", nil, ErrEmptyQuery},
		{"blank", "  \t ", nil, ErrEmptyQuery},
		{"punctuation", "?!%", nil, ErrEmptyQuery},
		{"only a long word", strings.Repeat("x", MaxTokenBytes+1), nil, ErrEmptyQuery},
		{"eleven tokens", "a b c d e f g h i j k", nil, ErrQueryTooLong},
		{"200 characters", strings.Repeat("ở ", 100), []string{"o"}, nil},
		{"201 characters", strings.Repeat("ở ", 100) + "a", nil, ErrQueryTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := QueryTokens(tc.q)
			if !errors.Is(err, tc.err) {
				t.Fatalf("QueryTokens(%q) error = %v, want %v", tc.q, err, tc.err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("QueryTokens(%q) = %q, want %q", tc.q, got, tc.want)
			}
		})
	}
}

// BenchmarkTokens tokenizes a post of MaxSource-like size (20 kB).
func BenchmarkTokens(b *testing.B) {
	s := strings.Repeat("Ý kiến về Trang thông tin điện tử của Sở Xây dựng Đà Nẵng. ", 330)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		Tokens(s)
	}
}
