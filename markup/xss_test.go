package markup

import (
	"strings"
	"testing"
)

// xssPayloads follow the classes of OWASP's XSS filter evasion cheat sheet.
// Each is rendered on its own and inside the Markdown contexts below, and
// every result must pass the oracle.
var xssPayloads = []string{
	// Script and event handlers.
	`<script>alert(1)</script>`,
	`<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>`,
	`<ScRiPt>alert(1)</sCrIpT>`,
	`<script/xss src="http://xss.rocks/xss.js"></script>`,
	`<<script>alert("XSS");//<</script>`,
	`<script>alert(1)//`,
	`<img src=x onerror=alert(1)>`,
	`<IMG SRC=# onmouseover="alert('xxs')">`,
	`<img src=/ onerror="alert(String.fromCharCode(88,83,83))"></img>`,
	`<body onload=alert(1)>`,
	`<div onmouseover="alert(1)">x</div>`,
	`<a onmouseover="alert(document.cookie)">xxs link</a>`,
	`<input autofocus onfocus=alert(1)>`,
	`<details open ontoggle=alert(1)>`,
	`<video><source onerror="alert(1)">`,
	`<BODY ONLOAD=alert('XSS')>`,
	`<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\>`,
	// javascript:, vbscript:, data: URLs, plain and obfuscated.
	`javascript:alert(1)`,
	`JaVaScRiPt:alert(1)`,
	`vbscript:msgbox("XSS")`,
	`data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==`,
	`data:image/svg+xml,<svg onload=alert(1)>`,
	`&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)`,
	`&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)`,
	`&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)`,
	`&#x6A;avascript&colon;alert(1)`,
	`javascript&colon;alert(1)`,
	`jav&#x09;ascript:alert(1)`,
	`jav&#x0A;ascript:alert(1)`,
	`jav&#x0D;ascript:alert(1)`,
	"jav\tascript:alert(1)",
	"jav\nascript:alert(1)",
	"java\x00script:alert(1)",
	" &#14;  javascript:alert(1)",
	"\x01javascript:alert(1)",
	`javascript://%0Aalert(1)`,
	`javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/"/+/onmouseover=1/+/[*/[]/+alert(1)//'>`,
	`\javascript:alert(1)`,
	`javascript\:alert(1)`,
	`%6A%61%76%61%73%63%72%69%70%74:alert(1)`,
	`livescript:alert(1)`,
	`file:///etc/passwd`,
	// Style and expression().
	`<style>body{background:url("javascript:alert(1)")}</style>`,
	`<div style="width: expression(alert('XSS'));">`,
	`<DIV STYLE="background-image: url(javascript:alert('XSS'))">`,
	`<STYLE>@import'http://xss.rocks/xss.css';</STYLE>`,
	`<LINK REL="stylesheet" HREF="javascript:alert('XSS');">`,
	`<p style="behavior: url(xss.htc);">`,
	`<XSS STYLE="xss:expr/*XSS*/ession(alert('XSS'))">`,
	// base, meta, iframe, object, embed, form, svg, math.
	`<BASE HREF="javascript:alert('XSS');//">`,
	`<base href="https://evil.example/">`,
	`<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert('XSS');">`,
	`<META HTTP-EQUIV="refresh" CONTENT="0; URL=http://;URL=javascript:alert('XSS');">`,
	`<IFRAME SRC="javascript:alert('XSS');"></IFRAME>`,
	`<iframe srcdoc="<script>alert(1)</script>">`,
	`<FRAMESET><FRAME SRC="javascript:alert('XSS');"></FRAMESET>`,
	`<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.rocks/scriptlet.html"></OBJECT>`,
	`<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv MjAwMC9zdmciIHhtbG5zOnhsaW5rPSJodHRwOi8vd3d3LnczLm9yZy8xOTk5L3hs aW5rIiB2ZXJzaW9uPSIxLjAiIHg9IjAiIHk9IjAiIHdpZHRoPSIxOTQiIGhlaWdodD0iMjAw IiBpZD0ieHNzIj48c2NyaXB0IHR5cGU9InRleHQvZWNtYXNjcmlwdCI+YWxlcnQoIlh TUyIpOzwvc2NyaXB0Pjwvc3ZnPg==" type="image/svg+xml" AllowScriptAccess="always"></EMBED>`,
	`<form action="javascript:alert(1)"><button>x</button></form>`,
	`<svg onload=alert(1)>`,
	`<svg><script>alert(1)</script></svg>`,
	`<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>`,
	`<svg><animate onbegin=alert(1) attributeName=x dur=1s>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`<math href="javascript:alert(1)">CLICKME</math>`,
	`<isindex type=image src=1 onerror=alert(1)>`,
	`<x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>`,
	// Attribute breakout.
	`"><script>alert(1)</script>`,
	`'><script>alert(1)</script>`,
	`" onmouseover="alert(1)`,
	`' onmouseover='alert(1)`,
	"`onmouseover=alert(1)",
	`x" autofocus onfocus="alert(1)`,
	`</a><script>alert(1)</script>`,
	`<a href="http://x" title="a&quot; onclick=&quot;alert(1)">x</a>`,
	// Mutation XSS through namespace switching and parser differentials.
	`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
	`<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">`,
	`<math><mi><table><mi><style><img src=x onerror=alert(1)>`,
	`<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>`,
	`<svg><style><img src=x onerror=alert(1)></style></svg>`,
	`<math><style><img src=x onerror=alert(1)></style></math>`,
	`<listing>&lt;img src=1 onerror=alert(1)&gt;</listing>`,
	`<xmp><img src=x onerror=alert(1)></xmp>`,
	`<noembed><img title="</noembed><img src=x onerror=alert(1)>"></noembed>`,
	`<template><img src=x onerror=alert(1)></template>`,
	`<!--<img src="--><img src=x onerror=alert(1)//">`,
	`<![CDATA[><img src=x onerror=alert(1)>]]>`,
	`<?xml-stylesheet href="javascript:alert(1)"?>`,
	// DOM clobbering.
	`<a id="defaultView" name="x">`,
	`<form name="getElementById"></form>`,
	`<img name="cookie">`,
	`<a id=CONFIG><a id=CONFIG name=url href="https://evil.example">`,
	`<input name="action">`,
	"# Tiêu đề {#location}",
	// Markdown-specific.
	`[x](javascript:alert(1))`,
	`[x](JAVASCRIPT:alert(1) "t")`,
	`[x](<javascript:alert(1)>)`,
	`[x](&#106;avascript:alert(1))`,
	`[x](java&#x09;script:alert(1))`,
	`[x](vbscript:msgbox(1))`,
	`[x](data:text/html,<script>alert(1)</script>)`,
	`![x](javascript:alert(1))`,
	`![x" onerror="alert(1)](http://x/y.png)`,
	`![x](http://x/y.png "a\" onerror=\"alert(1)")`,
	`<javascript:alert(1)>`,
	`<vbscript:msgbox(1)>`,
	`[x][r]` + "\n\n" + `[r]: javascript:alert(1)`,
	`[x](http://x "title\" onclick=\"alert(1)")`,
	"```\"onmouseover=alert(1)\nx\n```",
	"``` js onclick=alert(1)\nx\n```",
	"```<script>\nx\n```",
	`[a](http://x?<script>alert(1)</script>)`,
	`http://x.y/<script>alert(1)</script>`,
	`www.x.y/"onmouseover="alert(1)`,
	`[x](//evil.example/%0Ajavascript:alert(1))`,
	`[x](/\evil.example)`,
	`[x](mailto:a@b.c?subject=<script>)`,
}

