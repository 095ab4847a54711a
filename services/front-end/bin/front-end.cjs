'use strict';
// The Front End's entry point in production: `node services/front-end/bin/front-end.cjs`.
// It sizes libuv's threadpool for argon2 first (threadpool.cjs says why that needs CommonJS),
// then loads the service (dist/main.js; src/main.ts under the gatehouse-source condition).
require('./threadpool.cjs').sizeThreadpool();
import('@gatehouse/front-end/main').catch((err) => {
  console.error(err);
  process.exit(1);
});
