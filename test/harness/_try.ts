import { startRabbit } from './rabbitmq.js';
import { execSync } from 'node:child_process';
const mq = await startRabbit({ name: 'try' });
const dir = execSync(`ls -d /tmp/gatehouse-rmq-try-*`).toString().trim();
let t = Date.now(); await mq.ctl('stop_app'); console.log('stop_app', Date.now() - t);
t = Date.now(); await mq.ctl('stop'); console.log('stop (no pidfile)', Date.now() - t);
console.log(execSync(`grep -n .  ${dir}/log/*@localhost.log`).toString());
await mq.stop();
