/**
 * @module
 * How a conversation-tagging bundle becomes windows (upstream `ConversationTaggingTaskBundle`):
 * trim to `MAX_CONVO_LINES`, split 10/2, fall back to 2/2 (which yields the whole conversation
 * as one window), and keep the windows only when there are more than `min_convo_windows`.
 */
import { splitOverlapArray } from "./split_windows.ts";

import type { Line } from "./schemas.ts";

/** Window sizes and limits; the defaults are upstream's constants. */
export interface WindowOptions {
  /** Lines kept from the start of the conversation (upstream `MAX_CONVO_LINES`, 300). */
  maxLines?: number;
  /** Window size (10). */
  size?: number;
  /** Overlap between windows (2). */
  overlap?: number;
  /** Size tried when the first split gives fewer than two windows (2). */
  fallbackSize?: number;
  /** The bundle's `min_convo_windows`; missing or negative means 1. */
  minConvoWindows?: number | null;
}

/** An indexed window: its position in the conversation's window list and its lines. */
export interface IndexedWindow<T = Line> {
  index: number;
  lines: T[];
}

/** The upstream default for `MAX_CONVO_LINES`. */
export const MAX_CONVO_LINES = 300;

/**
 * The windows a validator may send for one conversation; empty when the conversation is too
 * short for its bundle (the bundle is then rejected).
 */
export function conversationWindows<T>(
  lines: readonly T[],
  opts: WindowOptions = {},
): IndexedWindow<T>[] {
  const trimmed = lines.slice(0, opts.maxLines ?? MAX_CONVO_LINES);
  const overlap = opts.overlap ?? 2;
  let windows = splitOverlapArray(trimmed, opts.size ?? 10, overlap);
  if (windows.length < 2) windows = splitOverlapArray(trimmed, opts.fallbackSize ?? 2, overlap);
  const min = opts.minConvoWindows == null || opts.minConvoWindows < 0 ? 1 : opts.minConvoWindows;
  if (!(windows.length > min)) return [];
  return windows.map((w, index) => ({ index, lines: w }));
}
