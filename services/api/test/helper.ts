import type { Message, RunConfigInput, RunRecord } from '@fedssd/protocol';
import { createMetrics, type Metrics } from '@fedssd/telemetry';
import {
  createInMemoryTransport,
  createRunRepository,
  createSiteDirectory,
  type InMemoryTransport,
  type RunRepository,
} from '@fedssd/transport';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp, type AppDeps } from '../src/index.js';

export const TOKEN = 'test-token-0123456789';
export const AUTH = { authorization: `Bearer ${TOKEN}` };
/** The admin token tests pass as `admin.token` (the helper sets no admin scope by itself). */
export const ADMIN_TOKEN = 'test-admin-token-9876543210';
export const ADMIN_AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };

export interface TestApp {
  app: FastifyInstance;
  transport: InMemoryTransport;
  runs: RunRepository;
  metrics: Metrics;
  /** Commands the api published on the control queue, in order. */
  commands: Message[];
  /** POST /v1/runs with `config`; returns the created record. */
  createRun(config?: RunConfigInput): Promise<RunRecord>;
  close(): Promise<void>;
}

/**
 * Builds the app over the in-memory transport fakes; each test builds and closes its own. The
 * site directory reads the same in-memory state store (seed it with `seedSite`).
 */
export async function build(overrides: Partial<AppDeps> = {}): Promise<TestApp> {
  const transport = createInMemoryTransport();
  const runs = createRunRepository(transport.state, transport.blobs);
  const metrics = createMetrics({ service: 'api', defaultMetrics: false });
  let next = 0;
  const app = await buildApp({
    runs,
    bus: transport.bus,
    metrics,
    apiToken: TOKEN,
    newRunId: () => `run-${++next}`,
    sites: createSiteDirectory(transport.state),
    ...overrides,
  });
  const commands: Message[] = [];
  const control = await transport.bus.subscribe('control', async (message) => void commands.push(message));
  return {
    app,
    transport,
    runs,
    metrics,
    commands,
    async createRun(config = {}) {
      const res = await app.inject({ method: 'POST', url: '/v1/runs', headers: AUTH, payload: config });
      if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
      return res.json<RunRecord>();
    },
    async close() {
      await control.cancel();
      await app.close();
    },
  };
}

/** Lets queued in-memory deliveries run. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

export function errorOf(res: LightMyRequestResponse): { code: string; message: string } {
  return res.json<{ error: { code: string; message: string } }>().error;
}