// contexts put a payload where Markdown treats it differently.
var contexts = []string{
	"%s",
	"a %s b",
	"[x](%s)",
	"[x](<%s>)",
	"![x](%s)",
	"<%s>",
	"[x](http://x \"%s\")",
	"[r]\n\n[r]: %s",
	"`%s`",
	"```\n%s\n```",
	"> %s",
	"- %s",
	"# %s",
	"| a |\n|---|\n| %s |",
	"*%s*",
	"[%s](http://x)",
	"![%s](http://x/y.png)",
	"    %s",
}

func TestXSSCorpus(t *testing.T) {
	for _, p := range xssPayloads {
		for _, c := range contexts {
			src := strings.Replace(c, "%s", p, 1)
			out, err := Render(src)
			if err != nil {
				t.Fatalf("Render(%q) error = %v, want nil", src, err)
			}
			checkHTML(t, src, out)
		}
	}
}

// TestXSSTagsBecomeText checks that tags in the source never become tags:
// raw HTML is dropped, and in code it is escaped text.
func TestXSSTagsBecomeText(t *testing.T) {
	for _, src := range []string{
		"<script>alert(1)</script> tail",
		"a <img src=x onerror=alert(1)> b",
		"`<svg onload=alert(1)>`",
	} {
		out, err := Render(src)
		if err != nil {
			t.Fatalf("Render(%q) error = %v", src, err)
		}
		for _, bad := range []string{"<script", "<img", "<svg"} {
			if strings.Contains(strings.ToLower(out), bad) {
				t.Errorf("Render(%q) = %q, contains %q", src, out, bad)
			}
		}
	}
}

