export * from './schemas.js';
export * from './messages.js';
export * from './parse-request.js';
export * from './normalize-email.js';
export * from './decode-json.js';
export * from './phc.js';
export * from './system-status.js';
export * from './second-factors.js';
