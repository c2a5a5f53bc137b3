// An error that ends startup with exit code 1 and one line of text (no stack trace): a port in
// use, an unreadable or malformed --config, an invalid flag, an unwritable --data-dir.
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}
