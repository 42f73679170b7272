// A stand-in for the provincial portal: a tiny web server whose pages frame
// a civichub page, as a portal page that embeds the poll widget would.
// GET /?src=URL answers a page with an <iframe> of URL.
import { createServer } from 'node:http';

function escapeHTML(s) {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// servePortal listens at origin (http://host:port; port 0 picks a free one)
// and returns its origin and a function that stops it.
export async function servePortal(origin) {
  const url = new URL(origin);
  const server = createServer((req, res) => {
    const src = new URL(req.url, origin).searchParams.get('src') ?? '';
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Cổng thông tin điện tử tỉnh</title></head>
<body><h1>Cổng thông tin điện tử tỉnh</h1>
<iframe src="${escapeHTML(src)}" title="Thăm dò ý kiến" width="420" height="560"></iframe></body></html>`);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(url.port), url.hostname, resolve);
  });
  const { port } = server.address();
  return {
    origin: `${url.protocol}//${url.hostname}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}
