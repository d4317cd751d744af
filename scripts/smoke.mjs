#!/usr/bin/env node
// Smoke test of a running Parley (after `azd up`, or locally): node scripts/smoke.mjs <url> [--email <address>] [--timeout <seconds>] [--no-web]
//
//   1. GET  /api/health                          the app answers
//   2. GET  /                                    the dashboard is served by the app (skipped with --no-web)
//   3. POST /api/accounts                        sign up a new account (unique e-mail), keeps the session cookie
//   4. POST /api/cases                           create a case
//   5. POST /api/cases/{id}/appointments         schedule an appointment with an e-mail invitation
//   6. the invitation is sent: in the developer outbox (GET /api/outbox, local provider) or, with Azure Communication
//      Services, GET /api/appointments/{id}/messages shows it sent or delivered (waits up to --timeout, default 60 s)
//
// Prints one ✓/✗ line per step and exits 1 on the first failure. Node >= 20, no dependencies. --email sends the
// invitation to a mailbox you can read (default: smoke-…@example.com, which nobody receives). Each run leaves a
// small test account behind (business "Parley smoke test").

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const baseArg = args.find((a, i) => !a.startsWith("--") && !["--email", "--timeout"].includes(args[i - 1]));
if (!baseArg) {
  console.error("Usage: node scripts/smoke.mjs <url> [--email <address>] [--timeout <seconds>] [--no-web]");
  process.exit(2);
}
const base = new URL(baseArg.endsWith("/") ? baseArg : baseArg + "/");
const timeoutSeconds = Number(option("--timeout") ?? 60);
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
const customerEmail = option("--email") ?? `smoke-customer-${run}@example.com`;
const cookies = new Map();

function ok(message) {
  console.log(`✓ ${message}`);
}
function fail(message) {
  console.log(`✗ ${message}`);
  process.exit(1);
}

async function call(method, path, body) {
  const headers = { Accept: "application/json", "X-Parley-Client": "smoke" };
  if (cookies.size) headers.Cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(new URL(path.replace(/^\//, ""), base), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: "manual",
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    fail(`${method} ${path}: ${error.cause?.message ?? error.message}`);
  }
  for (const line of response.headers.getSetCookie?.() ?? []) {
    const [pair] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text, type: response.headers.get("content-type") ?? "" };
}

function expect(result, status, what) {
  if (result.status !== status) {
    const detail = result.json?.detail ?? result.json?.title ?? result.text.slice(0, 200);
    fail(`${what}: HTTP ${result.status}, expected ${status}${detail ? ` (${detail})` : ""}`);
  }
  return result.json;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

console.log(`Parley smoke test against ${base.origin}${base.pathname}`);

const health = expect(await call("GET", "/api/health"), 200, "health");
if (health?.status !== "ok") fail(`health: status is ${JSON.stringify(health?.status)}`);
ok(`health: ok (version ${health.version ?? "?"}, ${health.mode ?? "?"})`);

if (!args.includes("--no-web")) {
  // In Azure the app serves the front end from wwwroot/ in the package; without it GET / says only "Parley is running.".
  const home = await call("GET", "/");
  if (home.status !== 200) fail(`dashboard: GET / answered HTTP ${home.status}`);
  if (!home.type.includes("text/html")) fail(`dashboard: GET / is ${home.type || "no content type"}, not the web front end (is wwwroot/ in the package?)`);
  ok("dashboard: GET / serves the web front end");
}

const adminEmail = `smoke-${run}@example.com`;
const me = expect(
  await call("POST", "/api/accounts", {
    businessName: "Parley smoke test",
    timeZone: "UTC",
    adminName: "Smoke Test",
    email: adminEmail,
    password: `smoke ${run} correct horse battery`,
  }),
  201,
  "sign-up",
);
const operatorId = me?.operator?.id;
if (!operatorId) fail("sign-up: the answer names no operator");
if (!cookies.size) fail("sign-up: no session cookie was set");
ok(`sign-up: ${adminEmail}`);

const created = expect(await call("POST", "/api/cases", { name: `Smoke ${run}`, email: customerEmail }), 201, "create case");
ok(`case created: #${created.number ?? "?"} (${created.id})`);

const day = new Date(Date.now() + 14 * 24 * 3600_000).toISOString().slice(0, 10);
const appointment = expect(
  await call("POST", `/api/cases/${created.id}/appointments`, {
    start: `${day}T10:00`,
    end: `${day}T10:30`,
    timeZone: "UTC",
    operatorIds: [operatorId],
    invitation: { email: true, language: "en" },
  }),
  201,
  "schedule appointment",
);
ok(`appointment scheduled: ${day} 10:00 UTC (${appointment.id}), e-mail invitation to ${customerEmail}`);

const deadline = Date.now() + timeoutSeconds * 1000;
let last = "nothing yet";
for (;;) {
  const outbox = await call("GET", "/api/outbox");
  if (outbox.status === 200 && Array.isArray(outbox.json)) {
    const mail = outbox.json.find((m) => m.channel === "email" && m.to?.toLowerCase() === customerEmail.toLowerCase());
    if (mail) {
      ok(`invitation sent: in the developer outbox ("${mail.subject}")`);
      break;
    }
    last = "not in the developer outbox";
  } else {
    // Azure Communication Services: the outbox does not exist; the appointment's messages say what happened.
    const messages = expect(await call("GET", `/api/appointments/${appointment.id}/messages`), 200, "appointment messages");
    const invitation = (messages ?? []).find((m) => m.kind === "invitation" && m.channel === "email");
    if (invitation && ["sent", "delivered"].includes(invitation.status)) {
      ok(`invitation sent: e-mail ${invitation.status} through Azure Communication Services`);
      break;
    }
    if (invitation?.status === "failed") fail(`invitation: the e-mail failed (${invitation.reason ?? "no reason given"})`);
    last = invitation ? `e-mail ${invitation.status}` : "no invitation message recorded";
  }
  if (Date.now() > deadline) fail(`invitation: not sent within ${timeoutSeconds} s (${last})`);
  await sleep(1000);
}

console.log("Smoke test passed.");
