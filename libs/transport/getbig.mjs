import Redis from 'ioredis';
const r = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: false });
const buf = Buffer.alloc(51 * 2 ** 20, 7);
for (let i = 0; i < 3; i++) {
  let t = performance.now(); await r.set('bigtest', buf); const s = performance.now() - t;
  t = performance.now(); const got = await r.getBuffer('bigtest'); const g = performance.now() - t;
  console.log(`set ${s.toFixed(0)} ms get ${g.toFixed(0)} ms len ${got.length}`);
}
await r.del('bigtest'); r.disconnect();
