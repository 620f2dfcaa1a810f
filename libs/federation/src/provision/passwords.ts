import { randomBytes } from 'node:crypto';

/** A fresh random password: 32 bytes from the OS CSPRNG, base64url (safe in URLs and ACL rules unescaped). */
export function newPassword(): string {
  return randomBytes(32).toString('base64url');
}
