/**
 * The environment deploy/k8s gives the Front End, Back End and Mailer, beyond the variables their
 * config modules read: secret-sourced helpers that exist only to be expanded with $(NAME) into
 * AMQP_URL / DATABASE_URL (so no password is written in YAML), and the variables each must set.
 */
export const FRONT_END_HELPERS = ['FRONT_END_AMQP_PASSWORD'] as const;
export const BACK_END_HELPERS = ['BACK_END_AMQP_PASSWORD', 'GATEHOUSE_DB_PASSWORD'] as const;
export const FRONT_END_REQUIRED = ['AMQP_URL', 'REQUEST_QUEUE_MODE', 'SESSION_SECRET', 'HOST', 'PORT'] as const;
export const MAILER_HELPERS = ['MAILER_AMQP_PASSWORD'] as const;
export const MAILER_REQUIRED = ['AMQP_URL', 'REQUEST_QUEUE_MODE', 'SMTP_URL', 'PUBLIC_URL', 'HEALTH_HOST', 'HEALTH_PORT'] as const;
export const BACK_END_REQUIRED = ['AMQP_URL', 'REQUEST_QUEUE_MODE', 'DATABASE_URL', 'DATABASE_READ_URL', 'HEALTH_HOST', 'HEALTH_PORT'] as const;
