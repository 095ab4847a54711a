/** The exact error texts of the textbook's Back End, kept so its clients understand ours. */
export const Messages = {
  noAction: 'Request does not have action',
  unknownAction: 'Unknown action',
  userExists: 'User already exists',
} as const;
