import { randomUUID } from 'node:crypto';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from '../../../tools/test-support/processes.js';

const run = promisify(execFile);

// The packaged scripts, not the /usr/sbin wrappers: those switch to the rabbitmq user and its
// cookie, i.e. the machine's shared broker. Ours run as the test's user with their own cookie.
const SBIN = '/usr/lib/rabbitmq/bin';

/** One node of the test's cluster. */
export interface ClusterNode {
  /** Erlang node name, e.g. `fedssd-c1-1a2b3c@localhost`. */
  readonly name: string;
  /** AMQP port on 127.0.0.1. */
  readonly port: number;
  /** OS pid of the node's Erlang VM (from its pid file). */
  pid(): number;
}

/**
 * Three RabbitMQ nodes of the test's own, clustered (free ports, temp dir, own Erlang cookie:
 * the machine's broker on 5672 is never touched and cannot be reached with our cookie).
 */
export interface RabbitCluster {
  readonly nodes: readonly ClusterNode[];
  /** `RABBITMQ_URL` for the services: every node, in node order. */
  readonly url: string;
  /** Milliseconds from spawning the nodes to all of them accepting AMQP (standalone). */
  readonly bootMs: number;
  /** Milliseconds from spawning the nodes to all of them running in one cluster, accepting AMQP. */
  readonly startupMs: number;
  /** `rabbitmqctl -q -n <node> ...args`; stdout. */
  ctl(node: ClusterNode, args: readonly string[]): Promise<string>;
  /** Running nodes as a live node reports them (`cluster_status`). */
  runningNodes(via: ClusterNode): Promise<string[]>;
  /** Type and leader node (quorum queues) of each queue whose name starts with `prefix`. */
  queues(via: ClusterNode, prefix: string): Promise<Record<string, { type: string; leader: string }>>;
  /** SIGKILL a node's VM: a crash, no graceful hand-over of leaders or connections. */
  kill(node: ClusterNode): Promise<void>;
  /** Kills every node and removes the temp dir; idempotent. */
  close(): Promise<void>;
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Why a local cluster cannot be started here, or undefined. */
export function clusterUnavailable(): string | undefined {
  return existsSync(`${SBIN}/rabbitmq-server`) ? undefined : `no RabbitMQ server scripts in ${SBIN}`;
}

export async function startRabbitCluster(size = 3): Promise<RabbitCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'faults-rmq-cluster-'));
  const tag = randomUUID().slice(0, 6);
  // CLI and nodes find the cookie in $HOME; a fresh one isolates this cluster from every other node.
  writeFileSync(join(dir, '.erlang.cookie'), `FEDSSD${randomUUID().replaceAll('-', '').toUpperCase()}`);
  chmodSync(join(dir, '.erlang.cookie'), 0o400);
  // No plugins: the stack reads queues through rabbitmqctl, and three management UIs would cost memory.
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  // An empty env file, else /etc/rabbitmq/rabbitmq-env.conf would name our nodes after the shared one.
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  const common = {
    HOME: dir,
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    ERL_EPMD_ADDRESS: '127.0.0.1',
  };
  const children: ChildProcess[] = [];
  const nodes: Array<ClusterNode & { pidFile: string }> = [];
  const started = Date.now();
  for (let i = 1; i <= size; i++) {
    const [port, distPort] = [await freePort(), await freePort()];
    const name = `fedssd-c${i}-${tag}@localhost`;
    const base = join(dir, `c${i}`);
    mkdirSync(base);
    const config = join(dir, `c${i}.conf`);
    // As k8s/base/rabbitmq-cluster.yaml where it matters: a trainer holds its job unacked for a whole training.
    writeFileSync(config, [`listeners.tcp.default = 127.0.0.1:${port}`, 'consumer_timeout = 3600000', ''].join('\n'));
    const pidFile = join(base, 'node.pid');
    const child = spawn(`${SBIN}/rabbitmq-server`, [], {
      env: {
        ...process.env,
        ...common,
        RABBITMQ_NODENAME: name,
        RABBITMQ_NODE_PORT: String(port),
        RABBITMQ_DIST_PORT: String(distPort),
        RABBITMQ_MNESIA_BASE: base,
        RABBITMQ_LOG_BASE: base,
        RABBITMQ_PID_FILE: pidFile,
        RABBITMQ_CONFIG_FILE: config,
        // Distribution on loopback only, like the machine's broker.
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
      },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    children.push(child);
    nodes.push({ name, port, pidFile, pid: () => Number(readFileSync(pidFile, 'utf8').trim()) });
  }
  const ctl = async (node: ClusterNode, args: readonly string[]) =>
    (await run(`${SBIN}/rabbitmqctl`, ['-q', '-n', node.name, ...args], { env: { ...process.env, ...common }, timeout: 60_000 })).stdout;
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const kill = async (node: ClusterNode) => {
    let pid: number;
    try {
      pid = node.pid();
    } catch {
      return; // never wrote its pid file: not running
    }
    if (!alive(pid)) return;
    process.kill(pid, 'SIGKILL');
    await waitFor(`${node.name} (pid ${pid}) to exit`, async () => (alive(pid) ? undefined : true), 10_000, 50);
  };
  let closed: Promise<void> | undefined;
  const cluster: RabbitCluster = {
    nodes,
    url: nodes.map((n) => `amqp://guest:guest@127.0.0.1:${n.port}`).join(','),
    bootMs: 0,
    startupMs: 0,
    ctl,
    async runningNodes(via) {
      const status = JSON.parse(await ctl(via, ['cluster_status', '--formatter', 'json'])) as { running_nodes: string[] };
      return status.running_nodes.sort();
    },
    async queues(via, prefix) {
      const out: Record<string, { type: string; leader: string }> = {};
      for (const line of (await ctl(via, ['list_queues', 'name', 'type', 'leader'])).split('\n')) {
        const [name, type, leader] = line.trim().split('\t');
        if (name?.startsWith(prefix)) out[name] = { type: type ?? '', leader: leader ?? '' };
      }
      return out;
    },
    kill,
    close() {
      closed ??= (async () => {
        await Promise.all(nodes.map((n) => kill(n).catch(() => undefined)));
        for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
  let bootMs = 0;
  try {
    // Booted = the AMQP listener is open (the last step of a node's boot).
    await Promise.all(
      nodes.map((n) => waitFor(`${n.name} to accept AMQP`, async () => ((await accepts(n.port)) ? true : undefined), 90_000, 200)),
    );
    bootMs = Date.now() - started;
    for (const node of nodes.slice(1)) {
      await ctl(node, ['stop_app']);
      await ctl(node, ['join_cluster', nodes[0]!.name]);
      await ctl(node, ['start_app']);
    }
    const names = nodes.map((n) => n.name).sort();
    await waitFor(
      'all nodes running in one cluster',
      async () => {
        const running = await cluster.runningNodes(nodes[0]!);
        return JSON.stringify(running) === JSON.stringify(names) ? true : undefined;
      },
      60_000,
      500,
    );
    await Promise.all(
      nodes.map((n) => waitFor(`${n.name} to accept AMQP again`, async () => ((await accepts(n.port)) ? true : undefined), 60_000, 200)),
    );
  } catch (error) {
    const logs = nodes.map((n) => tail(join(dir, n.name.split('-')[1]!, `${n.name}.log`))).join('\n');
    await cluster.close();
    throw new Error(`${(error as Error).message}\n${logs}`, { cause: error });
  }
  return { ...cluster, bootMs, startupMs: Date.now() - started };
}

function tail(file: string): string {
  try {
    return `----- ${file} -----\n${readFileSync(file, 'utf8').slice(-2000)}`;
  } catch {
    return `----- ${file}: no log -----`;
  }
}
