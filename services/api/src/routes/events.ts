import type { Message } from '@fedssd/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServerResponse } from 'node:http';
import { ApiError } from '../errors.js';
import type { EventHub } from '../event-hub.js';
import type { RunStore } from '../ports.js';
import { errorResponse, rawResponse, RunParamsSchema } from '../schemas.js';
import { getRunOr404 } from './runs.js';

export interface EventRoutesDeps {
  runs: RunStore;
  hub: EventHub;
  /** Interval of `: heartbeat` comments that keep proxies from closing an idle stream, in ms; default 15000. */
  heartbeatMs: number;
}

/** Events after which a run emits nothing more: the stream ends so followers (e.g. `fedssd submit`) exit. */
const TERMINAL = new Set<Message['type']>(['run.finished', 'run.failed']);

/**
 * Server-sent events of one run: every round and run event from the events fanout whose `runId`
 * matches, as `event: <type>` with the message as JSON data. Live only (no replay of events
 * published before the client connected; read the run and its metrics for history).
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
            'Server-sent events of the run (round.opened, round.closed, round.evaluated, run.finished, run.failed); heartbeat comments; ends after run.finished or run.failed',
          params: RunParamsSchema,
          response: {
            200: rawResponse('`event: <type>` frames with the message as JSON data; live only, no replay', 'text/event-stream'),
            404: errorResponse('Unknown run (NOT_FOUND)'),
            503: errorResponse('The events subscription could not be made (UNAVAILABLE); retry'),
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        await getRunOr404(deps.runs, id);
        const raw = reply.raw;
        let sequence = 0;
        // Events that arrive between subscribing and sending the head wait here.
        let pending: Message[] | undefined = [];
        const send = (message: Message) => {
          if (raw.writableEnded) return;
          sequence += 1;
          raw.write(`id: ${sequence}\nevent: ${message.type}\ndata: ${JSON.stringify(message)}\n\n`);
          if (TERMINAL.has(message.type)) raw.end();
        };
        let remove: () => void;
        try {
          remove = await deps.hub.add((message) => {
            if (message.runId !== id) return;
            if (pending !== undefined) pending.push(message);
            else send(message);
          });
        } catch (error) {
          throw new ApiError('UNAVAILABLE', 'cannot subscribe to run events; retry later', { cause: error });
        }
        reply.hijack();
        raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no', // nginx would otherwise buffer the stream
        });
        raw.write(`retry: 3000\n: subscribed to run ${id}\n\n`);
        const early = pending;
        pending = undefined;
        for (const message of early) send(message);
        open.add(raw);
        const heartbeat = setInterval(() => {
          if (!raw.writableEnded) raw.write(': heartbeat\n\n');
        }, deps.heartbeatMs);
        heartbeat.unref();
        const cleanup = () => {
          clearInterval(heartbeat);
          remove();
          open.delete(raw);
        };
        raw.on('close', cleanup);
        raw.on('finish', cleanup);
        request.log.debug({ runId: id }, 'event stream opened');
      },
    );
  };
}
