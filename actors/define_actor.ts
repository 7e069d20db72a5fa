/**
 * @module
 * `defineActor`: an actor's messages (one zod schema per type), optional reply and spawn-argument
 * schemas, `init`, one handler per message type, and an optional `persist` hook. The definition
 * lives in its own module, which the runtime imports in a worker isolate (by `module`, which must
 * be that module's `import.meta.url`) and on the main thread (for sender-side validation and types).
 */
import type { z } from "zod";

/** Message type name → schema of its payload. */
export type MessageSchemas = Record<string, z.ZodType>;

/** Optional reply schemas, by message type. */
export type ReplySchemas<M extends MessageSchemas> = { [K in keyof M]?: z.ZodType };

/** What a handler returns for message `K`: the reply schema's input type, or anything cloneable. */
export type HandlerReply<R, K> = K extends keyof R
  ? R[K] extends z.ZodType ? z.input<R[K]> : unknown
  : unknown;

/** Options of `tell`. */
export interface TellOptions {
  /** When the mailbox is full: wait for room, or fail with `mailbox_full`. Default: the actor's `mailbox.overflow`. */
  onFull?: "wait" | "fail";
}

/** Options of `ask`. */
export interface AskOptions extends TellOptions {
  /** Reject with `ask_timeout` after this many ms (default 30 000). */
  timeoutMs?: number;
}

/** What an actor's handlers (and `init`/`persist`) can do besides touching their own state. */
export interface ActorContext {
  /** This actor's name, e.g. `miner-client/17`. */
  readonly name: string;
  /** How many times this actor has been started (1 on first start, +1 per restart). */
  readonly incarnation: number;
  /** Fire-and-forget to another actor (resolves once the message is in its mailbox). */
  tell(to: string, type: string, msg: unknown, opts?: TellOptions): Promise<void>;
  /** Request/reply to another actor. */
  ask(to: string, type: string, msg: unknown, opts?: AskOptions): Promise<unknown>;
  /** A typed handle on another actor: `ctx.ref<typeof scorer>("scorer").ask("score", {...})`. */
  ref<D extends AnyActorDefinition>(name: string): ActorRef<D>;
  /** Lets the other actors of this isolate (and incoming messages) run before continuing. */
  yield(): Promise<void>;
  /** True when the current turn has run longer than the isolate's time slice (default 10 ms). */
  shouldYield(): boolean;
  /** Stops this actor normally after the current message (transient/temporary actors stay stopped). */
  stop(): void;
}

/** A handler: mutate `state` in place, return the reply (for `ask`). Throwing = the actor crashed. */
export type Handler<S, Msg, Reply> = (
  state: S,
  msg: Msg,
  ctx: ActorContext,
) => Reply | Promise<Reply>;

/** One handler per message type. */
export type Handlers<M extends MessageSchemas, S, R> = {
  [K in keyof M]: Handler<S, z.output<M[K]>, HandlerReply<R, K>>;
};

/** The argument to {@link defineActor}. */
export interface ActorSpec<
  M extends MessageSchemas,
  S,
  A extends z.ZodType,
  R extends ReplySchemas<M>,
  H,
> {
  /** `import.meta.url` of the module that defines (and exports) this actor. */
  module: string;
  /** Schema of the spawn arguments (validated on the main thread and again in the worker). */
  args?: A;
  /** Message type → payload schema. */
  messages: M;
  /** Optional reply schemas (checked in the worker before the reply leaves it). */
  replies?: R;
  /** Builds the initial state; re-run on every restart. Throwing = failed start (a crash). */
  init: (ctx: ActorContext, args: z.output<A>) => S | Promise<S>;
  /** One handler per message type. */
  handle: Handlers<M, S, R> & H;
  /** Called on graceful shutdown / stop, to save state. */
  persist?: (state: S, ctx: ActorContext) => void | Promise<void>;
}

/** A defined actor: what `spawn` takes, and what types `ActorRef`s. */
export interface ActorDefinition<
  M extends MessageSchemas = MessageSchemas,
  S = unknown,
  A extends z.ZodType = z.ZodType,
  R extends ReplySchemas<M> = ReplySchemas<M>,
  H = unknown,
> extends ActorSpec<M, S, A, R, H> {
  /** Brand that the worker checks when loading the module. */
  readonly [ACTOR_DEFINITION]: true;
}

