export { mfaStatus, recoveryCodesReplace, totpDisable, totpEnrolConfirm, totpEnrolStart } from './enrolment.js';
export { mfaLoginBegin, mfaLoginVerify } from './login.js';
