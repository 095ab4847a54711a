/** `npm run accounts`: the Back End's account commands (reset-mfa, rotate-mfa-key), also for `npm start`'s embedded database (embedded-cli.ts). */
import { ACCOUNTS_USAGE, runAccounts } from '@gatehouse/back-end/accounts';
import { runOnDatabase } from './embedded-cli.js';

runOnDatabase('accounts', (argv, databaseUrl, usage) => runAccounts(argv, databaseUrl, process.env, usage), ACCOUNTS_USAGE);
