import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../deploy-checks/known-metrics.js';

const CPU = 'deploy/docker/Dockerfile';
const GPU = 'deploy/docker/Dockerfile.gpu';
const read = (file: string) => readFileSync(REPO_ROOT + file, 'utf8');

/** Instructions per stage (`FROM ... AS name` starts one), continuation lines joined. */
function stages(text: string): Map<string, string[]> {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const result = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of lines) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      current = [line];
      result.set(from[1] ?? `stage${result.size}`, current);
    } else current.push(line);
  }
  return result;
}

/** Exit code of deploy/docker/healthcheck.mjs against `url`. */
function healthcheck(url: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`${REPO_ROOT}deploy/docker/healthcheck.mjs`], {
      env: { ...process.env, HEALTHCHECK_URL: url, HEALTHCHECK_TIMEOUT_MS: '1000' },
      stdio: 'ignore',
    });
    child.on('exit', (code) => resolve(code ?? -1));
  });
}

describe('Dockerfiles', () => {
  it.each([CPU, GPU])('when %s is linted with dockerfile-utils, then it reports nothing', (file) => {
    const diagnostics = validate(read(file)).map((d) => `${file}:${d.range.start.line + 1}: ${d.message}`);
    expect(diagnostics).toEqual([]);
  });

  it('when the linter sees a broken Dockerfile, then it reports it (the check can fail)', () => {
    expect(validate('FROM node:20\nCMD ["a"]\nCMD ["b"]\n').length).toBeGreaterThan(0);
  });

  it('when the CPU image is read, then each service target is non-root, has a HEALTHCHECK and runs its compiled main', () => {
    const byStage = stages(read(CPU));
    expect(byStage.get('build')!.join('\n')).toMatch(/npm ci[\s\S]*npm run build[\s\S]*npm prune --omit=dev/);
    expect(byStage.get('runtime')!.some((l) => /^USER\s+node$/.test(l))).toBe(true);
    expect(byStage.get('runtime')!.some((l) => l.startsWith('COPY --from=build') && l.includes('node_modules'))).toBe(true);
    for (const service of ['api', 'aggregator', 'trainer']) {
      const lines = byStage.get(service)!;
      expect(lines[0], service).toMatch(/^FROM runtime AS/);
      expect(
        lines.some((l) => l.startsWith('HEALTHCHECK') && l.includes('healthcheck.mjs')),
        service,
      ).toBe(true);
      // The services that run kernels keep V8's GC off the kernel threads' cores (libs/tensor/src/gc-threads.ts).
      const flags = service === 'api' ? '' : '"--single-threaded-gc", ';
      expect(lines, service).toContain(`CMD ["node", ${flags}"services/${service}/dist/main.js"]`);
    }
  });

  it('when the GPU image is read, then it builds on CUDA, installs tfjs-node-gpu, selects it and runs as non-root', () => {
    const byStage = stages(read(GPU));
    const final = byStage.get('trainer-gpu')!;
    expect(read(GPU)).toMatch(/ARG CUDA_IMAGE=nvidia\/cuda:[\w.-]+cudnn/);
    expect(final[0]).toBe('FROM ${CUDA_IMAGE} AS trainer-gpu');
    expect(byStage.get('native')!.join('\n')).toContain('@tensorflow/tfjs-node-gpu@${TFJS_VERSION}');
    expect(final.join('\n')).toContain('FEDSSD_BACKEND=tensorflow');
    expect(final).toContain('USER node');
    expect(final.some((l) => l.startsWith('HEALTHCHECK'))).toBe(true);
    expect(final).toContain('CMD ["node", "--single-threaded-gc", "services/trainer/dist/main.js"]');
  });

  it('when .dockerignore is read, then dependencies, build output, git and secrets stay out of the context but the Dockerfiles get their files', () => {
    const ignore = read('.dockerignore').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '.git', '.env']) expect(ignore).toContain(entry);
    expect(ignore).toContain('!deploy/docker');
  });

  it('when the healthcheck script probes a server, then 2xx exits 0 and 503 or no answer exits 1', async () => {
    const server = createServer((req, res) => res.writeHead(req.url === '/healthz' ? 200 : 503).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      expect(await healthcheck(`http://127.0.0.1:${port}/healthz`)).toBe(0);
      expect(await healthcheck(`http://127.0.0.1:${port}/readyz`)).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await healthcheck(`http://127.0.0.1:${port}/healthz`)).toBe(1);
  });
});
