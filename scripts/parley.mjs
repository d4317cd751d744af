#!/usr/bin/env node
// Parley's two commands, with Node.js built-ins only so they work before `npm ci` has run:
//   npm start  → installs npm tooling if needed, starts Azurite (persistent, ./.azurite) unless one is
//                already running, then runs Parley at http://localhost:7071; Ctrl+C stops both.
//   npm test   → installs npm tooling if needed and runs the whole .NET test suite.
//   npm run bench → the storage benchmark (figures, not pass/fail).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import net from "node:net";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const isWindows = process.platform === "win32";
const [command, ...rest] = process.argv.slice(2);
const passThrough = rest[0] === "--" ? rest.slice(1) : rest;

const AZURITE_PORTS = { blob: 10000, queue: 10001, table: 10002 };
const APP_PORT = 7071;

function log(message) {
  console.log(`[parley] ${message}`);
}

function fail(message) {
  console.error(`[parley] ${message}`);
  process.exit(1);
}

/** npm ci when node_modules is missing or older than package-lock.json. */
function ensureNpmPackages() {
  const marker = path.join(root, "node_modules", ".package-lock.json");
  const lock = path.join(root, "package-lock.json");
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) {
    return;
  }
  log("installing npm packages (npm ci)…");
  const result = spawnSync(isWindows ? "npm.cmd" : "npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit", shell: isWindows });
  if (result.status !== 0) {
    fail("npm ci failed; see the output above.");
  }
}

/** Builds the TypeScript front end into static-web/dist (with a type check when testing). */
function buildWeb(check) {
  const result = spawnSync(process.execPath, [path.join(root, "scripts", "build-web.mjs"), ...(check ? ["--check"] : [])], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    fail("building the web front end failed; see the output above.");
  }
}

/** Browser tests drive Debian's Chromium; install it when missing (CI runs as root; elsewhere say how). */
function ensureChromium() {
  if (process.platform !== "linux" || existsSync("/usr/bin/chromium")) {
    return;
  }
  if (typeof process.getuid === "function" && process.getuid() === 0) {
    log("installing Chromium for the browser tests (apt-get install -y chromium)…");
    const update = spawnSync("apt-get", ["update"], { stdio: "inherit" });
    const install = update.status === 0 ? spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } }) : update;
    if (install.status === 0) {
      return;
    }
  }
  fail("the browser tests need Chromium at /usr/bin/chromium. Install it with: sudo apt-get install -y chromium");
}

function ensureDotnet() {
  const result = spawnSync("dotnet", ["--version"], { encoding: "utf8" });
  if (result.status !== 0) {
    fail("the .NET SDK is not on PATH. Install the .NET 10 SDK (see global.json) and try again.");
  }
}

function portInUse(port, host = "127.0.0.1") {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once("connect", () => { socket.destroy(); resolve(true); });
    socket.once("error", () => resolve(false));
    socket.setTimeout(1000, () => { socket.destroy(); resolve(false); });
  });
}

/** The `server` header of whatever answers on the port ("Azurite-Table/3.35.0"…), or null. */
function serverHeader(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/devstoreaccount1", timeout: 2000 }, (res) => {
      res.resume();
      resolve(String(res.headers.server ?? ""));
    });
    req.on("error", () => resolve(null));
    req.on("timeout", () => { req.destroy(); resolve(null); });
  });
}

