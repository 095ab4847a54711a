/** `npm run audit`: the Back End's audit command, also for `npm start`'s embedded database (embedded-cli.ts). */
import { runAudit, USAGE } from '@gatehouse/back-end/audit';
import { runOnDatabase } from './embedded-cli.js';

runOnDatabase('audit', runAudit, USAGE);