/** Any actor definition (for generic constraints). */
// deno-lint-ignore no-explicit-any
export type AnyActorDefinition = ActorDefinition<any, any, any, any, any>;

/** Brand of actor definitions. */
export const ACTOR_DEFINITION: unique symbol = Symbol.for("cgp.actors.definition");

/** Message type names of definition `D`. */
// deno-lint-ignore no-explicit-any
export type MessageType<D> = D extends ActorDefinition<infer M, any, any, any, any>
  ? keyof M & string
  : string;

/** What a sender passes for message `K` of `D` (the schema's input type). */
// deno-lint-ignore no-explicit-any
export type MessageIn<D, K> = D extends ActorDefinition<infer M, any, any, any, any>
  ? K extends keyof M ? z.input<M[K]> : never
  : unknown;

/** What `ask(K)` resolves to: the reply schema's output, else the handler's return type. */
export type ReplyOf<D, K> = D extends
  ActorDefinition<infer _M, infer _S, infer _A, infer R, infer H>
  ? K extends keyof R ? R[K] extends z.ZodType ? z.output<R[K]> : HandlerResult<H, K>
  : HandlerResult<H, K>
  : unknown;

type HandlerResult<H, K> = K extends keyof H
  // deno-lint-ignore no-explicit-any
  ? H[K] extends (...a: any[]) => infer T ? Awaited<T> : unknown
  : unknown;

/** Spawn arguments of `D` (input type of its `args` schema). */
// deno-lint-ignore no-explicit-any
export type ArgsOf<D> = D extends ActorDefinition<any, any, infer A, any, any>
  ? unknown extends z.input<A> ? unknown : z.input<A>
  : unknown;

/** The untyped send operations a typed {@link ActorRef} is built on. */
export interface Transport {
  tell(to: string, type: string, msg: unknown, opts?: TellOptions): Promise<void>;
  ask(to: string, type: string, msg: unknown, opts?: AskOptions): Promise<unknown>;
}

/**
 * A typed handle on an actor by name: `tell`/`ask` check message types at compile time (and the
 * runtime checks them against the schemas).
 */
export class ActorRef<D extends AnyActorDefinition> {
  constructor(readonly name: string, private readonly transport: Transport) {}

  /** Fire-and-forget; resolves once the message is in the mailbox. */
  tell<K extends MessageType<D>>(type: K, msg: MessageIn<D, K>, opts?: TellOptions): Promise<void> {
    return this.transport.tell(this.name, type, msg, opts);
  }

  /** Request/reply with timeout. */
  ask<K extends MessageType<D>>(
    type: K,
    msg: MessageIn<D, K>,
    opts?: AskOptions,
  ): Promise<ReplyOf<D, K>> {
    return this.transport.ask(this.name, type, msg, opts) as Promise<ReplyOf<D, K>>;
  }
}

/**
 * Defines an actor. Export the result from its own module (`export const actor = defineActor(...)`);
 * handlers run one message at a time per actor.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineActor } from "./define_actor.ts";
 *
 * export const counter = defineActor({
 *   module: import.meta.url,
 *   args: z.object({ start: z.number().int() }),
 *   messages: { add: z.object({ n: z.number() }), get: z.object({}) },
 *   init: (_ctx, args) => ({ total: args.start }),
 *   handle: {
 *     add(state, msg) { state.total += msg.n; },
 *     get(state) { return state.total; },
 *   },
 * });
 * ```
 */
export function defineActor<
  M extends MessageSchemas,
  S,
  A extends z.ZodType = z.ZodUnknown,
  R extends ReplySchemas<M> = Record<never, never>,
  H = unknown,
>(spec: ActorSpec<M, S, A, R, H>): ActorDefinition<M, S, A, R, H> {
  for (const type of Object.keys(spec.messages)) {
    if (typeof (spec.handle as Record<string, unknown>)[type] !== "function") {
      throw new TypeError(`actor definition (${spec.module}): no handler for message "${type}"`);
    }
  }
  return Object.freeze({ ...spec, [ACTOR_DEFINITION]: true as const });
}

/** True for values made by {@link defineActor}. */
export function isActorDefinition(v: unknown): v is AnyActorDefinition {
  return typeof v === "object" && v !== null &&
    (v as Record<symbol, unknown>)[ACTOR_DEFINITION] === true;
}
