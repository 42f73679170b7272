// Builds civichub, starts `civichub serve --demo` on a free loopback port
// with a fresh data folder, waits for /readyz, and hands the tests the URL,
// the demo admin's and the demo staff member's credentials (printed by the
// server at start) and the
// portal origins allowed to frame the poll widget through the environment. The function it returns stops the server afterwards.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');

export default async function globalSetup() {
  const tmp = mkdtempSync(path.join(tmpdir(), 'civichub-e2e-'));
  const bin = path.join(tmp, 'civichub');
  execFileSync('go', ['build', '-o', bin, './cmd/civichub'], { cwd: repo, stdio: 'inherit' });

  const addr = `127.0.0.1:${await freePort()}`;
  // Portal pages that may frame the poll widget (CIVICHUB_ALLOWED_ORIGINS):
  // one on another port of this host (another origin of the same site, so
  // the widget's SameSite=Lax visitor cookie is sent over plain http) and
  // one on another loopback address (another site). The tests serve those
  // pages themselves (tests/portal.js).
  const portal = `http://127.0.0.1:${await freePort()}`;
  const crossSitePortal = `http://127.0.0.2:${await freePort()}`;
  const logPath = path.join(tmp, 'server.log');
  const log = createWriteStream(logPath);
  const server = spawn(bin, ['serve', '--demo', '--addr', addr, '--data-dir', path.join(tmp, 'data')], {
    env: {
      ...process.env,
      CIVICHUB_LOG_FORMAT: 'json',
      // The tests register and log in many times from one address.
      CIVICHUB_RATE_REGISTER_IP: 'off',
      CIVICHUB_RATE_LOGIN_IP: 'off',
      CIVICHUB_ALLOWED_ORIGINS: `${portal},${crossSitePortal}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  server.stdout.on('data', (chunk) => {
    stdout += chunk;
    log.write(chunk);
  });
  server.stderr.pipe(log);
  const exited = new Promise((resolve) => server.once('exit', resolve));

  const stop = async () => {
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    log.end();
    mkdirSync(path.join(here, 'test-results'), { recursive: true });
    copyFileSync(logPath, path.join(here, 'test-results', 'server.log'));
    rmSync(tmp, { recursive: true, force: true });
  };

  const url = `http://${addr}`;
  try {
    await waitReady(url, exited);
    const admin = /^\s*(\S+@\S+)\s+(\S+)\s+admin\b/m.exec(stdout);
    if (!admin) {
      throw new Error(`the server printed no demo admin credentials:\n${stdout}`);
    }
    // The demo staff member of Sở Xây dựng, who answers in the Q&A tests.
    const staff = /^\s*(\S+@\S+)\s+(\S+)\s+resident, staff of so-xay-dung\b/m.exec(stdout);
    if (!staff) {
      throw new Error(`the server printed no demo staff credentials:\n${stdout}`);
    }
    process.env.CIVICHUB_E2E_URL = url;
    process.env.CIVICHUB_E2E_ADMIN_EMAIL = admin[1];
    process.env.CIVICHUB_E2E_ADMIN_PASSWORD = admin[2];
    process.env.CIVICHUB_E2E_STAFF_EMAIL = staff[1];
    process.env.CIVICHUB_E2E_STAFF_PASSWORD = staff[2];
    process.env.CIVICHUB_E2E_PORTAL = portal;
    process.env.CIVICHUB_E2E_CROSS_SITE_PORTAL = crossSitePortal;
  } catch (err) {
    await stop();
    throw err;
  }
  return stop;
}

// freePort asks the kernel for a port that is free right now.
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// waitReady polls /readyz until it answers 200, for at most 30 seconds, and
// fails at once if the server exits.
async function waitReady(url, exited) {
  let gone = false;
  exited.then(() => { gone = true; });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (gone) {
      throw new Error('civichub exited before it was ready; see e2e/test-results/server.log');
    }
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`civichub was not ready at ${url}/readyz within 30 s`);
}
