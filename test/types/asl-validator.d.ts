/** asl-validator ships no types; this is the part the workflow tests use. */
declare module 'asl-validator' {
  interface AslValidation {
    readonly isValid: boolean;
    readonly errors: ReadonlyArray<{ readonly message?: string }>;
  }
  function aslValidator(definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }): AslValidation;
  export = aslValidator;
}
