/**
 * @module
 * A small actor runtime on Deno Web Workers: actors defined with zod-typed messages, placed on a
 * pool of worker isolates (or a worker each), addressed by name with `tell`/`ask`, supervised
 * OTP-style, with bounded mailboxes, dead letters, statistics and graceful shutdown.
 * See docs/actors.md.
 */
export {
  type ActorContext,
  type ActorDefinition,
  ActorRef,
  type AnyActorDefinition,
  type ArgsOf,
  type AskOptions,
  defineActor,
  isActorDefinition,
  type MessageIn,
  type MessageType,
  type ReplyOf,
  type TellOptions,
} from "./define_actor.ts";
export {
  ActorError,
  type ActorErrorCode,
  type FieldIssue,
  ValidationError,
  type WireError,
} from "./errors.ts";
export { ACTOR_NAME, actorName, checkActorName } from "./message_schema.ts";
export { Mailbox, type Overflow } from "./mailbox.ts";
export {
  Backoff,
  backoffDelay,
  GroupOptions,
  type GroupOptionsInput,
  RestartPolicy,
  RestartWindow,
  Strategy,
  Supervision,
  type SupervisionInput,
} from "./supervisor.ts";
export { type DeadLetter, type DeadLetterReason } from "./dead_letters.ts";
export { ActorStats, ActorStatus, IsolateStats, SystemStats } from "./stats.ts";
export { type Placement } from "./isolate_pool.ts";
export { installSignalHandlers, type SignalOptions } from "./shutdown.ts";
export {
  ActorSystem,
  DEFAULT_SPIN_US,
  type Group,
  type MailboxOptions,
  type ShutdownReport,
  type SpawnOptions,
  type SystemEvent,
  type SystemOptions,
  type WatchdogOptions,
} from "./system.ts";
