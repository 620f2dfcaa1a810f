import { parseArgs } from 'node:util';
import type { MetricsRow, RunRecord } from '@fedssd/protocol';
import { buildRunConfig, joinNegativeValues, RUN_CONFIG_FLAGS } from './run-config-flags.js';
import { followEvents, RetryableError } from './event-follower.js';
import { num, renderTable } from './table.js';
import { UserError } from './user-error.js';

export const SUBMIT_HELP = `Usage: fedssd submit [run-config flags] [--api URL] [--token T] [--no-follow]

Creates a run through the API (auto-advancing rounds) and follows its events until it finishes
(when the connection drops it reconnects by itself and resumes after the last event seen),
then prints the per-round metrics. Run-config flags are those of \`fedssd simulate\`, plus:

  --mode simulation|federated   simulation (default): virtual clients of a public data set;
                                federated: enrolled sites train on their own images (docs/FEDERATION.md)
  --sites a,b,c        federated: the sites taking part (default: every active enrolled site);
                       the api refuses names that are not enrolled and active
  --input-shape H,W,C  federated, required: the shape of the sites' images, e.g. 28,28,1

  --api URL     api base URL (default FEDSSD_API_URL, else http://127.0.0.1:8080)
  --token T     bearer token (default FEDSSD_API_TOKEN, else API_TOKEN)
  --no-follow   print the run id and return at once
`;

interface Client {
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  stream(path: string, lastEventId?: string): Promise<ReadableStream<Uint8Array>>;
}

function createClient(base: string, token: string): Client {
  const headers = { authorization: `Bearer ${token}` };
  const fail = async (res: Response, what: string): Promise<never> => {
    const text = await res.text();
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
    } catch {
      /* not JSON */
    }
    const line = `${what}: HTTP ${res.status}: ${message}`;
    throw res.status >= 500 ? new RetryableError(line) : new UserError(line);
  };
  const call = async (path: string, init: RequestInit): Promise<Response> => {
    try {
      return await fetch(`${base}${path}`, init);
    } catch (error) {
      throw new RetryableError(`cannot reach the API at ${base} (${(error as Error).message}); is \`fedssd up\` running?`);
    }
  };
  return {
    async request(method, path, body) {
      const res = await call(path, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!res.ok) return fail(res, `${method} ${path}`);
      return (await res.json()) as never;
    },
    async stream(path, lastEventId) {
      const sent: Record<string, string> = { ...headers, accept: 'text/event-stream' };
      // Resume after the last event seen: the api sends exactly the ones after it.
      if (lastEventId !== undefined) sent['last-event-id'] = lastEventId;
      const res = await call(path, { headers: sent });
      if (!res.ok || !res.body) return fail(res, `GET ${path}`);
      return res.body;
    },
  };
}

function describe(event: string, payload: Record<string, unknown>): string {
  const round = payload.round !== undefined ? `round ${payload.round}` : '';
  switch (event) {
    case 'round.opened':
      return `${round} opened: clients ${(payload.selectedClients as number[]).join(', ')}`;
    case 'round.closed':
      return `${round} closed (${payload.outcome}): ${payload.accepted} accepted, ${payload.rejected} rejected, global v${payload.globalVersion}, ${((payload.durationMs as number) / 1000).toFixed(1)} s`;
    case 'round.evaluated': {
      const m = payload.metrics as Record<string, number | null>;
      return `${round} evaluated: knn ${num(m.knnAccuracy)}, uniformity ${num(m.uniformity)}, effective rank ${num(m.effectiveRank, 2)}, inter-client ${num(m.interClientUniformity)}`;
    }
    case 'run.finished':
      return `run finished after ${payload.roundsCompleted} round(s), global v${payload.globalVersion}`;
    case 'run.failed':
      return `run failed: ${payload.reason}`;
    default:
      return `${event}`;
  }
}

/** `fedssd submit`: create a run over HTTP and follow it. */
export async function submitCommand(argv: string[]): Promise<number> {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    config: { type: 'string' },
    api: { type: 'string' },
    token: { type: 'string' },
    'no-follow': { type: 'boolean' },
  };
  for (const f of RUN_CONFIG_FLAGS) options[f.flag] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: joinNegativeValues(argv), options, strict: true }));
  } catch (error) {
    throw new UserError(`${(error as Error).message}\n\n${SUBMIT_HELP}`);
  }
  // The quick-run defaults; a federated run trains on the sites' own folders, so no training-set limit is implied.
  const quick = { rounds: 3, localEpochs: 1, batchSize: 64, autoAdvance: true };
  const config = buildRunConfig(values, values.mode === 'federated' ? quick : { ...quick, trainLimit: 1000 }, {
    allowFederated: true,
    command: 'fedssd submit',
  });
  const token = (values.token as string | undefined) ?? process.env.FEDSSD_API_TOKEN ?? process.env.API_TOKEN;
  if (!token) throw new UserError('no API token: pass --token or set FEDSSD_API_TOKEN (fedssd up prints it)');
  const base = ((values.api as string | undefined) ?? process.env.FEDSSD_API_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const api = createClient(base, token);
  const run = await api.request<RunRecord>('POST', '/v1/runs', config);
  const who =
    config.mode === 'federated'
      ? `federated on ${config.sites === undefined ? 'every active site' : `sites ${config.sites.join(', ')}`}`
      : `on ${config.dataset}, ${config.clients} clients`;
  process.stderr.write(`run ${run.runId} created: ${config.method} ${who}, ${config.rounds} rounds\n`);
  if (values['no-follow']) {
    process.stdout.write(`${run.runId}\n`);
    return 0;
  }
  let failed = false;
  await followEvents({
    open: (lastEventId) => api.stream(`/v1/runs/${encodeURIComponent(run.runId)}/events`, lastEventId),
    onEvent: ({ event, data }) => {
      let payload: Record<string, unknown>;
      try {
        payload = JSON.parse(data) as Record<string, unknown>;
      } catch {
        return false;
      }
      process.stderr.write(`${describe(event, payload)}\n`);
      if (event === 'run.failed') failed = true;
      return event === 'run.finished' || event === 'run.failed';
    },
    onRetry: (attempt, delayMs, why) =>
      process.stderr.write(`event stream lost (${why}); reconnecting in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt})\n`),
  });
  const { rounds: rows } = await api.request<{ rounds: MetricsRow[] }>('GET', `/v1/runs/${encodeURIComponent(run.runId)}/metrics`);
  process.stdout.write(
    `${renderTable(
      ['round', 'outcome', 'accepted', 'rejected', 'loss', 'knn acc', 'uniformity', 'eff. rank', 'inter-client', 'sec'],
      rows.map((r) => [
        String(r.round),
        r.outcome,
        String(r.accepted),
        String(r.rejected),
        num(r.loss?.total),
        num(r.knnAccuracy),
        num(r.uniformity),
        num(r.effectiveRank, 2),
        num(r.interClientUniformity),
        num(r.durationMs / 1000, 1),
      ]),
    )}\n\nrun ${run.runId}: model at ${base}/v1/runs/${run.runId}/model\n`,
  );
  return failed ? 1 : 0;
}
