import { readFileSync } from "node:fs";
import { parse } from "smol-toml";

/** The parts of wrangler.toml that the tooling reads, per environment. */
export interface WorkerEnvironment {
  /** `undefined` for the top level (what `wrangler dev` and a plain `wrangler deploy` use). */
  env: string | undefined;
  workerName: string;
  vars: Record<string, string>;
  durableObjects: { name: string; class_name: string }[];
  queueProducers: { binding: string; queue: string }[];
  queueConsumers: { queue: string; max_batch_size?: number; max_batch_timeout?: number; max_retries?: number; dead_letter_queue?: string }[];
  r2Buckets: { binding: string; bucket_name: string }[];
  analyticsDatasets: { binding: string; dataset: string }[];
}

type Table = Record<string, unknown>;
const table = (value: unknown): Table => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Table) : {});
const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

/** wrangler.toml, parsed (smol-toml), as the top level and each `[env.<name>]`. */
export function readWranglerConfig(path = new URL("../wrangler.toml", import.meta.url)): { raw: Table; environments: WorkerEnvironment[] } {
  const raw = parse(readFileSync(path, "utf8")) as Table;
  const name = String(raw.name);
  const environment = (section: Table, env: string | undefined): WorkerEnvironment => ({
    env,
    workerName: env === undefined ? name : `${name}-${env}`,
    vars: table(section.vars) as Record<string, string>,
    durableObjects: list(table(section.durable_objects).bindings),
    queueProducers: list(table(section.queues).producers),
    queueConsumers: list(table(section.queues).consumers),
    r2Buckets: list(section.r2_buckets),
    analyticsDatasets: list(section.analytics_engine_datasets),
  });
  const envs = Object.entries(table(raw.env)).map(([env, section]) => environment(table(section), env));
  return { raw, environments: [environment(raw, undefined), ...envs] };
}