// TestOracle makes sure the oracle itself catches what it is meant to.
func TestOracle(t *testing.T) {
	for _, bad := range []string{
		`<script>alert(1)</script>`,
		`<p onclick="x">a</p>`,
		`<p ONCLICK="x">a</p>`,
		`<img src="http://x/y.png">`,
		`<a href="javascript:alert(1)" rel="nofollow ugc noopener">x</a>`,
		`<a href="JaVaScRiPt:alert(1)" rel="nofollow ugc noopener">x</a>`,
		`<a href="jav&#x09;ascript:alert(1)" rel="nofollow ugc noopener">x</a>`,
		`<a href=" &#14; javascript:alert(1)" rel="nofollow ugc noopener">x</a>`,
		`<a href="data:text/html,x" rel="nofollow ugc noopener">x</a>`,
		`<a href="http://x">no rel</a>`,
		`<a rel="nofollow ugc noopener">no href</a>`,
		`<a href="http://x" rel="nofollow ugc noopener" target="_blank">x</a>`,
		`<p id="x">a</p>`,
		`<a name="x" href="/" rel="nofollow ugc noopener">a</a>`,
		`<p style="color:red">a</p>`,
		`<p class="x">a</p>`,
		`<svg><a>x</a></svg>`,
		`<math><mi>x</mi></math>`,
		`<!-- x -->`,
		`<iframe src="/"></iframe>`,
		`<base href="/">`,
		`<meta http-equiv="refresh">`,
		`<form></form>`,
		`<object></object>`,
		`<embed>`,
		`<style>a{}</style>`,
		`<h1>x</h1>`,
		`<a href="a:b/../c" rel="nofollow ugc noopener">x</a>`,
	} {
		if oracle(bad) == "" {
			t.Errorf("oracle(%q) = ok, want a problem", bad)
		}
	}
	for _, good := range []string{
		`<p>a <a href="http://x/" rel="nofollow ugc noopener">x</a></p>`,
		`<a href="/t/1?a=b#c" rel="nofollow ugc noopener">x</a>`,
		`<a href="mailto:a@b.c" rel="nofollow ugc noopener">x</a>`,
		`<a href="/a:b" rel="nofollow ugc noopener">x</a>`,
	} {
		if got := oracle(good); got != "" {
			t.Errorf("oracle(%q) = %s, want ok", good, got)
		}
	}
}
