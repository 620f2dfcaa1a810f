import { buildApp, ERROR_STATUS, type AppDeps, type ModelExporter } from '@fedssd/api';
import { createMetrics } from '@fedssd/telemetry';
import { createInMemoryTransport, createRunRepository, type InMemoryTransport, type RunRepository } from '@fedssd/transport';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';

export const TOKEN = 'faults-token-0123456789abcdef';
export const AUTH = { authorization: `Bearer ${TOKEN}` };

/** A stand-in exporter whose weights are the stored bytes: export of run A shows run A's bytes only. */
export const bytesExporter: ModelExporter = (_config, bytes) => ({
  modelJson: {
    format: 'layers-model',
    modelTopology: {},
    weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'w', shape: [bytes.length], dtype: 'uint8' }] }],
  },
  weightData: new Uint8Array(bytes),
});

export interface InProcessApi {
  app: FastifyInstance;
  transport: InMemoryTransport;
  runs: RunRepository;
  close(): Promise<void>;
}

/** The api over in-memory fakes (no I/O), with run ids `run-1`, `run-2`, ... */
export async function inProcessApi(overrides: Partial<AppDeps> = {}): Promise<InProcessApi> {
  const transport = createInMemoryTransport();
  const runs = createRunRepository(transport.state, transport.blobs);
  let next = 0;
  const app = await buildApp({
    runs,
    bus: transport.bus,
    metrics: createMetrics({ service: 'api', defaultMetrics: false }),
    apiToken: TOKEN,
    newRunId: () => `run-${++next}`,
    modelExporter: bytesExporter,
    ...overrides,
  });
  return { app, transport, runs, close: () => app.close() };
}

/** Asserts the one error shape: `{ error: { code, message } }` with a known code whose status is the response's. */
export function expectErrorShape(status: number, body: string, context: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error(`${context}: ${status} body is not JSON: ${body.slice(0, 200)}`);
  }
  expect(parsed, context).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  const code = (parsed as { error: { code: string } }).error.code as keyof typeof ERROR_STATUS;
  expect(ERROR_STATUS[code], `${context}: unknown code ${code}`).toBe(status);
}
