import type { RedisEngine } from "./engine.ts";
import { RedisError, Status, type Reply } from "./reply.ts";

/**
 * Where Upstash's REST API answers differently from Redis 7, applied in front of either
 * engine so both behave as Upstash does (the engines themselves stay Redis-exact, which the
 * differential test checks):
 *
 * - `SCAN … WITHTYPE` (Upstash's extension) returns `[cursor, [key, type, key, type, …]]`;
 * - `COPY key key` answers 0 where Redis refuses ("source and destination objects are the same");
 * - `FCALL_RO` runs any function read-only (a write fails), where Redis refuses a function
 *   not declared `no-writes` outright;
 * - `XADD`/`XTRIM` with `~` trim exactly, and `XREADGROUP … NOACK` leaves no new consumer
 *   behind, as Upstash's streams do (the embedded engine has no streams: nothing to adapt);
 * - commands that need a connection of their own (MULTI, SUBSCRIBE, SELECT, …) are refused:
 *   over REST, transactions are `/multi-exec` and subscriptions `/subscribe`, `/psubscribe`.
 */
export type Prepared = { args: Buffer[]; finish?: (reply: Reply) => Reply } | { refused: RedisError };

const name = (arg: Buffer | undefined) => (arg ?? Buffer.alloc(0)).toString("latin1").toUpperCase();

/** Connection-state commands: on a shared connection they would affect every other request. */
const CONNECTION_ONLY = new Set([
  "MULTI",
  "EXEC",
  "DISCARD",
  "WATCH",
  "UNWATCH",
  "SUBSCRIBE",
  "PSUBSCRIBE",
  "SSUBSCRIBE",
  "UNSUBSCRIBE",
  "PUNSUBSCRIBE",
  "SUNSUBSCRIBE",
  "SELECT",
  "SWAPDB",
  "MOVE",
  "QUIT",
  "RESET",
  "HELLO",
  "AUTH",
  "MONITOR",
  "SYNC",
  "PSYNC",
  "REPLICAOF",
  "SLAVEOF",
  "SHUTDOWN",
]);

export async function prepare(engine: RedisEngine, args: Buffer[]): Promise<Prepared> {
  const command = name(args[0]);
  if (CONNECTION_ONLY.has(command)) {
    const hint = command.endsWith("SUBSCRIBE")
      ? "use the /subscribe and /psubscribe endpoints"
      : ["MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH"].includes(command)
        ? "use /multi-exec for transactions"
        : "it needs a connection of its own";
    return { refused: new RedisError(`ERR '${command.toLowerCase()}' is not available over the REST API: ${hint}`) };
  }
  if (command === "SCAN") return scanWithType(args);
  if (command === "COPY") {
    return { args, finish: (reply) => (reply instanceof RedisError && reply.message === SAME_OBJECT ? 0 : reply) };
  }
  if (command === "FCALL_RO") return fcallReadOnly(engine, args);
  const streams = engine.name !== "embedded";
  if (streams && (command === "XTRIM" || command === "XADD")) return { args: exactTrim(args, command === "XTRIM" ? 2 : undefined) };
  if (streams && command === "XREADGROUP") return readGroupNoAck(args);
  return { args };
}

const SAME_OBJECT = "ERR source and destination objects are the same";

const WITHTYPE_SCRIPT = `local page = redis.pcall('SCAN', unpack(ARGV))
if page['err'] then return page end
local typed = {}
for _, key in ipairs(page[2]) do
  typed[#typed + 1] = key
  typed[#typed + 1] = redis.call('TYPE', key)['ok']
end
return {page[1], typed}`;

/**
 * SCAN with WITHTYPE runs as a script: the page and each key's type in one atomic step (a
 * key cannot vanish in between), on either engine and inside /multi-exec too.
 */
function scanWithType(args: Buffer[]): Prepared {
  const kept: Buffer[] = [];
  let withType = false;
  for (let i = 2; i < args.length; i++) {
    const option = name(args[i]);
    if (option === "WITHTYPE") {
      withType = true;
      continue;
    }
    kept.push(args[i]!);
    if (["MATCH", "COUNT", "TYPE"].includes(option) && i + 1 < args.length) kept.push(args[++i]!);
  }
  if (!withType) return { args };
  return { args: [Buffer.from("EVAL"), Buffer.from(WITHTYPE_SCRIPT), Buffer.from("0"), args[1]!, ...kept] };
}

/** `MAXLEN ~ n` / `MINID ~ id` → `=`, and LIMIT (only valid with `~`) dropped. */
function exactTrim(args: Buffer[], from?: number): Buffer[] {
  const out = [...args];
  for (let i = from ?? 2; i < out.length - 1; i++) {
    const option = name(out[i]);
    if ((option === "MAXLEN" || option === "MINID") && out[i + 1]!.equals(Buffer.from("~"))) {
      out[i + 1] = Buffer.from("=");
      const limit = name(out[i + 3]) === "LIMIT" ? i + 3 : -1;
      if (limit !== -1) out.splice(limit, 2);
      break;
    }
    // XADD's options end where the ID (`*` or an explicit one) begins.
    if (from === undefined && !["NOMKSTREAM", "MAXLEN", "MINID", "LIMIT", "=", "~"].includes(option)) break;
  }
  return out;
}

