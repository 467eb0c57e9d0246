/**
 * The signed-in shopper, as far as the browser needs to know: the merchant signs a JWT (HS256,
 * `sub`, `name`, `email`, `exp`) that only the server verifies. The widget reads `sub` (without
 * verifying, which it cannot) only to notice that another shopper signed in on this device.
 */

/** The `sub` claim of a JWT, or undefined when it cannot be read. */
export function subjectOf(token: string): string | undefined {
  try {
    const payload = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const sub: unknown = JSON.parse(atob(payload)).sub;
    return typeof sub == 'string' ? sub : undefined;
  } catch {
    return undefined; // Not a JWT we can read: the server decides, and treats it as a new shopper.
  }
}