async function waitForPort(port, child, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      return false;
    }
    if (await portInUse(port)) {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** Starts Azurite's blob, queue and table services unless Azurite already listens; returns the processes we own. */
async function startAzurite() {
  const owned = [];
  const dataDir = path.join(root, ".azurite");
  mkdirSync(dataDir, { recursive: true });
  for (const [service, port] of Object.entries(AZURITE_PORTS)) {
    if (await portInUse(port)) {
      const server = await serverHeader(port);
      if (server && server.toLowerCase().startsWith("azurite")) {
        log(`Azurite ${service} is already running on port ${port} (${server}); using it.`);
        continue;
      }
      stop(owned);
      fail(`port ${port} (Azurite ${service}) is taken by something that is not Azurite${server ? ` (${server})` : ""}. ` +
        "Stop it, or point AzureWebJobsStorage at your own storage in local.settings.json.");
    }
    const script = path.join(root, "node_modules", "azurite", "dist", "src", service, "main.js");
    const child = spawn(process.execPath, [script, "--location", dataDir, "--disableTelemetry", "--skipApiVersionCheck", "--loose", "--silent",
      `--${service}Host`, "127.0.0.1", `--${service}Port`, String(port)], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
    owned.push(child);
    if (!(await waitForPort(port, child, 30))) {
      stop(owned);
      fail(`Azurite ${service} did not start on port ${port}.`);
    }
    log(`Azurite ${service} started on port ${port} (data in .azurite/).`);
  }
  return owned;
}

function stop(children, signal = "SIGTERM") {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
    }
  }
  // Azurite writes its data to .azurite/ periodically and once more when it stops on SIGTERM/SIGINT, so give it time
  // (a hard kill loses what it acknowledged in the last seconds: docs/hosting.md). Only a stalled queue service that
  // ignores SIGTERM is killed, and we say so.
  const timer = setTimeout(() => children.forEach((c) => {
    if (c.exitCode === null && c.signalCode === null) {
      log("an Azurite process did not stop within 15 s and is killed; its writes of the last seconds may be lost.");
      c.kill("SIGKILL");
    }
  }), 15000);
  timer.unref();
}

async function start() {
  ensureDotnet();
  // Before anything is built or started: a taken port stops the command in one line (Parley itself says the same
  // in one line if something takes the port in between).
  for (const { url, host, port } of parleyAddresses()) {
    if (await portInUse(port, host)) {
      fail(`${url} is already in use${(await isParley(port, host)) ? " by a running Parley" : ""}. ` +
        `Stop that process first, or choose another address with ASPNETCORE_URLS or --urls (e.g. http://localhost:${port === 65535 ? 7072 : port + 1}).`);
    }
  }
  ensureNpmPackages();
  buildWeb(false);
  const azurite = await startAzurite();
  log("building and starting Parley…");
  const app = spawn("dotnet", ["run", "--no-launch-profile", "--", ...passThrough], {
    cwd: path.join(root, "functions"),
    stdio: "inherit",
    env: { ...process.env, DOTNET_ENVIRONMENT: process.env.DOTNET_ENVIRONMENT ?? "Development", ASPNETCORE_ENVIRONMENT: process.env.ASPNETCORE_ENVIRONMENT ?? "Development" },
  });
  let stopping = false;
  const shutdown = (signal) => {
    if (stopping) return;
    stopping = true;
    log("stopping…");
    if (app.exitCode === null) app.kill(signal);
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  app.on("exit", (code, signal) => {
    stop(azurite);
    const done = () => process.exit(code ?? (signal ? 0 : 1));
    if (azurite.length === 0) return done();
    let remaining = azurite.filter((c) => c.exitCode === null && c.signalCode === null).length;
    if (remaining === 0) return done();
    azurite.forEach((c) => c.on("exit", () => { if (--remaining === 0) done(); }));
  });
}

/**
 * Where Parley will listen, as the app reads it: `--urls` among the extra arguments, else ASPNETCORE_URLS, else
 * http://localhost:7071. Wildcard hosts (*, +, 0.0.0.0, [::]) and localhost are checked on the IPv4 loopback.
 */
function parleyAddresses() {
  const index = passThrough.findIndex((a) => a === "--urls" || a.startsWith("--urls="));
  const fromArgs = index < 0 ? undefined : passThrough[index].startsWith("--urls=") ? passThrough[index].slice(7) : passThrough[index + 1];
  const urls = (fromArgs ?? process.env.ASPNETCORE_URLS ?? `http://localhost:${APP_PORT}`).split(";").map((u) => u.trim()).filter(Boolean);
  return urls.flatMap((url) => {
    const m = /^(https?):\/\/(\[[^\]]*\]|[^/:]+)(?::(\d+))?/i.exec(url);
    if (!m) return [];
    const name = m[2].replace(/^\[|\]$/g, "");
    const host = ["*", "+", "localhost", "0.0.0.0", "::"].includes(name.toLowerCase()) ? "127.0.0.1" : name;
    return [{ url, host, port: m[3] ? Number(m[3]) : m[1].toLowerCase() === "https" ? 443 : 80 }];
  });
}

