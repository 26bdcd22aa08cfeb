// Minimal static file server for tests: serves `root` on 127.0.0.1, random port.
// Directory URLs ("/conditions/") serve their index.html; a missing file gets the
// site's own 404.html with status 404, like a real static host.
import http from "node:http";
import fs from "node:fs/promises";
import path from "node:path";

const TYPES = { ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8", ".json": "application/json", ".png": "image/png",
  ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp", ".gif": "image/gif",
  ".svg": "image/svg+xml", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
  ".ico": "image/x-icon", ".woff2": "font/woff2" };

export async function serveStatic(root) {
  root = path.resolve(root);
  const server = http.createServer(async (req, res) => {
    let p;
    try { p = decodeURIComponent(new URL(req.url, "http://x").pathname); }
    catch { res.writeHead(400).end(); return; }
    if (p.endsWith("/")) p += "index.html";
    const file = path.join(root, path.normalize(p));
    if (file !== root && !file.startsWith(root + path.sep)) { res.writeHead(403).end(); return; }
    try {
      const body = await fs.readFile(file);
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      const notFound = await fs.readFile(path.join(root, "404.html")).catch(() => null);
      if (notFound) res.writeHead(404, { "content-type": TYPES[".html"] }).end(notFound);
      else res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise(r => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => { server.closeAllConnections?.(); return new Promise(r => server.close(r)); },
  };
}
