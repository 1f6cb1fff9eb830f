import { RuleTester } from "eslint";
import { describe, it } from "vitest";
import { boundedPromiseAll } from "../../tools/eslint-rules/bounded-promise-all.ts";
import { ioNeedsSignal } from "../../tools/eslint-rules/io-needs-signal.ts";
import { noSyncHeavyInHandlers } from "../../tools/eslint-rules/no-sync-heavy-in-handlers.ts";

// RuleTester reports through the test framework's describe/it.
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const tester = new RuleTester({ languageOptions: { ecmaVersion: 2024, sourceType: "module" } });

tester.run("edgekit/io-needs-signal", ioNeedsSignal, {
  valid: [
    "await fetch(url, { signal })",
    "await fetch(url, { method: 'POST', signal: c.var.signal })",
    "await fetch(url, { ...init, headers })", // a spread may carry it
    "neon(url, { fetchOptions: { signal } })",
    "new Redis({ url, token, signal: () => signal })",
  ],
  invalid: [
    { code: "await fetch(url)", errors: [{ messageId: "fetch" }] },
    { code: "await fetch(url, { method: 'POST' })", errors: [{ messageId: "fetch" }] },
    { code: "await fetch(url, init)", errors: [{ messageId: "fetch" }] },
    { code: "neon(url)", errors: [{ messageId: "neon" }] },
    { code: "neon(url, { fetchOptions: { cache: 'no-store' } })", errors: [{ messageId: "neon" }] },
    { code: "new Redis({ url, token })", errors: [{ messageId: "redis" }] },
  ],
});

tester.run("edgekit/bounded-promise-all", boundedPromiseAll, {
  valid: [
    "await Promise.all([a(), b()])",
    "await Promise.all(DEPENDENCY_NAMES.map((name) => probe(name)))",
    "await mapConcurrent(ids, 4, (id) => get(id), signal)",
  ],
  invalid: [
    { code: "await Promise.all(ids.map((id) => get(id)))", errors: [{ messageId: "unbounded" }] },
    { code: "await Promise.allSettled(body.items.map(send))", errors: [{ messageId: "unbounded" }] },
    { code: "await Promise.all(promises)", errors: [{ messageId: "unbounded" }] },
  ],
});

tester.run("edgekit/no-sync-heavy-in-handlers", noSyncHeavyInHandlers, {
  valid: [
    "const body = c.req.valid('json')",
    "const parsed = JSON.parse(cursorText)",
    "const key = await crypto.subtle.deriveBits(params, base, 256)",
  ],
  invalid: [
    { code: "const body = JSON.parse(await c.req.text())", errors: [{ messageId: "parseBody" }] },
    { code: "const body = JSON.parse(await c.req.raw.text())", errors: [{ messageId: "parseBody" }] },
    { code: "const hash = crypto.pbkdf2Sync(password, salt, 100000, 64, 'sha512')", errors: [{ messageId: "sync", data: { name: "pbkdf2Sync" } }] },
    { code: "const hash = scryptSync(password, salt, 64)", errors: [{ messageId: "sync" }] },
  ],
});
