import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { api, expectProblem } from "./helpers";
import { enqueueJob, postJob, sql, waitForJob } from "./jobs-helpers";

const webhook = (url: string) => postJob({ name: "notify-webhook", payload: { url, event: "probe" } });
const inbox = () => `${env.REVIEWS_API_URL}/webhooks/inbox-${crypto.randomUUID()}`;
const deliveries = async (url: string) => (await (await fetch(url)).json<{ deliveries: unknown[] }>()).deliveries;

describe("outbound URL policy (webhooks)", () => {
  it("refuses, when the job is enqueued, every internal target in every spelling (400 naming the reason)", async () => {
    const control = new URL(inject("controlUrl"));
    const targets = [
      `${control.origin}/control/neon/stop`, // the local stack's control endpoint
      "https://127.0.0.1/hook",
      "https://localhost/hook",
      "https://LOCALHOST./hook",
      "https://[::1]/hook",
      "https://0.0.0.0/hook",
      "https://2130706433/hook",
      "https://0x7f000001/hook",
      "https://0177.0.0.1/hook",
      "https://127.1/hook",
      "https://[::ffff:127.0.0.1]/hook",
      "https://169.254.169.254/latest/meta-data/",
      "https://10.0.0.8/hook",
      "https://192.168.1.1/hook",
      "https://[fd00::1]/hook",
      "https://metadata.internal/hook",
      "https://intranet/hook",
      "http://example.com/hook", // not https
      "https://user:secret@example.com/hook",
    ];
    for (const url of targets) {
      const problem = await expectProblem(await webhook(url), 400);
      expect(problem.errors?.[0], url).toMatchObject({ field: "payload.url", message: expect.stringContaining("refused") });
    }
  });

  it("lets a public https target through", async () => {
    // Due in 12 h: only its admission is tested (this machine has no internet to deliver it).
    const response = await postJob({ name: "notify-webhook", payload: { url: "https://hooks.example.com/edgekit", event: "probe" }, delaySeconds: 43_200 });
    expect(response.status).toBe(202);
  });

  it("never follows a redirect: the job is dead, the address redirected to received nothing", async () => {
    const target = inbox();
    const job = await enqueueJob({ name: "notify-webhook", payload: { url: `${inbox()}?redirect=${encodeURIComponent(target)}`, event: "x" } });
    const dead = await waitForJob(job.id, ["dead"]);
    expect(dead.last_error).toContain("redirect, which is not followed");
    expect(await deliveries(target)).toEqual([]);
  });

  it("records the same error for a closed port and for a server that never answers (no port-scan oracle)", async () => {
    const closed = await enqueueJob({ name: "notify-webhook", payload: { url: "http://127.0.0.1:9/hook", event: "x" } });
    const hanging = await enqueueJob({ name: "notify-webhook", payload: { url: `${inject("hangingServerUrl")}/hook`, event: "x" } });
    const [a, b] = await Promise.all([waitForJob(closed.id, ["failed", "dead"]), waitForJob(hanging.id, ["failed", "dead"], 20_000)]);
    expect(a.status).toBe("failed");
    expect(a.last_error).toBe(b.last_error);
    expect(a.last_error).not.toMatch(/refused|ECONN|timed? ?out|reset/i);
    // Their retries would go on failing (and trip the webhooks breaker) in later tests.
    await sql().query("UPDATE jobs SET status = 'dead' WHERE id = ANY($1::uuid[])", [[closed.id, hanging.id]]);
    await api("/admin/breakers/webhooks/reset", { method: "POST" });
  }, 30_000);
});
