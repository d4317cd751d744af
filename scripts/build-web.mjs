#!/usr/bin/env node
// Builds static-web/src (TypeScript) into static-web/dist with esbuild: the dashboard bundle, the HTML shell and the
// stylesheet, plus the adviser-dialog widget: widget.js (the loader embedded on customers' websites, an IIFE) and
// the frame page it opens (widget.html, widget-frame.js, widget.css), and the customer's meeting page (meet.html, meet.js)
// with its ACS media (meet-acs.js, loaded only when the provider is acs), and the public booking page (book.html, book.js,
// book.css) with its embed script (book-embed.js), and the website live chat: its loader (chat-embed.js, an IIFE like
// widget.js) and the page it frames (chat.html, chat-frame.js with its language chunks, chat.css; also the full page
// of an answer e-mail's link, /chat#<token>). Run by `npm start` and `npm test`; `--check` also type-checks with tsc
// first.
import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const web = path.join(root, "static-web");
const dist = path.join(web, "dist");

if (process.argv.includes("--check")) {
  const tsc = spawnSync(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", web], { stdio: "inherit" });
  if (tsc.status !== 0) {
    console.error("[parley] TypeScript type check failed.");
    process.exit(1);
  }
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await build({
  entryPoints: [path.join(web, "src", "main.ts")],
  // The operator's meeting room loads the ACS Calling SDK bundle at run time, only with that provider.
  external: ["/meet-acs.js"],
  bundle: true,
  format: "esm",
  target: ["es2022"],
  minify: true,
  sourcemap: true,
  outfile: path.join(dist, "app.js"),
  logLevel: "warning",
});
await build({
  entryPoints: [path.join(web, "src", "widget", "embed.ts")],
  bundle: true,
  format: "iife",
  target: ["es2017"],
  minify: true,
  outfile: path.join(dist, "widget.js"),
  logLevel: "warning",
});
await build({
  entryPoints: [path.join(web, "src", "widget", "frame.ts")],
  bundle: true,
  format: "esm",
  target: ["es2022"],
  minify: true,
  sourcemap: true,
  outfile: path.join(dist, "widget-frame.js"),
  logLevel: "warning",
});
await build({
  entryPoints: [path.join(web, "src", "meet", "main.ts")],
  bundle: true,
  format: "esm",
  target: ["es2022"],
  minify: true,
  sourcemap: true,
  outfile: path.join(dist, "meet.js"),
  external: ["/meet-acs.js"],
  logLevel: "warning",
});
// The meeting room's ACS media (the Calling SDK, several MB) as its own ESM file, loaded by the meeting page with a
// dynamic import("/meet-acs.js") only when the provider is "acs"; no other bundle may import src/meet/acs.ts.
// No source map: it would be mostly the SDK's and several times the size of the bundle.
await build({
  entryPoints: [path.join(web, "src", "meet", "acs.ts")],
  bundle: true,
  format: "esm",
  target: ["es2022"],
  minify: true,
  legalComments: "linked",
  outfile: path.join(dist, "meet-acs.js"),
  logLevel: "warning",
});
// The public booking page and the booker's own link (book.html, book.js, book.css; /book/<handle> and /booking),
// and the script businesses embed on their websites to show it (book-embed.js, an IIFE like widget.js).
await build({
  // Each language's catalog is a chunk of its own (book-chunks/), loaded by the page in that language only.
  entryPoints: { book: path.join(web, "src", "book", "main.ts") },
  bundle: true,
  splitting: true,
  format: "esm",
  target: ["es2022"],
  minify: true,
  sourcemap: true,
  outdir: dist,
  chunkNames: "book-chunks/[name]-[hash]",
  logLevel: "warning",
});
await build({
  entryPoints: [path.join(web, "src", "bookEmbed", "embed.ts")],
  bundle: true,
  format: "iife",
  target: ["es2017"],
  minify: true,
  outfile: path.join(dist, "book-embed.js"),
  logLevel: "warning",
});
// The website live chat (docs/chat.md, "Widget"): the loader websites embed, and the chat page it frames; each
// language but English is a chunk of its own (chat-chunks/), loaded by the page in that language only.
await build({
  entryPoints: [path.join(web, "src", "chatEmbed", "embed.ts")],
  bundle: true,
  format: "iife",
  target: ["es2017"],
  minify: true,
  outfile: path.join(dist, "chat-embed.js"),
  logLevel: "warning",
});
await build({
  entryPoints: { "chat-frame": path.join(web, "src", "chat", "main.ts") },
  bundle: true,
  splitting: true,
  format: "esm",
  target: ["es2022"],
  minify: true,
  sourcemap: true,
  outdir: dist,
  chunkNames: "chat-chunks/[name]-[hash]",
  logLevel: "warning",
});
cpSync(path.join(web, "index.html"), path.join(dist, "index.html"));
cpSync(path.join(web, "meet.html"), path.join(dist, "meet.html"));
cpSync(path.join(web, "book.html"), path.join(dist, "book.html"));
cpSync(path.join(web, "book.css"), path.join(dist, "book.css"));
cpSync(path.join(web, "chat.html"), path.join(dist, "chat.html"));
cpSync(path.join(web, "chat.css"), path.join(dist, "chat.css"));
cpSync(path.join(web, "widget.html"), path.join(dist, "widget.html"));
cpSync(path.join(web, "widget.css"), path.join(dist, "widget.css"));
cpSync(path.join(web, "styles.css"), path.join(dist, "styles.css"));
cpSync(path.join(web, "favicon.svg"), path.join(dist, "favicon.svg"));
console.log("[parley] web front end built into static-web/dist");
