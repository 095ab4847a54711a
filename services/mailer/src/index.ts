export { startMailer, startMailQueueConsumer, verifyTransport, type MailerSettings, type RunningMailer } from './mailer.js';
export { MailDelivery } from './delivery.js';
export { InProcessMailer } from './in-process-mailer.js';
export { DEFAULT_RETRY, type RetryPolicy } from './retrying.js';
export { fileTransport, smtpTransport, type MailTransport } from './transport.js';
export { composeMail } from './templates.js';
