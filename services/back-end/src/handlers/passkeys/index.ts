export { passkeyListing, passkeySupport, passkeyRegister, passkeyRegisterOptions, passkeyRemove } from './registration.js';
export { passkeyLogin, passkeyLoginOptions } from './login.js';
export { checkAssertion } from './assertion.js';
