package visitors

import "strings"

// botTokens are lower-case substrings that mark a crawler, a link preview
// fetcher, a headless browser or an HTTP library rather than a person. The
// generic "bot", "crawl" and "spider" catch most crawlers (Googlebot,
// bingbot, YandexBot, DuckDuckBot, Applebot, AhrefsBot, SemrushBot, MJ12bot,
// coccocbot, Twitterbot, Slackbot, Baiduspider, Bytespider, ...); the others
// name those that do not say so.
var botTokens = []string{
	"bot", "crawl", "spider", "slurp", "archiver",
	"facebookexternalhit", "facebookcatalog", "meta-externalagent", "meta-externalfetcher",
	"mediapartners-google", "google-inspectiontool", "googleother", "google-read-aloud",
	"feedfetcher", "google favicon", "whatsapp/", "skypeuripreview", "embedly", "quora link preview",
	"headlesschrome", "phantomjs", "lighthouse", "pagespeed", "ptst/", "gtmetrix",
	"curl/", "wget/", "python-requests", "python-urllib", "python-httpx", "aiohttp", "go-http-client",
	"okhttp", "java/", "apache-httpclient", "libwww-perl", "node-fetch", "axios/", "undici",
	"guzzlehttp", "postmanruntime", "insomnia/", "httpie/", "scrapy", "+http",
}

// notBotTokens are products whose names contain a bot token: Cubot phones.
var notBotTokens = []string{"cubot"}

// IsBot reports whether a request with this User-Agent comes from a
// well-known bot, crawler, link preview fetcher, headless browser or HTTP
// library, whose requests are not visits. An empty User-Agent counts as a
// bot. Browsers are not bots: Chrome, Firefox, Safari, Edge, Cốc Cốc
// (coc_coc_browser, whose crawler is coccocbot) and the Zalo and Facebook
// in-app browsers. Zalo's link preview fetcher is recognised when it names
// itself without a browser's "Mozilla/". It is safe for concurrent use.
func IsBot(userAgent string) bool {
	ua := strings.ToLower(strings.TrimSpace(userAgent))
	if ua == "" {
		return true
	}
	for _, t := range notBotTokens {
		ua = strings.ReplaceAll(ua, t, "")
	}
	for _, t := range botTokens {
		if strings.Contains(ua, t) {
			return true
		}
	}
	// The Zalo app's browser says "Mozilla/5.0 ... Zalo android/..."; its
	// server-side link preview does not pose as a browser.
	if strings.Contains(ua, "zalo") && !strings.HasPrefix(ua, "mozilla/") {
		return true
	}
	return false
}
