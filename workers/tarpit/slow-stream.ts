import type { Pace } from "../../core/tarpit-stream";

/** How a slow body ended. `heldMs` runs from the response's start to the last chunk, or to the client giving up. */
export interface StreamOutcome {
  readonly bytes: number;
  readonly chunks: number;
  readonly heldMs: number;
  readonly completed: boolean;
}

/**
 * A response body that sends one chunk per pull, waiting `pace.delayMs` before every chunk but the first.
 * Workers bill CPU, not wall time: `scheduler.wait` costs nothing while it waits. The body is pulled, not pushed
 * (highWaterMark 0), so a client that stops reading stops the generator too; `onEnd` runs exactly once.
 */
export function slowBody(chunks: Iterator<Uint8Array>, pace: Pace, onEnd: (outcome: StreamOutcome) => void): ReadableStream<Uint8Array> {
  const started = Date.now();
  // The cap in chunks (what plannedChunks promises), and in wall time for a client that reads slower than we send.
  const maxChunks = pace.delayMs > 0 ? Math.floor(pace.maxMs / pace.delayMs) + 1 : Number.POSITIVE_INFINITY;
  let sent = 0;
  let bytes = 0;
  let ended = false;
  let ahead = chunks.next();
  const end = (completed: boolean): void => {
    if (ended) return;
    ended = true;
    onEnd({ bytes, chunks: sent, heldMs: Date.now() - started, completed });
  };
  const send = (controller: ReadableStreamDefaultController<Uint8Array>, chunk: Uint8Array): void => {
    controller.enqueue(chunk);
    sent++;
    bytes += chunk.length;
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (sent > 0 && pace.delayMs > 0) await scheduler.wait(pace.delayMs);
        if (ended) return; // the client went away while we waited
        if (sent >= maxChunks || (sent > 0 && Date.now() - started > pace.maxMs + pace.delayMs)) {
          // The cap: a page is finished at once (pace made this rare), an asset is cut off.
          for (; pace.atCap === "finish" && ahead.done !== true; ahead = chunks.next()) send(controller, ahead.value);
          controller.close();
          return end(pace.atCap === "finish");
        }
        if (ahead.done !== true) send(controller, ahead.value);
        ahead = chunks.next();
        if (ahead.done === true) {
          controller.close();
          end(true);
        }
      },
      cancel() {
        end(false);
      },
    },
    { highWaterMark: 0 },
  );
}
