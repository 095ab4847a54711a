/**
 * The local cluster's SMTP catcher: a real SMTP server (the `smtp-server` package) on loopback
 * that accepts every mail the Mailers send and keeps it as an .eml file, so a person (or the
 * chaos suite) can read what went out: `npm run cluster -- mail`, or the files themselves.
 *
 * Usage: smtp-catcher-main.ts <port> <folder>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

const [port, folder] = [Number(process.argv[2]), process.argv[3]];
if (!Number.isInteger(port) || port < 1 || port > 65_535 || !folder) {
  console.error('usage: smtp-catcher-main.ts <port> <folder>');
  process.exit(2);
}
mkdirSync(folder, { recursive: true, mode: 0o700 });

let count = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      // Time first, so a listing sorts by arrival; the links inside are secrets: mode 600.
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}-${++count}.eml`;
      writeFileSync(join(folder, name), Buffer.concat(chunks), { mode: 0o600 });
      const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
      console.log(`${new Date().toISOString()} mail for ${to} kept as ${name}`);
      callback();
    });
  },
});
server.on('error', (err) => console.error(`SMTP connection error: ${err.message}`));
server.listen(port, '127.0.0.1', () => console.log(`SMTP catcher on 127.0.0.1:${port}, keeping mail in ${folder}`));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => server.close(() => process.exit(0)));
