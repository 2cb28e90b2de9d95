/**
 * Real mail servers on loopback for the e-mail integration tests: Debian's dovecot (IMAP), started with a config
 * written into a temp dir, and a receiving SMTP peer (smtp-server) that records what our channel sends.
 * A missing dovecot binary is a failure in CI and a visible skip elsewhere (scripts/install-mail-servers.sh).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, chownSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { ImapFlow } from 'imapflow';
import { IN_CI } from '../../../../testing/databases.ts';
import { freePort } from '../../../../testing/ports.ts';

export { freePort };

export const DOVECOT = process.env.LINGXI_DOVECOT ?? ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'].find((p) => existsSync(p)) ?? 'dovecot';


export function dovecotAvailable(): boolean {
  return spawnSync(DOVECOT, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Null (after printing a `# SKIP` line) when dovecot is not installed and we are not in CI. */
export function requireDovecot(): boolean {
  if (dovecotAvailable()) return true;
  if (IN_CI) throw new Error(`dovecot is required in CI but ${DOVECOT} is missing (run scripts/install-mail-servers.sh)`);
  console.log('# SKIP e-mail IMAP tests: dovecot not installed (sh scripts/install-mail-servers.sh)');
  return false;
}

export type Dovecot = { port: number; dir: string; stop(): Promise<void> };

/** Starts dovecot's IMAP on 127.0.0.1 with passwd-file users and maildirs in a fresh temp dir. */
export async function startDovecot(users: { user: string; password: string }[]): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'lingxi-dovecot-'));
  const port = await freePort();
  const me = userInfo();
  const root = me.uid === 0;
  // As root, dovecot refuses to give mail access to uid 0 and drops privileges to its own users; mail is then
  // owned by the unprivileged "dovecot" user. As a normal user, everything runs as that user.
  const mailUser = root ? idOf('dovecot') : { uid: me.uid, gid: me.gid, name: me.username };
  mkdirSync(join(dir, 'run'), { recursive: true });
  mkdirSync(join(dir, 'home'), { recursive: true });
  if (root) { chmodSync(dir, 0o755); chownSync(join(dir, 'home'), mailUser.uid, mailUser.gid); }
  writeFileSync(join(dir, 'passwd'), users.map((u) => `${u.user}:{PLAIN}${u.password}::::::`).join('\n') + '\n');
  const conf = `
base_dir = ${dir}/run
state_dir = ${dir}/run/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${dir}/home/%u/Maildir
first_valid_uid = ${Math.min(mailUser.uid, 1)}
${root ? '' : `default_internal_user = ${me.username}\ndefault_login_user = ${me.username}\ndefault_internal_group = ${mailUser.name}`}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${mailUser.uid} gid=${mailUser.gid} home=${dir}/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
`;
  writeFileSync(join(dir, 'dovecot.conf'), conf);
  // The master daemonizes and its children inherit stdio: with pipes, spawnSync would wait for them to close.
  const r = spawnSync(DOVECOT, ['-c', join(dir, 'dovecot.conf')], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`dovecot failed to start (exit ${r.status}): ${safeRead(join(dir, 'dovecot.log'))}`);
  await waitForPort(port, 10_000, () => safeRead(join(dir, 'dovecot.log')));
  return {
    port,
    dir,
    async stop() {
      // `dovecot stop` with the same config signals only this instance (its master pid file is in base_dir).
      spawnSync(DOVECOT, ['-c', join(dir, 'dovecot.conf'), 'stop'], { stdio: 'ignore' });
      const pidFile = join(dir, 'run', 'master.pid');
      for (let i = 0; i < 40 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function idOf(name: string) {
  const uid = Number(spawnSync('id', ['-u', name], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isFinite(uid) || !Number.isFinite(gid) || uid === 0) throw new Error(`system user ${name} not found (is dovecot-core installed?)`);
  return { uid, gid, name };
}

function safeRead(p: string) {
  try { return readFileSync(p, 'utf8').slice(-2000); } catch { return ''; }
}

async function waitForPort(port: number, ms: number, diag: () => string) {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => { c.destroy(); resolve(true); });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`dovecot did not listen on ${port}: ${diag()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Delivers a raw message into a user's INBOX with IMAP APPEND (what an MTA's local delivery does). */
export async function appendToInbox(port: number, user: string, password: string, raws: (string | Buffer)[]) {
  const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user, pass: password }, logger: false });
  c.on('error', () => {});
  await c.connect();
  try {
    for (const raw of raws) await c.append('INBOX', raw);
  } finally {
    await c.logout().catch(() => c.close());
  }
}

export type SmtpPeer = { port: number; received: ParsedMail[]; raw: string[]; waitFor(n: number, ms?: number): Promise<ParsedMail[]>; stop(): Promise<void> };

/** A receiving SMTP server on loopback: the "customer's mail server" that our replies are submitted to. */
export async function startSmtpPeer(opts: { rejectWith?: number } = {}): Promise<SmtpPeer> {
  const received: ParsedMail[] = [];
  const raw: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth: (_a, _s, cb) => cb(null, { user: 'relay' }),
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        if (opts.rejectWith) return cb(Object.assign(new Error('5.7.1 refused by test peer'), { responseCode: opts.rejectWith }));
        const buf = Buffer.concat(chunks);
        raw.push(buf.toString('utf8'));
        received.push(await simpleParser(buf));
        cb();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    port,
    received,
    raw,
    async waitFor(n, ms = 10_000) {
      const until = Date.now() + ms;
      while (received.length < n) {
        if (Date.now() > until) throw new Error(`SMTP peer got ${received.length} of ${n} messages`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return received;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
