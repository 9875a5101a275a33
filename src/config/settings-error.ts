/** A setting that cannot be used; the message is one line: key, problem, fix. */
export class SettingsError extends Error {
  constructor(
    message: string,
    readonly key: string,
  ) {
    super(message)
    this.name = 'SettingsError'
  }
}

/** A value as shown in an error: quoted, escaped (so it stays on one line) and shortened. */
export function quote(text: string): string {
  const shortened = text.length > 80 ? `${text.slice(0, 77)}...` : text
  return JSON.stringify(shortened)
}
