import type { Message } from '@fedssd/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServerResponse } from 'node:http';
import { ApiError } from '../errors.js';
import type { EventHub } from '../event-hub.js';
import type { RunStore } from '../ports.js';
import { errorResponse, EventsHeadersSchema, EventsQuerySchema, rawResponse, RunParamsSchema } from '../schemas.js';
import { getRunOr404 } from './runs.js';

export interface EventRoutesDeps {
  runs: RunStore;
  hub: EventHub;
  /** Interval of `: heartbeat` comments that keep proxies from closing an idle stream, in ms; default 15000. */
  heartbeatMs: number;
}

/** Events after which a run emits nothing more: the stream ends so followers (e.g. `fedssd submit`) exit. */
const TERMINAL = new Set<Message['type']>(['run.finished', 'run.failed']);

/** Events read from the log per round trip. */
const READ_BATCH = 100;

/**
 * Server-sent events of one run, read from the run's event log (a capped Redis stream the
 * aggregator appends to before it publishes on the events fanout). Each frame's `id:` is the log
 * entry id, so a client that reconnects with `Last-Event-ID` (or `?after=`) gets exactly the
 * events after the last one it saw: no gap, no repeat. Without either, the stream starts at the
 * oldest kept event. A message on the fanout only wakes the stream up to read the log; each
 * heartbeat reads it too, so a fanout message lost while the broker reconnected delays an event
 * by at most one heartbeat and never drops it.
 */
export function eventRoutes(deps: EventRoutesDeps) {
  const open = new Set<ServerResponse>();

  return async (instance: FastifyInstance): Promise<void> => {
    const app = instance.withTypeProvider<ZodTypeProvider>();
    // preClose, not onClose: the HTTP server waits for open streams before onClose hooks run.
    app.addHook('preClose', async () => {
      for (const raw of open) raw.end();
      open.clear();
    });

    app.get(
      '/runs/:id/events',
      {
        schema: {
          summary:
            'Server-sent events of the run (round.opened, round.closed, round.evaluated, run.finished, run.failed) with resumable ids; heartbeat comments; ends after run.finished or run.failed',
          params: RunParamsSchema,
          querystring: EventsQuerySchema,
          headers: EventsHeadersSchema,
          response: {
            200: rawResponse(
              '`id: <event id>`, `event: <type>` frames with the message as JSON data, from the oldest kept event or after `Last-Event-ID` / `?after=`',
              'text/event-stream',
            ),
            400: errorResponse('Last-Event-ID or after is not an event id (VALIDATION_FAILED)'),
            404: errorResponse('Unknown run (NOT_FOUND)'),
            503: errorResponse('The events subscription or the event log could not be read (UNAVAILABLE); retry'),
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        await getRunOr404(deps.runs, id);
        let last = request.headers['last-event-id'] ?? request.query.after;
        const raw = reply.raw;
        let reading = false;
        let again = false;
        // Reads and sends everything after `last`; one reader at a time, and a wake-up during a
        // read makes it read once more, so ids go out in order and none twice.
        const drain = async (): Promise<void> => {
          if (reading) {
            again = true;
            return;
          }
          reading = true;
          try {
            do {
              again = false;
              for (;;) {
                if (raw.writableEnded) return;
                const batch = await deps.runs.readEvents(id, last, READ_BATCH);
                for (const event of batch) {
                  if (raw.writableEnded) return;
                  last = event.id;
                  raw.write(`id: ${event.id}\nevent: ${event.message.type}\ndata: ${JSON.stringify(event.message)}\n\n`);
                  if (TERMINAL.has(event.message.type)) {
                    raw.end();
                    return;
                  }
                }
                if (batch.length < READ_BATCH) break;
              }
            } while (again);
          } finally {
            reading = false;
          }
        };
        const wake = () =>
          void drain().catch((error: unknown) => {
            // The next heartbeat or fanout message retries; the client keeps its place either way.
            request.log.warn({ err: error, runId: id }, 'reading the run event log failed');
          });
        let remove: () => void;
        try {
          remove = await deps.hub.add((message) => {
            if (message.runId === id) wake();
          });
        } catch (error) {
          throw new ApiError('UNAVAILABLE', 'cannot subscribe to run events; retry later', { cause: error });
        }
        // Read once before answering so an unreadable log is a 503, not an empty stream.
        try {
          await deps.runs.readEvents(id, last, 1);
        } catch (error) {
          remove();
          throw new ApiError('UNAVAILABLE', 'cannot read the run event log; retry later', { cause: error });
        }
        reply.hijack();
        raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no', // nginx would otherwise buffer the stream
        });
        raw.write(`retry: 3000\n: subscribed to run ${id}${last === undefined ? '' : ` after ${last}`}\n\n`);
        open.add(raw);
        const heartbeat = setInterval(() => {
          if (raw.writableEnded) return;
          raw.write(': heartbeat\n\n');
          wake();
        }, deps.heartbeatMs);
        heartbeat.unref();
        const cleanup = () => {
          clearInterval(heartbeat);
          remove();
          open.delete(raw);
        };
        raw.on('close', cleanup);
        raw.on('finish', cleanup);
        wake();
        request.log.debug({ runId: id, after: last }, 'event stream opened');
      },
    );
  };
}