function isParley(port, host = "127.0.0.1") {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: "/api/health", timeout: 2000 }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve(body.includes('"status":"ok"')));
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => { req.destroy(); resolve(false); });
  });
}

/** Runs dotnet with output streamed, returning the exit code and the text for the summary. */
function runStreaming(args, env) {
  return new Promise((resolve) => {
    const child = spawn("dotnet", args, { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    child.stdout.on("data", (chunk) => { process.stdout.write(chunk); text += chunk; });
    child.on("exit", (code) => resolve({ code: code ?? 1, text }));
  });
}

async function test() {
  ensureDotnet();
  ensureNpmPackages();
  buildWeb(true);
  ensureChromium();
  const tmp = path.join(root, ".tmp");
  mkdirSync(tmp, { recursive: true });
  const env = { ...process.env, TMPDIR: tmp, DOTNET_CLI_TELEMETRY_OPTOUT: "1", DOTNET_NOLOGO: "1" };
  // `dotnet test` builds only the test projects; building the whole solution first makes a broken benchmark fail too.
  const build = await runStreaming(["build", "Parley.slnx", "--nologo", "-v", "quiet"], env);
  if (build.code !== 0) {
    console.log("Tests: 0 passed, 0 failed");
    fail("the solution does not build (see the errors above).");
  }
  const { code, text } = await runStreaming(["test", "Parley.slnx", ...passThrough], env);
  stopLeftoverAzurite(tmp);
  let passed = 0, failed = 0, skipped = 0, runs = 0;
  // One summary per test assembly: "Passed!  - Failed: 0, Passed: 9, Skipped: 0, Total: 9" (minimal verbosity).
  for (const m of text.matchAll(/(?:Passed|Failed)!\s+-\s+Failed:\s+(\d+),\s+Passed:\s+(\d+),\s+Skipped:\s+(\d+)/g)) {
    runs++;
    failed += Number(m[1]);
    passed += Number(m[2]);
    skipped += Number(m[3]);
  }
  // Normal verbosity prints "Total tests: 9" then "Passed: 9" / "Failed: 0" / "Skipped: 0" lines instead.
  if (runs === 0) {
    for (const m of text.matchAll(/Total tests:\s+\d+\s*\n((?:\s+(?:Passed|Failed|Skipped):\s+\d+\s*\n?)+)/g)) {
      runs++;
      for (const line of m[1].matchAll(/(Passed|Failed|Skipped):\s+(\d+)/g)) {
        if (line[1] === "Passed") passed += Number(line[2]);
        if (line[1] === "Failed") failed += Number(line[2]);
        if (line[1] === "Skipped") skipped += Number(line[2]);
      }
    }
  }
  if (runs === 0 && code === 0) {
    console.log("Tests: 0 passed, 0 failed");
    fail("no test ran.");
  }
  console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code !== 0 ? code : failed > 0 ? 1 : 0);
}

/** Stops Azurite processes the test fixture started, in case the test host ended without its exit handlers. */
function stopLeftoverAzurite(tmp) {
  const dir = path.join(tmp, "azurite-pids");
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const pid = Number(name);
    try {
      if (Number.isInteger(pid) && pid > 0) process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
    rmSync(path.join(dir, name), { force: true });
  }
}

async function bench() {
  ensureDotnet();
  ensureNpmPackages();
  const { code } = await runStreaming(["run", "-c", "Release", "--project", "tests/Parley.Benchmarks", "--", ...passThrough], process.env);
  process.exit(code);
}

switch (command) {
  case "start": await start(); break;
  case "test": await test(); break;
  case "bench": await bench(); break;
  default: fail("usage: node scripts/parley.mjs start|test|bench [-- extra arguments]");
}
