declare module 'fxa-common-password-list' {
  /** Mozilla's list of common passwords. */
  const list: { test(password: string): boolean };
  export default list;
}
