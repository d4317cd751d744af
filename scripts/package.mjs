#!/usr/bin/env node
// `npm run package`: the deployable zip for Azure Functions Flex Consumption (one deploy), exactly the script root:
// host.json, one folder per function with its function.json, the framework-dependent app (Parley.Functions.dll,
// started by the host as `dotnet Parley.Functions.dll`) and the built web front end in wwwroot/ (the app serves it).
//
//   1. node scripts/build-web.mjs                      -> static-web/dist
//   2. dotnet publish functions -c Release -o artifacts/publish
//      (the project copies static-web/dist into it as wwwroot/, see functions/Parley.Functions.csproj)
//   3. the folder's contents (not the folder)           -> artifacts/parley-functions.zip
//
// No dependencies: the zip is written with node:zlib (deflate) and a minimal ZIP writer. Debug symbols (*.pdb) are
// left out (stack traces keep their method names; the package stays small). Options: --skip-web (reuse
// static-web/dist), --out <zip path>. No apphost (UseAppHost=false): the host runs `dotnet Parley.Functions.dll`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const outIndex = args.indexOf("--out");
const zipPath = path.resolve(outIndex >= 0 ? args[outIndex + 1] : path.join(root, "artifacts", "parley-functions.zip"));
const publishDir = path.join(root, "artifacts", "publish");
const dist = path.join(root, "static-web", "dist");
// web.config is for IIS; nothing on Linux reads it.
const excluded = [/\.pdb$/i, /^local\.settings\.json$/i, /^appsettings\.Development\.json$/i, /^web\.config$/i];

function run(command, commandArgs) {
  console.log(`[package] ${command} ${commandArgs.join(" ")}`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`[package] ${command} failed (exit ${result.status ?? result.signal}).`);
    process.exit(1);
  }
}

if (!args.includes("--skip-web")) {
  run(process.execPath, [path.join(root, "scripts", "build-web.mjs")]);
}
if (!existsSync(path.join(dist, "index.html"))) {
  console.error("[package] static-web/dist/index.html is missing: build the web front end first.");
  process.exit(1);
}

rmSync(publishDir, { recursive: true, force: true });
run("dotnet", ["publish", path.join(root, "functions"), "-c", "Release", "-o", publishDir, "--nologo", "-p:SelfContained=false", "-p:UseAppHost=false"]);
// The project publishes static-web/dist as wwwroot/ itself (functions/Parley.Functions.csproj), as it does for azd.
if (!existsSync(path.join(publishDir, "wwwroot", "index.html"))) {
  console.error("[package] the publish output has no wwwroot/index.html: the project should have copied static-web/dist.");
  process.exit(1);
}

for (const required of ["host.json", "Parley.Functions.dll", "Parley.Functions.runtimeconfig.json"]) {
  if (!existsSync(path.join(publishDir, required))) {
    console.error(`[package] ${required} is missing from the publish output.`);
    process.exit(1);
  }
}

// ---- a minimal ZIP writer (PKWARE APPNOTE: local headers, central directory, end record; no zip64) ----
const crcTable = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buffer) {
  let c = 0xffffffff;
  for (let i = 0; i < buffer.length; i++) c = crcTable[(c ^ buffer[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function dosDateTime(date) {
  const time = (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2);
  const day = ((Math.max(date.getFullYear(), 1980) - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate();
  return { time, day };
}
function listFiles(dir, prefix = "") {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...listFiles(path.join(dir, entry.name), relative));
    else if (entry.isFile() && !excluded.some((pattern) => pattern.test(entry.name))) files.push(relative);
  }
  return files;
}

const chunks = [];
const central = [];
let offset = 0;
const entries = listFiles(publishDir);
for (const name of entries) {
  const full = path.join(publishDir, ...name.split("/"));
  const data = readFileSync(full);
  const deflated = zlib.deflateRawSync(data, { level: 9 });
  const stored = deflated.length >= data.length;
  const body = stored ? data : deflated;
  const crc = crc32(data);
  const { time, day } = dosDateTime(statSync(full).mtime);
  const nameBytes = Buffer.from(name, "utf8");

  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(0x0800, 6); // UTF-8 names
  local.writeUInt16LE(stored ? 0 : 8, 8);
  local.writeUInt16LE(time, 10);
  local.writeUInt16LE(day, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(body.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  local.writeUInt16LE(0, 28);
  chunks.push(local, nameBytes, body);

  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, so the mode below is read
  header.writeUInt16LE(20, 6);
  header.writeUInt16LE(0x0800, 8);
  header.writeUInt16LE(stored ? 0 : 8, 10);
  header.writeUInt16LE(time, 12);
  header.writeUInt16LE(day, 14);
  header.writeUInt32LE(crc, 16);
  header.writeUInt32LE(body.length, 20);
  header.writeUInt32LE(data.length, 24);
  header.writeUInt16LE(nameBytes.length, 28);
  header.writeUInt32LE(((0o100644 << 16) >>> 0), 38); // regular file, rw-r--r--
  header.writeUInt32LE(offset, 42);
  central.push(header, nameBytes);

  offset += local.length + nameBytes.length + body.length;
  if (offset > 0xffffffff) {
    console.error("[package] the package exceeds 4 GiB, which this writer does not support.");
    process.exit(1);
  }
}
const centralSize = central.reduce((sum, b) => sum + b.length, 0);
const end = Buffer.alloc(22);
end.writeUInt32LE(0x06054b50, 0);
end.writeUInt16LE(entries.length, 8);
end.writeUInt16LE(entries.length, 10);
end.writeUInt32LE(centralSize, 12);
end.writeUInt32LE(offset, 16);

mkdirSync(path.dirname(zipPath), { recursive: true });
writeFileSync(zipPath, Buffer.concat([...chunks, ...central, end]));
const size = statSync(zipPath).size;
console.log(`[package] ${path.relative(root, zipPath) || zipPath}: ${entries.length} files, ${(size / 1024 / 1024).toFixed(1)} MiB`);