const NOACK_SCRIPT = `local group, consumer = ARGV[2], ARGV[3]
local existed = {}
for i, key in ipairs(KEYS) do
  existed[i] = false
  local consumers = redis.pcall('XINFO', 'CONSUMERS', key, group)
  if type(consumers) == 'table' and not consumers['err'] then
    for _, info in ipairs(consumers) do
      if info[2] == consumer then existed[i] = true end
    end
  end
end
local reply = redis.pcall('XREADGROUP', unpack(ARGV))
for i, key in ipairs(KEYS) do
  if not existed[i] then redis.pcall('XGROUP', 'DELCONSUMER', key, group, consumer) end
end
return reply`;

/**
 * XREADGROUP with NOACK: Upstash does not create the consumer (its XINFO CONSUMERS stays
 * empty), Redis does. A script reads and then deletes a consumer that did not exist before,
 * atomically; with NOACK it has no pending entries to lose.
 */
function readGroupNoAck(args: Buffer[]): Prepared {
  const options = args.map((arg) => name(arg));
  const streamsAt = options.indexOf("STREAMS");
  if (!options.slice(0, Math.max(streamsAt, 0)).includes("NOACK") || name(args[1]) !== "GROUP") return { args };
  const rest = args.length - streamsAt - 1;
  if (streamsAt === -1 || rest < 2 || rest % 2 !== 0) return { args };
  const keys = args.slice(streamsAt + 1, streamsAt + 1 + rest / 2);
  return { args: [Buffer.from("EVAL"), Buffer.from(NOACK_SCRIPT), Buffer.from(String(keys.length)), ...keys, ...args.slice(1)] };
}

/**
 * Upstash's FCALL_RO: a function not declared `no-writes` still runs, read-only. Redis
 * refuses it, so such a call becomes an EVAL_RO of a wrapper that loads the library's code
 * with its own `register_function` and calls the function: a write then fails with Redis's
 * "Write commands are not allowed from read-only scripts".
 */
async function fcallReadOnly(engine: RedisEngine, args: Buffer[]): Promise<Prepared> {
  const numKeys = /^\d+$/.test(args[2]?.toString("latin1") ?? "") ? Number(args[2]!.toString("latin1")) : -1;
  if (numKeys < 0 || numKeys > args.length - 3) return { args };
  const listed = await engine.command([Buffer.from("FUNCTION"), Buffer.from("LIST"), Buffer.from("WITHCODE")]);
  const wanted = args[1]!.toString("latin1");
  for (const library of Array.isArray(listed) ? listed : []) {
    const fields = asMap(library);
    const code = fields.get("library_code");
    for (const fn of Array.isArray(fields.get("functions")) ? (fields.get("functions") as Reply[]) : []) {
      const info = asMap(fn);
      if (asText(info.get("name")) !== wanted) continue;
      const flags = Array.isArray(info.get("flags")) ? (info.get("flags") as Reply[]).map(asText) : [];
      if (flags.includes("no-writes") || !Buffer.isBuffer(code)) return { args };
      const keys = args.slice(3, 3 + numKeys);
      const rest = args.slice(3 + numKeys);
      return {
        args: [Buffer.from("EVAL_RO"), Buffer.from(READ_ONLY_CALL), Buffer.from(String(numKeys)), ...keys, code, args[1]!, ...rest],
      };
    }
  }
  return { args };
}

const READ_ONLY_CALL = `local code, name = ARGV[1], ARGV[2]
local callbacks = {}
local api = setmetatable({
  register_function = function(a, b)
    if type(a) == 'table' then callbacks[a.function_name] = a.callback else callbacks[a] = b end
  end,
}, { __index = redis })
local body = string.sub(code, (string.find(code, '\\n')) or (#code + 1))
local chunk = assert(loadstring('local redis = ...;' .. body, '@user_function'))
chunk(api)
local args = {}
for i = 3, #ARGV do args[#args + 1] = ARGV[i] end
return callbacks[name](KEYS, args)`;

/** A RESP2 map (flat [key, value, …] array) by key. */
function asMap(reply: Reply): Map<string, Reply> {
  const map = new Map<string, Reply>();
  if (!Array.isArray(reply)) return map;
  for (let i = 0; i + 1 < reply.length; i += 2) map.set(asText(reply[i]) ?? "", reply[i + 1]!);
  return map;
}

function asText(reply: Reply | undefined): string | undefined {
  if (reply instanceof Status) return reply.text;
  if (Buffer.isBuffer(reply)) return reply.toString("utf8");
  return undefined;
}
