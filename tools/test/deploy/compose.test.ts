import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runTool } from '../../deploy-checks/external-tool.js';
import { REPO_ROOT } from '../../deploy-checks/known-metrics.js';
import { withTool } from './helpers.js';

const COMPOSE = 'deploy/compose.yaml';

interface ComposeService {
  build?: { context: string; dockerfile: string; target?: string };
  environment?: Record<string, string>;
  stop_grace_period?: string;
  healthcheck?: unknown;
  volumes?: string[];
}

function seconds(duration: string): number {
  const match = /^(\d+)(s|m)$/.exec(duration);
  if (!match) throw new Error(`unexpected duration ${duration}`);
  return Number(match[1]) * (match[2] === 'm' ? 60 : 1);
}

describe('compose stack', () => {
  withTool('docker-compose', () => {
    // One run (docker-compose 1.29 starts slowly): `config` validates exactly like `config -q` and prints the result.
    it('when docker-compose validates and resolves the file (no daemon needed), then api, aggregator and 3 trainers build from the repo Dockerfile targets', async () => {
      const { code, output } = await runTool('docker-compose', ['-f', COMPOSE, 'config'], REPO_ROOT);
      expect(code, output).toBe(0);
      const services = (parse(output) as { services: Record<string, ComposeService> }).services;
      expect(Object.keys(services).sort()).toEqual([
        'aggregator',
        'api',
        'grafana',
        'prometheus',
        'rabbitmq',
        'redis',
        'redis-exporter',
        'trainer-1',
        'trainer-2',
        'trainer-3',
      ]);
      for (const [name, target] of [
        ['api', 'api'],
        ['aggregator', 'aggregator'],
        ['trainer-1', 'trainer'],
        ['trainer-2', 'trainer'],
        ['trainer-3', 'trainer'],
      ] as const) {
        expect(services[name]!.build).toMatchObject({
          context: REPO_ROOT.replace(/\/$/, ''),
          dockerfile: 'deploy/docker/Dockerfile',
          target,
        });
        expect(services[name]!.environment!.RABBITMQ_URL).toMatch(/^amqp:\/\/[^:]+:[^@]+@rabbitmq:5672$/);
        expect(services[name]!.environment!.REDIS_URL).toBe('redis://redis:6379');
      }
      expect(services.api!.environment!.API_TOKEN!.length).toBeGreaterThanOrEqual(16);
    });
  });

  it('when read, then every service that drains on SIGTERM gets a stop grace period above its SHUTDOWN_GRACE_MS', () => {
    const services = (parse(readFileSync(REPO_ROOT + COMPOSE, 'utf8'), { merge: true }) as { services: Record<string, ComposeService> })
      .services;
    for (const name of ['aggregator', 'trainer-1', 'trainer-2', 'trainer-3']) {
      const graceMs = Number(services[name]!.environment!.SHUTDOWN_GRACE_MS);
      expect(seconds(services[name]!.stop_grace_period!) * 1000, name).toBeGreaterThan(graceMs);
    }
  });

  it('when read, then RabbitMQ runs the management and Prometheus plugins and every scrape target is a compose service', () => {
    expect(readFileSync(`${REPO_ROOT}deploy/rabbitmq/enabled_plugins`, 'utf8').trim()).toBe('[rabbitmq_management,rabbitmq_prometheus].');
    const services = Object.keys((parse(readFileSync(REPO_ROOT + COMPOSE, 'utf8'), { merge: true }) as { services: object }).services);
    const prometheus = parse(readFileSync(`${REPO_ROOT}deploy/prometheus/prometheus.yml`, 'utf8')) as {
      scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
    };
    const hosts = prometheus.scrape_configs.flatMap((s) => s.static_configs.flatMap((c) => c.targets.map((t) => t.split(':')[0]!)));
    expect(hosts.filter((h) => h !== 'localhost' && !services.includes(h))).toEqual([]);
  });
});
