import type { PubSubEvent, Subscription } from "../engine.ts";
import { bytes, subcommandSyntaxError, text } from "./args.ts";
import type { CommandTable } from "./command.ts";
import { globMatcher } from "./glob.ts";

/** One subscribed connection (an SSE stream of the REST server): its channels and patterns. */
interface Subscriber {
  channels: Set<string>;
  patterns: Set<string>;
  listener: (event: PubSubEvent) => void;
}

/**
 * The embedded engine's pub/sub: channels and patterns with their subscribers, in
 * subscription order as Redis keeps them. PUBLISH delivers synchronously (inside a
 * transaction or a script too, as Redis writes to subscribers' buffers right away): first to
 * the channel's subscribers, then once per matching pattern per subscriber, and answers how
 * many deliveries it made.
 */
export class PubSub {
  readonly #channels = new Map<string, Set<Subscriber>>();
  readonly #patterns = new Map<string, Set<Subscriber>>();

  /**
   * SUBSCRIBE or PSUBSCRIBE `names` on a new connection: one confirmation per name with the
   * connection's running count (a repeated name does not count twice), then its messages.
   */
  subscribe(mode: "channels" | "patterns", names: Buffer[], listener: (event: PubSubEvent) => void): Subscription {
    const subscriber: Subscriber = { channels: new Set(), patterns: new Set(), listener };
    const [own, index, kind] =
      mode === "channels"
        ? ([subscriber.channels, this.#channels, "subscribe"] as const)
        : ([subscriber.patterns, this.#patterns, "psubscribe"] as const);
    for (const name of names) {
      const key = text(name);
      own.add(key);
      const subscribers = index.get(key) ?? new Set<Subscriber>();
      subscribers.add(subscriber);
      index.set(key, subscribers);
      listener({ kind, name, count: subscriber.channels.size + subscriber.patterns.size });
    }
    return {
      close: () => {
        this.#forget(this.#channels, subscriber.channels, subscriber);
        this.#forget(this.#patterns, subscriber.patterns, subscriber);
        return Promise.resolve();
      },
    };
  }

  #forget(index: Map<string, Set<Subscriber>>, names: Set<string>, subscriber: Subscriber): void {
    for (const name of names) {
      const subscribers = index.get(name);
      subscribers?.delete(subscriber);
      if (subscribers?.size === 0) index.delete(name);
    }
    names.clear();
  }

  publish(channel: Buffer, message: Buffer): number {
    let receivers = 0;
    for (const subscriber of [...(this.#channels.get(text(channel)) ?? [])]) {
      subscriber.listener({ kind: "message", channel, message });
      receivers++;
    }
    for (const [pattern, subscribers] of [...this.#patterns]) {
      const patternBytes = bytes(pattern);
      if (!globMatcher(patternBytes)(channel)) continue;
      for (const subscriber of [...subscribers]) {
        subscriber.listener({ kind: "pmessage", pattern: patternBytes, channel, message });
        receivers++;
      }
    }
    return receivers;
  }

  /** PUBLISH, SPUBLISH and PUBSUB. Shard channels exist only over RESP (SSUBSCRIBE): none here. */
  commands(): CommandTable {
    return {
      PUBLISH: { arity: 3, write: true, run: (_, [, channel, message]) => this.publish(channel!, message!) },
      SPUBLISH: { arity: 3, write: true, run: () => 0 },
      PUBSUB: {
        arity: -2,
        subcommands: {
          CHANNELS: {
            arity: -2,
            run: (_, args) => {
              if (args.length > 3) throw subcommandSyntaxError(args);
              const matches = args[2] ? globMatcher(args[2]) : () => true;
              return [...this.#channels.keys()].map(bytes).filter(matches);
            },
          },
          NUMSUB: { arity: -2, run: (_, args) => args.slice(2).flatMap((channel) => [channel, this.#channels.get(text(channel))?.size ?? 0]) },
          NUMPAT: { arity: 2, run: () => this.#patterns.size },
          SHARDCHANNELS: {
            arity: -2,
            run: (_, args) => {
              if (args.length > 3) throw subcommandSyntaxError(args);
              return [];
            },
          },
          SHARDNUMSUB: { arity: -2, run: (_, args) => args.slice(2).flatMap((channel) => [channel, 0]) },
        },
      },
    };
  }
}
