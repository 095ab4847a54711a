export { mfaStatus, recoveryCodesReplace, totpDisable, totpEnrolConfirm, totpEnrolStart } from './enrolment.js';
export { mfaLoginBegin, mfaLoginFactors, mfaLoginVerify } from './login.js';
